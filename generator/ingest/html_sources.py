"""Stage clean (HTML metadata sources): a parsed page -> what it states about itself.

Everything a page offers, read once and kept apart by source so that the choice of title, date
and authors (html_meta.py) can rank the sources: JSON-LD objects of any @type (an Article,
BlogPosting, NewsArticle, but also a WebPage or a bare Person carrying datePublished / headline
/ author), Open Graph, `article:*` and other <meta> tags, the <title>, the headlines (<h1>), and
the site's own names (og:site_name, the JSON-LD publisher / WebSite / Organization, the host).
JSON-LD is data only, never run. Entities are decoded, twice when a page encoded them twice.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

_SPACE = re.compile(r"\s+")
_ENTITY = re.compile(r"&(?:#\d+|#x[0-9a-fA-F]+|[a-zA-Z][a-zA-Z0-9]*);")
_WORD = re.compile(r"\w+")
# JSON-LD keys under which the objects describing this page nest.
_NESTS = ("@graph", "mainEntity", "mainEntityOfPage", "hasPart", "itemListElement", "about")
_ARTICLE_TYPE = re.compile(r"Article|BlogPosting|Report|Posting|Story|Review|Recipe|HowTo", re.I)
_ORG_TYPE = re.compile(r"Organization|Corporation|WebSite|Brand|LocalBusiness|NewsMedia", re.I)
# JSON-LD blocks larger than this are product catalogues, not page metadata: not parsed.
_MAX_JSON_LD = 2_000_000


def plain(value: Any) -> str:
    """A metadata string as a reader sees it: entities decoded (twice if encoded twice), one
    space for any run of white space."""
    text = str(value) if value is not None else ""
    for _ in range(2):
        if "&" not in text or not _ENTITY.search(text):
            break
        text = html.unescape(text)
    return _SPACE.sub(" ", text).strip()


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


@dataclass(frozen=True, slots=True)
class PageSources:
    """The self-descriptions of one page, each as the page states it."""

    json_ld: tuple[dict[str, Any], ...]
    meta: dict[str, str]  # lower-cased name/property/itemprop -> first non-empty content
    meta_all: dict[str, tuple[str, ...]]  # the same, every value (citation_author repeats)
    title_tag: str
    headlines: tuple[str, ...]  # visible <h1> texts, in page order
    site_names: frozenset[str]  # squashed (words joined), for comparisons
    url: str | None

    def articles(self) -> Iterator[dict[str, Any]]:
        """JSON-LD objects that describe an article first, then every other object."""
        yield from (o for o in self.json_ld if _ARTICLE_TYPE.search(str(o.get("@type", ""))))
        yield from (o for o in self.json_ld if not _ARTICLE_TYPE.search(str(o.get("@type", ""))))

    def first(self, key: str) -> Any:
        """The first value of `key` among the JSON-LD objects, article-like objects first."""
        return next((o[key] for o in self.articles() if o.get(key)), None)

    def meta_value(self, *names: str) -> str | None:
        for name in names:
            value = plain(self.meta.get(name))
            if value:
                return value
        return None

    def is_site_name(self, text: str) -> bool:
        return "".join(words(text)) in self.site_names


def _json_ld(root: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for script in root.iter("script"):
        kind = (script.get("type") or "").lower()
        if kind != "application/ld+json" or not script.text or len(script.text) > _MAX_JSON_LD:
            continue
        try:
            data = json.loads(script.text, strict=False)
        except ValueError:
            continue
        stack = [data]
        while stack and len(found) < 200:
            item = stack.pop(0)
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                found.append(item)
                stack.extend(item[k] for k in _NESTS if isinstance(item.get(k), dict | list))
    return found


def _meta_tags(root: Any) -> dict[str, list[str]]:
    meta: dict[str, list[str]] = {}
    for element in root.iter("meta"):
        content = element.get("content")
        if not content or not content.strip():
            continue
        for attribute in ("property", "name", "itemprop"):
            key = (element.get(attribute) or "").strip().lower()
            if key:
                meta.setdefault(key, []).append(content)
    return meta


def _site_names(
    json_ld: list[dict[str, Any]], meta: dict[str, str], url: str | None
) -> frozenset[str]:
    names = [meta.get(k, "") for k in ("og:site_name", "application-name", "twitter:site")]
    for item in json_ld:
        if _ORG_TYPE.search(str(item.get("@type", ""))) and isinstance(item.get("name"), str):
            names.append(item["name"])
        publisher = item.get("publisher")
        if isinstance(publisher, dict) and isinstance(publisher.get("name"), str):
            names.append(publisher["name"])
    host = re.sub(r"^www\d?\.", "", urlsplit(url).hostname or "") if url else ""
    if host:
        names += [host, host.split(".")[0]]
    squashed = ("".join(words(plain(n).lstrip("@"))) for n in names)
    return frozenset(n for n in squashed if n)


def read_sources(root: Any, url: str | None) -> PageSources:
    """Collect a page's metadata sources (pure: reads the tree, changes nothing)."""
    json_ld = _json_ld(root)
    meta_all = _meta_tags(root)
    meta = {key: values[0] for key, values in meta_all.items()}
    title = root.find(".//title")
    headlines = []
    for h1 in root.iter("h1"):
        text = plain(h1.text_content())
        if text and len(text) <= 300:
            headlines.append(text)
    if not url:
        canonical = root.xpath("//link[@rel='canonical']/@href")
        url = str(canonical[0]) if canonical else plain(meta.get("og:url")) or None
    return PageSources(
        json_ld=tuple(json_ld),
        meta=meta,
        meta_all={key: tuple(values) for key, values in meta_all.items()},
        title_tag=plain(title.text_content()) if title is not None else "",
        headlines=tuple(headlines[:10]),
        site_names=_site_names(json_ld, meta, url),
        url=url if url and re.match(r"https?://", url) else None,
    )


def names_in(value: Any) -> list[str]:
    """Author-like names in a JSON-LD value: a string, a Person/Organization, or a list."""
    if isinstance(value, str):
        return [plain(value)]
    if isinstance(value, dict):
        return names_in(value.get("name"))
    if isinstance(value, list):
        return [name for item in value[:20] for name in names_in(item)]
    return []
