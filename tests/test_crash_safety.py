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

from generator.cli import main
from generator.render.load import load_article
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


def _processes_mentioning(text: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if text in cmdline:
                found.append(int(entry.name))
    return found


@pytest.mark.skipif(not Path("/proc/self/cmdline").exists(), reason="needs Linux /proc")
def test_a_killed_build_leaves_no_worker_behind_holding_the_lock(tmp_path: Path) -> None:
    """Forked workers of a killed build die with it; the next build gets the lock at once."""
    assert main(["init", str(tmp_path)], out=io.StringIO()) == 0
    raw = tmp_path / "content" / "raw"
    rng = random.Random(7)
    for i in range(400):  # enough for the ingest stage's process pool
        words = " ".join(rng.choice(WORDS) for _ in range(300))
        (raw / f"piece-{i:03d}.txt").write_text(f"Piece {i}\n\nThe {words}.\n")
    root = str(tmp_path)
    process = subprocess.Popen(
        [sys.executable, "-m", "generator", "--root", root, "build"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while len(_processes_mentioning(root)) < 2 and time.monotonic() < deadline:
        time.sleep(0.02)  # wait until the build has forked its workers
    assert process.poll() is None, "the build ended before it started any worker"
    assert len(_processes_mentioning(root)) >= 2
    process.send_signal(signal.SIGKILL)
    process.wait()
    deadline = time.monotonic() + 10
    while _processes_mentioning(root) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _processes_mentioning(root) == [], "workers outlived the killed build"
    done = subprocess.run(
        [sys.executable, "-m", "generator", "--root", root, "build"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "waiting" not in done.stderr.lower()
