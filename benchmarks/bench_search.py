"""Search at archive scale: Whoosh index of record and the Pagefind reader index, with ratios.

    .venv/bin/python benchmarks/bench_search.py [-n 1000] [-n 10000] [--no-browser]
        [--archive DIR] [--latency-only]
    .venv/bin/python benchmarks/bench_search.py --whoosh ARTICLES_DIR [-n 1000] [--rounds 2]
        [--baseline REV]

For each size: builds a generated archive (../shared/bench/gen_corpus.py) with newsarchive (or
reuses the one built in --archive DIR), then times query latency p50/p95 for each kind of query
(one word, three words, a phrase, one word with a filter, one word with facets, a misspelled
word) warm, in this process (the queries of a run share one process, as in the preview server)
and through /api/search of a running `newsarchive serve`, a `newsarchive search` process end
to end (median of 20, each a new process, as a reader runs it), the Whoosh index built by one
process and by two, its size, a one-article incremental update and the first query after it, the
Pagefind index (time and peak memory of its process), and what Chromium transfers (every request,
headers included) for a first and a second static query and for then loading one facet's counts.
Every build time is also given as a ratio to the page-render time of the same run.
--latency-only skips the index builds (Whoosh twice, Pagefind once more).

--whoosh compares the Whoosh index of record with the one of git revision REV (default: the
commit before the bulk writer), on the first n article files of an ingested archive's
content/articles (run it with PYTHONPATH set to the checkout being measured):
full builds by one process (CPU seconds, including any child processes, and wall seconds, each
build in a fresh forked process, old and new interleaved round by round, since the machine is
shared), index size, a one-article incremental update and the first query after it, and query
latency. Ratios are old / new.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import io
import multiprocessing
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

from generator.cli import main as cli
from generator.config import load_config
from generator.pipeline import run_build
from generator.render.load import load_articles
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
                page.wait_for_selector(f"#search-status:has-text('“{query}”')", timeout=60000)
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


def _queries(
    articles: list[Any], n: int
) -> dict[str, list[tuple[str, list[tuple[str, str]], bool]]]:
    """The query kinds, 40 queries each, from the archive's own words."""
    rng = random.Random(7)
    one, three = _words(articles, rng, 1), _words(articles, rng, 3)
    phrase = ['"' + " ".join(re.findall(r"[a-z]+", a.body)[10:12]) + '"' for a in articles[:40]]
    typos = [q[:2] + q[3] + q[2] + q[4:] for q in one]  # two letters swapped
    return {
        "one word": [(q, [], False) for q in one],
        "three words": [(q, [], False) for q in three],
        "phrase": [(q, [], False) for q in phrase],
        "one word + filter": [
            (q, [("year", a.year or "2020")], False) for q, a in zip(one, articles, strict=False)
        ],
        "one word + facets": [(q, [], True) for q in one],
        "misspelled word": [(q, [], False) for q in typos],
    }


_FILTER_PARAMS = {
    "people": "person",
    "organizations": "organization",
    "places": "place",
    "tags": "tag",
    "year": "year",
}


def _api_latency(root: Path, cases: dict[str, Any]) -> dict[str, tuple[float, float]]:
    """p50/p95 of each kind through /api/search of `newsarchive serve` (warm: every query twice,
    the second timed)."""
    import urllib.parse
    import urllib.request

    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "generator",
            "--root",
            str(root),
            "serve",
            "--no-watch",
            "--port",
            "0",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert server.stdout is not None
        line = server.stdout.readline()
        base = re.search(r"(http://\S+)", line)
        assert base, line
        url = base.group(1).rstrip("/") + "/api/search?"
        found: dict[str, tuple[float, float]] = {}
        for name, queries in cases.items():
            times = []
            for query, filters, _facets in queries:  # /api/search always counts facets
                params = [("q", query)] + [(_FILTER_PARAMS[k], v) for k, v in filters]
                address = url + urllib.parse.urlencode(params)
                for attempt in range(2):
                    start = time.perf_counter()
                    with urllib.request.urlopen(address, timeout=60) as response:
                        response.read()
                    if attempt:
                        times.append(time.perf_counter() - start)
            found[name] = _percentiles(times)
        return found
    finally:
        server.terminate()
        server.wait()
        if server.stdout:
            server.stdout.close()


def _cli_latency(root: Path, queries: list[str]) -> tuple[float, float, float]:
    """Median and largest wall time, and median CPU time, of `newsarchive search QUERY`, each a
    new process."""
    script = Path(sys.executable).with_name("newsarchive")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "generator"]
    times, cpu = [], []
    for query in queries:
        start, before = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run(
            [*command, "--root", str(root), "search", query],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        times.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return statistics.median(times), max(times), statistics.median(cpu)


def _archive(n: int, work: Path, keep: Path | None) -> tuple[Path, float | None]:
    """A built archive of n generated articles (reused when `keep` holds one); the render
    time of its build when built now."""
    root = keep or work / "archive"
    if keep is not None and (keep / "site" / "index.html").exists():
        if not (keep / "site" / "pagefind").is_dir():  # a preview (serve) ran on it: no bundle
            (keep / ".build" / "pagefind" / "state.marshal").unlink(missing_ok=True)
            run_build(load_config(root), lambda stage, done, total: None)
        return root, None
    subprocess.run(
        [sys.executable, str(GEN), "-n", str(n), "-o", str(work / "gen"), "--layout", "raw"],
        check=True,
        capture_output=True,
    )
    cli(["init", str(root)], out=io.StringIO())
    shutil.rmtree(root / "content" / "raw")
    shutil.move(str(work / "gen" / "raw"), str(root / "content" / "raw"))
    marks: dict[str, float] = {}
    run_build(
        load_config(root), lambda stage, done, total: marks.setdefault(stage, time.perf_counter())
    )
    return root, marks["static index"] - marks["render"]


def run(n: int, browser: bool, keep: Path | None = None, latency_only: bool = False) -> None:
    work = Path(tempfile.mkdtemp(prefix=f"bench-search-{n}-"))
    print(f"\n== {n} articles ==", flush=True)

    def row(name: str, value: str) -> None:
        print(f"  {name:<44} {value}", flush=True)

    try:
        root, render = _archive(n, work, keep)
        config = load_config(root)
        articles = list(load_articles(config.articles_dir)[0])
        index_dir = config.index_dir
        cases = _queries(articles, n)
        for name, queries in cases.items():
            times, cpu = [], []
            for query, filters, facets in queries:
                search(index_dir, query, limit=10, filters=filters, with_facets=facets)  # warm
                start, start_cpu = time.perf_counter(), time.process_time()
                search(index_dir, query, limit=10, filters=filters, with_facets=facets)
                times.append(time.perf_counter() - start)
                cpu.append(time.process_time() - start_cpu)
            p50, p95 = _percentiles(times)
            c50, c95 = _percentiles(cpu)
            row(
                f"in-process {name} p50 / p95",
                f"{p50 * 1000:.1f} / {p95 * 1000:.1f} ms (CPU {c50 * 1000:.1f} / {c95 * 1000:.1f})",
            )
        median, worst, cpu_median = _cli_latency(
            root,
            [q for q, _, _ in cases["one word"][:10]]
            + [q for q, _, _ in cases["three words"][:10]],
        )
        row(
            "newsarchive search, new process",
            f"median {median * 1000:.0f} ms (CPU {cpu_median * 1000:.0f}), max {worst * 1000:.0f} ms",
        )
        if browser and CHROMIUM.exists():
            one = [q for q, _, _ in cases["one word"]]
            first, second, facet = _browser_bytes(config.site_dir, (one[0], one[1]))
            row("browser bytes, first static query", f"{first / 1024:.0f} KB")
            row("browser bytes, second static query", f"{second / 1024:.0f} KB")
            row("browser bytes, then People facet counts", f"{facet / 1024:.0f} KB")
        if not latency_only:
            rows: list[tuple[str, str]] = []
            _build_rows(work, config, articles, rows, render, cases)
            for name, value in rows:
                row(name, value)
        # Last: the preview rebuilds the site for itself, without the Pagefind bundle.
        for name, (p50, p95) in _api_latency(root, cases).items():
            row(f"/api/search {name} p50 / p95", f"{p50 * 1000:.1f} / {p95 * 1000:.1f} ms")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _build_rows(
    work: Path,
    config: Any,
    articles: list[Any],
    rows: list[tuple[str, str]],
    render: float | None,
    cases: dict[str, Any],
) -> None:
    def ratio(seconds: float) -> str:
        return f"{seconds:.2f} s" + (f" ({seconds / render:.2f}x render)" if render else "")

    if render:
        rows.append(("pages rendered (baseline)", f"{render:.2f} s for {len(articles)} articles"))
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
    index_dir = work / "whoosh-1"
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
    search(index_dir, cases["one word"][2][0], limit=10)
    rows.append(
        ("first query after it (index reopened)", f"{(time.perf_counter() - start) * 1000:.1f} ms")
    )
    copy = work / "site-copy"
    shutil.copytree(config.site_dir, copy, ignore=shutil.ignore_patterns("pagefind"))
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    report = build_static_index(copy)
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    rows.append(("Pagefind index", f"{ratio(time.perf_counter() - start)}, {report.pages} pages"))
    rows.append(
        (
            "Pagefind peak memory",
            f"{max(after, before) / 1024:.0f} MB (largest child process so far)",
        )
    )
    rows.append(
        ("Pagefind bundle size", f"{_size(copy / 'pagefind') / 1e6:.1f} MB, {report.files} files")
    )
    words = config.site_dir / "pagefind" / "words"
    if words.is_dir():
        sizes = sorted(p.stat().st_size for p in words.glob("*.json"))
        rows.append(("static word lists", f"{len(sizes)} files, largest {sizes[-1] / 1024:.0f} KB"))


BASELINE = "d901929"  # the last commit with Whoosh's own writer, analyzer chain and words field


def _module_at(revision: str, work: Path) -> Any:
    """generator/search/whoosh_index.py as of a git revision, imported under another name."""
    root = Path(__file__).resolve().parents[1]
    source = subprocess.run(
        ["git", "-C", str(root), "show", f"{revision}:generator/search/whoosh_index.py"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    path = work / f"whoosh_index_{revision}.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location(f"whoosh_index_{revision}", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def _cpu() -> float:
    own, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _peak_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _timed_child(function: Any, sender: Any) -> None:
    gc.freeze()  # as the build's index process does (generator/search/background.py)
    try:
        start_cpu, start_wall, start_peak = _cpu(), time.perf_counter(), _peak_mb()
        function()
        sender.send((_cpu() - start_cpu, time.perf_counter() - start_wall, _peak_mb() - start_peak))
    except BaseException as exc:  # reported by the parent
        sender.send(repr(exc))
    finally:
        sender.close()


def _in_child(function: Any) -> tuple[float, float, float]:
    """(CPU s, wall s, MB of peak memory added) of function() run in a forked process."""
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_timed_child, args=(function, sender))  # not a daemon
    child.start()
    sender.close()
    result = receiver.recv()
    child.join()
    if isinstance(result, str):
        raise RuntimeError(result)
    return result  # type: ignore[no-any-return]


def whoosh_bench(articles_dir: Path, n: int, rounds: int, revision: str) -> None:
    from generator.search import whoosh_index as new

    work = Path(tempfile.mkdtemp(prefix=f"bench-whoosh-{n}-"))
    try:
        old = _module_at(revision, work)
        subset = work / "articles"  # the first n files, so that only they are loaded
        subset.mkdir()
        for path in sorted(articles_dir.glob("*.md"))[:n]:
            (subset / path.name).symlink_to(path)
        articles = list(load_articles(subset)[0])
        n = len(articles)
        versions = {"old": old, "new": new}
        builds: dict[str, list[tuple[float, float, float]]] = {name: [] for name in versions}
        for number in range(rounds):
            for name, module in versions.items():
                target = work / f"{name}-{number}"
                figures = _in_child(lambda m=module, t=target: m.build_index(t, articles))
                builds[name].append(figures)
                print(
                    f"  round {number + 1}, {name}: {figures[0]:.1f} CPU s, {figures[1]:.1f} s,"
                    f" +{figures[2]:.0f} MB",
                    flush=True,
                )
        rows: list[tuple[str, str]] = []
        best = {
            name: (min(c for c, _, _ in b), min(w for _, w, _ in b)) for name, b in builds.items()
        }
        for label, index in (("CPU", 0), ("wall", 1)):
            rows.append(
                (
                    f"full build, 1 process, {label} (best)",
                    f"old {best['old'][index]:.1f} s, new {best['new'][index]:.1f} s,"
                    f" {best['old'][index] / best['new'][index]:.1f}x",
                )
            )
        memory = {name: max(m for _, _, m in b) for name, b in builds.items()}
        rows.append(
            ("peak memory added", f"old {memory['old']:.0f} MB, new {memory['new']:.0f} MB")
        )
        sizes = {name: _size(work / f"{name}-0") for name in versions}
        rows.append(
            (
                "index size",
                f"old {sizes['old'] / 1e6:.1f} MB, new {sizes['new'] / 1e6:.1f} MB"
                f" ({sizes['new'] / sizes['old']:.2f}x)",
            )
        )
        rng = random.Random(7)
        one, three = _words(articles, rng, 1), _words(articles, rng, 3)
        phrase = ['"' + " ".join(re.findall(r"[a-z]+", a.body)[10:12]) + '"' for a in articles[:40]]
        typos = [q[:2] + q[3:] + "x" for q in one[:20]]
        edited = replace(articles[0], body=articles[0].body + "\n\nA late correction was added.")
        for name, module in versions.items():
            index_dir = work / f"{name}-0"
            cases = {
                "one word": one,
                "three words": three,
                "phrase": phrase,
                "typo (suggestion)": typos,
            }
            for case, queries in cases.items():
                times = []
                for query in queries:
                    start = time.perf_counter()
                    module.search(index_dir, query, limit=10)
                    times.append(time.perf_counter() - start)
                p50, p95 = _percentiles(times)
                rows.append(
                    (f"{name}: query {case} p50 / p95", f"{p50 * 1000:.1f} / {p95 * 1000:.1f} ms")
                )
            start = time.perf_counter()
            update = module.update_index(index_dir, [edited, *articles[1:]])
            elapsed = time.perf_counter() - start
            start = time.perf_counter()
            module.search(index_dir, one[2], limit=10)
            rows.append(
                (
                    f"{name}: one-article update, first query",
                    f"{elapsed:.2f} s ({update.updated} replaced),"
                    f" {(time.perf_counter() - start) * 1000:.0f} ms",
                )
            )
        same = sum(
            [h.url for h in old.search(work / "old-0", q, limit=10).hits]
            == [h.url for h in new.search(work / "new-0", q, limit=10).hits]
            for q in one + three + phrase
        )
        rows.append(("same top ten, old and new", f"{same} of {len(one + three + phrase)} queries"))
        suggested = sum(
            old.search(work / "old-0", q).suggestion == new.search(work / "new-0", q).suggestion
            for q in typos
        )
        rows.append(("same suggestion, old and new", f"{suggested} of {len(typos)} typos"))
        print(f"\n== Whoosh index, {n} articles, {rounds} rounds, old = {revision} ==")
        for name, value in rows:
            print(f"  {name:<42} {value}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, action="append")
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument("--whoosh", type=Path, help="an archive's content/articles folder")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--baseline", default=BASELINE)
    parser.add_argument("--archive", type=Path, help="build the archive here; reuse it next time")
    parser.add_argument("--latency-only", action="store_true")
    args = parser.parse_args()
    if args.whoosh:
        for n in args.n or [1000]:
            whoosh_bench(args.whoosh, n, args.rounds, args.baseline)
        return 0
    for n in args.n or [1000]:
        run(n, not args.no_browser, args.archive, args.latency_only)
    return 0


if __name__ == "__main__":
    sys.exit(main())
