"""Search relevance on public test collections: MAP, nDCG@10, P@10 for both engines and a BM25
baseline, in the same run.

    .venv/bin/python benchmarks/relevance.py --time DIR [--no-browser] [--keep DIR]

DIR holds the collection's files (TIME.ALL, TIME.QUE, TIME.REL). They are not in this
repository (the articles' text is TIME's): fetch the public GitHub repository
`fabianobie/luppar` and take its `data/time/` folder, e.g.
`git --git-dir <mirror> archive HEAD data/time | tar -x -C /tmp`.

For each collection (documents, queries, relevance judgments):

1. every document is written as a Markdown record input (`content/raw/<id>.md`: a neutral
   title, the date when the collection has one, the text) and the archive is built with
   `newsarchive build`, as a user would (ingest, records, site, Whoosh index, Pagefind bundle);
2. every query is run as typed, unedited (long sentences, as readers type them):
   - Whoosh: `newsarchive search QUERY --json --limit 1000`, through cli.main in this process;
   - Pagefind: the built site served by a real HTTP server, in Debian's Chromium through
     Playwright, through the search page's own query code (window.newsarchiveSearch: the
     function the page's form uses, which returns every ranked result);
   - plain BM25 (k1 1.2, b 0.75, Robertson-Sparck Jones idf), over the collection's raw text
     lower-cased, split on non-letters, Porter-stemmed, Whoosh's stop words left out, every
     query word OR-ed: the baseline.
3. MAP (over the ranking each engine returns, up to 1,000), nDCG@10 and P@10 (binary
   relevance), queries with no results, and queries without results where the baseline finds a
   relevant article; how often the two engines agree on the top 5.

Collections:
- time: 423 TIME magazine articles of 1963, 83 queries (Cornell SMART test collection; this copy
  has 423 of its 425 documents, and TIME.REL's numbers from 380 on are mapped two places
  earlier: see load_time).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import math
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from whoosh.analysis import STOP_WORDS
from whoosh.lang.porter import stem

from generator.cli import main as cli

CHROMIUM = Path("/usr/bin/chromium")


@dataclass(frozen=True)
class Collection:
    name: str
    docs: dict[str, tuple[str, str | None]]  # id -> (text, date)
    queries: dict[str, str]  # id -> text as typed
    relevant: dict[str, set[str]]  # query id -> relevant document ids


def load_time(folder: Path) -> Collection:
    """TIME.ALL (`*TEXT 017 01/04/63 PAGE 020` then the text), TIME.QUE (`*FIND 1` then the
    query), TIME.REL (query number, then the relevant documents by their number in the
    collection's order).

    The collection had 425 documents; this copy has 423 (the mail that came with it, README,
    says so). The two missing ones were dated November 1963, between the 370th and the 380th:
    TIME.REL's numbers from 380 on name the document two places earlier here (checked by the
    words each judged document shares with its query, and no judgment names 371 to 379).
    """
    text = (folder / "TIME.ALL").read_text(encoding="ascii")
    docs: dict[str, tuple[str, str | None]] = {}
    for match in re.finditer(
        r"\*TEXT\s+(\d+)\s+(\d\d)/(\d\d)[/ ](\d\d)\s+PAGE\s+\d+\s*\n(.*?)(?=\*TEXT|\*STOP|\Z)",
        text,
        re.S,
    ):
        number, month, day, year, body = match.groups()
        docs[number] = (body.strip(), f"19{year}-{month}-{day}")
    assert len(docs) == 423, len(docs)
    order = list(docs)
    queries = {}
    for match in re.finditer(
        r"\*FIND\s+(\d+)\s*\n(.*?)(?=\*FIND|\*STOP|\Z)",
        (folder / "TIME.QUE").read_text(encoding="ascii"),
        re.S,
    ):
        queries[match.group(1)] = " ".join(match.group(2).split())
    relevant: dict[str, set[str]] = {}
    for line in (folder / "TIME.REL").read_text(encoding="ascii").splitlines():
        fields = line.split()
        if len(fields) > 1:
            numbers = [int(n) for n in fields[1:]]
            assert not [n for n in numbers if 370 < n < 380], numbers
            relevant[fields[0]] = {order[n - 1 if n <= 370 else n - 3] for n in numbers}
    return Collection("time", docs, queries, relevant)


LOADERS = {"time": load_time}


def write_archive(collection: Collection, root: Path) -> None:
    cli(["init", str(root)], out=io.StringIO())
    raw = root / "content" / "raw"
    for number, (text, date) in collection.docs.items():
        head = [f'title: "{collection.name.upper()} document {number}"']
        if date:
            head.append(f"date: {date}")
        (raw / f"{collection.name}-{number}.md").write_text(
            "---\n" + "\n".join(head) + "\n---\n\n" + text + "\n", encoding="utf-8"
        )


def doc_id(url: str) -> str:
    """The collection's document id from an article URL (its slug ends with the id)."""
    return url.rstrip("/").rsplit("-", 1)[-1]


def whoosh_rankings(root: Path, queries: dict[str, str]) -> dict[str, list[str]]:
    rankings = {}
    for qid, text in queries.items():
        out = io.StringIO()
        code = cli(
            ["--root", str(root), "search", "--json", "--limit", "1000", "--", text],
            out=out,
            err=io.StringIO(),
        )
        data = json.loads(out.getvalue()) if code == 0 else {"hits": []}
        rankings[qid] = [doc_id(hit["url"]) for hit in data["hits"]]
    return rankings


def _terms(text: str) -> list[str]:
    return [stem(w) for w in re.findall(r"[a-z]+", text.lower()) if w not in STOP_WORDS]


def bm25_rankings(collection: Collection, k1: float = 1.2, b: float = 0.75) -> dict[str, list[str]]:
    docs = {key: Counter(_terms(text)) for key, (text, _) in collection.docs.items()}
    lengths = {key: sum(counts.values()) for key, counts in docs.items()}
    average = statistics.mean(lengths.values())
    df: Counter[str] = Counter()
    for counts in docs.values():
        df.update(counts.keys())
    n = len(docs)
    rankings = {}
    for qid, text in collection.queries.items():
        words = set(_terms(text))
        scores: dict[str, float] = {}
        for key, counts in docs.items():
            score = 0.0
            for word in words:
                tf = counts.get(word, 0)
                if tf:
                    idf = math.log(1 + (n - df[word] + 0.5) / (df[word] + 0.5))
                    score += idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * lengths[key] / average))
            if score > 0:
                scores[key] = score
        rankings[qid] = sorted(scores, key=lambda k: (-scores[k], k))
    return rankings


@contextlib.contextmanager
def served(site: Path) -> Iterator[str]:
    server = subprocess.Popen(
        [sys.executable, "-m", "http.server", "0", "--bind", "127.0.0.1", "-d", str(site)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert server.stdout is not None
        port = int(server.stdout.readline().split("port ")[1].split()[0])
        yield f"http://127.0.0.1:{port}/"
    finally:
        server.terminate()
        server.wait()
        if server.stdout:
            server.stdout.close()


def pagefind_rankings(site: Path, queries: dict[str, str]) -> dict[str, list[str]]:
    """Each query through the search page's own code on a static host, in Chromium."""
    from playwright.sync_api import sync_playwright

    rankings = {}
    with served(site) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page()
        page.goto(base + "search/")
        page.wait_for_function("typeof window.newsarchiveSearch === 'function'", timeout=30000)
        for qid, text in queries.items():
            found = page.evaluate("q => window.newsarchiveSearch(q, {}).then(r => r.urls)", text)
            rankings[qid] = [doc_id(url) for url in found]
        browser.close()
    return rankings


def average_precision(ranking: Sequence[str], relevant: set[str]) -> float:
    hits, total = 0, 0.0
    for rank, key in enumerate(ranking, 1):
        if key in relevant:
            hits += 1
            total += hits / rank
    return total / len(relevant) if relevant else 0.0


def ndcg(ranking: Sequence[str], relevant: set[str], k: int = 10) -> float:
    gain = sum(
        1 / math.log2(rank + 1) for rank, key in enumerate(ranking[:k], 1) if key in relevant
    )
    ideal = sum(1 / math.log2(rank + 1) for rank in range(1, min(k, len(relevant)) + 1))
    return gain / ideal if ideal else 0.0


def evaluate(
    name: str,
    rankings: dict[str, list[str]],
    collection: Collection,
    baseline: dict[str, list[str]],
) -> dict[str, Any]:
    judged = [q for q in collection.queries if collection.relevant.get(q)]
    rel = collection.relevant
    return {
        "system": name,
        "MAP": statistics.mean(average_precision(rankings[q], rel[q]) for q in judged),
        "nDCG@10": statistics.mean(ndcg(rankings[q], rel[q]) for q in judged),
        "P@10": statistics.mean(sum(k in rel[q] for k in rankings[q][:10]) / 10 for q in judged),
        "no results": sum(not rankings[q] for q in judged),
        "none, baseline finds one": sum(
            not rankings[q] and bool(set(baseline[q]) & rel[q]) for q in judged
        ),
        "queries": len(judged),
    }


def run(name: str, folder: Path, browser: bool, keep: Path | None) -> None:
    collection = LOADERS[name](folder)
    work = Path(tempfile.mkdtemp(prefix=f"relevance-{name}-"))
    root = keep or work / "archive"
    try:
        if keep is None or not (root / "site").is_dir():
            shutil.rmtree(root, ignore_errors=True)
            write_archive(collection, root)
            start = time.perf_counter()
            err = io.StringIO()
            code = cli(["--root", str(root), "build"], out=io.StringIO(), err=err)
            problems = [line for line in err.getvalue().splitlines() if line.strip()]
            print(
                f"built {len(collection.docs)} documents in {time.perf_counter() - start:.1f} s"
                f" (exit {code}, {len(problems)} problem lines)"
            )
            for line in problems[:5]:
                print("  " + line)
        records = len(list((root / "content" / "articles").glob("*.md")))
        print(f"{records} records of {len(collection.docs)} documents")
        baseline = bm25_rankings(collection)
        results = [evaluate("BM25 baseline (stemmed, OR)", baseline, collection, baseline)]
        start = time.perf_counter()
        whoosh = whoosh_rankings(root, collection.queries)
        whoosh_time = time.perf_counter() - start
        results.append(evaluate("Whoosh (newsarchive search)", whoosh, collection, baseline))
        pagefind = None
        if browser and CHROMIUM.exists():
            pagefind = pagefind_rankings(root / "site", collection.queries)
            results.append(evaluate("Pagefind (search page)", pagefind, collection, baseline))
        print(f"\n== {name}: {len(collection.queries)} queries as typed ==")
        print(
            f"{'system':<32} {'MAP':>6} {'nDCG@10':>8} {'P@10':>6} {'no results':>11} {'none, BM25 finds':>17}"
        )
        for row in results:
            print(
                f"{row['system']:<32} {row['MAP']:>6.3f} {row['nDCG@10']:>8.3f} {row['P@10']:>6.3f}"
                f" {row['no results']:>11} {row['none, baseline finds one']:>17}"
            )
        base_map = results[0]["MAP"]
        print(f"Whoosh MAP / baseline: {results[1]['MAP'] / base_map:.3f}")
        if pagefind is not None:
            print(f"Pagefind MAP / baseline: {results[2]['MAP'] / base_map:.3f}")
            overlap = statistics.mean(
                len(set(whoosh[q][:5]) & set(pagefind[q][:5])) for q in collection.queries
            )
            print(f"top 5 shared by Whoosh and Pagefind: {overlap:.2f} of 5 on average")
        print(
            f"Whoosh: {whoosh_time / len(collection.queries) * 1000:.0f} ms a query (CLI in-process)"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--time", type=Path, required=True, help="folder with TIME.ALL, TIME.QUE and TIME.REL"
    )
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument("--keep", type=Path, help="build the archive here and reuse it next time")
    args = parser.parse_args()
    if not (args.time / "TIME.ALL").is_file():
        parser.error(f"{args.time} has no TIME.ALL: give the folder holding the TIME collection")
    run("time", args.time, not args.no_browser, args.keep)
    return 0


if __name__ == "__main__":
    sys.exit(main())
