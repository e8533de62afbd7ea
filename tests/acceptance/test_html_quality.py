"""HTML extraction on real pages (../shared/data), through `newsarchive ingest`, against trafilatura
on the same pages: a sample of WCXB dev and all of ScrapingHub-181. The full figures come from
benchmarks/quality.py, whose harness this reuses."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

import pytest

QUALITY = Path(__file__).parents[2] / "benchmarks" / "quality.py"


@pytest.fixture(scope="module")
def quality() -> Any:
    spec = importlib.util.spec_from_file_location("quality", QUALITY)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["quality"] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_wcxb_sample_beats_trafilatura_defaults(quality: Any, tmp_path: Path) -> None:
    pages = quality.load_wcxb(None)[::8]  # 100 of the 793 pages, spread over the split
    ours = quality.run_newsarchive(pages, tmp_path / "archive")
    default, _, _ = quality.run_trafilatura(pages, 2)
    mine, theirs = quality.score(ours, pages, "wcxb"), quality.score(default, pages, "wcxb")
    assert mine.f1 >= theirs.f1
    assert mine.rejected <= theirs.rejected
    # trafilatura's metadata on these pages: title 0.5, date 0.8, author 0.7
    assert mine.title >= max(0.8, theirs.title)
    assert mine.date >= theirs.date
    assert mine.author >= max(0.75, theirs.author)
    assert ours.records_small >= 0.98


@pytest.mark.slow
def test_scrapinghub_articles_keep_their_f1(quality: Any, tmp_path: Path) -> None:
    pages = quality.load_scrapinghub(None)
    ours = quality.run_newsarchive(pages, tmp_path / "archive")
    scores = quality.score(ours, pages, "scrapinghub")
    assert scores.rejected == 0
    assert scores.f1 >= 0.965
