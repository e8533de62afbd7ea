"""Stage extract (entities, part): capitalised runs in article text and what each one names.

A run is read by its own words first (an organisation's head or suffix, a place in the tables or
of a place's shape), then as a person only with evidence. entities.py assembles the runs of an
article into its people, organisations and places.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from generator.ingest.gazetteer import Gazetteer, title_case
from generator.ingest.namewords import (
    CLUB_PREFIX,
    CLUB_WORDS,
    COMPANY_SUFFIX,
    DEMONYM,
    DOCUMENTS,
    EVENTS,
    FACILITY,
    INSTITUTIONS,
    NOT_ACRONYM,
    NOT_PERSON,
    OFFICE_WORDS,
    ORG_HEADS,
    PLACE_HEADS,
    PLACE_PREFIX,
    SENTENCE_WORDS,
    SPEECH,
    TITLE_CORE,
    TITLES,
)

_CAP = (
    r"(?:[A-Z]\.(?:[A-Z]\.)+|(?:Mr|Mrs|Ms|Dr|Prof|Sen|Rep|Gov|Gen|Col|Lt|Sgt|Capt|Adm|Maj|Brig|Rev|St"
    r"|Jr|Sr|Corp|Inc|Ltd|Co|Det|Insp|Supt|Spc|Cpl)\.|[A-Z]\.(?=[ \t]+[A-Z])"
    r"|(?:al|el|ad|as|ash|at|az)-[A-ZÀ-ÖØ-Þ][\w'’-]*|[A-ZÀ-ÖØ-ÞŁŚŻ][\w'’-]*)"
)
_PARTICLE = r"(?:de|del|de la|da|dos|van|von|der|den|la|le|bin|ibn|al|y)"
RUN = re.compile(rf"{_CAP}(?:(?:[ \t]+(?:{_PARTICLE}[ \t]+)?|[ \t]+&[ \t]+){_CAP})*")
_CONNECT = re.compile(r"^[ \t]+(?:of|for|on|and)[ \t]+(?:the[ \t]+)?")
_APPOSITIVE_AFTER = re.compile(
    r"^(?:’s?|'s?)?\s*(?:,\s*(?:the|a|an|who|whose|director|head|chief|executive|president|spokesman|"
    r"spokeswoman|spokesperson|founder|leader|minister|secretary|professor|chairman|chairwoman|"
    r"analyst|author|mayor|governor|senator|ambassador|deputy|senior|former|\d{1,3})\b|\s*[—–]\s*(?:the|a|an)\b|"
    rf"\s+{SPEECH}\b|\s+\((?:[A-Z][\w.]*\.?\s*)+\)|,\s*\d{{1,3}},)"
)
_EVIDENCE_BEFORE = re.compile(
    rf"(?:\b{SPEECH}|according to|minister|president|secretary|spokesman|spokeswoman|adviser|"
    rf"director|official|officer|leader|son|daughter|wife|husband|counterpart|chief),?\s*$",
    re.I,
)
# 'said Hewitt.' / 'Hewitt said': enough for a lone surname already known as a name.
SAID_BEFORE = re.compile(rf"\b{SPEECH}\s*$")
WHO_AFTER = re.compile(r"(?:’s|'s)?,\s+(?:who|whose)\b|,\s+\d{1,3},")
_ORG_AFTER = re.compile(
    r"^(?:’s|'s)?\s+(?:spokes(?:man|woman|person)|said in a statement|shares|stock|board|"
    r"chief executive|executives?|employees|headquarters|subsidiary|unit)\b|"
    r"^,?\s+(?:which|a company|the company|an agency|a group)\b(?!’|')"
)
_ORG_BEFORE = re.compile(
    r"(?:shares (?:of|in)|chief executive of|analysts? at|stake in|subsidiary of|spokes(?:man|woman|"
    r"person) for|employees of|acquisition of|merger (?:of|with))\s+(?:the\s+)?$",
    re.I,
)
# Words after a place that make it the organisation of that name ('Mexico said in a statement'
# stays the country; 'Texas Instruments shares' is decided by the run itself).
_ORG_STRONG = re.compile(r"^(?:’s|'s)?\s+(?:shares|stock|chief executive|subsidiary)\b")
# A title before one of these is an office of the place ('President Mexico' is not said of a
# person); before a town's name it is a person ('President Obama', not Obama in Japan).
_WIDE_PLACES = frozenset({"country", "state", "continent", "region", "alias"})
_COMPASS = frozenset(
    [
        "North",
        "South",
        "East",
        "West",
        "Northern",
        "Southern",
        "Eastern",
        "Western",
        "Central",
        "Northeast",
        "Northwest",
        "Southeast",
        "Southwest",
        "Northeastern",
        "Northwestern",
        "Southeastern",
        "Southwestern",
        "Upper",
        "Lower",
    ]
)
_NUMBER_NAME = re.compile(r"\d{1,3}\b")
_THE = re.compile(r"^(?:The|the)\s+")
_COUNTED = re.compile(r"\b(?:an?|one|two|three|\d+)[ \t]+$", re.I)
_ORDINAL_BEFORE = re.compile(r"\b\d{1,4}(?:st|nd|rd|th)[ \t]+$")
_OFFICE_OF = re.compile(
    r"\b(?:Secretary|Minister|Director|Governor|Chancellor)[ \t]+of[ \t]+(?:the[ \t]+)?$"
)
_POSSESSIVE = re.compile(r"(?:’s|'s|’|')$")


@dataclass(frozen=True, slots=True)
class Mention:
    """One occurrence of an entity in the text, with its canonical name."""

    kind: str
    name: str
    start: int
    end: int


@dataclass(slots=True)
class Candidate:
    start: int
    end: int
    text: str
    tokens: list[str]
    kind: str | None = None
    name: str = ""
    title: str = ""


def find_runs(text: str) -> Iterator[Candidate]:
    for match in RUN.finditer(text):
        value = _POSSESSIVE.sub("", match.group())
        yield Candidate(match.start(), match.start() + len(value), value, value.split())


def _at_sentence_start(text: str, start: int) -> bool:
    """Whether a sentence opens at `start`: text start, a new line, an opening quote, or
    whitespace after '.', '!', '?' or ':' (closing quotes between)."""
    index = start - 1
    while index >= 0 and text[index] in " \t":
        index -= 1
    if index < 0 or text[index] in "\n“‘" or (text[index] == '"' and index == start - 1):
        return True
    if index == start - 1:
        return False
    while index >= 0 and text[index] in "\"”’')":
        index -= 1
    return index >= 0 and text[index] in ".!?:"


def _keep_from(candidate: Candidate, text: str, index: int) -> None:
    """Keep the run's words from `index` on (its start moves to that word in the text)."""
    starts = [m.start() for m in re.finditer(r"\S+", text[candidate.start : candidate.end])]
    candidate.start += starts[index]
    candidate.tokens = candidate.tokens[index:]
    candidate.text = " ".join(candidate.tokens)


def _drop_first(candidate: Candidate, text: str) -> None:
    _keep_from(candidate, text, 1)


def _strip_leading(candidate: Candidate, text: str) -> None:
    """Drop a first word capitalised only because it starts the sentence ('The', 'But')."""
    while len(candidate.tokens) >= 2:
        first = candidate.tokens[0]
        if first in SENTENCE_WORDS and _at_sentence_start(text, candidate.start):
            _drop_first(candidate, text)
        else:
            return


def _extend_org(candidate: Candidate, text: str) -> None:
    """'Chamber' + ' of Commerce', 'University' + ' of San Diego', 'Department' + ' of State'."""
    while True:
        rest = text[candidate.end :]
        connector = _CONNECT.match(rest)
        joined = connector.group().split() if connector else []
        if not connector or (
            joined[0] == "and" and (candidate.tokens[-1] not in ORG_HEADS or "the" in joined)
        ):
            return  # 'Chamber of Commerce and Industry' is one body; '... and the X' is two
        # 'Group' + ' of 7' takes a number where a name would stand
        follow = RUN.match(rest, connector.end()) or _NUMBER_NAME.match(rest, connector.end())
        if not follow:
            return
        value = _POSSESSIVE.sub("", follow.group())
        candidate.end += connector.end() + len(value)
        candidate.text = text[candidate.start : candidate.end]
        candidate.tokens = candidate.text.split()


def _org(candidate: Candidate, name: str | None = None) -> None:
    candidate.kind = "organization"
    candidate.name = name or _THE.sub("", candidate.text)


def _is_acronym(token: str, before: str = "") -> bool:
    bare = token.replace(".", "").replace("&", "")
    if "." in token and len(bare) < 3:
        return False  # 'J.D.', 'D.C.': initials and abbreviations, not a body
    if not (2 <= len(bare) <= 6 and bare.isupper() and bare.isalpha()) or token in NOT_ACRONYM:
        return False
    if before.endswith("<"):
        return False  # 'American Express Co <AXP>': a ticker, part of the company before it
    return not _COUNTED.search(before)  # 'a UAV', 'two IED': a thing, counted; a body is not


def _titled_name_at(tokens: list[str]) -> int:
    """Index of the title in 'Foreign Office Minister Tobias Ellwood' (-1 without one): the
    words after it name a person, not part of the organisation before it."""
    for index in range(len(tokens) - 2, -1, -1):
        if tokens[index] in TITLE_CORE:
            name = tokens[index + 1 :]
            if len(name) <= 4 and not any(
                t in ORG_HEADS or t in COMPANY_SUFFIX or t in NOT_PERSON or t in TITLES
                for t in name
            ):
                return index
            return -1
    return -1


def _with_ordinal(candidate: Candidate, text: str) -> None:
    """'5th Special Forces Group', '3rd Battalion': a unit's number is part of its name."""
    match = _ORDINAL_BEFORE.search(text[max(0, candidate.start - 12) : candidate.start])
    if match:
        candidate.start -= len(match.group())
        candidate.text = text[candidate.start : candidate.end]
        candidate.tokens = candidate.text.split()


def _place_by_shape(candidate: Candidate, text: str, gazetteer: Gazetteer) -> bool:
    tokens = candidate.tokens
    if len(tokens) >= 2 and tokens[0] in _COMPASS and gazetteer.place(" ".join(tokens[1:])):
        candidate.kind, candidate.name = "place", candidate.text  # 'Northern Iraq', 'East Java'
        return True
    if tokens[0] in PLACE_PREFIX and (len(tokens) >= 2 or _CONNECT.match(text[candidate.end :])):
        if len(tokens) == 1:
            _extend_org(candidate, text)  # 'Gulf' + ' of Aden'
            if len(candidate.tokens) == 1:
                return False
        candidate.kind, candidate.name = "place", candidate.text
        return True
    if len(tokens) >= 2 and tokens[-1] in PLACE_HEADS and not any(t in ORG_HEADS for t in tokens):
        candidate.kind, candidate.name = "place", candidate.text
        return True
    return False


def _classify_shape(candidate: Candidate, text: str, gazetteer: Gazetteer) -> bool:
    """Organisations and places by the run's own words; True when decided."""
    tokens = candidate.tokens
    bare = _THE.sub("", candidate.text)
    known = gazetteer.organization(bare)
    if known:
        _org(candidate, known)
        return True
    place = gazetteer.place(bare)
    if (
        place
        and len(tokens) == 1
        and gazetteer.place_kinds.get(bare) == "town"
        and _at_sentence_start(text, candidate.start)
    ):
        place = None  # a small town's bare name opening a sentence is more often a word
    if len(tokens) == 1 and tokens[0] in PLACE_PREFIX and _CONNECT.match(text[candidate.end :]):
        place = None  # 'Gulf' + ' of Aden' is decided by its shape below
    if place and not _ORG_STRONG.match(text[candidate.end : candidate.end + 40]):
        candidate.kind, candidate.name = "place", place
        return True
    if _titled_name_at(tokens) >= 0:
        return False  # a person with an office before the title: the person stage decides
    if tokens[-1] in DOCUMENTS or tokens[-1].removesuffix("s") in DOCUMENTS:
        return True  # 'UN Security Council Resolution', 'Paris Agreement': neither body nor place
    if _place_by_shape(candidate, text, gazetteer):
        return True
    heads = [t.rstrip(".,") for t in tokens[1:]]
    if any(t in ORG_HEADS or t in COMPANY_SUFFIX for t in heads) or tokens[0] in CLUB_PREFIX:
        while len(candidate.tokens) > 2 and candidate.tokens[-1] in TITLE_CORE:
            candidate.tokens = candidate.tokens[:-1]  # 'Foreign Office Minister' -> the office
            candidate.text = " ".join(candidate.tokens)
            candidate.end = candidate.start + len(candidate.text)
        _extend_org(candidate, text)
        _with_ordinal(candidate, text)
        _org(candidate)
        return True
    if len(tokens) >= 2 and tokens[-1] in CLUB_WORDS and gazetteer.place(tokens[0]):
        _org(candidate)  # 'Manchester United', 'Leeds City'
        return True
    if tokens[0] in ORG_HEADS and _CONNECT.match(text[candidate.end :]):
        end = candidate.end
        _extend_org(candidate, text)
        if candidate.end != end:
            _org(candidate)
            return True
    after = text[candidate.end : candidate.end + 40]
    before = text[max(0, candidate.start - 40) : candidate.start]
    # 'Jane Doe spokesman' is not said; 'Acme spokesman' and 'shares of Acme' are
    person_like = tokens[0] in gazetteer.given_names and len(tokens) == 2 and "spokes" in after[:12]
    org_before = before.rstrip().endswith(("of", "in", "at", "for", "with", "the")) and bool(
        _ORG_BEFORE.search(before)
    )
    # 'The board approved', 'Two board members': a lone word opening a sentence is no body
    lone_opener = len(tokens) == 1 and _at_sentence_start(text, candidate.start)
    if (_ORG_AFTER.match(after) or org_before) and not person_like and not lone_opener:
        _org(candidate)
        return True
    if (
        len(tokens) == 1
        and (tokens[0] in INSTITUTIONS or _is_acronym(tokens[0], before))
        and not text.startswith(":", candidate.end)  # 'ANSWER:', 'QUESTION:' label a speaker
        and not (tokens[0].isupper() and _in_capitals_line(text, candidate.start))
    ):
        _org(candidate)
        return True
    if len(tokens) == 1 and tokens[0] in ORG_HEADS:
        if before.endswith(("the ", "the\t")) and not _CONNECT.match(after):
            _org(candidate)  # 'the Coalition', 'the Department': one body, named short
            return True
        if _ORDINAL_BEFORE.search(before):
            _with_ordinal(candidate, text)
            _org(candidate)  # '3rd Battalion'
            return True
    return False


def _in_capitals_line(text: str, start: int) -> bool:
    line_start = text.rfind("\n", 0, start) + 1
    line = text[line_start : text.find("\n", start) if "\n" in text[start:] else len(text)]
    letters = [c for c in line[:120] if c.isalpha()]
    return bool(letters) and sum(c.isupper() for c in letters) > 0.8 * len(letters)


def _is_title_word(token: str) -> bool:
    return token in TITLES or token.endswith(("-designate", "-elect")) or token in OFFICE_WORDS


def _classify_person(candidate: Candidate, text: str, gazetteer: Gazetteer) -> None:
    tokens = candidate.tokens
    if len(tokens) >= 2 and all(t.isupper() for t in tokens) and title_case(tokens[0]) in TITLES:
        # 'SECRETARY KERRY:' (a transcript's speaker label)
        candidate.tokens = tokens = title_case(candidate.text).split()
        candidate.text = " ".join(tokens)
    if all(_is_title_word(t) or gazetteer.place_kinds.get(t) in _WIDE_PLACES for t in tokens):
        return  # 'Foreign Secretary', 'US Secretary': a role, no name
    if (
        len(tokens) >= 2
        and DEMONYM.match(tokens[0])
        and tokens[0] not in gazetteer.given_names
        and (len(tokens) >= 3 or tokens[1] in gazetteer.given_names or tokens[1] in TITLES)
    ):
        _drop_first(candidate, text)  # 'Australian Lleyton Hewitt': the nationality is not his name
        tokens = candidate.tokens
    # Titles: 'President Biden', 'US Attorney David Kelley', 'Mr Blair' (British, no full stop)
    last_title = max((i for i, t in enumerate(tokens[:-1]) if t in TITLE_CORE), default=-1)
    if 0 <= last_title < len(tokens) - 1:
        name_tokens = tokens[last_title + 1 :]
        while name_tokens and name_tokens[0] in TITLES:
            name_tokens = name_tokens[1:]
        if (
            name_tokens
            and gazetteer.place_kinds.get(" ".join(name_tokens)) not in _WIDE_PLACES
            and not any(t in NOT_PERSON for t in name_tokens)
        ):
            candidate.title = tokens[last_title]
            _keep_from(candidate, text, len(tokens) - len(name_tokens))
            candidate.kind = "person"
            return
    # 'Secretary of State Antony J. Blinken': the run starts after 'of', with the office's name.
    if _OFFICE_OF.search(text[max(0, candidate.start - 40) : candidate.start]):
        rest = list(tokens)
        while rest and (rest[0] in OFFICE_WORDS or rest[0] in TITLES):
            rest = rest[1:]
        if (
            rest
            and (len(rest) >= 2 or rest[0] in gazetteer.given_names)
            and len(rest) < len(tokens)
        ):
            _keep_from(candidate, text, len(tokens) - len(rest))
            candidate.kind = "person"
            return
    if len(tokens) < 2 or tokens[-1] in FACILITY or any(t in NOT_PERSON for t in tokens):
        return  # 'Sofia Park', 'Paris Agreement': named after someone or somewhere, not them
    if (
        len(tokens) >= 2
        and (
            re.fullmatch(r"[A-Z]\.", tokens[0]) or tokens[0].split("-")[0] in gazetteer.given_names
        )
        and tokens[0] not in {"Al", "El", "Les", "La", "Le", "De", "Van"}
        and tokens[-1][1:].islower()
    ):
        candidate.kind = "person"  # 'J. Smith', 'Jean-Pierre Raffarin'
        return
    if (
        len(tokens) >= 2
        and tokens[0] in gazetteer.given_names
        and tokens[0] not in {"Al", "El", "Les", "La", "Le", "De", "Van"}  # articles: "Al Huwayjah"
        and not tokens[-1].isupper()
    ):
        candidate.kind = "person"
        return
    if all(not t.isupper() or len(t) <= 2 for t in tokens) and (
        _APPOSITIVE_AFTER.match(text[candidate.end : candidate.end + 60])
        or _EVIDENCE_BEFORE.search(text[max(0, candidate.start - 40) : candidate.start])
    ):
        candidate.kind = "person"


def places_inside(candidate: Candidate, text: str, gazetteer: Gazetteer) -> Iterator[Mention]:
    """'Mexico' inside an unclassified run such as 'Mexico Program' still names a place; not in
    'Sofia Park' (a facility named after it) nor in 'Sofia Coppola' (a given name, then a name)."""
    tokens = candidate.tokens
    if (
        tokens[-1] in FACILITY
        or tokens[-1] in DOCUMENTS
        or tokens[-1] in EVENTS
        or (len(tokens) >= 2 and tokens[0] in gazetteer.given_names)
    ):
        return
    offsets = [
        candidate.start + m.start()
        for m in re.finditer(r"\S+", text[candidate.start : candidate.end])
    ]
    for first, end, canonical in gazetteer.places_within(tokens):
        if (
            first == 0
            and end == 1
            and gazetteer.place_kinds.get(tokens[0]) == "town"
            and _at_sentence_start(text, candidate.start)
        ):
            continue  # 'Time permitting, ...': a small town's name opening a sentence
        start = offsets[first]
        yield Mention("place", canonical, start, offsets[end - 1] + len(tokens[end - 1]))


def classify(candidate: Candidate, text: str, gazetteer: Gazetteer) -> None:
    """Decide what a run names (sets its kind and name; a person run may lose its title)."""
    _strip_leading(candidate, text)
    if not _classify_shape(candidate, text, gazetteer):
        _classify_person(candidate, text, gazetteer)
