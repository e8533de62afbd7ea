"""Fixtures for the preview tests: a running preview of a small archive (seeds plus one story)."""

from __future__ import annotations

import io
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator.cli import main
from generator.serve.preview import Preview, start_preview

from ..conftest import REPO, free_port, seed_paths


@pytest.fixture
def preview(tmp_path: Path) -> Iterator[Preview]:
    assert main(["init", str(tmp_path)], out=io.StringIO()) == 0
    for seed in seed_paths():
        shutil.copy(seed, tmp_path / "content" / "raw" / seed.name)
    (tmp_path / "content" / "raw" / "story.txt").write_text(
        "A Quiet Story\n\nNothing much happened in the town today.\n"
    )
    running = start_preview(tmp_path, "127.0.0.1", free_port())
    yield running
    running.stop()


@pytest.fixture
def sample_preview(tmp_path: Path) -> Iterator[Preview]:
    """A running preview (watching) of a copy of the repository's sample archive."""
    shutil.copytree(REPO / "content" / "raw", tmp_path / "content" / "raw")
    running = start_preview(tmp_path, "127.0.0.1", free_port())
    yield running
    running.stop()
