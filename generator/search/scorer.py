"""Search (index of record): a parsed Whoosh query over a Snapshot -> matching documents and
their scores, computed with numpy over the posting lists.

Word queries (terms ANDed or ORed, boosts) are scored with Whoosh's own BM25F statistics, which
ranks exactly as Whoosh's matcher tree does at a fraction of the cost; other queries go to
Whoosh's matchers (whoosh_index.search).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from whoosh import query
from whoosh.reading import TermNotFound

from generator.search.snapshot import SCORED_FIELDS, BoolArray, Snapshot
from generator.search.whoosh_private import FloatArray


def is_word_query(q: Any, fields: frozenset[str]) -> bool:
    """Terms combined with AND / OR (no NOT, phrase, prefix...): what the numpy scorer handles."""
    if type(q) is query.Term:
        return q.fieldname in fields and isinstance(q.text, str)
    if type(q) is query.And or (type(q) is query.Or and not q.minmatch and not q.scale):
        return bool(q.subqueries) and all(is_word_query(sub, fields) for sub in q.subqueries)
    return False


def score_query(
    snap: Snapshot, q: Any, terms: list[tuple[str, BoolArray]]
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
        parts = [score_query(snap, sub, terms) for sub in q.subqueries]
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


def page_bounds(total: int, limit: int, page: int) -> tuple[int, int, int]:
    """(page shown, page count, offset) the way Whoosh's ResultsPage clamps a page past the end."""
    pages = math.ceil(total / limit)
    shown = min(pages, page)
    return max(1, shown), pages, (max(1, shown) - 1) * limit


def present_terms(snap: Snapshot, q: Any, docnums: Sequence[int]) -> dict[int, set[str]]:
    """For each shown document, the query's title/body terms it contains (for its snippet)."""
    found: dict[int, set[str]] = {d: set() for d in docnums}
    if not docnums:
        return found
    terms: set[tuple[str, bytes]] = set()
    for leaf in q.leaves():  # leaf by leaf: Query.existing_terms skips all fields but the first
        if leaf.field() in SCORED_FIELDS:
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
