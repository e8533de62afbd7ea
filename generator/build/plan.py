"""Stage plan: the full tuple of Articles -> every output Page and the inputs it depends on."""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from generator.annotate.archive import ArchiveAnnotation
from generator.build.entities import KIND_LABELS, KINDS, EntityIndex, build_entity_index
from generator.config import Config
from generator.models import Article, Page


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


def article_url(article: Article) -> str:
    return f"articles/{article.slug}/"


def _inputs(articles: Sequence[Article]) -> tuple[str, ...]:
    return tuple(a.slug for a in articles)


def _paginate(
    articles: Sequence[Article],
    per_page: int,
    first_url: str,
    prefix: str,
    title: str,
    template: str,
) -> list[Page]:
    chunks = [articles[i : i + per_page] for i in range(0, len(articles), per_page)] or [[]]
    urls = [first_url] + [f"{prefix}page/{n}/" for n in range(2, len(chunks) + 1)]
    pages = []
    for index, chunk in enumerate(chunks):
        pagination = Pagination(
            number=index + 1,
            count=len(chunks),
            prev_url=urls[index - 1] if index > 0 else None,
            next_url=urls[index + 1] if index + 1 < len(chunks) else None,
        )
        heading = title if index == 0 else f"{title} (page {index + 1} of {len(chunks)})"
        pages.append(
            Page(
                urls[index],
                template,
                {"title": heading, "articles": tuple(chunk), "pagination": pagination},
                _inputs(chunk),
            )
        )
    return pages


@dataclass(frozen=True, slots=True)
class Link:
    """A duplicate or spun-copy relation from one article page to another."""

    article: Article
    relation: str
    similarity: float


@dataclass(frozen=True, slots=True)
class ArticlePages:
    """What an article page needs from the rest of the archive, kept so one page can be redone.

    The preview re-renders an edited article's own page from this at once, before the whole
    archive is planned again.
    """

    index: EntityIndex
    by_slug: Mapping[str, Article]
    annotations: Mapping[str, ArchiveAnnotation]

    def with_article(self, article: Article) -> ArticlePages:
        """The same view with one article replaced by a newer version of it (same slug)."""
        return ArticlePages(self.index, {**self.by_slug, article.slug: article}, self.annotations)

    def page(self, article: Article) -> Page:
        refs = {
            kind: tuple(r for name in getattr(article, kind) if (r := self.index.ref(kind, name)))
            for kind in KINDS
        }
        notes = self.annotations.get(article.slug)
        links = tuple(
            Link(self.by_slug[d.slug], d.relation, d.similarity)
            for d in (notes.duplicates if notes else ())
            if d.slug in self.by_slug
        )
        related = tuple(
            self.by_slug[s] for s in (notes.related if notes else ()) if s in self.by_slug
        )
        context = {
            "title": article.title,
            "article": article,
            "entities": refs,
            "links": links,
            "related": related,
        }
        return Page(article_url(article), "article.html", context, (article.slug,))


def article_pages(
    articles: tuple[Article, ...], annotations: Mapping[str, ArchiveAnnotation] | None = None
) -> ArticlePages:
    return ArticlePages(
        build_entity_index(articles), {a.slug: a for a in articles}, annotations or {}
    )


def plan_site(
    articles: tuple[Article, ...],
    config: Config,
    annotations: Mapping[str, ArchiveAnnotation] | None = None,
    maker: ArticlePages | None = None,
) -> tuple[Page, ...]:
    """Decide every page of the site from the whole set of articles (newest first)."""
    maker = maker or article_pages(articles, annotations)
    index = maker.index
    pages: list[Page] = [maker.page(article) for article in articles]
    pages.extend(_paginate(articles, config.per_page, "", "", config.title, "index.html"))

    by_year: dict[str, list[Article]] = defaultdict(list)
    by_month: dict[tuple[str, str], list[Article]] = defaultdict(list)
    undated: list[Article] = []
    for article in articles:
        if article.year and article.month:
            by_year[article.year].append(article)
            by_month[(article.year, article.month)].append(article)
        elif article.year:
            by_year[article.year].append(article)
        else:
            undated.append(article)
    years = [
        ArchiveEntry(y, f"archive/{y}/", len(by_year[y])) for y in sorted(by_year, reverse=True)
    ]
    pages.append(
        Page(
            "archive/",
            "archive_index.html",
            {"title": "Archive", "years": tuple(years), "undated_count": len(undated)},
            _inputs(articles),
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
        pages.append(
            Page(
                f"archive/{year}/",
                "archive.html",
                {
                    "title": f"Articles from {year}",
                    "articles": tuple(by_year[year]),
                    "months": months,
                },
                _inputs(by_year[year]),
            )
        )
    for (year, month), items in sorted(by_month.items(), reverse=True):
        title = f"Articles from {calendar.month_name[int(month)]} {year}"
        pages.append(
            Page(
                f"archive/{year}/{month}/",
                "archive.html",
                {"title": title, "articles": tuple(items), "months": ()},
                _inputs(items),
            )
        )
    pages.append(
        Page(
            "undated/",
            "archive.html",
            {"title": "Undated articles", "articles": tuple(undated), "months": ()},
            _inputs(undated),
        )
    )
    for kind in KINDS:
        views = index.views[kind]
        pages.append(
            Page(
                f"{kind}/",
                "entity_index.html",
                {"title": KIND_LABELS[kind], "kind": kind, "entities": tuple(v.ref for v in views)},
                _inputs(articles),
            )
        )
        for view in views:
            pages.append(
                Page(
                    view.ref.url,
                    "entity.html",
                    {
                        "title": view.ref.name,
                        "kind": kind,
                        "kind_label": KIND_LABELS[kind],
                        "entity": view,
                    },
                    _inputs(view.articles),
                )
            )
    quoted = tuple(a for a in articles if a.quotes)
    pages.append(
        Page("quotes/", "quotes.html", {"title": "Quotes", "articles": quoted}, _inputs(quoted))
    )
    feed_items = tuple(articles[: config.feed_items])
    pages.append(
        Page(
            "feed.xml",
            "feed.xml",
            {"title": config.title, "articles": feed_items},
            _inputs(feed_items),
        )
    )
    pages.append(
        Page(
            "feed.json",
            "feed.json",
            {"title": config.title, "articles": feed_items},
            _inputs(feed_items),
        )
    )
    pages.append(
        Page(
            "sitemap.xml",
            "sitemap.xml",
            {"title": "Sitemap", "articles": articles},
            _inputs(articles),
        )
    )
    pages.append(Page("robots.txt", "robots.txt", {"title": "robots"}, ()))
    pages.append(Page("404.html", "404.html", {"title": "Page not found"}, ()))
    pages.append(Page("search/", "search.html", {"title": "Search"}, ()))
    pages.append(
        Page(
            "annotations.jsonld",
            "annotations.jsonld",
            {"title": "Annotations", "articles": articles},
            _inputs(articles),
        )
    )
    return tuple(pages)
