"""Ingest throughput on a generated corpus: plain text and Markdown inputs, with a same-run baseline.

    .venv/bin/python benchmarks/bench_ingest.py [-n 1000]

Generates articles with ../shared/bench/gen_corpus.py (deterministic), writes them as .txt (headline,
byline, date line, paragraphs, a junk tail) and as .md, then times `run_ingest` from a cold
content/articles/. The baseline is reading and splitting the same files into lines, measured in the
same run, so the ratio says how much work ingest adds per byte on this (noisy, shared) machine.
CPU seconds (user + system, the pool's workers included) are steadier than wall seconds there.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from generator.config import load_config
from generator.pipeline import run_ingest

GEN = Path(__file__).resolve().parents[2] / "shared" / "bench" / "gen_corpus.py"
TAIL = "\nShare this:\nFacebook\nTwitter\n\nLeave a Reply\nYour email address will not be published. Required fields are marked *\n"


def _as_text(md: str) -> str:
    head, body = md.split("\n---\n", 1)
    title = re.search(r'^title: "(.*)"$', head, re.M)
    date = re.search(r"^date: (\d{4}-\d{2}-\d{2})", head, re.M)
    author = re.search(r'^authors: \["([^"]+)"', head, re.M)
    lines = [title.group(1) if title else "Untitled", ""]
    if author:
        lines.append(f"By {author.group(1)}")
    if date:
        lines.append(f"Published {date.group(1)}")
    return "\n".join(lines) + "\n\n" + body.strip() + "\n" + TAIL


def _baseline(paths: list[Path]) -> float:
    start = time.perf_counter()
    for path in paths:
        path.read_bytes().decode("utf-8").splitlines()
    return time.perf_counter() - start


def _time_ingest(root: Path) -> tuple[float, float]:
    """(wall seconds, CPU seconds: user + system of this process and the workers it reaped)."""
    shutil.rmtree(root / "content" / "articles", ignore_errors=True)
    config = load_config(root)
    before, start = os.times(), time.perf_counter()
    report = run_ingest(config)
    after, elapsed = os.times(), time.perf_counter() - start
    assert not report.problems, report.problems[:3]
    cpu = sum(
        getattr(after, f) - getattr(before, f)
        for f in ("user", "system", "children_user", "children_system")
    )
    return elapsed, cpu


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=1000)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-ingest-"))
    try:
        subprocess.run(
            [
                sys.executable,
                str(GEN),
                "-n",
                str(args.n),
                "-o",
                str(work / "gen"),
                "--layout",
                "raw",
            ],
            check=True,
            capture_output=True,
        )
        sources = sorted((work / "gen" / "raw").glob("*.md"))
        for kind in ("txt", "md"):
            raw = work / kind / "content" / "raw"
            raw.mkdir(parents=True)
            for src in sources:
                text = src.read_text(encoding="utf-8")
                (raw / f"{src.stem}.{kind}").write_text(
                    _as_text(text) if kind == "txt" else text, encoding="utf-8"
                )
        print(
            f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
        )
        print(
            f"{'input':<6} {'articles':>8} {'seconds':>8} {'CPU s':>8} {'art/s':>8} {'x baseline':>11}"
        )
        for kind in ("txt", "md"):
            root = work / kind
            paths = sorted((root / "content" / "raw").iterdir())
            base = _baseline(paths)
            seconds, cpu = _time_ingest(root)
            print(
                f"{kind:<6} {len(paths):>8} {seconds:>8.2f} {cpu:>8.2f} "
                f"{len(paths) / seconds:>8.0f} {seconds / base:>11.0f}"
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
