"""Stage extract (entities, part): capitalised runs in article text and what each one names.

A run is read by its own words first (an organisation's head or suffix, a place in the tables or
of a place's shape), then as a person only with evidence. entities.py assembles the runs of an
article into its people, organisations and places.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from generator.ingest.capruns import POSSESSIVE as _POSSESSIVE
from generator.ingest.capruns import (
    RUN,
    Candidate,
    at_sentence_start,
    cut_name,
    in_capitals_line,
    purpose_end,
)
from generator.ingest.gazetteer import Gazetteer, title_case
from generator.ingest.namewords import (
    CLUB_PREFIX,
    CLUB_WORDS,
    COMPANY_SUFFIX,
    DEMONYM,
    DOCUMENTS,
    EVENTS,
    FACILITY,
    GROUPS,
    INSTITUTIONS,
    NOT_ACRONYM,
    NOT_PERSON,
    OFFICE_WORDS,
    ORG_HEADS,
    PLACE_HEADS,
    PLACE_PREFIX,
    SENTENCE_WORDS,
    SHIPS,
    SPEECH,
    STORMS,
    TITLE_CORE,
    TITLES,
    is_team_name,
    wordset,
)

_WORD = re.compile(r"\S+")
_ARABIC_ARTICLE = re.compile(r"[ \t]+(?:a[lsznrdt]|ash|e[lsznd])[ \t]+(?=[A-Z])")
_OF_AFTER = re.compile(r"[ \t]+(?:of|for)[ \t]+[A-Z]")
_ADMINISTRATION = re.compile(r"(?:['’]s)?[ \t]+administration\b")  # 'the Obama administration'
# Matched at a position (pattern.match(text, pos)), never on a slice: a slice copies the rest
# of the article for every run.
_CONNECT = re.compile(r"[ \t]+(?:of|for|on|and)[ \t]+(?:the[ \t]+)?")
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
    r"^,?\s+(?:a company|the company|an agency|a group)\b(?!’|')|"
    r"^\s+(?:news agency|newspaper|daily|television|radio|broadcaster)\b"
)
# 'Acme, which ...' names a body, unless a place's preposition comes first ('to Parchin, which').
_WHICH_AFTER = re.compile(r",?\s+which\b(?!’|')")
_AT_PLACE = re.compile(r"\b(?:to|near|into|outside|across)\s+$")  # not 'in'/'at': 'jobs at Acme'
# 'German firm Bilfinger Berger', 'news agency Interfax', 'drugmaker Merck': the kind of body,
# then its name.
_KIND_WORDS = wordset(
    """firm company group agency newspaper daily weekly broadcaster network channel station
    carrier airline drugmaker automaker carmaker retailer bank lender insurer giant conglomerate
    manufacturer publisher magazine charity watchdog militia movement faction party subsidiary"""
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
_COUNTED = re.compile(
    r"\b(?:an?|one|two|three|four|five|six|seven|eight|nine|ten|several|multiple|\d+)[ \t]+$", re.I
)
_ORDINAL_BEFORE = re.compile(r"\b\d{1,4}(?:st|nd|rd|th)[ \t]+$")
_FIRST_HALF = re.compile(
    r"(?:\b[Tt]he[ \t]+|(?<![\w.])((?:U\.N\.|UN|U\.S\.|US)[ \t]+))([A-Z][a-z]+)[ \t]+and[ \t]+$"
)
_OFFICE_OF = re.compile(
    r"\b(?:Secretary|Minister|Director|Governor|Chancellor)[ \t]+of[ \t]+(?:the[ \t]+)?$"
)


@dataclass(frozen=True, slots=True)
class Mention:
    """One occurrence of an entity in the text, with its canonical name."""

    kind: str
    name: str
    start: int
    end: int


def _keep_from(candidate: Candidate, text: str, index: int) -> None:
    """Keep the run's words from `index` on (its start moves to that word in the text)."""
    starts = [m.start() for m in _WORD.finditer(text[candidate.start : candidate.end])]
    candidate.start += starts[index]
    candidate.tokens = candidate.tokens[index:]
    candidate.text = " ".join(candidate.tokens)


def _drop_first(candidate: Candidate, text: str) -> None:
    _keep_from(candidate, text, 1)


def _strip_leading(candidate: Candidate, text: str) -> None:
    """Drop a first word capitalised only because it starts the sentence ('The', 'But')."""
    while len(candidate.tokens) >= 2:
        first = candidate.tokens[0]
        if first in SENTENCE_WORDS and at_sentence_start(text, candidate.start):
            _drop_first(candidate, text)
        else:
            return


def _extend_step(
    candidate: Candidate, text: str, gazetteer: Gazetteer | None = None, *, any_and: bool = False
) -> bool:
    """Join ' of|for|on|and [the] ' and the capitalised words after it; False when none follow.
    'and' joins only after an organisation's head ('Chamber of Commerce and Industry'), or
    anywhere with `any_and`; never before 'the' ('... and the X' is two)."""
    connector = _CONNECT.match(text, candidate.end)
    joined = connector.group().split() if connector else []
    if not connector or (
        joined[0] == "and"
        and ("the" in joined or not (any_and or candidate.tokens[-1] in ORG_HEADS))
    ):
        return False
    # 'Group' + ' of 7' takes a number where a name would stand
    follow = RUN.match(text, connector.end()) or _NUMBER_NAME.match(text, connector.end())
    if not follow:
        return False
    value = _POSSESSIVE.sub("", follow.group())
    value = cut_name(value, text, follow.start())
    if not value:
        return False  # 'Union on Tuesday'
    words = value.split()
    if any(t in TITLE_CORE for t in words[:-1]):
        return False  # '... and Administration Minister Richard Baloyi': a person follows
    if joined[0] == "and" and (
        any(_is_head(t) for t in words)
        or (gazetteer is not None and (gazetteer.place(value) or gazetteer.organization(value)))
    ):
        return False  # 'Ministry of Health and Ministry of Education', 'Council and Tokyo': two
    candidate.end_at(follow.start() + len(value), text)
    return True


def _extend_org(candidate: Candidate, text: str, gazetteer: Gazetteer | None = None) -> None:
    """'Chamber' + ' of Commerce', 'University' + ' of San Diego', 'Department' + ' of State';
    past 'of'/'for', 'and' goes on with the name ('Organization for Security and Cooperation')
    unless the word before it is a place or a body the tables know ('Bank of America and ...')."""
    extended = False
    while True:
        last = candidate.tokens[-1]
        any_and = (
            extended
            and gazetteer is not None
            and not gazetteer.place(last)
            and not gazetteer.organization(last)
        )
        if not _extend_step(candidate, text, gazetteer, any_and=any_and):
            break
        extended = True
    if gazetteer is not None:
        candidate.end_at(purpose_end(candidate.tokens[-1], text, candidate.end, gazetteer), text)


def _owned_body(name: str, gazetteer: Gazetteer) -> bool:
    """'U.S. House of Representatives': a body the tables name, after its country's name."""
    owner, _, rest = name.partition(" ")
    return bool(rest and gazetteer.place(owner) and gazetteer.organization(rest))


def _extend_known(candidate: Candidate, text: str, gazetteer: Gazetteer) -> None:
    """'House' + ' of Representatives', 'Democratic Republic' + ' of Congo', 'Trinidad' + ' and
    Tobago', 'Dayr' + ' az Zawr': a run goes on over 'of', 'and' or an Arabic article when the
    longer name is one the tables know."""
    article = _ARABIC_ARTICLE.match(text, candidate.end)
    follow = RUN.match(text, article.end()) if article else None
    if follow and gazetteer.place(text[candidate.start : follow.end()]):
        candidate.end_at(follow.end(), text)
    trial = Candidate(candidate.start, candidate.end, candidate.text, list(candidate.tokens))
    while _extend_step(trial, text, any_and=True):
        bare = _THE.sub("", trial.text)
        if gazetteer.organization(bare) or gazetteer.place(bare) or _owned_body(bare, gazetteer):
            candidate.end, candidate.text, candidate.tokens = trial.end, trial.text, trial.tokens


def _is_head(word: str) -> bool:
    """An organisation's head word, also in the plural ('Popular Resistance Committees',
    'Revolutionary Guards'); 'Banks' is a surname far more often than a plural here."""
    return word in ORG_HEADS or (word[-1:] == "s" and word[:-1] in ORG_HEADS and word != "Banks")


def _org(candidate: Candidate, name: str | None = None) -> None:
    candidate.kind = "organization"
    candidate.name = name or _THE.sub("", candidate.text)


def _is_acronym(token: str, before: str = "") -> bool:
    bare = token.replace(".", "").replace("&", "")
    if "." in token and len(bare) < 3:
        return False  # 'J.D.', 'D.C.': initials and abbreviations, not a body
    if not (2 <= len(bare) <= 6 and bare.isupper() and bare.isalpha()) or bare in NOT_ACRONYM:
        return False
    if before.endswith("<"):
        return False  # 'American Express Co <AXP>': a ticker, part of the company before it
    return not _COUNTED.search(before)  # 'a UAV', 'two IED': a thing, counted; a body is not


def _is_plural_in(acronym: str, text: str) -> bool:
    """'IEDs', 'UAVs' elsewhere in the story: the acronym names a kind of thing, not one body."""
    plural = acronym + "s"
    return plural in text and bool(re.search(rf"\b{re.escape(plural)}\b", text))


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


def _with_first_half(candidate: Candidate, text: str, gazetteer: Gazetteer) -> None:
    """'the Food and' + 'Agriculture Organization': one body, whose name starts before 'and'
    (not after a place, a body or a given name: 'the Pentagon and State Department'); a
    country's initials before it stay ('U.N. Food and Agriculture Organization')."""
    window = max(0, candidate.start - 40)
    match = _FIRST_HALF.search(text[window : candidate.start])
    word = match.group(2) if match else ""
    if match and not (
        gazetteer.place(word)
        or gazetteer.organization(word)
        or word in gazetteer.given_names
        or word in ORG_HEADS
    ):
        candidate.start = window + match.start(1 if match.group(1) else 2)
        candidate.text = text[candidate.start : candidate.end]
        candidate.tokens = candidate.text.split()


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
    if tokens[0] in PLACE_PREFIX and (len(tokens) >= 2 or _CONNECT.match(text, candidate.end)):
        if len(tokens) == 1:
            _extend_org(candidate, text, gazetteer)  # 'Gulf' + ' of Aden'
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
    _extend_known(candidate, text, gazetteer)
    tokens = candidate.tokens
    if len(tokens) >= 2 and (tokens[0] in STORMS or tokens[0] in SHIPS):
        return True  # 'Hurricane Katrina', 'HMS Ocean': weather or a ship, not a town or a person
    bare = _THE.sub("", candidate.text)
    if len(tokens) == 1 and tokens[0] in ORG_HEADS and _OF_AFTER.match(text, candidate.end):
        _extend_org(candidate, text, gazetteer)  # 'Congress' + ' of South African Trade Unions'
        if len(candidate.tokens) > 1:
            _org(candidate)
            return True
    known = gazetteer.organization(bare) or (bare if _owned_body(bare, gazetteer) else None)
    if known:
        _org(candidate, known)
        return True
    place = gazetteer.place(bare)
    if (
        place
        and len(tokens) == 1
        and gazetteer.place_kinds.get(bare) == "town"
        and _not_the_town(text, candidate)
    ):
        place = None
    if len(tokens) == 1 and tokens[0] in PLACE_PREFIX and _CONNECT.match(text, candidate.end):
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
    heads = [t.rstrip(".,'’") for t in tokens[1:]]
    if any(_is_head(t) or t in COMPANY_SUFFIX for t in heads) or (
        tokens[0] in CLUB_PREFIX and len(tokens) >= 2  # 'Real Madrid', not 'Real estate'
    ):
        while len(candidate.tokens) > 2 and candidate.tokens[-1] in TITLE_CORE:
            candidate.tokens = candidate.tokens[:-1]  # 'Foreign Office Minister' -> the office
            candidate.text = " ".join(candidate.tokens)
            candidate.end = candidate.start + len(candidate.text)
        _extend_org(candidate, text, gazetteer)
        _with_ordinal(candidate, text)
        _with_first_half(candidate, text, gazetteer)
        _org(candidate)
        return True
    if (
        len(tokens) == 2
        and tokens[1] == "City"
        and gazetteer.place(tokens[0])
        and gazetteer.place_kinds.get(tokens[0]) not in {"city", "town"}
    ):
        candidate.kind, candidate.name = "place", candidate.text  # 'Gaza City', 'Kuwait City'
        return True
    if len(tokens) >= 2 and (
        (tokens[-1] in CLUB_WORDS and gazetteer.place(tokens[0]))
        or (is_team_name(tokens[-1]) and gazetteer.place(" ".join(tokens[:-1])))
    ):
        _org(candidate)  # 'Manchester United', 'Leeds City', 'New England Patriots'
        return True
    if tokens[0] in ORG_HEADS and (
        _CONNECT.match(text, candidate.end)
        or purpose_end(tokens[0], text, candidate.end, gazetteer) > candidate.end
    ):
        end = candidate.end
        _extend_org(candidate, text, gazetteer)
        if candidate.end != end:
            _org(candidate)
            return True
    if _org_by_context(candidate, text, gazetteer):
        return True
    after = text[candidate.end : candidate.end + 40]
    before = text[max(0, candidate.start - 40) : candidate.start]
    if (
        len(tokens) == 1
        and (
            tokens[0] in INSTITUTIONS
            or (_is_acronym(tokens[0], before) and not _is_plural_in(tokens[0], text))
        )
        and not text.startswith(":", candidate.end)  # 'ANSWER:', 'QUESTION:' label a speaker
        and not (tokens[0].isupper() and in_capitals_line(text, candidate.start))
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


def _org_by_context(candidate: Candidate, text: str, gazetteer: Gazetteer) -> bool:
    """An organisation by the words around it: 'Acme spokesman', 'shares of Acme', 'Interfax
    news agency', 'German firm Bilfinger Berger'. Not a nationality or community ('a stake in
    the Russian daily'), a role ('the firm's Chairman'), a person ('Jane Doe spokesman'), nor a
    lone word opening a sentence ('The board approved')."""
    tokens = candidate.tokens
    if len(tokens) == 1 and (
        DEMONYM.match(tokens[0]) or tokens[0] in GROUPS or at_sentence_start(text, candidate.start)
    ):
        return False
    after = text[candidate.end : candidate.end + 40]
    given = tokens[0] in gazetteer.given_names
    if (
        all(t in TITLES for t in tokens)
        or (given and len(tokens) == 2 and "spokes" in after[:12])
        or (given and len(tokens) == 1 and "which" in after[:8])  # 'Katrina, which ...'
    ):
        return False
    before = text[max(0, candidate.start - 40) : candidate.start]
    words_before = before.split()
    if (
        _ORG_AFTER.match(after)
        or (_WHICH_AFTER.match(after) and not _AT_PLACE.search(before))
        or (
            before.rstrip().endswith(("of", "in", "at", "for", "with", "the"))
            and _ORG_BEFORE.search(before)
        )
    ):
        _org(candidate)
        return True
    if before.endswith(" ") and words_before and words_before[-1] in _KIND_WORDS:
        _extend_org(candidate, text, gazetteer)  # 'rights group Heirs' + ' of Justice'
        _org(candidate)
        return True
    return False


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
    if (
        len(tokens) < 2
        or tokens[-1] in FACILITY
        or tokens[-1] in EVENTS
        or any(t in NOT_PERSON for t in tokens)
        or all(t in GROUPS or DEMONYM.match(t) for t in tokens)
    ):
        return  # 'Sofia Park', 'Paris Agreement', 'Australian Open', 'Sunni Arab': not a person
    if _has_given_name(tokens, gazetteer):
        candidate.kind = "person"  # 'J. Smith', 'Jean-Pierre Raffarin', 'Ana Duarte'
        return
    if all(not t.isupper() or len(t) <= 2 for t in tokens) and (
        _APPOSITIVE_AFTER.match(text[candidate.end : candidate.end + 60])
        or _EVIDENCE_BEFORE.search(text[max(0, candidate.start - 40) : candidate.start])
    ):
        candidate.kind = "person"


def _has_given_name(tokens: list[str], gazetteer: Gazetteer) -> bool:
    """A given name (or an initial) and then a name: 'J. Smith', 'Jean-Pierre Raffarin'. Not
    when the first word is a country or a state ('China Daily', 'Florida Keys': rare as given
    names, common as these), nor when the last is a title or an organisation's head ('Delta
    State', 'Kenya Airways'), nor after an article ('Al Huwayjah')."""
    first, last = tokens[0], tokens[-1]
    if first in {"Al", "El", "Les", "La", "Le", "De", "Van"} or last.isupper():
        return False
    if last in TITLES or last in OFFICE_WORDS or last in ORG_HEADS or last in PLACE_HEADS:
        return False
    if re.fullmatch(r"[A-Z]\.", first):
        return last[1:].islower()
    given = first.split("-")[0]
    if given not in gazetteer.given_names or gazetteer.place_kinds.get(given) in _WIDE_PLACES:
        return False
    return first in gazetteer.given_names or last[1:].islower()


def _not_the_town(text: str, candidate: Candidate) -> bool:
    """A small town's bare name opening a sentence is more often a word ('Time permitting'),
    and before 'administration' a leader's surname ('the Obama administration')."""
    return at_sentence_start(text, candidate.start) or bool(
        _ADMINISTRATION.match(text, candidate.end)
    )


def places_inside(candidate: Candidate, text: str, gazetteer: Gazetteer) -> Iterator[Mention]:
    """'Mexico' inside an unclassified run such as 'Mexico Program' still names a place; not in
    'Sofia Park' (a facility named after it) nor in 'Sofia Coppola' (a given name, then a name).
    A small town is taken only as a run of its own: inside a longer one its name is more often
    a word of another name ('Democratic Republic', 'Hurricane Katrina')."""
    tokens = candidate.tokens
    if (
        tokens[0] in STORMS
        or tokens[0] in SHIPS
        or tokens[-1] in FACILITY
        or tokens[-1] in DOCUMENTS
        or tokens[-1] in EVENTS
        or (len(tokens) >= 2 and tokens[0] in gazetteer.given_names)
    ):
        return
    offsets = [
        candidate.start + m.start() for m in _WORD.finditer(text[candidate.start : candidate.end])
    ]
    for first, end, canonical in gazetteer.places_within(tokens):
        if gazetteer.place_kinds.get(" ".join(tokens[first:end])) == "town" and (
            end - first < len(tokens) or _not_the_town(text, candidate)
        ):
            continue
        start = offsets[first]
        yield Mention("place", canonical, start, offsets[end - 1] + len(tokens[end - 1]))


def classify(candidate: Candidate, text: str, gazetteer: Gazetteer) -> None:
    """Decide what a run names (sets its kind and name; a person run may lose its title)."""
    _strip_leading(candidate, text)
    if not _classify_shape(candidate, text, gazetteer):
        _classify_person(candidate, text, gazetteer)
