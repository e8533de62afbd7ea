"""Stage clean (HTML): a saved web page -> main text via trafilatura, page metadata, and what was left out."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import lxml.html
import trafilatura
from lxml import etree

from generator.errors import ArticleError, NoTextError
from generator.ingest.credits import parse_photo_credit
from generator.ingest.dates import normalize_date
from generator.models import Removal, SourceMeta

_BLOCK_TAGS = frozenset(
    [
        "p",
        "li",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "figcaption",
        "td",
        "th",
        "dt",
        "dd",
        "pre",
        "address",
        "caption",
        "label",
        "button",
        "option",
        "summary",
        "legend",
        "title",
    ]
)
_CONTAINER_TAGS = frozenset(
    [
        "div",
        "section",
        "article",
        "aside",
        "header",
        "footer",
        "nav",
        "main",
        "form",
        "ul",
        "ol",
        "span",
        "a",
        "time",
    ]
)
_DROP_TAGS = ("script", "style", "noscript", "template", "iframe", "object", "embed", "svg")
_KIND_HINTS: tuple[tuple[str, str, re.Pattern[str]], ...] = tuple(
    (kind, reason, re.compile(pattern, re.I))
    for kind, reason, pattern in (
        ("comments", "reader comments section", r"comment|disqus|respond|discussion"),
        ("boilerplate", "cookie notice", r"cookie|consent|gdpr"),
        ("share-widget", "share buttons", r"share|social"),
        ("newsletter", "newsletter sign-up box", r"newsletter|subscribe|signup|sign-up"),
        ("advertisement", "advertisement", r"\bad\b|\bads\b|advert|sponsor|promo|dfp|banner"),
        (
            "related-links",
            "related-articles list",
            r"related|recommend|most-read|mostread|popular|trending|more-stories|sidebar",
        ),
        ("navigation", "site navigation", r"\bnav|menu|breadcrumb|header|masthead|skip"),
        ("copyright", "page footer", r"footer|copyright|legal"),
    )
)
_SPACE = re.compile(r"\s+")
_XML_DECLARATION = re.compile(r"\A\s*<\?xml\b[^>]*\?>")


@dataclass(frozen=True, slots=True)
class HtmlExtract:
    text: str
    meta: SourceMeta
    removed: tuple[Removal, ...]


def _norm(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def _classify(element: Any) -> tuple[str, str]:
    """Guess why a block was left out from its own and its ancestors' tag, id and class."""
    node = element
    while node is not None and isinstance(node.tag, str):
        label = f"{node.tag} {node.get('id', '')} {node.get('class', '')} {node.get('role', '')}"
        if node.tag in {"nav"}:
            return "navigation", "site navigation"
        if node.tag == "form":
            return "comment-form", "form"
        if node.tag == "footer":
            return "copyright", "page footer"
        for kind, reason, pattern in _KIND_HINTS:
            if pattern.search(label):
                return kind, reason
        if node.tag == "aside":
            return "related-links", "sidebar"
        node = node.getparent()
    return "boilerplate", "page text outside the article"


def _leaf_blocks(root: Any) -> Iterator[Any]:
    for element in root.iter():
        if not isinstance(element.tag, str) or element.tag in _DROP_TAGS:
            continue
        if element.tag in _BLOCK_TAGS or element.tag in _CONTAINER_TAGS:
            has_block_child = any(
                isinstance(c.tag, str)
                and (c.tag in _BLOCK_TAGS or c.tag in {"div", "section", "ul", "ol", "form"})
                for c in element.iterdescendants()
            )
            if not has_block_child and (element.tag in _BLOCK_TAGS or (element.text or "").strip()):
                if element.getparent() is not None and element.getparent().tag in _BLOCK_TAGS:
                    continue
                yield element


def _json_ld(root: Any) -> dict[str, Any]:
    """The first NewsArticle/Article object in the page's JSON-LD blocks (data only, never run)."""
    for script in root.iter("script"):
        if (script.get("type") or "").lower() != "application/ld+json" or not script.text:
            continue
        try:
            data = json.loads(script.text)
        except ValueError:
            continue
        items = (
            data
            if isinstance(data, list)
            else data.get("@graph", [data])
            if isinstance(data, dict)
            else []
        )
        for item in items:
            if isinstance(item, dict) and re.search(
                r"Article|BlogPosting|Report", str(item.get("@type", ""))
            ):
                return item
    return {}


def _names(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return _names(value.get("name"))
    if isinstance(value, list):
        return [n for item in value for n in _names(item)]
    return []


def _meta(root: Any, *names: str) -> str | None:
    for name in names:
        for attr in ("property", "name", "itemprop"):
            for el in root.xpath(f"//meta[@{attr}=$n]", n=name):
                content = _norm(el.get("content") or "")
                if content:
                    return content
    return None


def _page_meta(root: Any, doc: Any) -> SourceMeta:
    ld = _json_ld(root)
    title = (
        _norm(str(ld.get("headline") or ""))
        or _meta(root, "og:title", "twitter:title")
        or (doc.title if doc is not None and doc.title else None)
    )
    if not title:
        h1 = root.find(".//h1")
        title = _norm(h1.text_content()) if h1 is not None else None
    if not title:
        t = root.find(".//title")
        title = _norm(t.text_content()) if t is not None else None
    date_text = str(ld.get("datePublished") or "") or _meta(
        root,
        "article:published_time",
        "date",
        "pubdate",
        "publish-date",
        "datePublished",
        "dc.date",
    )
    if not date_text:
        time = root.find(".//time[@datetime]")
        date_text = time.get("datetime") if time is not None else None
    date = normalize_date(date_text) if date_text else None
    authors = _names(ld.get("author")) or [
        a for a in [_meta(root, "author", "article:author")] if a and "://" not in a
    ]
    publisher = next(iter(_names(ld.get("publisher"))), None) or _meta(root, "og:site_name")
    url = _meta(root, "og:url") or (root.xpath("//link[@rel='canonical']/@href") or [None])[0]
    language = (root.get("lang") or "").split("-")[0].lower() or None
    captions, credits = [], []
    for cap in root.iter("figcaption"):
        for credit_el in cap.xpath(".//*[contains(@class,'credit') or contains(@class,'byline')]"):
            credit = _norm(credit_el.text_content())
            credits.append(
                parse_photo_credit(credit)
                or re.sub(r"^(photo|credit|image)\s*:\s*", "", credit, flags=re.I)
            )
        text = _norm(cap.text_content())
        captions.append(text)
        if not credits or credits[-1] not in text:
            found = parse_photo_credit(text.split(". ")[-1]) if text else None
            if found:
                credits.append(found)
    return SourceMeta(
        title=title or None,
        date=date,
        date_source="metadata" if date else None,
        authors=tuple(dict.fromkeys(_norm(a) for a in authors if _norm(a))),
        url=url if url and re.match(r"https?://", url) else None,
        publisher=publisher,
        language=language,
        captions=tuple(dict.fromkeys(c for c in captions if c)),
        photo_credits=tuple(dict.fromkeys(c for c in credits if c)),
    )


def extract_html(text: str, source: Path) -> HtmlExtract:
    """Main text, metadata and left-out blocks of an HTML page.

    Raises ArticleError when the page has no parseable markup or no article text.
    """
    # An XHTML page's XML declaration names the encoding of bytes read.py has already decoded;
    # lxml refuses a declaration on text ("Unicode strings with encoding declaration...").
    text = _XML_DECLARATION.sub("", text, count=1)
    try:
        root = lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError) as exc:
        raise ArticleError(
            source,
            "clean",
            f"HTML could not be parsed ({exc})",
            "Save the page again or convert it to text",
        ) from exc
    doc = trafilatura.bare_extraction(
        text,
        include_comments=False,
        favor_precision=True,
        with_metadata=True,
        include_tables=True,
        include_images=False,
        include_links=False,
        deduplicate=False,
    )
    body = str(getattr(doc, "text", None) or "").strip()
    if not body:
        raise NoTextError(
            source,
            "clean",
            "no article text found in the HTML page",
            "Check the page has the article in it, or save it as .txt",
        )
    meta = _page_meta(root, doc)
    lines = [line for line in body.split("\n") if line.strip()]
    if meta.title and lines and _norm(lines[0]) == meta.title:
        lines = lines[1:]
    kept = _norm(" ".join(lines))
    removed: list[Removal] = []
    for script in root.iter(*_DROP_TAGS):
        code = (script.text or "").strip()
        if code and (script.get("type") or "").lower() != "application/ld+json":
            removed.append(Removal("markup", code, f"<{script.tag}> element (never rendered)"))
    seen: set[str] = set()
    for element in _leaf_blocks(root.body if root.find("body") is not None else root):
        block = _norm(element.text_content())
        if not block or block in seen or block in kept or block == meta.title:
            continue
        seen.add(block)
        if element.tag == "figcaption" or (
            element.getparent() is not None and element.getparent().tag == "figcaption"
        ):
            removed.append(
                Removal("photo-credit", block, "figure caption; credit recorded in photo_credits")
            )
            continue
        kind, reason = _classify(element)
        removed.append(Removal(kind, block, reason))
    return HtmlExtract(text="\n\n".join(lines), meta=meta, removed=tuple(removed))
