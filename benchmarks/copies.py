"""Spun copies, desk edits and related articles, measured the way a user meets them.

    .venv/bin/python benchmarks/copies.py --bbc DIR [--agnews FILE] [--per-rate 100]
        [--desk 100] [--wordnet /usr/share/wordnet] [--workdir DIR] [--keep] [--part ...]

Everything goes through `newsarchive build` on a folder of input files; the numbers are read back
from what the build wrote (the article pages and the records), never from internal calls.

copies (--part copies): an archive of every article of the BBC News corpus (genuine) plus
  - spun copies of --per-rate originals at each swap rate (5, 10, 20, 30% of the eligible words),
    made by a synonym spinner whose table is derived here from WordNet 3.0 (Debian package
    wordnet-base; sense 1 of each word's most frequent part of speech, inflected back), with no
    reference to the generator's spin lexicon or marker words. It rewrites capitalised words too
    ("United States" -> "Joined States"), as spinners do. Half the copies are dated a day or more
    after their original, half are undated (the originals are all dated), so both ways of telling
    the original (dates; the text) are exercised;
  - --desk desk-edited wire copies: a new headline and agency dateline, the last paragraphs cut,
    a paragraph moved up, a paragraph of background added, honorifics dropped.
  It prints, per rate: copies flagged by the single-text detector (record verdict spun or
  suspect), linked to their original at all, linked *as a spun copy of* it (relation on the
  copy's page), taken for the original instead, and the swaps recovered with their original
  wording (the copy's page lists "spun -> original"; matched as a multiset against the spinner's
  own record). For desk copies: near-duplicates of their original, and any called spun. For the
  genuine articles: spun verdicts, suspect verdicts, verdicts shown without evidence, and
  genuine pairs linked as spun copies.
related (--part related): a genuine-only archive of the BBC corpus (5 labelled categories) and,
  with --agnews, one of the AG News test set (7,600 items, 4 labelled classes); precision@5 of
  the related lists on the pages (an article without a list counts 0) against plain TF-IDF
  cosine top-5 (scikit-learn's TfidfVectorizer defaults, written out with scipy) and against a
  stronger TF-IDF (sublinear tf, English stop words) over the same texts, in the same run; and
  how many articles get no list.

Data: BBC News (D. Greene and P. Cunningham, ICML 2006; 2,225 articles, 2004-2005; copyright
the BBC, distributed for research) as laid out in the GitHub repository
dejanbatanjac/bbc-article-classify-bert (folder bbc/, one .txt a story, a folder a category).
AG News (Zhang, Zhao and LeCun, NIPS 2015; from the AG corpus, for research and non-commercial
use) test.csv, as in suuuch/TransformerClassification (data/ag_news_csv/). Neither is committed.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from lxml import html as lxml_html
from scipy import sparse

RATES = (0.05, 0.10, 0.20, 0.30)


def _word_set(words: str) -> frozenset[str]:
    """A constant set of words written as one space-separated string."""
    return frozenset(words.split())


_FUNCTION = _word_set(
    "a an the and or but nor so yet for of in on at to from by with without within into onto "
    "upon about above below over under after before since until while as than then that this "
    "these those there here who whom whose which what when where why how is are was were be "
    "been being am have has had having do does did doing will would shall should can could may "
    "might must not no it its he she they we you i me him her them us my your his their our mr "
    "mrs ms dr also just very only even still too said says say"
)
_WORD = re.compile(r"[A-Za-z]+(?:'[a-z]+)?")


# --------------------------------------------------------------------------------------------
# A spinner built from WordNet 3.0


class Thesaurus:
    """word -> one synonym, as a thesaurus spinner picks it: the word's base form (WordNet's
    exception lists and suffix rules), its part of speech with the most tagged senses, the first
    other lemma of its most frequent sense (then the next sense), inflected as the word was."""

    def __init__(self, folder: Path) -> None:
        self.index: dict[str, dict[str, list[str]]] = defaultdict(dict)  # lemma -> pos -> offsets
        self.tagged: dict[tuple[str, str], int] = {}
        for pos, name in (("n", "noun"), ("v", "verb"), ("a", "adj"), ("r", "adv")):
            for line in (folder / f"index.{name}").read_text(encoding="latin-1").splitlines():
                if line.startswith(" "):
                    continue
                parts = line.split()
                lemma, count, pointers = parts[0], int(parts[2]), int(parts[3])
                offsets = parts[4 + pointers + 2 :]
                self.index[lemma][pos] = offsets[:count]
                self.tagged[(lemma, pos)] = int(parts[4 + pointers + 1])
        self.data = {
            pos: (folder / f"data.{name}").read_bytes()
            for pos, name in (("n", "noun"), ("v", "verb"), ("a", "adj"), ("r", "adv"))
        }
        self.exceptions: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for pos, name in (("n", "noun"), ("v", "verb"), ("a", "adj"), ("r", "adv")):
            for line in (folder / f"{name}.exc").read_text(encoding="latin-1").splitlines():
                parts = line.split()
                if len(parts) >= 2:
                    self.exceptions[parts[0]].append((parts[1], pos))
        self.cache: dict[str, str | None] = {}

    def _synset(self, pos: str, offset: str) -> list[str]:
        data = self.data[pos]
        line = data[int(offset) : data.index(b"\n", int(offset))].decode("latin-1").split()
        count = int(line[3], 16)
        return [line[4 + 2 * k] for k in range(count)]

    def _bases(self, word: str) -> list[tuple[str, str, str]]:
        """(base, pos, form) readings of a lowercase word; form: '', 's', 'ed', 'ing', 'er', 'est'."""
        found = [(word, pos, "") for pos in self.index.get(word, {})]
        for base, pos in self.exceptions.get(word, []):
            if pos in self.index.get(base, {}):
                found.append((base, pos, _form_of(word, pos)))
        rules = (
            ("n", "ies", "y", "s"), ("n", "ses", "s", "s"), ("n", "es", "", "s"),
            ("n", "s", "", "s"), ("v", "ies", "y", "s"), ("v", "es", "", "s"),
            ("v", "s", "", "s"), ("v", "ied", "y", "ed"), ("v", "ed", "e", "ed"),
            ("v", "ed", "", "ed"), ("v", "ing", "e", "ing"), ("v", "ing", "", "ing"),
            ("a", "er", "", "er"), ("a", "est", "", "est"),
        )  # fmt: skip
        for pos, suffix, ending, form in rules:
            if word.endswith(suffix) and len(word) > len(suffix) + 2:
                base = word[: -len(suffix)] + ending
                if pos in self.index.get(base, {}):
                    found.append((base, pos, form))
        return found

    def synonym(self, word: str) -> str | None:
        """A synonym of a lowercase word in the same form, or None."""
        if word in self.cache:
            return self.cache[word]
        best = None
        readings = sorted(self._bases(word), key=lambda r: -self.tagged.get((r[0], r[1]), 0))
        for base, pos, form in readings[:1]:
            for offset in self.index[base][pos][:2]:
                others = [
                    w.replace("_", " ")
                    for w in self._synset(pos, offset)
                    if w.lower() != base and w.islower() and not w.endswith(")")
                ]
                others = [
                    o for o in others if o.split()[0] != base and "-" not in o and len(o) >= 3
                ]
                if others:
                    best = _inflect(others[0], form, pos)
                    break
        self.cache[word] = best
        return best


def _form_of(word: str, pos: str) -> str:
    """The inflection an irregular form stands for ("ran": ed, "mice": s, "best": est)."""
    if pos == "n":
        return "s"
    if pos == "v":
        return "ing" if word.endswith("ing") else "s" if word.endswith("s") else "ed"
    return "est" if word.endswith("st") else "er" if pos == "a" else ""


def _inflect(lemma: str, form: str, pos: str) -> str:
    """The lemma in `form`; a noun phrase inflects its last word, a verb phrase its first."""
    words = lemma.split()
    at = len(words) - 1 if pos == "n" else 0
    word = words[at]
    consonant_y = word.endswith("y") and word[-2:-1] not in "aeiou"
    if form == "s":
        if consonant_y:
            word = word[:-1] + "ies"
        else:
            word += "es" if word.endswith(("s", "x", "z", "ch", "sh")) else "s"
    elif form == "ed":
        word = word[:-1] + "ied" if consonant_y else word + ("d" if word.endswith("e") else "ed")
    elif form == "ing":
        word = (word[:-1] if word.endswith("e") and not word.endswith("ee") else word) + "ing"
    elif form in ("er", "est"):
        stem = word[:-1] + "i" if consonant_y else word[:-1] if word.endswith("e") else word
        word = stem + form
    words[at] = word
    return " ".join(words)


def spin(text: str, thesaurus: Thesaurus, rate: float, rng: random.Random) -> tuple[str, list]:
    """The text with each eligible word swapped with probability `rate`; the swaps made, as
    (spun wording, original wording) in text order."""
    swaps: list[tuple[str, str]] = []

    def swap(match: re.Match[str]) -> str:
        word = match.group()
        low = word.lower()
        if low in _FUNCTION or len(low) < 3 or "'" in low:
            return word
        synonym = thesaurus.synonym(low)
        if synonym is None or rng.random() >= rate:
            return word
        if word[0].isupper():
            synonym = synonym[0].upper() + synonym[1:]
        swaps.append((synonym, word))
        return synonym

    return _WORD.sub(swap, text), swaps


def eligible_share(texts: list[str], thesaurus: Thesaurus) -> float:
    words = [w for t in texts for w in _WORD.findall(t)]
    ok = sum(
        1
        for w in words
        if w.lower() not in _FUNCTION and len(w) >= 3 and thesaurus.synonym(w.lower()) is not None
    )
    return ok / max(1, len(words))


# --------------------------------------------------------------------------------------------
# Desk edits


def desk_copy(title: str, body: str, other: str, rng: random.Random) -> tuple[str, str]:
    """A wire desk's edit: new headline, agency dateline, the last paragraphs cut, a paragraph
    moved up, a paragraph of background (from another story) added, honorifics dropped."""
    paragraphs = [p.strip() for p in body.split("\n\n") if p.strip()]
    keep = max(3, math.ceil(len(paragraphs) * rng.uniform(0.65, 0.9)))
    paragraphs = paragraphs[:keep]
    if len(paragraphs) > 3:
        i = rng.randrange(2, len(paragraphs))
        paragraphs.insert(1, paragraphs.pop(i))
    background = [p.strip() for p in other.split("\n\n") if p.strip()][1:2]
    paragraphs[2:2] = background
    paragraphs[0] = f"LONDON (Wire) - {paragraphs[0]}"
    edited = re.sub(r"\b(?:Mr|Mrs|Ms|Dr) (?=[A-Z])", "", "\n\n".join(paragraphs))
    return f"{title}: what we know", edited


# --------------------------------------------------------------------------------------------
# Corpora


@dataclass
class Story:
    key: str
    label: str
    title: str
    body: str


def load_bbc(folder: Path) -> list[Story]:
    stories = []
    for category in sorted(p for p in folder.iterdir() if p.is_dir()):
        for path in sorted(category.glob("*.txt")):
            text = path.read_bytes().decode("latin-1").strip()
            title, _, body = text.partition("\n")
            stories.append(
                Story(
                    f"bbc-{category.name}-{path.stem}", category.name, title.strip(), body.strip()
                )
            )
    return stories


def load_agnews(path: Path) -> list[Story]:
    stories = []
    with path.open(newline="", encoding="utf-8") as handle:
        for n, row in enumerate(csv.reader(handle)):
            label, title, description = row
            body = description.replace("\\", " ").strip()
            stories.append(Story(f"ag-{n:05d}", label, title.strip(), body))
    return stories


def write_input(raw: Path, name: str, title: str, body: str, date: str | None) -> None:
    (raw / f"{name}.txt").write_text(f"{title}\n\n{body}\n", encoding="utf-8")
    if date:
        (raw / f"{name}.json").write_text(json.dumps({"date": date}), encoding="utf-8")


def _date(n: int) -> str:
    day = 1 + n % 700
    return time.strftime("%Y-%m-%d", time.gmtime(1_072_915_200 + day * 86_400))


def _later(date: str, days: int) -> str:
    base = time.mktime(time.strptime(date, "%Y-%m-%d"))
    return time.strftime("%Y-%m-%d", time.localtime(base + days * 86_400 + 7200))


# --------------------------------------------------------------------------------------------
# Building and reading back


@dataclass
class Built:
    root: Path
    wall: float
    cpu: float
    records: dict[str, dict[str, Any]] = field(default_factory=dict)  # input name -> front matter

    def page(self, name: str) -> Any:
        slug = self.records[name]["slug"]
        path = self.root / "site" / "articles" / slug / "index.html"
        return lxml_html.fromstring(path.read_bytes())


def build(root: Path) -> Built:
    (root / "newsarchive.toml").write_text("static_search = false\n", encoding="utf-8")
    start = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "generator", "--root", str(root), "build"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    output = process.stdout.read() if process.stdout else ""
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise SystemExit(f"build of {root} failed:\n{output[-3000:]}")
    built = Built(root, wall, usage.ru_utime + usage.ru_stime)
    for path in (root / "content" / "articles").glob("*.md"):
        text = path.read_text(encoding="utf-8")
        front = yaml.safe_load(text.split("\n---", 1)[0].removeprefix("---"))
        name = Path(front["source"]["path"]).stem
        built.records[name] = front
    return built


def links_of(page: Any) -> list[tuple[str, str]]:
    """(relation, slug linked) of each copy notice on an article page."""
    found = []
    for notice in page.xpath('//*[contains(@class, "copy-notice")]'):
        href = notice.xpath(".//a/@href")[0]
        found.append((notice.get("data-relation"), href.rstrip("/").rsplit("/", 1)[-1]))
    return found


def swaps_of(page: Any) -> list[tuple[str, str]]:
    return [
        (
            li.xpath('.//q[@class="swap-spun"]')[0].text_content(),
            li.xpath('.//q[@class="swap-original"]')[0].text_content(),
        )
        for li in page.xpath('//details[contains(@class, "swaps")]//li')
    ]


def related_of(page: Any) -> list[str]:
    return [
        h.rstrip("/").rsplit("/", 1)[-1] for h in page.xpath('//section[@class="related"]//a/@href')
    ]


def _word_pairs(pairs: list[tuple[str, str]]) -> Counter[tuple[str, str]]:
    """(spun, original) lowercased; a phrase for a phrase of as many words, word by word."""
    found: Counter[tuple[str, str]] = Counter()
    for spun, original in pairs:
        a, b = spun.lower().split(), original.lower().split()
        if len(a) == len(b) > 1:
            found.update((x, y) for x, y in zip(a, b, strict=True) if x != y)
        else:
            found[(" ".join(a), " ".join(b))] += 1
    return found


# --------------------------------------------------------------------------------------------
# Parts


def run_copies(args: argparse.Namespace, work: Path) -> None:
    stories = load_bbc(args.bbc)
    thesaurus = Thesaurus(args.wordnet)
    rng = random.Random(args.seed)
    root = work / "copies"
    raw = root / "content" / "raw"
    raw.mkdir(parents=True)
    dates = {}
    for n, story in enumerate(stories):
        dates[story.key] = _date(n)
        write_input(raw, story.key, story.title, story.body, dates[story.key])
    picked = rng.sample(range(len(stories)), len(RATES) * args.per_rate + args.desk)
    truth: dict[str, dict[str, Any]] = {}
    share = eligible_share([stories[i].body for i in picked[:50]], thesaurus)
    for r, rate in enumerate(RATES):
        for k in range(args.per_rate):
            story = stories[picked[r * args.per_rate + k]]
            title, _ = spin(story.title, thesaurus, rate, rng)
            body, body_swaps = spin(story.body, thesaurus, rate, rng)
            name = f"copy-{int(rate * 100):02d}-{story.key}"
            dated = k % 2 == 0
            write_input(
                raw, name, title, body, _later(dates[story.key], 1 + k % 5) if dated else None
            )
            truth[name] = {"rate": rate, "original": story.key, "swaps": body_swaps, "dated": dated}
    for k in range(args.desk):
        story = stories[picked[len(RATES) * args.per_rate + k]]
        other = stories[rng.randrange(len(stories))]
        title, body = desk_copy(story.title, story.body, other.body, rng)
        name = f"desk-{story.key}"
        write_input(raw, name, title, body, _later(dates[story.key], 1))
        truth[name] = {"rate": None, "original": story.key}
    print(
        f"copies archive: {len(stories)} genuine BBC articles, {len(truth)} copies; "
        f"{share:.0%} of the originals' words are eligible for the spinner"
    )
    built = build(root)
    print(f"build: {built.wall:.1f} s wall, {built.cpu:.1f} CPU-s (ingest included)")
    rows = []
    for rate in RATES:
        names = [n for n, t in truth.items() if t["rate"] == rate]
        flagged = linked = as_spun = backwards = 0
        swaps_total = recovered = 0
        dated_right = [0, 0]
        undated_right = [0, 0]
        for name in names:
            t = truth[name]
            record = built.records[name]
            flagged += (record.get("spin") or {}).get("verdict") in ("spun", "suspect")
            original_slug = built.records[t["original"]]["slug"]
            page = built.page(name)
            relations = {slug: rel for rel, slug in links_of(page)}
            linked += original_slug in relations
            is_spun = relations.get(original_slug) == "spun-copy-of"
            as_spun += is_spun
            backwards += relations.get(original_slug) == "original-of"
            tally = dated_right if t["dated"] else undated_right
            if original_slug in relations and relations[original_slug] != "near-duplicate":
                tally[0] += is_spun
                tally[1] += 1
            want = _word_pairs(t["swaps"])
            got = _word_pairs(swaps_of(page)) if is_spun else Counter()
            swaps_total += sum(want.values())
            recovered += sum(min(c, got[p]) for p, c in want.items())
        rows.append(
            (
                rate,
                len(names),
                flagged,
                linked,
                as_spun,
                backwards,
                recovered,
                swaps_total,
                dated_right,
                undated_right,
                sum(1 for n in names if len(truth[n]["swaps"]) < 2),
            )
        )
    print()
    print(
        "| swap rate | copies (spinner made < 2 swaps) | flagged by the detector | linked to the original | linked as spun copy | taken for the original | swaps recovered | original found: dated / undated |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    for rate, n, flagged, linked, as_spun, backwards, rec, total, dr, ur, few in rows:
        print(
            f"| {rate:.0%} | {n} ({few}) | {flagged} ({flagged / n:.0%}) | {linked} ({linked / n:.0%}) | "
            f"{as_spun} ({as_spun / n:.0%}) | {backwards} | {rec} / {total} ({rec / max(1, total):.0%}) | "
            f"{dr[0]}/{dr[1]}, {ur[0]}/{ur[1]} |"
        )
    unlinked = [
        n
        for n, t in truth.items()
        if t["rate"] is not None
        and built.records[t["original"]]["slug"] not in {s for _, s in links_of(built.page(n))}
    ]
    print(f"\nspun copies with no link to their original: {', '.join(unlinked) or 'none'}")
    desk = [n for n, t in truth.items() if t["rate"] is None]
    near = spun_desk = 0
    for name in desk:
        original_slug = built.records[truth[name]["original"]]["slug"]
        relations = {slug: rel for rel, slug in links_of(built.page(name))}
        near += relations.get(original_slug) == "near-duplicate"
        spun_desk += relations.get(original_slug) in ("spun-copy-of", "original-of")
    print(
        f"\ndesk-edited wire copies: {len(desk)}; near-duplicates of their original {near} "
        f"({near / max(1, len(desk)):.0%}), called spun copies {spun_desk}"
    )
    genuine = [s.key for s in stories]
    verdicts = Counter((built.records[k].get("spin") or {}).get("verdict") for k in genuine)
    no_evidence = spun_pairs = near_pairs = 0
    for key in genuine:
        page = built.page(key)
        notice = page.xpath('//p[contains(@class, "spin-notice")]')
        if notice and not page.xpath('//details[contains(@class, "spin-phrases")]'):
            no_evidence += 1
        for relation, slug in links_of(page):
            other = slug_to_name(built, slug)
            if other in truth:
                continue
            if relation in ("spun-copy-of", "original-of"):
                spun_pairs += 1
            else:
                near_pairs += 1
    print(
        f"genuine articles: {len(genuine)}; detector verdicts spun {verdicts['spun']}, suspect "
        f"{verdicts['suspect']}; verdicts shown without evidence {no_evidence}; links between "
        f"genuine articles: {spun_pairs // 2} pairs called spun, {near_pairs // 2} near-duplicate "
        "pairs (the corpus repeats some stories)"
    )


def slug_to_name(built: Built, slug: str) -> str:
    names = getattr(built, "_by_slug", None)
    if names is None:
        names = {r["slug"]: n for n, r in built.records.items()}
        built._by_slug = names  # type: ignore[attr-defined]
    return names.get(slug, "")


def _tfidf_top(
    texts: list[str], sublinear: bool, stop: frozenset[str], k: int = 5
) -> list[list[int]]:
    vocabulary: dict[str, int] = {}
    rows, cols, vals = [], [], []
    for i, text in enumerate(texts):
        counts = Counter(w for w in re.findall(r"\b\w\w+\b", text.lower()) if w not in stop)
        for word, count in counts.items():
            rows.append(i)
            cols.append(vocabulary.setdefault(word, len(vocabulary)))
            vals.append(1 + math.log(count) if sublinear else count)
    n = len(texts)
    matrix = sparse.csr_matrix((vals, (rows, cols)), shape=(n, len(vocabulary)), dtype=float)
    df = np.bincount(matrix.indices, minlength=len(vocabulary))
    matrix = matrix.multiply(np.log((1 + n) / (1 + df)) + 1).tocsr()
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1
    matrix = sparse.diags(1 / norms) @ matrix
    top = []
    for start in range(0, n, 500):
        scores = (matrix[start : start + 500] @ matrix.T).toarray()
        for row in range(scores.shape[0]):
            scores[row, start + row] = -1
            best = np.argsort(-scores[row], kind="stable")[:k]
            top.append([int(j) for j in best if scores[row, j] > 0])
    return top


_STOP = _word_set(
    "a about above after again against all am an and any are as at be because been before "
    "being below between both but by can could did do does doing down during each few for from "
    "further had has have having he her here hers herself him himself his how i if in into is "
    "it its itself just me more most my myself no nor not now of off on once only or other our "
    "ours ourselves out over own same she should so some such than that the their theirs them "
    "themselves then there these they this those through to too under until up very was we "
    "were what when where which while who whom why will with you your yours yourself "
    "yourselves said says also would"
)


def precision(labels: list[str], lists: list[list[int]], k: int = 5) -> tuple[float, int]:
    total, empty = 0.0, 0
    for i, found in enumerate(lists):
        if not found:
            empty += 1
        total += sum(labels[j] == labels[i] for j in found[:k]) / k
    return total / len(lists), empty


def run_related(name: str, stories: list[Story], work: Path) -> None:
    root = work / f"related-{name}"
    raw = root / "content" / "raw"
    raw.mkdir(parents=True)
    for n, story in enumerate(stories):
        write_input(raw, story.key, story.title, story.body, _date(n))
    built = build(root)
    slug_index = {r["slug"]: k for k, r in built.records.items()}
    order = [s.key for s in stories if s.key in built.records]
    position = {key: i for i, key in enumerate(order)}
    labels = {s.key: s.label for s in stories}
    ours = []
    for key in order:
        found = [slug_index.get(s) for s in related_of(built.page(key))]
        ours.append([position[f] for f in found if f in position])
    label_list = [labels[k] for k in order]
    by_key = {s.key: s for s in stories}
    texts = [f"{by_key[k].title}\n{by_key[k].body}" for k in order]
    start = time.process_time()
    plain = _tfidf_top(texts, sublinear=False, stop=frozenset())
    strong = _tfidf_top(texts, sublinear=True, stop=_STOP)
    baseline_cpu = time.process_time() - start
    p_ours, e_ours = precision(label_list, ours)
    p_plain, e_plain = precision(label_list, plain)
    p_strong, e_strong = precision(label_list, strong)
    print(
        f"\nrelated, {name}: {len(order)} articles (build {built.wall:.1f} s wall, {built.cpu:.1f} CPU-s; "
        f"both baselines {baseline_cpu:.1f} CPU-s, dense products)"
    )
    print("| lists | precision@5 | articles without a list |")
    print("|---|---:|---:|")
    print(f"| newsarchive (pages) | {p_ours:.3f} | {e_ours} |")
    print(f"| plain TF-IDF cosine top-5 | {p_plain:.3f} | {e_plain} |")
    print(f"| TF-IDF, sublinear tf, stop words | {p_strong:.3f} | {e_strong} |")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--bbc", type=Path, required=True, help="the BBC corpus folder (bbc/)")
    parser.add_argument("--agnews", type=Path, help="AG News test.csv (related part)")
    parser.add_argument("--wordnet", type=Path, default=Path("/usr/share/wordnet"))
    parser.add_argument("--per-rate", type=int, default=100)
    parser.add_argument("--desk", type=int, default=100)
    parser.add_argument("--seed", type=int, default=23)
    parser.add_argument("--part", choices=("all", "copies", "related"), default="all")
    parser.add_argument("--workdir", type=Path)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    if not (args.wordnet / "index.noun").is_file() and args.part != "related":
        raise SystemExit(f"{args.wordnet}: no WordNet 3.0 database (apt-get install wordnet-base)")
    work = Path(tempfile.mkdtemp(prefix="copies-", dir=args.workdir))
    try:
        if args.part in ("all", "copies"):
            run_copies(args, work)
        if args.part in ("all", "related"):
            run_related("BBC", load_bbc(args.bbc), work)
            if args.agnews:
                run_related("AG News", load_agnews(args.agnews), work)
    finally:
        if args.keep:
            print(f"\nkept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
