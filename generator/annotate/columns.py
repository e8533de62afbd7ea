"""Stage annotate (related, archive input): many articles' RelatedFeatures -> RelatedColumns (arrays).

The archive-level related stage reads every article's word stems and entity names as a few long
arrays, row after row, with each stem numbered by a vocabulary (id -> 64-bit stem hash): what
annotate/similarity.py multiplies, and what annotate/table.py keeps between builds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from generator.annotate.related import RelatedFeatures

_SLICE = 1 << 20  # entries per slice where a full-size temporary array would be too big


@dataclass(frozen=True, slots=True)
class RelatedColumns:
    """The related-article features of many articles as arrays, row i for article i.

    `words[k]` and `counts[k]` are the k-th (feature id, count) of the rows laid end to end, each
    row `lengths[i]` long and in its own order (first use): that order is the order in which a
    row's length is summed and its products accumulated, so it must be kept. The ids only name
    features (any numbering gives the same scores); `entities` are the rows' folded entity names
    end to end, `entity_counts[i]` of them for row i.
    """

    words: np.ndarray  # int32 (int64 past 2**31 features)
    counts: np.ndarray  # uint32
    lengths: np.ndarray  # int64
    entities: list[str]
    entity_counts: np.ndarray  # int64

    @classmethod
    def of(cls, features: Sequence[RelatedFeatures]) -> RelatedColumns:
        """Columns of features in that order, words numbered 0, 1, 2... by hash order."""
        return cls.numbered(features, np.empty(0, dtype=np.uint64))[0]

    @classmethod
    def numbered(
        cls, features: Sequence[RelatedFeatures], vocabulary: np.ndarray
    ) -> tuple[RelatedColumns, np.ndarray]:
        """Columns of features in that order, words numbered by `vocabulary` (id -> stem hash),
        and the vocabulary, extended with the stems it lacked (number_words)."""
        stems = np.frombuffer(b"".join(f.stems for f in features), dtype="<u8")
        vocabulary, ids = number_words(vocabulary, stems)
        del stems  # (a 100,000-article archive has some 30 million stems: every copy counts)
        columns = cls(
            ids,
            np.frombuffer(b"".join(f.counts for f in features), dtype="<u4"),
            np.array([len(f.counts) // 4 for f in features], dtype=np.int64),
            [name for f in features for name in f.entities],
            np.array([len(f.entities) for f in features], dtype=np.int64),
        )
        return columns, vocabulary

    def __len__(self) -> int:
        return len(self.lengths)

    def select(self, rows: np.ndarray) -> RelatedColumns:
        """The rows where the boolean mask `rows` is True, in order."""
        if rows.all():
            return self
        return self.joined(rows, None)

    def joined(
        self,
        rows: np.ndarray,
        other: RelatedColumns | None,
        words_dtype: np.dtype[Any] | None = None,
    ) -> RelatedColumns:
        """The rows where the boolean mask `rows` is True, then other's rows (whose word ids must
        be of the same numbering; `words_dtype` must hold them all): each column copied once."""
        words_dtype = words_dtype or self.words.dtype
        counts_dtype = self.counts.dtype
        if other is not None and len(other.counts):
            counts_dtype = np.promote_types(counts_dtype, count_dtype(int(other.counts.max())))
        # Kept rows come in a few long runs (an edit drops one row): slices of those, not a
        # mask over every word.
        edges = np.flatnonzero(np.diff(np.r_[False, rows, False]))
        firsts, lasts = edges[0::2], edges[1::2]
        ends = np.r_[0, np.cumsum(self.lengths)]
        name_ends = np.r_[0, np.cumsum(self.entity_counts)].tolist()
        spans = list(zip(ends[firsts].tolist(), ends[lasts].tolist(), strict=True))
        names = self.entities
        kept_names = [
            n
            for a, b in zip(firsts.tolist(), lasts.tolist(), strict=True)
            for n in names[name_ends[a] : name_ends[b]]
        ]
        tail = [] if other is None else [other]
        return RelatedColumns(
            drained([self.words[a:b] for a, b in spans] + [o.words for o in tail], words_dtype),
            drained([self.counts[a:b] for a, b in spans] + [o.counts for o in tail], counts_dtype),
            np.concatenate([self.lengths[rows], *(o.lengths for o in tail)]),
            kept_names + (other.entities if other is not None else []),
            np.concatenate([self.entity_counts[rows], *(o.entity_counts for o in tail)]),
        )

    def take(self, rows: Sequence[int]) -> RelatedColumns:
        """The rows at these indexes, in that order (an index may repeat)."""
        ends = np.cumsum(self.lengths).tolist()
        name_ends = np.cumsum(self.entity_counts).tolist()
        words = [np.arange(ends[r] - int(self.lengths[r]), ends[r]) for r in rows]
        at = np.concatenate(words) if words else np.empty(0, dtype=np.int64)
        names = self.entities
        return RelatedColumns(
            self.words[at],
            self.counts[at],
            self.lengths[list(rows)],
            [
                n
                for r in rows
                for n in names[name_ends[r] - int(self.entity_counts[r]) : name_ends[r]]
            ],
            self.entity_counts[list(rows)],
        )

    def concat(self, other: RelatedColumns) -> RelatedColumns:
        """These rows, then other's (whose word ids must be of the same numbering)."""
        return RelatedColumns(
            np.concatenate([self.words, other.words.astype(self.words.dtype, copy=False)]),
            np.concatenate([self.counts, other.counts]),
            np.concatenate([self.lengths, other.lengths]),
            self.entities + other.entities,
            np.concatenate([self.entity_counts, other.entity_counts]),
        )


def id_dtype(words: int) -> np.dtype[Any]:
    """The smallest integer type for ids of a vocabulary of `words` (the table's widest column:
    a news archive's words, some 300 per article, 30 million at 100,000 articles)."""
    if words <= 2**16:
        return np.dtype(np.uint16)
    return np.dtype(np.int32 if words < 2**31 else np.int64)


def count_dtype(largest: int) -> np.dtype[Any]:
    """The smallest unsigned type for word counts up to `largest` (a word rarely comes 255 times)."""
    for kind in (np.uint8, np.uint16):
        if largest <= np.iinfo(kind).max:
            return np.dtype(kind)
    return np.dtype(np.uint32)


def drained(parts: list[np.ndarray], dtype: Any, width: int = 0) -> np.ndarray:
    """The parts (rows of `width` values, or single values) end to end as `dtype`: one copy,
    values cast on the way. The list is emptied as they are copied, so that parts it alone
    holds and the whole are never all in memory at once."""
    rows = sum(len(p) for p in parts)
    out = np.empty((rows, width) if width else rows, dtype=dtype)
    parts.reverse()
    at = 0
    while parts:
        part = parts.pop()
        out[at : at + len(part)] = part
        at += len(part)
    return out


def _dense_ids(hashes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values of `hashes`, sorted, and the place of each entry among them (np.unique
    with its inverse, faster: np.unique argsorts, slow on 64-bit keys; a plain sort and a binary
    search are not), as 32-bit integers where they fit, looked up a slice at a time."""
    distinct = np.sort(hashes)
    distinct = distinct[np.r_[True, distinct[1:] != distinct[:-1]]] if len(distinct) else distinct
    ids = np.empty(len(hashes), dtype=np.int32 if len(distinct) < 2**31 else np.int64)
    for start in range(0, len(hashes), _SLICE):
        ids[start : start + _SLICE] = np.searchsorted(distinct, hashes[start : start + _SLICE])
    return distinct, ids


def number_words(vocabulary: np.ndarray, stems: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Ids of `stems` (64-bit hashes) in `vocabulary` (id -> hash), which is extended with the
    ones it lacks, numbered on from its end by hash order: (the new vocabulary, the ids)."""
    if not len(vocabulary):
        return _dense_ids(stems)
    order = np.argsort(vocabulary)
    known = vocabulary[order]
    ids = np.empty(len(stems), dtype=np.int64)
    missing = np.zeros(len(stems), dtype=bool)
    for start in range(0, len(stems), _SLICE):
        part = stems[start : start + _SLICE]
        at = np.minimum(np.searchsorted(known, part), len(known) - 1)
        hit = known[at] == part
        ids[start : start + _SLICE] = np.where(hit, order[at], -1)
        missing[start : start + _SLICE] = ~hit
    if missing.any():
        new = np.unique(stems[missing])
        ids[missing] = len(vocabulary) + np.searchsorted(new, stems[missing])
        vocabulary = np.concatenate([vocabulary, new])
    return vocabulary, ids.astype(np.int32 if len(vocabulary) < 2**31 else np.int64)
