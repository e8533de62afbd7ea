"""Stage clean (HTML header): the dates and bylines a reader sees around the article's headline.

Many pages state their date and author only in the text under the headline ("By Ann Lee ·
Updated August 14, 2025"), not in their metadata; and where both exist, the visible ones are
what the page tells its reader. This module reads the page's text from a little before the
headline to a little after it (the header block), and finds dates and bylines there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from generator.ingest.credits import parse_byline
from generator.ingest.dates import find_dates

_SPACE = re.compile(r"\s+")
# The header block: characters of page text before and after the headline.
_BEFORE, _AFTER = 160, 500
# A date labelled as an update is the page's last change, not its publication.
_UPDATED = re.compile(r"(?:updated|modified|reviewed|edited)\W{0,3}(?:on|at)?\W{0,3}$", re.I)
# "By Ann Lee" opening a block of the header, or an explicit label anywhere in it.
_BYLINE = re.compile(
    r"(?:(?:^|\n)[\s|•·–—-]*by(?-i:(?=[A-Z]))|"
    r"(?:(?:^|\n)[\s|•·–—-]*by|(?:written|posted|published|article|story|words)\s+by|"
    r"(?<=\d{4} )by|(?:^|\n|\s)authors?\s*:)\s*[:\-–—]?\s+)(?P<names>[^\n]{2,160})",
    re.I,
)
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
# Where the names of a byline end: a separator, a date, a reading time, a role, a sentence.
_BYLINE_END = re.compile(
    r"\s+(?:[|•·—–/]|on\s|in\s|at\s|updated\b|published\b|posted\b|last\b|reviewed\b|"
    rf"fact[- ]checked\b|edited\b|medically\b|{_MONTH}\.?\s+\d)|\s*\d|(?-i:(?<=[a-z]{{3}})\.\s)|"
    r"\s{2,}|[;:!?(]|(?-i:(?<=[a-z])(?=[A-Z][a-z]{2,8}\.?\s+\d))",
    re.I,
)
# Inline elements with no space between them: "ByAnn Lee", "Ann LeeNovember 3".
_GLUED_BY = re.compile(r"^(?:By|Von|Par|Por)(?=[A-Z])")
# Words that a byline cut in the wrong place leaves behind: never a name on their own.
_NOT_NAMES = re.compile(
    rf"^(?:{_MONTH}|mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?$|^(?:the author|admin|staff|team|"
    r"editor|editors|guest|anonymous|unknown|development|counsel)$",
    re.I,
)
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6", "caption", "legend", "summary"})
_READ_TIME = re.compile(r"\b\d+\s*min(?:ute)?s?\b", re.I)
_AUTHOR_XPATH = (
    ".//*[@rel='author' or @itemprop='author' or contains(@class, 'author') or "
    "contains(@class, 'byline') or contains(@class, 'Author') or contains(@class, 'Byline')]"
)
_BYLINE_PREFIX = re.compile(
    r"^(?:(?:written|posted|published|article|story|words)\s+by|by|authors?)\s*[:\-–—]?\s*", re.I
)


@dataclass(frozen=True, slots=True)
class Header:
    """What the header block of a page states."""

    dates: tuple[str, ...]  # publication dates in reading order
    updated: tuple[str, ...]  # dates labelled as updates
    authors: tuple[str, ...]  # names of the first byline


def _header_lines(
    blocks: list[tuple[str, Any]], headline: Any
) -> tuple[list[tuple[str, Any]], int]:
    """The blocks from _BEFORE characters before the headline to _AFTER after it, and the
    headline's index among them; ([], 0) when the headline is not among the blocks."""
    at = None
    for index, (_, holder) in enumerate(blocks):
        node = holder
        while node is not None and node is not headline:
            node = node.getparent()
        if node is headline:
            at = index
            break
    if at is None:
        return [], 0
    before: list[tuple[str, Any]] = []
    for text, holder in reversed(blocks[:at]):
        if sum(len(t) for t, _ in before) >= _BEFORE:
            break
        before.insert(0, (text[-_BEFORE:], holder))
    after: list[tuple[str, Any]] = []
    for text, holder in blocks[at:]:
        if sum(len(t) for t, _ in after) >= _AFTER:
            break
        after.append((text, holder))
    return before + after, len(before)


def is_not_name(text: str) -> bool:
    """A word a byline cut in the wrong place leaves behind (a month, 'Admin', 'Staff')."""
    return bool(_NOT_NAMES.match(text))


def _names(text: str) -> tuple[str, ...]:
    """The names a byline starts with ('Ann Lee and Bo Li · 5 min read' -> both names)."""
    text = _GLUED_BY.sub("", text)
    end = _BYLINE_END.search(text)
    names = parse_byline((text[: end.start()] if end else text).strip(" ,.-–—"))
    return tuple(n for n in names or () if not _NOT_NAMES.match(n))


def _byline(blocks: list[tuple[str, Any]], at: int) -> tuple[str, ...]:
    """A labelled byline ('By Ann Lee', 'Written by', 'Author:'); else a line of names alone
    just under the headline, next to a date or a reading time (the usual byline row); never a
    heading."""
    lines = [text for text, _ in blocks]
    for match in _BYLINE.finditer("\n".join(lines)):
        if found := _names(match.group("names")):
            return found
    for index in range(at + 1, min(len(lines), at + 5)):
        line, holder = blocks[index]
        if holder.tag in _HEADINGS or len(line) > 120:
            continue
        names = _names(line)
        if not names or not all(" " in n for n in names):
            continue
        near = " ".join(lines[max(at + 1, index - 1) : index + 2])
        if find_dates(near) or _READ_TIME.search(near):
            return names
    return ()


def read_header(blocks: list[tuple[str, Any]], headline: Any) -> Header:
    """Dates and byline in the header block around `headline` (html_text.visible_blocks of the
    page, and the headline element among them)."""
    lines, at = _header_lines(blocks, headline) if headline is not None else ([], 0)
    text = "\n".join(t for t, _ in lines)
    dates: list[str] = []
    updated: list[str] = []
    for start, value in find_dates(text):
        (updated if _UPDATED.search(text[max(0, start - 30) : start]) else dates).append(value)
    return Header(tuple(dates), tuple(updated), _byline(lines, at))


def byline_elements(root: Any) -> tuple[str, ...]:
    """Names in the first element marked as the author or byline (rel, itemprop or class)."""
    for element in root.xpath(_AUTHOR_XPATH):
        if element.tag in {"meta", "link", "script", "style", "body", "html", "article", "main"}:
            continue
        text = _SPACE.sub(" ", " ".join(element.itertext())).strip()
        if not text or len(text) > 120:
            continue
        names = _names(_BYLINE_PREFIX.sub("", text))
        if names and all(" " in n for n in names):  # a lone word here is a label, not a name
            return names
    return ()
