"""Search (index of record): Articles -> Whoosh index in .build/whoosh; queries -> ranked, faceted hits.

The only module that imports whoosh, so a server engine can replace it behind these functions.

Queries run on an index snapshot kept open between calls (the preview server and a long-running
CLI call `search` again and again); it is keyed by the index's generation and reopened when a
build changes the index. Word queries (words ANDed or ORed, `title:word`, boosts) are scored with
numpy over the posting lists using Whoosh's own BM25F statistics, which ranks exactly as Whoosh's
matcher tree does at a fraction of the cost; phrases, NOT, prefixes and the rest go to Whoosh.
Facet counts come from a per-snapshot table of each document's facet values.

Writing: articles (or SearchDocuments prepared elsewhere) are analysed by NewsAnalyzer, Whoosh's
stemming chain fused into one pass; a full build writes its one segment with _BulkWriter, which
produces exactly the files Whoosh's own writer would, several times faster; an update goes
through Whoosh's writer. "Did you mean" reads the index's word list (words.json) rather than
a second full-text field.
"""

from __future__ import annotations

import atexit
import bisect
import gc
import html
import itertools
import json
import math
import multiprocessing
import operator
import os
import re
import shutil
import threading
import unicodedata
import zlib
from array import array
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from whoosh import collectors, columns, formats, index, qparser, query, scoring
from whoosh.analysis import (
    STOP_WORDS,
    Analyzer,
    CharsetFilter,
    LowercaseFilter,
    RegexTokenizer,
    StemmingAnalyzer,
    Token,
)
from whoosh.automata.fsa import find_all_matches
from whoosh.codec.base import Automata
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3LeafMatcher, W3PostingsWriter
from whoosh.compat import dumps
from whoosh.fields import COLUMN, ID, KEYWORD, STORED, TEXT, Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.lang.porter import stem
from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import TermNotFound
from whoosh.support.charset import accent_map
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.writing import SegmentWriter

from generator.errors import SearchError
from generator.fsutil import atomic_write_text, is_process_alive, swap_directory
from generator.models import Article
from generator.search.documents import (  # re-exported: the index's API takes these
    SCHEMA_VERSION,
    SearchDocument,
    article_digest,
    search_document,
)

_MARK = re.compile(r"</?mark[^>]*>")
FACETS = ("people", "organizations", "places", "tags", "year")

# Whoosh's default token pattern (RegexTokenizer), without its capturing group, so findall()
# returns whole words.
_WORD = re.compile(r"[\w\*]+(?:\.?[\w\*]+)*")
_WORD_CACHE = 500_000  # distinct spellings remembered by an analyzer before it starts afresh


class NewsAnalyzer(Analyzer):  # type: ignore[misc]
    """The terms of `StemmingAnalyzer() | CharsetFilter(accent_map)` (words, lower-cased, stop
    words and one-letter words dropped, Porter-stemmed, then accent-folded), fused into one pass.

    Each distinct spelling is analysed once and remembered, so a word costs one dict lookup; one
    Token is yielded over and over, as Whoosh's tokenizers do. Calls with options the fused pass
    does not handle (keeporiginal, removestops=False, tokenize=False, no_morph) go to the Whoosh
    chain itself. Lives here, importable, because Whoosh pickles the schema into the index.
    """

    is_morph = True  # it stems, as the chain's StemFilter does

    def __init__(self) -> None:
        # spelling as written -> (index term, or None for a stop word; plain word for "did you mean")
        self._words: dict[str, tuple[str | None, str]] = {}
        self._chain: Any = None

    def __getstate__(self) -> dict[str, Any]:
        return {}  # nothing to configure: caches are rebuilt after unpickling

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__()  # type: ignore[misc]

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"

    @staticmethod
    def reference() -> Any:
        """The Whoosh analyzer this one reproduces."""
        return StemmingAnalyzer() | CharsetFilter(accent_map)

    def word(self, text: str) -> tuple[str | None, str]:
        """(index term or None, plain word) for one word as the tokenizer found it."""
        found = self._words.get(text)
        if found is None:
            lower = text.lower()
            term = (
                None if len(lower) < 2 or lower in STOP_WORDS else stem(lower).translate(accent_map)
            )
            found = self._words[text] = (term, lower.translate(accent_map))
        return found

    def _fresh(self) -> None:
        if len(self._words) > _WORD_CACHE:
            self._words.clear()

    def plain_words(self, *texts: str) -> set[str]:
        """The distinct unstemmed words (lower-case, accent-folded, stop words kept) of texts."""
        self._fresh()
        analyse = self.word
        return {analyse(spelling)[1] for text in texts for spelling in set(_WORD.findall(text))}

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        no_morph: bool = False,
        **kwargs: Any,
    ) -> Iterator[Token]:
        assert isinstance(value, str), f"{value!r} is not unicode"
        if keeporiginal or not removestops or not tokenize or no_morph:
            if self._chain is None:
                self._chain = self.reference()
            return self._chain(  # type: ignore[no-any-return]
                value,
                positions=positions,
                chars=chars,
                keeporiginal=keeporiginal,
                removestops=removestops,
                start_pos=start_pos,
                start_char=start_char,
                tokenize=tokenize,
                mode=mode,
                no_morph=no_morph,
                **kwargs,
            )
        return self._tokens(value, positions, chars, start_pos, start_char, mode, kwargs)

    def _tokens(
        self,
        value: str,
        positions: bool,
        chars: bool,
        start_pos: int,
        start_char: int,
        mode: str,
        kwargs: dict[str, Any],
    ) -> Iterator[Token]:
        self._fresh()
        token = Token(positions, chars, removestops=True, mode=mode, **kwargs)
        known = self._words.get
        analyse = self.word
        pos = -1
        for number, match in enumerate(_WORD.finditer(value)):
            term = (known(match.group(0)) or analyse(match.group(0)))[0]
            if term is None:
                continue
            token.text = term
            token.boost = 1.0
            token.stopped = False
            if positions:
                pos = start_pos + number if pos < 0 else pos + 1
                token.pos = pos
            if chars:
                token.startchar = start_char + match.start()
                token.endchar = start_char + match.end()
            yield token


_ANALYZER = NewsAnalyzer()  # for documents prepared outside a Whoosh writer


def _schema() -> Schema:
    stemmed = NewsAnalyzer()
    return Schema(
        slug=ID(stored=True, unique=True),
        # Hash of everything indexed for the article: an unchanged article is never re-indexed.
        digest=ID(stored=True),
        title=TEXT(analyzer=stemmed, stored=True, field_boost=2.0),
        body=TEXT(analyzer=stemmed, stored=True),
        summary=STORED,
        url=STORED,
        date=ID(stored=True, sortable=True),
        year=KEYWORD(stored=True),
        people=KEYWORD(stored=True, commas=True, lowercase=True),
        organizations=KEYWORD(stored=True, commas=True, lowercase=True),
        places=KEYWORD(stored=True, commas=True, lowercase=True),
        tags=KEYWORD(stored=True, commas=True, lowercase=True),
        # Every facet value as the article spells it (JSON), one small column read per snapshot
        # for facet counts and display names, instead of unpickling every stored document.
        facets=COLUMN(columns.VarBytesColumn()),
    )


def _layout(schema: Schema) -> list[tuple[str, ...]]:
    """What makes two schemas index alike (Whoosh's own == compares column objects by identity)."""
    return [
        (
            name,
            type(fieldobj).__name__,
            repr(fieldobj.format),
            repr(fieldobj.analyzer),
            repr((fieldobj.stored, fieldobj.scorable, fieldobj.unique)),
            type(fieldobj.column_type).__name__,
        )
        for name, fieldobj in sorted(schema.items())
    ]


def _as_document(item: Article | SearchDocument) -> SearchDocument:
    return item if isinstance(item, SearchDocument) else search_document(item)


def _digest(item: Article | SearchDocument) -> str:
    return item.digest if isinstance(item, SearchDocument) else article_digest(item)


def _fields(doc: SearchDocument) -> dict[str, Any]:
    """The document's Whoosh fields."""
    return {
        "slug": doc.slug,
        "title": doc.title,
        "body": doc.text,
        "summary": doc.summary,
        "url": doc.url,
        "date": doc.date or "",
        "year": doc.year or "",
        "people": ",".join(doc.people),
        "organizations": ",".join(doc.organizations),
        "places": ",".join(doc.places),
        "tags": ",".join(doc.tags),
        "facets": json.dumps(
            [
                list(doc.people),
                list(doc.organizations),
                list(doc.places),
                list(doc.tags),
                [doc.year] if doc.year else [],
            ],
            ensure_ascii=False,
            separators=(",", ":"),
        ).encode("utf-8"),
        "digest": doc.digest,
    }


def _document(item: Article | SearchDocument) -> dict[str, Any]:
    """Keyword arguments for Whoosh's writer.add_document / update_document."""
    return _fields(_as_document(item))


# "Did you mean" needs the unstemmed words (a stemmed field would suggest stems: 'migrants' ->
# 'migrant', 'library' -> 'librari') and how common each is. Instead of a second full-text field
# (every word of every article analysed and posted again), the index folder holds the list of
# distinct words with the number of live articles having each, kept exact by update_index, and
# suggestions come from Whoosh's Levenshtein automaton run over that sorted list.
_VOCABULARY = "words.json"  # beside Whoosh's files; not a name Whoosh's clean-up touches


@dataclass(frozen=True, slots=True)
class _Vocabulary:
    generation: int  # the index generation (TOC number) the counts describe
    words: list[str]  # sorted
    counts: list[int]

    @classmethod
    def of(cls, generation: int, counts: Counter[str]) -> _Vocabulary:
        words = sorted(word for word, count in counts.items() if count > 0)
        return cls(generation, words, [counts[word] for word in words])

    def counter(self) -> Counter[str]:
        return Counter(dict(zip(self.words, self.counts, strict=True)))

    def frequency(self, word: str) -> int:
        i = bisect.bisect_left(self.words, word)
        return self.counts[i] if i < len(self.words) and self.words[i] == word else 0

    def within(self, text: str, maxdist: int, prefix: int = 0) -> list[str]:
        """The words within maxdist (Damerau-Levenshtein) edits of text, as Whoosh's
        SegmentReader.terms_within finds them in a segment's term list."""
        words = self.words

        def first_from(key: str) -> str | None:
            i = bisect.bisect_left(words, key)
            return words[i] if i < len(words) else None

        return list(find_all_matches(Automata.levenshtein_dfa(text, maxdist, prefix), first_from))


def _read_vocabulary(index_dir: Path) -> _Vocabulary | None:
    try:
        data = json.loads((index_dir / _VOCABULARY).read_text(encoding="utf-8"))
        if data["version"] != SCHEMA_VERSION:
            return None
        return _Vocabulary(int(data["generation"]), list(data["words"]), list(data["counts"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _write_vocabulary(index_dir: Path, vocabulary: _Vocabulary) -> None:
    atomic_write_text(
        index_dir / _VOCABULARY,
        json.dumps(
            {
                "version": SCHEMA_VERSION,
                "generation": vocabulary.generation,
                "words": vocabulary.words,
                "counts": vocabulary.counts,
            },
            ensure_ascii=False,
            separators=(",", ":"),
        ),
    )


def _stored_words(stored: dict[str, Any]) -> set[str]:
    return _ANALYZER.plain_words(stored.get("title") or "", stored.get("body") or "")


def _count_words(searcher: Any) -> Counter[str]:
    """The vocabulary of the live documents, from their stored text (the slow way: an index
    whose word list is missing or out of date)."""
    counts: Counter[str] = Counter()
    for stored in searcher.all_stored_fields():
        counts.update(_stored_words(stored))
    return counts


@dataclass(frozen=True, slots=True)
class IndexUpdate:
    added: int
    updated: int
    removed: int
    unchanged: int
    rebuilt: bool


# update_index rebuilds instead when at least this many articles, and half of them, changed:
# Whoosh's writer takes ~25 ms an article, a full build by _BulkWriter ~4.
_REBUILD_FROM = 500


def update_index(index_dir: Path, articles: Sequence[Article | SearchDocument]) -> IndexUpdate:
    """Bring the index in line with the articles (Articles or SearchDocuments), touching only
    what changed.

    Changed articles are replaced by key (slug), removed ones deleted, unchanged ones left alone.
    A missing, damaged or older-schema index, or one most of whose articles changed, is rebuilt
    from scratch in a temporary folder and swapped in. Whoosh's write lock is an OS file lock, so a killed build leaves no stale lock.
    """
    by_slug = {a.slug: a for a in articles}
    return update_index_from(
        index_dir, {a.slug: _digest(a) for a in articles}, lambda slugs: [by_slug[s] for s in slugs]
    )


def _fetched(
    fetch: Callable[[Sequence[str]], Sequence[Article | SearchDocument]],
    slugs: Sequence[str],
    batch: int = 500,
) -> Iterator[Article | SearchDocument]:
    """The documents of `slugs`, asked for `batch` at a time: never all in memory at once."""
    for start in range(0, len(slugs), batch):
        yield from fetch(slugs[start : start + batch])


def update_index_from(
    index_dir: Path,
    digests: Mapping[str, str],
    fetch: Callable[[Sequence[str]], Sequence[Article | SearchDocument]],
) -> IndexUpdate:
    """update_index for an archive given as slug -> digest (in archive order), whose documents
    `fetch` returns for the slugs asked for: an edit to one article reads one document."""
    _forget(index_dir)
    slugs = list(digests)
    try:
        ix = _open_index(index_dir) if index.exists_in(str(index_dir)) else None
        if ix is not None and _layout(ix.schema) != _layout(_schema()):
            ix.close()
            ix = None
    except Exception:  # a damaged index, or one whose schema no longer unpickles: rebuild it
        ix = None
    if ix is None:
        return IndexUpdate(build_index(index_dir, _fetched(fetch, slugs)), 0, 0, 0, True)
    try:
        current = _read_digests(index_dir)
        if current is None:  # no sidecar: read the digests from the index (every document)
            with ix.searcher() as searcher:
                current = {f["slug"]: f.get("digest") for f in searcher.all_stored_fields()}
        changed = [slug for slug, digest in digests.items() if current.get(slug) != digest]
        removed = [slug for slug in current if slug not in digests]
        touched = len(changed) + len(removed)
        if touched >= _REBUILD_FROM and touched * 2 >= len(digests):
            ix.close()  # most articles changed (a new SCHEMA_VERSION): a full build is cheaper
            return IndexUpdate(build_index(index_dir, _fetched(fetch, slugs)), 0, 0, 0, True)
        vocabulary = _read_vocabulary(index_dir)
        if vocabulary is not None and vocabulary.generation != ix.latest_generation():
            vocabulary = None  # a crash after a commit, or a writer that did not keep it
        with ix.searcher() as searcher:
            words = _count_words(searcher) if vocabulary is None else vocabulary.counter()
            for slug in (*removed, *changed):
                stored = searcher.document(slug=slug) if slug in current else None
                if stored is not None:
                    words.subtract(_stored_words(stored))
        if changed or removed:
            fresh = dict(zip(changed, fetch(changed), strict=True))
            writer = ix.writer(timeout=30.0)
            for slug in removed:
                writer.delete_by_term("slug", slug)
            for slug in changed:
                fields = _document(fresh[slug])
                words.update(_stored_words(fields))
                writer.update_document(**fields)
            writer.commit(mergetype=_merge_small_segments)
            # Written after the commit: a crash in between leaves stale digests, which only makes
            # the next build re-index a few documents again, never skip one; a stale word list
            # names an older generation and is counted again.
            _write_vocabulary(index_dir, _Vocabulary.of(ix.latest_generation(), words))
            _write_digests(index_dir, dict(digests))
        elif vocabulary is None:
            _write_vocabulary(index_dir, _Vocabulary.of(ix.latest_generation(), words))
        added = sum(1 for slug in changed if slug not in current)
        return IndexUpdate(
            added, len(changed) - added, len(removed), len(digests) - len(changed), False
        )
    finally:
        ix.close()


# Segments an update writes (a few documents each) are merged once there are this many of them;
# a full one is rewritten (without its deleted documents) once this share of it is deleted.
_SMALL_SEGMENTS = 10
_DELETED_SHARE = 0.5


def _merge_small_segments(writer: Any, segments: list[Any]) -> list[Any]:
    """Whoosh merge policy for updates: merge the segments smaller than a built one once there
    are _SMALL_SEGMENTS of them, and a full one only when most of it is deleted. Whoosh's
    default (MERGE_SMALL) sums the smallest segments against a Fibonacci bound, which 20 full
    segments of 2,500 documents pass: one edit of a 100,000-article archive rewrote half its
    index (about 300 s)."""
    from whoosh.reading import SegmentReader

    small = [s for s in segments if s.doc_count_all() < SEGMENT_DOCS]
    merged = small if len(small) >= _SMALL_SEGMENTS else []
    merged += [
        s
        for s in segments
        if s not in merged and s.deleted_count() > s.doc_count_all() * _DELETED_SHARE
    ]
    for segment in merged:
        reader = SegmentReader(writer.storage, writer.schema, segment)
        writer.add_reader(reader)
        reader.close()
    return [s for s in segments if s not in merged]


def _digests_path(index_dir: Path) -> Path:
    return index_dir.with_name(f"{index_dir.name}-digests.json")


def _read_digests(index_dir: Path) -> dict[str, str] | None:
    """slug -> digest of what the index holds, from the sidecar file; None if missing or unreadable."""
    try:
        data = json.loads(_digests_path(index_dir).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return (
        data.get("digests")
        if isinstance(data, dict) and data.get("version") == SCHEMA_VERSION
        else None
    )


def _write_digests(index_dir: Path, digests: dict[str, str]) -> None:
    atomic_write_text(
        _digests_path(index_dir),
        json.dumps({"version": SCHEMA_VERSION, "digests": digests}, sort_keys=True),
    )


# Postings of one term in a segment being written: document numbers, weights, encoded values.
_Postings = tuple["array[int]", "array[float]", list[bytes]]


class _FieldPostings:
    """One analysed field's postings for a whole build, appended document by document: the
    document's distinct term ids, its number, each term's weight and Positions value."""

    def __init__(self) -> None:
        self.terms: list[IntArray] = []
        self.docs: list[int] = []
        self.weights: list[FloatArray] = []
        self.values: list[bytes] = []

    def by_term(
        self, texts: list[str]
    ) -> Iterator[tuple[str, list[int], list[float], list[bytes]]]:
        """(term, document numbers, weights, values) for each term (texts[id]) in the order of
        the terms (UTF-8 sorts as the text does), the documents in order, one term at a time."""
        if not self.terms:
            return
        counts = np.fromiter(map(len, self.terms), dtype=np.int64, count=len(self.terms))
        terms = np.concatenate(self.terms)
        docs = np.repeat(np.asarray(self.docs, dtype=np.int64), counts)
        weights = np.concatenate(self.weights)
        values = np.empty(len(self.values), dtype=object)
        values[:] = self.values
        self.terms, self.docs, self.weights, self.values = [], [], [], []
        order = np.argsort(terms, kind="stable")  # stable: each term's documents stay in order
        terms, docs, weights, values = terms[order], docs[order], weights[order], values[order]
        del order
        change = np.empty(len(terms), dtype=bool)
        change[0] = True
        np.not_equal(terms[1:], terms[:-1], out=change[1:])
        starts = np.flatnonzero(change).tolist()
        ends = [*starts[1:], len(terms)]
        ids = terms[starts].tolist()
        for k in sorted(range(len(ids)), key=lambda k: texts[ids[k]]):
            start, end = starts[k], ends[k]
            yield (
                texts[ids[k]],
                docs[start:end].tolist(),
                weights[start:end].tolist(),
                values[start:end].tolist(),
            )


def _positions_values(terms: IntArray, first: int) -> tuple[IntArray, IntArray, list[bytes]] | None:
    """A field's distinct terms, how often each occurs, and each one's Positions value, from the
    field's term ids in token order (stop words left out, the first at position `first`).

    A value is what Positions.encode writes: the count (4 bytes, big-endian) and the position
    deltas as pickle (protocol 2) writes a list of them: `\\x80\\x02]q\\x00` (an empty list,
    memoized), then for one item the item and APPEND (`a`), for up to 1000 a MARK (`(`), the
    items and APPENDS (`e`); each int below 256 as BININT1 (`K`, a byte), below 65536 as BININT2
    (`M`, two bytes, low first); STOP (`.`). Built here for all terms at once; None (take the
    slow way) for a term there more than 1000 times or positions from 65536 on.
    """
    total = len(terms)
    if not total:
        return terms, terms, []
    if first + total > 65536:
        return None
    order = np.argsort(terms, kind="stable")
    ordered = terms[order]
    change = np.empty(total, dtype=bool)
    change[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=change[1:])
    starts = np.flatnonzero(change)
    counts = np.empty(len(starts), dtype=np.int64)
    counts[:-1] = starts[1:] - starts[:-1]
    counts[-1] = total - starts[-1]
    if counts.max() > 1000:
        return None
    positions = order + first  # each term's positions, in order
    deltas = np.empty_like(positions)
    deltas[0] = positions[0]
    np.subtract(positions[1:], positions[:-1], out=deltas[1:])
    deltas[starts] = positions[starts]
    wide = deltas >= 256
    sizes = wide + 2
    several = counts > 1
    ends = np.cumsum(np.add.reduceat(sizes, starts) + several + 11)
    offsets = np.empty_like(ends)
    offsets[0] = 0
    offsets[1:] = ends[:-1]
    out = np.zeros(int(ends[-1]), dtype=np.uint8)
    out[offsets + 2] = counts >> 8
    out[offsets + 3] = counts & 255
    out[offsets + 4] = 0x80  # PROTO 2
    out[offsets + 5] = 2
    out[offsets + 6] = 0x5D  # EMPTY_LIST, then BINPUT 0 (byte 8 stays 0)
    out[offsets + 7] = 0x71
    out[offsets[several] + 9] = 0x28  # MARK
    before = np.cumsum(sizes) - sizes
    at = np.repeat(offsets + 9 + several - before[starts], counts) + before
    out[at] = 0x4B + 2 * wide  # K, or M
    out[at + 1] = deltas & 255
    if wide.any():
        out[at[wide] + 2] = deltas[wide] >> 8
    out[ends - 2] = 0x61 + 4 * several  # APPEND (a), or APPENDS (e)
    out[ends - 1] = 0x2E  # STOP
    data = out.tobytes()
    values = list(map(data.__getitem__, map(slice, offsets.tolist(), ends.tolist())))
    return ordered[starts], counts, values


class _BulkWriter(SegmentWriter):  # type: ignore[misc]
    """Whoosh's segment writer for a whole new index, writing the files add_document() and
    commit() write (tests/search compare them byte for byte), at a fraction of the cost.

    Whoosh's writer analyses each field through a chain of generators, sends every posting
    through an external sort pool and then, posting by posting, into the codec's block writer.
    Here each distinct spelling is analysed once (NewsAnalyzer.word) and given a term id; a
    document's title and body become arrays of term ids, inverted and encoded with numpy
    (_positions_values); at commit the postings of all documents are sorted by term with one
    argsort and written out a block at a time. Other fields go through Whoosh's field.index(),
    remembered per distinct value (years, tags and people repeat).
    """

    _ANALYSED = ("title", "body")

    def __init__(self, ix: Any) -> None:
        super().__init__(ix)
        self._postings = {name: _FieldPostings() for name in self._ANALYSED}
        self._terms: dict[str, dict[str, _Postings]] = {}  # the other fields, by term
        # Per scorable field: each document's field length as the codec reads it back (a byte).
        self._doc_lengths: dict[str, array[int]] = {}
        self._indexed: dict[tuple[str, str], list[tuple[str, int, float, bytes]]] = {}
        self._spellings: dict[str, int] = {}  # word as written -> term id, -1 for a stop word
        self._plain: dict[str, str] = {}  # word as written -> its plain form
        self._term_ids: dict[str, int] = {}
        self._term_texts: list[str] = []
        self.words: Counter[str] = Counter()  # unstemmed word -> documents having it
        for name in self._ANALYSED:
            fieldobj = self.schema[name]
            assert type(fieldobj.analyzer) is NewsAnalyzer
            assert type(fieldobj.format) is formats.Positions

    def _learn(self, spellings: Iterable[str]) -> None:
        for spelling in spellings:
            if spelling not in self._spellings:
                term, plain = _ANALYZER.word(spelling)
                if term is not None and term not in self._term_ids:
                    self._term_ids[term] = len(self._term_texts)
                    self._term_texts.append(term)
                self._spellings[spelling] = -1 if term is None else self._term_ids[term]
                self._plain[spelling] = plain

    def _analyse(self, text: str, plain: set[str]) -> tuple[IntArray, int]:
        """The text's term ids in token order, stop words left out, and the first one's
        position; adds its plain words to `plain`."""
        words = _WORD.findall(text)
        distinct = set(words)
        try:
            found = np.fromiter(map(self._spellings.__getitem__, words), np.int64, len(words))
        except KeyError:  # words not seen before
            self._learn(distinct)
            found = np.fromiter(map(self._spellings.__getitem__, words), np.int64, len(words))
        plain.update(map(self._plain.__getitem__, distinct))
        kept = found >= 0
        if not kept.any():
            return found[:0], 0
        return found[kept], int(np.argmax(kept))

    def add_search_document(self, doc: SearchDocument) -> None:
        schema = self.schema
        docnum = self.docnum
        perdoc = self.perdocwriter
        plain: set[str] = set()
        analysed = {
            "title": self._analyse(doc.title, plain),
            "body": self._analyse(doc.text, plain),
        }
        self.words.update(plain)
        fields = _fields(doc)
        perdoc.start_doc(docnum)
        for fieldname in sorted(fields):  # the order add_document() takes them in
            value = fields[fieldname]
            fieldobj = schema[fieldname]
            length = 0
            if fieldobj.indexed:
                if fieldname in analysed:
                    terms, first = analysed[fieldname]
                    length = len(terms)
                    self._add_positions(
                        self._postings[fieldname], docnum, terms, first, fieldobj.format
                    )
                else:
                    table = self._terms.get(fieldname)
                    if table is None:
                        table = self._terms[fieldname] = {}
                    for term, freq, weight, vbytes in self._index(fieldname, fieldobj, value):
                        if fieldobj.scorable:
                            length += freq
                        postings = table.get(term)
                        if postings is None:
                            postings = table[term] = (array("I"), array("d"), [])
                        postings[0].append(docnum)
                        postings[1].append(weight)
                        if vbytes:
                            postings[2].append(vbytes)
            if fieldobj.scorable:
                lengths = self._doc_lengths.get(fieldname)
                if lengths is None:
                    lengths = self._doc_lengths[fieldname] = array("I")
                lengths.extend([0] * (docnum - len(lengths)))
                lengths.append(byte_to_length(length_to_byte(length)) if length else 0)
            perdoc.add_field(fieldname, fieldobj, value if fieldobj.stored else None, length)
            if fieldobj.column_type and value is not None:
                perdoc.add_column_value(
                    fieldname, fieldobj.column_type, fieldobj.to_column_value(value)
                )
        perdoc.finish_doc()
        self._added = True
        self.docnum += 1

    def _index(
        self, fieldname: str, fieldobj: Any, value: Any
    ) -> list[tuple[str, int, float, bytes]]:
        """fieldobj.index(value), terms as text (UTF-8 sorts as the text does)."""
        key = (fieldname, value)
        found = self._indexed.get(key)
        if found is None:
            found = [
                (btext.decode("utf-8"), freq, weight, vbytes)
                for btext, freq, weight, vbytes in fieldobj.index(value)
            ]
            if fieldname not in ("slug", "digest"):  # unique to each document
                self._indexed[key] = found
        return found

    @staticmethod
    def _add_positions(
        postings: _FieldPostings, docnum: int, terms: IntArray, first: int, format_: Any
    ) -> None:
        total = len(terms)
        if not total:
            return
        # numpy pays from some dozens of words on (a body, not a title)
        found = _positions_values(terms, first) if total >= 48 else None
        if found is None:  # Whoosh's own encoding, term by term
            positions: dict[int, list[int]] = {}
            for position, term in enumerate(terms.tolist(), first):
                found_positions = positions.get(term)
                if found_positions is None:
                    positions[term] = [position]
                else:
                    found_positions.append(position)
            ordered = sorted(positions)
            ids = np.asarray(ordered, dtype=np.int64)
            counts = np.asarray([len(positions[t]) for t in ordered], dtype=np.int64)
            values = [format_.encode(positions[t]) for t in ordered]
        else:
            ids, counts, values = found
        postings.terms.append(ids)
        postings.docs.append(docnum)
        postings.weights.append(counts * format_.field_boost)
        postings.values.extend(values)

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        fieldwriter = self.fieldwriter
        # Fields with postings only (Whoosh's writer never starts the others).
        names = sorted(
            {
                *(n for n, t in self._terms.items() if t),
                *(n for n, p in self._postings.items() if p.terms),
            }
        )
        for fieldname in names:
            fieldobj = self.schema[fieldname]
            lengths = self._doc_lengths.get(fieldname)
            if fieldname in self._postings:
                terms = self._postings[fieldname].by_term(self._term_texts)
            else:
                table = self._terms.pop(fieldname)
                terms = (
                    (term, table[term][0].tolist(), table[term][1].tolist(), table[term][2])
                    for term in sorted(table)
                )
            fieldwriter.start_field(fieldname, fieldobj)
            writer = fieldwriter._postwriter
            assert type(writer) is W3PostingsWriter and writer._inlinelimit <= 1
            for term, docs, weights, values in terms:
                fieldwriter.start_term(term.encode("utf-8"))
                _write_blocks(writer, docs, weights, values, lengths)
                fieldwriter.finish_term()
            fieldwriter.finish_field()
        fieldwriter.close()


def _write_blocks(
    writer: Any, ids: list[int], weights: list[float], values: list[bytes], lengths: Any
) -> None:
    """Write one term's postings as W3PostingsWriter writes them (add_posting() one by one, then
    finish_postings()): blocks of `_blocklimit` postings, each with its statistics, the last one
    marked; finish_postings() then only records the extent."""
    assert not values or len(values) == len(ids)
    postfile = writer._postfile
    terminfo = writer._terminfo
    compression = writer._compression
    fixed = writer._format.fixed_value_size()
    limit = writer._blocklimit
    count = len(ids)
    for start in range(0, count, limit):
        end = min(count, start + limit)
        block = ids[start:end]
        exact = weights[start:end]
        block_weights = array("f", exact)  # what the block stores (and sums)
        size = end - start
        top = max(exact)
        max_weight = top if top > 0 else 0
        if lengths is None:
            min_length, max_length = None, 0
        else:
            known = list(map(lengths.__getitem__, block))
            if not min(known):
                known = [length for length in known if length] or [0]
            min_length = min(known) or None
            max_length = max(known)
        # TermInfo.add_block
        terminfo._weight += sum(block_weights)
        terminfo._df += size
        terminfo._minlength = (
            min_length if terminfo._minlength is None else min(terminfo._minlength, min_length)
        )
        terminfo._maxlength = max(terminfo._maxlength, max_length)
        terminfo._maxweight = max(terminfo._maxweight, max_weight)
        if terminfo._minid is None:
            terminfo._minid = block[0]
        terminfo._maxid = block[-1]
        # W3PostingsWriter._write_block
        if block_weights.count(1.0) == size:
            mini_weights: Any = None
        elif block_weights.count(block_weights[0]) == size:
            mini_weights = block_weights[0]
        else:
            mini_weights = tuple(block_weights)
        block_values = values[start:end]
        if fixed is None or fixed < 0:
            mini_values: Any = tuple(block_values)
        elif fixed == 0:
            mini_values = None
        else:
            mini_values = b"".join(block_values)
        deltas = tuple(map(operator.sub, block, itertools.chain((0,), block)))  # delta_encode
        data = dumps((deltas, mini_weights, mini_values), 2)
        if compression:
            data = zlib.compress(data, compression)
        info = dumps(
            (
                size,
                block[-1],
                max_weight,
                compression,
                length_to_byte(min_length),
                length_to_byte(max_length),
            ),
            2,
        )
        if not writer._blockcount:
            postfile.write(WHOOSH3_HEADER_MAGIC)
        postfile.write_int(-(len(info) + len(data)) if end == count else len(info) + len(data))
        postfile.write(info)
        postfile.write(data)
        writer._blockcount += 1


# Documents per segment of a new index. Postings of 2,500 news articles take ~150 MB until
# their segment is written; searches read the segments as one index (same scores).
SEGMENT_DOCS = 2500


def build_index(
    index_dir: Path, articles: Iterable[Article | SearchDocument], procs: int = 1
) -> int:
    """Write a fresh index into a temporary folder, then swap it in; returns the document count.

    Takes Articles or SearchDocuments. One process writes it (_BulkWriter); procs > 1 uses
    Whoosh's own multi-process writer instead (one segment per process, not merged), which is
    quicker only on otherwise idle cores and costs more CPU time in all.
    A crash mid-way leaves the previous index untouched and searchable.
    """
    _forget(index_dir)
    staged = index_dir.with_name(f"{index_dir.name}.tmp-{os.getpid()}")
    shutil.rmtree(staged, ignore_errors=True)
    for stale in index_dir.parent.glob(f"{index_dir.name}.tmp-*"):
        pid = stale.name.rsplit("-", 1)[-1]
        if pid.isdigit() and not is_process_alive(int(pid)):
            shutil.rmtree(stale, ignore_errors=True)
    staged.mkdir(parents=True)
    # Millions of postings are allocated and none is garbage: the cyclic collector would only
    # walk them again and again (a tenth of the build). Reference counting still frees memory.
    collecting = gc.isenabled()
    gc.disable()
    try:
        ix = index.create_in(str(staged), _schema())
        count = 0
        digests: dict[str, str] = {}
        if procs > 1 and not multiprocessing.current_process().daemon:
            words: Counter[str] = Counter()
            writer = ix.writer(limitmb=128, procs=procs, multisegment=True)
            for item in articles:
                fields = _document(item)
                writer.add_document(**fields)
                words.update(_stored_words(fields))
                digests[fields["slug"]] = fields["digest"]
                count += 1
            writer.commit()
        else:
            # One segment per SEGMENT_DOCS documents: the writer holds a segment's postings
            # until it commits, so memory stays flat however large the archive.
            writer = _BulkWriter(ix)
            words = Counter()
            for item in articles:
                if writer.docnum >= SEGMENT_DOCS:
                    words.update(writer.words)
                    writer.commit(merge=False)
                    # A committed writer is in reference cycles (Whoosh's codec objects): with
                    # the collector off it stayed, 17 MB a segment (880 MB at 100k articles).
                    del writer
                    gc.collect()
                    writer = _BulkWriter(ix)
                doc = _as_document(item)
                writer.add_search_document(doc)
                digests[doc.slug] = doc.digest
                count += 1
            words.update(writer.words)
            writer.commit(merge=False)
        _write_vocabulary(staged, _Vocabulary.of(ix.latest_generation(), words))
        ix.close()
        _digests_path(index_dir).unlink(
            missing_ok=True
        )  # never let old digests describe a new index
        swap_directory(staged, index_dir)
        _write_digests(index_dir, digests)
    finally:
        if collecting:
            gc.enable()
        shutil.rmtree(staged, ignore_errors=True)
    return count


@dataclass(frozen=True, slots=True)
class SearchHit:
    title: str
    date: str | None
    url: str
    snippet_html: str
    score: float

    @property
    def snippet_text(self) -> str:
        return html.unescape(_MARK.sub("", self.snippet_html))


@dataclass(frozen=True, slots=True)
class SearchResult:
    query: str
    total: int
    page: int
    pages: int
    hits: tuple[SearchHit, ...]
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    suggestion: str | None = None


BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

# Fields a word query is scored on (BM25F with per-document lengths).
_SCORED_FIELDS = frozenset({"title", "body"})
_TOC = re.compile(r"^_MAIN_(\d+)\.toc$")
# Posting lists kept per snapshot (document numbers and weights, 16 bytes each): paging through
# results or refining a query reads the same terms again.
_POSTINGS_CACHE = 1_000_000


def _open_index(index_dir: Path) -> Any:
    """Open without mmap: Whoosh copies each memory-mapped segment file it opens into memory
    (BytesIO), 0.1 s and the index's size (180 MB) at 10,000 articles; plain reads are as fast."""
    return FileStorage(str(index_dir), supports_mmap=False).open_index()


def _generation_key(index_dir: Path) -> tuple[int, ...] | None:
    """Identifies one committed state of the index: the folder (a full rebuild swaps in a new one)
    and its newest table of contents (each commit writes a new one). None when there is no index."""
    try:
        folder = index_dir.stat()
        generations = [int(m.group(1)) for p in index_dir.iterdir() if (m := _TOC.match(p.name))]
        if not generations:
            return None
        generation = max(generations)
        toc = (index_dir / f"_MAIN_{generation}.toc").stat()
    except OSError:
        return None
    return (
        folder.st_dev,
        folder.st_ino,
        generation,
        toc.st_ino,
        toc.st_mtime_ns,
        toc.st_size,
    )


def _read_postings(matcher: Any) -> tuple[IntArray, FloatArray]:
    """Document numbers and weights (term frequency x field boost) of one segment's posting list."""
    if isinstance(matcher, FilterMatcher):  # hides deleted documents; the live mask does that
        matcher = matcher.child
    if type(matcher) is W3LeafMatcher:
        # Block by block: each block is unpickled once, instead of four method calls per posting.
        id_blocks: list[IntArray] = []
        weight_blocks: list[FloatArray] = []
        while matcher.is_active():
            matcher._read_ids()
            matcher._read_weights()
            id_blocks.append(np.asarray(matcher._ids, dtype=np.int64))
            weight_blocks.append(np.asarray(matcher._weights, dtype=np.float64))
            matcher._next_block()
        if id_blocks:
            return np.concatenate(id_blocks), np.concatenate(weight_blocks)
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
    ids: list[int] = []
    weights: list[float] = []
    while matcher.is_active():
        ids.append(matcher.id())
        weights.append(matcher.weight())
        matcher.next()
    return np.asarray(ids, dtype=np.int64), np.asarray(weights, dtype=np.float64)


@dataclass(frozen=True, slots=True)
class _FacetTable:
    """Each (document, facet value) pair as two index arrays per facet, and the values' display
    names (as the earliest document spells them): counting a result set is one bincount."""

    names: dict[str, list[str]]
    docs: dict[str, IntArray]
    values: dict[str, IntArray]

    def counts(self, mask: BoolArray) -> dict[str, list[tuple[str, int]]]:
        out: dict[str, list[tuple[str, int]]] = {}
        for name in FACETS:
            docs, values, names = self.docs[name], self.values[name], self.names[name]
            tally = np.bincount(values[mask[docs]], minlength=len(names))
            out[name] = sorted(
                ((names[i], int(tally[i])) for i in np.flatnonzero(tally) if names[i]),
                key=lambda kv: (-kv[1], kv[0]),
            )
        return out


class _Snapshot:
    """One committed state of the index, open for queries, with numpy views built on first use.

    Whoosh readers are not safe for concurrent use (they seek shared files): hold `lock`.
    """

    def __init__(self, key: tuple[int, ...], ix: Any) -> None:
        self.key = key
        self.ix = ix
        self.weighting = scoring.BM25F()
        self.searcher = ix.searcher(weighting=self.weighting)
        self.reader = self.searcher.reader()
        self.schema = ix.schema
        self.size: int = self.reader.doc_count_all()
        self.leaves: list[tuple[Any, int]] = list(self.reader.leaf_readers())
        self.lock = threading.Lock()
        self.closed = False
        self.scored_fields = frozenset(
            f for f in _SCORED_FIELDS if f in self.schema and self.schema[f].scorable
        )
        self._live: BoolArray | None = None
        self._lengths: dict[str, FloatArray] = {}
        self._postings: OrderedDict[tuple[str, str], tuple[IntArray, FloatArray]] = OrderedDict()
        self._cached_postings = 0
        self._facets: _FacetTable | None = None
        self._vocabulary: _Vocabulary | None = None
        self._spelling_schema: Any = None

    def vocabulary(self) -> _Vocabulary:
        """The index's word list, or one counted from the stored documents if it is missing."""
        if self._vocabulary is None:
            found = _read_vocabulary(Path(self.ix.storage.folder))
            if found is None:
                found = _Vocabulary.of(self.key[2], _count_words(self.searcher))
            self._vocabulary = found
        return self._vocabulary

    def spelling_schema(self) -> Any:
        """The index's schema with the `words` field suggestions parse queries into."""
        if self._spelling_schema is None:
            schema = self.schema.copy()
            if "words" in schema:
                schema.remove("words")
            schema.add("words", TEXT(analyzer=_SPELLING_ANALYZER))
            self._spelling_schema = schema
        return self._spelling_schema

    def close(self) -> None:
        with self.lock:
            if not self.closed:
                self.closed = True
                self.searcher.close()
                self.ix.close()

    def live(self) -> BoolArray:
        """True for every document not deleted (an update deletes the old version of an article)."""
        if self._live is None:
            live = np.ones(self.size, dtype=bool)
            for leaf, offset in self.leaves:
                if leaf.has_deletions():
                    count = leaf.doc_count_all()
                    keep = np.zeros(count, dtype=bool)
                    keep[np.fromiter(leaf.all_doc_ids(), dtype=np.int64)] = True
                    live[offset : offset + count] = keep
            self._live = live
        return self._live

    def lengths(self, fieldname: str) -> FloatArray:
        """Each document's field length as BM25F reads it (Whoosh stores it rounded to a byte)."""
        found = self._lengths.get(fieldname)
        if found is None:
            found = np.zeros(self.size, dtype=np.float64)
            for leaf, offset in self.leaves:
                count = leaf.doc_count_all()
                found[offset : offset + count] = [
                    leaf.doc_field_length(docnum, fieldname, 1) or 0 for docnum in range(count)
                ]
            self._lengths[fieldname] = found
        return found

    def postings(self, fieldname: str, text: str) -> tuple[IntArray, FloatArray]:
        key = (fieldname, text)
        found = self._postings.get(key)
        if found is not None:
            self._postings.move_to_end(key)
            return found
        id_parts: list[IntArray] = []
        weight_parts: list[FloatArray] = []
        for leaf, offset in self.leaves:
            try:
                matcher = leaf.postings(fieldname, text)
            except TermNotFound:
                continue
            ids, weights = _read_postings(matcher)
            id_parts.append(ids + offset)
            weight_parts.append(weights)
        found = (
            (np.concatenate(id_parts), np.concatenate(weight_parts))
            if id_parts
            else (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64))
        )
        self._postings[key] = found
        self._cached_postings += len(found[0])
        while self._cached_postings > _POSTINGS_CACHE and len(self._postings) > 1:
            self._cached_postings -= len(self._postings.popitem(last=False)[1][0])
        return found

    def docs_mask(self, docnums: Iterable[int]) -> BoolArray:
        mask = np.zeros(self.size, dtype=bool)
        mask[np.fromiter(docnums, dtype=np.int64)] = True
        return mask

    def facet_table(self) -> _FacetTable:
        if self._facets is None:
            self._facets = self._build_facet_table()
        return self._facets

    def _facet_values(self) -> Iterable[tuple[int, list[list[str]]]]:
        """(docnum, display values per facet) for every live document."""
        live = self.live()
        if "facets" in self.schema:
            for leaf, offset in self.leaves:
                column = leaf.column_reader("facets", translate=False)
                for docnum in range(leaf.doc_count_all()):
                    if live[offset + docnum]:
                        raw = column[docnum]
                        yield offset + docnum, json.loads(raw) if raw else [[]] * len(FACETS)
        else:  # an index written before the column existed: read the stored fields once
            for found in np.flatnonzero(live):
                stored = self.reader.stored_fields(int(found))
                yield (
                    int(found),
                    [[v for v in str(stored.get(name) or "").split(",") if v] for name in FACETS],
                )

    def _build_facet_table(self) -> _FacetTable:
        analyzers = {name: self.schema[name].analyzer for name in FACETS}
        keys: dict[tuple[str, str], list[str]] = {}  # (facet, value as written) -> indexed terms
        ids: dict[str, dict[str, int]] = {name: {} for name in FACETS}
        names: dict[str, list[str]] = {name: [] for name in FACETS}
        pairs: dict[str, tuple[list[int], list[int]]] = {name: ([], []) for name in FACETS}
        for docnum, per_facet in self._facet_values():
            for name, values in zip(FACETS, per_facet, strict=False):
                seen: set[int] = set()
                for value in values:
                    terms = keys.get((name, value))
                    if terms is None:
                        terms = [t.text for t in analyzers[name](value)]
                        keys[(name, value)] = terms
                    for term in terms:
                        number = ids[name].get(term)
                        if number is None:
                            number = ids[name][term] = len(names[name])
                            names[name].append(value.strip() if len(terms) == 1 else term)
                        if number not in seen:
                            seen.add(number)
                            pairs[name][0].append(docnum)
                            pairs[name][1].append(number)
        return _FacetTable(
            names,
            {name: np.asarray(pairs[name][0], dtype=np.int64) for name in FACETS},
            {name: np.asarray(pairs[name][1], dtype=np.int64) for name in FACETS},
        )


_CACHE: OrderedDict[str, _Snapshot] = OrderedDict()  # index folder -> snapshot, last used last
_CACHE_LOCK = threading.Lock()
_CACHE_SIZE = 4  # indexes kept open at once (a process usually searches one)


def _snapshot(index_dir: Path) -> _Snapshot:
    """The open snapshot of the index's current generation, opened (and the old one closed) when
    the index changed since the last call."""
    index_dir = Path(index_dir)
    path = str(index_dir.absolute())
    key = _generation_key(index_dir)
    if key is None:
        _forget(index_dir)
        raise SearchError(f"no search index in {index_dir}; run 'newsarchive build' first")
    stale: list[_Snapshot] = []
    with _CACHE_LOCK:
        current = _CACHE.get(path)
        if current is not None and current.key == key and not current.closed:
            _CACHE.move_to_end(path)
            return current
        try:
            snapshot = _Snapshot(key, _open_index(index_dir))
        except Exception as exc:  # whoosh raises assorted errors for a damaged index
            raise SearchError(
                f"the search index in {index_dir} cannot be opened ({exc}); run 'newsarchive build --clean'"
            ) from exc
        if current is not None:
            stale.append(current)
        _CACHE[path] = snapshot
        _CACHE.move_to_end(path)
        while len(_CACHE) > _CACHE_SIZE:
            stale.append(_CACHE.popitem(last=False)[1])
    for old in stale:  # outside the cache lock: closing waits for a search still using it
        old.close()
    return snapshot


def _forget(index_dir: Path) -> None:
    """Close this process's open snapshot of an index about to be written (frees its files)."""
    with _CACHE_LOCK:
        current = _CACHE.pop(str(Path(index_dir).absolute()), None)
    if current is not None:
        current.close()


@atexit.register
def _close_all() -> None:
    with _CACHE_LOCK:
        snapshots = list(_CACHE.values())
        _CACHE.clear()
    for snapshot in snapshots:
        snapshot.close()


def _is_word_query(q: Any, fields: frozenset[str]) -> bool:
    """Terms combined with AND / OR (no NOT, phrase, prefix...): what the numpy scorer handles."""
    if type(q) is query.Term:
        return q.fieldname in fields and isinstance(q.text, str)
    if type(q) is query.And or (type(q) is query.Or and not q.minmatch and not q.scale):
        return bool(q.subqueries) and all(_is_word_query(sub, fields) for sub in q.subqueries)
    return False


def _score(
    snap: _Snapshot, q: Any, terms: list[tuple[str, BoolArray]]
) -> tuple[BoolArray, FloatArray]:
    """Which documents match q and their BM25F scores, as Whoosh's matchers compute them: a
    term's score is Whoosh's bm25() over the same statistics, AND and OR add their parts' scores,
    boosts multiply. Appends (term, documents having it) for every title/body term to `terms`."""
    if type(q) is query.Term:
        mask = np.zeros(snap.size, dtype=bool)
        scores = np.zeros(snap.size, dtype=np.float64)
        ids, tf = snap.postings(q.fieldname, q.text)
        if len(ids):
            fl = snap.lengths(q.fieldname)[ids]
            idf = snap.searcher.idf(q.fieldname, q.text)
            avgfl = snap.searcher.avg_field_length(q.fieldname) or 1
            b, k1 = snap.weighting.B, snap.weighting.K1
            mask[ids] = True
            scores[ids] = idf * ((tf * (k1 + 1)) / (tf + k1 * ((1 - b) + b * fl / avgfl)))
        terms.append((q.text, mask))
    else:
        parts = [_score(snap, sub, terms) for sub in q.subqueries]
        mask, scores = parts[0][0].copy(), parts[0][1].copy()
        for sub_mask, sub_scores in parts[1:]:
            if type(q) is query.And:
                mask &= sub_mask
            else:
                mask |= sub_mask
            scores += sub_scores
        if type(q) is query.And:
            scores[~mask] = 0.0
    if q.boost != 1.0:
        scores = scores * q.boost
    return mask, scores


def _page_bounds(total: int, limit: int, page: int) -> tuple[int, int, int]:
    """(page shown, page count, offset) the way Whoosh's ResultsPage clamps a page past the end."""
    pages = math.ceil(total / limit)
    shown = min(pages, page)
    return max(1, shown), pages, (max(1, shown) - 1) * limit


def _present_terms(snap: _Snapshot, q: Any, docnums: Sequence[int]) -> dict[int, set[str]]:
    """For each shown document, the query's title/body terms it contains (for its snippet)."""
    found: dict[int, set[str]] = {d: set() for d in docnums}
    if not docnums:
        return found
    terms: set[tuple[str, bytes]] = set()
    for leaf in q.leaves():  # leaf by leaf: Query.existing_terms skips all fields but the first
        if leaf.field() in _SCORED_FIELDS:
            try:
                terms |= leaf.existing_terms(snap.reader, phrases=True, expand=True)
            except Exception:
                continue
    ordered = sorted(docnums)
    for fieldname, text in sorted(terms)[:500]:
        word = text.decode("utf-8") if isinstance(text, bytes) else str(text)
        try:
            matcher = snap.reader.postings(fieldname, text)
        except TermNotFound:
            continue
        for docnum in ordered:
            if not matcher.is_active():
                break
            matcher.skip_to(docnum)
            if matcher.is_active() and matcher.id() == docnum:
                found[docnum].add(word)
    return found


class _Corrector:
    """Whoosh's ReaderCorrector over the index's word list: the words within the edit distance
    (Whoosh's Levenshtein automaton), ranked as ReaderCorrector ranks them (by frequency, here
    the number of articles having the word, then by word)."""

    def __init__(self, vocabulary: _Vocabulary) -> None:
        self.vocabulary = vocabulary

    def suggest(self, text: str, limit: int = 5, maxdist: int = 2, prefix: int = 0) -> list[str]:
        frequency = self.vocabulary.frequency
        scored = [
            (0 - (maxdist + (1.0 / (frequency(word) or 1) * 0.5)), word)
            for word in self.vocabulary.within(text, maxdist, prefix)
        ]
        best = sorted(scored, reverse=True)[:limit]
        return [word for _, word in sorted(best, key=lambda item: (0 - item[0], item[1]))]


# Parses a query for "did you mean" the way the words were collected: unstemmed, lower-case,
# accent-folded (NewsAnalyzer.word's plain form).
_SPELLING_ANALYZER = RegexTokenizer() | LowercaseFilter() | CharsetFilter(accent_map)


def _suggest(snap: _Snapshot, text: str) -> str | None:
    schema = snap.spelling_schema()
    parser = qparser.QueryParser("words", schema=schema, group=qparser.AndGroup)
    try:
        parsed = parser.parse(text)
        vocabulary = snap.vocabulary()
        # The words to correct: those no article has (other fields named in the query: terms
        # their field lacks, as Whoosh's correct_query decides).
        missing = [
            (token.fieldname, token.text)
            for token in parsed.all_tokens()
            if (
                not vocabulary.frequency(token.text)
                if token.fieldname == "words"
                else token.fieldname in snap.schema
                and (token.fieldname, token.text) not in snap.reader
            )
        ]
        corrected = snap.searcher.correct_query(
            parsed, text, correctors={"words": _Corrector(vocabulary)}, terms=missing, maxdist=2
        )
    except Exception:
        return None
    suggestion = str(corrected.string)
    return suggestion if suggestion and suggestion.casefold() != text.casefold() else None


class _FoldTable(dict[int, str]):
    """str.translate table: each character to its lower-case, accent-free form, kept 1:1 in length."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        base = "".join(
            c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c)
        )
        folded = (base if len(base) == 1 else char).lower()[:1] or char
        self[code] = folded
        return folded


_FOLD = _FoldTable()


def _fold_chars(text: str) -> str:
    """Lower-case, accent-free copy of text with the same length, so offsets map back 1:1."""
    return text.translate(_FOLD)


def make_snippet(body: str, stems: set[str], width: int = 220) -> str:
    """A window of the body around the first matched word, escaped, with <mark> on every match.

    Matches words that begin with an indexed stem (accent- and case-insensitive). Cheaper than
    Whoosh's highlighter, which re-analyses the whole stored body for every hit.
    """
    if not stems:
        return ""
    pattern = re.compile(
        r"\b(?:" + "|".join(re.escape(s) for s in sorted(stems, key=len, reverse=True)) + r")\w*"
    )
    folded = _fold_chars(body)
    first = pattern.search(folded)
    if first is None:
        return ""
    start = max(0, first.start() - 60)
    start = folded.rfind(" ", 0, start) + 1 if start else 0
    end = min(len(body), start + width)
    end = body.find(" ", end) if end < len(body) and body.find(" ", end) != -1 else len(body)
    pieces, cursor = [], start
    for match in pattern.finditer(folded, start, end):
        pieces.append(html.escape(body[cursor : match.start()]))
        pieces.append(f"<mark>{html.escape(body[match.start() : match.end()])}</mark>")
        cursor = match.end()
    pieces.append(html.escape(body[cursor:end]))
    return ("… " if start else "") + "".join(pieces).strip() + (" …" if end < len(body) else "")


def search(
    index_dir: Path,
    text: str,
    *,
    limit: int = 10,
    page: int = 1,
    filters: Sequence[tuple[str, str]] = (),
    with_facets: bool = False,
) -> SearchResult:
    """Ranked hits for a user query (phrases, AND/OR/NOT), filtered by facet values, paged.

    A suggestion ("did you mean") is offered when nothing or little matches.
    Raises SearchError when the index is missing or damaged, or the query cannot be parsed.
    """
    while True:
        snap = _snapshot(index_dir)
        with snap.lock:
            if (
                not snap.closed
            ):  # else another thread reopened the index meanwhile: take the new one
                return _search(snap, text, limit, page, filters, with_facets)


def _search(
    snap: _Snapshot,
    text: str,
    limit: int,
    page: int,
    filters: Sequence[tuple[str, str]],
    with_facets: bool,
) -> SearchResult:
    limit = max(1, limit)
    parser = qparser.MultifieldParser(["title", "body"], schema=snap.schema, group=qparser.AndGroup)
    try:
        parsed = parser.parse(text)
    except Exception as exc:
        raise SearchError(f"cannot parse query {text!r}: {exc}") from exc
    terms = [query.Term(name, value.lower()) for name, value in filters if name in FACETS]
    searcher = snap.searcher
    mask: BoolArray | None = None  # every matching document, when known
    if _is_word_query(parsed, snap.scored_fields):
        matched_terms: list[tuple[str, BoolArray]] = []
        mask, scores = _score(snap, parsed, matched_terms)
        mask &= snap.live()
        for term in terms:
            mask &= snap.docs_mask(snap.postings(term.fieldname, term.text)[0])
        docs = np.flatnonzero(mask)
        ranked = docs[np.lexsort((docs, -scores[docs]))]  # best first; ties: earlier document
        total = len(ranked)
        shown, pages, offset = _page_bounds(total, limit, page)
        page_docs = [int(d) for d in ranked[offset : offset + limit]]
        page_scores = [float(scores[d]) for d in page_docs]
        stems = {d: {word for word, has in matched_terms if has[d]} for d in page_docs}
    else:
        filter_query = query.And(terms) if terms else None
        # replace=0: Whoosh's periodic matcher replacement can drop a term's score from some
        # documents (a different top ten than the same query gives unoptimized).
        collector: Any = collectors.TopCollector(max(1, page) * limit, replace=0)
        if filter_query is not None:
            collector = collectors.FilterCollector(collector, allow=filter_query)
        searcher.search_with_collector(parsed, collector)
        results = collector.results()
        total = len(results)
        shown, pages, offset = _page_bounds(total, limit, page)
        page_docs = [hit.docnum for hit in results[offset : offset + limit]]
        page_scores = [float(hit.score or 0.0) for hit in results[offset : offset + limit]]
        stems = _present_terms(snap, parsed, page_docs)
        if with_facets:
            mask = snap.docs_mask(searcher.docs_for_query(parsed)) & snap.live()
            if filter_query is not None:
                mask &= snap.docs_mask(searcher.docs_for_query(filter_query))
    hits = []
    for docnum, score in zip(page_docs, page_scores, strict=True):
        stored = searcher.stored_fields(docnum)
        snippet = make_snippet(stored["body"], stems[docnum]) or html.escape(
            stored["summary"][:220]
        )
        hits.append(
            SearchHit(
                stored["title"],
                stored["date"] or None,
                stored["url"],
                re.sub(r"\s+", " ", snippet),
                score,
            )
        )
    facets = snap.facet_table().counts(mask) if with_facets and mask is not None else {}
    # The corrector walks the whole word graph: only worth it when nothing matched.
    suggestion = _suggest(snap, text) if total == 0 else None
    return SearchResult(text, total, shown, pages, tuple(hits), facets, suggestion)
