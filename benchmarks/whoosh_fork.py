"""Whoosh forks side by side: whoosh-reloaded (the dependency) and another fork installed from
its wheel (e.g. whoosh3), each with its own writer and searcher, and newsarchive's own engine
(bulk writer, numpy scorer) on whoosh-reloaded, in the same run, on the same articles.

    .venv/bin/pip download whoosh3 --no-deps -d /tmp/wheels
    .venv/bin/python benchmarks/whoosh_fork.py ARCHIVE/content/articles \\
        --fork-wheel /tmp/wheels/whoosh3-*.whl [-n 10000]

Each system runs in a fresh process (the fork by PYTHONPATH, ahead of the installed whoosh):
a full index of n articles (CPU seconds: the machine is shared), then query latency p50/p95
warm for one word, three words and a phrase (40 queries each, the words of the articles),
Whoosh's searchers with OrGroup.factory(0.9) over title and body (soft AND, as ours). It also
says whether newsarchive's Whoosh-internals module (search/whoosh_private.py) imports with it.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

from generator.search.query_syntax import parse_query


def _documents(folder: Path, n: int) -> list[dict[str, str]]:
    import yaml

    docs = []
    for path in sorted(folder.glob("*.md"))[:n]:
        head, _, body = path.read_text(encoding="utf-8").partition("\n---\n")
        meta = yaml.safe_load(head.lstrip("-\n")) or {}
        docs.append({"slug": path.stem, "title": str(meta.get("title", "")), "body": body})
    return docs


def _queries(docs: list[dict[str, str]]) -> dict[str, list[str]]:
    rng = random.Random(7)
    vocabulary = sorted(
        {w.lower() for d in docs[:200] for w in re.findall(r"[A-Za-z]{5,}", d["body"])}
    )
    return {
        "one word": [rng.choice(vocabulary) for _ in range(40)],
        "three words": [" ".join(rng.sample(vocabulary, 3)) for _ in range(40)],
        "phrase": [
            phrase
            for d in docs[:80]
            if not parse_query(
                phrase := '"'
                + " ".join(re.findall(r"[A-Za-z]{3,}", d["body"])[10:12]).lower()
                + '"'
            ).is_empty
        ][:40],
    }


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


def _timed_queries(run: Any, queries: dict[str, list[str]]) -> dict[str, tuple[float, float]]:
    found = {}
    for kind, texts in queries.items():
        times = []
        for text in texts:
            run(text)  # warm
            start = time.perf_counter()
            run(text)
            times.append(time.perf_counter() - start)
        found[kind] = _percentiles(times)
    return found


def _child_whoosh(work: Path) -> dict[str, Any]:
    import whoosh
    from whoosh import index, qparser
    from whoosh.analysis import StemmingAnalyzer
    from whoosh.fields import ID, TEXT, Schema

    docs = json.loads((work / "docs.json").read_text())
    queries = json.loads((work / "queries.json").read_text())
    target = work / f"index-{os.getpid()}"
    target.mkdir()
    schema = Schema(
        slug=ID(stored=True, unique=True),
        title=TEXT(analyzer=StemmingAnalyzer(), stored=True, field_boost=2.0),
        body=TEXT(analyzer=StemmingAnalyzer(), stored=True),
    )
    start = time.process_time()
    ix = index.create_in(str(target), schema)
    writer = ix.writer(limitmb=256)
    for doc in docs:
        writer.add_document(**doc)
    writer.commit()
    build = time.process_time() - start
    searcher = ix.searcher()
    parser = qparser.MultifieldParser(
        ["title", "body"], schema=ix.schema, group=qparser.OrGroup.factory(0.9)
    )

    def run(text: str) -> None:
        list(searcher.search(parser.parse(text), limit=10))

    latency = _timed_queries(run, queries)
    try:
        import generator.search.whoosh_private  # noqa: F401

        private = "imports"
    except Exception as exc:  # the fork's layout differs
        private = f"fails: {type(exc).__name__}: {exc}"
    version = getattr(whoosh, "__version_str__", None) or ".".join(map(str, whoosh.__version__))
    return {"version": version, "build": build, "latency": latency, "private": private}


def _child_ours(work: Path) -> dict[str, Any]:
    from generator.search.documents import SearchDocument
    from generator.search.indexing import build_index
    from generator.search.searching import search

    docs = json.loads((work / "docs.json").read_text())
    queries = json.loads((work / "queries.json").read_text())
    target = work / "ours"
    documents = [
        SearchDocument(
            d["slug"],
            d["title"],
            d["body"],
            "",
            f"articles/{d['slug']}/",
            None,
            None,
            (),
            (),
            (),
            (),
            d["slug"],
        )
        for d in docs
    ]
    start = time.process_time()
    build_index(target, documents)
    build = time.process_time() - start

    def run(text: str) -> None:
        search(target, text, limit=10)

    return {
        "version": "newsarchive engine",
        "build": build,
        "latency": _timed_queries(run, queries),
        "private": "(its own)",
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("articles", type=Path)
    parser.add_argument("--fork-wheel", type=Path, required=True)
    parser.add_argument("-n", type=int, default=10000)
    parser.add_argument("--child", choices=["whoosh", "ours"])
    parser.add_argument("--work", type=Path)
    args = parser.parse_args()
    if args.child:
        result = _child_whoosh(args.work) if args.child == "whoosh" else _child_ours(args.work)
        print(json.dumps(result))
        return 0
    work = Path(tempfile.mkdtemp(prefix="whoosh-fork-"))
    try:
        docs = _documents(args.articles, args.n)
        (work / "docs.json").write_text(json.dumps(docs))
        (work / "queries.json").write_text(json.dumps(_queries(docs)))
        fork = work / "fork"
        with zipfile.ZipFile(args.fork_wheel) as wheel:
            wheel.extractall(fork)
        rows = {}
        for label, child, path in (
            ("whoosh-reloaded, its own writer and searcher", "whoosh", None),
            (f"{args.fork_wheel.name.split('-')[0]}, its own writer and searcher", "whoosh", fork),
            ("newsarchive (bulk writer, numpy scorer) on whoosh-reloaded", "ours", None),
        ):
            env = dict(os.environ)
            if path is not None:
                env["PYTHONPATH"] = os.pathsep.join([str(path), env.get("PYTHONPATH", "")])
            done = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    str(args.articles),
                    "--fork-wheel",
                    str(args.fork_wheel),
                    "--child",
                    child,
                    "--work",
                    str(work),
                ],
                capture_output=True,
                text=True,
                env=env,
                check=True,
            )
            rows[label] = json.loads(done.stdout.strip().splitlines()[-1])
        print(f"\n== {len(docs)} articles, one process each, CPU s for the build ==")
        for label, row in rows.items():
            lat = ", ".join(
                f"{k} {v[0] * 1000:.0f}/{v[1] * 1000:.0f}" for k, v in row["latency"].items()
            )
            print(f"{label} ({row['version']}): build {row['build']:.1f} CPU s; p50/p95 ms: {lat}")
            print(f"    search/whoosh_private.py with it: {row['private']}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
