"""Unique slugs: the same answers as trying base, base-2, base-3... in turn, in O(1) each."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator.render.catalog import Entry, _unique_slugs
from generator.slugs import UniqueSlugs


def _naive(bases: list[str], taken: set[str]) -> list[str]:
    out = []
    for base in bases:
        slug, n = base, 2
        while slug in taken:
            slug = f"{base}-{n}"
            n += 1
        taken.add(slug)
        out.append(slug)
    return out


@given(
    taken=st.sets(st.sampled_from(["a", "a-2", "a-3", "a-2-2", "b", "b-4"])),
    bases=st.lists(st.sampled_from(["a", "a-2", "b", "b-3", "c"]), max_size=40),
)
def test_claims_equal_the_naive_search(taken: set[str], bases: list[str]) -> None:
    slugs = UniqueSlugs(taken)
    assert [slugs.claim(b) for b in bases] == _naive(bases, set(taken))


@pytest.mark.timeout(60)
def test_twenty_thousand_inputs_with_one_headline_take_linear_time() -> None:
    """The build's slug pass over 20,000 records with one slug (before: 200 million lookups)."""
    entries = [
        Entry("same-title", f"/a/{n}.md", None, (), (), (), (), 0, False, 0.0, "c", "r", "s")
        for n in range(20_000)
    ]
    problems: list[object] = []
    unique, renamed = _unique_slugs(entries, problems)  # type: ignore[arg-type]
    assert [e.slug for e in unique][:3] == ["same-title", "same-title-2", "same-title-3"]
    assert unique[-1].slug == "same-title-20000"
    assert len({e.slug for e in unique}) == 20_000 and len(renamed) == 19_999
