"""Fixtures for the preview tests: a running preview of the sample archive plus one story."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator.cli import main
from generator.serve.preview import Preview, start_preview

from ..conftest import copy_sample_archive, free_port


@pytest.fixture
def preview(tmp_path: Path) -> Iterator[Preview]:
    assert main(["init", str(tmp_path)], out=io.StringIO()) == 0
    copy_sample_archive(tmp_path)
    (tmp_path / "content" / "raw" / "story.txt").write_text(
        "A Quiet Story\n\nNothing much happened in the town today.\n"
    )
    running = start_preview(tmp_path, "127.0.0.1", free_port())
    yield running
    running.stop()


@pytest.fixture
def sample_preview(tmp_path: Path) -> Iterator[Preview]:
    """A running preview (watching) of a copy of the repository's sample archive."""
    copy_sample_archive(tmp_path)
    running = start_preview(tmp_path, "127.0.0.1", free_port())
    yield running
    running.stop()
