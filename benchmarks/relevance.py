"""Search relevance on public test collections: MAP, nDCG@10, P@10 for both engines and a BM25
baseline, in the same run.

    .venv/bin/python benchmarks/relevance.py --time DIR [--cisi DIR] [--med DIR] [--cran DIR]
        [--adi DIR] [--lisa DIR] [--no-browser] [--keep DIR]

Each DIR holds one collection's files as published (e.g. TIME.ALL, TIME.QUE, TIME.REL). They
are not in this repository (their text belongs to their publishers): fetch the public GitHub
repository `fabianobie/luppar` and take its `data/<name>/` folders, e.g.
`git --git-dir <mirror> archive HEAD data | tar -x -C /tmp` (the README names each collection).

For each collection (documents, queries, relevance judgments):

1. every document is written as a Markdown record input (`content/raw/<name>-<id>.md`: its
   title when the collection has titles, else a neutral one; its authors when it names them;
   the date when it has one; the text) and the archive is built with `newsarchive build`, as a
   user would (ingest, records, site, Whoosh index, Pagefind bundle);
2. every query is run as typed, unedited (long sentences and paragraphs, as readers type them):
   - Whoosh: `newsarchive search QUERY --json --limit 1000`, through cli.main in this process;
   - Pagefind: the built site served by a real HTTP server, in Debian's Chromium through
     Playwright, through the search page's own query code (window.newsarchiveSearch: the
     function the page's form uses, which returns every ranked result);
   - plain BM25 (k1 1.2, b 0.75, Robertson-Sparck Jones idf), over the collection's raw text
     (title and text) lower-cased, split on non-letters, Porter-stemmed, Whoosh's stop words
     left out, every query word OR-ed: the baseline. A second row scores the same way over the
     words as the index splits them (digits kept: "32", "1963"), so that the ranking alone is
     compared; ratios are to the first.
3. MAP (over the ranking each engine returns, up to 1,000), nDCG@10 and P@10 (binary
   relevance), over the queries with judgments; queries with no results, and queries without
   results where the baseline finds a relevant document; how often the two engines agree on
   the top 5. One table for every collection and system.

Collections (LOADERS; each loader checks the sizes as published):
- time: 423 TIME magazine articles of 1963 (no titles), 83 queries (Cornell SMART test
  collection; this copy has 423 of its 425 documents, and TIME.REL's numbers from 380 on are
  mapped two places earlier: see load_time).
- cisi: 1,460 library-science abstracts with titles and authors, 112 queries, 76 judged.
- med: 1,033 MEDLINE abstracts (no titles), 30 queries, all judged.
- cran: Cranfield, 1,400 aeronautics abstracts with titles and authors, 225 queries, all judged.
- adi: 82 documentation abstracts with titles and authors, 35 queries, all judged.
- lisa: 5,999 library-science abstracts with titles, in capitals (as TIME is), 35 queries, all
  judged (this copy has 5,999 of its 6,004 documents: see load_lisa).
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
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from whoosh.analysis import STOP_WORDS
from whoosh.lang.porter import stem

from generator.cli import main as cli

CHROMIUM = Path("/usr/bin/chromium")


@dataclass(frozen=True)
class Document:
    text: str
    title: str | None = None  # the collection's own title, when it has one
    date: str | None = None
    authors: tuple[str, ...] = ()


@dataclass(frozen=True)
class Collection:
    name: str
    docs: dict[str, Document]
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
    docs: dict[str, Document] = {}
    for match in re.finditer(
        r"\*TEXT\s+(\d+)\s+(\d\d)/(\d\d)[/ ](\d\d)\s+PAGE\s+\d+\s*\n(.*?)(?=\*TEXT|\*STOP|\Z)",
        text,
        re.S,
    ):
        number, month, day, year, body = match.groups()
        docs[number] = Document(body.strip(), date=f"19{year}-{month}-{day}")
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


def smart_records(path: Path) -> dict[str, dict[str, str]]:
    """The records of a SMART-format file (`.I 12`, then fields such as `.T` title, `.A` author,
    `.W` text, each on its own line and followed by its text): record number -> field letter ->
    text, whitespace collapsed (the files break lines at 70-80 columns). A field that repeats
    (CISI's `.A`, one per author) keeps its texts one a line."""
    records: dict[str, dict[str, list[str]]] = {}
    lines: list[str] = []
    for line in path.read_text(encoding="latin-1").splitlines():
        head = re.match(r"\.([A-Z])(?:\s+(.*))?$", line)
        if head and head.group(1) == "I":
            record: dict[str, list[str]] = {}
            records[(head.group(2) or "").strip()] = record
            lines = []
        elif head:
            texts = record.setdefault(head.group(1), [])
            texts.append("")
            lines = texts
            if head.group(2):
                lines[-1] = head.group(2)
        elif lines:
            lines[-1] += " " + line
    return {
        number: {
            key: "\n".join(" ".join(t.split()) for t in texts) for key, texts in fields.items()
        }
        for number, fields in records.items()
    }


def _smart_collection(
    name: str, documents: Path, queries: Path, pairs: list[tuple[str, str]]
) -> Collection:
    """A collection in SMART format: each document's `.T` is its title (when there is one),
    `.A` its authors, `.W` its text; each query's `.W` the query as typed; `pairs` the relevance
    judgments (query number, document number)."""
    docs = {
        number: Document(
            fields.get("W", ""),
            title=" ".join(fields["T"].split()) or None if "T" in fields else None,
            authors=tuple(a for a in fields.get("A", "").splitlines() if a.strip()),
        )
        for number, fields in smart_records(documents).items()
    }
    asked = {
        number: " ".join(f.get("W", "").split()) for number, f in smart_records(queries).items()
    }
    relevant: dict[str, set[str]] = {}
    for query, doc in pairs:
        assert doc in docs, (name, query, doc)
        relevant.setdefault(query, set()).add(doc)
    assert set(relevant) <= set(asked), (name, sorted(set(relevant) - set(asked)))
    return Collection(name, docs, asked, relevant)


def _columns(path: Path) -> list[list[str]]:
    return [
        line.split() for line in path.read_text(encoding="latin-1").splitlines() if line.strip()
    ]


def load_cisi(folder: Path) -> Collection:
    """CISI (library and information science, Institute for Scientific Information): 1,460
    documents with titles and authors, 112 queries, 76 of them judged (CISI.REL: query,
    document, 0, 0.0)."""
    pairs = [(row[0], row[1]) for row in _columns(folder / "CISI.REL")]
    collection = _smart_collection("cisi", folder / "CISI.ALL", folder / "CISI.QRY", pairs)
    _check_sizes(collection, 1460, 112, 76)
    return collection


def load_med(folder: Path) -> Collection:
    """MED (MEDLINE abstracts): 1,033 documents without titles, 30 queries, all judged
    (MED.REL: query, 0, document, 1)."""
    pairs = [(row[0], row[2]) for row in _columns(folder / "MED.REL")]
    collection = _smart_collection("med", folder / "MED.ALL", folder / "MED.QRY", pairs)
    _check_sizes(collection, 1033, 30, 30)
    return collection


def load_adi(folder: Path) -> Collection:
    """ADI (documentation, American Documentation Institute): 82 documents with titles and
    authors, 35 queries, all judged (ADI.REL: query, document, 0, 0.0)."""
    pairs = [(row[0], row[1]) for row in _columns(folder / "ADI.REL")]
    collection = _smart_collection("adi", folder / "ADI.ALL", folder / "ADI.QRY", pairs)
    _check_sizes(collection, 82, 35, 35)
    return collection


def load_cran(folder: Path) -> Collection:
    """Cranfield (aeronautics): 1,400 documents with titles and authors, 225 queries. cran.qry
    numbers its queries 001, 002, 004, ... but cranqrel numbers them 1 to 225 in the file's
    order. cranqrel grades each pair (Cleverdon's scale: 1 a complete answer to 4 of minimum
    interest; -1, once a query, of no interest, as ir_datasets reads it): 1 to 4 count as
    relevant. The text (`.W`) starts with the title again, as the collection has it."""
    collection = _smart_collection("cran", folder / "cran.all.1400", folder / "cran.qry", [])
    numbers = list(collection.queries)
    pairs = [
        (numbers[int(row[0]) - 1], row[1])
        for row in _columns(folder / "cranqrel")
        if int(row[2]) > 0
    ]
    collection = _smart_collection("cran", folder / "cran.all.1400", folder / "cran.qry", pairs)
    _check_sizes(collection, 1400, 225, 225)
    return collection


def load_lisa(folder: Path) -> Collection:
    """LISA (Library and Information Science Abstracts, 1982; Sheffield): documents of a title
    and an abstract in capitals, cut into files LISA0.001 to LISA5.850 (`Document 12`, the
    title, a blank line, the abstract, a line of stars), 35 queries, all judged (LISA.QUE: the
    number, the request, ending `#`; LISA.REL: `Query 1`, a count, the documents, -1).

    The collection has 6,004 documents; this copy has 5,999. LISA1.501 and its second copy
    LISA1.501.ALL are damaged around documents 1,992 to 2,000: both lack 1,993 to 1,997 (no
    judgment names them), LISA1.501.ALL repeats three headers; each document is taken once,
    from the first file that has it."""
    names = sorted(p.name for p in folder.glob("LISA[0-9].[0-9][0-9][0-9]"))
    docs: dict[str, Document] = {}
    for name in [*names, "LISA1.501.ALL"]:
        text = (folder / name).read_text(encoding="latin-1")
        for match in re.finditer(
            r"^Document\s+(\d+)[ \t]*\n(.*?)(?=^\*{20,}|^Document\s+\d+[ \t]*$|\Z)",
            text,
            re.S | re.M,
        ):
            title, abstract = [*re.split(r"\n[ \t]*\n", match.group(2).strip(), maxsplit=1), ""][:2]
            docs.setdefault(
                match.group(1), Document(abstract.strip() or title, title=" ".join(title.split()))
            )
    queries = {
        match.group(1): " ".join(match.group(2).split())
        for match in re.finditer(
            r"^(\d+)\s*\n(.*?)#", (folder / "LISA.QUE").read_text(encoding="latin-1"), re.S | re.M
        )
    }
    relevant = {
        match.group(1): set(match.group(2).split()) - {"-1"}
        for match in re.finditer(
            r"Query\s+(\d+)\s*\n\s*\d+ Relevant Refs:\s*\n(.*?)-1",
            (folder / "LISA.REL").read_text(encoding="latin-1"),
            re.S,
        )
    }
    assert all(doc in docs for judged in relevant.values() for doc in judged)
    collection = Collection("lisa", docs, queries, relevant)
    _check_sizes(collection, 5999, 35, 35)
    return collection


def _check_sizes(collection: Collection, docs: int, queries: int, judged: int) -> None:
    """The collection as published: so many documents, queries and judged queries."""
    found = (
        len(collection.docs),
        len(collection.queries),
        sum(1 for q in collection.queries if collection.relevant.get(q)),
    )
    assert found == (docs, queries, judged), (collection.name, found, (docs, queries, judged))


LOADERS = {
    "time": load_time,
    "cisi": load_cisi,
    "med": load_med,
    "cran": load_cran,
    "adi": load_adi,
    "lisa": load_lisa,
}


def write_archive(collection: Collection, root: Path) -> None:
    cli(["init", str(root)], out=io.StringIO())
    raw = root / "content" / "raw"
    for number, doc in collection.docs.items():
        # JSON strings and lists are YAML flow values: quotes and colons in a title stay text.
        title = doc.title or f"{collection.name.upper()} document {number}"
        head = [f"title: {json.dumps(title)}"]
        if doc.date:
            head.append(f"date: {doc.date}")
        if doc.authors:
            head.append(f"authors: {json.dumps(list(doc.authors))}")
        (raw / f"{collection.name}-{number}.md").write_text(
            "---\n" + "\n".join(head) + "\n---\n\n" + doc.text + "\n", encoding="utf-8"
        )


def record_ids(root: Path) -> dict[str, str]:
    """Each record's slug -> the collection's document id (its input file, `<name>-<id>.md`,
    named in the record's `source`): slugs come from the titles."""
    ids = {}
    for record in (root / "content" / "articles").glob("*.md"):
        head = yaml.safe_load(record.read_text(encoding="utf-8").split("\n---\n", 1)[0][4:])
        ids[head["slug"]] = Path(head["source"]["path"]).stem.rsplit("-", 1)[-1]
    return ids


def doc_ids(urls: Iterable[str], ids: dict[str, str]) -> list[str]:
    """The collection's document ids of article URLs (`.../articles/<slug>/`)."""
    return [ids[url.rstrip("/").rsplit("/", 1)[-1]] for url in urls]


def whoosh_rankings(
    root: Path, queries: dict[str, str], ids: dict[str, str]
) -> dict[str, list[str]]:
    rankings = {}
    for qid, text in queries.items():
        out = io.StringIO()
        code = cli(
            ["--root", str(root), "search", "--json", "--limit", "1000", "--", text],
            out=out,
            err=io.StringIO(),
        )
        data = json.loads(out.getvalue()) if code == 0 else {"hits": []}
        rankings[qid] = doc_ids((hit["url"] for hit in data["hits"]), ids)
    return rankings


# How the baseline splits text into words: on anything but letters (the classic plain baseline:
# numbers and single letters dropped with the rest), or as the index does (letters and digits,
# inner full stops kept, "U.S.", "1963", "32"; single characters left out). The second isolates
# the ranking: both systems then score the same words.
TOKENS = {
    "letters": re.compile(r"[a-z]+"),
    "index": re.compile(r"\w+(?:\.?\w+)*"),
}


def _terms(text: str, tokens: str = "letters") -> list[str]:
    words = TOKENS[tokens].findall(text.lower())
    return [stem(w) for w in words if w not in STOP_WORDS and (tokens == "letters" or len(w) > 1)]


def bm25_rankings(
    collection: Collection, tokens: str = "letters", k1: float = 1.2, b: float = 0.75
) -> dict[str, list[str]]:
    docs = {
        key: Counter(_terms(f"{doc.title or ''}\n{doc.text}", tokens))
        for key, doc in collection.docs.items()
    }
    lengths = {key: sum(counts.values()) for key, counts in docs.items()}
    average = statistics.mean(lengths.values())
    df: Counter[str] = Counter()
    for counts in docs.values():
        df.update(counts.keys())
    n = len(docs)
    rankings = {}
    for qid, text in collection.queries.items():
        words = set(_terms(text, tokens))
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
        # Its log of every request goes to stderr: into a pipe nobody reads, it filled the pipe
        # after some 600 requests and the server stopped answering (CISI's fragments).
        stderr=subprocess.DEVNULL,
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


def pagefind_rankings(
    site: Path, queries: dict[str, str], ids: dict[str, str]
) -> dict[str, list[str]]:
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
            rankings[qid] = doc_ids(found, ids)
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


def build(collection: Collection, root: Path) -> None:
    shutil.rmtree(root, ignore_errors=True)
    write_archive(collection, root)
    start = time.perf_counter()
    err = io.StringIO()
    code = cli(["--root", str(root), "build"], out=io.StringIO(), err=err)
    problems = [line for line in err.getvalue().splitlines() if line.strip()]
    print(
        f"{collection.name}: built {len(collection.docs)} documents in"
        f" {time.perf_counter() - start:.1f} s (exit {code}, {len(problems)} problem lines)"
    )
    for line in problems[:5]:
        print("  " + line)


def run(collection: Collection, root: Path, browser: bool) -> list[dict[str, Any]]:
    """The collection's rows: the baseline, Whoosh and (with a browser) Pagefind."""
    ids = record_ids(root)
    if len(ids) != len(collection.docs):
        print(f"{collection.name}: {len(ids)} records of {len(collection.docs)} documents")
    baseline = bm25_rankings(collection)
    rows = [
        evaluate("BM25 baseline", baseline, collection, baseline),
        evaluate(
            "BM25, the index's words", bm25_rankings(collection, "index"), collection, baseline
        ),
    ]
    start = time.process_time()
    whoosh = whoosh_rankings(root, collection.queries, ids)
    whoosh_cpu = time.process_time() - start
    rows.append(evaluate("Whoosh", whoosh, collection, baseline))
    if browser:
        pagefind = pagefind_rankings(root / "site", collection.queries, ids)
        rows.append(evaluate("Pagefind", pagefind, collection, baseline))
        overlap = statistics.mean(
            len(set(whoosh[q][:5]) & set(pagefind[q][:5])) for q in collection.queries
        )
        print(f"{collection.name}: top 5 shared by Whoosh and Pagefind: {overlap:.2f} of 5")
    print(
        f"{collection.name}: Whoosh {whoosh_cpu / len(collection.queries) * 1000:.0f} ms CPU a"
        " query (CLI in-process)"
    )
    for row in rows:
        row["collection"] = collection.name
        row["ratio"] = row["MAP"] / rows[0]["MAP"]
    return rows


def table(rows: list[dict[str, Any]]) -> str:
    """One Markdown table: every collection, every system."""
    lines = [
        "| collection (judged queries) | system | MAP | x baseline | nDCG@10 | P@10 | no results"
        " | none, baseline finds one |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        lines.append(
            f"| {row['collection']} ({row['queries']}) | {row['system']} | {row['MAP']:.3f}"
            f" | {row['ratio']:.3f} | {row['nDCG@10']:.3f} | {row['P@10']:.3f}"
            f" | {row['no results']} | {row['none, baseline finds one']} |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(
        description="Search relevance on public test collections (see the module docstring)."
    )
    for name in LOADERS:
        parser.add_argument(
            f"--{name}",
            type=Path,
            metavar="DIR",
            help=f"folder holding the {name.upper()} collection",
        )
    parser.add_argument("--no-browser", action="store_true", help="leave Pagefind out")
    parser.add_argument(
        "--keep", type=Path, help="build each archive in DIR/<collection> and reuse it next time"
    )
    args = parser.parse_args()
    chosen = {name: getattr(args, name) for name in LOADERS if getattr(args, name)}
    if not chosen:
        parser.error("give at least one collection's folder, e.g. --time DIR")
    browser = not args.no_browser
    if browser and not CHROMIUM.exists():
        parser.error(f"{CHROMIUM} is missing: install Debian's chromium, or pass --no-browser")
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="relevance-") as work:
        for name, folder in chosen.items():
            try:
                collection = LOADERS[name](folder)
            except (OSError, AssertionError) as error:
                parser.error(f"{folder}: not the {name.upper()} collection as published ({error})")
            root = (args.keep or Path(work)) / name
            if args.keep is None or not (root / "site").is_dir():
                build(collection, root)
            rows.extend(run(collection, root, browser))
    print()
    print(table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
