"""Stage clean (Markdown input): a raw .md file -> its stated metadata and body text."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from generator.errors import ArticleError
from generator.frontmatter import split_front_matter
from generator.ingest.dates import normalize_date
from generator.models import SourceMeta


def _repaired(text: str) -> str:
    """A front-matter value, repaired as read.py repairs an input's text (which it does only
    once the YAML is parsed): "Mayor&#39;s budget" from a Jekyll export becomes "Mayor's
    budget"; full-width letters stay."""
    if text.isascii() and "&" not in text and text.isprintable():
        return text.strip()  # nothing ftfy would change (it costs 0.1 ms a call)
    import ftfy

    return ftfy.fix_text(text, uncurl_quotes=False, fix_character_width=False).strip()


def _text(value: Any) -> str | None:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return _repaired(str(value)) or None
    return None


def _names(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (_repaired(value),) if value.strip() else ()
    if isinstance(value, list):
        names = (_repaired(str(v)) for v in value if isinstance(v, str | int))
        return tuple(name for name in names if name)
    return ()


def read_markdown_input(text: str, source: Path) -> tuple[SourceMeta, str]:
    """Front matter (title, date, authors, url, tags...) and body of a Markdown input.

    Raises ArticleError when its front matter is malformed.
    """
    data, body, _ = split_front_matter(text, source, stage="read")
    date_text = _text(data.get("date"))
    date = normalize_date(date_text) if date_text else None
    if date_text and date is None:
        # Stated by the file's author, so never dropped in silence (nor guessed).
        shown = repr(date_text) if len(date_text) <= 60 else repr(date_text[:57]) + "..."
        raise ArticleError(
            source,
            "read",
            f"date: {shown} in the front matter is not a real date",
            "Write it as YYYY-MM-DD, or remove the line for an undated article",
        )
    meta = SourceMeta(
        title=_text(data.get("title")),
        date=date,
        date_source="metadata" if date else None,
        authors=_names(data.get("authors") or data.get("author")),
        url=_text(data.get("url")),
        publisher=_text(data.get("publisher")),
        language=_text(data.get("language")),
        tags=_names(data.get("tags")),
    )
    return meta, body
