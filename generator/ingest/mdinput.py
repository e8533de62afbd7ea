"""Stage clean (Markdown input): a raw .md file -> its stated metadata and body text."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from generator.errors import ArticleError
from generator.frontmatter import split_front_matter
from generator.ingest.dates import normalize_date
from generator.models import SourceMeta


def _text(value: Any) -> str | None:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return str(value).strip() or None
    return None


def _names(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value.strip(),) if value.strip() else ()
    if isinstance(value, list):
        return tuple(str(v).strip() for v in value if isinstance(v, str | int) and str(v).strip())
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
