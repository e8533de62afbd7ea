"""Stage extract (quotes): article text + entities -> direct quotes with their speakers.

A speaker is named only on clear grammatical evidence ('X said', 'said X', 'according to X',
'he said' right after X spoke); otherwise it stays null, since a wrong speaker is worse than none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from generator.ingest.entities import TITLES, Entities
from generator.models import Quote

_QUOTE = re.compile(r"“(?P<curly>[^“”]{2,2000}?)”|\"(?P<straight>[^\"\n]{2,2000}?)\"")
_SPEECH = (
    r"(?:said|says|told|tells|added|adds|stated|states|wrote|writes|explained|noted|argued|acknowledged|"
    r"asked|informed|insisted|warned|replied|continued|recalled|announced|declared|described|called|"
    r"remarked|observed|cautioned|conceded|admitted|suggested|urged|tweeted|posted)"
)
_PRONOUN = r"(?:he|she|they)"
# After a quote: ', he said' / ', Mr. X said' / ', said X' / ' was how X described'
_AFTER_PRONOUN = re.compile(rf"^[,.!?]?\s*{_PRONOUN}\s+{_SPEECH}\b", re.I)
_AFTER_VERB_FIRST = re.compile(rf"^[,.!?]?\s*{_SPEECH}\s+")
_AFTER_NAME_FIRST = re.compile(r"^[,.!?]?\s*(?:was how\s+)?")
_BEFORE_PRONOUN = re.compile(rf"\b{_PRONOUN}\s+{_SPEECH}(?:\s+that)?,?[^.!?“”\"]{{0,200}}$", re.I)
_BEFORE_VERB = re.compile(rf"(?:,\s*[^,“”\"]{{1,160}},)?\s+(?:{_SPEECH}|according to)\b")
_SENTENCE_END = re.compile(r"[.!?](?:[\"”’)]*)\s+(?=[“\"A-Z])")
_WORDS = re.compile(r"\w+")


@dataclass(slots=True)
class _State:
    last_speaker: str | None = None
    paragraph_speaker: str | None = None


_ABBREVIATION = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr|St|Sen|Rep|Gov|Gen|Prof|Jr|Sr|No|vs)|\b[A-Z]|\.[A-Z])\.$"
)


def _sentence_start(text: str, index: int, floor: int) -> int:
    start = floor
    for match in _SENTENCE_END.finditer(text, floor, min(len(text), index + 1)):
        if not _ABBREVIATION.search(text[max(floor, match.start() - 4) : match.start() + 1]):
            start = match.end()
    return start


def _person_ending_at(entities: Entities, end: int, text: str) -> str | None:
    """A person mention that ends right at `end` (ignoring a possessive and spaces)."""
    for mention in reversed(entities.mentions):
        if (
            mention.kind == "person"
            and mention.end <= end
            and not text[mention.end : end].strip(" ’'s")
        ):
            return mention.name
        if mention.end < end - 80:
            break
    return None


def _person_starting_at(entities: Entities, start: int, text: str) -> str | None:
    for mention in entities.mentions:
        if mention.start >= start and mention.kind == "person":
            gap = text[start : mention.start]
            if all(word in TITLES for word in gap.split()) and "\n" not in gap:
                return mention.name
            return None
    return None


def _speaker_after(
    text: str, end: int, entities: Entities, state: _State
) -> str | Literal[False] | None:
    """Speaker named right after the quote; False when the words after are not an attribution."""
    tail = text[end : end + 200].split("\n", 1)[0]  # attribution never crosses a paragraph
    if _AFTER_PRONOUN.match(tail):
        return state.last_speaker
    verb = _AFTER_VERB_FIRST.match(tail)
    if verb:
        return _person_starting_at(entities, end + verb.end(), text)
    lead = _AFTER_NAME_FIRST.match(tail)
    start = end + (lead.end() if lead else 0)
    name = _person_starting_at(entities, start, text)
    if name:
        for mention in entities.mentions:
            if mention.start >= start and mention.kind == "person":
                rest = text[mention.end : mention.end + 200]
                if re.match(
                    rf"^(?:’s|'s)?(?:,\s*[^,“”\"]{{1,160}},)?\s+{_SPEECH}\b", rest
                ) or tail.lstrip(",. ").startswith("was how"):
                    return name
                break
    if re.match(
        r"^[,]?\s*(?:the|an?|one|another|two|three|some|many)\b[^.“”\"]{0,80}?\b" + _SPEECH,
        tail,
        re.I,
    ):
        return None  # 'the official said': an unnamed speaker, not a continuation
    return False


def _speaker_before(
    text: str, start: int, floor: int, entities: Entities, state: _State
) -> str | Literal[False] | None:
    sentence = text[_sentence_start(text, start, floor) : start]
    if _BEFORE_PRONOUN.search(sentence):
        return state.last_speaker
    for verb in reversed(list(_BEFORE_VERB.finditer(sentence))):
        absolute = start - len(sentence) + verb.start()
        name = _person_ending_at(entities, absolute, text)
        if name:
            return name
    base = start - len(sentence)
    for according in re.finditer(r"\baccording to\s+", sentence):
        name = _person_starting_at(entities, base + according.end(), text)
        if name:
            return name
    if re.search(rf"\b{_SPEECH}\b", sentence):
        return None
    return False


def _subject(
    text: str, verb_start: int, floor: int, entities: Entities
) -> str | Literal[False] | None:
    """Who speaks in 'X said' outside a quote: a known person's name, None for anyone else
    ('officials said', 'Marisa, 68, said'), or False when it changes nothing ('he said', or the
    attribution right after a quote, which the quote itself already resolved)."""
    name = _person_ending_at(entities, verb_start, text)
    if name:
        return name
    before = text[max(floor, verb_start - 80) : verb_start]
    if re.search(rf"(?:[”\"],?|\b{_PRONOUN}|\bwho)\s*$", before, re.I):
        return False
    return None


def extract_quotes(text: str, entities: Entities) -> tuple[Quote, ...]:
    """Direct quotes (two words or more) in reading order, each with a canonical speaker or None."""
    quotes: list[Quote] = []
    state = _State()
    position = 0
    for paragraph in text.split("\n\n"):
        offset = text.index(paragraph, position) if paragraph else position
        position = offset + len(paragraph)
        state.paragraph_speaker = None
        spans = list(_QUOTE.finditer(text, offset, position))
        # Speech verbs outside quotes ('Mr. Sullivan said on Monday that...') set who 'he' is next.
        subjects = [
            (verb.start(), subject)
            for verb in _BEFORE_VERB.finditer(text, offset, position)
            if (subject := _subject(text, verb.start(), offset, entities)) is not False
            and not any(q.start() < verb.start() < q.end() for q in spans)
        ]
        for match in spans:
            while subjects and subjects[0][0] < match.start():
                state.last_speaker = subjects.pop(0)[1] or None
            content = (match.group("curly") or match.group("straight") or "").strip()
            if len(_WORDS.findall(content)) < 2:
                continue
            speaker = _speaker_after(text, match.end(), entities, state)
            if speaker is False:
                speaker = _speaker_before(text, match.start(), offset, entities, state)
            # An unattributed quote right after an attributed one in the same paragraph continues it.
            found = state.paragraph_speaker if speaker is False else speaker
            if found:
                state.paragraph_speaker = state.last_speaker = found
            quotes.append(Quote(text=content.rstrip(",").strip(), speaker=found or None))
        for _, subject in subjects:
            state.last_speaker = subject or None
    return tuple(quotes)
