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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]
MAGIC = b"newsarchive positions 1\n"
SUFFIX = ".positions"
_ARRAYS = ("terms", "term_starts", "docs", "starts", "positions")


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
    """The array as unsigned 32-bit integers when its values fit, else 64-bit ones."""
    fits = not len(values) or int(values.max()) < 2**32
    return values.astype("<u4" if fits else "<i8")


def write_store(path: Path, documents: int, fields: dict[str, FieldPositions]) -> None:
    """Write a segment's store (`documents`: the segment's document count)."""
    header: dict[str, Any] = {"documents": documents, "fields": {}}
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
    with path.open("wb") as out:
        out.write(MAGIC)
        out.write(len(text).to_bytes(8, "little"))
        out.write(text)
        for chunk in chunks:
            out.write(chunk)


class PositionsStore:
    """A segment's store, memory-mapped (the OS page cache keeps it; nothing is copied in)."""

    def __init__(self, data: mmap.mmap, base: int, fields: dict[str, dict[str, list[Any]]]):
        self._data = data
        self._base = base
        self._fields = fields
        self._terms: dict[str, list[str]] = {}  # decoded on a field's first phrase

    @classmethod
    def open(cls, path: Path, documents: int) -> PositionsStore | None:
        """The store at `path` if there is one for a segment of `documents` documents, else None."""
        try:
            with path.open("rb") as handle:
                data = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        except (OSError, ValueError):  # missing, or empty
            return None
        try:
            if data[: len(MAGIC)] != MAGIC:
                raise ValueError("not a positions store")
            length = int.from_bytes(data[len(MAGIC) : len(MAGIC) + 8], "little")
            base = len(MAGIC) + 8 + length
            header = json.loads(data[len(MAGIC) + 8 : base])
            if header["documents"] != documents or len(data) < base:
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
            self._data, dtype=dtype, count=size // np.dtype(dtype).itemsize, offset=self._base + offset
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
