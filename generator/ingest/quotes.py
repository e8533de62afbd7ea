"""Stage extract (quotes): article text + entities -> direct quotes with their speakers.

A speaker is named only on clear grammatical evidence ('X said', 'said X', 'according to X',
'he said' right after X spoke); otherwise it stays null, since a wrong speaker is worse than none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from generator.ingest.entities import Entities
from generator.ingest.namewords import TITLES
from generator.models import Quote

_MARK = re.compile(r"[“”\"]")
_MAX_QUOTE = 6000
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
    # Where the sentence that named last_speaker ends: people named after it are new to 'he'.
    speaker_sentence_end: int = 0


@dataclass(frozen=True, slots=True)
class _Span:
    """One direct quote: from its opening mark to its closing one, perhaps over paragraphs."""

    start: int
    end: int
    text: str


def _opens(text: str, index: int) -> bool:
    mark = text[index]
    if mark != '"':
        return mark == "“"
    before = text[index - 1] if index else " "
    after = text[index + 1] if index + 1 < len(text) else " "
    return (before.isspace() or before in "([{—–-:") and not after.isspace()


def quote_spans(text: str, paragraphs: list[tuple[int, int]]) -> list[_Span]:
    """Quotes in reading order. A quote left open at a paragraph's end goes on only where the
    next paragraph opens with a quote mark (the convention for a quote over paragraphs);
    otherwise its mark was stray and pairs with nothing, so narrative never becomes a quote."""
    spans: list[_Span] = []
    opened: int | None = None
    parts: list[str] = []
    for number, (start, end) in enumerate(paragraphs):
        if opened is not None and not (start < end and text[start] in '“"'):
            opened, parts = None, []
        part_start = start + 1 if opened is not None else None
        for match in _MARK.finditer(text, start, end):
            index = match.start()
            if opened is not None and index == start:
                continue  # the re-opening mark of a quote that runs on from the paragraph before
            if _opens(text, index):
                opened, parts, part_start = index, [], index + 1
            elif opened is not None and part_start is not None:
                parts.append(text[part_start:index])
                content = " ".join(p.strip() for p in parts)
                if len(content) <= _MAX_QUOTE:
                    spans.append(_Span(opened, index + 1, content))
                opened, parts, part_start = None, [], None
        if opened is not None and part_start is not None and number + 1 < len(paragraphs):
            parts.append(text[part_start:end])
    return spans


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
    # '“...,” said Quinn, “and ...”': the second half of a quote split by its attribution
    split = re.search(rf"[”\"],?\s+{_SPEECH}\s+(?=\S)", sentence)
    if split:
        name = _person_starting_at(entities, base + split.end(), text)
        if name:
            return name
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


def _paragraphs(text: str) -> list[tuple[int, int]]:
    bounds = []
    position = 0
    for paragraph in text.split("\n\n"):
        bounds.append((position, position + len(paragraph)))
        position += len(paragraph) + 2
    return bounds


def _pronoun_speaker(
    text: str, quote_start: int, tail: str, entities: Entities, state: _State, spans: list[_Span]
) -> str | None:
    """Who 'he'/'she' is: the last speaker unless someone else was named since (then the one
    person the pronoun fits, if exactly one does); None when it stays ambiguous."""
    pronoun = re.match(r"^[,.!?]?\s*(\w+)", tail)
    wanted = {"he": "m", "she": "f"}.get(pronoun.group(1).lower() if pronoun else "", "")
    since = state.speaker_sentence_end if state.last_speaker else 0
    named = [
        m.name
        for m in entities.mentions
        if m.kind == "person"
        and since <= m.start < quote_start
        and not any(q.start < m.start < q.end for q in spans)
        and m.name != state.last_speaker
    ]
    candidates = list(
        dict.fromkeys([*named, *([state.last_speaker] if state.last_speaker else [])])
    )
    fitting = [c for c in candidates if entities.genders.get(c, wanted) == wanted or not wanted]
    if not named:
        return state.last_speaker if state.last_speaker in fitting else None
    if len(fitting) == 1:
        return fitting[0]
    # 'Safin, who had not dropped a set, blamed his knee. “...,” he said.': the person the
    # sentence before is about, when its subject is the one named last.
    last = next(
        m
        for m in reversed(entities.mentions)
        if m.kind == "person" and m.name == named[-1] and m.start < quote_start
    )
    lead = text[_sentence_start(text, last.start, since) : last.start].split()
    if named[-1] in fitting and len(lead) <= 4 and all(w[:1].isupper() for w in lead):
        return named[-1]
    return None


def _sentence_end(text: str, index: int) -> int:
    match = re.compile(r"[.!?][\"”’)]*(?:\s|$)").search(text, index)
    return match.end() if match else len(text)


def extract_quotes(text: str, entities: Entities) -> tuple[Quote, ...]:
    """Direct quotes (two words or more) in reading order, each with a canonical speaker or None."""
    quotes: list[Quote] = []
    state = _State()
    paragraphs = _paragraphs(text)
    spans = quote_spans(text, paragraphs)
    span_index = 0
    for offset, position in paragraphs:
        state.paragraph_speaker = None
        here = [q for q in spans[span_index:] if q.start < position]
        span_index += len(here)
        # Speech verbs outside quotes ('Mr. Sullivan said on Monday that...') set who 'he' is next.
        subjects = [
            (verb.start(), subject)
            for verb in _BEFORE_VERB.finditer(text, offset, position)
            if not any(q.start < verb.start() < q.end for q in here)
            and (subject := _subject(text, verb.start(), offset, entities)) is not False
        ]
        for span in here:
            while subjects and subjects[0][0] < span.start:
                verb_at, subject = subjects.pop(0)
                state.last_speaker = subject or None
                state.speaker_sentence_end = _sentence_end(text, verb_at)
            content = span.text.strip()
            if len(_WORDS.findall(content)) < 2:
                continue
            tail = text[span.end : span.end + 200].split("\n", 1)[0]
            if _AFTER_PRONOUN.match(tail):
                speaker: str | Literal[False] | None = _pronoun_speaker(
                    text, span.start, tail, entities, state, spans
                )
            else:
                speaker = _speaker_after(text, span.end, entities, state)
            if speaker is False:
                sentence = text[_sentence_start(text, span.start, offset) : span.start]
                before = _BEFORE_PRONOUN.search(sentence)
                if before:
                    speaker = _pronoun_speaker(
                        text, span.start, before.group(), entities, state, spans
                    )
                else:
                    speaker = _speaker_before(text, span.start, offset, entities, state)
            # An unattributed quote right after an attributed one in the same paragraph continues it.
            found = state.paragraph_speaker if speaker is False else speaker
            if found:
                state.paragraph_speaker = state.last_speaker = found
                # from inside the closing mark: '... a decision.”' ends its sentence there
                state.speaker_sentence_end = _sentence_end(text, max(span.start, span.end - 3))
            quotes.append(Quote(text=content.rstrip(",").strip(), speaker=found or None))
        for verb_at, subject in subjects:
            state.last_speaker = subject or None
            state.speaker_sentence_end = _sentence_end(text, verb_at)
    return tuple(quotes)
