"""Publication dates stated in text, metadata or file names, parsed to ISO 8601; never guessed."""

from __future__ import annotations

import re
from datetime import date, datetime

_MONTHS = {
    name: index
    for index, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_WEEKDAY = r"(?:(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?\.?,?\s+)?"
_TIME = r"(?:,?\s*(?:at\s+)?\d{1,2}(?:[:.]\d{2})?\s*(?:[ap]\.?m\.?)?(?:\s*[A-Z]{2,4})?)?"
_PATTERNS = (
    re.compile(
        rf"{_WEEKDAY}{_MONTH}\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<year>\d{{4}}){_TIME}",
        re.I,
    ),
    re.compile(
        rf"{_WEEKDAY}(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+{_MONTH},?\s+(?P<year>\d{{4}}){_TIME}",
        re.I,
    ),
    re.compile(
        r"(?P<year>\d{4})[-/.](?P<nmonth>\d{1,2})[-/.](?P<day>\d{1,2})"
        r"(?P<time>[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
    ),
)
# Numeric day and month in either order ("09/25/2025", "13.11.2025"): read only when one of the
# two cannot be a month, or both are the same; "03/04/2025" is left unread rather than guessed.
_NUMERIC = re.compile(
    r"(?<![\d/.])(?P<a>\d{1,2})[/.](?P<b>\d{1,2})[/.](?P<year>(?:19|20)\d{2})(?![\d/.])"
)
_FILENAME = re.compile(
    r"(?<!\d)(?P<year>(?:19|20)\d{2})[-_.]?(?P<nmonth>[01]\d)[-_.]?(?P<day>[0-3]\d)(?!\d)"
)


def _build(match: re.Match[str]) -> str | None:
    groups = match.groupdict()
    month = _MONTHS[groups["month"].lower()] if groups.get("month") else int(groups["nmonth"])
    try:
        day = date(int(groups["year"]), month, int(groups["day"]))
    except ValueError:
        return None
    if not 1800 <= day.year <= 2100:
        return None
    time = (groups.get("time") or "").strip()
    if time and (time.endswith("Z") or re.search(r"[+-]\d{2}:?\d{2}$", time)):
        try:
            stamp = datetime.fromisoformat(
                f"{day.isoformat()}T{time.lstrip('T ')}".replace("Z", "+00:00")
            )
            return stamp.isoformat()
        except ValueError:
            return day.isoformat()
    return day.isoformat()


def _numeric(match: re.Match[str]) -> str | None:
    a, b, year = int(match.group("a")), int(match.group("b")), int(match.group("year"))
    if a > 12 >= b:
        day, month = a, b
    elif b > 12 >= a or a == b:
        day, month = b, a
    else:
        return None
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def parse_date(text: str, *, whole: bool = False) -> str | None:
    """ISO date (or date-time when a zone is stated) in text; with whole=True the text must be only a date."""
    text = text.strip()
    if not text or len(text) > 120:
        return None
    for pattern in _PATTERNS:
        match = pattern.fullmatch(text.rstrip(".")) if whole else pattern.search(text)
        if match:
            return _build(match)
    if not whole and (match := _NUMERIC.search(text)):
        return _numeric(match)
    return None


def find_dates(text: str) -> list[tuple[int, str]]:
    """Every date written out in text (names of months, ISO, unambiguous numeric), with its
    offset, in text order."""
    found: list[tuple[int, str]] = []
    for pattern in _PATTERNS:
        found += [(m.start(), d) for m in pattern.finditer(text) if (d := _build(m))]
    found += [(m.start(), d) for m in _NUMERIC.finditer(text) if (d := _numeric(m))]
    return sorted(found)


def parse_filename_date(name: str) -> str | None:
    """A date written in a file name (2024-03-14-harbor.txt, 20240314_harbor.html)."""
    match = _FILENAME.search(name)
    return _build(match) if match else None


def normalize_date(value: str) -> str | None:
    """Normalise a metadata date (ISO or written out) to ISO 8601; None if it is not a date."""
    value = value.strip()
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return parse_date(value)
    if len(value) <= 10:
        return parsed.date().isoformat()
    return parsed.isoformat() if parsed.tzinfo else parsed.date().isoformat()
