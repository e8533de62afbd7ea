"""Annotate-stage numbers: spin scores on genuine articles, and spin + dedupe + related throughput.

    .venv/bin/python benchmarks/bench_annotate.py [-n 10000] [--workers 2]

(a) Spin score distribution over the 181 human-cleaned article bodies of the article-extraction
    benchmark (../shared/data/article-extraction-benchmark/ground-truth.json), all genuine: the goal
    is that none scores "spun". Then the share caught of synthetic spun copies of the same bodies, by
    a spinner whose thesaurus overlaps the detector's word pairs (G) and by one whose thesaurus
    overlaps nothing the detector knows (N): an optimistic and a pessimistic view of recall.
(b) Throughput of read + spin score + signature + LSH insert over N articles generated with
    ../shared/bench/gen_corpus.py (--layout raw), as articles/s and as a ratio to a baseline measured
    in the same run: read + lowercase + split of the same files. With --workers > 1, spin and
    signature (pure functions) run in a process pool and the LSH inserts stay in the parent.
(c) related_articles over the same N articles (entities: the article's authors).
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from generator.annotate.dedupe import DuplicateIndex, Signature, signature
from generator.annotate.related import RelatedInput, related_articles
from generator.annotate.spin import load_lexicon, score_spin, verdict_for

SHARED = Path(__file__).resolve().parents[2] / "shared"
GEN = SHARED / "bench" / "gen_corpus.py"
TRUTH = SHARED / "data" / "article-extraction-benchmark" / "ground-truth.json"


def _pairs(text: str) -> dict[str, str]:
    """'said:stated people:individuals ...' -> {"said": "stated", ...}"""
    return dict(pair.split(":", 1) for pair in text.split())


# Synthetic spinners for (a). G swaps words the detector weighs against their usual counterpart;
# N swaps only words it has no opinion on (its weak spot).
_G = _pairs(
    """said:stated people:individuals also:additionally while:whereas countries:nations
    officials:officers more:extra only:solely many:numerous help:assist found:discovered asked:requested
    announced:introduced recently:lately next:subsequent among:amongst government:authorities
    policy:coverage companies:firms told:informed children:youngsters nearly:practically
    still:nonetheless increased:elevated important:vital big:large start:begin"""
)
_N = _pairs(
    """important:vital big:large show:present start:begin problem:downside issue:subject
    area:space way:manner result:outcome money:cash need:want try:attempt idea:concept change:alter
    game:recreation team:staff fans:followers price:value prices:costs event:occasion house:home
    car:automobile company:firm business:enterprise energy:vitality study:examine research:analysis
    experts:consultants growth:progress level:degree rate:charge hard:laborious fast:quick
    increase:enhance remain:stay become:turn because:as during:throughout against:towards"""
)


def _spin_with(text: str, table: dict[str, str], rng: random.Random) -> str:
    def swap(match: re.Match[str]) -> str:
        word = match.group()
        new = table.get(word.lower())
        if new is None or rng.random() > 0.7:
            return word
        return new.capitalize() if word[0].isupper() else new

    return re.sub(r"[A-Za-z]+", swap, text)


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def bench_genuine() -> None:
    if not TRUTH.is_file():
        print(f"(a) skipped: {TRUTH} not found")
        return
    lexicon = load_lexicon()
    bodies = [v["articleBody"] for _, v in sorted(json.loads(TRUTH.read_text("utf-8")).items())]
    results = [score_spin(body, lexicon) for body in bodies]
    scores = [r.score for r in results]
    verdicts = Counter(r.verdict for r in results)
    assessed = sum(r.evidence.is_assessed for r in results)
    print(
        f"(a) spin scores over {len(bodies)} genuine article bodies ({assessed} assessed as English)"
    )
    print(
        f"    min {min(scores):.4f}  median {statistics.median(scores):.4f}  "
        f"p95 {_percentile(scores, 0.95):.4f}  max {max(scores):.4f}"
    )
    print(
        "    verdicts: " + ", ".join(f"{v} {verdicts[v]}" for v in ("original", "suspect", "spun"))
    )
    for name, table in (("G", _G), ("N", _N)):
        caught: Counter[str] = Counter()
        for i, (body, result) in enumerate(zip(bodies, results, strict=True)):
            if not result.evidence.is_assessed or result.evidence.word_count < 150:
                continue
            caught[score_spin(_spin_with(body, table, random.Random(i)), lexicon).verdict] += 1
        total = sum(caught.values())
        print(
            f"    synthetic spinner {name} over {total} English bodies >= 150 words: "
            f"spun {caught['spun']}, suspect {caught['suspect']}, original {caught['original']}"
        )


def _body(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    return text.split("\n---\n", 1)[1] if text.startswith("---\n") else text


def _analyse(path: Path) -> tuple[str, float, Signature]:
    body = _body(path)
    return path.stem, score_spin(body, load_lexicon()).score, signature(body)


def bench_throughput(n: int, workers: int) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-annotate-") as tmp:
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, str(GEN), "-n", str(n), "-o", tmp, "--layout", "raw"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        print(f"(b) generated {n} articles in {time.perf_counter() - started:.1f} s")
        paths = sorted(Path(tmp, "raw").glob("*.md"))
        start = time.perf_counter()
        words = sum(len(p.read_text(encoding="utf-8").lower().split()) for p in paths)
        baseline = time.perf_counter() - start
        load_lexicon()
        index = DuplicateIndex()
        verdicts: Counter[str] = Counter()
        start = time.perf_counter()
        if workers > 1:
            with ProcessPoolExecutor(workers) as pool:
                analysed = pool.map(_analyse, paths, chunksize=64)
                for key, score, sig in analysed:
                    index.add(key, sig, score)
                    verdicts[verdict_for(score)] += 1
        else:
            for path in paths:
                key, score, sig = _analyse(path)
                index.add(key, sig, score)
                verdicts[verdict_for(score)] += 1
        elapsed = time.perf_counter() - start
        linked = sum(1 for p in paths if index.links(p.stem))
        print(
            f"    baseline read+lowercase+split: {len(paths) / baseline:,.0f} articles/s "
            f"({words / len(paths):.0f} words/article)"
        )
        print(
            f"    read+spin+signature+LSH insert ({workers} process{'es' if workers > 1 else ''}): "
            f"{len(paths) / elapsed:,.0f} articles/s, {elapsed:.1f} s, "
            f"{elapsed / baseline:.0f}x the baseline time"
        )
        print(f"    verdicts {dict(verdicts)}; articles with duplicate links: {linked}")
        items = []
        for path in paths:
            head, _, body = path.read_text(encoding="utf-8").partition("\n---\n")
            authors = re.search(r"^authors: \[(.*)\]$", head, re.M)
            names = tuple(json.loads(f"[{authors.group(1)}]")) if authors else ()
            items.append(RelatedInput(path.stem, body, names))
        start = time.perf_counter()
        related = related_articles(items)
        took = time.perf_counter() - start
        with_related = sum(1 for v in related.values() if v)
        print(
            f"(c) related_articles over {len(items)} articles: {took:.1f} s "
            f"({len(items) / took:,.0f} articles/s); {with_related} have related articles"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=10_000, help="generated articles (default 10000)")
    parser.add_argument("--workers", type=int, default=1, help="processes for spin + signature")
    args = parser.parse_args(argv)
    print(f"python {platform.python_version()} on {platform.machine()}, {args.n} articles")
    bench_genuine()
    bench_throughput(args.n, args.workers)
    return 0


if __name__ == "__main__":
    sys.exit(main())
