"""Ingest throughput on a generated corpus: plain text, Markdown and HTML pages, same-run baselines.

    .venv/bin/python benchmarks/bench_ingest.py [-n 1000] [--kinds txt,md,html]
                                                [--baseline-code DIR] [--real-html N]

Generates articles with ../shared/bench/gen_corpus.py (deterministic), writes them as .txt
(headline, byline, date line, paragraphs, a junk tail), as .md, and as .html: a news page around
the article (head with JSON-LD and Open Graph, scripts and styles, navigation, share row,
related list, comments, footer), then times `newsarchive ingest` from a cold content/articles/
in a child process: wall seconds and the CPU seconds of the process and its workers.

Baselines in the same run: reading and splitting the same files into lines (how much work ingest
adds per byte), and with --baseline-code the same ingest run by the generator/ of another
source tree (e.g. `git archive main | tar -x -C /tmp/main`), so a change is compared with main
on the same corpus and the same (noisy, shared) machine. --real-html N adds the first N pages of
../shared/data/wcxb-dev/ as a fourth corpus.
"""

from __future__ import annotations

import argparse
import gzip
import html
import json
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SHARED = Path(__file__).resolve().parents[2] / "shared"
GEN = SHARED / "bench" / "gen_corpus.py"
TAIL = "\nShare this:\nFacebook\nTwitter\n\nLeave a Reply\nYour email address will not be published. Required fields are marked *\n"
PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>{title} | The Daily Example</title>
<meta property="og:title" content="{title}"><meta property="og:site_name" content="The Daily Example">
<meta property="article:published_time" content="{date}T08:00:00Z">
<script type="application/ld+json">{ld}</script>
<script>window.dataLayer=window.dataLayer||[];function gtag(){{dataLayer.push(arguments)}}gtag('js',new Date());</script>
<style>body{{font-family:serif}} .share a{{margin:0 4px}} nav li{{display:inline}}</style>
</head><body>
<header class="masthead"><a href="/">The Daily Example</a>
<nav class="main-menu"><ul><li><a href="/news">News</a></li><li><a href="/politics">Politics</a></li>
<li><a href="/business">Business</a></li><li><a href="/sport">Sport</a></li></ul></nav></header>
<div class="cookie-banner">We use cookies to improve your experience. <button>Accept all</button></div>
<main><article class="post">
<h1>{title}</h1>
<p class="byline">By {author} · {date}</p>
<div class="share"><a href="#">Facebook</a><a href="#">Twitter</a><a href="#">Email</a></div>
<div class="entry-content">
{body}
</div></article>
<aside class="related"><h2>Related stories</h2><ul>
<li><a href="/a">Council approves new budget after long debate</a></li>
<li><a href="/b">Harbour project delayed again, officials say</a></li>
<li><a href="/c">Five things to know about the regional election</a></li></ul></aside>
<section id="comments"><h3>2 comments</h3>
<div class="comment"><p>Great reporting, thank you for covering this.</p></div>
<div class="comment"><p>I was there and it was not like that at all.</p></div>
<form class="comment-form"><label>Leave a reply</label><textarea></textarea><button>Post</button></form>
</section></main>
<footer><p>© 2024 The Daily Example. All rights reserved.</p><p><a href="/privacy">Privacy</a></p></footer>
<script src="/app.js"></script><script>(function(){{var x=1;for(var i=0;i<10;i++){{x+=i}}}})();</script>
</body></html>
"""
# Runs in a child process with the source tree under test first on sys.path.
CHILD = """
import sys, time
from pathlib import Path
from generator.config import load_config
from generator.pipeline import run_ingest
report = run_ingest(load_config(Path(sys.argv[1])))
if report.problems:
    print(f"{len(report.problems)} problems, first: {report.problems[0]}", file=sys.stderr)
"""


def _front(md: str) -> tuple[dict[str, str], str]:
    head, body = md.split("\n---\n", 1)
    title = re.search(r'^title: "(.*)"$', head, re.M)
    date = re.search(r"^date: (\d{4}-\d{2}-\d{2})", head, re.M)
    author = re.search(r'^authors: \["([^"]+)"', head, re.M)
    return {
        "title": title.group(1) if title else "Untitled",
        "date": date.group(1) if date else "2024-01-01",
        "author": author.group(1) if author else "Staff",
    }, body.strip()


def _as_text(md: str) -> str:
    meta, body = _front(md)
    lines = [meta["title"], "", f"By {meta['author']}", f"Published {meta['date']}"]
    return "\n".join(lines) + "\n\n" + body + "\n" + TAIL


def _as_html(md: str) -> str:
    meta, body = _front(md)
    blocks = []
    for block in body.split("\n\n"):
        text = html.escape(re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", block.strip()))
        if block.startswith("## "):
            blocks.append(f"<h2>{text[3:]}</h2>")
        elif block.startswith(">"):
            blocks.append(f"<blockquote><p>{text.lstrip('&gt; ')}</p></blockquote>")
        elif text:
            blocks.append(f"<p>{text}</p>")
    ld = json.dumps(
        {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": meta["title"],
            "datePublished": meta["date"],
            "author": {"@type": "Person", "name": meta["author"]},
        }
    ).replace("</", "<\\/")
    return PAGE.format(
        title=html.escape(meta["title"]),
        date=meta["date"],
        author=html.escape(meta["author"]),
        ld=ld,
        body="\n".join(blocks),
    )


def _baseline(paths: list[Path]) -> float:
    start = time.perf_counter()
    for path in paths:
        path.read_bytes().decode("utf-8", "replace").splitlines()
    return time.perf_counter() - start


def _time_ingest(root: Path, code: Path) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the child and its workers) of one cold ingest."""
    shutil.rmtree(root / "content" / "articles", ignore_errors=True)
    shutil.rmtree(root / ".build", ignore_errors=True)
    env = {**os.environ, "PYTHONPATH": str(code)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", CHILD, str(root)], check=True, env=env, cwd=code)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return wall, cpu


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=1000)
    parser.add_argument("--kinds", default="txt,md,html")
    parser.add_argument("--baseline-code", help="also time the generator/ of this source tree")
    parser.add_argument("--real-html", type=int, default=0, help="first N WCXB dev pages too")
    args = parser.parse_args()
    kinds = args.kinds.split(",")
    codes = [Path(__file__).resolve().parents[1]]
    if args.baseline_code:
        codes.append(Path(args.baseline_code).resolve())
    work = Path(tempfile.mkdtemp(prefix="bench-ingest-"))
    try:
        subprocess.run(
            [sys.executable, str(GEN), "-n", str(args.n), "-o", str(work / "gen"), "--layout", "raw"],
            check=True,
            capture_output=True,
        )
        sources = sorted((work / "gen" / "raw").glob("*.md"))
        render = {"txt": _as_text, "md": lambda text: text, "html": _as_html}
        for kind in kinds:
            raw = work / kind / "content" / "raw"
            raw.mkdir(parents=True)
            for src in sources:
                text = src.read_text(encoding="utf-8")
                (raw / f"{src.stem}.{kind}").write_text(render[kind](text), encoding="utf-8")
        if args.real_html:
            kinds.append("wcxb")
            raw = work / "wcxb" / "content" / "raw"
            raw.mkdir(parents=True)
            pages = sorted((SHARED / "data" / "wcxb-dev" / "pages").glob("*.html.gz"))
            for page in pages[: args.real_html]:
                (raw / page.name.removesuffix(".gz")).write_bytes(gzip.decompress(page.read_bytes()))
        print(
            f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
            f"Python {platform.python_version()}"
        )
        print(
            f"{'input':<6} {'code':<12} {'articles':>8} {'wall s':>7} {'art/s':>7} "
            f"{'CPU s':>7} {'CPU ms/art':>10} {'x baseline':>11}"
        )
        for kind in kinds:
            root = work / kind
            paths = sorted((root / "content" / "raw").iterdir())
            base = _baseline(paths)
            for code in codes:
                wall, cpu = _time_ingest(root, code)
                name = "this" if code == codes[0] else code.name
                print(
                    f"{kind:<6} {name:<12} {len(paths):>8} {wall:>7.2f} {len(paths) / wall:>7.0f} "
                    f"{cpu:>7.1f} {cpu / len(paths) * 1000:>10.1f} {wall / base:>11.0f}"
                )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
