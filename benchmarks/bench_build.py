"""Full builds next to peers: newsarchive vs Pelican + Pagefind and Hugo + Pagefind, with ratios.

    .venv/bin/python benchmarks/bench_build.py [-n 1000] [-n 10000] [--runs 1] [--profile]
        [--sample 300] [--no-pelican] [--no-hugo] [--workdir DIR] [--keep]

For each size: generates one corpus (../shared/bench/gen_corpus.py --layout all: the same Markdown
for every tool) and, in each run (the order of the tools rotates from run to run), builds it
- with newsarchive: `ingest` into a fresh archive (Markdown throughput), then `build` (the full
  build: pages, Pagefind bundle, Whoosh index), `build` again with no change, and `build` after
  editing one record's title; `ingest` of .txt and .html variants of `--sample` articles;
- with Pelican (its own venv, ../benchwork/pelican-venv, made on first use; pelicanconf.py
  written here; the "simple" theme), then Pagefind on its output;
- with Hugo (Debian's /usr/bin/hugo, the generator's config and layouts), then Pagefind on its
  output. As on our site, the peers' article bodies carry data-pagefind-body, so Pagefind reads
  every page and indexes the articles only (the same `python -m pagefind --site` as ours).
Every figure is wall time, CPU (user+sys of the process and of every descendant it waited for,
from os.wait4) and peak RSS (of the largest single process). Our commands run through a thin
wrapper (this file, --as-newsarchive) that calls generator.cli.main exactly as the `newsarchive`
script does and, by reaping children with os.wait4, tells our Python processes' peak (main
process; forked load/render/Whoosh workers) from Pagefind's; the build's own stage timings
(BuildReport.timings) say when the site was swapped in and how long the Whoosh child took.
Ratios are ours / peer within one run; the final table gives medians over runs. --profile prints a
cProfile top-20 (cumulative) of one full build run in-process, main process only.
"""

from __future__ import annotations

import argparse
import cProfile
import html
import json
import os
import pstats
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve()
GEN = HERE.parents[2] / "shared" / "bench" / "gen_corpus.py"
BENCHWORK = HERE.parents[2] / "benchwork"
PELICAN_VENV = BENCHWORK / "pelican-venv"
PELICAN_PACKAGES = ["pelican", "markdown", "pelican-yaml-metadata"]
HUGO = shutil.which("hugo") or "/usr/bin/hugo"
PAGEFIND = [sys.executable, "-m", "pagefind"]
# Pelican (ARTICLE_SAVE_AS below) and Hugo (the generator's permalinks) both put article pages here.
ARTICLE_GLOB = "posts/*/index.html"
# Like ours, the peers' article pages carry data-pagefind-body, so Pagefind reads every page but
# indexes only articles: a template override for Pelican's theme, an edit of Hugo's single.html.
PELICAN_ARTICLE = """{% extends "!simple/article.html" %}
{% block content %}<div data-pagefind-body>{{ super() }}</div>{% endblock %}
"""
CONFIG = 'title = "Bench"\nbase_url = "https://example.org/"\n'

PELICANCONF = """\
# Written by benchmarks/bench_build.py; mirrors gen_corpus.py's pelicanconf.py, caches off.
AUTHOR = "News Desk"
SITENAME = "News Archive"
SITEURL = ""
FEED_DOMAIN = "https://example.org"
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
THEME = "simple"
PLUGINS = ["pelican.plugins.yaml_metadata"]
DEFAULT_PAGINATION = 10
ARTICLE_URL = "posts/{slug}/"
ARTICLE_SAVE_AS = "posts/{slug}/index.html"
FEED_MAX_ITEMS = 20
FEED_ALL_ATOM = "feeds/all.atom.xml"
CATEGORY_FEED_ATOM = "feeds/category-{slug}.atom.xml"
TAG_FEED_ATOM = "feeds/tag-{slug}.atom.xml"
AUTHOR_FEED_ATOM = "feeds/author-{slug}.atom.xml"
AUTHOR_FEED_RSS = None
TRANSLATION_FEED_ATOM = None
CACHE_CONTENT = False
LOAD_CONTENT_CACHE = False
THEME_TEMPLATES_OVERRIDES = [{overrides!r}]
"""

# Only used when the corpus generator did not write a Hugo site skeleton.
HUGO_FALLBACK = {
    "hugo-0.111.toml": 'baseURL = "https://example.org/"\ntitle = "News Archive"\npaginate = 10\n'
    '[taxonomies]\n  tag = "tags"\n  category = "categories"\n  author = "authors"\n'
    '[permalinks]\n  posts = "/posts/:slug/"\n',
    "layouts/_default/baseof.html": '<!doctype html><html lang="en"><head><meta charset="utf-8">'
    '<title>{{ .Title }}</title></head><body>{{ block "main" . }}{{ end }}</body></html>\n',
    "layouts/_default/single.html": '{{ define "main" }}<article><h1>{{ .Title }}</h1>'
    "{{ .Content }}</article>{{ end }}\n",
    "layouts/_default/list.html": '{{ define "main" }}<h1>{{ .Title }}</h1>'
    '{{ range (.Paginate .Pages).Pages }}<p><a href="{{ .RelPermalink }}">{{ .Title }}</a></p>'
    "{{ end }}{{ end }}\n",
}

HTML_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>{title} | The Bench Courier</title>
<meta property="og:title" content="{title}">
<meta name="author" content="{authors}">
<meta property="article:published_time" content="{iso}">
<link rel="stylesheet" href="/static/site.css"><script src="/static/ads.js"></script>
</head><body>
<nav class="site-nav"><a href="/">Home</a> <a href="/politics/">Politics</a>
<a href="/business/">Business</a> <a href="/sport/">Sport</a> <a href="/subscribe/">Subscribe</a></nav>
<article>
<h1>{title}</h1>
<p class="byline">By {authors}</p>
<time datetime="{iso}">{day}</time>
{body}
<div class="share">Share this article: <a href="#">Facebook</a> <a href="#">Email</a></div>
</article>
<section id="comments"><h2>Leave a comment</h2>
<form action="/comments" method="post"><label>Name <input name="name"></label>
<label>Comment <textarea name="comment"></textarea></label>
<button type="submit">Post comment</button></form></section>
<footer><p>&copy; 2024 The Bench Courier. All rights reserved.</p>
<a href="/privacy/">Privacy</a> <a href="/terms/">Terms</a></footer>
</body></html>
"""


# --------------------------------------------------------------------------------------------
# measuring one child process
# --------------------------------------------------------------------------------------------


@dataclass(slots=True)
class Proc:
    """One finished child: wall s, CPU s (its tree, waited-for descendants), peak RSS MB."""

    wall: float
    cpu: float
    rss: float
    code: int
    out: str
    err: str

    def tail(self, lines: int = 12) -> str:
        text = (self.err.strip() or self.out.strip()).splitlines()[-lines:]
        return "\n".join("      | " + line for line in text)


# Linux carries a process's RSS high-water mark across fork/vfork + exec into the child's
# ru_maxrss, so a command started straight from a big process (our build's main process starting
# Pagefind) would report at least its parent's size. Every measured command is therefore started
# by this small reaper, which times it, reaps it with os.wait4 and writes its figures to a file.
REAPER = """\
import json, os, sys, time
start = time.perf_counter()
pid = os.posix_spawnp(sys.argv[2], sys.argv[2:], os.environ)
_, status, use = os.wait4(pid, 0)
wall = time.perf_counter() - start
with open(sys.argv[1], "w") as handle:
    json.dump([wall, use.ru_utime + use.ru_stime, use.ru_maxrss / 1024], handle)
sys.exit(os.waitstatus_to_exitcode(status))
"""


def reaped(command: list[str], figures: Path) -> list[str]:
    """command started by the reaper, which writes [wall s, CPU s, peak RSS MB] to figures."""
    return [sys.executable, "-I", "-S", "-c", REAPER, str(figures), *command]


def measure(command: list[str], cwd: Path | None = None) -> Proc:
    """Run command (through the reaper) with its output to temp files."""
    with tempfile.TemporaryDirectory() as scratch:
        out, err, figures = (Path(scratch) / name for name in ("out", "err", "figures.json"))
        start = time.perf_counter()
        with out.open("wb") as stdout, err.open("wb") as stderr:
            done = subprocess.run(
                reaped(command, figures),
                cwd=cwd,
                stdin=subprocess.DEVNULL,
                stdout=stdout,
                stderr=stderr,
                check=False,
            )
        elapsed = time.perf_counter() - start
        wall, cpu, rss = (
            json.loads(figures.read_text(encoding="utf-8"))
            if figures.is_file()
            else (elapsed, 0.0, 0.0)
        )
        return Proc(
            wall,
            cpu,
            rss,
            done.returncode,
            out.read_bytes().decode("utf-8", "replace"),
            err.read_bytes().decode("utf-8", "replace"),
        )


@dataclass(slots=True)
class Figure:
    """What the table shows for one step: wall, CPU and peak RSS by process group (MB)."""

    wall: float
    cpu: float | None = None
    rss: dict[str, float] = field(default_factory=dict)
    note: str = ""


def _figure(proc: Proc, note: str = "", rss: dict[str, float] | None = None) -> Figure:
    return Figure(proc.wall, proc.cpu, rss if rss is not None else {"": proc.rss}, note)


# --------------------------------------------------------------------------------------------
# our build, run through a wrapper that attributes child processes
# --------------------------------------------------------------------------------------------


def as_newsarchive(report_path: Path, argv: list[str]) -> int:
    """Run generator.cli.main(argv) as the `newsarchive` script would, and write a JSON report.

    os.waitpid is replaced by os.wait4 so every reaped child's rusage is kept: forked children
    (multiprocessing: ingest and render pools, Whoosh writers) are our Python workers; a Pagefind
    command given to subprocess.Popen is started through the reaper, whose figures are its own.
    """
    started: dict[int, tuple[str, Path | None]] = {}
    children: list[dict[str, Any]] = []
    waitpid = os.waitpid

    def wait4_waitpid(pid: int, options: int) -> tuple[int, int]:
        got, status, usage = os.wait4(pid, options)
        if got:
            command, figures = started.pop(got, ("", None))
            kind = "pagefind" if "pagefind" in command else "subprocess" if command else "python"
            child = {"kind": kind, "cpu": usage.ru_utime + usage.ru_stime}
            child["rss"], child["wall"] = usage.ru_maxrss / 1024, None
            if figures is not None and figures.is_file():
                child["wall"], child["cpu"], child["rss"] = json.loads(figures.read_text())
            children.append(child)
        return got, status

    class RecordedPopen(subprocess.Popen):
        def __init__(self, args: Any, *rest: Any, **kwargs: Any) -> None:
            figures = None
            if isinstance(args, list | tuple) and any("pagefind" in str(a) for a in args):
                figures = report_path.with_name(f"pagefind-{len(children)}-{len(started)}.json")
                args = reaped([str(a) for a in args], figures)
            super().__init__(args, *rest, **kwargs)
            command = self.args if isinstance(self.args, str) else " ".join(map(str, self.args))
            started[self.pid] = (command, figures)

    from generator import cli, pipeline

    stages: dict[str, float] = {}
    run_build = pipeline.run_build

    def recorded(*args: Any, **kwargs: Any) -> Any:
        # The build reports its own stage times (wall clock, main process); the Whoosh update
        # runs beside it in a child and reports its time back.
        report = run_build(*args, **kwargs)
        stages.update(report.timings)
        stages["pagefind_pages"] = report.static_pages or 0
        return report

    os.waitpid = wait4_waitpid
    subprocess.Popen = RecordedPopen
    pipeline.run_build = recorded
    try:
        code = cli.main(argv)
    finally:
        os.waitpid = waitpid
        own = resource.getrusage(resource.RUSAGE_SELF)
        report_path.write_text(
            json.dumps(
                {
                    "stages": stages,
                    "main_rss": own.ru_maxrss / 1024,
                    "main_cpu": own.ru_utime + own.ru_stime,
                    "children": children,
                }
            ),
            encoding="utf-8",
        )
    return code


@dataclass(slots=True)
class Ours:
    proc: Proc
    report: dict[str, Any]

    @property
    def ok(self) -> bool:  # 1 = some inputs failed, the rest built
        return self.proc.code in (0, 1) and bool(self.report)

    def children(self, kind: str) -> list[dict[str, Any]]:
        return [c for c in self.report.get("children", []) if c["kind"] == kind]

    def rss(self) -> dict[str, float]:
        groups = {"main": self.report.get("main_rss", 0.0)}
        for kind, label in (("python", "workers"), ("pagefind", "pagefind")):
            if self.children(kind):
                groups[label] = max(c["rss"] for c in self.children(kind))
        return groups

    def figure(self, note: str = "") -> Figure:
        return _figure(self.proc, note, self.rss())


def ours(root: Path, *argv: str) -> Ours:
    with tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "report.json"
        proc = measure(
            [sys.executable, str(HERE), "--as-newsarchive", str(report), "--root", str(root), *argv]
        )
        data = json.loads(report.read_text(encoding="utf-8")) if report.is_file() else {}
    return Ours(proc, data)


def new_archive(raw: Path, root: Path, files: list[Path] | None = None) -> Path:
    (root / "content" / "articles").mkdir(parents=True)
    if files is None:
        shutil.copytree(raw, root / "content" / "raw")
    else:
        (root / "content" / "raw").mkdir()
        for path in files:
            shutil.copy2(path, root / "content" / "raw" / path.name)
    (root / "newsarchive.toml").write_text(CONFIG, encoding="utf-8")
    return root


def edit_one_title(articles: Path, stamp: str) -> Path:
    """Replace the title in one record's front matter (with any folded continuation lines)."""
    records = sorted(articles.glob("*.md"))
    path = records[len(records) // 2]
    lines = path.read_text(encoding="utf-8").split("\n")
    first = next(i for i, line in enumerate(lines) if line.startswith("title:"))
    last = first + 1
    while last < len(lines) and lines[last].startswith(" "):
        last += 1
    lines[first:last] = [f"title: {json.dumps('Corrected headline, bench edit ' + stamp)}"]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


# --------------------------------------------------------------------------------------------
# .txt and .html variants of corpus articles (ingest throughput)
# --------------------------------------------------------------------------------------------


def write_variants(sources: list[Path], txt_dir: Path, html_dir: Path) -> None:
    import markdown
    import yaml

    txt_dir.mkdir(parents=True)
    html_dir.mkdir(parents=True)
    for source in sources:
        _, front, body = source.read_text(encoding="utf-8").split("---\n", 2)
        meta = yaml.safe_load(front)
        date, authors = meta["date"], " and ".join(meta["authors"])
        plain = []
        for block in body.strip().split("\n\n"):
            block = re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", block)
            plain.append(re.sub(r"^(?:> |## |- )", "", block, flags=re.M))
        (txt_dir / f"{source.stem}.txt").write_text(
            f"{meta['title']}\nBy {authors}\nPublished {date:%B} {date.day}, {date.year}\n\n"
            + "\n\n".join(plain)
            + "\n",
            encoding="utf-8",
        )
        (html_dir / f"{source.stem}.html").write_text(
            HTML_PAGE.format(
                title=html.escape(meta["title"]),
                authors=html.escape(authors),
                iso=date.isoformat(),
                day=f"{date:%B} {date.day}, {date.year}",
                body=markdown.markdown(body),
            ),
            encoding="utf-8",
        )


# --------------------------------------------------------------------------------------------
# peers
# --------------------------------------------------------------------------------------------


def pelican_command(venv: Path) -> Path | None:
    """The pelican script of our own venv for it, created (pip install) on first use."""
    exe = venv / "bin" / "pelican"
    if exe.exists():
        return exe
    print(f"  creating {venv} (pip install {' '.join(PELICAN_PACKAGES)})", flush=True)
    for step in (
        [sys.executable, "-m", "venv", str(venv)],
        [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", *PELICAN_PACKAGES],
    ):
        done = subprocess.run(step, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            print(f"  Pelican unavailable: {' '.join(step[:4])} failed:", flush=True)
            print("\n".join("      | " + x for x in done.stderr.strip().splitlines()[-12:]))
            return None
    return exe if exe.exists() else None


def hugo_config(site: Path) -> Path:
    """The generator's config for this Hugo (before 0.128 it does not read [pagination]).

    Writes a minimal config and layouts only where the generator wrote none, and marks the
    article body of single.html with data-pagefind-body.
    """
    version = subprocess.run([HUGO, "version"], capture_output=True, text=True, check=False).stdout
    match = re.search(r"v0\.(\d+)", version)
    legacy = match is None or int(match.group(1)) < 128
    if not (site / "layouts").is_dir():
        for name, text in HUGO_FALLBACK.items():
            if name.startswith("layouts/"):
                (site / name).parent.mkdir(parents=True, exist_ok=True)
                (site / name).write_text(text, encoding="utf-8")
    single = site / "layouts" / "_default" / "single.html"
    text = single.read_text(encoding="utf-8")
    if "data-pagefind-body" not in text:
        if "<article>" in text:
            text = text.replace("<article>", "<article data-pagefind-body>", 1)
        else:
            text = text.replace("{{ .Content }}", "<div data-pagefind-body>{{ .Content }}</div>")
        single.write_text(text, encoding="utf-8")
    config = site / ("hugo-0.111.toml" if legacy else "hugo.toml")
    if not config.is_file():
        config = site / "bench-hugo.toml"
        config.write_text(HUGO_FALLBACK["hugo-0.111.toml"], encoding="utf-8")
    return config


def output_note(site: Path) -> str:
    """'(N articles, M .html)', N counted from the article pages written."""
    articles = sum(1 for p in site.glob(ARTICLE_GLOB) if p.parent.name != "page")
    return f"({articles} articles, {sum(1 for _ in site.rglob('*.html'))} .html)"


def pagefind(site: Path) -> tuple[Proc, int]:
    proc = measure([*PAGEFIND, "--site", str(site), "--output-subdir", "pagefind"])
    match = re.search(r"Indexed (\d+) page", proc.out)
    return proc, int(match.group(1)) if match else 0


# --------------------------------------------------------------------------------------------
# one run
# --------------------------------------------------------------------------------------------


@dataclass(slots=True)
class Run:
    figures: dict[str, Figure] = field(default_factory=dict)
    ratios: dict[str, float] = field(default_factory=dict)
    rates: dict[str, float] = field(default_factory=dict)

    def add(self, key: str, figure: Figure) -> None:
        self.figures[key] = figure
        rss = ", ".join(f"{k} {v:.0f}".strip() for k, v in figure.rss.items())
        cpu = f", {figure.cpu:.2f} s CPU" if figure.cpu is not None else ""
        extra = f", peak RSS MB {rss}" if rss else ""
        print(f"  {key} {figure.note}: {figure.wall:.2f} s{cpu}{extra}", flush=True)


def failed(what: str, proc: Proc) -> None:
    print(f"  {what} FAILED (exit {proc.code}), carrying on; output tail:\n{proc.tail()}")


def run_ours(n: int, gen: Path, work: Path, sample: int, run: Run) -> None:
    root = new_archive(gen / "raw", work / "archive")
    ingest = ours(root, "ingest")
    if not ingest.ok:
        failed("newsarchive ingest", ingest.proc)
        return
    run.add("ours.ingest.md", ingest.figure(f"({n} files)"))
    run.rates[".md"] = n / ingest.proc.wall
    full = ours(root, "build")
    if not full.ok:
        failed("newsarchive build", full.proc)
        return
    if full.proc.code:
        print(f"  (newsarchive build exit 1: some inputs failed)\n{full.proc.tail(5)}")
    pages = re.search(r"built into (\d+) pages", full.proc.out)
    run.add("ours.full", full.figure(f"({pages.group(1) if pages else '?'} pages)"))
    stages = full.report.get("stages", {})
    lanes = full.children("pagefind")
    if lanes:  # one process tree per lane of shards, side by side: the longest is the wall time
        note = f"({stages.get('pagefind_pages', '?')} pages, {len(lanes)} at once)"
        wall, cpu = max(c["wall"] or 0.0 for c in lanes), sum(c["cpu"] for c in lanes)
        rss = {"largest": max(c["rss"] for c in lanes), "sum": sum(c["rss"] for c in lanes)}
        run.add(
            "ours.pagefind", Figure(wall, cpu, rss if len(lanes) > 1 else {"": rss["sum"]}, note)
        )
    if "whoosh" in stages:
        run.add("ours.whoosh", Figure(stages["whoosh"], note="(child, beside the rest)"))
    if "records" in stages:
        run.add("ours.records", Figure(stages["records"], note="(thread, after the site swap)"))
    if "write" in stages:
        # The site (pages and the Pagefind bundle) is complete when write_site has swapped it in;
        # what follows is the wait for Whoosh, the records (plan, manifest) saved beside it and
        # the spare site folder. Process start-up and the ingest check count in full; the site is
        # built while Whoosh competes for the cores.
        after = sum(stages.get(k, 0.0) for k in ("index wait", "records wait", "spare site"))
        run.add("ours.site", Figure(full.proc.wall - after - stages.get("ingest", 0.0)))
    again = ours(root, "build")
    if again.ok:
        run.add("ours.nochange", again.figure())
    else:
        failed("newsarchive no-change build", again.proc)
    edited = edit_one_title(root / "content" / "articles", f"{time.time():.0f}")
    one = ours(root, "build")
    if one.ok:
        run.add("ours.onechange", one.figure())
        print(f"    (edited {edited.name})")
    else:
        failed("newsarchive one-article build", one.proc)
    sources = sorted((gen / "raw").glob("*.md"))[:sample]
    write_variants(sources, work / "txt", work / "html")
    for kind in ("txt", "html"):
        files = sorted((work / kind).iterdir())
        result = ours(new_archive(work / kind, work / f"archive-{kind}", files), "ingest")
        written = re.search(r"(\d+) written", result.proc.out)
        if not result.ok or not written:
            failed(f"newsarchive ingest .{kind}", result.proc)
            continue
        run.add(f"ours.ingest.{kind}", result.figure(f"({written.group(1)}/{len(files)} files)"))
        run.rates[f".{kind}"] = len(files) / result.proc.wall


def run_pelican(gen: Path, work: Path, venv: Path, run: Run) -> None:
    exe = pelican_command(venv)
    if exe is None:
        return
    site = gen / "pelican"
    overrides = work / "pelican-templates"
    overrides.mkdir()
    (overrides / "article.html").write_text(PELICAN_ARTICLE, encoding="utf-8")
    conf = PELICANCONF.replace("{overrides!r}", repr(str(overrides)))
    (site / "benchconf.py").write_text(conf, encoding="utf-8")
    out = work / "pelican-out"
    proc = measure(
        [str(exe), str(site / "content"), "-s", str(site / "benchconf.py"), "-o", str(out)],
        cwd=work,
    )
    if proc.code != 0:
        failed("Pelican", proc)
        return
    run.add("pelican", _figure(proc, output_note(out)))
    _index_peer(run, "pelican", "Pelican", out)


def _index_peer(run: Run, key: str, tool: str, out: Path) -> None:
    """Pagefind over a peer's output, recorded as `key`.pagefind."""
    index, pages = pagefind(out)
    if index.code != 0:
        failed(f"Pagefind on {tool}'s site", index)
        return
    run.add(f"{key}.pagefind", _figure(index, f"({pages} pages)"))


def run_hugo(gen: Path, work: Path, run: Run) -> None:
    if not Path(HUGO).exists():
        print(f"  Hugo not found ({HUGO}); skipped")
        return
    site = gen / "hugo"
    out = work / "hugo-out"
    command = [HUGO, "--source", str(site), "--config", str(hugo_config(site))]
    proc = measure(
        [*command, "--destination", str(out), "--cacheDir", str(work / "hugo-cache")], cwd=work
    )
    if proc.code != 0:
        failed("Hugo", proc)
        return
    run.add("hugo", _figure(proc, output_note(out)))
    _index_peer(run, "hugo", "Hugo", out)


def ratios(run: Run) -> None:
    f = run.figures
    peers = {
        peer: f[peer].wall + f[f"{peer}.pagefind"].wall
        for peer in ("pelican", "hugo")
        if peer in f and f"{peer}.pagefind" in f
    }
    for peer, seconds in peers.items():
        if "ours.site" in f:
            run.ratios[f"(a) pages + Pagefind / ({peer.title()} + Pagefind)"] = (
                f["ours.site"].wall / seconds
            )
        if "ours.full" in f:
            run.ratios[f"(b) full build / ({peer.title()} + Pagefind)"] = (
                f["ours.full"].wall / seconds
            )
    for key, label in (("ours.nochange", "no change"), ("ours.onechange", "one article edited")):
        if key in f and "ours.full" in f:
            run.ratios[f"rebuild, {label} / our full build"] = f[key].wall / f["ours.full"].wall


# --------------------------------------------------------------------------------------------
# table
# --------------------------------------------------------------------------------------------

ROWS = [
    ("ours.ingest.md", "ours: ingest raw .md"),
    ("ours.full", "ours: full build"),
    ("ours.pagefind", "  Pagefind in it"),
    ("ours.whoosh", "  Whoosh index in it"),
    ("ours.site", "  pages + Pagefind (site swapped in; no ingest check)"),
    ("ours.records", "  plan, Pagefind state, manifest saved after it"),
    ("ours.nochange", "ours: rebuild, no change"),
    ("ours.onechange", "ours: rebuild, one record's title edited"),
    ("pelican", "Pelican"),
    ("pelican.pagefind", "Pagefind on Pelican's site"),
    ("hugo", "Hugo"),
    ("hugo.pagefind", "Pagefind on Hugo's site"),
    ("ours.ingest.txt", "ours: ingest .txt variant"),
    ("ours.ingest.html", "ours: ingest .html variant"),
]


def table(n: int, runs: list[Run]) -> None:
    print(f"\n== {n} articles: medians over {len(runs)} run(s) ==")
    print(f"  {'step':<52} {'wall s':>8} {'CPU s':>8}  peak RSS MB (per process)")
    for key, label in ROWS:
        figures = [r.figures[key] for r in runs if key in r.figures]
        if not figures:
            print(f"  {label:<52} {'failed or skipped':>17}")
            continue
        wall = statistics.median([x.wall for x in figures])
        cpus = [x.cpu for x in figures if x.cpu is not None]
        cpu = f"{statistics.median(cpus):8.2f}" if cpus else f"{'':8}"
        groups = list(dict.fromkeys(k for x in figures for k in x.rss))
        rss = ", ".join(
            f"{k} {statistics.median([x.rss[k] for x in figures if k in x.rss]):.0f}".strip()
            for k in groups
        )
        print(f"  {(label + ' ' + figures[-1].note).rstrip():<52} {wall:8.2f} {cpu}  {rss}")
    print("  ratios, ours / peer wall time in the same run (below 1: ours faster)")
    names = list(dict.fromkeys(k for r in runs for k in r.ratios))
    for name in names:
        value = statistics.median([r.ratios[name] for r in runs if name in r.ratios])
        print(f"    {name:<50} {value:8.2f}")
    print("  ingest throughput, articles/s (wall time of `newsarchive ingest`, start-up included)")
    for kind in (".md", ".txt", ".html"):
        values = [r.rates[kind] for r in runs if kind in r.rates]
        if values:
            print(f"    {kind:<50} {statistics.median(values):8.1f}")
    print(
        "  CPU = user+sys of the process and of every descendant it waited for (os.wait4).\n"
        "  Peak RSS per process: main = our main process, workers = largest forked worker (ingest\n"
        "  and render pools, Whoosh writers), pagefind = the Pagefind process (launcher + binary);\n"
        "  shared pages count in each. ingest check = the build's look for changed raw inputs."
    )


def profile(gen: Path, work: Path) -> None:
    from generator.config import load_config
    from generator.pipeline import run_build

    root = new_archive(gen / "raw", work / "archive-profile")
    ingest = ours(root, "ingest")
    if not ingest.ok:
        failed("newsarchive ingest (profile)", ingest.proc)
        return
    config = load_config(root)
    profiler = cProfile.Profile()
    profiler.enable()
    run_build(config)
    profiler.disable()
    print(
        "\n-- cProfile of a full build (records -> site), main process only, top 20 cumulative --"
    )
    pstats.Stats(profiler, stream=sys.stdout).sort_stats("cumulative").print_stats(20)


def bench(n: int, args: argparse.Namespace) -> list[Run]:
    base = args.workdir / f"n{n}"
    shutil.rmtree(base, ignore_errors=True)
    base.mkdir(parents=True)
    gen = base / "gen"
    subprocess.run(
        [sys.executable, str(GEN), "-n", str(n), "-o", str(gen), "--layout", "all"],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    tools: list[tuple[str, Callable[[Path, Run], None]]] = [
        ("newsarchive", lambda work, run: run_ours(n, gen, work, min(n, args.sample), run))
    ]
    if not args.no_pelican:
        tools.append(("Pelican", lambda work, run: run_pelican(gen, work, args.pelican_venv, run)))
    if not args.no_hugo:
        tools.append(("Hugo", lambda work, run: run_hugo(gen, work, run)))
    runs = []
    try:
        for number in range(args.runs):
            turn = number % len(tools)
            order = tools[turn:] + tools[:turn]
            print(f"\n{n} articles, run {number + 1}/{args.runs}: {', '.join(t for t, _ in order)}")
            run = Run()
            for name, tool in order:
                work = base / f"run{number + 1}-{name.lower()}"
                work.mkdir()
                tool(work, run)
                if not args.keep:
                    shutil.rmtree(work, ignore_errors=True)
            ratios(run)
            runs.append(run)
        if args.profile:
            profile(gen, base)
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)
    return runs


def main() -> int:
    if len(sys.argv) > 2 and sys.argv[1] == "--as-newsarchive":
        return as_newsarchive(Path(sys.argv[2]), sys.argv[3:])
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, action="append", help="articles (repeatable; 1000)")
    parser.add_argument("--runs", type=int, default=1, help="runs per size, tool order rotated")
    parser.add_argument("--profile", action="store_true", help="cProfile top-20 of a full build")
    parser.add_argument("--sample", type=int, default=300, help="articles in .txt/.html ingest")
    parser.add_argument("--no-pelican", action="store_true")
    parser.add_argument("--no-hugo", action="store_true")
    parser.add_argument("--pelican-venv", type=Path, default=PELICAN_VENV)
    parser.add_argument("--workdir", type=Path, default=BENCHWORK / "bench-build")
    parser.add_argument("--keep", action="store_true", help="keep corpora and outputs")
    args = parser.parse_args()
    # Peers run with their work folder as the current one: relative paths would not resolve.
    args.pelican_venv, args.workdir = args.pelican_venv.resolve(), args.workdir.resolve()
    results = [(n, bench(n, args)) for n in args.n or [1000]]
    for n, runs in results:
        table(n, runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
