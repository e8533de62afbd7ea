"""Entities, titles and datelines on public text, through `newsarchive ingest`, beside main's code.

    .venv/bin/python benchmarks/entities.py --re3d DIR [--baseline-tree DIR] [--keep DIR]

Data (not in this repository; see README "Data sets"): re3d (github.com/dstl/re3d), the
Defence Science and Technology Laboratory's hand-annotated entity set. Its news releases are
used: CENTCOM and the US State Department (public domain), UK Government (Open Government
Licence v3.0), Australia's foreign ministry (CC BY 3.0 AU) and the EU delegation to Syria.
BBC Online (copyright) and Wikipedia (not news) are left out. DIR is a checkout of re3d, or the
git directory of one.

Each release becomes content/raw/<id>.txt (its headline, a blank line, its text), the CLI ingests
the folder, and the records' people / organizations / places are scored per document against
re3d's Person / Organisation / Location mentions, as sets of names:
- gold: mentions with confidence >= 0.5 whose last word is capitalised (a name, not "the
  city"), leading "the" and titles dropped; a person's short form ("Votel") joins the longer
  name it ends ("Joseph Votel"); one entity per distinct name otherwise.
- a predicted name is right when it is one of an entity's names; a second name for an entity
  already found counts as wrong (an entity page listed twice is a defect).
Titles: the record's title against the release's. Datelines: one release opens with one
('BAGHDAD - '), the others have none, so any other dateline is wrong. The same run ingests the same files with the baseline tree (main's code by default:
`git worktree add --detach /tmp/na-main main`), so both columns come from one machine state.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
SOURCES = (
    "CENTCOM",
    "US State Department",
    "UK Government",
    "Australian Department of Foreign Affairs",
    "Delegation of the European Union to Syria",
)
TYPES = {"Person": "people", "Organisation": "organizations", "Location": "places"}
_TITLES = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "gen",
        "general",
        "lt",
        "col",
        "colonel",
        "maj",
        "major",
        "capt",
        "captain",
        "sgt",
        "spc",
        "pfc",
        "cpl",
        "adm",
        "admiral",
        "president",
        "minister",
        "secretary",
        "senator",
        "sen",
        "rep",
        "ambassador",
        "prime",
        "foreign",
        "defense",
        "defence",
        "deputy",
        "special",
        "envoy",
        "king",
        "queen",
        "prince",
        "sheikh",
        "chairman",
        "director",
        "commander",
        "brig",
        "lieutenant",
        "army",
        "staff",
        "chief",
        "his",
        "her",
        "excellency",
        "hon",
        "sir",
        "dame",
        "lord",
        "lady",
        "spokesman",
        "spokeswoman",
    ]
)
_OFFICES = frozenset(
    [
        "state",
        "defense",
        "defence",
        "treasury",
        "homeland",
        "security",
        "affairs",
        "foreign",
        "interior",
        "justice",
        "class",
        "operator",
        "officer",
        "petty",
        "warfare",
        "navy",
        "air",
        "force",
        "marine",
        "senior",
        "press",
        "pentagon",
        "u.s",
        "us",
        "uk",
        "presidential",
        "acting",
        "advisor",
        "adviser",
        "commissioner",
        "spokesperson",
        "high",
    ]
)
_PARTICLES = frozenset(["de", "bin", "al", "van", "von", "der", "la", "le", "da"])
_PRONOUNS = frozenset(["i", "we", "you", "he", "she", "it", "they", "us", "them"])


def fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.replace("’", "'"))
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = re.sub(r"'s$|'$", "", text.strip(" .,;:\"'()"))
    words = text.split()
    while words and words[0] in {"the", "a", "an"}:
        words = words[1:]
    return " ".join(words)


def _strip_titles(name: str) -> str:
    """'Deputy Secretary of State Tony Blinken' -> 'Tony Blinken': the name after the role."""
    words = name.split()
    keep: list[str] = []
    for word in reversed(words):
        bare = word.strip(",").rstrip(".").lower()
        if bare in _TITLES or bare in _OFFICES or not (word[:1].isupper() or bare in _PARTICLES):
            break
        keep.insert(0, word)
    if keep and len(keep) < len(words) and words[-len(keep) - 1].lower() in {"of", "for", "the"}:
        return ""  # 'High Commissioner for Refugees': all of it is the role
    return " ".join(keep)


@dataclass
class Doc:
    ident: str
    title: str
    text: str
    gold: dict[str, list[set[str]]] = field(default_factory=dict)


def _json_lines(root: Path, rel: str) -> Iterator[dict[str, object]]:
    if (root / rel).is_file():
        text = (root / rel).read_text(encoding="utf-8")
    else:
        text = subprocess.run(
            ["git", "--git-dir", str(root), "show", f"HEAD:{rel}"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    for line in text.splitlines():
        if line.strip():
            yield json.loads(line)


def _is_name(value: str) -> bool:
    """A named mention: starts and ends with a capitalised word ('the city' and 'we' are not)."""
    words = re.findall(r"[\w.'’-]+", value)
    if not words or value.strip().lower() in _PRONOUNS:
        return False
    first = words[1] if words[0].lower() == "the" and len(words) > 1 else words[0]
    return all(w[:1].isupper() or w[:1].isdigit() for w in (first, words[-1]))


def _initials(name: str) -> str:
    words = [w for w in re.findall(r"[\w'-]+", name) if w[:1].isupper()]
    return "".join(w[0] for w in words).lower() if len(words) >= 2 else ""


def keys(name: str) -> set[str]:
    """The folded names a mention answers to: as written, as the alias tables spell it
    ('U.S.' = 'United States', 'UN' = 'United Nations'), and its initials ('SDF')."""
    from generator.ingest.gazetteer import load_gazetteer

    tables = load_gazetteer()
    bare = re.sub(r"^(?:the|The)\s+", "", name.strip())
    canonical = tables.place(bare) or tables.organization(bare) or bare
    found = {fold(name), fold(canonical)} - {""}
    # 'U.S. State Department' is the State Department; 'UN Security Council' the Security Council
    short = re.sub(r"^(?:U\.S\.|US|U\.N\.|UN|UK|U\.K\.)\s+", "", canonical)
    if short != canonical:
        found.add(fold(short))
    initials = _initials(canonical)
    return found | ({initials} if initials else set())


def person_keys(name: str) -> set[str]:
    """A person answers to the full name and to the surname ('Ibrahim al-Jaafari', 'Jaafari')."""
    words = fold(name).split()
    surname = re.sub(r"^(?:al|el)-", "", words[-1]) if words else ""
    return keys(name) | ({words[-1], surname} if len(words) > 1 else set())


def _clusters(names: dict[str, set[str]], kind: str) -> list[set[str]]:
    """One entity per name; a person's shorter name joins the longest one it ends, an
    acronym joins the name it abbreviates, and alias spellings join each other."""
    ordered = sorted(names, key=lambda n: -len(n.split()))
    clusters: list[set[str]] = []
    for name in ordered:
        home = next((c for c in clusters if names[name] & c), None)
        if home is None and kind == "people":
            home = next(
                (
                    c
                    for c in clusters
                    if any(f.endswith(" " + name) or name in f.split()[1:] for f in c)
                ),
                None,
            )
        if home is None:
            clusters.append(set(names[name]))
        else:
            home.update(names[name])
    return clusters


def load_re3d(root: Path) -> list[Doc]:
    import pycountry

    from generator.ingest.gazetteer import load_gazetteer
    from generator.ingest.namewords import DEMONYM

    tables = load_gazetteer()
    countries = {fold(c.name) for c in pycountry.countries}
    countries |= {fold(getattr(c, "common_name", c.name)) for c in pycountry.countries}
    countries |= {fold(s) for s, k in tables.place_kinds.items() if k in {"country", "alias"}}
    docs: list[Doc] = []
    for source in SOURCES:
        by_id: dict[str, Doc] = {}
        for row in _json_lines(root, f"{source}/documents.json"):
            ident = str(row["_id"])
            by_id[ident] = Doc(ident, str(row["title"]).strip(), str(row["text"]))
        names: dict[str, dict[str, dict[str, set[str]]]] = {
            i: {k: {} for k in TYPES.values()} for i in by_id
        }
        for row in _json_lines(root, f"{source}/entities.json"):
            kind = TYPES.get(str(row["type"]))
            doc_id = str(row["documentId"])
            if kind is None or doc_id not in by_id or float(str(row["confidence"])) < 0.5:
                continue
            value = str(row["value"])
            if not _is_name(value):
                continue
            if kind == "organizations" and fold(value) in countries:
                kind = "places"  # CoNLL's convention: a country acting is still a place
            if kind == "organizations" and DEMONYM.match(re.sub(r"s$", "", value.strip())):
                continue  # 'Syrians', 'Iraqis': CoNLL's MISC, not an organisation
            # 'Fort Campbell, Kentucky' is two places, each a name a reader would look for
            parts = value.split(",") if kind == "places" else [value]
            for part in parts:
                name = _strip_titles(part) if kind == "people" else part.strip()
                if fold(name):
                    names[doc_id][kind].setdefault(fold(name), set()).update(keys(name))
        for ident, doc in by_id.items():
            doc.gold = {k: _clusters(v, k) for k, v in names[ident].items()}
            docs.append(doc)
    return docs


def _front_matter(path: Path) -> dict[str, object]:
    text = path.read_text(encoding="utf-8")
    _, head, _ = text.split("---\n", 2)
    data = yaml.safe_load(head)
    return data if isinstance(data, dict) else {}


def ingest(tree: Path | None, docs: list[Doc], work: Path) -> dict[str, dict[str, object]]:
    """Run `newsarchive ingest` (the tree's code) on the docs as .txt; records by doc id."""
    root = work / ("baseline" if tree else "current")
    raw = root / "content" / "raw"
    raw.mkdir(parents=True)
    for doc in docs:
        (raw / f"{doc.ident}.txt").write_text(f"{doc.title}\n\n{doc.text}\n", encoding="utf-8")
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
    p_sum: float = 0.0
    r_sum: float = 0.0
    docs: int = 0

    def add(self, predicted: list[str], gold: list[set[str]], kind: str) -> None:
        found: set[int] = set()
        tp = 0
        for name in dict.fromkeys(predicted):
            answers = person_keys(name) if kind == "people" else keys(name)
            hit = next((i for i, c in enumerate(gold) if answers & c and i not in found), None)
            if hit is not None:
                found.add(hit)
                tp += 1
        self.tp += tp
        self.predicted += len(predicted)
        self.gold += len(gold)
        if predicted or gold:
            self.docs += 1
            self.p_sum += tp / len(predicted) if predicted else 1.0
            self.r_sum += tp / len(gold) if gold else 1.0

    def prf(self) -> tuple[float, float, float]:
        p = self.tp / self.predicted if self.predicted else 1.0
        r = self.tp / self.gold if self.gold else 1.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def evaluate(docs: list[Doc], records: dict[str, dict[str, object]]) -> dict[str, object]:
    scores = {k: Score() for k in (*TYPES.values(), "all")}
    titles = datelines = 0
    misses: list[str] = []
    for doc in docs:
        record = records.get(doc.ident, {})
        for kind in TYPES.values():
            value = record.get(kind)
            predicted = [str(v) for v in value] if isinstance(value, list) else []
            scores[kind].add(predicted, doc.gold[kind], kind)
        title = str(record.get("title", ""))
        titles += title == doc.title
        if title != doc.title:
            misses.append(f"title {doc.ident}: {title!r} != {doc.title!r}")
        # One release opens with a dateline ('BAGHDAD - ...'); the rest have none.
        stated = re.match(r"([A-Z][A-Z.'’ ]+[A-Z.])(?:,[^-—–\n]{1,40})?\s+[-—–]{1,2}\s", doc.text)
        datelines += (record.get("dateline") or None) == (stated.group(1) if stated else None)
    total = scores["all"]
    for kind in TYPES.values():
        total.tp += scores[kind].tp
        total.predicted += scores[kind].predicted
        total.gold += scores[kind].gold
    result: dict[str, object] = {k: s.prf() for k, s in scores.items()}
    result["titles"] = titles / len(docs)
    result["datelines"] = datelines / len(docs)
    result["records"] = len(records)
    result["misses"] = misses
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--re3d", type=Path, required=True, help="re3d checkout or git directory")
    parser.add_argument("--baseline-tree", type=Path, default=Path("/tmp/na-main"))
    parser.add_argument("--keep", type=Path, help="keep the ingested archives here")
    parser.add_argument("--show", action="store_true", help="print title misses")
    args = parser.parse_args()
    docs = load_re3d(args.re3d)
    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-entities-"))
    try:
        columns: dict[str, dict[str, object]] = {}
        if (args.baseline_tree / "generator").is_dir():
            columns["main"] = evaluate(docs, ingest(args.baseline_tree, docs, work))
        columns["this tree"] = evaluate(docs, ingest(None, docs, work))
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    gold = {k: sum(len(d.gold[k]) for d in docs) for k in TYPES.values()}
    print(f"re3d news releases: {len(docs)} documents; gold entities {gold}")
    print("micro-averaged over documents' name sets (P / R / F1)")
    print(f"{'measure':<16}" + "".join(f"{name:>24}" for name in columns))
    for kind in (*TYPES.values(), "all"):
        cells = []
        for result in columns.values():
            p, r, f = result[kind]  # type: ignore[misc]
            cells.append(f"{p:.2f} / {r:.2f} / {f:.2f}")
        print(f"{kind:<16}" + "".join(f"{c:>24}" for c in cells))
    for key, label in (("titles", "title correct"), ("datelines", "dateline correct")):
        print(f"{label:<16}" + "".join(f"{r[key]:>24.3f}" for r in columns.values()))
    print(f"{'records':<16}" + "".join(f"{r['records']:>24}" for r in columns.values()))
    if args.show:
        for line in columns["this tree"]["misses"]:  # type: ignore[union-attr]
            print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
