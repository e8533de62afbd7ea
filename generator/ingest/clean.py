"""Stage clean: decoded article text -> CleanText (kept paragraphs + every removed span, verbatim)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from itertools import accumulate
from pathlib import Path

from generator.ingest import rules
from generator.ingest.credits import parse_byline, parse_credit_line, parse_photo_credit
from generator.ingest.dates import parse_date
from generator.models import CleanText, Removal

_WORD = re.compile(r"\w[\w'’.-]*")
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*$")
_PREFIX_END = re.compile(r"[.!?*:”\"')\]]$")
# How far into the text a comment form must be before everything after it counts as the tail.
_TAIL_FRACTION = 0.6
_MAX_BLOCK_LINES = 12
_HEADER_UNITS = 8


@dataclass(slots=True)
class _Unit:
    """One non-blank line of input and what the cleaner decided about it."""

    group: int
    text: str
    kind: str | None = None
    reason: str = ""
    pieces: list[tuple[str, str | None, str]] = field(default_factory=list)


def _words(text: str) -> int:
    return len(_WORD.findall(text))


def _is_prose(text: str) -> bool:
    """A line that reads like a sentence of an article (not a label, button or headline)."""
    return (_words(text) >= 6 and bool(_SENTENCE_END.search(text))) or _words(text) >= 25


def _is_short_label(text: str) -> bool:
    return _words(text) <= 14 and not _SENTENCE_END.search(text) and len(text) <= 140


_TITLE_ABBREVIATION = re.compile(
    r"(?:\b[A-Z]\.)+$|\b(?:Inc|Corp|Co|Ltd|Plc|Jr|Sr|Bros|St|INC|CORP|CO|LTD|PLC|JR|SR|BROS)\.$"
)


_STAMPED_DATELINE = re.compile(
    r"^[A-ZÀ-ÖØ-Þ][A-ZÀ-ÖØ-Þ.'’ -]{1,40}(?:\s*,\s*[A-Z][\w.'’ ]{1,30}?)?\s+\d{4}-\d{2}-\d{2}$"
)


def is_title_like(text: str) -> bool:
    """A first line that reads as a headline: short, not a sentence, not a dateline lede.

    An all-capital line is a headline even with a dash in it ('SOCCER - ENGLISH LEAGUE
    RESULTS'): a dateline lede goes on in lower case after its dash. A headline may end in an
    abbreviation's full stop ('... WITH U.S.').
    """
    stripped = text.strip()
    if not stripped or len(stripped) > 200 or _words(stripped) > 25 or _words(stripped) < 2:
        return False
    if (
        stripped.endswith((".", ",", ";", ":"))
        and not stripped.endswith(("...", "…"))
        and not _TITLE_ABBREVIATION.search(stripped)
    ):
        return False
    if _STAMPED_DATELINE.match(stripped):
        return False  # 'LONDON 1996-08-30': where and when the story was filed
    if not any(c.islower() for c in stripped):
        return True
    return not re.match(r"^[A-Z][A-Z .,'’-]{2,40}\s[—–-]{1,2}\s", stripped)


def _is_abbreviated_headline(text: str) -> bool:
    """'TALKS ON TRADE RESUME WITH U.S.': a headline whose last word's full stop is an
    abbreviation's, in capitals or title case (a sentence-case lede line is prose)."""
    words = [w for w in text.split() if w[:1].isalpha()]
    capitalised = sum(w[:1].isupper() for w in words)
    return (
        is_title_like(text)
        and bool(_TITLE_ABBREVIATION.search(text.strip()))
        and capitalised >= 0.7 * len(words)
    )


def _match_line(text: str) -> tuple[str, str] | None:
    for kind, reason, pattern in rules.LINE_RULES:
        if pattern.match(text):
            return kind, reason
    return None


def _spam_split(text: str) -> tuple[str, str] | None:
    """Split 'prefix SPAM' where SPAM is a run-on SEO dump; None when there is no spam tail.

    Linear in the line's length: suffix sums over per-token features, so a 5 MB line is fine.
    """
    lowered = text.lower()
    if not any(hint in lowered for hint in rules.SPAM_HINTS):
        return None
    tokens = list(re.finditer(r"\S+", text))
    n = len(tokens)
    if n == 0:
        return None
    stop = [1 if t.group().lower().strip(".,;:!?\"'”“") in rules.STOPWORDS else 0 for t in tokens]
    hits = [
        len(rules.SPAM_WORDS.findall(t.group())) + 2 * len(rules.GLUED_DOMAIN.findall(t.group()))
        for t in tokens
    ]
    suffix_stop = [*list(accumulate(reversed(stop)))[::-1], 0]
    suffix_hits = [*list(accumulate(reversed(hits)))[::-1], 0]
    for k in range(n):
        count = n - k
        chars = len(text) - tokens[k].start()
        if chars < 30:
            break
        if k and not _PREFIX_END.search(tokens[k - 1].group()):
            continue
        if suffix_stop[k] / count < 0.12 and suffix_hits[k] >= 4 and suffix_hits[k] / count >= 0.5:
            # Leading clean words ("Required fields are marked *") belong to the prefix when a
            # boundary follows them and the rest is still spam.
            j = k
            while j < n - 1 and hits[j] == 0:
                j += 1
                if _PREFIX_END.search(tokens[j - 1].group()) and suffix_hits[j] / (n - j) >= 0.5:
                    k = j
            return text[: tokens[k].start()].rstrip(), text[tokens[k].start() :]
    return None


class _Cleaner:
    """Holds the per-document state of one clean() call; created and dropped inside it."""

    def __init__(
        self, text: str, *, keep_lines: bool = False, continue_blocks: bool = True
    ) -> None:
        self.keep_lines = keep_lines
        self.continue_blocks = continue_blocks
        self.units = self._split_units(text)
        self.authors: list[str] = []
        self.contributors: list[str] = []
        self.credits: list[str] = []
        self.notes: list[str] = []
        self.stated_date: str | None = None
        self.title_line: str | None = None

    @staticmethod
    def _split_units(text: str) -> list[_Unit]:
        units: list[_Unit] = []
        group = 0
        for line in text.split("\n"):
            stripped = line.strip()
            if not stripped:
                group += 1
                continue
            units.append(_Unit(group=group, text=stripped))
        return units

    def run(self, *, find_title: bool) -> None:
        self._header(find_title=find_title)
        total = sum(_words(u.text) for u in self.units) or 1
        seen = 0
        block: str | None = None
        block_reason = ""
        block_lines = 0
        in_tail = False
        for unit in self.units:
            seen += _words(unit.text)
            if unit.kind is not None or unit.pieces:
                continue
            if in_tail:
                self._classify_tail(unit)
                continue
            matched = _match_line(unit.text)
            if (
                matched is None
                and block
                and self.continue_blocks
                and block_lines < _MAX_BLOCK_LINES
                and _is_short_label(unit.text)
            ):
                matched = (block, block_reason)
            if matched:
                unit.kind, unit.reason = matched
                if matched[0] in rules.BLOCK_KINDS:
                    block_lines = block_lines + 1 if block == matched[0] else 1
                    if block != matched[0]:
                        block_reason = matched[1]
                    block = matched[0]
                if (
                    matched[0] == "comment-form"
                    and (seen - _words(unit.text)) / total >= _TAIL_FRACTION
                ):
                    in_tail = True
                continue
            block, block_lines = None, 0
            if self._credit(unit):
                continue
            split = _spam_split(unit.text)
            if split:
                prefix, spam = split
                self._split_unit(unit, prefix, spam)
                if (
                    any(k == "comment-form" for _, k, _ in unit.pieces)
                    and seen / total >= _TAIL_FRACTION
                ):
                    in_tail = True

    def _split_unit(self, unit: _Unit, prefix: str, spam: str) -> None:
        if prefix:
            matched = _match_line(prefix)
            if matched:
                unit.pieces.append((prefix, matched[0], matched[1]))
            else:
                unit.pieces.append((prefix, None, ""))
        unit.pieces.append((spam, "spam", "run-on SEO spam (glued domains / gambling words)"))

    def _classify_tail(self, unit: _Unit) -> None:
        """After a comment form near the end: form lines, reader comments, or spam."""
        matched = _match_line(unit.text)
        split = None if matched else _spam_split(unit.text)
        if matched:
            unit.kind, unit.reason = matched
        elif split:
            self._split_unit(unit, *split)
        else:
            unit.kind, unit.reason = "comments", "text after the comment form (reader comments)"

    def _credit(self, unit: _Unit) -> bool:
        credit = parse_photo_credit(unit.text)
        if credit:
            unit.kind, unit.reason = "photo-credit", "photo credit line; recorded in photo_credits"
            self.credits.append(credit)
            return True
        names = parse_credit_line(unit.text)
        if names:
            unit.kind, unit.reason = "byline", "credit line; names recorded in contributors"
            self.contributors.extend(names)
            return True
        return False

    def _header(self, *, find_title: bool) -> None:
        """Title, byline and date lines at the top, before the first prose paragraph."""
        for index, unit in enumerate(self.units[:_HEADER_UNITS]):
            if _is_prose(unit.text) and not (index == 0 and _is_abbreviated_headline(unit.text)):
                break
            wrapped = (
                index + 1 < len(self.units)
                and self.units[index + 1].group == unit.group
                and self.units[index + 1].text[:1].islower()
            )
            if (
                index == 0
                and find_title
                and not wrapped
                and is_title_like(unit.text)
                and _match_line(unit.text) is None
                and parse_photo_credit(unit.text) is None
                and len(self.units) > 1
            ):
                self.title_line = unit.text
                unit.kind = "title"
                continue
            byline = rules.BYLINE.match(unit.text)
            if byline and (names := parse_byline(byline.group("names"))) is not None:
                unit.kind, unit.reason = "byline", "byline; names recorded in authors"
                self.authors.extend(names)
                continue
            date_match = rules.DATE_LINE.match(unit.text)
            date = (
                parse_date(date_match.group("date"))
                if date_match
                else parse_date(unit.text, whole=True)
            )
            if date:
                unit.kind, unit.reason = "byline", "publication date line; recorded in date"
                self.stated_date = self.stated_date or date

    def result(self, source: Path) -> CleanText:
        paragraphs: list[str] = []
        removed: list[Removal] = []
        current: list[str] = []
        current_group = -1
        last_removed_at = -2

        def flush() -> None:
            if current:
                paragraphs.extend(["\n".join(current)] if self.keep_lines else _join_group(current))
                current.clear()

        for position, unit in enumerate(self.units):
            pieces = unit.pieces or [(unit.text, unit.kind, unit.reason)]
            for text, kind, reason in pieces:
                if kind == "title":
                    continue
                if kind is None:
                    if unit.group != current_group:
                        flush()
                        current_group = unit.group
                    current.append(text)
                    continue
                flush()
                current_group = -1
                adjacent = last_removed_at >= position - 1
                if (
                    adjacent
                    and removed
                    and removed[-1].kind == kind
                    and removed[-1].reason == reason
                ):
                    removed[-1] = Removal(kind, removed[-1].text + "\n" + text, reason)
                else:
                    removed.append(Removal(kind, text, reason))
                last_removed_at = position
        flush()
        return CleanText(
            source=source,
            title_line=self.title_line,
            paragraphs=tuple(paragraphs),
            removed=tuple(removed),
            authors=tuple(dict.fromkeys(self.authors)),
            contributors=tuple(dict.fromkeys(self.contributors)),
            photo_credits=tuple(dict.fromkeys(self.credits)),
            stated_date=self.stated_date,
            notes=tuple(self.notes),
        )


def _join_group(lines: list[str]) -> list[str]:
    """Lines of one blank-separated group: hard-wrapped prose is joined, one-per-line kept apart."""
    if len(lines) == 1:
        return lines
    wrapped = sum(1 for line in lines[:-1] if not _SENTENCE_END.search(line))
    if wrapped >= (len(lines) - 1) / 2:
        return [" ".join(lines)]
    return list(lines)


def clean_text(
    text: str,
    source: Path,
    *,
    find_title: bool = True,
    keep_lines: bool = False,
    from_page: bool = False,
) -> CleanText:
    """Split text into kept paragraphs and removed spans (kind, reason), recording credits found.

    keep_lines keeps the line structure of each paragraph (Markdown input). from_page says the
    text is what an extraction kept of an HTML page: each line is then its own block of the page,
    so the short lines after a junk heading ("Related:", "Share this") do not go with it as they
    do in a text dump (the next line is often a real subheading), and when the line rules would
    leave nothing of an article's worth of text (50 words: a page of "Read more" style lines),
    the extraction's judgement stands. Never raises on any text: the worst case keeps everything.
    """
    cleaner = _Cleaner(text, keep_lines=keep_lines, continue_blocks=not from_page)
    cleaner.run(find_title=find_title)
    clean = cleaner.result(source)
    if from_page and not clean.paragraphs and len(text.split()) >= 50:
        kept = tuple(p for p in text.split("\n\n") if p.strip())
        return replace(clean, paragraphs=kept, removed=())
    return clean
