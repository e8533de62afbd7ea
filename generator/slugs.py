"""Unique slugs: a base slug -> the first free one of base, base-2, base-3... in constant time.

Asking for each candidate in turn from 2 upwards made 20,000 inputs with one headline cost
200 million set lookups (39 s at ingest alone); remembering where each base got to makes
each claim O(1) amortised, with the same answers in the same order.
"""

from __future__ import annotations

from collections.abc import Iterable


class UniqueSlugs:
    """Slugs in use, handing out free ones."""

    def __init__(self, taken: Iterable[str] = ()) -> None:
        self.taken = set(taken)
        self._next: dict[str, int] = {}

    def __contains__(self, slug: str) -> bool:
        return slug in self.taken

    def add(self, slug: str) -> None:
        self.taken.add(slug)

    def free(self, base: str) -> str:
        """The first of base, base-2, base-3... not in use (not claimed: see claim)."""
        if base not in self.taken:
            return base
        n = self._next.get(base, 2)
        while f"{base}-{n}" in self.taken:
            n += 1
        self._next[base] = n
        return f"{base}-{n}"

    def claim(self, base: str) -> str:
        """free(base), now in use."""
        slug = self.free(base)
        self.taken.add(slug)
        return slug
