"""Search (index of record): an index folder -> an open snapshot of its committed state, with
numpy views (posting lists, field lengths, deleted documents, facet values) built on first use.

Queries run on a snapshot kept open between calls (the preview server and a long-running CLI
call `search` again and again); it is keyed by the index's generation and reopened when a build
changes the index.
"""

from __future__ import annotations

import atexit
import json
import re
import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from whoosh.reading import TermNotFound

from generator.errors import SearchError
from generator.search.fields import FACETS, TEXT_FIELDS
from generator.search.positions import PositionsStore
from generator.search.vocabulary import Vocabulary, count_words, read_vocabulary
from generator.search.whoosh_private import (
    FloatArray,
    IntArray,
    field_lengths,
    fixed_column,
    open_index,
    read_postings,
    read_values,
)

BoolArray = npt.NDArray[np.bool_]

_TOC = re.compile(r"^_MAIN_(\d+)\.toc$")
# Posting lists kept per snapshot (document numbers and weights, 16 bytes each): paging through
# results or refining a query reads the same terms again.
_POSTINGS_CACHE = 1_000_000


def generation_key(index_dir: Path) -> tuple[int, ...] | None:
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


@dataclass(frozen=True, slots=True)
class FacetTable:
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


class Snapshot:
    """One committed state of the index, open for queries, with numpy views built on first use.

    Whoosh readers are not safe for concurrent use (they seek shared files): hold `lock`.
    """

    def __init__(self, key: tuple[int, ...], ix: Any) -> None:
        self.key = key
        self.ix = ix
        # The reader, not a Searcher: whoosh.searching (and the query modules it imports) would
        # cost a one-off search ~10 ms of imports for nothing it uses.
        self.reader = ix.reader()
        self.schema = ix.schema
        self.size: int = self.reader.doc_count_all()
        self.leaves: list[tuple[Any, int]] = list(self.reader.leaf_readers())
        self.lock = threading.Lock()
        self.closed = False
        self.text_fields = tuple(f for f in TEXT_FIELDS if f in self.schema)
        self._live: BoolArray | None = None
        self._lengths: dict[str, FloatArray] = {}
        self._postings: OrderedDict[tuple[str, str], tuple[IntArray, FloatArray]] = OrderedDict()
        self._cached_postings = 0
        self._facets: FacetTable | None = None
        self._vocabulary: Vocabulary | None = None
        self._averages: dict[str, float] = {}
        self._stores: dict[int, PositionsStore | None] = {}

    def vocabulary(self) -> Vocabulary:
        """The index's word list, or one counted from the stored documents if it is missing."""
        if self._vocabulary is None:
            found = read_vocabulary(Path(self.ix.storage.folder))
            if found is None:
                found = Vocabulary.of(self.key[2], count_words(self.reader))
            self._vocabulary = found
        return self._vocabulary

    def close(self) -> None:
        with self.lock:
            if not self.closed:
                self.closed = True
                self.reader.close()
                self.ix.close()
                self._stores.clear()  # unmapped once no array of theirs is in use

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
            parts = [self._exact_lengths(leaf, fieldname) for leaf, _ in self.leaves]
            found = np.concatenate(parts) if parts else np.zeros(0, dtype=np.float64)
            self._lengths[fieldname] = found
        return found

    def _exact_lengths(self, leaf: Any, fieldname: str) -> FloatArray:
        """From the lengths column (fields.py), or Whoosh's rounded ones for an index without."""
        data = fixed_column(leaf, "lengths") if fieldname in TEXT_FIELDS else None
        if data is None:
            return field_lengths(leaf, fieldname)
        table = np.frombuffer(data, dtype="<u4").reshape(-1, len(TEXT_FIELDS))
        return table[:, list(TEXT_FIELDS).index(fieldname)].astype(np.float64)

    def average_length(self, fieldname: str) -> float:
        """The field's average length over the live documents (at least 1)."""
        found = self._averages.get(fieldname)
        if found is None:
            lengths = self.lengths(fieldname)[self.live()]
            found = self._averages[fieldname] = (
                max(1.0, float(lengths.mean())) if len(lengths) else 1.0
            )
        return found

    def positions(self, fieldname: str, text: str, docnums: IntArray) -> tuple[IntArray, IntArray]:
        """The positions of a term in a field for the given documents (ascending, each having
        the term): (document number, position) pairs, each document's positions in order.
        From the segment's positions store, or decoded from Whoosh's postings without one."""
        decode = self.schema[fieldname].format.decode_positions
        owners: list[IntArray] = []
        places: list[IntArray] = []
        for number, (leaf, offset) in enumerate(self.leaves):
            count = leaf.doc_count_all()
            local = docnums[(docnums >= offset) & (docnums < offset + count)] - offset
            if not len(local):
                continue
            store = self._store(number)
            found = store.gather(fieldname, text, local) if store is not None else None
            if found is not None:
                owners.append(local[found[0]] + offset)
                places.append(found[1])
                continue
            try:
                matcher = leaf.postings(fieldname, text)
            except TermNotFound:
                continue
            owner: list[int] = []
            place: list[int] = []
            for doc, value in read_values(matcher, local.tolist()).items():
                decoded = decode(value)
                owner += [doc + offset] * len(decoded)
                place += decoded
            owners.append(np.asarray(owner, dtype=np.int64))
            places.append(np.asarray(place, dtype=np.int64))
        if not owners:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        return np.concatenate(owners), np.concatenate(places)

    def _store(self, number: int) -> PositionsStore | None:
        """The positions store of the snapshot's number-th segment, opened on first use."""
        if number not in self._stores:
            leaf = self.leaves[number][0]
            folder = Path(self.ix.storage.folder)
            found = PositionsStore.open(folder, leaf.segment().segment_id(), leaf.doc_count_all())
            self._stores[number] = found
        return self._stores[number]

    def facet_mask(self, name: str, value: str) -> BoolArray:
        """The documents having a facet value, compared as the index folds it (case, accents)."""
        mask = np.zeros(self.size, dtype=bool)
        if name in FACETS and name in self.schema:
            for token in self.schema[name].analyzer(value):
                mask[self.postings(name, token.text)[0]] = True
        return mask

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
            ids, weights = read_postings(matcher)
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

    def facet_table(self) -> FacetTable:
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

    def _build_facet_table(self) -> FacetTable:
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
        return FacetTable(
            names,
            {name: np.asarray(pairs[name][0], dtype=np.int64) for name in FACETS},
            {name: np.asarray(pairs[name][1], dtype=np.int64) for name in FACETS},
        )


_CACHE: OrderedDict[str, Snapshot] = OrderedDict()  # index folder -> snapshot, last used last
_CACHE_LOCK = threading.Lock()
_CACHE_SIZE = 4  # indexes kept open at once (a process usually searches one)


def open_snapshot(index_dir: Path) -> Snapshot:
    """The open snapshot of the index's current generation, opened (and the old one closed) when
    the index changed since the last call."""
    index_dir = Path(index_dir)
    path = str(index_dir.absolute())
    key = generation_key(index_dir)
    if key is None:
        close_snapshot(index_dir)
        raise SearchError(f"no search index in {index_dir}; run 'newsarchive build' first")
    stale: list[Snapshot] = []
    with _CACHE_LOCK:
        current = _CACHE.get(path)
        if current is not None and current.key == key and not current.closed:
            _CACHE.move_to_end(path)
            return current
        try:
            snapshot = Snapshot(key, open_index(index_dir))
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


def close_snapshot(index_dir: Path) -> None:
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
