"""Live preview at archive scale: save an article -> the reloaded page in a real browser.

    .venv/bin/python benchmarks/bench_preview.py [-n 10000] [--edits 20] [--archive DIR]

Builds a generated archive (../shared/bench/gen_corpus.py) unless --archive names one already
built, times a full build (--clean), a no-change build and a one-file build from the command line,
then starts `newsarchive serve`, opens an article page in headless Chromium and edits that
article's title on disk `--edits` times the way editors save (a temp file renamed over the
record). Each sample is the time from the rename to the page showing the new title after its
automatic update (its new body swapped in, or a full reload). Prints p50/p95, and the command-line figures as ratios to the full build.
"""

from __future__ import annotations

import argparse
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

GEN = Path(__file__).resolve().parents[2] / "shared" / "bench" / "gen_corpus.py"
CHROMIUM = Path("/usr/bin/chromium")
CLI = [sys.executable, "-m", "generator"]


def _timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


def _archive(n: int, work: Path) -> Path:
    root = work / f"archive-{n}"
    subprocess.run(
        [sys.executable, str(GEN), "-n", str(n), "-o", str(work / "gen"), "--layout", "raw"],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    (root / "content").mkdir(parents=True)
    shutil.move(str(work / "gen" / "raw"), root / "content" / "raw")
    (root / "newsarchive.toml").write_text('title = "Bench"\nbase_url = "https://example.org/"\n')
    return root


def _set_title(record: Path, title: str) -> None:
    """Replace the title line the way an editor saves: write a temp file, rename it over."""
    lines = record.read_text(encoding="utf-8").split("\n")
    index = next(i for i, line in enumerate(lines) if line.startswith("title: "))
    lines[index] = f"title: {title}"
    tmp = record.with_name(f".{record.name}.swp")
    tmp.write_text("\n".join(lines), encoding="utf-8")
    tmp.replace(record)


def _preview_latency(root: Path, edits: int) -> tuple[list[float], int]:
    from playwright.sync_api import sync_playwright

    port = _free_port()
    server = subprocess.Popen(
        [*CLI, "--root", str(root), "serve", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 900
        while True:
            try:
                urllib.request.urlopen(base, timeout=2).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("the preview server did not start") from None
                time.sleep(0.5)
        records = sorted((root / "content" / "articles").glob("*.md"))
        record = records[len(records) // 2]
        slug = record.stem
        samples: list[float] = []
        navigations = 0
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"]
            )
            page = browser.new_page()
            page.goto(f"{base}articles/{slug}/")
            page.wait_for_function("typeof EventSource !== 'undefined'")
            time.sleep(1.0)  # the reload stream is connected
            for number in range(edits):
                title = f"Edited title number {number} {time.time_ns()}"
                origin = page.evaluate("performance.timeOrigin")
                start = time.perf_counter()
                _set_title(record, title)
                page.wait_for_function(
                    "t => document.querySelector('h1') && document.querySelector('h1')"
                    ".textContent.includes(t)",
                    arg=title,
                    timeout=60_000,
                    polling=5,
                )
                samples.append(time.perf_counter() - start)
                # A new time origin means a full reload; the same one, a body swapped in place.
                navigations += page.evaluate("performance.timeOrigin") != origin
                time.sleep(1.0)  # an editor's pace between saves
            browser.close()
        return samples, navigations
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=10000, help="articles to generate")
    parser.add_argument("--edits", type=int, default=20)
    parser.add_argument("--archive", type=Path, help="an archive to use instead of generating one")
    parser.add_argument(
        "--preview-only", action="store_true", help="skip the command-line builds (built archive)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-preview-") as tmp:
        root = args.archive or _archive(args.n, Path(tmp))
        n = len(list((root / "content" / "raw").glob("*")))
        print(f"archive: {root} ({n} raw inputs)")
        if not args.preview_only:
            _command_line_builds(root)
        samples, navigations = _preview_latency(root, args.edits)
        p50, p95 = _percentiles(samples)
        print(
            f"save -> updated page   p50 {p50 * 1000:6.0f} ms  p95 {p95 * 1000:6.0f} ms  "
            f"max {max(samples) * 1000:6.0f} ms  over {len(samples)} edits "
            f"({len(samples) - navigations} swapped in place, {navigations} full reloads)"
        )


def _command_line_builds(root: Path) -> None:
    full = _timed([*CLI, "--root", str(root), "build", "--clean"])
    no_change = _timed([*CLI, "--root", str(root), "build"])
    record = sorted((root / "content" / "articles").glob("*.md"))[0]
    _set_title(record, f"One-file build {time.time_ns()}")
    one_file = _timed([*CLI, "--root", str(root), "build"])
    print(f"full build (--clean)   {full:8.2f} s")
    print(f"no-change build        {no_change:8.2f} s  ({no_change / full:.1%} of full)")
    print(f"one-file build         {one_file:8.2f} s  ({one_file / full:.1%} of full)")


if __name__ == "__main__":
    main()
