"""Stage analyse (per article): Article -> ArticleAnalysis, everything derived from one record alone.

What an article page, the annotation collection, the search indexes and the archive-wide
annotate stage need from an article's body is worked out here once: the body rendered and
sanitized, with spun phrases, quotations and editor notes marked; the notes with their anchors;
the W3C annotations; the body's plain text. None of it depends on any other article, so it runs
in worker processes, and it is cached by the record's content (see render/store.py): an unchanged
record is never converted again, whatever else changed.
"""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import markdown
from markupsafe import Markup

from generator.fingerprint import code_digest
from generator.models import Article, Removal
from generator.render.annotated import (
    Note,
    annotations_of,
    editor_notes,
    marked_body,
    quote_marks,
)
from generator.render.annotations import parse_body
from generator.render.bodies import body_to_html


@dataclass(frozen=True, slots=True)
class ArticleAnalysis:
    """One article's derived data: what its page shows beyond the record's metadata."""

    marked_html: str  # the sanitized body with quotations, spun phrases and noted passages marked
    unmarked_html: str | None  # the body without the marks, when there are any (None: the same)
    notes: tuple[Note, ...]
    annotations: tuple[Mapping[str, Any], ...]  # W3C Web Annotations of notes and spun phrases
    removed: tuple[Removal, ...]  # kept out of the slim record: only the article page shows it
    # Numbers (from 1) of the quotes marked in the body (id q-N); the page's quotes list gives
    # the others their q-N id, so every link from the quotes page lands.
    anchored_quotes: tuple[int, ...] = ()

    @property
    def body_html(self) -> str:
        """The body as Markdown renders it (sanitized), without marks."""
        return self.marked_html if self.unmarked_html is None else self.unmarked_html


def analysis_version(markdown_extensions: tuple[str, ...], base_url: str) -> str:
    """What an analysis depends on besides the record: the code and the body-rendering config."""
    return hashlib.blake2b(
        repr((code_digest(), markdown_extensions, base_url)).encode(), digest_size=12
    ).hexdigest()


def record_digest(article: Article) -> str:
    """Digest of a whole record (every field); equal digests mean equal records."""
    return hashlib.blake2b(pickle.dumps(article, protocol=5), digest_size=16).hexdigest()


def analyze_article(article: Article, md: markdown.Markdown, base_url: str) -> ArticleAnalysis:
    """Render, mark and annotate one article body. md is the caller's converter (not shared
    across threads)."""
    html = str(body_to_html(md, article.body))
    tree = parse_body(html)  # parsed once: its text anchors the marks, then it takes them
    text = str(tree.text_content())
    notes = tuple(editor_notes(article, text))
    marked = str(marked_body(article, html, text, notes, tree))
    return ArticleAnalysis(
        marked_html=marked,
        unmarked_html=None if marked == html else html,
        notes=notes,
        annotations=tuple(annotations_of(article, text, notes, base_url)),
        removed=article.removed,
        anchored_quotes=tuple(
            int(m.element_id[2:]) for m in quote_marks(article, text) if m.element_id
        ),
    )


def slim(article: Article) -> Article:
    """The record without its body and removed spans: what listings and the plan need."""
    return replace(article, body="", removed=())


def markup(value: str) -> Markup:
    return Markup(value)
