"""Search (index of record): the positions store. A segment's word positions in the text fields
-> one file beside the segment, read back as numpy arrays for phrase checks.

Whoosh keeps a document's positions of a term in its posting value (a pickled list of deltas,
inside pickled, compressed blocks of 128 postings): a phrase of two common words at 10,000
articles unpickled and decoded ~15,000 such values, 50-220 ms a query. The bulk writer, which
has every document's positions as arrays anyway, also writes them here, per field and term: the
documents having the term (as in the posting list) and, for each, its range of one flat array
of positions. A phrase check then gathers the candidates' positions with a few numpy calls.

The file is named `<segment id>.positions`, so Whoosh's own clean-up deletes it with its segment
(a merge writes a new segment); a segment's documents never change (a deletion only marks one),
so the file stays true for as long as the segment exists. Segments without one (written by
Whoosh's writer in an incremental update, or merged) are read the Whoosh way (snapshot.py).

Layout: MAGIC, the header's length (8 bytes, little-endian), the header (JSON: document count,
and per field each array's dtype, byte offset and length), then the arrays, each 8-byte aligned.
Per field: `terms` (UTF-8, one term a line, in term order), `term_starts` (each term's range of
postings, one more than the terms), `docs` (segment document numbers, by term then document),
`starts` (each posting's range of `positions`, one more than the postings), `positions`.
"""

from __future__ import annotations

import bisect
import json
import mmap
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from whoosh.reading import SegmentReader

from generator.search.whoosh_private import IntArray, read_all_values, segments

MAGIC = b"newsarchive positions 1\n"
SUFFIX = ".positions"
_ARRAYS = ("terms", "term_starts", "docs", "starts", "positions")
# Segments Whoosh's writer commits get a store from this many documents on (a merge). Reading
# one back costs ~15 ms for a one-article segment (400 terms looked up one by one): a tenth of
# an incremental update, for a segment whose positions are as quickly decoded at query time.
STORE_FROM = 100


def store_path(folder: Path, segment_id: str) -> Path:
    return folder / f"{segment_id}{SUFFIX}"


@dataclass(frozen=True, slots=True)
class FieldPositions:
    """One field's positions in a segment, as the store holds them (see the module docstring)."""

    terms: list[str]
    term_starts: npt.NDArray[np.integer[Any]]
    docs: npt.NDArray[np.integer[Any]]
    starts: npt.NDArray[np.integer[Any]]
    positions: npt.NDArray[np.integer[Any]]


def _smallest(values: npt.NDArray[np.integer[Any]]) -> npt.NDArray[np.integer[Any]]:
    """The array as the narrowest unsigned integers its values fit (positions and document
    numbers are mostly below 65536: half the size of 32-bit ones)."""
    top = int(values.max()) if len(values) else 0
    for dtype in ("<u2", "<u4"):
        if top < 2 ** (8 * np.dtype(dtype).itemsize):
            return values.astype(dtype)
    return values.astype("<i8")


def write_store(
    folder: Path, segment_id: str, documents: int, fields: dict[str, FieldPositions]
) -> None:
    """Write a segment's store (`documents`: the segment's document count)."""
    path = store_path(folder, segment_id)
    header: dict[str, Any] = {"segment": segment_id, "documents": documents, "fields": {}}
    chunks: list[bytes] = []
    at = 0
    for name, found in sorted(fields.items()):
        assert not any("\n" in term for term in found.terms)  # words never hold one
        arrays: dict[str, bytes] = {"terms": "\n".join(found.terms).encode("utf-8")}
        dtypes = {"terms": "|u1"}
        for key in _ARRAYS[1:]:
            array = _smallest(np.asarray(getattr(found, key)))
            arrays[key] = array.tobytes()
            dtypes[key] = array.dtype.str
        described: dict[str, list[Any]] = {}
        for key in _ARRAYS:
            data = arrays[key]
            described[key] = [dtypes[key], at, len(data)]
            chunks.append(data + b"\0" * (-len(data) % 8))
            at += len(chunks[-1])
        header["fields"][name] = described
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-(len(MAGIC) + 8 + len(text)) % 8)
    # Whole or not at all (a search may open the segment meanwhile); a leftover temporary file
    # carries the segment's name, so Whoosh's clean-up removes it.
    partial = path.with_name(f"{path.name}.{os.getpid()}")
    with partial.open("wb") as out:
        out.write(MAGIC)
        out.write(len(text).to_bytes(8, "little"))
        out.write(text)
        for chunk in chunks:
            out.write(chunk)
    partial.replace(path)


def segment_positions(leaf: Any, fields: Iterable[str]) -> dict[str, FieldPositions]:
    """A segment's positions store read back from its Whoosh postings (a segment written by
    Whoosh's writer: an incremental update, a merge, the multi-process writer)."""
    found: dict[str, FieldPositions] = {}
    indexed = set(leaf.indexed_field_names())
    for name in fields:
        if name not in indexed:
            continue
        decode = leaf.schema[name].format.decode_positions
        terms: list[str] = []
        term_starts = [0]
        docs: list[int] = []
        counts: list[int] = []
        positions: list[int] = []
        for btext in leaf.lexicon(name):
            ids, values = read_all_values(leaf.postings(name, btext))
            for value in values:
                decoded = decode(value)
                counts.append(len(decoded))
                positions.extend(decoded)
            docs.extend(ids)
            terms.append(btext.decode("utf-8"))
            term_starts.append(len(docs))
        if terms:
            starts = np.zeros(len(counts) + 1, dtype=np.int64)
            np.cumsum(counts, out=starts[1:])
            found[name] = FieldPositions(
                terms,
                np.asarray(term_starts, dtype=np.int64),
                np.asarray(docs, dtype=np.int64),
                starts,
                np.asarray(positions, dtype=np.int64),
            )
    return found


def fill_stores(ix: Any, fields: Iterable[str]) -> None:
    """Write the positions store of each segment of the index's current generation that has
    none and at least STORE_FROM documents (run after a commit by Whoosh's writer)."""
    folder = Path(ix.storage.folder)
    fields = tuple(fields)
    for segment in segments(ix):
        path = store_path(folder, segment.segment_id())
        if segment.doc_count_all() >= STORE_FROM and not path.exists():
            reader = SegmentReader(ix.storage, ix.schema, segment)
            try:
                found = segment_positions(reader, fields)
                write_store(folder, segment.segment_id(), segment.doc_count_all(), found)
            finally:
                reader.close()


class PositionsStore:
    """A segment's store, memory-mapped (the OS page cache keeps it; nothing is copied in)."""

    def __init__(self, data: mmap.mmap, base: int, fields: dict[str, dict[str, list[Any]]]):
        self._data = data
        self._base = base
        self._fields = fields
        self._terms: dict[str, list[str]] = {}  # decoded on a field's first phrase

    @classmethod
    def open(cls, folder: Path, segment_id: str, documents: int) -> PositionsStore | None:
        """The segment's store (`documents`: its document count), None without a sound one."""
        try:
            with store_path(folder, segment_id).open("rb") as handle:
                data = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        except (OSError, ValueError):  # missing, or empty
            return None
        try:
            if data[: len(MAGIC)] != MAGIC:
                raise ValueError("not a positions store")
            length = int.from_bytes(data[len(MAGIC) : len(MAGIC) + 8], "little")
            base = len(MAGIC) + 8 + length
            header = json.loads(data[len(MAGIC) + 8 : base])
            if (header["segment"], header["documents"]) != (segment_id, documents):
                raise ValueError("another segment's store")
            fields = header["fields"]
            for described in fields.values():
                for dtype, offset, size in described.values():
                    if base + offset + size > len(data) or size % np.dtype(dtype).itemsize:
                        raise ValueError("truncated")
        except (ValueError, KeyError, TypeError, AttributeError):
            data.close()
            return None
        return cls(data, base, fields)

    def _array(self, field: str, key: str) -> npt.NDArray[Any]:
        dtype, offset, size = self._fields[field][key]
        return np.frombuffer(
            self._data,
            dtype=dtype,
            count=size // np.dtype(dtype).itemsize,
            offset=self._base + offset,
        )

    def gather(self, field: str, term: str, docs: IntArray) -> tuple[IntArray, IntArray] | None:
        """The positions of `term` in `field` for `docs` (segment document numbers, ascending,
        each having the term): (index in `docs` of each position, the position), each
        document's positions in order. None when the store does not hold them all (the caller
        reads Whoosh's postings instead)."""
        if field not in self._fields:
            return None
        terms = self._terms.get(field)
        if terms is None:
            raw = self._array(field, "terms").tobytes()
            terms = self._terms[field] = raw.decode("utf-8").split("\n") if raw else []
        number = bisect.bisect_left(terms, term)
        if number == len(terms) or terms[number] != term:
            return None
        first, last = (int(v) for v in self._array(field, "term_starts")[number : number + 2])
        having = self._array(field, "docs")[first:last]
        at = np.searchsorted(having, docs)
        if len(docs) and (int(at[-1]) >= len(having) or not np.array_equal(having[at], docs)):
            return None  # a document without the term: not the segment this store was written for
        starts = self._array(field, "starts")
        begin = starts[first + at].astype(np.int64)
        counts = starts[first + at + 1].astype(np.int64) - begin
        owner = np.repeat(np.arange(len(docs), dtype=np.int64), counts)
        # Each position's index in the flat array: its range's start plus its rank within it.
        ends = np.cumsum(counts)
        index = np.arange(int(ends[-1]) if len(ends) else 0, dtype=np.int64)
        index += np.repeat(begin - (ends - counts), counts)
        return owner, self._array(field, "positions")[index].astype(np.int64)
