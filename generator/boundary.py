"""Record boundary: front-matter values -> plain, clean, bounded, schema-checked data.

Everything that crosses into a record (ingest writing one, the loader reading one) passes here.
Values become the plain types YAML and JSON agree on (str, int, float, bool, None, list, dict
with str keys): a str subclass such as lxml's `_ElementUnicodeResult` becomes a str, a tuple a
list. Text loses the characters no page can hold (C0 controls other than tab and newline, lone
surrogates, U+FFFE/U+FFFF: XML refuses them, and lxml with it). Lists that become pages or
links (tags, names) and the `removed` spans are bounded, so one input cannot make a record the
loader refuses or a site quadratic in its size. The schema check is the team's
article.schema.json, compiled once (fastjsonschema), worded by jsonschema when it fails.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from functools import cache
from importlib import resources
from typing import Any

import fastjsonschema

# Per article: more than this many tags, or names of one kind (people, organizations,
# places), are cut with a message. Each becomes a page listing the article, and the article's
# card lists them: n of them cost n pages of n links.
MAX_TAGS = 100
MAX_NAMES = 500
MAX_QUOTES = 500
# One removed span keeps this many characters, the cut noted; all of them together this many.
# Past the total, spans are counted, not kept (the raw file still has every byte). Keeps a
# record's front matter far below the loader's 1 MB limit whatever the page held.
MAX_SPAN_CHARS = 4_000
MAX_REMOVED_CHARS = 200_000
# Dates that can become archive/<yyyy>/<mm>/ paths: ISO 8601 date or date-time, nothing else.
_ISO_DATE = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2})"
    r"(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
)
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
# Characters XML 1.0 (and so lxml) refuses, plus lone surrogates, which no file can encode.
_UNWRITABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


class RecordValueError(ValueError):
    """A value that is not plain data reached a record: a bug in the stage that made it."""


def clean_text(text: str) -> str:
    """Text without characters a page cannot hold (controls become spaces, CR a newline)."""
    if "\r" not in text and _UNWRITABLE.search(text) is None:
        return text
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _UNWRITABLE.sub(_replacement, text)


def _replacement(match: re.Match[str]) -> str:
    return "\ufffd" if "\ud800" <= match.group() <= "\udfff" else " "


def plain(value: Any, where: str = "front matter") -> Any:
    """`value` as plain JSON-like data with clean text. Raises RecordValueError naming the
    field for anything else (bytes, sets, objects): a record holds data, not objects."""
    kind = type(value)  # exact types first: a record is mostly str, dict and list
    if kind is str:
        return clean_text(value)
    if kind is dict:
        return {
            (k if type(k) is str else clean_text(str(k))): plain(v, f"{where}.{k}")
            for k, v in value.items()
        }
    if kind is list or kind is tuple:
        return [plain(v, f"{where}[{i}]") for i, v in enumerate(value)]
    if value is None or kind is bool or kind is int or kind is float:
        return value
    if isinstance(value, str):
        return clean_text(str(value))  # str() of a str subclass is a plain str
    if isinstance(value, int):  # a subclass (IntEnum); bool has none
        return int(value)
    if isinstance(value, float):  # a subclass (numpy.float64)
        return float(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return plain(dict(value), where)
    if isinstance(value, list | tuple):
        return plain(list(value), where)
    raise RecordValueError(f"{where}: {type(value).__name__} is not plain data")


def iso_date(value: Any) -> str | None:
    """The date part (YYYY-MM-DD) of an ISO 8601 date or date-time naming a real day, else None."""
    if not isinstance(value, str):
        return None
    match = _ISO_DATE.fullmatch(value)
    if match is None:
        return None
    try:
        day = date.fromisoformat(match.group("date"))
        if len(value) > 10:
            datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return day.isoformat()


def date_problem(value: Any) -> str | None:
    """Why a record's `date` cannot be used (None when it is absent or a real ISO date)."""
    if value is None or iso_date(value) is not None:
        return None
    shown = repr(value) if len(repr(value)) <= 60 else repr(value)[:57] + "..."
    return f"date: {shown} is not a real date (ISO 8601)"


def is_slug(value: str) -> bool:
    """A slug that is safe as a folder name (the schema's pattern, matched to the very end)."""
    return len(value) <= 120 and SLUG.fullmatch(value) is not None


def bounded_removed(spans: Sequence[Mapping[str, str]]) -> list[dict[str, str]]:
    """`removed` spans cut to MAX_SPAN_CHARS each and MAX_REMOVED_CHARS in all; what is cut is
    said in the span (its length) or in one closing span (how many more, how long)."""
    kept: list[dict[str, str]] = []
    total = 0
    dropped = dropped_chars = 0
    for span in spans:
        text = span["text"]
        if total >= MAX_REMOVED_CHARS:
            dropped += 1
            dropped_chars += len(text)
            continue
        room = min(MAX_SPAN_CHARS, MAX_REMOVED_CHARS - total)
        if len(text) > room:
            cut = text[:room].rsplit(" ", 1)[0] if " " in text[:room] else text[:room]
            text = f"{cut} [… {len(span['text']) - len(cut):,} more characters in the raw file]"
        total += len(text)
        kept.append({**span, "text": text})
    if dropped:
        kept.append(
            {
                "kind": "boilerplate",
                "text": f"[{dropped:,} more removed spans, {dropped_chars:,} characters, "
                "are in the raw file only]",
                "reason": "the record keeps at most "
                f"{MAX_REMOVED_CHARS:,} characters of removed text",
            }
        )
    return kept


@cache
def schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(
        resources.files("generator").joinpath("data/article.schema.json").read_text("utf-8")
    )
    return loaded


@cache
def validator() -> Any:
    """jsonschema's validator: only asked to word the message for a record that failed."""
    import jsonschema

    return jsonschema.Draft202012Validator(schema())


@cache
def is_valid() -> Callable[[Any], bool]:
    """A compiled check (fastjsonschema), 20x faster than jsonschema's; the schema uses only
    keywords that mean the same in draft 7 and 2020-12 (tests/render/test_load.py checks the
    two agree)."""
    draft7 = {**schema(), "$schema": "http://json-schema.org/draft-07/schema#"}
    check = fastjsonschema.compile(draft7)

    def valid(data: Any) -> bool:
        try:
            check(data)
        except fastjsonschema.JsonSchemaException:
            return False
        return True

    return valid


def schema_problem(data: Mapping[str, Any]) -> str | None:
    """The first schema violation of a record as 'field: message (and N more)', or None."""
    if is_valid()(data):
        return None
    errors = sorted(validator().iter_errors(data), key=lambda e: list(e.absolute_path))
    if not errors:
        return None
    error = errors[0]
    where = ".".join(str(p) for p in error.absolute_path) or "front matter"
    message = error.message if len(error.message) <= 160 else error.message[:157] + "..."
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{where}: {message}{more}"
