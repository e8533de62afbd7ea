"""Stage annotate (results): the records the archive-level stage returns, in a module of their own.

Kept apart from dedupe and related (numpy, scipy) so that reading a cached result, or a stored
plan that holds one, imports nothing heavy.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Relation = Literal["near-duplicate", "spun-copy-of", "original-of"]
Basis = Literal["text", "names"]


@dataclass(frozen=True, slots=True)
class Swap:
    """A spinner's substitution: the copy's wording, the original's, and the copy's text just
    before and after it (to find this occurrence again on the copy's page)."""

    spun: str
    original: str
    prefix: str
    suffix: str


@dataclass(frozen=True, slots=True)
class DuplicateLink:
    """One article's link to another: which, how similar, and which of the two came first.

    For a spun pair, `swaps` lists the substitutions (copy -> original, anchored in the copy);
    only_here / only_there count the words of this article the other lacks and the other way
    round (what a desk cut or added), when the two texts were aligned.
    """

    slug: str
    similarity: float
    relation: Relation
    basis: Basis
    swaps: tuple[Swap, ...] = ()
    only_here: int = 0
    only_there: int = 0


@dataclass(frozen=True, slots=True)
class ArchiveAnnotation:
    duplicates: tuple[DuplicateLink, ...]
    related: tuple[str, ...]


def pack_annotations(result: dict[str, ArchiveAnnotation]) -> list[Any]:
    """The result as plain tuples: several times faster to pickle and unpickle than dataclasses."""
    return [
        (
            slug,
            a.related,
            [
                (
                    d.slug,
                    d.similarity,
                    d.relation,
                    d.basis,
                    [(s.spun, s.original, s.prefix, s.suffix) for s in d.swaps],
                    d.only_here,
                    d.only_there,
                )
                for d in a.duplicates
            ],
        )
        for slug, a in result.items()
    ]


def unpack_annotations(packed: list[Any]) -> dict[str, ArchiveAnnotation]:
    """pack_annotations read back."""
    return {
        slug: ArchiveAnnotation(
            tuple(
                DuplicateLink(
                    target,
                    similarity,
                    relation,
                    basis,
                    tuple(Swap(*s) for s in swaps),
                    only_here,
                    only_there,
                )
                for target, similarity, relation, basis, swaps, only_here, only_there in duplicates
            ),
            tuple(related),
        )
        for slug, related, duplicates in packed
    }
