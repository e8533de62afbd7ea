"""Mutation fuzzing of every per-input stage, on real pages too (run on demand, not in CI).

    .venv/bin/python benchmarks/fuzz.py [-n 10000] [--seed 1] [-j 2] [--save DIR]

Three targets, each case a mutated input:

- page: a real saved page (the ScrapingHub set in ../shared, when it is there, and
  tests/data/realworld/), mutated as bytes and as markup (tags broken, nested, duplicated;
  canonical links, encoding declarations, control characters, entities, huge attributes), run
  through what ingest and build do to one input: read -> clean -> extract -> annotate
  (pipeline.ingest_document, from a file in a raw folder), the record boundary and the dump
  (write.render_record), then the loader and the per-record analysis of the written record
  (load_article, analyze_article: Markdown, marks, sanitising);
- text: the seeds, the bad-input corpus and the sample archive's inputs, mutated, through
  decode -> clean -> extract -> front matter dump -> parse;
- front matter: mutated YAML through the parser.

An ArticleError is an expected, explained refusal. Anything else is a crash: it would have been
an "internal error" line (or, before issue 19, a traceback that ended the run). Crashing inputs
are written to --save for reproduction. Prints the cases per target, the crashes and the time.
"""

from __future__ import annotations

import argparse
import gzip
import multiprocessing
import random
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path

from generator.config import load_config
from generator.errors import ArticleError
from generator.frontmatter import article_to_mapping, split_front_matter, with_generated
from generator.ingest.clean import clean_text
from generator.ingest.extract import extract_article
from generator.ingest.read import decode_bytes
from generator.ingest.write import render_record
from generator.models import RawDocument, SourceMeta
from generator.pipeline import ingest_document
from generator.render.analysis import analyze_article
from generator.render.bodies import make_markdown
from generator.render.load import load_article

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
TEXT_DIRS = (SHARED / "seeds", REPO / "tests" / "data" / "bad", REPO / "content" / "raw")
PAGE_SOURCES = (
    SHARED / "data" / "article-extraction-benchmark" / "html",
    REPO / "tests" / "data" / "realworld",
)
FRAGMENTS = [
    b"Leave a Reply\n",
    b"Share this:\n",
    b"\xe2\x80\x9c",
    b"\xe2\x80\x9d",
    b"\x00",
    b"\xff\xfe",
    b"---\n",
    b"title: &a [*a]\n",
    b"!!python/object:os.system\n",
    b"By \n",
    b"Published 31 February 2024\n",
    b"casinobetgiris.com" * 20,
    b"\r\n",
    b"\xe2\x80\xae",
    b"<script>alert(1)</script>",
    b'""""',
    b": : :\n",
    b"MEXICO CITY \xe2\x80\x94 ",
    b"(Reporting by ; Editing by )",
    b"Mr. Mr. Mr.",
    b"\xc3",
    b"\xf0\x9f\x94\xa5" * 50,
    b"\x0c",
    b"\xe2\x80\xa8- *a\n",
    b"[x](https://evil.example/login) **bold** `code` <https://evil.example/>",
    b"[" * 50,
    b"*" * 30,
]
# Markup real pages are made of, and the shapes that broke extraction or the record boundary.
HTML_FRAGMENTS = [
    b'<link rel="canonical" href="https://example.org/a">',
    b'<link rel="canonical" href="/relative/path">',
    b'<meta property="og:url" content="javascript:alert(1)">',
    b'<meta property="article:published_time" content="2024-02-30T10:00:00Z">',
    b'<meta name="date" content="../../etc">',
    b'<meta charset="utf-32">',
    b'<meta http-equiv="Content-Type" content="text/html; charset=x-unknown">',
    b'<?xml version="1.0" encoding="ISO-8859-1"?>',
    b'<script type="application/ld+json">{"@type":"NewsArticle","headline":["a"],"author":{"name":5}}</script>',
    b'<script type="application/ld+json">{"@graph": [1, null, "x"]}</script>',
    b"<title></title>",
    b"<title>" + b"T" * 5000 + b"</title>",
    b"<h1>\x0c\x07</h1>",
    b"<div>" * 300,
    b"</div>" * 300,
    b"<p>",
    b"</p></p></body></html>",
    b"<!--",
    b"<![CDATA[",
    b"<figure><figcaption><span class='credit'>Photo: </span></figcaption></figure>",
    b"<section class='comments'>" + b"<p>reader comment text here</p>" * 200 + b"</section>",
    b'<a href="' + b"x" * 10000 + b'">',
    b"&#0;&#xD800;&#1114112;&bogus;&amp",
    b"<time datetime='0000-00-00'>",
    b"<html lang='" + b"x" * 500 + b"'>",
    b"<svg><script>alert(1)</script></svg>",
    b"<nav>" + b"<a href='/'>Home</a>" * 50 + b"</nav>",
]


def _mutate(data: bytes, rng: random.Random, fragments: list[bytes]) -> bytes:
    buf = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        op = rng.random()
        pos = rng.randint(0, len(buf)) if buf else 0
        if op < 0.25 and buf:
            buf[rng.randrange(len(buf))] = rng.randrange(256)
        elif op < 0.5:
            buf[pos:pos] = rng.choice(fragments)
        elif op < 0.65 and buf:
            del buf[pos : pos + rng.randint(1, 200)]
        elif op < 0.8 and buf:
            start = rng.randrange(len(buf))
            buf[pos:pos] = buf[start : start + rng.randint(1, 400)]
        elif op < 0.9:
            buf = buf[: rng.randint(0, len(buf))]
        else:
            buf[pos:pos] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 30)))
    return bytes(buf)


class _PageRunner:
    """One raw folder and one Markdown converter for a worker's page cases."""

    def __init__(self, folder: Path) -> None:
        self.root = folder
        (folder / "content" / "raw").mkdir(parents=True, exist_ok=True)
        (folder / "content" / "articles").mkdir(parents=True, exist_ok=True)
        self.config = load_config(folder)
        self.md = make_markdown(self.config.markdown_extensions)

    def run(self, data: bytes, suffix: str) -> None:
        raw = self.config.raw_dir / f"page{suffix}"
        raw.write_bytes(data)
        try:
            article = ingest_document(raw, self.config)
        except ArticleError:
            return
        text, _ = render_record(article, "0" * 64)
        record = self.config.articles_dir / "page.md"
        record.write_text(text, encoding="utf-8")
        try:
            loaded = load_article(record, self.config.articles_dir)
        except ArticleError as exc:
            raise AssertionError(f"a record ingest wrote does not load: {exc}") from exc
        analyze_article(loaded, self.md, self.config.base_url)


def _run_text(data: bytes) -> None:
    try:
        text, _ = decode_bytes(data, Path("fuzz.txt"))
    except ArticleError:
        return
    clean = clean_text(text, Path("fuzz.txt"))
    raw = RawDocument(Path("fuzz.txt"), "fuzz.txt", "txt", text, "0" * 64, "utf-8")
    article = extract_article(raw, clean, SourceMeta(), summary_words=30)
    written = with_generated(article_to_mapping(article), article.body or "x", "fuzz")
    split_front_matter(written, Path("fuzz.md"))


def _run_front_matter(data: bytes) -> None:
    try:
        split_front_matter(data.decode("utf-8", "replace"), Path("fuzz.md"))
    except ArticleError:
        return


def _corpora(max_page: int) -> tuple[list[bytes], list[tuple[bytes, str]]]:
    texts = [
        p.read_bytes()[:20000]
        for d in TEXT_DIRS
        if d.is_dir()
        for p in sorted(d.iterdir())
        if p.is_file()
    ]
    texts.append(b"---\ntitle: A\ndate: 2024-01-01\nauthors: [a]\n---\nBody.\n")
    pages: list[tuple[bytes, str]] = []
    for folder in PAGE_SOURCES:
        for path in sorted(folder.glob("*")) if folder.is_dir() else []:
            if path.name == "README.md":
                continue
            data = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
            name = path.name.removesuffix(".gz")
            pages.append((data[:max_page], name[name.index(".") :] if "." in name else ".html"))
    return texts, pages


def _work(
    job: tuple[int, int, int, float, int, str | None],
) -> tuple[Counter[str], list[str], float]:
    """Cases [start, stop) of the run with seed `seed`; (cases per target, crashes, CPU s)."""
    start, stop, seed, page_share, max_page, save = job
    texts, pages = _corpora(max_page)
    counts: Counter[str] = Counter()
    crashes: list[str] = []
    cpu = time.process_time()
    with tempfile.TemporaryDirectory(prefix="fuzz-") as tmp:
        runner = _PageRunner(Path(tmp))
        for i in range(start, stop):
            rng = random.Random(seed * 1_000_003 + i)  # each case reproducible on its own
            if pages and rng.random() < page_share:
                page, suffix = rng.choice(pages)
                data = _mutate(page, rng, HTML_FRAGMENTS + FRAGMENTS)
                name, call = "page", lambda d, s=suffix: runner.run(d, s)
            else:
                data = _mutate(rng.choice(texts), rng, FRAGMENTS)
                name, call = (
                    ("front matter", _run_front_matter) if i % 3 == 0 else ("text", _run_text)
                )
            counts[name] += 1
            try:
                call(data)
            except Exception:
                last = traceback.format_exc(limit=4).strip().splitlines()[-1]
                crashes.append(f"case {i} ({name}): {last}")
                if save:
                    Path(save).mkdir(parents=True, exist_ok=True)
                    (Path(save) / f"case-{i}.bin").write_bytes(data)
    return counts, crashes, time.process_time() - cpu


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=10_000, help="cases (default 10,000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("-j", type=int, default=1, help="worker processes")
    parser.add_argument("--page-share", type=float, default=0.5, help="share of page cases")
    parser.add_argument("--max-page-bytes", type=int, default=80_000)
    parser.add_argument("--save", help="folder for the inputs that crash")
    args = parser.parse_args()
    texts, pages = _corpora(args.max_page_bytes)
    bounds = [args.n * k // args.j for k in range(args.j + 1)]
    jobs = [
        (bounds[k], bounds[k + 1], args.seed, args.page_share, args.max_page_bytes, args.save)
        for k in range(args.j)
    ]
    start = time.perf_counter()
    if args.j > 1:
        with multiprocessing.get_context("fork").Pool(args.j) as pool:
            results = pool.map(_work, jobs)
    else:
        results = [_work(job) for job in jobs]
    elapsed = time.perf_counter() - start
    counts: Counter[str] = Counter()
    crashes: list[str] = []
    for part, found, _ in results:
        counts.update(part)
        crashes.extend(found)
    cpu = sum(r[2] for r in results)
    print(
        f"fuzz: {args.n} cases (seed {args.seed}; {len(pages)} real pages, {len(texts)} texts) "
        f"in {elapsed:.0f} s wall, {cpu:.0f} CPU-s: "
        + ", ".join(f"{counts[k]} {k}" for k in ("page", "text", "front matter"))
        + f"; {len(crashes)} crashes"
    )
    for line in crashes[:20]:
        print("  " + line)
    return 1 if crashes else 0


if __name__ == "__main__":
    sys.exit(main())
