"""Stage extract (entities, part): article text -> its capitalised runs, cut where one name ends.

Capitalised words in a row are not always one name. A weekday ends one ('told VOA Thursday');
so does a possessive after a place or an organisation ('Britain's Prince Charles', 'Indonesia's
Sumatra Island'); an article inside a row shows two lines run together ('... in Ukraine Boris
Johnson A Foreign Office spokesman'); and a place with '-based' or '-led' is no part of the name
after it ('Geneva-based Martin Ennals Foundation'). runs.py decides what each piece names.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from generator.ingest.gazetteer import Gazetteer
from generator.ingest.namewords import EVENTS, INSTITUTIONS, ORG_HEADS, TITLES, wordset

_CAP = (
    r"(?:[A-Z]\.(?:[A-Z]\.)+|(?:Mr|Mrs|Ms|Dr|Prof|Sen|Rep|Gov|Gen|Col|Lt|Sgt|Capt|Adm|Maj|Brig|Rev|St"
    r"|Jr|Sr|Corp|Inc|Ltd|Co|Det|Insp|Supt|Spc|Cpl)\.|[A-Z]\.(?=[ \t]+[A-Z])"
    r"|(?:al|el|ad|as|ash|at|az)-[A-ZÀ-ÖØ-Þ][\w'’-]*|[A-ZÀ-ÖØ-ÞŁŚŻ][\w'’-]*)"
)
_PARTICLE = r"(?:de|del|de la|da|dos|van|von|der|den|la|le|bin|ibn|al|y)"
RUN = re.compile(rf"{_CAP}(?:(?:[ \t]+(?:{_PARTICLE}[ \t]+)?|[ \t]+&[ \t]+){_CAP})*")
POSSESSIVE = re.compile(r"(?:’s|'s|’|')$")
WEEKDAYS = wordset("Monday Tuesday Wednesday Thursday Friday Saturday Sunday")
# Months are names too ('Theresa May', 'April Ryan'): one ends a run only before a day's number.
MONTHS = wordset(
    """January February March April May June July August September October November December
    Jan. Feb. Mar. Apr. Jun. Jul. Aug. Sep. Sept. Oct. Nov. Dec."""
)
_CALENDAR = WEEKDAYS | MONTHS
_WORD = re.compile(r"\S+")
_DAY_AFTER = re.compile(r"[ \t]+\d{1,2}\b")
_ARTICLES = wordset("A An The")
# A maker's model designation ('F-16', 'MQ-9', 'AH-64D', 'C-130J'): the words from it on name a
# machine, not a body or a person ('Air Force F-16 Fighting Falcons' is the Air Force's jets).
_DESIGNATION = re.compile(r"[A-Z]{1,3}-\d{1,4}[A-Z]?$")
# A hull or type number in brackets after a ship's name ('USS Mahan (DDG 72)', 'HMS Ocean (L 12)').
_HULL_NUMBER = re.compile(r"[ \t]+\d{1,4}\)")
_AFFIXED = re.compile(
    r"([A-Z][\w.'’]*)-(?:based|led|backed|sponsored|born|owned|run|funded|controlled|allied|"
    r"linked|bound|made|language)$"
)


# Bodies named for their purpose: 'Committee to Protect Journalists', 'Global Coalition to
# Counter ISIL'. The words after 'to' open with a verb, never with a name of their own.
_PURPOSE_HEADS = wordset("Committee Coalition Commission Council Fund Alliance Movement Foundation")
_TO = re.compile(r"[ \t]+to[ \t]+")


@dataclass(slots=True)
class Candidate:
    """One capitalised run and, once classified, what it names."""

    start: int
    end: int
    text: str
    tokens: list[str]
    kind: str | None = None
    name: str = ""
    title: str = ""

    def end_at(self, end: int, text: str) -> None:
        """The run goes on (or stops) at `end` of text ('House' + ' of Representatives')."""
        self.end = end
        self.text = text[self.start : end]
        self.tokens = self.text.split()


def _bare(word: str) -> str:
    return POSSESSIVE.sub("", word) if word[-1] in "s'’" else word


def _ends_name(word: str, text: str, end: int) -> bool:
    """A weekday, or a month before a day's number ('March 3'), is no part of a name; a
    newspaper's weekday is ('Sunday Times', 'Sunday Mail')."""
    bare = _bare(word)
    if bare in WEEKDAYS:
        following = text[end : end + 12].split()
        return bare != word or not following or following[0] not in ORG_HEADS
    return bare in MONTHS and (bare != word or bool(_DAY_AFTER.match(text, end)))


def _is_cut(word: str) -> bool:
    """Cheap test first: whether the word may end a name (a weekday, a month, 'X-based')."""
    return _bare(word) in _CALENDAR or ("-" in word and bool(_AFFIXED.match(word)))


def cut_name(value: str, text: str, start: int) -> str:
    """The words of `value` (found at `start` in text) that go on a name before it: up to its
    first weekday or date, its first place with '-based' or '-led' ('... and US-led forces'),
    or through its first possessive ('Department of State's Rewards for Justice')."""
    for match in _WORD.finditer(value):
        word = match.group()
        if _is_cut(word) and (_AFFIXED.match(word) or _ends_name(word, text, start + match.end())):
            return value[: match.start()].rstrip()
        if word[-1] in "s'’" and POSSESSIVE.search(word):
            return value[: match.start()] + _bare(word)
    return value


def _is_possessor(words: list[str], rest: list[str], gazetteer: Gazetteer) -> bool:
    """Whether 'X's' closes a name of its own: a person ('President Bush's', 'Saddam Hussein's
    Ba'ath Party'), or a place or organisation the tables know ('Britain's Prince Charles');
    not 'Lord's' in 'Lord's Resistance Army'. A body keeps a place before it as its owner
    ('Pakistan's Foreign Ministry' is not every country's Foreign Ministry)."""
    if len(words) >= 2 and (words[0] in TITLES or words[0] in gazetteer.given_names):
        return True
    if any(w in ORG_HEADS or w in INSTITUTIONS for w in rest):
        return False
    name = POSSESSIVE.sub("", " ".join(words))
    if name.isupper() and name.isalpha() and 2 <= len(name) <= 6:
        return True  # 'VOA's Carol Pearson': a body's initials, then its reporter
    return bool(gazetteer.place(name) or gazetteer.organization(name))


def _candidate(text: str, piece: list[tuple[int, str]]) -> Iterator[Candidate]:
    if piece:
        start = piece[0][0]
        value = _bare(text[start : piece[-1][0] + len(piece[-1][1])])
        yield Candidate(start, start + len(value), value, value.split())


def find_runs(text: str, gazetteer: Gazetteer) -> Iterator[Candidate]:
    """Each capitalised run of the text, cut where one name ends and the next begins."""
    for match in RUN.finditer(text):
        value = match.group()
        if " " not in value and "\t" not in value and not _is_cut(value):
            if text[match.start() - 1 : match.start()] == "(" and _HULL_NUMBER.match(
                text, match.end()
            ):
                continue  # 'USS Mahan (DDG 72)': a ship's type and number, not a body
            yield from _candidate(text, [(match.start(), value)])  # one word: most runs
            continue
        words = [(match.start() + m.start(), m.group()) for m in _WORD.finditer(value)]
        is_event = _bare(words[-1][1]) in EVENTS  # "America's Cup"
        piece: list[tuple[int, str]] = []
        for index, (offset, word) in enumerate(words):
            last = index == len(words) - 1
            if (_is_cut(word) and _ends_name(word, text, offset + len(word))) or (
                index and not last and word in _ARTICLES
            ):
                yield from _candidate(text, piece)
                piece = []
                continue
            if "-" in word and _DESIGNATION.match(word) and not gazetteer.organization(word):
                break  # 'Air Force F-16 Fighting Falcons': the Air Force, then its jets
            affixed = _AFFIXED.match(word) if "-" in word else None
            if affixed:  # 'Geneva-based Martin Ennals Foundation': Geneva, then the body
                yield from _candidate(text, piece)
                yield from _candidate(text, [(offset, affixed.group(1))])
                piece = []
                continue
            piece.append((offset, word))
            if (
                not last
                and not is_event
                and word[-1] in "s'’"
                and POSSESSIVE.search(word)
                and _is_possessor(
                    [w for _, w in piece], [w for _, w in words[index + 1 :]], gazetteer
                )
            ):
                yield from _candidate(text, piece)
                piece = []
        yield from _candidate(text, piece)


def purpose_end(last: str, text: str, end: int, gazetteer: Gazetteer) -> int:
    """Where a body named for its purpose ends ('Committee' + ' to Protect Journalists'): `end`
    unless `last` is such a head and a run follows 'to' whose first word names nothing itself
    ('the Council to President Bush', 'the Commission to Brussels' stay apart)."""
    to = _TO.match(text, end) if last in _PURPOSE_HEADS else None
    follow = RUN.match(text, to.end()) if to else None
    if follow is None:
        return end
    first = follow.group().split()[0]
    if (
        first.isupper()
        or first in TITLES
        or first in ORG_HEADS
        or first in INSTITUTIONS
        or first in gazetteer.given_names
        or gazetteer.place(first)
        or gazetteer.organization(first)
    ):
        return end
    value = cut_name(_bare(follow.group()), text, follow.start())
    words = value.split()
    for index, word in enumerate(words[1:], 1):
        if word in gazetteer.given_names or word in TITLES:  # '... to Counter ISIL Brett McGurk'
            value = " ".join(words[:index])
            break
    return follow.start() + len(value) if value else end


def at_sentence_start(text: str, start: int) -> bool:
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


def in_capitals_line(text: str, start: int) -> bool:
    """Whether the line holding `start` is written in capitals (a headline, a label)."""
    line_start = text.rfind("\n", 0, start) + 1
    line = text[line_start : text.find("\n", start) if "\n" in text[start:] else len(text)]
    letters = [c for c in line[:120] if c.isalpha()]
    return bool(letters) and sum(c.isupper() for c in letters) > 0.8 * len(letters)
