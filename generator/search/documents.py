"""Search (index of record): what the Whoosh index holds of an article, without Whoosh.

Made for every record read by a build (in its load workers), so it must not cost the import of
Whoosh (about 0.4 s): whoosh_index.py indexes these and re-exports them. The text indexed is the
text a reader sees: the body as Markdown renders it, without markup or link targets.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from generator.search.query_syntax import WORD

if TYPE_CHECKING:
    from generator.models import Article

# Bump when fields.py's schema() or fields() change: the next build re-indexes every article.
# 5: byline and names fields, facet values accent-folded, the body as rendered text;
# 6: positions count common words (a phrase's common words hold their place);
# 7: title x4 (was x2), names x1 holding only the words the body lacks (was every name, x1.5).
SCHEMA_VERSION = 7


def names_beyond(names: Sequence[str], body: str) -> str:
    """The words of the names an article mentions (people, organizations, places) that its body
    does not have, each once, in order: what the names field adds to the body.

    The names are the extractor's list of what the body mentions, so their words are mostly in
    the body already; counted again they would rank an article higher for having a word
    recognised as a name (in capitals, TIME's 1963 text, many words are), not for being more
    about it. What the list adds is a name's full form where the text uses a short one ("John
    F. Kennedy" where it says "Kennedy"), so that a reader who types the full name finds it.
    Words compare lower-cased, as typed (the stemmer is not needed to tell a name's words)."""
    if not names:
        return ""
    have = set(WORD.findall(body.lower()))
    found = dict.fromkeys(w for name in names for w in WORD.findall(name) if w.lower() not in have)
    return " ".join(found)


def plain_text(body_html: str) -> str:
    """The text of a rendered body as a reader sees it: no tags, no link targets, one blank
    line between blocks."""
    from generator.render.annotations import body_text

    return re.sub(r"\n\s*\n\s*", "\n\n", body_text(body_html)).strip()


def _rendered_text(markdown_body: str) -> str:
    from dataclasses import fields

    from generator.config import Config
    from generator.render.bodies import body_to_html, make_markdown

    extensions = next(f.default for f in fields(Config) if f.name == "markdown_extensions")
    md = make_markdown(extensions)  # type: ignore[arg-type]
    return plain_text(str(body_to_html(md, markdown_body)))


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
        "\x01",
        *article.authors,
        "\x01",
        *article.contributors,
    )
    import hashlib  # here: the build's, not a search's (a search process imports this module)

    return hashlib.sha256("\x00".join(parts).encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class SearchDocument:
    """What the index holds for one article: plain, picklable, cheap to send between processes.

    search_document() makes one from an Article; update_index() and build_index() take either.
    """

    slug: str
    title: str
    text: str  # the body as a reader sees it (rendered, no markup): indexed, shown in snippets
    summary: str
    url: str
    date: str | None
    year: str | None
    people: tuple[str, ...]
    organizations: tuple[str, ...]
    places: tuple[str, ...]
    tags: tuple[str, ...]
    digest: str
    byline: tuple[
        str, ...
    ] = ()  # authors, then contributors  # article_digest() of the article it was made from


def search_document(article: Article, text: str | None = None) -> SearchDocument:
    """The article as the index sees it (a pure function of the article). `text` is the body's
    plain_text() when the caller rendered it already; else the body is rendered here."""
    from generator.render.plan import article_url

    return SearchDocument(
        slug=article.slug,
        title=article.title,
        text=_rendered_text(article.body) if text is None else text,
        summary=article.summary,
        url=article_url(article),
        date=article.date,
        year=article.year,
        people=tuple(article.people),
        organizations=tuple(article.organizations),
        places=tuple(article.places),
        tags=tuple(article.tags),
        digest=article_digest(article),
        byline=(*article.authors, *article.contributors),
    )
