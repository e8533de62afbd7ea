"""Search (index of record): a parsed Query over a Snapshot -> the matching documents, their
scores and the terms each one matched, computed with numpy over the posting lists.

Ranking: each word or phrase of the query is a unit scored BM25F over the text fields (each
field's frequency times its boost, normalised by its own length, summed, then saturated; one
idf per unit, Robertson-Sparck Jones as Lucene and Pagefind compute it). The units' scores are
added, plus a coordination bonus for each further unit an article has (SCALE): articles with
all the words of a short query rank first, articles with only some are still found (soft AND),
and a long query typed as a sentence ranks as plain BM25. Phrases are required,
their words adjacent and in order (positions read once per term, for the candidates only,
from the positions store; a common word inside a phrase, which the index leaves out, holds
its place); a phrase no article has is searched as its words instead, and so are all the
phrases when no article has them together (Matches.loosened says which), as a reader who
pasted a paragraph with words in quotes wants the articles on its subject, not nothing.
Exclusions leave articles out, filters narrow by facet.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from generator.search.analyzer import ANALYZER
from generator.search.fields import TEXT_FIELDS
from generator.search.query_syntax import Query, is_indexed
from generator.search.snapshot import BoolArray, Snapshot
from generator.search.whoosh_private import FloatArray, IntArray

K1, B = 1.2, 0.75  # BM25's saturation and length normalisation, as Whoosh and Pagefind default
# Soft AND: an article's score gets (units it has - 1) / (units in the query - SCALE)^2 added,
# the coordination bonus of Whoosh's OrGroup.factory(0.9) (Apple V-Twin's short-query ranking):
# 0.83 for having both words of two, 0.11 for all four of four, next to nothing in a long query
# typed as a sentence, where no article has every word.
SCALE = 0.9
# Positions stay below 2**31 (word numbers of one field); a document number times this, plus
# a place, names one place of one document.
_SPAN = 2**32


@dataclass(frozen=True, slots=True)
class Unit:
    """One word or phrase of a query, evaluated: its index terms and where it matched."""

    terms: tuple[str, ...]
    mask: BoolArray
    scores: FloatArray


@dataclass(frozen=True, slots=True)
class Matches:
    """Every matching document (live, filtered) with its score, and the units that matched."""

    mask: BoolArray
    scores: FloatArray
    complete: BoolArray  # documents with every unit of the query
    units: tuple[Unit, ...]
    loosened: tuple[tuple[str, ...], ...] = ()  # phrases no article has, searched as words

    def terms_of(self, docnum: int) -> set[str]:
        """The index terms a document matched (what its snippet marks)."""
        return {term for unit in self.units if unit.mask[docnum] for term in unit.terms}


def term_of(word: str) -> str | None:
    """The index term of a folded query word (stemmed), None for a word the index leaves out."""
    return ANALYZER.word(word)[0]


def evaluate(snap: Snapshot, query: Query, filters: Sequence[tuple[str, str]] = ()) -> Matches:
    """The documents matching a query (see the module docstring) and their scores."""
    live = snap.live()
    phrases, loosened = _phrases(snap, query, live)
    # Words with one stem (`test`, `tests`) are one unit: each counts once.
    evaluated: dict[tuple[str, ...], tuple[Unit, bool]] = {}
    looser = (w for words in loosened for w in words if is_indexed(w))
    terms = [((w,), False) for w in dict.fromkeys((*query.words, *looser))]
    for words, phrase in terms + [(words, True) for words in phrases]:
        unit = phrases[words] if phrase else _unit(snap, words, live)
        if unit is not None:
            known = evaluated.get(unit.terms)
            needed = phrase or (known is not None and known[1])
            evaluated[unit.terms] = (unit, needed)
    units = [unit for unit, _ in evaluated.values()]
    required = [unit for unit, needed in evaluated.values() if needed]
    size = snap.size
    matched = np.zeros(size, dtype=np.int64)
    total = np.zeros(size, dtype=np.float64)
    for unit in units:
        matched += unit.mask
        total += unit.scores
    mask = (matched > 0) & live
    for unit in required:
        mask &= unit.mask
    for words in query.excluded:
        excluded = _unit(snap, words, live)
        if excluded is not None:
            mask &= ~excluded.mask
    for name, value in filters:
        mask &= snap.facet_mask(name, value)
    bonus = (matched - 1).clip(0) / (max(1, len(units)) - SCALE) ** 2
    scores = np.where(mask, total + bonus, 0.0)
    complete = mask & (matched == len(units))
    return Matches(mask, scores, complete, tuple(units), tuple(loosened))


def _phrases(
    snap: Snapshot, query: Query, live: BoolArray
) -> tuple[dict[tuple[str, ...], Unit], list[tuple[str, ...]]]:
    """The query's phrases that stay required (evaluated), and those searched as their words
    instead: a phrase no article has, or all of them when no article has them together."""
    kept: dict[tuple[str, ...], Unit] = {}
    loosened: list[tuple[str, ...]] = []
    for words in query.phrases:
        unit = _unit(snap, words, live)
        if unit is None or not unit.mask.any():
            loosened.append(words)
        else:
            kept[words] = unit
    if len(kept) > 1 and not np.logical_and.reduce([unit.mask for unit in kept.values()]).any():
        return {}, list(query.phrases)
    return kept, loosened


def _unit(snap: Snapshot, words: tuple[str, ...], live: BoolArray) -> Unit | None:
    """A word (one-word tuple from Query.words) or a phrase, scored over every text field;
    None when none of its words is indexed."""
    terms = [term_of(w) for w in words]
    # Each indexed word with its place in the phrase: common words hold theirs.
    placed = tuple((offset, t) for offset, t in enumerate(terms) if t is not None)
    if not placed:
        return None
    size = snap.size
    frequencies: list[tuple[str, IntArray, FloatArray]] = []
    mask = np.zeros(size, dtype=bool)
    for field in snap.text_fields:
        if len(placed) == 1:
            ids, weights = snap.postings(field, placed[0][1])
        else:
            ids, weights = _phrase(snap, field, placed)
        if len(ids):
            frequencies.append((field, ids, weights))
            mask[ids] = True
    mask &= live
    df = int(mask.sum())
    scores = np.zeros(size, dtype=np.float64)
    if df:
        # BM25F: each field's frequency times its boost, normalised by that field's length,
        # summed into one frequency, saturated once.
        frequency = np.zeros(size, dtype=np.float64)
        for field, ids, weights in frequencies:
            fl = snap.lengths(field)[ids]
            frequency[ids] += weights / ((1 - B) + B * fl / snap.average_length(field))
        n = int(live.sum())
        idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
        scores = np.where(mask, idf * frequency * (K1 + 1) / (frequency + K1), 0.0)
    return Unit(tuple(dict.fromkeys(t for _, t in placed)), mask, scores)


def _phrase(
    snap: Snapshot, field: str, placed: tuple[tuple[int, str], ...]
) -> tuple[IntArray, FloatArray]:
    """Documents with a phrase's indexed words in one field at their places (a common word
    between them holds its place: any common word, as the index does not keep them), and how
    often (times the field's boost). Positions are read once per term, for the documents having
    every term only."""
    distinct = list(dict.fromkeys(t for _, t in placed))
    candidates = snap.postings(field, distinct[0])[0]
    for term in distinct[1:]:
        candidates = np.intersect1d(candidates, snap.postings(field, term)[0], assume_unique=True)
        if not len(candidates):
            return candidates, np.zeros(0, dtype=np.float64)
    positions = {term: snap.positions(field, term, candidates) for term in distinct}
    # Each occurrence as one number, document and the place the phrase would start there
    # (shifted by `last` so that a common word before the first position still holds its
    # place); a phrase is at the starts every term's numbers share.
    last = placed[-1][0]
    starts: IntArray | None = None
    for offset, term in placed:
        docs, places = positions[term]
        keys = docs * _SPAN + (places + (last - offset))
        starts = keys if starts is None else np.intersect1d(starts, keys, assume_unique=True)
    assert starts is not None
    found, counts = np.unique(starts // _SPAN, return_counts=True)
    boost = TEXT_FIELDS.get(field, 1.0)
    return found.astype(np.int64), counts.astype(np.float64) * boost


def page_bounds(total: int, limit: int, page: int) -> tuple[int, int, int]:
    """(page shown, page count, offset): a page past the end shows the last one."""
    pages = math.ceil(total / limit)
    shown = min(pages, page)
    return max(1, shown), pages, (max(1, shown) - 1) * limit
