"""Entities, titles and datelines on public news text, through `newsarchive ingest`, beside main.

    .venv/bin/python benchmarks/entities.py [--re3d DIR] [--gmb FILE] [--baseline-tree DIR]
        [--errors KIND] [--keep DIR]

Data (not in this repository; see README "Data sets" and entity_sets.py, which reads them):
- re3d (github.com/dstl/re3d), the Defence Science and Technology Laboratory's hand-annotated
  entity set: its news releases of CENTCOM and the US State Department (public domain), UK
  Government (Open Government Licence v3.0), Australia's foreign ministry (CC BY 3.0 AU) and the
  EU delegation to Syria. DIR is a checkout of re3d, or the git directory of one.
- GMB: the Groningen Meaning Bank's Voice of America news (public domain texts) with its named
  entity tags, as the Kaggle extract `ner_dataset.csv`; FILE is that file, a folder holding it,
  or the git directory of a repository that holds it.

Each document becomes content/raw/<id>.txt (its headline if it has one, a blank line, its text),
the CLI ingests the folder, and the records' people / organizations / places are scored per
document against the set's gold, as sets of names:
- a predicted name is right when it is one of a gold entity's names; a second name for an entity
  already found counts as wrong (an entity page listed twice is a defect);
- titles: the record's title against the document's (documents with a headline only);
- datelines: the record's against the one the text opens with, or none.
The same run ingests the same files with the baseline tree (main's code: `git worktree add
--detach /tmp/na-main main`, or `git archive main | tar -x -C DIR`), so both columns come from
one machine state. `--errors places` lists this tree's wrong and missed names of that kind,
most frequent first, to read the errors by family.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from entity_sets import KINDS, Doc, keys, load_gmb, load_re3d, person_keys

REPO = Path(__file__).resolve().parents[1]


def _front_matter(path: Path) -> dict[str, object]:
    text = path.read_text(encoding="utf-8")
    _, head, _ = text.split("---\n", 2)
    data = yaml.safe_load(head)
    return data if isinstance(data, dict) else {}


def ingest(
    tree: Path | None, docs: list[Doc], work: Path, name: str
) -> dict[str, dict[str, object]]:
    """Run `newsarchive ingest` (the tree's code) on the docs as .txt; records by doc id."""
    root = work / name / ("baseline" if tree else "current")
    raw = root / "content" / "raw"
    raw.mkdir(parents=True)
    for doc in docs:
        head = f"{doc.title}\n\n" if doc.title else ""
        (raw / f"{doc.ident}.txt").write_text(f"{head}{doc.text}\n", encoding="utf-8")
    env = dict(os.environ)
    if tree:
        env["PYTHONPATH"] = str(tree)
    subprocess.run(
        [sys.executable, "-m", "generator", "--root", str(root), "ingest"],
        env=env,
        cwd=tree or REPO,  # `-m` puts the working folder first on sys.path
        check=False,
        capture_output=True,
    )
    records: dict[str, dict[str, object]] = {}
    for path in (root / "content" / "articles").glob("*.md"):
        data = _front_matter(path)
        source = data.get("source")
        rel = source.get("path") if isinstance(source, dict) else None
        if isinstance(rel, str):
            records[Path(rel).stem] = data
    return records


@dataclass
class Score:
    tp: int = 0
    predicted: int = 0
    gold: int = 0
    wrong: Counter[str] = field(default_factory=Counter)
    missed: Counter[str] = field(default_factory=Counter)

    def add(self, predicted: list[str], gold: list[set[str]], kind: str) -> None:
        found: set[int] = set()
        for name in dict.fromkeys(predicted):
            answers = person_keys(name) if kind == "people" else keys(name)
            hit = next((i for i, c in enumerate(gold) if answers & c and i not in found), None)
            if hit is None:
                self.wrong[name] += 1
            else:
                found.add(hit)
                self.tp += 1
        for index, cluster in enumerate(gold):
            if index not in found:
                self.missed[max(cluster, key=len)] += 1
        self.predicted += len(predicted)
        self.gold += len(gold)

    def prf(self) -> tuple[float, float, float]:
        p = self.tp / self.predicted if self.predicted else 1.0
        r = self.tp / self.gold if self.gold else 1.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)


@dataclass
class Result:
    scores: dict[str, Score]
    titles: tuple[int, int]  # right, of documents with a headline
    datelines: int
    records: int


def evaluate(docs: list[Doc], records: dict[str, dict[str, object]]) -> Result:
    scores = {k: Score() for k in (*KINDS, "all")}
    titles = titled = datelines = 0
    for doc in docs:
        record = records.get(doc.ident, {})
        for kind in KINDS:
            value = record.get(kind)
            predicted = [str(v) for v in value] if isinstance(value, list) else []
            scores[kind].add(predicted, doc.gold[kind], kind)
        if doc.title:
            titled += 1
            titles += str(record.get("title", "")) == doc.title
        datelines += (record.get("dateline") or None) == doc.dateline
    total = scores["all"]
    for kind in KINDS:
        total.tp += scores[kind].tp
        total.predicted += scores[kind].predicted
        total.gold += scores[kind].gold
    return Result(scores, (titles, titled), datelines, len(records))


def report(label: str, docs: list[Doc], columns: dict[str, Result]) -> None:
    gold = {k: sum(len(d.gold[k]) for d in docs) for k in KINDS}
    print(f"\n{label}: {len(docs)} documents; gold entities {gold}")
    print("micro-averaged over documents' name sets (P / R / F1)")
    print(f"{'measure':<16}" + "".join(f"{name:>24}" for name in columns))
    for kind in (*KINDS, "all"):
        cells = []
        for result in columns.values():
            p, r, f = result.scores[kind].prf()
            cells.append(f"{p:.2f} / {r:.2f} / {f:.2f}")
        print(f"{kind:<16}" + "".join(f"{c:>24}" for c in cells))
    titled = next(iter(columns.values())).titles[1]
    if titled:
        cells = [f"{r.titles[0] / titled:.3f}" for r in columns.values()]
        print(f"{'title correct':<16}" + "".join(f"{c:>24}" for c in cells))
    cells = [f"{r.datelines / len(docs):.3f}" for r in columns.values()]
    print(f"{'dateline correct':<16}" + "".join(f"{c:>24}" for c in cells))
    print(f"{'records':<16}" + "".join(f"{r.records:>24}" for r in columns.values()))


def print_errors(docs: list[Doc], result: Result, kind: str, top: int) -> None:
    """The wrong and missed names of a kind, most frequent first. A wrong name marked * is one
    the set annotates as this kind in other documents: more often an annotation left out than
    a name read wrong (count them to tell the set's conventions from the extractor's errors)."""
    annotated = {key for doc in docs for cluster in doc.gold[kind] for key in cluster}
    score = result.scores[kind]
    for label, counter in (("wrong", score.wrong), ("missed", score.missed)):
        marked = [n for n in counter if label == "wrong" and keys(n) & annotated]
        total = sum(counter.values())
        elsewhere = sum(counter[n] for n in marked)
        note = f", {elsewhere} annotated as {kind} elsewhere in the set (*)" if marked else ""
        print(f"  {kind} {label} ({total}{note}):")
        shown = [f"{n}{'*' if n in marked else ''} x{c}" for n, c in counter.most_common(top)]
        print("    " + "; ".join(shown))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--re3d", type=Path, help="re3d checkout or git directory")
    parser.add_argument("--gmb", type=Path, help="GMB ner_dataset.csv, its folder or git dir")
    parser.add_argument("--gmb-limit", type=int, default=0, help="first N GMB groups only")
    parser.add_argument("--baseline-tree", type=Path, default=Path("/tmp/na-main"))
    parser.add_argument("--keep", type=Path, help="keep the ingested archives here")
    parser.add_argument("--errors", choices=KINDS, action="append", default=[])
    parser.add_argument("--top", type=int, default=60, help="names per error list")
    args = parser.parse_args()
    sets: list[tuple[str, list[Doc]]] = []
    if args.re3d:
        sets.append(("re3d news releases", load_re3d(args.re3d)))
    if args.gmb:
        sets.append(
            ("GMB, Voice of America news (groups of sentences)", load_gmb(args.gmb, args.gmb_limit))
        )
    if not sets:
        parser.error("give at least one set: --re3d DIR and/or --gmb FILE")
    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-entities-"))
    try:
        for number, (label, docs) in enumerate(sets):
            columns: dict[str, Result] = {}
            name = f"set{number}"
            if (args.baseline_tree / "generator").is_dir():
                columns["main"] = evaluate(docs, ingest(args.baseline_tree, docs, work, name))
            columns["this tree"] = evaluate(docs, ingest(None, docs, work, name))
            report(label, docs, columns)
            for kind in args.errors:
                print_errors(docs, columns["this tree"], kind, args.top)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
