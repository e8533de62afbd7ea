"""Search (index of record): SearchDocuments -> one new Whoosh segment, written in bulk.

Whoosh's writer analyses each field through a chain of generators, sends every posting through
an external sort pool and then, posting by posting, into the codec's block writer. BulkWriter
writes the same files (tests/search compare them byte for byte) several times faster: each
distinct spelling is analysed once and given a term id, a document's title and body become
arrays of term ids inverted and encoded with numpy, and at commit the postings are sorted by
term with one argsort. The codec-level part is whoosh_private.PostingsSegmentWriter. Beside
the segment it writes the positions store (positions.py) from the same arrays.
"""

from __future__ import annotations

import itertools
from array import array
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
from whoosh import formats
from whoosh.util.numeric import byte_to_length, length_to_byte

from generator.search.analyzer import ANALYZER, WORD, NewsAnalyzer
from generator.search.documents import SearchDocument
from generator.search.fields import TEXT_FIELDS, texts
from generator.search.fields import fields as document_fields
from generator.search.positions import FieldPositions, write_store
from generator.search.whoosh_private import (
    FloatArray,
    IntArray,
    PostingsSegmentWriter,
    TermPostings,
)

_Postings = tuple["array[int]", "array[float]", list[bytes]]


class FieldPostings:
    """One analysed field's postings for a whole build, appended document by document: the
    document's distinct term ids, its number, each term's weight, Positions value, count of
    positions and the positions themselves (term by term)."""

    def __init__(self) -> None:
        self.terms: list[IntArray] = []
        self.docs: list[int] = []
        self.weights: list[FloatArray] = []
        self.values: list[bytes] = []
        self.counts: list[IntArray] = []
        self.positions: list[IntArray] = []
        self.store: FieldPositions | None = None  # set by by_term, for the positions store

    def by_term(
        self, texts: list[str]
    ) -> Iterator[tuple[str, list[int], list[float], list[bytes]]]:
        """(term, document numbers, weights, values) for each term (texts[id]) in the order of
        the terms (UTF-8 sorts as the text does), the documents in order, one term at a time.
        Sets `store` to the same postings' positions first."""
        if not self.terms:
            return
        counts = np.fromiter(map(len, self.terms), dtype=np.int64, count=len(self.terms))
        terms = np.concatenate(self.terms)
        docs = np.repeat(np.asarray(self.docs, dtype=np.int64), counts)
        weights = np.concatenate(self.weights)
        values = np.empty(len(self.values), dtype=object)
        values[:] = self.values
        occurrences = np.concatenate(self.counts)
        positions = np.concatenate(self.positions)
        self.terms, self.docs, self.weights, self.values = [], [], [], []
        self.counts, self.positions = [], []
        # Each term id's rank in term order: one stable sort puts the postings in term order,
        # each term's documents still in order.
        ids = np.flatnonzero(np.bincount(terms))  # the distinct term ids, without a sort
        rank = np.zeros(int(ids[-1]) + 1, dtype=np.int64)
        rank[sorted(ids.tolist(), key=texts.__getitem__)] = np.arange(len(ids))
        order = np.argsort(rank[terms], kind="stable")
        del rank
        sources = np.cumsum(occurrences) - occurrences  # each posting's first position
        terms, docs, weights, values = terms[order], docs[order], weights[order], values[order]
        occurrences, sources = occurrences[order], sources[order]
        del order
        change = np.empty(len(terms), dtype=bool)
        change[0] = True
        np.not_equal(terms[1:], terms[:-1], out=change[1:])
        starts = np.flatnonzero(change).tolist()
        ends = [*starts[1:], len(terms)]
        ids = terms[starts]
        offsets = np.zeros(len(occurrences) + 1, dtype=np.int64)
        np.cumsum(occurrences, out=offsets[1:])
        # The positions in posting order: each posting's run, moved from where it was.
        moved = np.repeat(sources - offsets[:-1], occurrences)
        moved += np.arange(len(moved), dtype=np.int64)
        self.store = FieldPositions(
            [texts[i] for i in ids.tolist()],
            np.asarray([*starts, len(terms)], dtype=np.int64),
            docs,
            offsets,
            positions[moved],
        )
        del moved, positions, sources, occurrences, offsets
        for k, term in enumerate(ids.tolist()):
            start, end = starts[k], ends[k]
            yield (
                texts[term],
                docs[start:end].tolist(),
                weights[start:end].tolist(),
                values[start:end].tolist(),
            )


def positions_values(
    terms: IntArray, places: IntArray
) -> tuple[IntArray, IntArray, list[bytes], IntArray] | None:
    """A field's distinct terms, how often each occurs, each one's Positions value and the
    positions themselves (term by term), from the field's term ids in token order and their
    positions (`places`, ascending).

    A value is what Positions.encode writes: the count (4 bytes, big-endian) and the position
    deltas as pickle (protocol 2) writes a list of them: `\\x80\\x02]q\\x00` (an empty list,
    memoized), then for one item the item and APPEND (`a`), for up to 1000 a MARK (`(`), the
    items and APPENDS (`e`); each int below 256 as BININT1 (`K`, a byte), below 65536 as BININT2
    (`M`, two bytes, low first); STOP (`.`). Built here for all terms at once; None (take the
    slow way) for a term there more than 1000 times or positions from 65536 on.
    """
    total = len(terms)
    if not total:
        return terms, terms, [], places
    if int(places[-1]) >= 65536:
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
    positions = places[order]  # each term's positions, in order
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
    return ordered[starts], counts, values, positions


class BulkWriter(PostingsSegmentWriter):
    """Whoosh's segment writer for a whole new index, writing the files add_document() and
    commit() write, at a fraction of the cost (see the module docstring). The text fields are
    inverted with numpy (positions_values); other fields go through Whoosh's field.index(),
    remembered per distinct value (years, tags and people repeat).
    """

    _ANALYSED = tuple(TEXT_FIELDS)

    def __init__(self, ix: Any) -> None:
        super().__init__(ix)
        self._postings = {name: FieldPostings() for name in self._ANALYSED}
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
                term, plain = ANALYZER.word(spelling)
                if term is not None and term not in self._term_ids:
                    self._term_ids[term] = len(self._term_texts)
                    self._term_texts.append(term)
                self._spellings[spelling] = -1 if term is None else self._term_ids[term]
                self._plain[spelling] = plain

    def _analyse(self, text: str, plain: set[str]) -> tuple[IntArray, IntArray]:
        """The text's term ids in token order, stop words left out, and each one's position
        (its word number: stop words hold their place); adds its plain words to `plain`."""
        words = WORD.findall(text)
        distinct = set(words)
        try:
            found = np.fromiter(map(self._spellings.__getitem__, words), np.int64, len(words))
        except KeyError:  # words not seen before
            self._learn(distinct)
            found = np.fromiter(map(self._spellings.__getitem__, words), np.int64, len(words))
        plain.update(map(self._plain.__getitem__, distinct))
        kept = found >= 0
        return found[kept], np.flatnonzero(kept)

    def add_search_document(self, doc: SearchDocument) -> None:
        schema = self.schema
        plain: set[str] = set()
        analysed = {name: self._analyse(text, plain) for name, text in texts(doc).items()}
        self.words.update(plain)
        fields = document_fields(doc, [len(analysed[name][0]) for name in self._ANALYSED])
        docnum = self.start_document()
        for fieldname in sorted(fields):  # the order add_document() takes them in
            value = fields[fieldname]
            fieldobj = schema[fieldname]
            length = 0
            if fieldobj.indexed:
                if fieldname in analysed:
                    terms, places = analysed[fieldname]
                    length = len(terms)
                    self._add_positions(
                        self._postings[fieldname], docnum, terms, places, fieldobj.format
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
            self.add_stored(fieldname, fieldobj, value, length)
        self.finish_document()

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
        postings: FieldPostings, docnum: int, terms: IntArray, places: IntArray, format_: Any
    ) -> None:
        total = len(terms)
        if not total:
            return
        # numpy pays from some dozens of words on (a body, not a title)
        found = positions_values(terms, places) if total >= 48 else None
        if found is None:  # Whoosh's own encoding, term by term
            positions: dict[int, list[int]] = {}
            for position, term in zip(places.tolist(), terms.tolist(), strict=True):
                found_positions = positions.get(term)
                if found_positions is None:
                    positions[term] = [position]
                else:
                    found_positions.append(position)
            ordered = sorted(positions)
            ids = np.asarray(ordered, dtype=np.int64)
            counts = np.asarray([len(positions[t]) for t in ordered], dtype=np.int64)
            values = [format_.encode(positions[t]) for t in ordered]
            grouped = np.fromiter(
                itertools.chain.from_iterable(map(positions.__getitem__, ordered)),
                dtype=np.int64,
                count=total,
            )
        else:
            ids, counts, values, grouped = found
        postings.terms.append(ids)
        postings.docs.append(docnum)
        postings.weights.append(counts * format_.field_boost)
        postings.values.extend(values)
        postings.counts.append(counts)
        postings.positions.append(grouped)

    def _assemble_segment(self) -> None:
        super()._assemble_segment()
        # After Whoosh's files are written (by_term set each field's store) and packed into the
        # compound file (which would take this one in), before the commit names the segment in
        # the index's table of contents.
        stores = {
            name: postings.store
            for name, postings in self._postings.items()
            if postings.store is not None
        }
        folder = Path(self.storage.folder)
        write_store(folder, self.newsegment.segment_id(), self.docnum, stores)

    def field_postings(self) -> Iterator[tuple[str, Iterable[TermPostings], Any]]:
        # Fields with postings only (Whoosh's writer never starts the others).
        names = sorted(
            {
                *(n for n, t in self._terms.items() if t),
                *(n for n, p in self._postings.items() if p.terms),
            }
        )
        for fieldname in names:
            lengths = self._doc_lengths.get(fieldname)
            if fieldname in self._postings:
                yield fieldname, self._postings[fieldname].by_term(self._term_texts), lengths
            else:
                table = self._terms.pop(fieldname)
                terms = (
                    (term, table[term][0].tolist(), table[term][1].tolist(), table[term][2])
                    for term in sorted(table)
                )
                yield fieldname, terms, lengths
