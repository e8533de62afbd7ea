"""The public entity sets benchmarks/entities.py scores against, read into per-document gold.

- re3d (github.com/dstl/re3d): government news releases, hand-annotated; `--re3d DIR`.
- GMB (the Groningen Meaning Bank's Voice of America news, as the `ner_dataset.csv` extract
  published on Kaggle and copied into many GitHub repositories); `--gmb FILE`.

Gold is a set of names per document and type (people, organizations, places): what an entity
page would list, not mention spans. Each loader says how its set's types map onto ours.
"""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

SOURCES = (
    "CENTCOM",
    "US State Department",
    "UK Government",
    "Australian Department of Foreign Affairs",
    "Delegation of the European Union to Syria",
)
TYPES = {"Person": "people", "Organisation": "organizations", "Location": "places"}
KINDS = ("people", "organizations", "places")
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
        "pope",
        "chancellor",
        "mayor",
        "governor",
        "sister",
        "father",
        "councilor",
        "councillor",
        "ayatollah",
        "sheik",
        "rev",
        "reverend",
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
_PARTICLES = frozenset(["de", "bin", "al", "el", "van", "von", "der", "la", "le", "da"])
_PRONOUNS = frozenset(["i", "we", "you", "he", "she", "it", "they", "us", "them"])


def fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.replace("’", "'"))
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = re.sub(r"'s$|'$", "", text.strip(" .,;:\"'()"))
    text = re.sub(r"\b(al|el)- ", r"\1-", text)  # 'Ibrahim al- Jaafari', as typed
    words = text.split()
    while words and words[0] in {"the", "a", "an"}:
        words = words[1:]
    return " ".join(words)


def strip_titles(name: str) -> str:
    """'Deputy Secretary of State Tony Blinken' -> 'Tony Blinken': the name after the role."""
    words = name.split()
    keep: list[str] = []
    for word in reversed(words):
        bare = word.strip(",").rstrip(".").lower()
        particle = bare in _PARTICLES or bare.split("-")[0] in _PARTICLES  # 'al-Assad'
        if bare in _TITLES or bare in _OFFICES or not (word[:1].isupper() or particle):
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
    # The dateline the text opens with ('BAGHDAD'), None when it has none.
    dateline: str | None = None


def _read_text(root: Path, rel: str, encoding: str = "utf-8") -> str:
    """A file of a set: `root` itself, a file under a checkout, or one in a git directory."""
    if root.is_file():
        return root.read_text(encoding=encoding)
    if (root / rel).is_file():
        return (root / rel).read_text(encoding=encoding)
    data = subprocess.run(
        ["git", "--git-dir", str(root), "show", f"HEAD:{rel}"], check=True, capture_output=True
    ).stdout
    return data.decode(encoding)


def _json_lines(root: Path, rel: str) -> Iterator[dict[str, object]]:
    for line in _read_text(root, rel).splitlines():
        if line.strip():
            yield json.loads(line)


_ARTICLE_NAME = re.compile(r"(?:al|el|as|ash|ad|at|az|an|ar)-[A-Z]")


def _is_name(value: str) -> bool:
    """A named mention: starts and ends with a capitalised word ('the city' and 'we' are not)."""
    words = re.findall(r"[\w.'’-]+", value)
    if not words or value.strip().lower() in _PRONOUNS:
        return False
    first = words[1] if words[0].lower() == "the" and len(words) > 1 else words[0]
    return all(_capitalised(w) for w in (first, words[-1]))


def _capitalised(word: str) -> bool:
    """'Iraq', '3rd', and a name after a lower-case Arabic article ('al-Qaida', 'el-Baradei')."""
    return word[:1].isupper() or word[:1].isdigit() or bool(_ARTICLE_NAME.match(word))


def _initials(name: str) -> str:
    words = [w for w in re.findall(r"[\w'-]+", name) if w[:1].isupper()]
    return "".join(w[0] for w in words).lower() if len(words) >= 2 else ""


def keys(name: str) -> set[str]:
    """The folded names a mention answers to: as written, as the alias tables spell it
    ('U.S.' = 'United States', 'UN' = 'United Nations'), without a country before it, and its
    initials ('SDF')."""
    from generator.ingest.gazetteer import load_gazetteer

    tables = load_gazetteer()
    bare = re.sub(r"^(?:the|The)\s+", "", name.strip())
    canonical = tables.place(bare) or tables.organization(bare) or bare
    found = {fold(name), fold(canonical)} - {""}
    # 'U.S. State Department' is the State Department; 'UN Security Council' the Security Council
    short = re.sub(r"^(?:U\.S\.|US|U\.N\.|UN|UK|U\.K\.)\s+", "", canonical)
    if short != canonical:
        found.add(fold(short))
    # 'Pakistan's Foreign Ministry' is the Foreign Ministry a set may tag without its country
    owner, mark, owned = canonical.partition("'s ")
    if mark and (tables.place(owner) or tables.organization(owner)):
        found.add(fold(owned))
    initials = _initials(canonical)
    return found | ({initials} if initials else set())


def person_keys(name: str) -> set[str]:
    """A person answers to the full name and to the surname ('Ibrahim al-Jaafari', 'Jaafari')."""
    words = fold(name).split()
    surname = re.sub(r"^(?:al|el)-", "", words[-1]) if words else ""
    return keys(name) | ({words[-1], surname} if len(words) > 1 else set())


def clusters(names: dict[str, set[str]], kind: str) -> list[set[str]]:
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
                name = strip_titles(part) if kind == "people" else part.strip()
                if fold(name):
                    names[doc_id][kind].setdefault(fold(name), set()).update(keys(name))
        for ident, doc in by_id.items():
            doc.gold = {k: clusters(v, k) for k, v in names[ident].items()}
            # One release opens with a dateline ('BAGHDAD - ...'); the rest have none.
            stated = re.match(
                r"([A-Z][A-Z.'’ ]+[A-Z.])(?:,[^-—–\n]{1,40})?\s+[-—–]{1,2}\s", doc.text
            )
            doc.dateline = stated.group(1) if stated else None
            docs.append(doc)
    return docs


# GMB: ner_dataset.csv is one row per token (sentence number on a sentence's first row, word,
# Penn part of speech, IOB tag). Its stories follow each other with no boundary between them, so
# a "document" here is a group of consecutive sentences; VOA stories in it run 3 to 8 sentences,
# so a group holds one or two stories (and a story may be split across two groups).
GMB_FILE = "ner_dataset.csv"
GMB_GROUP = 6
_GLUE_BEFORE = frozenset([",", ".", ";", ":", "?", "!", ")", "%", "'", "'s", "n't", "'re", "'ve"])
_GLUE_BEFORE |= frozenset(["'ll", "'d", "'m", "'S"])


def _detokenize(tokens: list[str]) -> str:
    """'Britain 's troops , he said " now " .' -> 'Britain's troops, he said "now".'"""
    out: list[str] = []
    glue = True
    quote_open = False
    for token in tokens:
        if token == '"':
            out.append('"' if quote_open or glue else ' "')
            glue = not quote_open
            quote_open = not quote_open
            continue
        out.append(token if glue or token in _GLUE_BEFORE else " " + token)
        glue = token in {"(", "$"}
    return "".join(out)


def _gmb_spans(
    rows: list[tuple[str, str, str]], is_place: Callable[[str], bool]
) -> list[tuple[str, list[str], list[str]]]:
    """(type, words, parts of speech) of each tagged span. The extract splits some names into
    spans of two types, and those are joined back: a title and the name after it are one person
    ('Prime Minister' + 'Ehud Olmert': GMB's per-tit and per-nam are both 'per' here); a
    place word before an organisation is part of its name ('Palestinian' + 'Authority', 'Iraq'
    + 'Study Group'); an organisation goes on over 'of' ('Revolutionary Armed Forces' + 'of' +
    'Colombia'); spans that together are a place the tables know are that place ('Czech' +
    'Republic', 'North' + 'Korea', 'Democratic Republic' + 'of' + 'Congo')."""
    spans: list[tuple[str, list[str], list[str]]] = []
    gap: list[str] = []  # untagged words since the last span
    for word, pos, tag in rows:
        kind = tag[2:] if tag != "O" else ""
        if not kind:
            gap.append(word)
            continue
        prev = spans[-1] if spans else None
        joined = [*prev[1], *gap, word] if prev else []
        adjacent = prev is not None and not gap
        over_of = prev is not None and gap in (["of"], ["of", "the"], ["and"])
        if adjacent and prev and (tag.startswith("I-") or kind == "per") and prev[0] == kind:
            prev[1].append(word)
            prev[2].append(pos)
        elif (
            adjacent and prev and kind == "org" and prev[0] in {"gpe", "geo"} and len(prev[1]) == 1
        ):
            spans[-1] = ("org", joined, [*prev[2], pos])
        elif prev and over_of and gap[0] == "of" and prev[0] == "org" and kind != "per":
            spans[-1] = ("org", joined, [*prev[2], *(["IN"] * len(gap)), pos])
        elif (
            prev
            and (adjacent or over_of)
            and kind in {"gpe", "geo"}
            and is_place(_detokenize(joined))
        ):
            spans[-1] = ("geo", joined, ["NNP"] * len(joined))
        else:
            spans.append((kind, [word], [pos]))
        gap = []
    return spans


def _gmb_sentences(text: str) -> list[list[tuple[str, str, str]]]:
    sentences: list[list[tuple[str, str, str]]] = []
    reader = csv.reader(io.StringIO(text))
    next(reader, None)
    for row in reader:
        if len(row) < 4:
            continue
        if row[0].startswith("Sentence"):
            sentences.append([])
        if sentences:
            # The extract went through a spreadsheet, which wrote the words true and false as
            # TRUE and FALSE ('reports are not TRUE'); give them back their case.
            word = row[1].lower() if row[1] in {"TRUE", "FALSE"} else row[1]
            sentences[-1].append((word, row[2], row[3]))
    # Copies of the file in repositories are often cut short: drop a sentence left unfinished.
    if sentences and sentences[-1][-1][0] not in {".", "?", "!", '"'}:
        sentences.pop()
    return sentences


def load_gmb(path: Path, limit: int = 0) -> list[Doc]:
    """GMB's tags onto ours: per -> person (titles dropped); geo -> place; gpe -> place when it
    is a proper noun ('Iran'), never as a demonym ('Iranian', 'Palestinians': not a place a
    reader would look up); org -> organisation (not a lone adjective or plural such as
    'Shi'ite'); a name the organisation tables know is an organisation whatever its tag
    ('United Nations', tagged geo in places), or place when the name is a country or a place
    the tables know (CoNLL's convention, as for re3d: 'Iran said ...' is still Iran). tim, art,
    eve, nat: not scored."""
    from generator.ingest.gazetteer import load_gazetteer

    tables = load_gazetteer()
    sentences = _gmb_sentences(_read_text(path, GMB_FILE, encoding="latin-1"))
    docs: list[Doc] = []
    for first in range(0, len(sentences) - GMB_GROUP + 1, GMB_GROUP):
        group = sentences[first : first + GMB_GROUP]
        names: dict[str, dict[str, set[str]]] = {k: {} for k in KINDS}
        for sentence in group:
            for tag, words, tags in _gmb_spans(sentence, lambda n: bool(tables.place(n))):
                value = _detokenize(words)
                kind = {"per": "people", "geo": "places", "gpe": "places", "org": "organizations"}
                target = kind.get(tag)
                if target is None or not _is_name(value):
                    continue
                if tag == "gpe" and any(p != "NNP" for p in tags):
                    continue  # 'Iranian' (JJ), 'Palestinians' (NNPS): a people, not a place
                if (
                    target == "organizations"
                    and tables.place(value)
                    and not tables.organization(value)  # 'Xinhua' is also a Chinese town
                ):
                    target = "places"
                elif target == "places" and tables.organization(value):
                    target = "organizations"  # 'United Nations' tagged geo
                if target == "organizations" and tags in (["JJ"], ["NNPS"], ["NNS"]):
                    continue  # 'Shi'ite', 'Kurds': a community, not an organisation
                name = strip_titles(value) if target == "people" else value
                if fold(name):
                    names[target].setdefault(fold(name), set()).update(keys(name))
        text = "\n\n".join(_detokenize([w for w, _, _ in s]) for s in group)
        doc = Doc(f"gmb-{first // GMB_GROUP + 1:04d}", "", text)
        doc.gold = {k: clusters(v, k) for k, v in names.items()}
        docs.append(doc)
        if limit and len(docs) >= limit:
            break
    return docs
