"""Stage extract (entities): article text -> people, organizations and places, canonical per article.

Offline rules plus shipped gazetteers (generator/data/): no model downloads. A name counts as a
person only with evidence (a title, a given name, a reporting verb or an appositive), because a
wrong entity on an entity page is worse than a missing one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from generator.ingest.gazetteer import Gazetteer, fold, load_gazetteer


def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


_CAP = (
    r"(?:[A-Z]\.(?:[A-Z]\.)+|(?:Mr|Mrs|Ms|Dr|Prof|Sen|Rep|Gov|Gen|Col|Lt|Sgt|Capt|Adm|Rev|St|Jr|Sr|Corp|Inc|Ltd|Co)\."
    r"|[A-Z]\.(?=[ \t]+[A-Z])|[A-ZÀ-ÖØ-ÞŁŚŻ][\w'’-]*)"
)
_PARTICLE = r"(?:de|del|de la|da|dos|van|von|der|den|la|le|bin|ibn|al|y)"
RUN = re.compile(rf"{_CAP}(?:[ \t]+(?:{_PARTICLE}[ \t]+)?{_CAP})*")
_CONNECT = re.compile(r"^[ \t]+(?:of|for|on)[ \t]+(?:the[ \t]+)?")
# Capitalised runs with these words name laws, events and programmes, not people.
NOT_PERSON = _wordset(
    """Agreement Treaty Accord Act Pact Summit Convention Plan Initiative Day Week War Games Cup
    Prize Award Bill Law Program Programme Project Policy Report Index Street Avenue Road Square
    Bridge River Lake Mountain Island Airport Station Hall Tower Building Stadium Park Festival
    Conference Forum Olympics Championship Series Festival"""
)
TITLES = _wordset(
    """Mr. Mrs. Ms. Miss Dr. Prof. Professor President Vice Prime Minister Secretary Senator Sen.
    Representative Rep. Gov. Governor Mayor Judge Justice Chancellor King Queen Prince Princess
    Pope Gen. General Col. Colonel Lt. Sgt. Capt. Captain Adm. Admiral Ambassador Commissioner
    Director Chairman Chairwoman Chair Speaker Sheriff Lord Lady Sir Dame Rev. Father Sister
    Foreign Interior Finance Defense Defence Deputy Acting Former Chief Attorney First Premier
    Minister's Officer Detective Inspector Sergeant Coach Dean Bishop Cardinal Rabbi Imam Sheikh
    Emir Sultan State Councillor Councilor Councilman Councilwoman Alderman Alderwoman Superintendent Trustee Magistrate Prosecutor Chief"""
)
_TITLE_CORE = _wordset(
    """Mr. Mrs. Ms. Miss Dr. Prof. Professor President Minister Secretary Senator Sen.
    Representative Rep. Gov. Governor Mayor Judge Justice Chancellor King Queen Prince Princess
    Pope Gen. General Col. Colonel Lt. Sgt. Capt. Captain Adm. Admiral Ambassador Commissioner
    Director Chairman Chairwoman Speaker Sheriff Lord Lady Sir Dame Rev. Premier Detective
    Inspector Sergeant Coach Bishop Cardinal Rabbi Imam Sheikh Emir Sultan Councillor Councilor Councilman Councilwoman Alderman Alderwoman Superintendent Trustee Magistrate Prosecutor Chief"""
)
ORG_KEYWORDS = _wordset(
    """Administration Agency Association Authority Bank Board Bureau Chamber Church College
    Commission Committee Company Congress Corporation Corp. Council Court Department Federation
    Foundation Fund Group Hospital Inc. Institute Institution League Ltd. Ministry Museum Office
    Organization Organisation Parliament Party Police Program Programme Service Services School
    Senate Society Union University Academy Airlines Airways Army Navy Force Guard Cartel
    Coalition Alliance Network Times Post News Journal Herald Tribune Gazette Courier Press
    Reuters Bloomberg Laboratory Center Centre Council Club Team"""
)
_SPEECH = r"(?:said|says|told|added|stated|wrote|explained|noted|argued|acknowledged|asked|informed|insisted|warned|replied|continued|recalled|announced|declared|described|called)"
_APPOSITIVE_AFTER = re.compile(
    rf"^(?:’s?|'s?)?\s*(?:,\s*(?:the|a|an|who|whose|director|head|chief|executive|president|spokesman|"
    rf"spokeswoman|spokesperson|founder|leader|minister|secretary|professor|chairman|chairwoman|"
    rf"analyst|author|mayor|governor|senator|ambassador|deputy|senior|former)\b|\s*[—–]\s*(?:the|a|an)\b|"
    rf"\s+{_SPEECH}\b|\s+\((?:[A-Z][\w.]*\.?\s*)+\)|,\s*\d{{1,3}},)"
)
_EVIDENCE_BEFORE = re.compile(
    rf"(?:\b{_SPEECH}|according to|by|minister|president|secretary|spokesman|spokeswoman|adviser|"
    rf"director|official|officer|leader|son|daughter|wife|husband|counterpart|chief),?\s*$",
    re.I,
)
_OFFICE_WORDS = _wordset(
    """State Defense Defence Homeland Security Foreign Affairs Interior Treasury Commerce Justice
    Labor Labour Energy Health Education Agriculture Transportation Transport Economy Finance
    Trade Housing"""
)
_SENTENCE_START = re.compile(r"(?:^|[.!?][\"”’)]*\s+|\n)$")
_POSSESSIVE = re.compile(r"(?:’s|'s|’|')$")


@dataclass(frozen=True, slots=True)
class Mention:
    """One occurrence of an entity in the text, with its canonical name."""

    kind: str
    name: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Entities:
    people: tuple[str, ...]
    organizations: tuple[str, ...]
    places: tuple[str, ...]
    mentions: tuple[Mention, ...]

    def person_at(self, start: int, end: int) -> Mention | None:
        """The person mention lying within [start, end), if any (last one wins)."""
        found = None
        for mention in self.mentions:
            if mention.kind == "person" and start <= mention.start and mention.end <= end:
                found = mention
        return found


@dataclass(slots=True)
class _Candidate:
    start: int
    end: int
    text: str
    tokens: list[str]
    kind: str | None = None
    name: str = ""
    titled: bool = False


def _runs(text: str) -> Iterator[_Candidate]:
    for match in RUN.finditer(text):
        value = _POSSESSIVE.sub("", match.group())
        tokens = value.split()
        yield _Candidate(match.start(), match.start() + len(value), value, tokens)


def _strip_sentence_word(candidate: _Candidate, text: str) -> None:
    """Drop a capitalised first word that is only capitalised because it starts a sentence."""
    if len(candidate.tokens) < 2 or not _SENTENCE_START.search(
        text[max(0, candidate.start - 80) : candidate.start]
    ):
        return
    first = candidate.tokens[0]
    if first in {
        "The",
        "But",
        "And",
        "In",
        "On",
        "At",
        "As",
        "For",
        "While",
        "When",
        "After",
        "Still",
        "Now",
        "Then",
        "Last",
        "Since",
        "With",
        "Without",
        "Both",
        "Although",
        "Whereas",
        "However",
        "During",
        "Speaking",
        "Asked",
        "Requested",
        "Meanwhile",
        "If",
    }:
        candidate.start += len(first) + 1
        candidate.tokens = candidate.tokens[1:]
        candidate.text = " ".join(candidate.tokens)


def _extend_org(candidate: _Candidate, text: str) -> None:
    """'Chamber' + ' of Commerce', 'University' + ' of San Diego', 'Department' + ' of State'."""
    while True:
        rest = text[candidate.end :]
        connector = _CONNECT.match(rest)
        if not connector:
            return
        follow = RUN.match(rest, connector.end())
        if not follow:
            return
        value = _POSSESSIVE.sub("", follow.group())
        candidate.text = text[candidate.start : candidate.end + connector.end() + len(value)]
        candidate.end += connector.end() + len(value)
        candidate.tokens = candidate.text.split()


def _classify(candidate: _Candidate, text: str, gazetteer: Gazetteer) -> None:
    tokens = candidate.tokens
    if any(t.rstrip(".,") in ORG_KEYWORDS or t in ORG_KEYWORDS for t in tokens[1:]) or (
        len(tokens) == 1 and False
    ):
        _extend_org(candidate, text)
        candidate.kind, candidate.name = (
            "organization",
            re.sub(r"^(?:The|the)\s+", "", candidate.text),
        )
        return
    if tokens and tokens[0] in ORG_KEYWORDS and _CONNECT.match(text[candidate.end :]):
        end = candidate.end
        _extend_org(candidate, text)
        if candidate.end != end:
            candidate.kind, candidate.name = "organization", candidate.text
            return
    if any(t in NOT_PERSON for t in tokens):
        return
    bare = re.sub(r"^(?:The|the)\s+", "", candidate.text)
    if bare in gazetteer.organizations:
        candidate.kind, candidate.name = "organization", gazetteer.organizations[bare]
        return
    if bare in gazetteer.places:
        candidate.kind, candidate.name = "place", gazetteer.places[bare]
        return
    if bare.isupper() and len(bare) > 3 and (titled := bare.title()) in gazetteer.places:
        candidate.kind, candidate.name = "place", gazetteer.places[titled]  # a dateline: 'LISBON —'
        return
    # Titles: 'President Biden', 'Prime Minister Justin Trudeau', 'International Minister Marcelo Ebrard'
    last_title = max((i for i, t in enumerate(tokens) if t in _TITLE_CORE), default=-1)
    if last_title >= 0 and last_title < len(tokens) - 1:
        name_tokens = tokens[last_title + 1 :]
        while name_tokens and name_tokens[0] in TITLES:
            name_tokens = name_tokens[1:]
        if name_tokens and " ".join(name_tokens) not in gazetteer.places:
            offset = candidate.text.index(
                name_tokens[0], sum(len(t) + 1 for t in tokens[: last_title + 1]) - 1
            )
            candidate.start += offset
            candidate.tokens, candidate.text = name_tokens, " ".join(name_tokens)
            candidate.kind, candidate.titled = "person", True
            return
    # 'Secretary of State Antony J. Blinken': the run starts after 'of', with the office's name.
    if re.search(
        r"\b(?:Secretary|Minister|Director|Governor|Chancellor)[ \t]+of[ \t]+(?:the[ \t]+)?$",
        text[max(0, candidate.start - 80) : candidate.start],
    ):
        rest = list(tokens)
        while rest and (rest[0] in _OFFICE_WORDS or rest[0] in TITLES):
            rest = rest[1:]
        if (
            rest
            and (len(rest) >= 2 or rest[0] in gazetteer.given_names)
            and len(rest) < len(tokens)
        ):
            candidate.start += candidate.text.index(rest[0])
            candidate.tokens, candidate.text = rest, " ".join(rest)
            candidate.kind, candidate.titled = "person", True
            return
    if len(tokens) >= 2 and tokens[0] in gazetteer.given_names:
        candidate.kind = "person"
        return
    if len(tokens) >= 2 and all(not t.isupper() or len(t) <= 2 for t in tokens):
        after = text[candidate.end : candidate.end + 60]
        before = text[max(0, candidate.start - 40) : candidate.start]
        if _APPOSITIVE_AFTER.match(after) or _EVIDENCE_BEFORE.search(before):
            candidate.kind = "person"


def _places_inside(candidate: _Candidate, gazetteer: Gazetteer) -> Iterator[Mention]:
    """'Mexico' inside an unclassified run such as 'Mexico Program' still names a place."""
    for match in gazetteer.place_pattern.finditer(candidate.text):
        yield Mention(
            "place",
            gazetteer.places[match.group()],
            candidate.start + match.start(),
            candidate.start + match.end(),
        )


def _canonical_people(mentions: list[Mention]) -> list[Mention]:
    """Map each person mention to the longest full name it is part of ('Mr. Sullivan' -> 'Jake Sullivan')."""
    full = sorted(
        {m.name for m in mentions if m.kind == "person"}, key=lambda n: (-len(n.split()), n)
    )
    canon: dict[str, str] = {}
    for name in sorted(
        {m.name for m in mentions if m.kind == "person"}, key=lambda n: len(n.split())
    ):
        key = fold(name)
        matches = [
            f
            for f in full
            if f != name and (fold(f).endswith(" " + key)) and len(f.split()) > len(name.split())
        ]
        longest = {fold(" ".join(m.split()[-len(name.split()) - 1 :])) for m in matches}
        if matches and len(longest) >= 1:
            best = max(matches, key=lambda f: (len(f.split()), sum(not c.isascii() for c in f), f))
            # two different people share the surname: leave the short form alone
            firsts = {fold(m.split()[0]) for m in matches if len(m.split()) > len(name.split())}
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


def extract_entities(text: str, gazetteer: Gazetteer | None = None) -> Entities:
    """People, organizations and places named in text, each listed once, in order of first mention."""
    gazetteer = gazetteer or load_gazetteer()
    mentions: list[Mention] = []
    surnames: set[str] = set()
    pending: list[_Candidate] = []
    consumed = 0
    for candidate in _runs(text):
        if candidate.start < consumed:
            continue  # already part of an organization name ('University of San Diego')
        _strip_sentence_word(candidate, text)
        _classify(candidate, text, gazetteer)
        consumed = candidate.end
        if candidate.kind == "person":
            surnames.add(fold(candidate.tokens[-1]))
            mentions.append(Mention("person", candidate.text, candidate.start, candidate.end))
        elif candidate.kind:
            mentions.append(Mention(candidate.kind, candidate.name, candidate.start, candidate.end))
        else:
            pending.append(candidate)
            mentions.extend(_places_inside(candidate, gazetteer))
    # An untitled surname seen elsewhere with evidence ('Ebrard, the minister', later just 'Ebrard').
    for candidate in pending:
        if (
            len(candidate.tokens) <= 2
            and fold(candidate.tokens[-1]) in surnames
            and not any(m.start <= candidate.start < m.end for m in mentions)
        ):
            mentions.append(Mention("person", candidate.text, candidate.start, candidate.end))
    mentions.sort(key=lambda m: m.start)
    mentions = _canonical_people(mentions)

    def ordered(kind: str) -> tuple[str, ...]:
        return tuple(dict.fromkeys(m.name for m in mentions if m.kind == kind))

    return Entities(ordered("person"), ordered("organization"), ordered("place"), tuple(mentions))
