"""SIGKILL a build at random points: site/ is always a complete site, records are never half-written."""

from __future__ import annotations

import io
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from generator.build.load import load_article
from generator.cli import main
from generator.search.whoosh_index import search

pytestmark = pytest.mark.slow
WORDS = [
    "harbour",
    "council",
    "budget",
    "river",
    "school",
    "ferry",
    "market",
    "bridge",
    "storm",
    "vote",
    "mayor",
    "union",
    "rail",
    "port",
]


def _snapshot(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}


def _write_inputs(raw: Path, rng: random.Random, round_: int) -> None:
    for i in range(60):
        words = " ".join(rng.choice(WORDS) for _ in range(120))
        (raw / f"story-{i:03d}.txt").write_text(
            f"Story {i} Round {round_ if i == 0 else 0}\n\nThe {words}.\n"
        )


def test_killed_builds_never_leave_a_broken_site_or_record(tmp_path: Path) -> None:
    rng = random.Random(20261124)
    assert main(["init", str(tmp_path)], out=io.StringIO()) == 0
    raw = tmp_path / "content" / "raw"
    _write_inputs(raw, rng, 0)
    assert main(["--root", str(tmp_path), "build"], out=io.StringIO()) == 0
    site = tmp_path / "site"
    command = [sys.executable, "-m", "generator", "--root", str(tmp_path), "build"]
    env = {**os.environ, "CI": "1"}
    killed = 0
    for round_ in range(1, 21):
        before = _snapshot(site)
        _write_inputs(raw, rng, round_)  # article 0 changes every round
        process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env
        )
        time.sleep(rng.uniform(0.05, 1.5))
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            killed += 1
        process.wait()
        after_kill = _snapshot(site)
        for path in (tmp_path / "content" / "articles").glob("*.md"):
            load_article(path, tmp_path / "content" / "articles")  # raises on a partial file
        assert search(tmp_path / ".build" / "whoosh", "harbour OR council").total >= 1
        assert main(["--root", str(tmp_path), "build"], out=io.StringIO(), err=io.StringIO()) == 0
        complete = _snapshot(site)
        assert after_kill in (before, complete), (
            f"round {round_}: site was neither the old nor the new build"
        )
    assert killed >= 10  # most runs really were killed mid-way
    leftovers = [p.name for p in tmp_path.iterdir() if ".staging-" in p.name or ".old-" in p.name]
    assert leftovers == []
