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
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from generator.config import Config
from generator.models import Page
from generator.render.entities import (
    BYLINE,
    KIND_LABELS,
    KINDS,
    EntityIndex,
    build_entity_index,
)
from generator.render.listing import Badge, entity_letters, listing_badges, top_entities

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
    cards: CardExtras | None = None,
) -> list[Page]:
    """first_url, first_url + page/2/, ...: `per_page` articles each (one empty page if none).
    `cards`: what a listing shows beside each article (badges, author page links)."""
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
        if cards is not None:
            context.update(cards.of(chunk))
        pages.append(Page(urls[index], template, {**context, **(extra or {})}))
    return pages


@dataclass(frozen=True, slots=True)
class CardExtras:
    """What a listing shows beside each article beyond its card: a badge for a copy or a spun
    text, and links to the author pages of its byline (only the listed articles', so that a
    page's context, and so its fingerprint, changes only with what it shows)."""

    badges: Mapping[str, Badge]
    index: EntityIndex

    def of(self, chunk: Sequence[Any]) -> dict[str, Any]:
        badges = {e.slug: self.badges[e.slug] for e in chunk if e.slug in self.badges}
        return {"badges": badges, "author_urls": author_urls(self.index, chunk)}


def author_urls(index: EntityIndex, entries: Sequence[Any]) -> dict[str, str]:
    """Byline name -> author page URL, for the names these entries' bylines carry."""
    urls: dict[str, str] = {}
    for entry in entries:
        for name in getattr(entry, BYLINE):
            found = index.ref(BYLINE, name)
            if found is not None:
                urls[name] = found.url
    return urls


@dataclass(frozen=True, slots=True)
class Link:
    """A duplicate or spun-copy relation from one article page to another."""

    article: ArticleRef
    relation: str
    similarity: float
    swaps: tuple[Any, ...] = ()  # annotate.links.Swap: a spun copy's substitutions
    only_here: int = 0  # words of this article the other lacks (what a desk cut or added)
    only_there: int = 0


@dataclass(frozen=True, slots=True)
class Capture:
    """Another capture of the same web page (a version), and when it was made."""

    article: ArticleRef
    captured: str


@dataclass(frozen=True, slots=True)
class Captures:
    """An article page's other captures of the same address, earlier and later, oldest first."""

    earlier: tuple[Capture, ...] = ()
    later: tuple[Capture, ...] = ()


NO_CAPTURES = Captures()


def page_versions(entries: Sequence[Any]) -> dict[str, Captures]:
    """slug -> the other captures of its address, for every page captured more than once (the
    same text captured again makes no second record, so these differ)."""
    by_url: dict[str, list[Any]] = defaultdict(list)
    for entry in entries:
        if getattr(entry, "captured", None) and getattr(entry, "url", None):
            by_url[_address(entry.url)].append(entry)
    versions: dict[str, Captures] = {}
    for group in by_url.values():
        if len(group) < 2:
            continue
        group.sort(key=lambda e: (e.captured, e.slug))
        for place, entry in enumerate(group):
            versions[entry.slug] = Captures(
                tuple(Capture(ref(e.slug), e.captured) for e in group[:place]),
                tuple(Capture(ref(e.slug), e.captured) for e in group[place + 1 :]),
            )
    return versions


def _address(url: str) -> str:
    """A URL without its fragment: captures of one page."""
    return url.split("#", 1)[0]


@dataclass(frozen=True, slots=True)
class ArticlePages:
    """What an article page needs from the rest of the archive, kept so one page can be redone.

    The preview re-renders an edited article's own page from this at once, before the whole
    archive is planned again.
    """

    index: EntityIndex
    entries: Mapping[str, Any]  # slug -> Entry
    annotations: Mapping[str, ArchiveAnnotation]
    order: Mapping[str, int] = field(default_factory=dict)  # slug -> place, newest first
    slugs: Sequence[str] = ()  # newest first
    versions: Mapping[str, Captures] = field(default_factory=dict)  # page_versions

    def neighbors(self, slug: str) -> Neighbors:
        """The next newer and next older article of the archive (listings' order)."""
        place = self.order.get(slug)
        if place is None:
            return Neighbors(None, None)
        newer = ref(self.slugs[place - 1]) if place > 0 else None
        older = ref(self.slugs[place + 1]) if place + 1 < len(self.slugs) else None
        return Neighbors(newer, older)

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
        captures = self.versions.get(article.slug, NO_CAPTURES)
        links = article_links(self.annotations.get(article.slug), self.entries, captures)
        context = {
            "article": ref(article.slug),
            "analysis": AnalysisRef(article.slug),
            "entities": refs,
            "author_urls": {r.name: r.url for r in refs[BYLINE]},
            "neighbors": self.neighbors(article.slug),
            "captures": captures,
            **links,
        }
        return Page(article_url(article), "article.html", context)


@dataclass(frozen=True, slots=True)
class Neighbors:
    """An article page's previous/next links: the next newer and next older article."""

    newer: ArticleRef | None
    older: ArticleRef | None


def article_links(
    notes: ArchiveAnnotation | None, known: Mapping[str, Any], captures: Captures | None = None
) -> dict[str, tuple[Any, ...]]:
    """The `links` (copies and originals) and `related` articles of an article page's context.
    Other `captures` of the same page are named once, as versions, not again as copies."""
    versions = (
        {c.article.slug for c in captures.earlier + captures.later} if captures else set()
    )
    links = tuple(
        Link(ref(d.slug), d.relation, d.similarity, d.swaps, d.only_here, d.only_there)
        for d in (notes.duplicates if notes else ())
        if d.slug in known and d.slug not in versions
    )
    # A copy or original is already named in a notice at the top: "Related" does not repeat it.
    copies = {link.article.slug for link in links} | versions
    related = tuple(
        ref(s) for s in (notes.related if notes else ()) if s in known and s not in copies
    )
    return {"links": links, "related": related}


def article_pages(
    entries: Sequence[Any], annotations: Mapping[str, ArchiveAnnotation] | None = None
) -> ArticlePages:
    slugs = [e.slug for e in entries]
    return ArticlePages(
        build_entity_index(entries),
        {e.slug: e for e in entries},
        annotations or {},
        {slug: place for place, slug in enumerate(slugs)},
        slugs,
        page_versions(entries),
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
    cards = CardExtras(listing_badges(entries, annotations or {}), index)
    pages: list[Page] = [maker.page(entry) for entry in entries]
    pages.extend(_paginate(entries, config.per_page, "", "index.html", config.title, cards=cards))
    pages.extend(_archive_pages(entries, cards))
    for kind in KINDS:
        pages.extend(_entity_pages(index, kind, cards))
    quoted = [e for e in entries if e.quotes]
    pages.extend(_paginate(quoted, LISTING_PAGE, "quotes/", "quotes.html", "Quotes"))
    feed_items = entries[: config.feed_items]
    newest = next((e.date for e in entries if e.date), None)
    feed = {
        "title": config.title,
        "articles": _refs(feed_items),
        "analyses": tuple(AnalysisRef(e.slug) for e in feed_items),
        "feed_updated": newest,
    }
    pages.append(Page("feed.xml", "feed.xml", feed))
    pages.append(Page("feed.json", "feed.json", feed))
    pages.append(Page("feeds/", "feeds.html", {"title": "Feeds", "feed_items": len(feed_items)}))
    pages.append(Page("robots.txt", "robots.txt", {"title": "robots"}))
    pages.append(Page("404.html", "404.html", {"title": "Page not found"}))
    pages.append(
        Page(
            "search/",
            "search.html",
            {
                "title": "Search",
                "search_shards": "",
                "search_delta": "",
                "static_search": config.static_search,
                **(search or {}),
            },
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
    pages.extend(_sitemaps(entries, pages))
    return tuple(pages)


def _archive_pages(entries: Sequence[Any], cards: CardExtras) -> list[Page]:
    """/archive/, a listing per year and per month, and /undated/."""
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
    pages = [
        Page(
            "archive/",
            "archive_index.html",
            {"title": "Archive", "years": tuple(years), "undated_count": len(undated)},
        )
    ]
    archive = ("archive/", "Archive")
    for year in sorted(by_year, reverse=True):
        months = tuple(
            ArchiveEntry(
                f"{calendar.month_name[int(m)]} {y}", f"archive/{y}/{m}/", len(by_month[(y, m)])
            )
            for (y, m) in sorted(by_month, reverse=True)
            if y == year
        )
        extra = {"months": months, "trail": (archive, (None, year))}
        title = f"Articles from {year}"
        pages.extend(
            _paginate(
                by_year[year], LISTING_PAGE, f"archive/{year}/", "archive.html", title, extra, cards
            )
        )
    for (year, month), items in sorted(by_month.items(), reverse=True):
        name = f"{calendar.month_name[int(month)]} {year}"
        extra = {"months": (), "trail": (archive, (f"archive/{year}/", year), (None, name))}
        url = f"archive/{year}/{month}/"
        pages.extend(
            _paginate(
                items, LISTING_PAGE, url, "archive.html", f"Articles from {name}", extra, cards
            )
        )
    extra = {"months": (), "trail": (archive, (None, "Undated"))}
    pages.extend(
        _paginate(
            undated, LISTING_PAGE, "undated/", "archive.html", "Undated articles", extra, cards
        )
    )
    return pages


def _entity_pages(index: EntityIndex, kind: str, cards: CardExtras) -> list[Page]:
    """A kind's index (A-Z; a page per letter when long) and a listing per entity."""
    views = index.views[kind]
    refs = tuple(v.ref for v in views)
    letters, groups, paged = entity_letters(refs, kind)
    common = {"kind": kind, "kind_label": KIND_LABELS[kind], "letters": letters}
    pages = [
        Page(
            f"{kind}/",
            "entity_index.html",
            {
                "title": KIND_LABELS[kind],
                **common,
                "letter": None,
                "groups": () if paged else groups,
                "top": top_entities(refs) if paged else (),
            },
        )
    ]
    if paged:
        for letter, group in zip(letters, groups, strict=True):
            title = f"{KIND_LABELS[kind]}: {letter.label}"
            context = {"title": title, **common, "letter": letter, "groups": (group,), "top": ()}
            pages.append(Page(letter.url or "", "entity_index.html", context))
    for view in views:
        extra = {
            "kind": kind,
            "kind_label": KIND_LABELS[kind],
            "entity": view.ref,
            "related": view.related,
        }
        pages.extend(
            _paginate(
                view.articles,
                LISTING_PAGE,
                view.ref.url,
                "entity.html",
                view.ref.name,
                extra,
                cards,
            )
        )
    return pages


def _year_month(date: str | None) -> tuple[str | None, str | None]:
    if not date:
        return None, None
    return date[:4], (date[5:7] if len(date) >= 7 else None)


def _sitemaps(entries: Sequence[Dated], pages: Sequence[Page]) -> list[Page]:
    """sitemap.xml: every page a reader can land on (articles with their date, listings, entity
    and author pages; not the search page, the 404 page or data files); past SITEMAP_URLS, a
    sitemap index of sitemaps/N.xml files."""
    dates = {article_url(e): e.date[:10] for e in entries if e.date}
    urls = tuple(
        SitemapEntry(p.url, dates.get(p.url))
        for p in pages
        if (p.url == "" or p.url.endswith("/")) and p.url != "search/"
    )
    chunks = [urls[i : i + SITEMAP_URLS] for i in range(0, len(urls), SITEMAP_URLS)] or [()]
    if len(chunks) == 1:
        return [Page("sitemap.xml", "sitemap.xml", {"title": "Sitemap", "urls": urls})]
    parts = [
        Page(f"sitemaps/{n}.xml", "sitemap.xml", {"title": "Sitemap", "urls": chunk})
        for n, chunk in enumerate(chunks, 1)
    ]
    index = Page(
        "sitemap.xml",
        "sitemap_index.xml",
        {"title": "Sitemap", "sitemaps": tuple(p.url for p in parts)},
    )
    return [index, *parts]
