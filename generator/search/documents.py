"""Search (index of record): what the Whoosh index holds of an article, without Whoosh.

Made for every record read by a build (in its load workers), so it must not cost the import of
Whoosh (about 0.4 s): whoosh_index.py indexes these and re-exports them.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from generator.models import Article
from generator.render.plan import article_url

SCHEMA_VERSION = (
    4  # bump when whoosh_index's _schema() or _document() change: the next build re-indexes all
)


def _plain_body(markdown_body: str) -> str:
    text = re.sub(r"^\s*(?:\\)?[#>*+-]\s+", "", markdown_body, flags=re.M)
    return text.replace("\\", "")


def article_digest(article: Article) -> str:
    """Hash of everything the index stores for an article, cheap enough to take for 10k articles."""
    parts = (
        str(SCHEMA_VERSION),
        article.slug,
        article.title,
        article.body,
        article.summary,
        article.date or "",
        *article.people,
        "\x01",
        *article.organizations,
        "\x01",
        *article.places,
        "\x01",
        *article.tags,
    )
    return hashlib.sha256("\x00".join(parts).encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class SearchDocument:
    """What the index holds for one article: plain, picklable, cheap to send between processes.

    search_document() makes one from an Article; update_index() and build_index() take either.
    """

    slug: str
    title: str
    text: str  # the body as plain text (Markdown markers removed): indexed, and shown in snippets
    summary: str
    url: str
    date: str | None
    year: str | None
    people: tuple[str, ...]
    organizations: tuple[str, ...]
    places: tuple[str, ...]
    tags: tuple[str, ...]
    digest: str  # article_digest() of the article it was made from


def search_document(article: Article) -> SearchDocument:
    """The article as the index sees it (a pure function of the article)."""
    return SearchDocument(
        slug=article.slug,
        title=article.title,
        text=_plain_body(article.body),
        summary=article.summary,
        url=article_url(article),
        date=article.date,
        year=article.year,
        people=tuple(article.people),
        organizations=tuple(article.organizations),
        places=tuple(article.places),
        tags=tuple(article.tags),
        digest=article_digest(article),
    )
