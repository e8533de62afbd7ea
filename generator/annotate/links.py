"""Stage annotate (results): the records the archive-level stage returns, in a module of their own.

Kept apart from dedupe and related (numpy, scipy) so that reading a cached result, or a stored
plan that holds one, imports nothing heavy.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Relation = Literal["near-duplicate", "spun-copy-of", "original-of"]
Basis = Literal["text", "names"]


@dataclass(frozen=True, slots=True)
class DuplicateLink:
    """One article's link to another: which, how similar, and which of the two came first."""

    slug: str
    similarity: float
    relation: Relation
    basis: Basis


@dataclass(frozen=True, slots=True)
class ArchiveAnnotation:
    duplicates: tuple[DuplicateLink, ...]
    related: tuple[str, ...]
