"""The team's seeds, their gold expectations and the real data sets in ../shared.

This folder is collected only when ../shared is beside the checkout (tests/conftest.py), so these
fixtures fail rather than skip when a file in it is missing: CI has ../shared, and a missing seed
there is a broken acceptance run, not a reason to pass quietly.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ..conftest import SHARED

SEEDS = SHARED / "seeds"
GOLD = SHARED / "gold" / "seeds.json"
EXTRACTION_TRUTH = SHARED / "data" / "article-extraction-benchmark" / "ground-truth.json"
# The gold file's names for the two seeds: 000 is an original report, 003 a spun report of a
# related event (related to 000, not a copy of it).
ORIGINAL, SPUN = "000_d2b7a593c18f1d68.txt", "003_0aeb352d896ecfe6.txt"


def seed_paths() -> list[Path]:
    """The team's seed articles (../shared/seeds)."""
    paths = sorted(SEEDS.glob("*.txt"))
    assert paths, f"no seed articles in {SEEDS}"
    return paths


@pytest.fixture(scope="session")
def gold() -> dict[str, Any]:
    """The gold expectations of every seed, by seed file name."""
    return dict(json.loads(GOLD.read_text(encoding="utf-8"))["cases"])


@pytest.fixture(scope="session")
def seeds() -> dict[str, str]:
    """Seed texts by number ("000", "003")."""
    texts = {p.name[:3]: p.read_text(encoding="utf-8") for p in seed_paths()}
    assert {"000", "003"} <= texts.keys(), f"seeds 000 and 003 are not in {SEEDS}"
    return texts


@pytest.fixture(scope="session")
def real_bodies() -> list[tuple[str, str]]:
    """(title, body) of the 181 human-cleaned pages of the article-extraction benchmark."""
    data = json.loads(EXTRACTION_TRUTH.read_text(encoding="utf-8"))
    return [(v.get("title") or "", v["articleBody"]) for _, v in sorted(data.items())]
