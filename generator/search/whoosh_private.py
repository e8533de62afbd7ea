"""Search (index of record): the code that reaches into Whoosh below its documented API.

Everything here depends on how Whoosh's `whoosh3` codec lays out posting blocks and on private
attributes of its writer and matcher classes, so it is kept in this one module and checked by
tests/search/test_whoosh_indexing.py (the bulk writer's files equal Whoosh's own writer's, byte
for byte) and tests/search/test_whoosh_engine.py (block reads equal Whoosh's matcher).

Tested with: whoosh-reloaded 2.7.5 (the `whoosh` import name; the original whoosh 2.7.4 has
the same codec). Another Whoosh release must pass those tests before its version is added here.
"""

from __future__ import annotations

import bisect
import itertools
import operator
import zlib
from array import array
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from whoosh.automata.fsa import find_all_matches
from whoosh.codec.base import Automata
from whoosh.codec.whoosh3 import (
    LENGTHS_COLUMN,
    WHOOSH3_HEADER_MAGIC,
    W3LeafMatcher,
    W3PostingsWriter,
)
from whoosh.compat import dumps
from whoosh.filedb.filestore import FileStorage
from whoosh.matching.wrappers import FilterMatcher
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.writing import SegmentWriter

TESTED_WITH = ("whoosh-reloaded 2.7.5",)

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
# One term's postings as the bulk writer hands them over: (term, document numbers, weights,
# encoded values), the documents in order.
TermPostings = tuple[str, list[int], list[float], list[bytes]]


def open_index(index_dir: Path) -> Any:
    """Open without mmap: Whoosh copies each memory-mapped segment file it opens into memory
    (BytesIO), 0.1 s and the index's size (180 MB) at 10,000 articles; plain reads are as fast."""
    return FileStorage(str(index_dir), supports_mmap=False).open_index()


def segments(ix: Any) -> list[Any]:
    """The segments of the index's current generation, as its table of contents lists them."""
    return list(ix._segments())


def levenshtein_matches(
    words: Sequence[str], text: str, maxdist: int, prefix: int = 0
) -> list[str]:
    """The words of a sorted list within maxdist Levenshtein edits of text, as Whoosh's
    SegmentReader.terms_within finds them in a segment's term list (its automaton, walked over
    the list by bisection)."""

    def first_from(key: str) -> str | None:
        i = bisect.bisect_left(words, key)
        return words[i] if i < len(words) else None

    return list(find_all_matches(Automata.levenshtein_dfa(text, maxdist, prefix), first_from))


def read_postings(matcher: Any) -> tuple[IntArray, FloatArray]:
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


def read_values(matcher: Any, wanted: Sequence[int]) -> dict[int, bytes]:
    """The encoded posting values (for a Positions field: its positions) of the wanted
    documents (segment document numbers, ascending) in one segment's posting list. Blocks
    holding none of them are skipped by their header, unread."""
    if isinstance(matcher, FilterMatcher):
        matcher = matcher.child
    found: dict[int, bytes] = {}
    i, count = 0, len(wanted)
    if type(matcher) is not W3LeafMatcher:
        while matcher.is_active() and i < count:
            matcher.skip_to(wanted[i])
            if matcher.is_active() and matcher.id() == wanted[i]:
                found[wanted[i]] = matcher.value()
            i += 1
        return found
    while matcher.is_active() and i < count:
        if matcher._maxid >= wanted[i]:
            matcher._read_ids()
            matcher._read_values()
            for doc, value in zip(matcher._ids, matcher._values, strict=True):
                while i < count and wanted[i] < doc:
                    i += 1
                if i < count and wanted[i] == doc:
                    found[doc] = value
                    i += 1
        matcher._next_block()
    return found


def read_all_values(matcher: Any) -> tuple[list[int], list[bytes]]:
    """Every document number (deleted ones too) and encoded posting value of one segment's
    posting list, block by block."""
    if isinstance(matcher, FilterMatcher):
        matcher = matcher.child
    ids: list[int] = []
    values: list[bytes] = []
    if type(matcher) is not W3LeafMatcher:
        while matcher.is_active():
            ids.append(matcher.id())
            values.append(matcher.value())
            matcher.next()
        return ids, values
    while matcher.is_active():
        matcher._read_ids()
        matcher._read_values()
        ids.extend(matcher._ids)
        values.extend(matcher._values)
        matcher._next_block()
    return ids, values


# Field lengths as the codec stores them, one byte a document, and what each byte stands for.
_LENGTHS = np.array([byte_to_length(b) if b else 0 for b in range(256)], dtype=np.float64)


def field_lengths(leaf: Any, fieldname: str) -> FloatArray:
    """Every document's length of a field in one segment, as BM25 reads it (Whoosh rounds it
    to a byte), read as one array from the lengths column (doc_field_length reads one
    document at a time: 40 ms a field at 10,000 articles)."""
    count = leaf.doc_count_all()
    perdoc = leaf._perdoc
    reader = perdoc._cached_reader(f"_{fieldname}_len", LENGTHS_COLUMN)
    if reader is None:
        return np.zeros(count, dtype=np.float64)
    codes = np.zeros(count, dtype=np.uint8)
    stored = min(count, reader._count)
    if stored:
        codes[:stored] = np.frombuffer(reader._dbfile.get(reader._basepos, stored), dtype=np.uint8)
    return _LENGTHS[codes]


def fixed_column(leaf: Any, fieldname: str) -> bytes | None:
    """A FixedBytesColumn's values for every document of one segment, as one string (a
    document without a value has the column's default); None when the segment has none."""
    if not leaf.has_column(fieldname):
        return None
    reader = leaf.column_reader(fieldname, translate=False)
    total: int = leaf.doc_count_all()
    count: int = min(reader._count, total)
    data = bytes(reader._dbfile.get(reader._basepos, count * reader._fixedlen)) if count else b""
    default: bytes = reader._defaultbytes
    return data + default * (total - count)


class PostingsSegmentWriter(SegmentWriter):  # type: ignore[misc]
    """Whoosh's SegmentWriter for a subclass that adds documents its own way: it stores each
    document's fields through start_document / add_stored / finish_document, and at commit
    hands over every field's postings, sorted by term (field_postings), which are written out
    in the codec's block format without Whoosh's external sort pool."""

    def start_document(self) -> int:
        self.perdocwriter.start_doc(self.docnum)
        return int(self.docnum)

    def add_stored(self, fieldname: str, fieldobj: Any, value: Any, length: int) -> None:
        """The field's stored value, length and column value, as add_document() records them."""
        self.perdocwriter.add_field(fieldname, fieldobj, value if fieldobj.stored else None, length)
        if fieldobj.column_type and value is not None:
            self.perdocwriter.add_column_value(
                fieldname, fieldobj.column_type, fieldobj.to_column_value(value)
            )

    def finish_document(self) -> None:
        self.perdocwriter.finish_doc()
        self._added = True
        self.docnum += 1

    def field_postings(self) -> Iterator[tuple[str, Iterable[TermPostings], Any]]:
        """(field name, its terms' postings in term order, each document's field length or
        None) for every field with postings, in field-name order."""
        raise NotImplementedError

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        fieldwriter = self.fieldwriter
        for fieldname, terms, lengths in self.field_postings():
            fieldwriter.start_field(fieldname, self.schema[fieldname])
            writer = fieldwriter._postwriter
            assert type(writer) is W3PostingsWriter and writer._inlinelimit <= 1
            for term, docs, weights, values in terms:
                fieldwriter.start_term(term.encode("utf-8"))
                write_blocks(writer, docs, weights, values, lengths)
                fieldwriter.finish_term()
            fieldwriter.finish_field()
        fieldwriter.close()


def write_blocks(
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
