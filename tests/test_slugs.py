"""Unique slugs: the same answers as trying base, base-2, base-3... in turn, in O(1) each."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator.cli import main
from generator.frontmatter import split_front_matter
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


def test_a_later_ingest_keeps_slugs_unique_across_runs(tmp_path: Path) -> None:
    """Same-headline inputs ingested over two runs: each record keeps its own slug. (The scan
    cache once kept the slug as extracted, 'city-budget', for city-budget-2.md, so the next
    run handed 'city-budget-2' out again.)"""
    root = tmp_path / "archive"
    assert main(["init", str(root)], out=io.StringIO()) == 0
    raw = root / "content" / "raw"
    story = "The council approved the city budget on Tuesday after a long debate about roads."
    for name in ("a.txt", "b.txt"):
        (raw / name).write_text(f"City Budget\n\n{story}\n", encoding="utf-8")
    assert main(["--root", str(root), "ingest"], out=io.StringIO(), err=io.StringIO()) == 0
    (raw / "c.txt").write_text(f"City Budget\n\n{story} Again.\n", encoding="utf-8")
    assert main(["--root", str(root), "ingest"], out=io.StringIO(), err=io.StringIO()) == 0
    slugs = {}
    for path in (root / "content" / "articles").glob("*.md"):
        data, _, _ = split_front_matter(path.read_text(encoding="utf-8"), path)
        slugs[path.name] = data["slug"]
    assert slugs == {
        "city-budget.md": "city-budget",
        "city-budget-2.md": "city-budget-2",
        "city-budget-3.md": "city-budget-3",
    }
