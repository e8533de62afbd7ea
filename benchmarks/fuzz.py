"""Mutation fuzzing of the cleaner and the front-matter parser (run on demand, not in CI).

    .venv/bin/python benchmarks/fuzz.py [-n 10000] [--seed 1]

Starts from the seeds, the bad-input corpus and the sample archive, mutates bytes and lines
(flips, splices, truncation, junk and YAML fragments), and runs each input through
decode -> clean -> extract -> front matter dump -> parse, and mutated front matter through the
parser. An ArticleError is an expected, explained refusal; anything else is a crash.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
import traceback
from pathlib import Path

from generator.errors import ArticleError
from generator.frontmatter import article_to_mapping, split_front_matter, with_generated
from generator.ingest.clean import clean_text
from generator.ingest.extract import extract_article
from generator.ingest.read import decode_bytes
from generator.models import RawDocument, SourceMeta

REPO = Path(__file__).resolve().parents[1]
CORPUS_DIRS = (
    REPO.parent / "shared" / "seeds",
    REPO / "tests" / "data" / "bad",
    REPO / "content" / "raw",
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
]


def _mutate(data: bytes, rng: random.Random) -> bytes:
    buf = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        op = rng.random()
        pos = rng.randint(0, len(buf)) if buf else 0
        if op < 0.25 and buf:
            buf[rng.randrange(len(buf))] = rng.randrange(256)
        elif op < 0.5:
            buf[pos:pos] = rng.choice(FRAGMENTS)
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


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    corpus = [
        p.read_bytes()[:20000]
        for d in CORPUS_DIRS
        if d.is_dir()
        for p in sorted(d.iterdir())
        if p.is_file()
    ]
    corpus.append(b"---\ntitle: A\ndate: 2024-01-01\nauthors: [a]\n---\nBody.\n")
    crashes: list[str] = []
    start = time.perf_counter()
    for i in range(args.n):
        data = _mutate(rng.choice(corpus), rng)
        target = _run_front_matter if i % 3 == 0 else _run_text
        try:
            target(data)
        except Exception:
            crashes.append(
                f"input {i} ({target.__name__}): {traceback.format_exc(limit=3).splitlines()[-1]}"
            )
    elapsed = time.perf_counter() - start
    print(
        f"fuzz: {args.n} inputs ({len(corpus)} corpus files, seed {args.seed}) in {elapsed:.1f} s, "
        f"{len(crashes)} crashes"
    )
    for line in crashes[:20]:
        print("  " + line)
    return 1 if crashes else 0


if __name__ == "__main__":
    sys.exit(main())
