"""Writing the Whoosh index: the fused analyzer gives Whoosh's terms, the bulk writer writes what
Whoosh's own writer writes, SearchDocuments index like Articles, and the word list behind
"did you mean" stays exact through updates."""

from __future__ import annotations

import json
import random
import zlib
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import formats, index
from whoosh.analysis import CharsetFilter, LowercaseFilter, RegexTokenizer
from whoosh.compat import loads
from whoosh.support.charset import accent_map

from generator.models import Article
from generator.search import analyzer as analyzer_module
from generator.search import (
    bulk_writer,
    fields,
    indexing,
    positions,
    whoosh_index,
    whoosh_private,
)
from generator.search.vocabulary import read_vocabulary
from generator.search.whoosh_index import (
    NewsAnalyzer,
    SearchDocument,
    build_index,
    search,
    search_document,
    update_index,
)

from .test_whoosh_engine import _article

TRICKY = [
    "",
    "The harbour wall opened; officials said it was a success.",
    "López Obrador met Zürich's naïve café owners at the ÉCOLE in São Paulo.",
    "Don't stop: O'Brien's ‘quoted’ words, it’s rock’n’roll, l'été.",
    "Numbers: 3.14, 1,000, $647m, 2024-05-02, v1.2.3, 7790 and 10% of U.S.A. e.g. a.b..c",
    "A I a i of to be or not to be; x y z; The THE tHe",
    "wild*card under_score *stars* __init__ snake_case_word",
    "Straße İstanbul ǅemal ﬁnance Ⅻ ½ ٣ ² ῼ ǈ",
    "Ελληνικά русский 中文字符 日本語 한국어 emoji 🎉 tab\there\nnew line",
    "running runs ran runner easily fairly generalization happiness conditional",
    "MIGRANTS Migrants migrants' migrant's fentanyl Fentanyl's",
    "  leading and trailing   spaces  ",
    "....***___---",
]

PLAIN = RegexTokenizer() | LowercaseFilter() | CharsetFilter(accent_map)
OPTIONS: list[dict[str, Any]] = [
    {},
    {"mode": "index", "positions": True, "boosts": True},
    {"mode": "query", "chars": True},
    {"mode": "query", "positions": True, "chars": True, "start_pos": 5, "start_char": 10},
    {"removestops": False, "positions": True},  # the options below go to the Whoosh chain
    {"tokenize": False},
    {"no_morph": True, "positions": True},
    {"keeporiginal": True, "chars": True},
]


def _tokens(analyzer: Any, text: str, **options: Any) -> list[tuple[Any, ...]]:
    return [
        (
            t.text,
            getattr(t, "pos", None),
            getattr(t, "startchar", None),
            getattr(t, "endchar", None),
            t.boost,
            t.stopped,
            getattr(t, "original", None),
        )
        for t in analyzer(text, **options)
    ]


def _check(text: str) -> None:
    fused, chain = NewsAnalyzer(), NewsAnalyzer.reference()
    for options in OPTIONS:
        assert _tokens(fused, text, **options) == _tokens(chain, text, **options), options
    assert fused.plain_words(text) == {t.text for t in PLAIN(text)}


@pytest.mark.parametrize("text", TRICKY)
def test_the_fused_analyzer_gives_the_whoosh_chains_terms(text: str) -> None:
    _check(text)
    _check(" ".join(TRICKY))


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                *"aeiouystnrlAEIOUY  .'*_-,0123456789éÉöÖßİıǅﬁ½²٣中🎉\n’",
                *("the ", "The ", "and ", "ing ", "ation ", "ies ", "sses ", "ational ", "y"),
            ]
        ),
        max_size=60,
    ).map("".join)
)
def test_the_fused_analyzer_on_any_text(text: str) -> None:
    _check(text)


def test_the_analyzer_survives_pickling_and_its_cache_filling_up(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import pickle

    analyzer = NewsAnalyzer()
    analyzer.plain_words(TRICKY[2])
    copy = pickle.loads(pickle.dumps(analyzer, 2))
    assert copy == analyzer and copy._words == {}
    monkeypatch.setattr(analyzer_module, "_WORD_CACHE", 3)
    for text in TRICKY:
        assert _tokens(copy, text, positions=True) == _tokens(
            NewsAnalyzer.reference(), text, positions=True
        )
    assert len(copy._words) < 40


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(0, 12), max_size=300),
    st.integers(0, 400),
    st.integers(1, 3),
)
def test_positions_are_encoded_as_whoosh_encodes_them(
    terms: list[int], first: int, spread: int
) -> None:
    """Term ids in token order (a few terms, often repeated; positions past 255 for BININT2)."""
    ids = np.asarray([t * spread for t in terms], dtype=np.int64)
    # Word numbers with gaps where common words were left out.
    places = first + np.cumsum([1 + (t % 3 == 0) for t in terms], dtype=np.int64) - 1
    found = bulk_writer.positions_values(ids, places)
    assert found is not None
    distinct, counts, values, positions = found
    expected: dict[int, list[int]] = {}
    for position, term in zip(places.tolist(), ids.tolist(), strict=True):
        expected.setdefault(term, []).append(position)
    encode = formats.Positions().encode
    assert distinct.tolist() == sorted(expected)
    assert counts.tolist() == [len(expected[t]) for t in sorted(expected)]
    assert values == [encode(expected[t]) for t in sorted(expected)]
    assert positions.tolist() == [p for t in sorted(expected) for p in expected[t]]


def test_positions_beyond_the_fast_encoding_are_left_to_whoosh() -> None:
    def run(count: int, first: int) -> np.ndarray:
        return np.arange(first, first + count, dtype=np.int64)

    assert bulk_writer.positions_values(np.zeros(1001, dtype=np.int64), run(1001, 0)) is None
    assert bulk_writer.positions_values(np.arange(10, dtype=np.int64), run(10, 65530)) is None
    found = bulk_writer.positions_values(np.zeros(1000, dtype=np.int64), run(1000, 65536 - 1000))
    assert found is not None
    assert found[2] == [formats.Positions().encode(list(range(64536, 65536)))]


def _documents() -> list[SearchDocument]:
    rng = random.Random(11)
    articles = [_article(rng, n) for n in range(260)]  # more than one block for common terms
    articles[3] = replace(articles[3], title="The A Of", body="")  # no title terms, no body
    articles[4] = replace(
        articles[4], title="Ça va", body=" ".join(TRICKY), people=("José Núñez", "Ana López")
    )
    articles[5] = replace(articles[5], body="harbour " * 1500, date=None)  # long lengths, no date
    return [search_document(a) for a in articles]


def _segment_files(ix: Any) -> tuple[dict[str, bytes], dict[str, int], int]:
    (segment,) = ix._segments()
    name = segment.segment_id()
    storage = segment.open_compound_file(ix.storage) if segment.is_compound() else ix.storage
    files: dict[str, bytes] = {}
    for filename in storage.list():
        if filename.endswith(positions.SUFFIX):  # ours (the positions store), not Whoosh's
            continue
        if segment.is_compound() or name in filename:
            with storage.open_file(filename) as handle:
                files[filename.replace(name, "SEGMENT")] = handle.read()
    if segment.is_compound():
        storage.close()
    return files, dict(segment._fieldlengths), segment.doc_count_all()


def _blocks(ix: Any) -> dict[tuple[str, bytes], Any]:
    """Every term's statistics and posting blocks (block info, decoded ids, weights, values)."""
    found: dict[tuple[str, bytes], Any] = {}
    with ix.reader() as reader:
        for fieldname, text in reader.all_terms():
            info = reader.term_info(fieldname, text)
            stats = {k: v for k, v in vars(info).items() if k not in ("_offset", "_length")}
            matcher = reader.postings(fieldname, text)
            blocks = []
            while True:
                raw = matcher._postfile.get(
                    matcher._dataoffset, matcher._nextoffset - matcher._dataoffset
                )
                data = zlib.decompress(raw) if matcher._compression else raw
                blocks.append(
                    (
                        matcher._blocklength,
                        matcher._maxid,
                        matcher._maxweight,
                        matcher._minlength,
                        matcher._maxlength,
                        loads(data),
                    )
                )
                if matcher._lastblock:
                    break
                matcher._next_block()
            found[(fieldname, text)] = (stats, blocks)
    return found


def _whoosh_index(path: Path, docs: list[SearchDocument]) -> Any:
    ix = index.create_in(str(path), fields.schema())
    writer = ix.writer()
    for doc in docs:
        writer.add_document(**fields.document(doc))
    writer.commit()
    return ix


def _bulk_index(path: Path, docs: list[SearchDocument]) -> Any:
    ix = index.create_in(str(path), fields.schema())
    writer = bulk_writer.BulkWriter(ix)
    for doc in docs:
        writer.add_search_document(doc)
    writer.commit()
    return ix


def _bare(n: int) -> SearchDocument:
    """No facets, no date: fields with no postings at all in an index of such documents."""
    return SearchDocument(
        f"bare-{n}", "Bare", "Nothing here.", "", f"b/{n}/", None, None, (), (), (), (), "d"
    )


@pytest.mark.parametrize("kind", ["articles", "bare"])
def test_the_bulk_writer_writes_the_files_whooshs_writer_writes(tmp_path: Path, kind: str) -> None:
    docs = _documents() if kind == "articles" else [_bare(n) for n in range(3)]
    for path in ("whoosh", "bulk"):
        (tmp_path / path).mkdir()
    whoosh = _whoosh_index(tmp_path / "whoosh", docs)
    bulk = _bulk_index(tmp_path / "bulk", docs)
    assert _blocks(bulk) == _blocks(whoosh)  # the postings, decoded: a readable failure
    assert _segment_files(bulk) == _segment_files(whoosh)  # then every byte
    if kind == "articles":
        assert len(_blocks(bulk)[("body", b"harbour")][1]) > 1  # several blocks


def test_search_documents_index_like_articles(tmp_path: Path) -> None:
    rng = random.Random(2)
    articles = [_article(rng, n) for n in range(80)]
    build_index(tmp_path / "a", articles)
    build_index(tmp_path / "d", [search_document(a) for a in articles])
    for name in ("a", "d"):
        ix = whoosh_private.open_index(tmp_path / name)
        assert len(ix._segments()) == 1
    assert _segment_files(whoosh_private.open_index(tmp_path / "a")) == _segment_files(
        whoosh_private.open_index(tmp_path / "d")
    )
    assert (tmp_path / "a" / "words.json").read_bytes() == (
        tmp_path / "d" / "words.json"
    ).read_bytes()
    for text in ("harbour", "storm flood", '"fishing port"', "harbuor"):
        assert search(tmp_path / "a", text, with_facets=True) == search(
            tmp_path / "d", text, with_facets=True
        )
    # Either kind updates an index written from the other: nothing changed.
    assert update_index(tmp_path / "a", [search_document(a) for a in articles]).unchanged == 80
    assert update_index(tmp_path / "d", articles).unchanged == 80
    edited = replace(articles[0], body="A zebra crossed the harbour.")
    update = update_index(tmp_path / "d", [search_document(edited), *articles[1:]])
    assert (update.updated, update.unchanged) == (1, 79)
    assert [h.url for h in search(tmp_path / "d", "zebra").hits] == ["articles/story-0/"]


def test_the_two_process_writer_indexes_the_same(tmp_path: Path) -> None:
    rng = random.Random(8)
    articles = [_article(rng, n) for n in range(120)]
    build_index(tmp_path / "one", articles)
    build_index(tmp_path / "two", articles, procs=2)
    assert json.loads((tmp_path / "one" / "words.json").read_text()) == json.loads(
        (tmp_path / "two" / "words.json").read_text()
    )
    for text in ("harbour", "council budget river", '"fishing port"', "rail*"):
        (one_total, one), (two_total, two) = (
            _hits(tmp_path / "one", text),
            _hits(tmp_path / "two", text),
        )
        assert one_total == two_total
        assert sorted(one) == sorted(two)


def _hits(index_dir: Path, text: str) -> tuple[int, list[tuple[str, float]]]:
    """A query's total and its hits (url, score to 9 places), best first."""
    result = search(index_dir, text, limit=200)
    return result.total, [(h.url, round(h.score, 9)) for h in result.hits]


def test_a_new_index_in_several_segments_answers_as_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Big archives are written a segment at a time (flat memory); searches do not change."""
    rng = random.Random(9)
    articles = [_article(rng, n) for n in range(120)]
    build_index(tmp_path / "one", articles)
    monkeypatch.setattr(indexing, "SEGMENT_DOCS", 25)
    build_index(tmp_path / "five", articles)
    ix = index.open_dir(str(tmp_path / "five"))
    assert len(ix._segments()) == 5
    ix.close()
    one_words, five_words = (
        json.loads((tmp_path / name / "words.json").read_text()) for name in ("one", "five")
    )
    assert one_words.pop("generation") == 1 and five_words.pop("generation") == 5
    assert one_words == five_words
    for text in ("harbour", "council budget river", '"fishing port"', "rail*", "tag:storm"):
        assert _hits(tmp_path / "one", text) == _hits(tmp_path / "five", text)


def test_an_update_rewrites_no_full_segment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One edit adds one small segment; small ones are merged in tens, never into full ones
    (Whoosh's default policy merged half of a 40-segment index on every edit)."""
    index_dir, articles = _indexed_in_tens(tmp_path, monkeypatch, 400, seed=4)

    def segments() -> list[tuple[str, int, int]]:
        ix = index.open_dir(str(index_dir))
        found = [(s.segid, s.doc_count_all(), s.deleted_count()) for s in ix._segments()]
        ix.close()
        return found

    full = segments()
    assert len(full) == 40 and all(count == 10 for _, count, _ in full)
    for edit in range(1, 13):  # one document in each of twelve full segments
        at = edit * 10 + 3
        articles[at] = replace(articles[at], title=f"Quokka sighting number {edit}")
        assert update_index(index_dir, articles).updated == 1
        now = segments()
        kept = [s for s in now if s[0] in {f[0] for f in full}]
        assert len(kept) == 40  # every full segment stays, its edited document deleted in it
        small = [s for s in now if s[0] not in {f[0] for f in full}]
        assert len(small) == (edit if edit <= 10 else edit - 10)  # ten merge with the 11th
        assert sum(count for _, count, _ in small) == edit
    assert _urls(index_dir, "quokka") == _urls_of(tmp_path / "fresh", articles, "quokka")
    assert len(_urls(index_dir, "quokka")) == 12


def test_a_mostly_deleted_full_segment_is_rewritten(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    index_dir, articles = _indexed_in_tens(tmp_path, monkeypatch, 30, seed=5)
    update_index(index_dir, articles[6:])  # six of the first segment's ten documents go
    ix = index.open_dir(str(index_dir))
    counts = sorted((s.doc_count_all(), s.deleted_count()) for s in ix._segments())
    ix.close()
    assert counts == [(4, 0), (10, 0), (10, 0)]
    assert _urls(index_dir, "harbour") == _urls_of(tmp_path / "fresh", articles[6:], "harbour")


def _indexed_in_tens(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, count: int, seed: int
) -> tuple[Path, list[Article]]:
    """An index of `count` made-up articles written ten documents to a segment."""
    monkeypatch.setattr(indexing, "SEGMENT_DOCS", 10)
    rng = random.Random(seed)
    articles = [_article(rng, n) for n in range(count)]
    build_index(tmp_path / "whoosh", articles)
    return tmp_path / "whoosh", articles


def _urls(index_dir: Path, text: str) -> set[str]:
    """The pages a query finds (scores are left out: Whoosh counts the deleted documents of a
    segment in its statistics until the segment is merged)."""
    return {hit.url for hit in search(index_dir, text, limit=500).hits}


def _urls_of(index_dir: Path, articles: list[Article], text: str) -> set[str]:
    build_index(index_dir, articles)
    return _urls(index_dir, text)


def _word_counts(articles: list[Article]) -> Counter[str]:
    analyzer = NewsAnalyzer()
    counts: Counter[str] = Counter()
    for doc in map(search_document, articles):  # every text field: title, body, byline, names
        counts.update(analyzer.plain_words(*fields.texts(doc).values()))
    return counts


def test_the_word_list_stays_exact_through_updates(tmp_path: Path) -> None:
    rng = random.Random(6)
    articles = [_article(rng, n) for n in range(60)]
    articles[7] = replace(articles[7], body=articles[7].body + " Zanzibar quokkas.")
    index_dir = tmp_path / "whoosh"
    build_index(index_dir, articles)
    vocabulary = read_vocabulary(index_dir)
    assert vocabulary is not None and vocabulary.counter() == _word_counts(articles)
    assert search(index_dir, "zanzibr").suggestion == "zanzibar"
    # The only article with the word goes, another is edited, one is added.
    articles = [a for a in articles if a.slug != articles[7].slug]
    articles[0] = replace(articles[0], body="Quokkas everywhere, said the ferry museum.")
    articles.append(replace(_article(rng, 99), title="Harbour Quokkas"))
    update = update_index(index_dir, articles)
    assert (update.removed, update.updated, update.added) == (1, 1, 1)
    vocabulary = read_vocabulary(index_dir)
    assert vocabulary is not None and vocabulary.counter() == _word_counts(articles)
    assert vocabulary.frequency("quokkas") == 2 and vocabulary.frequency("zanzibar") == 0
    assert search(index_dir, "zanzibr").suggestion is None
    assert search(index_dir, "quokas").suggestion == "quokkas"
    # A missing word list is counted again from the stored articles, by a search and an update.
    (index_dir / "words.json").unlink()
    assert search(index_dir, "quokas").suggestion == "quokkas"
    assert update_index(index_dir, articles).unchanged == len(articles)
    vocabulary = read_vocabulary(index_dir)
    assert vocabulary is not None and vocabulary.counter() == _word_counts(articles)
    # A commit the word list did not follow (another writer) makes the next update count again.
    writer = whoosh_private.open_index(index_dir).writer()
    writer.delete_by_term("slug", articles[0].slug)
    writer.commit()
    assert update_index(index_dir, articles).unchanged == len(articles)  # the digests say so
    vocabulary = read_vocabulary(index_dir)
    assert vocabulary is not None and vocabulary.counter() == _word_counts(articles[1:])


def test_suggestions_keep_correct_words_and_fields(tmp_path: Path) -> None:
    rng = random.Random(12)
    articles = [_article(rng, n) for n in range(50)]
    build_index(tmp_path / "whoosh", articles)
    index_dir = tmp_path / "whoosh"
    for text, unknown, suggestion in (
        ("harbour zzqx", ("zzqx",), None),  # nothing near zzqx; harbour is left alone
        ("harbour festivall", ("festivall",), "harbour festival"),
        ("harbor librery", ("harbor", "librery"), "harbour library"),  # unstemmed words
        ("López harbuor", ("harbuor",), "López harbour"),  # what the reader typed is kept
        ("title:harbuor", ("harbuor",), "title:harbour"),  # no field prefixes: a word
        ("museum^2 theatre festivall", ("festivall",), "museum^2 theatre festival"),
        ("harbour NOT harbuor", (), None),  # an excluded word is never corrected
    ):
        result = search(index_dir, text)
        assert (result.unknown, result.suggestion) == (unknown, suggestion), text


def test_an_index_of_an_older_schema_is_rebuilt(tmp_path: Path) -> None:
    from whoosh.fields import TEXT

    rng = random.Random(1)
    articles = [_article(rng, n) for n in range(20)]
    index_dir = tmp_path / "whoosh"
    build_index(index_dir, articles)
    schema = fields.schema()
    schema.add("words", TEXT(spelling=True))  # the field version 3 had
    ix = index.create_in(str(index_dir), schema)
    writer = ix.writer()
    for article in articles:
        writer.add_document(**fields.document(article))
    writer.commit()
    assert update_index(index_dir, articles).rebuilt
    assert "words" not in whoosh_private.open_index(index_dir).schema
    assert update_index(index_dir, articles).unchanged == 20


def test_an_update_that_changes_most_articles_is_a_full_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(indexing, "_REBUILD_FROM", 10)
    rng = random.Random(4)
    articles = [_article(rng, n) for n in range(30)]
    index_dir = tmp_path / "whoosh"
    build_index(index_dir, articles)
    few = [replace(a, body=a.body + " Tram.") if n < 9 else a for n, a in enumerate(articles)]
    update = update_index(index_dir, few)
    assert (update.updated, update.rebuilt) == (9, False)
    most = [replace(a, body=a.body + " Zebra.") if n < 15 else a for n, a in enumerate(few)]
    assert update_index(index_dir, most) == whoosh_index.IndexUpdate(30, 0, 0, 0, True)
    assert search(index_dir, "zebra").total == 15 and search(index_dir, "tram").total == 9
    assert update_index(index_dir, most).unchanged == 30
