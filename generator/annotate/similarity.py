"""Stage annotate (related, whole archive): RelatedColumns -> {slug: related slugs}, by sparse TF-IDF.

No model and no n x n matrix: articles are sparse vectors (scipy.sparse), and the similarities
are computed a block of rows at a time. Features found in only one article cannot relate two,
and features in more than 5% of a large archive (its boilerplate; 250 articles at least, so that
a smaller archive keeps its topic words) say little; both count in each vector's length but are
left out of the product, which keeps it sparse. Articles that then find no neighbour are scored
again on all their words when they are few (50, or 1% of the archive), so that every article
that resembles another gets a list.

The cosine of the entity names is blended into a pair's score only where both articles have
enough text and names for it to say something (_BLEND_NAMES, _BLEND_WORDS); otherwise the
score is the words' cosine.

The weights are computed operation by operation as the first version did (per-article Counters and
math.log), so for the same texts the scores, and so the lists, are bit for bit the same.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from generator.annotate.columns import RelatedColumns

if TYPE_CHECKING:
    from scipy import sparse

# The share of the archive a feature may appear in and still be compared (only applied from
# _MIN_ARCHIVE articles up, where document frequency means something), and the cells per block.
_MAX_DF_SHARE = 0.05
_MIN_DF_CAP = 250
# The lowest score that makes two articles related. From _MIN_ARCHIVE articles up, words common
# in the archive weigh little (IDF) or are left out (max_df), and 0.05 leaves no BBC or AG News
# article without a list, at a better precision at 5 than 0.1, which left 10-19% without one
# (benchmarks/copies.py). In a smaller archive every shared word weighs about the same, and
# unrelated stories score 0.05-0.08: there it is 0.1.
MIN_SCORE = 0.05
SMALL_ARCHIVE_MIN_SCORE = 0.1
_FEW_LONELY = 50  # articles without a list scored again on every word (or 1% of the archive)
# The entity cosine's share of a score where both articles' names are blended in. At 0.4, a
# pair sharing a common name outranked a pair on the same subject: precision@5 on BBC News with
# the names ingest finds was 0.868 (0.925 with words alone, 0.922 at 0.15). Shared names still
# relate two stories worded apart (tests/annotate/test_related.py).
ENTITY_WEIGHT = 0.15
# An article's names are blended in only when it has at least _BLEND_NAMES distinct ones and
# _BLEND_WORDS content words (stop words left out; a paragraph, some 100 running words). With
# one name, the names' cosine is all or nothing on a single match: a shared country or agency
# scores as much as the same cast. In a shorter text (a headline and a sentence or two: a brief,
# a feed's summary) the few names are the subject itself and already a large share of the words
# the TF-IDF cosine weighs; blending them counts them twice and lets one common name outrank
# the subject (AG News, one-sentence items: precision@5 0.766 blended, 0.788 on words alone).
_BLEND_NAMES = 2
_BLEND_WORDS = 50
_MIN_ARCHIVE = 40
_BLOCK_CELLS = 4_000_000
# Scores (sparse entries) a block of rows may make. Each costs ~12 bytes in each of the block's
# few intermediate matrices: 4 million held 244 MB at the peak at 10,000 articles, 2 million
# 205 MB, with the same time at 100,000 (13-14 s; 1 million: 15 s).
_BLOCK_SCORES = 2_000_000
_SLICE = 1 << 20  # entries per slice where a full-size temporary array would be too big


def related_from_columns(
    slugs: Sequence[str],
    columns: RelatedColumns,
    limit: int = 5,
    *,
    min_score: float | None = None,
    entity_weight: float = ENTITY_WEIGHT,
) -> dict[str, tuple[str, ...]]:
    """related_from_features of row i = (slugs[i], its features in `columns`), rows in any order
    (the result does not depend on it: ties go by slug); the slugs must be distinct. min_score
    None: MIN_SCORE, or SMALL_ARCHIVE_MIN_SCORE below _MIN_ARCHIVE articles.

    Raises ValueError when min_score is not above 0.
    """
    n = len(slugs)
    if min_score is None:
        min_score = MIN_SCORE if n >= _MIN_ARCHIVE else SMALL_ARCHIVE_MIN_SCORE
    if min_score <= 0:
        raise ValueError(f"related_from_features: min_score must be above 0 (got {min_score})")
    result: dict[str, tuple[str, ...]] = {slug: () for slug in slugs}
    if n < 2 or limit <= 0:
        return result
    rank = np.empty(n, dtype=np.int64)
    rank[sorted(range(n), key=slugs.__getitem__)] = np.arange(n)
    scoring = _Scoring(slugs, rank, limit, min_score, entity_weight)
    cap = _max_df(n)
    names = _names_to_blend(columns)
    _score_rows(columns, names, cap, np.arange(n), scoring, result)
    # An article whose shared words are all among the archive's most common ones finds no
    # neighbour above: its rows are scored again on every word (few rows, so the product stays
    # small), and it gets a list if anything resembles it at all.
    lonely = np.array([i for i in range(n) if not result[slugs[i]]], dtype=np.int64)
    # Only when they are few: in an archive whose every word is common (a generated benchmark
    # corpus), nearly every article is without a list, and scoring them all on every word is a
    # dense n x n product (53 CPU-s for a one-title edit at 10,000 articles).
    if len(lonely) and cap < n and len(lonely) <= max(_FEW_LONELY, n // 100):
        _score_rows(columns, names, n, lonely, scoring, result)
    return result


def _names_to_blend(columns: RelatedColumns) -> tuple[list[str], np.ndarray]:
    """The entity names of the articles whose names are blended into their scores (at least
    _BLEND_NAMES of them and _BLEND_WORDS content words), end to end, and how many each article
    has there (0 for the others)."""
    lengths, counts = columns.lengths, columns.entity_counts
    words = np.zeros(len(lengths), dtype=np.int64)
    rows = np.flatnonzero(lengths)
    if len(rows):
        # Runs of a row's counts start where the rows before it end; an empty row has none.
        starts = (np.cumsum(lengths) - lengths)[rows]
        words[rows] = np.add.reduceat(columns.counts, starts, dtype=np.int64)
    blend = (counts >= _BLEND_NAMES) & (words >= _BLEND_WORDS)
    if blend.all():
        return columns.entities, counts
    ends = np.cumsum(counts).tolist()
    names = columns.entities
    kept = [
        name
        for i in np.flatnonzero(blend).tolist()
        for name in names[ends[i] - int(counts[i]) : ends[i]]
    ]
    return kept, np.where(blend, counts, 0)


@dataclass(frozen=True, slots=True)
class _Scoring:
    """How rows are scored and ranked: the slugs, each row's place in slug order (ties), the
    list length, the lowest score kept and the weight of the entity cosine."""

    slugs: Sequence[str]
    rank: np.ndarray
    limit: int
    min_score: float
    entity_weight: float


def _max_df(n: int) -> int:
    """The most articles a feature may appear in and still be compared: _MAX_DF_SHARE of a large
    archive (its boilerplate), at least _MIN_DF_CAP (the topic words of a smaller one), all
    below _MIN_ARCHIVE articles (where document frequency says nothing)."""
    if n < _MIN_ARCHIVE:
        return n
    return max(2, _MIN_DF_CAP, int(n * _MAX_DF_SHARE))


def _score_rows(
    columns: RelatedColumns,
    names: tuple[list[str], np.ndarray],
    max_df: int,
    rows: np.ndarray,
    scoring: _Scoring,
    result: dict[str, tuple[str, ...]],
) -> None:
    """Score `rows` (archive rows, ascending) against every row, features in at most max_df
    articles compared, and put each row's best in `result`. `names`: the entity names blended
    in, end to end, and each row's count of them (_names_to_blend)."""
    n = len(columns)
    words = _unit_rows(columns.words, columns.counts, columns.lengths, max_df)
    entities, has_entities = _entity_rows(*names, max_df)
    words_t = words.T.tocsr()
    entities_t = entities.T.tocsr()
    if len(rows) < n:
        words, entities = words[rows], entities[rows]
    # Rows a block at a time: the first block bounded by cells, the next ones by the scores the
    # last one made per row (at 100,000 articles 40 rows a block meant 2,500 products, whose
    # per-call cost was a third of the stage).
    start, block = 0, max(1, _BLOCK_CELLS // n)
    while start < len(rows):
        stop = min(len(rows), start + block)
        row_has = has_entities[rows[start:stop]]
        word_scores = words[start:stop] @ words_t
        entity_scores = entities[start:stop] @ entities_t if row_has.any() else None
        made = word_scores.nnz + (entity_scores.nnz if entity_scores is not None else 0)
        scores = _blended(
            word_scores,
            entity_scores,
            row_has,
            has_entities,
            scoring.entity_weight,
            scoring.min_score,
        )
        del word_scores, entity_scores
        _best(scores, rows[start:stop], scoring, result)
        per_row = max(1.0, made / (stop - start))
        block = max(1, min(block * 8, int(_BLOCK_SCORES / per_row)))
        start = stop


def _blended(
    words: sparse.csr_matrix,
    entities: sparse.csr_matrix | None,
    row_has: np.ndarray,
    column_has: np.ndarray,
    entity_weight: float,
    min_score: float,
) -> sparse.csr_matrix:
    """A block's scores: the word cosine w, or where both articles have entities
    (1 - entity_weight) * w + entity_weight * e, with the first version's float operations, kept
    only where the score can reach min_score.

    Without a shared entity a pair scores at most w, so the (in a real archive, very many) word
    cosines below min_score go before anything else; pairs sharing entities keep theirs.
    """
    from scipy import sparse  # here: 0.3 s to import, needed only when scores are made

    low = min_score * (1 - 1e-9) if 0 <= entity_weight <= 1 else -np.inf
    high = words.data >= low
    rest = sparse.csr_matrix(
        (words.data[high], words.indices[high], _kept_indptr(words.indptr, high)),
        shape=words.shape,
    )
    shared = None
    if entities is not None and entities.nnz:
        shared = entity_weight * entities
        if words.nnz:
            where = sparse.csr_matrix(
                (np.ones(entities.nnz), entities.indices, entities.indptr), shape=entities.shape
            )
            # w * 1.0 is w: the word cosines where entities are shared, however small.
            shared = (1 - entity_weight) * words.multiply(where) + shared
            if rest.nnz:
                rest = rest - rest.multiply(where)
                rest.eliminate_zeros()
    if row_has.any() and rest.nnz:
        rows = np.repeat(np.arange(rest.shape[0]), np.diff(rest.indptr))
        both = row_has[rows] & column_has[rest.indices]
        # (1 - entity_weight) * w + entity_weight * 0.0 is (1 - entity_weight) * w.
        rest.data = np.where(both, (1 - entity_weight) * rest.data, rest.data)
    if shared is None:
        return rest
    return sparse.csr_matrix(shared if not rest.nnz else rest + shared)


def _kept_indptr(indptr: np.ndarray, kept: np.ndarray) -> np.ndarray:
    """The indptr of a CSR matrix after dropping the entries where `kept` is False."""
    counts = np.concatenate([[0], np.cumsum(kept, dtype=np.int64)])
    result: np.ndarray = counts[indptr]
    return result


def _best(
    scores: sparse.csr_matrix,
    row_ids: np.ndarray,
    scoring: _Scoring,
    result: dict[str, tuple[str, ...]],
) -> None:
    """Each row's `limit` best columns scoring at least min_score (itself excluded), ties by slug
    (`rank`: each row's place in slug order); row k of `scores` is archive row row_ids[k]."""
    slugs, rank, limit = scoring.slugs, scoring.rank, scoring.limit
    places = np.flatnonzero(scores.data >= scoring.min_score)
    local = np.repeat(np.arange(scores.shape[0]), np.diff(scores.indptr))[places]
    columns, values = scores.indices[places], scores.data[places]
    mine = columns != row_ids[local]
    local, columns, values = local[mine], columns[mine], values[mine]
    if not len(local):
        return
    # Narrow each row to about its `limit` best before the exact sort: a float key (row, then
    # value, descending) sorts without an argsort; its order is exact to ~1e-11, so everything
    # within 1e-9 of a row's limit-th best stays, and lexsort then decides exactly.
    key = np.sort(local * 4.0 + (2.0 - values))
    counts = np.bincount(local, minlength=scores.shape[0])
    ends = np.cumsum(counts)
    present = np.flatnonzero(counts)
    kth = ends[present] - counts[present] + np.minimum(counts[present], limit) - 1
    threshold = np.full(scores.shape[0], np.inf)
    threshold[present] = 2.0 - (key[kth] - present * 4.0) - 1e-9
    near = values >= threshold[local]
    local, columns, values = local[near], columns[near], values[near]
    order = np.lexsort((rank[columns], -values, local))
    local, columns = local[order], columns[order]
    first = np.flatnonzero(np.r_[True, local[1:] != local[:-1]]) if len(local) else local
    bounds = np.r_[first, len(local)]
    for a, b in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
        found = tuple(slugs[c] for c in columns[a : min(b, a + limit)].tolist())
        result[slugs[int(row_ids[local[a]])]] = found


def _entity_rows(
    names: list[str], counts: np.ndarray, max_df: int
) -> tuple[sparse.csr_matrix, np.ndarray]:
    ids: dict[str, int] = {}
    columns = [ids.setdefault(name, len(ids)) for name in names]
    matrix = _unit_rows(
        np.array(columns, dtype=np.int64), np.ones(len(columns), dtype=np.int64), counts, max_df
    )
    return matrix, counts > 0


def _unit_rows(
    columns: np.ndarray, counts: np.ndarray, lengths: np.ndarray, max_df: int
) -> sparse.csr_matrix:
    """TF-IDF rows of unit length; columns for features that cannot help (in one article, or
    in more than max_df) are then dropped.

    `columns[k]` and `counts[k]` are the k-th (feature, count) of the rows laid end to end, each
    row `lengths[i]` long, in the row's own order: that order is the order in which each row's
    length is summed and its products accumulated, as in the first version, so the floats agree.
    Weights are worked out whole rows a slice of entries at a time, twice (for the lengths, then
    for the entries kept): no array the size of the archive's words but the result's.
    """
    from scipy import sparse  # here: 0.3 s to import, needed only when scores are made

    n = len(lengths)
    df = np.bincount(columns, minlength=1)
    # math.log on each possible count and document frequency, as the first version did per entry.
    largest = int(counts.max()) if len(counts) else 1
    tf_table = np.array([1.0 + math.log(c) for c in range(1, largest + 1)], dtype=np.float64)
    idf_table = np.array([math.log((1 + n) / (1 + d)) + 1.0 for d in range(n + 1)])
    idf = idf_table[df]
    slices = _row_slices(lengths)

    def weights(first: int, last: int) -> np.ndarray:
        result: np.ndarray = tf_table[counts[first:last] - 1] * idf[columns[first:last]]
        return result

    norm_sq = np.zeros(n, dtype=np.float64)
    for top, bottom, first, last in slices:
        norm_sq[top:bottom] = _squares_summed(weights(first, last), lengths[top:bottom])
    norms = np.sqrt(norm_sq)
    norms[norms == 0] = 1.0
    useful = (df >= 2) & (df <= max_df)
    used = np.flatnonzero(useful)
    renumber = np.full(len(df), -1, dtype=np.int32 if len(used) < 2**31 else np.int64)
    renumber[used] = np.arange(len(used))
    total = int(df[useful].sum())  # entries kept (a row names a feature once)
    data = np.empty(total, dtype=np.float64)
    indices = np.empty(total, dtype=renumber.dtype)
    per_row = np.zeros(n, dtype=np.int64)
    at = 0
    for top, bottom, first, last in slices:
        part = columns[first:last]
        kept = useful[part]
        rows = np.repeat(np.arange(top, bottom), lengths[top:bottom])[kept]
        values = weights(first, last)[kept]
        values /= norms[rows]
        data[at : at + len(values)] = values
        indices[at : at + len(values)] = renumber[part[kept]]
        at += len(values)
        per_row[top:bottom] = np.bincount(rows - top, minlength=bottom - top)
    indptr = np.concatenate([[0], np.cumsum(per_row)]).astype(np.int64)
    return sparse.csr_matrix((data, indices, indptr), shape=(n, len(used)))


def _row_slices(lengths: np.ndarray) -> list[tuple[int, int, int, int]]:
    """(first row, row after the last, first entry, entry after the last) of runs of whole rows
    holding about _SLICE entries each (a longer row is a run of its own)."""
    ends = np.cumsum(lengths)
    found = []
    row, n = 0, len(lengths)
    while row < n:
        first = int(ends[row] - lengths[row])
        stop = max(row + 1, int(np.searchsorted(ends, first + _SLICE, side="right")))
        found.append((row, stop, first, int(ends[stop - 1])))
        row = stop
    return found


def _squares_summed(weights: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Each row's sum of squared weights (rows end to end, `lengths` long), added left to right
    as the first version did (a vector sum would pair them differently): a CSR matrix-vector
    product adds a row's products in storage order, one at a time, and w * w * 1.0 is w * w."""
    from scipy import sparse

    squares = sparse.csr_matrix(
        (weights * weights, np.zeros(len(weights), dtype=np.int32), np.r_[0, np.cumsum(lengths)]),
        shape=(len(lengths), 1),
    )
    result: np.ndarray = squares @ np.ones(1, dtype=np.float64)
    return result
