"""Stage render: Page -> bytes, through one Jinja2 environment (autoescape, StrictUndefined)."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import jinja2
import markdown
import nh3
from markupsafe import Markup

from generator import __version__
from generator.build.annotated import annotated_body, editor_notes, spin_of
from generator.build.annotations import body_text
from generator.build.plan import article_url
from generator.config import Config
from generator.errors import TemplateError
from generator.models import Article, Page

# What a rendered article body may contain: Markdown's own output, nothing from a source.
_BODY_TAGS = {
    "p",
    "br",
    "hr",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "ul",
    "ol",
    "li",
    "em",
    "strong",
    "code",
    "pre",
    "a",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "sup",
    "sub",
    "del",
    "abbr",
}
_BODY_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}, "abbr": {"title"}}


@dataclass(frozen=True, slots=True)
class SiteInfo:
    """What every template may know about the site (not the whole Config)."""

    title: str
    description: str
    base_url: str
    base_path: str
    language: str
    generator: str


def site_info(config: Config) -> SiteInfo:
    return SiteInfo(
        title=config.title,
        description=config.description,
        base_url=config.base_url,
        base_path=urlsplit(config.base_url).path or "/",
        language=config.language,
        generator=f"newsarchive {__version__}",
    )


def make_markdown(extensions: tuple[str, ...]) -> markdown.Markdown:
    """A Markdown converter that treats raw HTML in a body as text, never as markup."""
    md = markdown.Markdown(extensions=list(extensions), output_format="html")
    md.preprocessors.deregister("html_block")
    md.inlinePatterns.deregister("html")
    return md


def body_to_html(md: markdown.Markdown, body: str) -> Markup:
    """Render a Markdown body, then sanitize: only Markdown's tags, only safe link schemes."""
    md.reset()
    html = md.convert(body)
    clean = nh3.clean(
        html,
        tags=_BODY_TAGS,
        attributes=_BODY_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener noreferrer",
    )
    return Markup(clean)


def display_date(value: str | None) -> str:
    """'March 14, 2024' for an ISO date; 'Undated' when there is none."""
    if not value:
        return "Undated"
    try:
        day = dt.date.fromisoformat(value[:10])
    except ValueError:
        return value
    return f"{day.strftime('%B')} {day.day}, {day.year}"


def atom_date(value: str | None) -> str:
    """RFC 3339 timestamp for feeds; a date alone is taken as midnight UTC."""
    if not value:
        return "1970-01-01T00:00:00Z"
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


FILTERS: Mapping[str, Callable[..., Any]] = {
    "display_date": display_date,
    "atom_date": atom_date,
    "article_url": article_url,
    "json_script": _json_script,
}


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
    )
    env.filters.update(FILTERS)
    md = make_markdown(config.markdown_extensions)
    rendered: dict[str, Markup] = {}

    def body_html(article: Article) -> Markup:
        # The article page, its annotations and the JSON Feed all need the same HTML: convert once.
        key = article.slug + "\x00" + article.body
        if key not in rendered:
            rendered[key] = body_to_html(md, article.body)
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


def render_json_feed(env: jinja2.Environment, page: Page, site: SiteInfo) -> bytes:
    """JSON Feed 1.1 (jsonfeed.org) of the newest articles; built as data, not through a template."""
    body_html = env.filters["body_html"]
    items = []
    for article in page.context["articles"]:
        url = site.base_url + article_url(article)
        item: dict[str, Any] = {
            "id": url,
            "url": url,
            "title": article.title,
            "content_html": str(body_html(article)),
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


def render_annotations(env: jinja2.Environment, page: Page, site: SiteInfo) -> bytes:
    """/annotations.jsonld: a W3C Web Annotation collection of every anchored note and spun phrase."""
    from generator.build.annotated import web_annotations

    body_html = env.filters["body_html"]
    items = [
        item
        for article in page.context["articles"]
        for item in web_annotations(article, body_html, site.base_url)
    ]
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


DATA_PAGES: Mapping[str, Callable[[jinja2.Environment, Page, SiteInfo], bytes]] = {
    "feed.json": render_json_feed,
    "annotations.jsonld": render_annotations,
}


def render_page(env: jinja2.Environment, page: Page, site: SiteInfo) -> bytes:
    """Render one page. Raises TemplateError naming the template and line on any template fault."""
    if page.template in DATA_PAGES:
        return DATA_PAGES[page.template](env, page, site)
    root = site.base_path if page.url == "404.html" else _root_for(page.url)
    context: dict[str, Any] = {"site": site, "root": root, "page_url": page.url, **page.context}
    if "article" in page.context:
        originals = tuple(
            link.article
            for link in page.context.get("links", ())
            if link.relation == "spun-copy-of"
        )
        context["jsonld"] = news_article_jsonld(page.context["article"], site, originals)
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
    return re.sub(r"[ \t]+\n", "\n", text).encode("utf-8")
