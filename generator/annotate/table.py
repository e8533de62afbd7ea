"""Stage annotate (archive input): many ArticleFeatures -> one FeatureTable, column by column.

The archive-level stage reads every article's features at once. Held as one object per article
they cost time three ways: made from the cache file row by row, joined back into arrays for the
product, and numbered word by word (a sort and a binary search over every word of the archive).
A FeatureTable keeps them as the arrays that stage reads, with each word already numbered by the
table's vocabulary; an edit drops a few rows and appends a few, so a build after it touches only
those (tables of 10,000 articles: about 3 million words).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from generator.annotate.dedupe import NUM_PERM, SignatureColumns
from generator.annotate.features import ArticleFeatures
from generator.annotate.related import RelatedColumns


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
        """The rows where the boolean mask `rows` is True, in order."""
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
                renumber[words].astype(words.dtype),
                related.counts,
                related.lengths,
                related.entities,
                related.entity_counts,
            ),
            self.vocabulary[used],
        )

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
