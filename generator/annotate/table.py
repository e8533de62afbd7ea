"""Stage annotate (archive input): many ArticleFeatures -> one FeatureTable, column by column.

The archive-level stage reads every article's features at once. Held as one object per article
they cost time three ways: made from the cache file row by row, joined back into arrays for the
product, and numbered word by word (a sort and a binary search over every word of the archive).
A FeatureTable keeps them as the arrays that stage reads, with each word already numbered by the
table's vocabulary; an edit drops a few rows and appends a few, so a build after it touches only
those (tables of 10,000 articles: about 3 million words).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from generator.annotate.columns import (
    RelatedColumns,
    count_dtype,
    drained,
    id_dtype,
    number_words,
)
from generator.annotate.dedupe import NUM_PERM, SignatureColumns
from generator.annotate.features import ArticleFeatures
from generator.annotate.related import word_feature


@dataclass(frozen=True, slots=True)
class FeatureTable:
    """The features of many articles, row i for one article; `vocabulary[id]` is the 64-bit stem
    hash of word id `id` (ids of words no row uses any more may linger until compacted())."""

    signatures: SignatureColumns
    related: RelatedColumns
    vocabulary: np.ndarray  # uint64

    @classmethod
    def empty(cls) -> FeatureTable:
        return cls.of([])

    @classmethod
    def of(cls, features: Sequence[ArticleFeatures]) -> FeatureTable:
        related, vocabulary = RelatedColumns.numbered(
            [f.related for f in features], np.empty(0, dtype=np.uint64)
        )
        return cls(SignatureColumns.of([f.signature for f in features]), related, vocabulary)

    def joined(self, other: FeatureTable, keep: np.ndarray | None = None) -> FeatureTable:
        """The rows where the boolean mask `keep` is True (all when None), then other's rows
        (their words renumbered into this table's vocabulary), copied once."""
        if not len(other):
            return self if keep is None else self.select(keep)
        if not len(self):
            return other
        vocabulary, renumber = number_words(self.vocabulary, other.vocabulary)
        o = other.related
        theirs = RelatedColumns(renumber[o.words], o.counts, o.lengths, o.entities, o.entity_counts)
        rows = np.ones(len(self), dtype=bool) if keep is None else keep
        return FeatureTable(
            self.signatures.joined(rows, other.signatures),
            self.related.joined(rows, theirs, id_dtype(len(vocabulary))),
            vocabulary,
        )

    def __len__(self) -> int:
        return len(self.signatures)

    def extended(self, features: Sequence[ArticleFeatures]) -> FeatureTable:
        """These rows, then one per features (words numbered on this table's vocabulary)."""
        if not features:
            return self
        if not len(self):
            return FeatureTable.of(features)
        added, vocabulary = RelatedColumns.numbered([f.related for f in features], self.vocabulary)
        return FeatureTable(
            self.signatures.concat(SignatureColumns.of([f.signature for f in features])),
            self.related.concat(added),
            vocabulary,
        )

    def select(self, rows: np.ndarray) -> FeatureTable:
        """The rows where the boolean mask `rows` is True, in order (itself when all are: a full
        build's table, made while loading, is not copied)."""
        if rows.all():
            return self
        return FeatureTable(
            self.signatures.select(rows), self.related.select(rows), self.vocabulary
        )

    def take(self, rows: Sequence[int]) -> FeatureTable:
        """The rows at these indexes, in that order (an index may repeat)."""
        return FeatureTable(self.signatures.take(rows), self.related.take(rows), self.vocabulary)

    def compacted(self) -> FeatureTable:
        """The same rows with a vocabulary of the words they use only."""
        words = self.related.words
        used = np.bincount(words, minlength=len(self.vocabulary)) > 0 if len(words) else None
        if used is None or used.all():
            return self
        renumber = np.cumsum(used) - 1
        related = self.related
        return FeatureTable(
            self.signatures,
            RelatedColumns(
                renumber[words].astype(id_dtype(int(used.sum()))),
                related.counts,
                related.lengths,
                related.entities,
                related.entity_counts,
            ),
            self.vocabulary[used],
        )

    def document_frequency(self) -> Callable[[str], int | None]:
        """How many rows use a word (related.word_feature), None for a word that is no feature.

        Worked out on the first call (a sort of the vocabulary), then a binary search a word.
        """
        table: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []

        def frequency(word: str) -> int | None:
            feature = word_feature(word)
            if feature is None:
                return None
            if not table:
                counts = np.bincount(self.related.words, minlength=len(self.vocabulary))
                order = np.argsort(self.vocabulary)
                table.append((self.vocabulary[order], order, counts))
            known, order, counts = table[0]
            at = int(np.searchsorted(known, np.uint64(feature)))
            if at < len(known) and int(known[at]) == feature:
                return int(counts[order[at]])
            return 0

        return frequency

    def pack(self) -> dict[str, Any]:
        """Plain arrays, str and list (for pickle); unpack() reads them back."""
        s, r = self.signatures, self.related
        return {
            "text": s.text,
            "text_sizes": s.text_sizes,
            "names": s.names,
            "names_sizes": s.names_sizes,
            "words": r.words,
            "counts": r.counts,
            "lengths": r.lengths,
            "entities": r.entities,
            "entity_counts": r.entity_counts,
            "vocabulary": self.vocabulary,
        }

    @classmethod
    def unpack(cls, data: dict[str, Any]) -> FeatureTable:
        """Raises ValueError when the columns do not fit together (a damaged cache)."""
        table = cls(
            SignatureColumns(data["text"], data["text_sizes"], data["names"], data["names_sizes"]),
            RelatedColumns(
                data["words"],
                data["counts"],
                data["lengths"],
                list(data["entities"]),
                data["entity_counts"],
            ),
            data["vocabulary"],
        )
        table.check()
        return table

    def check(self) -> None:
        """Raises ValueError when the columns do not fit together."""
        s, r = self.signatures, self.related
        rows = len(s.text_sizes)
        shapes_fit = (
            s.text.shape == (rows, NUM_PERM)
            and s.names.shape == (rows, NUM_PERM)
            and len(s.names_sizes) == len(r.lengths) == len(r.entity_counts) == rows
            and len(r.words) == len(r.counts) == int(r.lengths.sum())
            and len(r.entities) == int(r.entity_counts.sum())
        )
        if not shapes_fit:
            raise ValueError("feature table: columns of different lengths")
        if len(r.words) and not (
            0 <= int(r.words.min()) <= int(r.words.max()) < len(self.vocabulary)
        ):
            raise ValueError("feature table: word ids outside the vocabulary")


class TableBuilder:
    """A FeatureTable made a batch of articles at a time, as workers hand their features back,
    so that no article's features outlive its batch as objects (100,000 articles' would take
    about 0.5 GB): words are numbered against a vocabulary kept sorted, and each column is
    joined once at the end, its batches let go as they are copied."""

    def __init__(self) -> None:
        self._sorted: np.ndarray = np.empty(0, dtype=np.uint64)  # every stem seen, hash order
        self._sorted_ids: np.ndarray = np.empty(0, dtype=np.int64)  # the id of each
        self._rows = 0
        self._names: list[str] = []
        # Column name -> its batches, in order (stems: the new ones of each batch, in id order).
        self._parts: dict[str, list[np.ndarray]] = {
            name: []
            for name in (
                "stems",
                "text",
                "text_sizes",
                "names",
                "names_sizes",
                "words",
                "counts",
                "lengths",
                "entity_counts",
            )
        }

    def __len__(self) -> int:
        return self._rows

    def add(self, features: Sequence[ArticleFeatures]) -> None:
        """Append one row per features, in order."""
        if not features:
            return
        signatures = SignatureColumns.of([f.signature for f in features])
        # Numbered within the batch first: its ids are places in `local`, its stems in order.
        related, local = RelatedColumns.numbered(
            [f.related for f in features], np.empty(0, dtype=np.uint64)
        )
        at = np.searchsorted(self._sorted, local)
        hit = np.zeros(len(local), dtype=bool)
        inside = at < len(self._sorted)
        hit[inside] = self._sorted[at[inside]] == local[inside]
        ids = np.empty(len(local), dtype=np.int64)
        ids[hit] = self._sorted_ids[at[hit]]
        first = len(self._sorted)
        ids[~hit] = np.arange(first, first + int((~hit).sum()))
        self._sorted = np.insert(self._sorted, at[~hit], local[~hit])
        self._sorted_ids = np.insert(self._sorted_ids, at[~hit], ids[~hit])
        kind = id_dtype(len(self._sorted))  # holds this batch's ids (the final type, any later)
        parts = self._parts
        parts["stems"].append(local[~hit])
        parts["text"].append(signatures.text)
        parts["text_sizes"].append(signatures.text_sizes)
        parts["names"].append(signatures.names)
        parts["names_sizes"].append(signatures.names_sizes)
        parts["words"].append(ids.astype(kind)[related.words])
        counts = related.counts
        parts["counts"].append(counts.astype(count_dtype(int(counts.max()) if len(counts) else 1)))
        parts["lengths"].append(related.lengths)
        parts["entity_counts"].append(related.entity_counts)
        # The same names, article after article: one string each.
        self._names.extend(map(sys.intern, related.entities))
        self._rows += len(features)

    def table(self) -> FeatureTable:
        """Every row added, as one table; the builder is emptied."""
        parts = self._parts
        vocabulary = drained(parts["stems"], np.uint64)
        self._sorted, self._sorted_ids = np.empty(0, np.uint64), np.empty(0, np.int64)
        kind = id_dtype(len(vocabulary))
        largest = max((int(c.max()) for c in parts["counts"] if len(c)), default=1)
        names, self._names, self._rows = self._names, [], 0
        return FeatureTable(
            SignatureColumns(
                drained(parts["text"], np.uint32, NUM_PERM),
                drained(parts["text_sizes"], np.int64),
                drained(parts["names"], np.uint32, NUM_PERM),
                drained(parts["names_sizes"], np.int64),
            ),
            RelatedColumns(
                drained(parts["words"], kind),
                drained(parts["counts"], count_dtype(largest)),
                drained(parts["lengths"], np.int64),
                names,
                drained(parts["entity_counts"], np.int64),
            ),
            vocabulary,
        )
