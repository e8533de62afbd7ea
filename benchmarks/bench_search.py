"""Search at archive scale: Whoosh index of record and the Pagefind reader index, with ratios.

    .venv/bin/python benchmarks/bench_search.py [-n 1000] [-n 10000] [--no-browser]

For each size: builds a generated archive (../shared/bench/gen_corpus.py) with newsarchive, then
times the Whoosh index built by one process and by two, its size, query latency p50/p95 (one
word, three words, a phrase, with a filter, with facets; the queries of a run share one process,
as in the preview server), a one-article incremental update and the first query after it, the
Pagefind index (time and peak memory of its process), and what Chromium transfers (every request,
headers included) for a first and a second static query and for then loading one facet's counts.
Every time is also given as a ratio to the page-render time of the same run.
"""

from __future__ import annotations

import argparse
import io
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from generator.build.load import load_articles
from generator.cli import main as cli
from generator.config import load_config
from generator.pipeline import run_build
from generator.search.static import build_static_index
from generator.search.whoosh_index import build_index, search, update_index

GEN = Path(__file__).resolve().parents[2] / "shared" / "bench" / "gen_corpus.py"
CHROMIUM = Path("/usr/bin/chromium")


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


def _words(articles: list, rng: random.Random, n: int) -> list[str]:
    vocabulary = sorted(
        {w.lower() for a in articles[:200] for w in re.findall(r"[A-Za-z]{5,}", a.body)}
    )
    return [" ".join(rng.sample(vocabulary, n)) for _ in range(40)]


def _browser_bytes(site: Path, queries: tuple[str, str]) -> tuple[int, int, int]:
    """What Chromium transfers (headers and bodies of every request) for a first static query,
    a second one, and then for loading one facet's counts (the People button).

    The first query's share also counts whatever the search page fetched from pagefind/ while it
    loaded, so fetching the engine before the reader types cannot hide its cost.
    """
    from playwright.sync_api import sync_playwright

    server = subprocess.Popen(
        [sys.executable, "-m", "http.server", "0", "--bind", "127.0.0.1", "-d", str(site)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert server.stdout is not None
    port = int(server.stdout.readline().split("port ")[1].split()[0])
    base = f"http://127.0.0.1:{port}/"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM),
                headless=True,
                args=[
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-quic",
                    "--no-first-run",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                ],
            )
            page = browser.new_page()
            phase = [0]
            finished: list[tuple[int, Any]] = []
            page.on("requestfinished", lambda r: finished.append((phase[0], r)))
            page.goto(base + "search/")
            page.wait_for_load_state("networkidle")
            for query in queries:
                phase[0] += 1
                page.fill("#search-q", query)
                page.press("#search-q", "Enter")
                page.wait_for_selector(f"#search-status:has-text('match “{query}”')", timeout=60000)
                page.wait_for_load_state("networkidle")
            phase[0] += 1
            page.click("button[data-facet=person]")
            page.wait_for_selector("input[name=person]", timeout=60000)
            page.wait_for_load_state("networkidle")

            def sent(request: Any) -> int:
                sizes = request.sizes()
                body = sizes["responseBodySize"]
                if not body:  # Chromium reports 0 for a worker's script: take its Content-Length
                    response = request.response()
                    body = int((response and response.headers.get("content-length")) or 0)
                return int(body + sizes["responseHeadersSize"])

            totals = [0, 0, 0, 0]
            for number, request in finished:
                if number or "/pagefind/" in request.url:
                    totals[max(1, number)] += sent(request)
            browser.close()
    finally:
        server.terminate()
        server.wait()
        server.stdout.close()
    return totals[1], totals[2], totals[3]


def run(n: int, browser: bool) -> None:
    work = Path(tempfile.mkdtemp(prefix=f"bench-search-{n}-"))
    try:
        subprocess.run(
            [sys.executable, str(GEN), "-n", str(n), "-o", str(work / "gen"), "--layout", "raw"],
            check=True,
            capture_output=True,
        )
        cli(["init", str(work / "archive")], out=io.StringIO())
        shutil.rmtree(work / "archive" / "content" / "raw")
        shutil.move(str(work / "gen" / "raw"), str(work / "archive" / "content" / "raw"))
        config = load_config(work / "archive")
        marks: dict[str, float] = {}
        run_build(config, lambda stage, done, total: marks.setdefault(stage, time.perf_counter()))
        marks["end"] = time.perf_counter()
        render = marks["static index"] - marks["render"]
        articles = list(load_articles(config.articles_dir)[0])
        rng = random.Random(7)
        rows: list[tuple[str, str]] = []

        def ratio(seconds: float) -> str:
            return f"{seconds:.2f} s ({seconds / render:.2f}x render)"

        rows.append(("pages rendered (baseline)", f"{render:.2f} s for {n} articles"))
        for procs in (1, 2):
            target = work / f"whoosh-{procs}"
            start = time.perf_counter()
            build_index(target, articles, procs=procs)
            rows.append(
                (
                    f"Whoosh full index, {procs} process{'es' if procs > 1 else ''}",
                    ratio(time.perf_counter() - start),
                )
            )
        rows.append(("Whoosh index size", f"{_size(work / 'whoosh-1') / 1e6:.1f} MB"))
        index_dir = config.index_dir
        one, three = _words(articles, rng, 1), _words(articles, rng, 3)
        phrase = ['"' + " ".join(re.findall(r"[a-z]+", a.body)[10:12]) + '"' for a in articles[:40]]
        cases = {
            "one word": [(q, [], False) for q in one],
            "three words": [(q, [], False) for q in three],
            "phrase": [(q, [], False) for q in phrase],
            "one word + filter": [
                (q, [("year", a.year or "2020")], False)
                for q, a in zip(one, articles, strict=False)
            ],
            "one word + facets": [(q, [], True) for q in one],
        }
        for name, queries in cases.items():
            times = []
            for query, filters, facets in queries:
                start = time.perf_counter()
                search(index_dir, query, limit=10, filters=filters, with_facets=facets)
                times.append(time.perf_counter() - start)
            p50, p95 = _percentiles(times)
            rows.append((f"query {name} p50 / p95", f"{p50 * 1000:.1f} / {p95 * 1000:.1f} ms"))
        edited = replace(articles[0], body=articles[0].body + "\n\nA late correction was added.")
        start = time.perf_counter()
        update = update_index(index_dir, [edited, *articles[1:]])
        rows.append(
            (
                "one-article incremental update",
                f"{ratio(time.perf_counter() - start)}, {update.updated} doc replaced",
            )
        )
        start = time.perf_counter()
        search(index_dir, one[2], limit=10)
        rows.append(
            (
                "first query after it (index reopened)",
                f"{(time.perf_counter() - start) * 1000:.1f} ms",
            )
        )
        copy = work / "site-copy"
        shutil.copytree(config.site_dir, copy, ignore=shutil.ignore_patterns("pagefind"))
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        start = time.perf_counter()
        report = build_static_index(copy)
        after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        rows.append(
            ("Pagefind index", f"{ratio(time.perf_counter() - start)}, {report.pages} pages")
        )
        rows.append(
            (
                "Pagefind peak memory",
                f"{max(after, before) / 1024:.0f} MB (largest child process so far)",
            )
        )
        rows.append(
            (
                "Pagefind bundle size",
                f"{_size(copy / 'pagefind') / 1e6:.1f} MB, {report.files} files",
            )
        )
        if browser and CHROMIUM.exists():
            first, second, facet = _browser_bytes(
                config.site_dir, (one[0].split()[0], one[1].split()[0])
            )
            rows.append(("browser bytes, first static query", f"{first / 1024:.0f} KB"))
            rows.append(("browser bytes, second static query", f"{second / 1024:.0f} KB"))
            rows.append(("browser bytes, then People facet counts", f"{facet / 1024:.0f} KB"))
        print(f"\n== {n} articles ==")
        for name, value in rows:
            print(f"  {name:<40} {value}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, action="append")
    parser.add_argument("--no-browser", action="store_true")
    args = parser.parse_args()
    for n in args.n or [1000]:
        run(n, not args.no_browser)
    return 0


if __name__ == "__main__":
    sys.exit(main())
