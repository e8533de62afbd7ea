"""Stage render: Page -> bytes, through one Jinja2 environment (autoescape, StrictUndefined)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlsplit

import jinja2
from markupsafe import Markup

from generator import __version__
from generator.config import Config
from generator.errors import TemplateError
from generator.models import Article, Page
from generator.render.annotated import annotated_body, editor_notes, spin_of, swapped_body
from generator.render.annotations import body_text
from generator.render.bodies import body_to_html, make_markdown
from generator.render.entities import EntityRef
from generator.render.listing import Badge, LetterRef, filing_name
from generator.render.plan import (
    AnalysisRef,
    ArchiveEntry,
    ArticleRef,
    Pagination,
    SitemapEntry,
    article_url,
)
from generator.render.theme import captions, quote_text, removed_groups

if TYPE_CHECKING:
    from generator.render.analysis import ArticleAnalysis

__all__ = ["body_to_html", "make_markdown"]  # re-exported: their home is render/bodies.py
_BODY_CACHE = 64  # bodies the body_html filter keeps (custom themes only; ours gets them made)


@dataclass(frozen=True, slots=True)
class SiteInfo:
    """What every template may know about the site (not the whole Config)."""

    title: str
    description: str
    base_url: str
    base_path: str
    language: str
    generator: str
    # False while base_url is the preview's default: pages then carry no canonical link.
    has_base_url: bool = True
    # Links end in index.html, so the site works opened from disk (file://).
    relative_files: bool = False
    # The removed panel shows readers' comments and spam verbatim (else as counts by kind).
    show_comments_and_spam: bool = False


def site_info(config: Config) -> SiteInfo:
    return SiteInfo(
        title=config.title,
        description=config.description,
        base_url=config.base_url,
        base_path=urlsplit(config.base_url).path or "/",
        language=config.language,
        generator=f"newsarchive {__version__}",
        has_base_url=config.has_base_url,
        relative_files=config.relative_files,
        show_comments_and_spam=config.show_comments_and_spam,
    )


@lru_cache(maxsize=8192)
def display_date(value: str | None) -> str:
    """'March 14, 2024' for an ISO date; 'Undated' when there is none."""
    if not value:
        return "Undated"
    try:
        day = dt.date.fromisoformat(value[:10])
    except ValueError:
        return value
    return f"{day.strftime('%B')} {day.day}, {day.year}"


def capture_time(value: str | None) -> str:
    """'March 5, 2024, 12:34 UTC' for a capture time (two captures can share a day)."""
    if not value:
        return ""
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return display_date(value)
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC)
    if len(value) <= 10:
        return display_date(value)
    return f"{display_date(moment.date().isoformat())}, {moment:%H:%M} UTC"


def atom_date(value: str | None) -> str:
    """RFC 3339 timestamp for feeds; a date alone is taken as midnight UTC. '' for no date: the
    feed template then falls back on the feed's own date (never 1970)."""
    if not value:
        return ""
    if len(value) <= 10:
        return f"{value[:10]}T00:00:00Z"
    try:
        return dt.datetime.fromisoformat(value).isoformat()
    except ValueError:
        return f"{value[:10]}T00:00:00Z"


def _json_script(value: Any) -> Markup:
    """JSON safe to embed in <script type=application/ld+json>: '<', '>' and '&' escaped."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=False, indent=1)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)


@jinja2.pass_context
def link(context: Any, url: str) -> str:
    """A site-relative address ('', 'archive/', 'articles/x/#q-1') as this page links it: from
    the page's `root`, and to a folder's index.html when the site is built with relative_files
    (a browser opening files from disk shows a folder as a file listing)."""
    path, hash_, fragment = url.partition("#")
    if context["site"].relative_files and (path == "" or path.endswith("/")):
        path += "index.html"
    return f"{context['root']}{path}{hash_}{fragment}"


def month_name(value: str) -> str:
    """'March 2024' for an ISO date."""
    try:
        return dt.date.fromisoformat(value[:7] + "-01").strftime("%B %Y")
    except ValueError:
        return value[:7]


def is_web_url(value: str | None) -> bool:
    """Whether a record's url may become a link (http or https only: never javascript:)."""
    return bool(value) and urlsplit(str(value)).scheme in {"http", "https"}


FILTERS: Mapping[str, Callable[..., Any]] = {
    "link": link,
    "filing_name": filing_name,
    "month_name": month_name,
    "is_web_url": is_web_url,
    "quote_text": quote_text,
    "removed_groups": removed_groups,
    "captions": captions,
    "display_date": display_date,
    "capture_time": capture_time,
    "atom_date": atom_date,
    "article_url": article_url,
    "json_script": _json_script,
}


def _bytecode_cache(folder: Path) -> jinja2.BytecodeCache | None:
    """Compiled templates kept between builds (Jinja checks each against its source): a build
    that changes one article would otherwise spend ~0.2 s compiling the theme again."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return jinja2.FileSystemBytecodeCache(str(folder))


def make_environment(config: Config) -> jinja2.Environment:
    """The one Jinja environment of a build: archive overrides first, then the default theme."""
    loader = jinja2.FileSystemLoader([str(d) for d in config.theme_dirs])
    env = jinja2.Environment(
        loader=loader,
        autoescape=jinja2.select_autoescape(
            enabled_extensions=("html", "xml"), default_for_string=True, default=True
        ),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        # One environment per build (the preview makes a new one after each): templates do not
        # change under it, so it need not stat them for every page.
        auto_reload=False,
        bytecode_cache=_bytecode_cache(config.build_dir / "cache" / "templates"),
    )
    env.filters.update(FILTERS)
    md = make_markdown(config.markdown_extensions)
    rendered: OrderedDict[str, Markup] = OrderedDict()

    def body_html(article: Article) -> Markup:
        # For themes that render bodies themselves; the default theme gets them from the analysis.
        key = article.slug + "\x00" + article.body
        if key in rendered:
            rendered.move_to_end(key)
        else:
            rendered[key] = body_to_html(md, article.body)
            if len(rendered) > _BODY_CACHE:
                rendered.popitem(last=False)
        return rendered[key]

    env.filters["body_html"] = body_html
    env.filters["annotated_body"] = lambda article: annotated_body(article, body_html)
    env.filters["editor_notes"] = lambda article: editor_notes(
        article, body_text(str(body_html(article)))
    )
    env.filters["spin_of"] = spin_of
    return env


def _root_for(url: str) -> str:
    depth = url.count("/")
    return "../" * depth


def news_article_jsonld(
    article: Article, site: SiteInfo, originals: tuple[Article, ...] = ()
) -> dict[str, Any]:
    """schema.org NewsArticle for an article page."""
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title,
        "url": site.base_url + article_url(article),
        "wordCount": article.word_count,
    }
    if article.date:
        data["datePublished"] = article.date
    if article.authors:
        data["author"] = [{"@type": "Person", "name": n} for n in article.authors]
    if article.contributors:
        data["contributor"] = [{"@type": "Person", "name": n} for n in article.contributors]
    # Google's article guidelines ask for a publisher; the archive republishes, so the original
    # outlet is named when the record knows it, else the archive itself.
    data["publisher"] = {
        "@type": "Organization",
        "name": article.publisher or site.title,
        **({} if article.publisher else {"url": site.base_url}),
    }
    if article.dateline:
        data["dateline"] = article.dateline
    if article.language:
        data["inLanguage"] = article.language
    if article.url:
        data["sameAs"] = article.url
    if article.people or article.organizations or article.places:
        data["mentions"] = [
            {"@type": t, "name": n}
            for t, names in (
                ("Person", article.people),
                ("Organization", article.organizations),
                ("Place", article.places),
            )
            for n in names
        ]
    if originals:
        data["isBasedOn"] = [site.base_url + article_url(a) for a in originals]
    return data


def render_json_feed(env: jinja2.Environment, context: Mapping[str, Any], site: SiteInfo) -> bytes:
    """JSON Feed 1.1 (jsonfeed.org) of the newest articles; built as data, not through a template."""
    items = []
    for article, analysis in zip(context["articles"], context["analyses"], strict=True):
        url = site.base_url + article_url(article)
        item: dict[str, Any] = {
            "id": url,
            "url": url,
            "title": article.title,
            "content_html": analysis.body_html,
        }
        if article.summary:
            item["summary"] = article.summary
        if article.date:
            item["date_published"] = atom_date(article.date)
        if article.authors:
            item["authors"] = [{"name": name} for name in article.authors]
        if article.tags:
            item["tags"] = list(article.tags)
        if article.language:
            item["language"] = article.language
        items.append(item)
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": site.title,
        "home_page_url": site.base_url,
        "feed_url": site.base_url + "feed.json",
        "description": site.description,
        "language": site.language,
        "items": items,
    }
    return (json.dumps(feed, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def render_annotations(
    env: jinja2.Environment, context: Mapping[str, Any], site: SiteInfo
) -> bytes:
    """/annotations.jsonld: a W3C Web Annotation collection of every anchored note and spun phrase."""
    items = [item for analysis in context["analyses"] for item in analysis.annotations]
    collection = {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "id": site.base_url + "annotations.jsonld",
        "type": "AnnotationCollection",
        "label": f"Annotations of {site.title}",
        "total": len(items),
        "first": {
            "type": "AnnotationPage",
            "id": site.base_url + "annotations.jsonld#page-1",
            "items": items,
        },
    }
    return (json.dumps(collection, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


DATA_PAGES: Mapping[str, Callable[[jinja2.Environment, Mapping[str, Any], SiteInfo], bytes]] = {
    "feed.json": render_json_feed,
    "annotations.jsonld": render_annotations,
}


# Context values that never hold an article reference: hydration leaves them as they are.
_PLAIN: frozenset[type] = frozenset(
    {
        str,
        int,
        float,
        bool,
        type(None),
        EntityRef,
        Pagination,
        ArchiveEntry,
        SitemapEntry,
        Badge,
        LetterRef,
    }
)


class Lookup(Protocol):
    """Where a page's referenced articles come from (the build store, or memory in tests)."""

    def cards(self, slugs: Iterable[str]) -> Mapping[str, Article]: ...

    def analyses(self, slugs: Iterable[str]) -> Mapping[str, ArticleAnalysis]: ...


def _references(value: Any, articles: set[str], analyses: set[str]) -> None:
    if type(value) in _PLAIN:
        return
    if isinstance(value, ArticleRef):
        articles.add(value.slug)
    elif isinstance(value, AnalysisRef):
        analyses.add(value.slug)
    elif isinstance(value, tuple | list):
        if value and type(value[0]) is ArticleRef:
            articles.update(v.slug for v in value if type(v) is ArticleRef)
            if all(type(v) is ArticleRef for v in value):
                return
        for item in value:
            _references(item, articles, analyses)
    elif isinstance(value, Mapping):
        for item in value.values():
            _references(item, articles, analyses)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            _references(getattr(value, f.name), articles, analyses)


def _resolve(value: Any, cards: Mapping[str, Article], analyses: Mapping[str, Any]) -> Any:
    if type(value) in _PLAIN:
        return value
    if isinstance(value, ArticleRef):
        return cards[value.slug]
    if isinstance(value, AnalysisRef):
        return analyses[value.slug]
    if isinstance(value, tuple):
        if value and type(value[0]) in _PLAIN and all(type(v) in _PLAIN for v in value):
            return value
        return tuple(_resolve(item, cards, analyses) for item in value)
    if isinstance(value, list):
        return [_resolve(item, cards, analyses) for item in value]
    if isinstance(value, Mapping):
        return {k: _resolve(v, cards, analyses) for k, v in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {
            f.name: _resolve(getattr(value, f.name), cards, analyses)
            for f in dataclasses.fields(value)
        }
        return dataclasses.replace(value, **changes) if changes else value
    return value


def hydrate(context: Mapping[str, Any], lookup: Lookup) -> dict[str, Any]:
    """The context with every ArticleRef replaced by the record's card and every AnalysisRef by
    the article's analysis. Raises TemplateError when the store lacks one (a damaged cache)."""
    wanted_cards: set[str] = set()
    wanted_analyses: set[str] = set()
    _references(context, wanted_cards, wanted_analyses)
    cards = lookup.cards(wanted_cards) if wanted_cards else {}
    analyses = lookup.analyses(wanted_analyses) if wanted_analyses else {}
    missing = (wanted_cards - cards.keys()) | (wanted_analyses - analyses.keys())
    if missing:
        raise TemplateError(
            f"the build cache lacks {len(missing)} article(s) ({', '.join(sorted(missing)[:3])}); "
            "run 'newsarchive build --clean'"
        )
    return {k: _resolve(v, cards, analyses) for k, v in context.items()}


def render_page(env: jinja2.Environment, page: Page, site: SiteInfo, lookup: Lookup) -> bytes:
    """Render one page, its referenced articles read through `lookup`. Raises TemplateError
    naming the template and line on any template fault."""
    context = hydrate(page.context, lookup)
    if page.template in DATA_PAGES:
        return DATA_PAGES[page.template](env, context, site)
    root = site.base_path if page.url == "404.html" else _root_for(page.url)
    if "analysis" in context:  # an article page: its record whole, its body marked up
        analysis: ArticleAnalysis = context["analysis"]
        article = dataclasses.replace(context["article"], removed=analysis.removed)
        originals = tuple(
            link.article for link in context.get("links", ()) if link.relation == "spun-copy-of"
        )
        context.update(
            article=article,
            title=article.title,
            body=Markup(swapped_body(analysis.marked_html, context.get("links", ()))),
            notes=analysis.notes,
            anchored_quotes=frozenset(analysis.anchored_quotes),
            jsonld=news_article_jsonld(article, site, originals),
        )
    context = {"site": site, "root": root, "page_url": page.url, **context}
    try:
        template = env.get_template(page.template)
        text = template.render(context)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(
            f"{exc.filename or exc.name}:{exc.lineno}: template syntax error: {exc.message}"
        ) from exc
    except jinja2.TemplateNotFound as exc:
        raise TemplateError(
            f"template {exc.name!r} not found in {', '.join(str(d) for d in getattr(env.loader, 'searchpath', []))}"
        ) from exc
    except (jinja2.UndefinedError, TypeError, ValueError) as exc:
        raise TemplateError(
            f"{page.template}: {type(exc).__name__}: {exc} (while rendering /{page.url})"
        ) from exc
    return _strip_trailing_space(text).encode("utf-8")


def _strip_trailing_space(text: str) -> str:
    """Spaces and tabs before each line break removed (what templates leave behind). Line by
    line: the regex [ \\t]+\\n tries a match at every space of a 13 KB page."""
    lines = text.split("\n")
    last = lines.pop()
    return "\n".join([line.rstrip(" \t") for line in lines] + [last])
