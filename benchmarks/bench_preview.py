"""The editor's loop, measured as an editor lives it: save a record -> the new page is served,
and -> the open page's DOM shows it in Chromium.

    .venv/bin/python benchmarks/bench_preview.py [--size sample] [--size 10000] [--saves 50]
        [--pace 1.0] [--repeat 1] [--workdir DIR] [--baseline REV] [--no-browser]

For each size (`sample`: a copy of this repository's content/raw/; a number: that many articles
from ../shared/bench/gen_corpus.py) the archive is built once (kept in --workdir when given, so a
second run starts at once), then a real `newsarchive serve` is started on it and one record's
title is edited `--saves` times, `--pace` seconds apart (an editor's pace; every save also starts
a full pass, so at 10,000 articles one is running behind nearly every sample). Saves rotate
between the three ways editors write a file: a temp file renamed over the record, the record
truncated and rewritten in place, and (as vim does) the record renamed to a backup and a new
file written in its place.

- served: from just before the save to the first HTTP response for the article's URL carrying
  the new title (one keep-alive connection polling every 5 ms);
- DOM: headless Debian Chromium shows the article page (live reload on); from just before the
  save to the moment the page's <h1> holds the new title, stamped in the page by a
  MutationObserver (Chrome's clock is aligned with ours after every sample, to within the
  round trip printed).

The first two saves of each phase are warm-up and not counted. Per phase it prints p50/p95/max,
how many samples had a full pass running (any CPU used by the server's child processes during
the sample), and the machine's load: the 1-minute load average and the share of both cores
busy (from /proc/stat) while the phase ran. --repeat runs each phase again and prints every run
and the spread. --baseline REV also measures the code of git revision REV (its generator/ and
templates/, exported to a temp folder) on its own copy of each archive, in the same run. Each
code runs from a snapshot taken at the start, so the checkout may change while this runs.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
GEN = REPO.parent / "shared" / "bench" / "gen_corpus.py"
CHROMIUM = Path("/usr/bin/chromium")
CONFIG = 'title = "Bench"\nbase_url = "https://example.org/"\n'
WARM_UP = 2
POLL = 0.005
# Stamps, in the page, the moment each <h1> text first appears (a body swapped in, or a reload).
STAMP_H1 = """
window.__h1 = [];
const mark = () => {
  const h = document.querySelector('h1');
  if (!h) return;
  const text = h.textContent;
  if (!window.__h1.some(e => e[0] === text)) window.__h1.push([text, performance.timeOrigin + performance.now()]);
};
new MutationObserver(mark).observe(document, {childList: true, subtree: true, characterData: true});
document.addEventListener('DOMContentLoaded', mark);
"""
FIND_H1 = "t => { for (const [text, at] of (window.__h1 || [])) if (text.includes(t)) return at; return null; }"


# --- saving the way editors do ---------------------------------------------------------------


def save_renamed(record: Path, data: bytes) -> None:
    """A temp file beside the record, renamed over it (most editors, `sed -i`, atomic writers)."""
    tmp = record.with_name(f".{record.name}.swp")
    tmp.write_bytes(data)
    tmp.replace(record)


def save_in_place(record: Path, data: bytes) -> None:
    """The record truncated and rewritten (VS Code, nano, `>` in a shell)."""
    with record.open("wb") as handle:
        handle.write(data)


def save_with_backup(record: Path, data: bytes) -> None:
    """The record renamed to a backup, a new file written, the backup deleted (vim's default)."""
    backup = record.with_name(record.name + "~")
    record.replace(backup)
    with record.open("wb") as handle:
        handle.write(data)
    backup.unlink()


SAVES: tuple[tuple[str, Callable[[Path, bytes], None]], ...] = (
    ("rename", save_renamed),
    ("in place", save_in_place),
    ("backup", save_with_backup),
)


def with_title(text: str, title: str) -> bytes:
    return re.sub(r"(?m)^title: .*$", f"title: {title}", text, count=1).encode("utf-8")


# --- the machine ------------------------------------------------------------------------------


def _busy_jiffies() -> tuple[int, int]:
    """(busy, total) jiffies of all cores since boot."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields) - idle, sum(fields)


@dataclass
class Load:
    """The machine while a phase ran: 1-minute load average at its end, share of cores busy."""

    start: tuple[int, int] = field(default_factory=_busy_jiffies)
    busy: float = 0.0
    loadavg: float = 0.0

    def stop(self) -> Load:
        busy, total = _busy_jiffies()
        self.busy = (busy - self.start[0]) / max(1, total - self.start[1])
        self.loadavg = os.getloadavg()[0]
        return self

    def __str__(self) -> str:
        return f"load {self.loadavg:.1f} on {os.cpu_count()} cores, {self.busy:.0%} busy"


def _descendants(pid: int) -> list[int]:
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parents[int(stat.parent.name)] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
    found, todo = [], [pid]
    while todo:
        parent = todo.pop()
        children = [child for child, p in parents.items() if p == parent]
        found += children
        todo += children
    return found


def _children_cpu(pid: int) -> int:
    """CPU ticks used so far by the server's descendants (the full pass and its workers)."""
    total = 0
    for child in _descendants(pid):
        try:
            fields = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += sum(int(v) for v in fields[11:15])  # utime stime cutime cstime
    return total


# --- one server ---------------------------------------------------------------------------------


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int
    log: Path

    def full_passes(self) -> int:
        return self.log.read_text(errors="replace").count("rebuilt")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving(root: Path, code: Path) -> Iterator[Server]:
    """`newsarchive serve` on `root`, running the code in `code`, until it answers."""
    # Run from the code's folder, with it first on the path: `python -m` puts the working folder
    # ahead of everything, and this checkout is installed in the venv (editable) as well.
    env = {**os.environ, "PYTHONPATH": str(code)}
    port = _free_port()
    log = root.parent / f"{root.name}.serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "generator", "--root", str(root), "serve", "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=code,
        )
    server = Server(process, port, log)
    try:
        deadline = time.monotonic() + 3600
        while "serving " not in log.read_text(errors="replace"):
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the preview server did not start:\n{log.read_text()}")
            time.sleep(0.2)
        yield server
    finally:
        process.terminate()
        process.wait(timeout=60)


# --- the two measurements -----------------------------------------------------------------------


@dataclass
class Phase:
    samples: list[float] = field(default_factory=list)
    ways: dict[str, list[float]] = field(default_factory=dict)
    behind_full_pass: int = 0
    reloads: int = 0
    clock_error: float = 0.0
    load: Load = field(default_factory=Load)


def _edits(record: Path, saves: int, label: str) -> Iterator[tuple[int, str, bytes]]:
    text = record.read_text(encoding="utf-8")
    for number in range(saves + WARM_UP):
        title = f"Edited {label} {number} {time.time_ns()}"
        yield number, title, with_title(text, title)


def _count(phase: Phase, number: int, way: str, seconds: float, behind: bool) -> None:
    if number < WARM_UP:
        return
    phase.samples.append(seconds)
    phase.ways.setdefault(way, []).append(seconds)
    phase.behind_full_pass += behind


def measure_served(server: Server, record: Path, url: str, saves: int, pace: float) -> Phase:
    phase = Phase()
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    for number, title, data in _edits(record, saves, "served"):
        way, save = SAVES[number % len(SAVES)]
        wanted = title.encode()
        cpu = _children_cpu(server.process.pid)
        start = time.perf_counter()
        save(record, data)
        while True:
            conn.request("GET", url)
            body = conn.getresponse().read()
            if wanted in body:
                break
            if time.perf_counter() - start > 60:
                raise SystemExit(f"{url} never showed the title saved {number}")
            time.sleep(POLL)
        elapsed = time.perf_counter() - start
        _count(phase, number, way, elapsed, _children_cpu(server.process.pid) > cpu)
        time.sleep(pace)
    conn.close()
    phase.load.stop()
    return phase


def _clock_offset(page: Any) -> tuple[float, float]:
    """Chrome's epoch clock minus ours (s), and the uncertainty (half the best round trip)."""
    best = (0.0, float("inf"))
    for _ in range(5):
        before = time.time()
        chrome = page.evaluate("performance.timeOrigin + performance.now()") / 1000
        after = time.time()
        if (after - before) / 2 < best[1]:
            best = (chrome - (before + after) / 2, (after - before) / 2)
    return best


def measure_dom(server: Server, record: Path, url: str, saves: int, pace: float) -> Phase:
    from playwright.sync_api import sync_playwright

    phase = Phase()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page()
        page.add_init_script(STAMP_H1)
        page.goto(f"http://127.0.0.1:{server.port}{url}")
        page.wait_for_load_state("load")
        time.sleep(1.0)  # the reload stream is connected
        errors = []
        for number, title, data in _edits(record, saves, "dom"):
            way, save = SAVES[number % len(SAVES)]
            origin = page.evaluate("performance.timeOrigin")
            cpu = _children_cpu(server.process.pid)
            saved_at = time.time()
            save(record, data)
            page.wait_for_function(FIND_H1, arg=title, timeout=60_000, polling=20)
            behind = _children_cpu(server.process.pid) > cpu
            offset, error = _clock_offset(page)
            shown_at = page.evaluate(FIND_H1, title) / 1000 - offset
            errors.append(error)
            _count(phase, number, way, shown_at - saved_at, behind)
            phase.reloads += number >= WARM_UP and page.evaluate("performance.timeOrigin") != origin
            time.sleep(pace)
        browser.close()
    phase.clock_error = max(errors)
    phase.load.stop()
    return phase


# --- archives -----------------------------------------------------------------------------------


def _make_archive(size: str, root: Path) -> None:
    if root.is_dir():
        return
    scratch = root.with_name(root.name + ".part")
    shutil.rmtree(scratch, ignore_errors=True)
    if size == "sample":
        shutil.copytree(REPO / "content" / "raw", scratch / "content" / "raw")
    else:
        generated = scratch.with_name(scratch.name + ".gen")
        subprocess.run(
            [sys.executable, str(GEN), "-n", size, "-o", str(generated), "--layout", "raw"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        (scratch / "content").mkdir(parents=True)
        shutil.move(str(generated / "raw"), scratch / "content" / "raw")
        shutil.rmtree(generated)
    (scratch / "newsarchive.toml").write_text(CONFIG)
    scratch.rename(root)


def _snapshot(revision: str | None, into: Path) -> Path:
    """generator/ and templates/ of a git revision (None: this checkout as it is now) copied to
    `into`, so that editing the checkout during a run changes nothing (the full pass's child
    imports the code when it starts)."""
    if revision is None:
        for name in ("generator", "templates"):
            shutil.copytree(REPO / name, into / name, ignore=shutil.ignore_patterns("__pycache__"))
        return into
    into.mkdir(parents=True, exist_ok=True)
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", revision, "generator", "templates"],
        check=True,
        capture_output=True,
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


def _pick_record(root: Path) -> Path:
    records = sorted((root / "content" / "articles").glob("*.md"))
    return records[len(records) // 2]


# --- report -------------------------------------------------------------------------------------


def _p(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _line(name: str, phase: Phase) -> str:
    s = phase.samples
    ways = ", ".join(
        f"{w} {_p(v, 0.5) * 1000:.0f}/{_p(v, 0.95) * 1000:.0f}" for w, v in phase.ways.items()
    )
    extra = (
        f"; clock +-{phase.clock_error * 1000:.1f} ms, {phase.reloads} full reloads"
        if name == "DOM"
        else ""
    )
    return (
        f"  save -> {name:<6} p50 {statistics.median(s) * 1000:5.0f} ms  p95 {_p(s, 0.95) * 1000:5.0f} ms"
        f"  max {max(s) * 1000:5.0f} ms  ({len(s)} saves, {phase.behind_full_pass} with a full pass"
        f" running; p50/p95 by way: {ways}{extra}); {phase.load}"
    )


def run_size(size: str, label: str, code: Path, args: argparse.Namespace) -> None:
    root = args.workdir / f"archive-{size}-{label}"
    _make_archive(size, root)
    with serving(root, code) as server:
        record = _pick_record(root)
        original = record.read_bytes()
        url = f"/articles/{record.stem}/"
        articles = len(list((root / "content" / "articles").glob("*.md")))
        print(f"{size} ({articles} articles), code: {label}")
        try:
            for run in range(args.repeat):
                runs = f" run {run + 1}" if args.repeat > 1 else ""
                before = server.full_passes()
                served = measure_served(server, record, url, args.saves, args.pace)
                print(_line("served", served) + runs, flush=True)
                if not args.no_browser:
                    dom = measure_dom(server, record, url, args.saves, args.pace)
                    print(_line("DOM", dom) + runs, flush=True)
                print(f"  full passes finished meanwhile: {server.full_passes() - before}")
        finally:
            save_renamed(record, original)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", action="append", help="'sample' or a number of articles")
    parser.add_argument("--saves", type=int, default=50, help="counted saves per phase")
    parser.add_argument("--pace", type=float, default=1.0, help="seconds between saves")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--workdir", type=Path, help="keep the built archives here")
    parser.add_argument("--baseline", help="also measure this git revision's code")
    parser.add_argument(
        "--baseline-only", action="store_true", help="measure only --baseline's code"
    )
    parser.add_argument("--no-browser", action="store_true", help="skip the Chromium phase")
    args = parser.parse_args()
    sizes = args.size or ["sample", "10000"]
    with tempfile.TemporaryDirectory(prefix="bench-preview-") as tmp:
        args.workdir = (args.workdir or Path(tmp)).resolve()
        args.workdir.mkdir(parents=True, exist_ok=True)
        codes: list[tuple[str, Path]] = []
        if args.baseline:
            codes.append((args.baseline, _snapshot(args.baseline, Path(tmp) / "baseline")))
        if not args.baseline_only:
            codes.append(("current", _snapshot(None, Path(tmp) / "current")))
        for size in sizes:
            for label, code in codes:
                run_size(size, label, code, args)


if __name__ == "__main__":
    main()
