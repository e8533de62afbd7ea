"""Stage extract (entities): article text -> people, organizations and places, canonical per article.

Offline rules over capitalised runs, with name tables generated from data packages
(generator/data/, see gazetteer.py): no model downloads. A run is an organisation by its shape
('... Authority', '... Inc', an acronym defined in brackets, 'X said in a statement'), a place by
the tables, and a person only with evidence (a title, a given name, a reporting verb or an
appositive), because a wrong entity on an entity page is worse than a missing one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from generator.ingest.capruns import Candidate, find_runs
from generator.ingest.gazetteer import Gazetteer, fold, load_gazetteer, title_case
from generator.ingest.namewords import (
    CALENDAR,
    DEMONYM,
    FEMALE_TITLES,
    GROUPS,
    MALE_TITLES,
    SENTENCE_WORDS,
    TITLES,
)
from generator.ingest.runs import (
    SAID_BEFORE,
    WHO_AFTER,
    Mention,
    classify,
    places_inside,
)

__all__ = ["Entities", "Mention", "extract_entities", "upper_place"]

_INITIAL_SKIP = frozenset(["of", "for", "and", "the", "on", "in", "de", "&"])
_ACRONYM_DEF = re.compile(r"\s*\((?P<acronym>[A-Z][A-Za-z0-9&.-]{1,9})\)")


@dataclass(frozen=True, slots=True)
class Entities:
    people: tuple[str, ...]
    organizations: tuple[str, ...]
    places: tuple[str, ...]
    mentions: tuple[Mention, ...]
    # Canonical person name -> "f" or "m" when a title or the given name says so.
    genders: dict[str, str] = field(default_factory=dict)

    def person_at(self, start: int, end: int) -> Mention | None:
        """The person mention lying within [start, end), if any (last one wins)."""
        found = None
        for mention in self.mentions:
            if mention.kind == "person" and start <= mention.start and mention.end <= end:
                found = mention
        return found


def _canonical_people(mentions: list[Mention]) -> list[Mention]:
    """Map each person mention to the longest full name it is part of ('Mr Blair' -> 'Tony Blair')."""
    names = {m.name for m in mentions if m.kind == "person"}
    full = sorted(names, key=lambda n: (-len(n.split()), n))
    canon: dict[str, str] = {}
    for name in sorted(names, key=lambda n: len(n.split())):
        key = fold(name)
        size = len(name.split())
        matches = [f for f in full if len(f.split()) > size and fold(f).endswith(" " + key)]
        if matches:
            firsts = {fold(m.split()[0]) for m in matches}
            best = max(matches, key=lambda f: (len(f.split()), sum(not c.isascii() for c in f), f))
            # two different people share the surname: leave the short form alone
            canon[name] = best if len(firsts) == 1 else name
        else:
            accented = [f for f in full if fold(f) == key and f != name]
            canon[name] = (
                max(accented, key=lambda f: sum(not c.isascii() for c in f)) if accented else name
            )
    return [
        Mention(m.kind, canon.get(m.name, m.name), m.start, m.end) if m.kind == "person" else m
        for m in mentions
    ]


def _acronyms(text: str, candidates: list[Candidate]) -> dict[str, Candidate]:
    """'Federal Electricity Commission (CFE)': the acronym names what the run before it names."""
    defined: dict[str, Candidate] = {}
    for candidate in candidates:
        match = _ACRONYM_DEF.match(text, candidate.end)
        if (
            match
            and candidate.kind in {"organization", "place", None}
            and len(candidate.tokens) >= 2
        ):
            acronym = match.group("acronym")
            initials = "".join(t[0] for t in candidate.tokens if t[0].isupper())
            if acronym.replace(".", "").upper()[:1] == initials[:1]:
                defined[acronym] = candidate
    return defined


def _owner_place(candidate: Candidate, gazetteer: Gazetteer) -> list[Mention]:
    """'Pakistan's Foreign Ministry' names Pakistan too (the body keeps its owner in its name)."""
    for index, token in enumerate(candidate.tokens[:-1]):
        if token.endswith(("'s", "’s")):
            owner = " ".join(candidate.tokens[: index + 1])[:-2]
            place = gazetteer.place(owner)
            return (
                [Mention("place", place, candidate.start, candidate.start + len(owner))]
                if place
                else []
            )
    return []


def _initials(name: str) -> str:
    words = [w for w in name.replace("-", " ").split() if w not in _INITIAL_SKIP]
    return "".join(w[0] for w in words if w[0].isupper())


def _spelled_out(mentions: list[Mention]) -> list[Mention]:
    """'AU' after 'African Union' in the same article is the African Union, not a second body:
    an acronym nobody defined takes the name whose initials it is."""
    long_names: dict[str, Mention] = {}
    for mention in mentions:
        if mention.kind in {"organization", "place"} and len(mention.name.split()) >= 2:
            long_names.setdefault(_initials(mention.name), mention)
    out: list[Mention] = []
    for mention in mentions:
        bare = mention.name.replace(".", "")
        long = long_names.get(bare) if mention.kind != "person" and bare.isupper() else None
        out.append(Mention(long.kind, long.name, mention.start, mention.end) if long else mention)
    return out


def _genders(
    mentions: list[Mention], titles: dict[str, str], gazetteer: Gazetteer
) -> dict[str, str]:
    genders: dict[str, str] = {}
    for mention in mentions:
        if mention.kind != "person" or mention.name in genders:
            continue
        title = titles.get(mention.name, "")
        share = (
            gazetteer.female_share.get(mention.name.split()[0])
            if len(mention.name.split()) > 1
            else None
        )
        if title in FEMALE_TITLES or (share is not None and share >= 0.9):
            genders[mention.name] = "f"
        elif title in MALE_TITLES or (share is not None and share <= 0.1):
            genders[mention.name] = "m"
    return genders


_WORD_AT = re.compile(r"(?<=[ \t])[A-Z]")


def extract_entities(text: str, gazetteer: Gazetteer | None = None) -> Entities:
    """People, organizations and places named in text, each listed once, in order of first mention."""
    gazetteer = gazetteer or load_gazetteer()
    candidates: list[Candidate] = []
    consumed = 0
    for candidate in find_runs(text, gazetteer):
        if candidate.start < consumed:
            rest = _WORD_AT.search(text, consumed, candidate.end)
            if rest is None:
                continue  # already part of an organization name ('University of San Diego')
            candidate = Candidate(
                rest.start(), candidate.end, text[rest.start() : candidate.end], []
            )
            candidate.tokens = candidate.text.split()  # '... to Counter ISIL' + 'Brett McGurk'
        classify(candidate, text, gazetteer)
        consumed = candidate.end
        candidates.append(candidate)
    defined = _acronyms(text, candidates)
    mentions: list[Mention] = []
    surnames = {fold(c.tokens[-1]) for c in candidates if c.kind == "person"}
    titles: dict[str, str] = {}
    pending: list[Candidate] = []
    for candidate in candidates:
        if (
            candidate.kind == "place"
            and len(candidate.tokens) == 1
            and fold(candidate.text) in surnames
            and gazetteer.place_kinds.get(candidate.text) in {"town", "city", "region", "alias"}
        ):
            candidate.kind = "person"  # 'President Obama' ... 'Obama said': not the town
        long_form = defined.get(candidate.text)
        if long_form is not None and long_form.kind:
            kind = long_form.kind
            name = long_form.name or long_form.text
            mentions.append(Mention(kind, name, candidate.start, candidate.end))
        elif candidate.kind == "person":
            if candidate.title:
                titles.setdefault(candidate.text, candidate.title)
            mentions.append(Mention("person", candidate.text, candidate.start, candidate.end))
        elif candidate.kind:
            mentions.append(Mention(candidate.kind, candidate.name, candidate.start, candidate.end))
            if candidate.kind == "organization":
                mentions.extend(_owner_place(candidate, gazetteer))
        else:
            pending.append(candidate)
    # A lone name right after a reporting verb ('said Hewitt') or before ', who' is a person;
    # then any run ending in a known surname ('Ebrard, the minister', later 'Ebrard').
    lone: set[int] = set()
    for number, candidate in enumerate(pending):
        word = candidate.tokens[0]
        if (
            len(candidate.tokens) == 1
            and not word.isupper()
            and word not in SENTENCE_WORDS
            and word not in CALENDAR
            and not DEMONYM.match(word.removesuffix("s"))  # 'Ecuadorians, who ...'
            and word not in GROUPS  # 'says Muslims will ...'
            and word not in TITLES  # 'said Secretary of State Condoleezza Rice'
            and (
                SAID_BEFORE.search(text[max(0, candidate.start - 20) : candidate.start])
                or WHO_AFTER.match(text, candidate.end)
            )
        ):
            lone.add(number)
            surnames.add(fold(word))
    for number, candidate in enumerate(pending):
        if number in lone or (
            len(candidate.tokens) <= 2 and fold(candidate.tokens[-1]) in surnames
        ):
            mentions.append(Mention("person", candidate.text, candidate.start, candidate.end))
        else:
            mentions.extend(places_inside(candidate, text, gazetteer))
    mentions.sort(key=lambda m: m.start)
    mentions = _canonical_people(_spelled_out(mentions))
    canonical_titles: dict[str, str] = {}
    for mention in mentions:
        if mention.kind == "person":
            for short, title in titles.items():
                if mention.name == short or mention.name.endswith(" " + short):
                    canonical_titles.setdefault(mention.name, title)

    def ordered(kind: str) -> tuple[str, ...]:
        return tuple(dict.fromkeys(m.name for m in mentions if m.kind == kind))

    return Entities(
        ordered("person"),
        ordered("organization"),
        ordered("place"),
        tuple(mentions),
        _genders(mentions, canonical_titles, gazetteer),
    )


def upper_place(text: str) -> str:
    """'NEW YORK' -> 'New York' as the tables spell it (or title case when they do not know it)."""
    return load_gazetteer().place(text) or title_case(text)
