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
(d) With --stage: the whole-archive annotate stage, this checkout against the code of --base (a git
    revision, by default the commit before the features/archive split), each in its own process, on
    the same corpus: ingested records (--records DIR, e.g. an ingested 10k archive) or a generated
    one with a realistic vocabulary (--realistic, from the 181 benchmark pages: words swapped for
    Zipf-drawn made-up words, so 50k+ distinct words as in real archives, plus wire and spun
    copies). CPU seconds (this machine is shared: ratios in the same run are what count) for
    features per article, a cold build (no cache), a rebuild with nothing changed, one article
    edited, and the archive level alone; peak memory of each process.

    .venv/bin/python benchmarks/bench_annotate.py --stage --realistic -n 10000
    .venv/bin/python benchmarks/bench_annotate.py --stage --records ../benchwork/a10k/content/articles
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import os
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
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from generator.annotate.dedupe import Signature

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
    from generator.annotate.spin import load_lexicon, score_spin

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
    from generator.annotate.dedupe import signature
    from generator.annotate.spin import load_lexicon, score_spin

    body = _body(path)
    return path.stem, score_spin(body, load_lexicon()).score, signature(body)


class _Index:
    """Links of signatures added one by one, found at the end (as the pipeline does)."""

    def __init__(self) -> None:
        self.entries: list[tuple[str, Signature, float, str | None]] = []
        self.found: dict[str, tuple[object, ...]] = {}

    def add(self, key: str, sig: Signature, score: float) -> None:
        self.entries.append((key, sig, score, None))

    def links(self, key: str) -> tuple[object, ...]:
        from generator.annotate.dedupe import duplicate_links

        if not self.found:
            self.found = dict(duplicate_links(self.entries))
        return self.found[key]


def bench_throughput(n: int, workers: int) -> None:
    from generator.annotate.related import RelatedInput, related_articles
    from generator.annotate.spin import load_lexicon, verdict_for

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
        index = _Index()
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
            f"    read+spin+signature ({workers} process{'es' if workers > 1 else ''}): "
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


# ---------------------------------------------------------------------------------------------
# (d) the annotate stage, old code against new

BASE = "d901929"  # the last commit before ArticleFeatures / the numpy archive level
ROOT = Path(__file__).resolve().parents[1]


def realistic_corpus(n: int, seed: int = 1) -> list[Any]:
    """n Article records made from the 181 benchmark pages, with a real archive's vocabulary.

    Each article takes about half the paragraphs of one page (its topic: pages recur, so stories
    relate) and two paragraphs of other pages, and swaps half of its longer words for made-up
    ones drawn from a Zipf law over 120,000 (archive-specific names and rare words: ~80k distinct
    words at 10k articles). Two variants of a page share words, not sentences. Every 50th article
    is a wire copy (~60% of an earlier one's paragraphs), every 50th (offset 25) a spun copy
    (synonyms swapped). Entities: 0-5 names from a Zipf-popular pool of 3,000.
    """
    from generator.models import Article

    data = json.loads(TRUTH.read_text("utf-8"))
    pages = [
        [p for p in v["articleBody"].split("\n") if p.strip()] for _, v in sorted(data.items())
    ]
    rng = random.Random(seed)
    syllables = [a + b for a in "bcdfghklmnprstvz" for b in "aeiou"]
    vocabulary = [
        "".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))) for _ in range(120_000)
    ]
    cumulative = list(itertools.accumulate(1 / (i + 1) ** 1.05 for i in range(len(vocabulary))))
    people = [
        f"{rng.choice(vocabulary).title()} {rng.choice(vocabulary).title()}" for _ in range(3000)
    ]
    people_weights = list(itertools.accumulate(1 / (i + 1) for i in range(len(people))))

    def swap(match: re.Match[str]) -> str:
        if rng.random() > 0.5:
            return match.group()
        return rng.choices(vocabulary, cum_weights=cumulative)[0]

    articles: list[Any] = []
    for i in range(n):
        spin = 0.0
        if i % 50 == 0 and i >= 50:
            body = _partial(articles[i - 7].body, 0.6, rng)
        elif i % 50 == 25 and i >= 50:
            body = _spin_with(articles[i - 11].body, _G, rng)
            spin = 0.9
        else:
            topic = pages[rng.randrange(len(pages))]
            chosen = [p for p in topic if rng.random() < 0.5] or topic[:1]
            chosen += [rng.choice(pages[rng.randrange(len(pages))]) for _ in range(2)]
            body = "\n\n".join(re.sub(r"[A-Za-z]{4,}", swap, p) for p in chosen)
        names = tuple(
            dict.fromkeys(rng.choices(people, cum_weights=people_weights, k=rng.randint(0, 5)))
        )
        date = f"20{10 + i % 15:02d}-{1 + i % 12:02d}-{1 + i % 28:02d}"
        articles.append(
            Article(
                source_file=Path(f"a{i:05d}.md"),
                title=" ".join(body.split()[:8]),
                slug=f"a{i:05d}",
                body=body,
                date=date,
                people=names,
                extra={"spin": {"score": spin}},
            )
        )
    return articles


def _partial(text: str, share: float, rng: random.Random) -> str:
    paragraphs = [p for p in text.split("\n\n") if p.strip()]
    kept = sorted(rng.sample(range(len(paragraphs)), max(1, round(share * len(paragraphs)))))
    return "By Wire Staff\n\n" + "\n\n".join(paragraphs[i] for i in kept)


def _cpu(action: Any) -> tuple[float, Any]:
    start = time.process_time()
    result = action()
    return time.process_time() - start, result


def stage_side(side: str, corpus: Path, n: int) -> int:
    """Run in a child process: measure one side ("old" or "new") on a pickled corpus, print JSON."""
    import pickle
    import resource
    from dataclasses import replace

    articles = pickle.loads(corpus.read_bytes())[:n]
    from generator.annotate.archive import annotate_archive, spin_score

    out: dict[str, Any] = {"n": len(articles)}
    sample = articles[: min(1000, len(articles))]
    if side == "new":
        from generator.annotate.features import features_of

        features_of(sample[0])
        took, _ = _cpu(lambda: [features_of(a) for a in sample])
    else:
        from generator.annotate import related
        from generator.annotate.dedupe import signature as old_signature

        def old_features(a: Any) -> None:
            old_signature(a.body)
            text = f"{a.title}\n{a.body}"
            entities = (*a.people, *a.organizations, *a.places, *a.tags)
            related._features(related.RelatedInput(a.slug, text, entities))

        old_features(sample[0])
        took, _ = _cpu(lambda: [old_features(a) for a in sample])
    out["features_ms"] = took / len(sample) * 1e3
    with tempfile.TemporaryDirectory(prefix="bench-stage-") as tmp:
        cache = Path(tmp) / "signatures.json"
        out["cold_s"], first = _cpu(lambda: annotate_archive(articles, cache))
        out["unchanged_s"], _ = _cpu(lambda: annotate_archive(articles, cache))
        edited = list(articles)
        k = len(edited) // 2
        edited[k] = replace(edited[k], body=edited[k].body + "\n\nThe council met again on Monday.")
        out["one_edit_s"], second = _cpu(lambda: annotate_archive(edited, cache))
        added = [*edited, replace(articles[3], slug="zz-added", body=articles[3].body + " Update.")]
        out["one_added_s"], _ = _cpu(lambda: annotate_archive(added, cache))
    out["links"] = sum(1 for a in first.values() if a.duplicates)
    out["related"] = sum(1 for a in first.values() if a.related)
    out["changed_by_edit"] = sum(1 for s in first if first[s] != second[s])
    digest = hashlib.blake2b(digest_size=8)
    for slug in sorted(first):
        digest.update(repr((slug, first[slug].related)).encode())
    out["related_digest"] = digest.hexdigest()
    if side == "new":
        from generator.annotate.archive import AnnotateInput, annotate_features
        from generator.annotate.features import features_of

        inputs = [AnnotateInput(a.slug, features_of(a), spin_score(a), a.date) for a in articles]
        for size in sorted({min(1000, len(inputs)), len(inputs)}):
            part = inputs[:size]
            out[f"archive_level_{size}_s"] = min(
                _cpu(lambda p=part: annotate_features(p))[0] for _ in range(3)
            )
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(out))
    return 0


def _run_side(side: str, code: Path, corpus: Path, n: int) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(code)}
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--side",
        side,
        "--records",
        str(corpus),
        "-n",
        str(n),
    ]
    done = subprocess.run(command, env=env, cwd=code, capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(f"{side} side failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def bench_stage(args: argparse.Namespace) -> None:
    import pickle

    with tempfile.TemporaryDirectory(prefix="bench-stage-") as tmp:
        corpus = Path(tmp) / "corpus.pickle"
        started = time.perf_counter()
        if args.records:
            from generator.render.load import load_articles

            articles, _ = load_articles(args.records)
            label = f"records from {args.records}"
        else:
            articles = realistic_corpus(args.n)
            label = "generated, realistic vocabulary"
        articles = list(articles)[: args.n]
        corpus.write_bytes(pickle.dumps(articles, protocol=pickle.HIGHEST_PROTOCOL))
        words = sum(len(a.body.split()) for a in articles) / max(1, len(articles))
        distinct = len(
            {w for a in articles[:10_000] for w in re.findall(r"[a-z]{3,}", a.body.lower())}
        )
        print(
            f"(d) annotate stage over {len(articles)} articles ({label}; {words:.0f} words each, "
            f"{distinct:,} distinct words), prepared in {time.perf_counter() - started:.0f} s"
        )
        old_tree = Path(tmp) / "old"
        old_tree.mkdir()
        if not args.skip_old:
            archive = subprocess.run(
                ["git", "-C", str(ROOT), "archive", args.base, "generator"],
                capture_output=True,
                check=True,
            )
            subprocess.run(["tar", "-x", "-C", str(old_tree)], input=archive.stdout, check=True)
        new = _run_side("new", ROOT, corpus, args.n)
        old = None if args.skip_old else _run_side("old", old_tree, corpus, args.n)
    rows = [
        ("features per article (ms)", "features_ms"),
        ("cold build, no cache (s)", "cold_s"),
        ("rebuild, nothing changed (s)", "unchanged_s"),
        ("rebuild, one article edited (s)", "one_edit_s"),
        ("rebuild, one article added (s)", "one_added_s"),
        ("peak memory (MB)", "peak_rss_mb"),
    ]
    print(f"    {'CPU time':34s} {'old':>10s} {'new':>10s} {'new/old':>8s}")
    for title, key in rows:
        if old is None:
            print(f"    {title:34s} {'':>10s} {new[key]:10.3f}")
        else:
            print(f"    {title:34s} {old[key]:10.3f} {new[key]:10.3f} {new[key] / old[key]:8.3f}")
    for key in sorted(k for k in new if k.startswith("archive_level_")):
        size = key.split("_")[2]
        print(f"    archive level alone from features at {size}: {new[key]:.3f} s")
    print(
        f"    new: {new['links']} articles with duplicate links, {new['related']} with related articles"
    )
    if old is not None:
        same = "identical" if old["related_digest"] == new["related_digest"] else "DIFFERENT"
        print(
            f"    old: {old['links']} with links, {old['related']} with related; related lists {same}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=10_000, help="generated articles (default 10000)")
    parser.add_argument("--workers", type=int, default=1, help="processes for spin + signature")
    parser.add_argument("--stage", action="store_true", help="(d) only: annotate stage, old vs new")
    parser.add_argument("--records", type=Path, help="(d): ingested records to use")
    parser.add_argument("--realistic", action="store_true", help="(d): generated, real vocabulary")
    parser.add_argument("--base", default=BASE, help="(d): git revision of the old code")
    parser.add_argument("--skip-old", action="store_true", help="(d): measure this checkout only")
    parser.add_argument("--side", help=argparse.SUPPRESS)  # internal: run one side, print JSON
    args = parser.parse_args(argv)
    if args.side:  # PYTHONPATH names the code to measure
        return stage_side(args.side, Path(args.records), args.n)
    sys.path.insert(0, str(ROOT))  # this checkout's generator, whatever is installed
    print(f"python {platform.python_version()} on {platform.machine()}, {args.n} articles")
    if args.stage:
        bench_stage(args)
        return 0
    bench_genuine()
    bench_throughput(args.n, args.workers)
    return 0


if __name__ == "__main__":
    sys.exit(main())
