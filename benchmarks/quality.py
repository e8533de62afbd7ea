"""Ingest quality on real saved pages, measured through the user's path, against trafilatura.

    .venv/bin/python benchmarks/quality.py [--sets wcxb,scrapinghub,seeds] [--limit N]
                                           [--report pages.jsonl] [--workers 2]

For each data set the pages are copied into a fresh archive's content/raw/ (with a url-only
sidecar, as a crawler would know the URL; nothing else from the gold), `newsarchive ingest` runs
as a subprocess, and the records it wrote are read back: the body rendered with the build's own
Markdown, then title, date and authors from the front matter. In the same run trafilatura
scores the same pages: `extract(html)` with defaults, with `favor_precision=True`, and its
metadata with `extract_metadata(html)`.

Data sets (../shared/data/):
- wcxb: wcxb-dev/, 793 article pages of the Web Content Extraction Benchmark (CC-BY-4.0). Body
  score as its README says: lowercase `\\w+` tokens, bag overlap, P/R/F1 per page, mean over pages,
  a rejected or empty page scoring 0.
- scrapinghub: article-extraction-benchmark/ (181 pages, MIT). Its authors' metric: multisets of
  4-token shingles, per-page TP/FP/FN normalised by their sum, summed over pages.
- seeds: the team's seed files against ../shared/gold/seeds.json (field by field, met or not).

Metadata, over the pages whose gold has the field:
- title: the same lowercase `\\w+` token sequence as the gold title (so case, punctuation and
  dashes do not count; a kept site suffix or a different headline does).
- date: the first ten characters (YYYY-MM-DD) equal the gold date.
- author: the authors' names (joined) and the gold as token sequences without the connectors
  "and"/"&": equal, or one a prefix of the other of at least two tokens (a credential suffix as
  "Dylan Bailey, MS, RD" against "Dylan Bailey").

CPU: ingest's is the summed CPU time of the ingest process and its workers (getrusage of the
waited-for children), per page; trafilatura's is time.process_time() around each call, in
worker processes. The ingest figure includes everything ingest does per page (reading,
decoding, extraction, metadata, entities, quotes, spin, writing the record) and its start-up.
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import logging
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SHARED = Path(__file__).resolve().parents[2] / "shared"
DATA = SHARED / "data"
TOKEN = re.compile(r"\w+")
CONNECTORS = frozenset({"and", "und", "et", "y"})


@dataclass(slots=True)
class Page:
    id: str
    html: bytes
    url: str | None
    text: str
    title: str | None = None
    date: str | None = None
    author: str | None = None


@dataclass(slots=True)
class Output:
    """What one system gave for one page."""

    text: str = ""
    title: str | None = None
    date: str | None = None
    author: str | None = None
    rejected: str | None = None  # the reason, when no output at all


@dataclass(slots=True)
class Result:
    name: str
    outputs: dict[str, Output] = field(default_factory=dict)
    cpu: float = 0.0
    max_record: int = 0
    records_small: float = 0.0


# --- data sets --------------------------------------------------------------------------------


def load_wcxb(limit: int | None) -> list[Page]:
    base = DATA / "wcxb-dev"
    pages = []
    with (base / "gold.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            gold = json.loads(line)
            html = gzip.decompress((base / "pages" / f"{gold['id']}.html.gz").read_bytes())
            pages.append(
                Page(
                    gold["id"],
                    html,
                    gold.get("url"),
                    gold["text"],
                    gold.get("title") or None,
                    gold.get("date") or None,
                    gold.get("author") or None,
                )
            )
            if limit and len(pages) >= limit:
                break
    return pages


def load_scrapinghub(limit: int | None) -> list[Page]:
    base = DATA / "article-extraction-benchmark"
    truth = json.loads((base / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for path in sorted((base / "html").glob("*.html.gz")):
        key = path.name.split(".")[0]
        pages.append(
            Page(
                key,
                gzip.decompress(path.read_bytes()),
                truth[key].get("url"),
                truth[key]["articleBody"],
            )
        )
        if limit and len(pages) >= limit:
            break
    return pages


# --- scoring ----------------------------------------------------------------------------------


def tokens(text: str) -> list[str]:
    return TOKEN.findall(text.lower())


def token_prf(predicted: str, truth: str) -> tuple[float, float, float]:
    """WCXB's per-page score: bag-of-words precision, recall, F1 (an empty output scores 0)."""
    pred, ref = Counter(tokens(predicted)), Counter(tokens(truth))
    if not ref:
        return (1.0, 1.0, 1.0) if not pred else (0.0, 0.0, 0.0)
    if not pred:
        return 0.0, 0.0, 0.0
    overlap = sum((pred & ref).values())
    p, r = overlap / sum(pred.values()), overlap / sum(ref.values())
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def shingle_counts(predicted: str, truth: str) -> tuple[float, float, float]:
    """ScrapingHub's per-page TP, FP, FN over 4-token shingles, normalised by their sum."""

    def shingles(text: str) -> Counter[tuple[str, ...]]:
        toks = TOKEN.findall(text)
        return Counter(tuple(toks[i : i + 4]) for i in range(max(0, len(toks) - 3)))

    p, t = shingles(predicted), shingles(truth)
    tp = sum((p & t).values())
    fp, fn = sum(p.values()) - tp, sum(t.values()) - tp
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def title_ok(ours: str | None, gold: str) -> bool:
    return bool(ours) and tokens(ours or "") == tokens(gold)


def date_ok(ours: str | None, gold: str) -> bool:
    return bool(ours) and (ours or "")[:10] == gold[:10]


def author_ok(ours: str | None, gold: str) -> bool:
    a = [t for t in tokens(ours or "") if t not in CONNECTORS]
    b = [t for t in tokens(gold) if t not in CONNECTORS]
    if not a or not b:
        return False
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    return a == b or (len(short) >= 2 and long_[: len(short)] == short)


@dataclass(slots=True)
class Scores:
    precision: float
    recall: float
    f1: float
    title: float
    date: float
    author: float
    rejected: int
    cpu: float
    per_page: dict[str, tuple[float, float, float]]


def score(result: Result, pages: list[Page], metric: str) -> Scores:
    per_page: dict[str, tuple[float, float, float]] = {}
    if metric == "wcxb":
        for page in pages:
            per_page[page.id] = token_prf(result.outputs[page.id].text, page.text)
        n = len(pages)
        precision = sum(v[0] for v in per_page.values()) / n
        recall = sum(v[1] for v in per_page.values()) / n
        f1 = sum(v[2] for v in per_page.values()) / n
    else:
        tp = fp = fn = 0.0
        for page in pages:
            a, b, c = shingle_counts(result.outputs[page.id].text, page.text)
            per_page[page.id] = token_prf(result.outputs[page.id].text, page.text)
            tp, fp, fn = tp + a, fp + b, fn + c
        precision, recall = tp / (tp + fp), tp / (tp + fn)
        f1 = 2 * precision * recall / (precision + recall)

    def share(check: Callable[[str | None, str], bool], attr: str) -> float:
        golds = [(p.id, getattr(p, attr)) for p in pages if getattr(p, attr)]
        if not golds:
            return float("nan")
        return sum(check(getattr(result.outputs[i], attr), g) for i, g in golds) / len(golds)

    return Scores(
        precision,
        recall,
        f1,
        share(title_ok, "title"),
        share(date_ok, "date"),
        share(author_ok, "author"),
        sum(1 for o in result.outputs.values() if o.rejected is not None),
        result.cpu / len(pages),
        per_page,
    )


# --- newsarchive, through the CLI --------------------------------------------------------------


def _body_text(html: str) -> str:
    """The text a reader sees of a rendered body: one block a paragraph."""
    import lxml.html

    if not html.strip():
        return ""
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    return "\n\n".join(child.text_content() for child in root)


def run_newsarchive(pages: list[Page], work: Path, code: Path | None = None) -> Result:
    """Ingest the pages with the CLI (of this checkout, or of the source tree `code`)."""
    from generator.cli import main as cli
    from generator.errors import ArticleError
    from generator.frontmatter import split_front_matter
    from generator.render.bodies import body_to_html, make_markdown

    cli(["init", str(work)], out=io.StringIO())
    raw = work / "content" / "raw"
    for page in pages:
        (raw / f"{page.id}.html").write_bytes(page.html)
        if page.url:
            (raw / f"{page.id}.json").write_text(json.dumps({"url": page.url}), encoding="utf-8")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    env = dict(os.environ)
    if code is not None:
        env["PYTHONPATH"] = str(code)
    done = subprocess.run(
        [sys.executable, "-m", "generator", "--root", str(work), "ingest"],
        capture_output=True,
        text=True,
        check=False,
        cwd=code or Path.cwd(),
        env=env,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    problems: dict[str, str] = {}
    for line in done.stderr.splitlines():
        match = re.match(r"(?:.*/)?content/raw/([^/:]+)\.html: (.*)", line)
        if match:
            problems[match.group(1)] = match.group(2)
    md = make_markdown(("sane_lists", "tables"))
    result = Result(f"newsarchive ({code.name})" if code else "newsarchive ingest", cpu=cpu)
    sizes = []
    unreadable: dict[str, str] = {}
    for path in sorted((work / "content" / "articles").glob("*.md")):
        text = path.read_text(encoding="utf-8")
        sizes.append(len(text.encode("utf-8")))
        try:
            data, body, _ = split_front_matter(text, path)
        except ArticleError as exc:  # written, but the build would refuse it: no article
            found = re.search(r"^  path: (.+)\.html$", text, re.M)
            if found:
                unreadable[found.group(1)] = f"record unreadable: {exc.message}"
            continue
        page_id = str(data["source"]["path"]).rsplit(".", 1)[0]
        result.outputs[page_id] = Output(
            _body_text(str(body_to_html(md, body))),
            data.get("title"),
            str(data["date"]) if data.get("date") else None,
            ", ".join(data.get("authors") or []) or None,
        )
    for page in pages:
        if page.id not in result.outputs:
            reason = problems.get(page.id) or unreadable.get(page.id, "no record written")
            result.outputs[page.id] = Output(rejected=reason)
    result.max_record = max(sizes, default=0)
    result.records_small = sum(1 for s in sizes if s <= 64 * 1024) / max(1, len(sizes))
    return result


# --- trafilatura, in the same run --------------------------------------------------------------


def _decode(html: bytes) -> str:
    return html.decode("utf-8", "replace")


def _trafilatura_page(html: bytes) -> tuple[tuple[str, float], tuple[str, float], tuple[Any, ...]]:
    import trafilatura

    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
    logging.getLogger("htmldate").setLevel(logging.CRITICAL)
    text = _decode(html)
    out = []
    for precision in (False, True):
        start = time.process_time()
        body = trafilatura.extract(text, favor_precision=precision) or ""
        out.append((body, time.process_time() - start))
    start = time.process_time()
    meta = trafilatura.extract_metadata(text)
    meta_cpu = time.process_time() - start
    fields = (
        (meta.title, meta.date, meta.author, meta_cpu)
        if meta is not None
        else (None, None, None, meta_cpu)
    )
    return out[0], out[1], fields


def run_trafilatura(pages: list[Page], workers: int) -> tuple[Result, Result, Result]:
    default = Result("trafilatura default")
    precise = Result("trafilatura favor_precision")
    meta = Result("trafilatura metadata")
    with ProcessPoolExecutor(workers) as pool:
        for page, (d, p, m) in zip(
            pages, pool.map(_trafilatura_page, [p.html for p in pages], chunksize=4), strict=True
        ):
            title, date, author, meta_cpu = m
            for result, (text, cpu) in ((default, d), (precise, p)):
                result.outputs[page.id] = Output(
                    text, title, date, author, None if text.strip() else "empty output"
                )
                result.cpu += cpu
            meta.cpu += meta_cpu
    return default, precise, meta


# --- report -----------------------------------------------------------------------------------


def print_table(title: str, rows: Iterable[tuple[str, Scores]], out: Any = sys.stdout) -> None:
    print(f"\n{title}", file=out)
    head = f"{'system':<30} {'P':>6} {'R':>6} {'F1':>6} {'title':>6} {'date':>6} {'author':>6} {'rejected':>8} {'CPU s/page':>10}"
    print(head, file=out)
    print("-" * len(head), file=out)
    for name, s in rows:
        print(
            f"{name:<30} {s.precision:>6.3f} {s.recall:>6.3f} {s.f1:>6.3f} {s.title:>6.3f} "
            f"{s.date:>6.3f} {s.author:>6.3f} {s.rejected:>8} {s.cpu:>10.3f}",
            file=out,
        )


def evaluate(name: str, pages: list[Page], metric: str, args: argparse.Namespace) -> None:
    runs = []
    for code in (None, *([Path(args.baseline_code)] if args.baseline_code else [])):
        work = Path(tempfile.mkdtemp(prefix="quality-" + re.sub(r"\W+", "-", name)))
        try:
            runs.append(run_newsarchive(pages, work, code))
            if args.keep:
                print(f"archive kept in {work}")
        finally:
            if not args.keep:
                shutil.rmtree(work, ignore_errors=True)
    ours = runs[0]
    default, precise, meta = run_trafilatura(pages, args.workers)
    scored = [(r.name, score(r, pages, metric)) for r in (ours, default, precise, *runs[1:])]
    metric_name = "token P/R/F1, mean of pages" if metric == "wcxb" else "4-shingle P/R/F1, summed"
    gold = {
        "title": sum(1 for p in pages if p.title),
        "date": sum(1 for p in pages if p.date),
        "author": sum(1 for p in pages if p.author),
    }
    print_table(
        f"{name}: {len(pages)} pages, body {metric_name}; gold-titled {gold['title']}, "
        f"gold-dated {gold['date']}, gold-authored {gold['author']}",
        scored,
    )
    print(
        f"{'':<30} (trafilatura metadata: extract_metadata, {meta.cpu / len(pages):.3f} CPU s/page; "
        "the title/date/author columns of both trafilatura rows are its output)"
    )
    for run, (_, scores) in zip(runs, scored[:1] + scored[3:], strict=True):
        print(
            f"records of {run.name}: largest {run.max_record / 1024:.1f} KB, "
            f"{run.records_small:.1%} of {len(pages) - scores.rejected} within 64 KB"
        )
    for page in pages:
        out = ours.outputs[page.id]
        if out.rejected:
            base = scored[1][1].per_page[page.id][2]
            print(f"  rejected {page.id} (trafilatura default F1 {base:.2f}): {out.rejected}")
    if args.report:
        with Path(args.report).open("a", encoding="utf-8") as handle:
            for page in pages:
                row: dict[str, Any] = {"set": name, "id": page.id, "url": page.url}
                for label, result, scores in (
                    ("ours", ours, scored[0][1]),
                    ("default", default, scored[1][1]),
                    ("precision", precise, scored[2][1]),
                ):
                    out = result.outputs[page.id]
                    row[label] = {
                        "prf": [round(v, 4) for v in scores.per_page[page.id]],
                        "title": out.title,
                        "date": out.date,
                        "author": out.author,
                        "rejected": out.rejected,
                    }
                row["gold"] = {"title": page.title, "date": page.date, "author": page.author}
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")


def seed_fields() -> list[tuple[str, str, str]]:
    """Each field of ../shared/gold/seeds.json, met or not, after `newsarchive build`."""
    from generator.cli import main as cli
    from generator.frontmatter import split_front_matter

    gold = json.loads((SHARED / "gold" / "seeds.json").read_text(encoding="utf-8"))["cases"]
    work = Path(tempfile.mkdtemp(prefix="quality-"))
    try:
        cli(["init", str(work)], out=io.StringIO())
        for name in gold:
            shutil.copy(SHARED / "seeds" / name, work / "content" / "raw" / name)
        cli(["--root", str(work), "build"], out=io.StringIO(), err=io.StringIO())
        rows = []
        for path in (work / "content" / "articles").glob("*.md"):
            data, body, _ = split_front_matter(path.read_text(encoding="utf-8"), path)
            case = gold[data["source"]["path"]]
            speakers = [q["speaker"] for q in data.get("quotes", []) if q.get("speaker")]
            for key, expected in case.items():
                value = {"quote_speakers": speakers, "dateline_contains": data.get("dateline")}.get(
                    key, data.get(key)
                )
                if key in {"body_includes", "body_excludes"}:
                    met = all(
                        (e.lower() in body.lower()) == (key == "body_includes") for e in expected
                    )
                elif key == "removed_kinds_include":
                    met = set(expected) <= {r["kind"] for r in data["removed"]}
                elif key == "spun":
                    met = (data["spin"]["verdict"] == "spun") == expected
                elif key == "spin_phrases":
                    found = " | ".join(p["text"] for p in data["spin"]["phrases"]).lower()
                    met = sum(e.lower() in found for e in expected) >= 5
                elif key == "related_to":
                    met = True  # computed at build time (tests/render/test_annotations.py)
                elif isinstance(expected, list):
                    met = all(
                        any(e.lower() in str(v).lower() for v in (value or [])) for e in expected
                    )
                else:
                    met = str(expected).lower() in str(value or "").lower()
                rows.append((data["source"]["path"][:3], key, "met" if met else "NOT MET"))
        return sorted(rows)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default="wcxb,scrapinghub,seeds")
    parser.add_argument("--limit", type=int, default=None, help="first N pages of each set")
    parser.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--report", help="append one JSON line per page (scores, metadata) here")
    parser.add_argument("--keep", action="store_true", help="keep the ingested archives")
    parser.add_argument(
        "--baseline-code",
        help="also ingest with the generator/ of this source tree (e.g. an export of main)",
    )
    args = parser.parse_args()
    sets = args.sets.split(",")
    if args.report:
        Path(args.report).write_text("", encoding="utf-8")
    if "wcxb" in sets:
        evaluate("WCXB dev (articles)", load_wcxb(args.limit), "wcxb", args)
    if "scrapinghub" in sets:
        evaluate("ScrapingHub-181", load_scrapinghub(args.limit), "scrapinghub", args)
    if "seeds" in sets:
        print("\nSeed fields against ../shared/gold/seeds.json")
        for seed, key, state in seed_fields():
            print(f"  {seed}  {key:<22} {state}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
