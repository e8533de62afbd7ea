"""Stage plan: the catalog's Entries -> every output Page, its articles named by reference.

A page's context names articles by ArticleRef (and an article page its analysis by AnalysisRef)
instead of holding them: the plan of a 100,000-article archive stays small, a page's fingerprint
is taken from the referenced articles' digests, and only the pages that are rendered have their
articles read from the store (render.hydrate). Long listings (the front page, archives, entity
pages, quotes) are paginated, so one edit re-renders one page of each, and a page never grows
with the archive.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from generator.config import Config
from generator.models import Page
from generator.render.entities import KIND_LABELS, KINDS, EntityIndex, build_entity_index

if TYPE_CHECKING:
    from generator.annotate.links import ArchiveAnnotation

# Entries per page of the quotes page and of entity and archive listings.
LISTING_PAGE = 50
# URLs per sitemap file (the sitemap protocol allows 50,000); beyond, sitemap.xml is an index.
SITEMAP_URLS = 50_000


class Sluggable(Protocol):
    @property
    def slug(self) -> str: ...


class Dated(Sluggable, Protocol):
    @property
    def date(self) -> str | None: ...


@dataclass(frozen=True, slots=True)
class ArticleRef:
    """An article in a page context, by slug; render.hydrate replaces it with the record."""

    slug: str


@dataclass(frozen=True, slots=True)
class AnalysisRef:
    """An article's analysis (rendered body, notes, annotations) in a page context."""

    slug: str


@dataclass(frozen=True, slots=True)
class Pagination:
    number: int
    count: int
    prev_url: str | None
    next_url: str | None


@dataclass(frozen=True, slots=True)
class ArchiveEntry:
    """A year or month with how many articles it holds, for archive navigation."""

    label: str
    url: str
    count: int


@dataclass(frozen=True, slots=True)
class SitemapEntry:
    url: str
    lastmod: str | None


def article_url(article: Sluggable) -> str:
    return f"articles/{article.slug}/"


# One reference object per slug, shared by every page that lists the article (a plan of 10,000
# articles would otherwise make over 100,000 of them).
_REFS: dict[str, ArticleRef] = {}


def ref(slug: str) -> ArticleRef:
    found = _REFS.get(slug)
    if found is None:
        if len(_REFS) > 1_000_000:
            _REFS.clear()
        found = _REFS[slug] = ArticleRef(slug)
    return found


def _refs(entries: Sequence[Sluggable]) -> tuple[ArticleRef, ...]:
    return tuple(ref(e.slug) for e in entries)


def _paginate(
    entries: Sequence[Sluggable],
    per_page: int,
    first_url: str,
    template: str,
    title: str,
    extra: Mapping[str, Any] | None = None,
) -> list[Page]:
    """first_url, first_url + page/2/, ...: `per_page` articles each (one empty page if none)."""
    chunks = [entries[i : i + per_page] for i in range(0, len(entries), per_page)] or [[]]
    urls = [first_url] + [f"{first_url}page/{n}/" for n in range(2, len(chunks) + 1)]
    pages = []
    for index, chunk in enumerate(chunks):
        pagination = Pagination(
            number=index + 1,
            count=len(chunks),
            prev_url=urls[index - 1] if index > 0 else None,
            next_url=urls[index + 1] if index + 1 < len(chunks) else None,
        )
        heading = title if index == 0 else f"{title} (page {index + 1} of {len(chunks)})"
        context = {"title": heading, "articles": _refs(chunk), "pagination": pagination}
        pages.append(Page(urls[index], template, {**context, **(extra or {})}))
    return pages


@dataclass(frozen=True, slots=True)
class Link:
    """A duplicate or spun-copy relation from one article page to another."""

    article: ArticleRef
    relation: str
    similarity: float


@dataclass(frozen=True, slots=True)
class ArticlePages:
    """What an article page needs from the rest of the archive, kept so one page can be redone.

    The preview re-renders an edited article's own page from this at once, before the whole
    archive is planned again.
    """

    index: EntityIndex
    entries: Mapping[str, Any]  # slug -> Entry
    annotations: Mapping[str, ArchiveAnnotation]

    def page(self, article: Any) -> Page:
        """The page of an article (an Entry or a record: anything with slug and entity names)."""
        refs = {
            kind: tuple(
                r
                for name in dict.fromkeys(n for n in getattr(article, kind) if n.strip())
                if (r := self.index.ref(kind, name))
            )
            for kind in KINDS
        }
        context = {
            "article": ref(article.slug),
            "analysis": AnalysisRef(article.slug),
            "entities": refs,
            **article_links(self.annotations.get(article.slug), self.entries),
        }
        return Page(article_url(article), "article.html", context)


def article_links(
    notes: ArchiveAnnotation | None, known: Mapping[str, Any]
) -> dict[str, tuple[Any, ...]]:
    """The `links` (copies and originals) and `related` articles of an article page's context."""
    links = tuple(
        Link(ref(d.slug), d.relation, d.similarity)
        for d in (notes.duplicates if notes else ())
        if d.slug in known
    )
    related = tuple(ref(s) for s in (notes.related if notes else ()) if s in known)
    return {"links": links, "related": related}


def article_pages(
    entries: Sequence[Any], annotations: Mapping[str, ArchiveAnnotation] | None = None
) -> ArticlePages:
    return ArticlePages(
        build_entity_index(entries), {e.slug: e for e in entries}, annotations or {}
    )


def plan_site(
    entries: Sequence[Any],
    config: Config,
    annotations: Mapping[str, ArchiveAnnotation] | None = None,
    maker: ArticlePages | None = None,
    *,
    search: Mapping[str, str] | None = None,
) -> tuple[Page, ...]:
    """Decide every page of the site from the whole set of entries (newest first).

    An entry is anything with slug, date, the entity name tuples, `quotes` (how many) and
    `annotated`: the catalog's Entries, or records in tests. `search` is what the search page
    is told of the reader index's bundles (search_update.StaticUpdate.page_context): its extra
    shards and its delta, which the page merges into the base bundle.
    """
    maker = maker or article_pages(entries, annotations)
    index = maker.index
    pages: list[Page] = [maker.page(entry) for entry in entries]
    pages.extend(_paginate(entries, config.per_page, "", "index.html", config.title))

    by_year: dict[str, list[Any]] = defaultdict(list)
    by_month: dict[tuple[str, str], list[Any]] = defaultdict(list)
    undated: list[Any] = []
    for entry in entries:
        year, month = _year_month(entry.date)
        if year and month:
            by_year[year].append(entry)
            by_month[(year, month)].append(entry)
        elif year:
            by_year[year].append(entry)
        else:
            undated.append(entry)
    years = [
        ArchiveEntry(y, f"archive/{y}/", len(by_year[y])) for y in sorted(by_year, reverse=True)
    ]
    pages.append(
        Page(
            "archive/",
            "archive_index.html",
            {"title": "Archive", "years": tuple(years), "undated_count": len(undated)},
        )
    )
    for year in sorted(by_year, reverse=True):
        months = tuple(
            ArchiveEntry(
                f"{calendar.month_name[int(m)]} {y}", f"archive/{y}/{m}/", len(by_month[(y, m)])
            )
            for (y, m) in sorted(by_month, reverse=True)
            if y == year
        )
        pages.extend(
            _paginate(
                by_year[year],
                LISTING_PAGE,
                f"archive/{year}/",
                "archive.html",
                f"Articles from {year}",
                {"months": months},
            )
        )
    for (year, month), items in sorted(by_month.items(), reverse=True):
        title = f"Articles from {calendar.month_name[int(month)]} {year}"
        pages.extend(
            _paginate(
                items,
                LISTING_PAGE,
                f"archive/{year}/{month}/",
                "archive.html",
                title,
                {"months": ()},
            )
        )
    pages.extend(
        _paginate(
            undated, LISTING_PAGE, "undated/", "archive.html", "Undated articles", {"months": ()}
        )
    )
    for kind in KINDS:
        views = index.views[kind]
        pages.append(
            Page(
                f"{kind}/",
                "entity_index.html",
                {"title": KIND_LABELS[kind], "kind": kind, "entities": tuple(v.ref for v in views)},
            )
        )
        for view in views:
            pages.extend(
                _paginate(
                    view.articles,
                    LISTING_PAGE,
                    view.ref.url,
                    "entity.html",
                    view.ref.name,
                    {
                        "kind": kind,
                        "kind_label": KIND_LABELS[kind],
                        "entity": view.ref,
                        "related": view.related,
                    },
                )
            )
    quoted = [e for e in entries if e.quotes]
    pages.extend(_paginate(quoted, LISTING_PAGE, "quotes/", "quotes.html", "Quotes"))
    feed_items = entries[: config.feed_items]
    pages.append(
        Page("feed.xml", "feed.xml", {"title": config.title, "articles": _refs(feed_items)})
    )
    pages.append(
        Page(
            "feed.json",
            "feed.json",
            {
                "title": config.title,
                "articles": _refs(feed_items),
                "analyses": tuple(AnalysisRef(e.slug) for e in feed_items),
            },
        )
    )
    pages.extend(_sitemaps(entries))
    pages.append(Page("robots.txt", "robots.txt", {"title": "robots"}))
    pages.append(Page("404.html", "404.html", {"title": "Page not found"}))
    pages.append(
        Page(
            "search/",
            "search.html",
            {"title": "Search", "search_shards": "", "search_delta": "", **(search or {})},
        )
    )
    annotated = [e for e in entries if e.annotated]
    pages.append(
        Page(
            "annotations.jsonld",
            "annotations.jsonld",
            {
                "title": "Annotations",
                "articles": _refs(annotated),
                "analyses": tuple(AnalysisRef(e.slug) for e in annotated),
            },
        )
    )
    return tuple(pages)


def _year_month(date: str | None) -> tuple[str | None, str | None]:
    if not date:
        return None, None
    return date[:4], (date[5:7] if len(date) >= 7 else None)


def _sitemaps(entries: Sequence[Dated]) -> list[Page]:
    """sitemap.xml; past SITEMAP_URLS articles, a sitemap index of sitemaps/N.xml files."""
    urls = tuple(SitemapEntry(article_url(e), e.date[:10] if e.date else None) for e in entries)
    chunks = [urls[i : i + SITEMAP_URLS] for i in range(0, len(urls), SITEMAP_URLS)] or [()]
    if len(chunks) == 1:
        return [
            Page("sitemap.xml", "sitemap.xml", {"title": "Sitemap", "urls": urls, "home": True})
        ]
    parts = [
        Page(
            f"sitemaps/{n}.xml", "sitemap.xml", {"title": "Sitemap", "urls": chunk, "home": n == 1}
        )
        for n, chunk in enumerate(chunks, 1)
    ]
    index = Page(
        "sitemap.xml",
        "sitemap_index.xml",
        {"title": "Sitemap", "sitemaps": tuple(p.url for p in parts)},
    )
    return [index, *parts]
