"""Stage clean (HTML metadata): a parsed page -> SourceMeta (title, date, authors, publisher...).

Every value is chosen from the sources a page offers (html_sources.py, html_header.py), in an
order stated here and measured on WCXB dev (benchmarks/quality.py):

- title: the page's headline (<h1>) when it agrees with what the page's metadata calls it (most
  of its words are in the JSON-LD headline, og:title, twitter:title or <title>), or when it is
  the only headline; else the metadata title without the site's name ("Story | Site").
- date (published, never modified): a date under the headline not labelled as an update (the
  metadata's own value when it names the same day: it has the time and zone); the JSON-LD
  datePublished of any object (article-like first); `article:published_time` and similar
  <meta>; a date under the headline labelled as an update (when the page states no publication
  date, the one it shows its reader); then htmldate's reading of the page (URL, markup, text).
- authors: JSON-LD authors written as people's names; <meta> author and citation_author; the
  byline under the headline; trafilatura's byline rules; an element marked as the byline; and
  only then an organisation or a user name."""

from __future__ import annotations

import logging
import re
from typing import Any

from generator.ingest.credits import parse_byline, parse_photo_credit
from generator.ingest.dates import normalize_date
from generator.ingest.html_header import Header, byline_elements, is_not_name, read_header
from generator.ingest.html_sources import PageSources, names_in, plain, read_sources, words
from generator.models import DateSource, SourceMeta

log = logging.getLogger(__name__)

# "Headline | Site", "Headline - Site", "Site » Headline": the separators of <title> parts.
_TITLE_PARTS = re.compile(r"\s+[|•·—–\-»«/~:]\s+|\s*[|•·»«]\s*")
# A headline counts as agreeing with a metadata title when this share of its words is there.
_AGREES = 0.6
_PUBLISHED_META = (
    "article:published_time",
    "datepublished",
    "date",
    "pubdate",
    "publish-date",
    "publish_date",
    "dc.date",
    "dc.date.issued",
    "dcterms.created",
    "og:published_time",
    "article:published",
    "sailthru.date",
    "parsely-pub-date",
)
_AUTHOR_META = (
    "author",
    "article:author",
    "citation_author",
    "dc.creator",
    "dcterms.creator",
    "parsely-author",
    "sailthru.author",
    "byl",
)


def _without_site(title: str, sources: PageSources) -> str:
    """A metadata title without the parts that name the site ('Story | Site' -> 'Story')."""
    parts = [p for p in _TITLE_PARTS.split(title) if p.strip()]
    if len(parts) < 2:
        return title
    kept = [p for p in parts if not sources.is_site_name(p)]
    if not kept or len(kept) == len(parts):
        return title
    start = title.index(kept[0])
    return title[start : title.rindex(kept[-1]) + len(kept[-1])].strip()


def _agreement(headline: str, title: str) -> float:
    head, known = words(headline), set(words(title))
    return sum(1 for w in head if w in known) / len(head) if head else 0.0


def _metadata_titles(sources: PageSources) -> list[str]:
    headline = sources.first("headline")
    stated = [
        plain(headline) if isinstance(headline, str) else "",
        sources.meta_value("og:title") or "",
        sources.meta_value("twitter:title") or "",
        sources.title_tag,
    ]
    titles = [t for t in stated if t]
    # A JSON-LD headline is often cut at 110 characters: a longer title it begins is the whole.
    if titles and stated[0]:
        titles.sort(key=lambda t: 0 if t.startswith(stated[0]) and len(t) > len(stated[0]) else 1)
    return titles


def choose_title(sources: PageSources) -> tuple[str | None, str | None]:
    """(title, the headline text it came from or None)."""
    stated = _metadata_titles(sources)
    headlines = [h for h in sources.headlines if not sources.is_site_name(h)]
    if headlines:
        scored = [
            (max((_agreement(h, t) for t in stated), default=0.0), -i, h)
            for i, h in enumerate(headlines)
        ]
        agreement, _, best = max(scored)
        if agreement >= _AGREES or len(headlines) == 1 or not stated:
            return best, best
    for title in stated:
        cleaned = _without_site(title, sources)
        if cleaned and not sources.is_site_name(cleaned):
            return cleaned, None
    return (headlines[0], headlines[0]) if headlines else (None, None)


def _published(sources: PageSources) -> str | None:
    for item in sources.articles():
        value = item.get("datePublished") or item.get("dateCreated")
        if isinstance(value, str) and (date := normalize_date(plain(value))):
            return date
    for name in _PUBLISHED_META:
        value = sources.meta_value(name)
        if value and (date := normalize_date(value)):
            return date
    return None


def choose_date(
    root: Any, sources: PageSources, header: Header
) -> tuple[str | None, DateSource | None]:
    published = _published(sources)
    if header.dates and not (published and published[:10] == header.dates[0]):
        return header.dates[0], "text"
    if published:  # the same day as shown, or none shown: the metadata's time and zone too
        return published, "metadata"
    if header.updated:
        # The page states no publication date anywhere, and shows its reader only when it was
        # last updated: that visible date beats htmldate's guess from elsewhere in the page
        # (measured on WCXB dev: right on 4 pages, wrong on none).
        return header.updated[0], "text"
    import htmldate  # here: only pages without a stated date need it

    try:
        found = htmldate.find_date(root, extensive_search=True, original_date=True, url=sources.url)
    except (ValueError, TypeError) as exc:  # a page htmldate cannot read has no date from it
        log.debug("htmldate: %s", exc)
        found = None
    if found:
        return found, "metadata"
    return None, None


def _name_kind(name: str) -> str:
    """'person' for a name as people write it; 'handle' for a user name, an e-mail, a URL or a
    number (weak: a visible byline usually names the person behind it); '' for no name."""
    if not name or len(name) > 120 or not any(c.isalpha() for c in name):
        return ""
    if "@" in name or "://" in name or re.search(r"[a-z]\.[a-z]", name) or name.isdigit():
        return "handle"
    if " " not in name and (name.islower() or any(c.isdigit() for c in name)):
        return "handle"
    return "person"


def _trafilatura_author(root: Any) -> tuple[str, ...]:
    """trafilatura's reading of bylines in the markup (rel=author, author classes...), each
    name checked as a byline name."""
    from trafilatura.metadata import extract_author

    found = extract_author(root) or ""
    names = [n.strip() for n in found.split(";")]
    return tuple(n for n in names if n and parse_byline(n) == (n,) and not is_not_name(n))


def choose_authors(root: Any, sources: PageSources, header: Header) -> tuple[str, ...]:
    people: list[str] = []
    weak: list[str] = []  # organisations and handles: only when nothing names a person
    for item in sources.articles():
        value = item.get("author") or item.get("creator")
        if not value:
            continue
        for entry in (value if isinstance(value, list) else [value])[:20]:
            is_org = isinstance(entry, dict) and "rganization" in str(entry.get("@type", ""))
            for name in names_in(entry):
                kind = _name_kind(name)
                if kind == "person" and not is_org:
                    people.append(name)
                elif kind:
                    weak.append(name)
        break
    if people:
        return tuple(dict.fromkeys(people))
    for key in _AUTHOR_META:
        values = [plain(v) for v in sources.meta_all.get(key, ())]
        named = [n for v in values for n in (parse_byline(v) or (v,)) if _name_kind(n) == "person"]
        if named:
            return tuple(dict.fromkeys(named))
        weak += [v for v in values if _name_kind(v)]
    if header.authors:
        return header.authors
    if found := _trafilatura_author(root):
        return found
    if found := byline_elements(root):
        return found
    return tuple(dict.fromkeys(weak))


def _figures(root: Any) -> tuple[list[str], list[str]]:
    captions: list[str] = []
    credits: list[str] = []
    for caption in root.iter("figcaption"):
        for element in caption.xpath(
            ".//*[contains(@class,'credit') or contains(@class,'byline')]"
        ):
            credit = plain(element.text_content())
            credits.append(
                parse_photo_credit(credit)
                or re.sub(r"^(photo|credit|image)\s*:\s*", "", credit, flags=re.I)
            )
        text = plain(caption.text_content())
        captions.append(text)
        if text and (not credits or credits[-1] not in text):
            found = parse_photo_credit(text.split(". ")[-1])
            if found:
                credits.append(found)
    return captions, credits


def page_metadata(
    root: Any, blocks: list[tuple[str, Any]], url: str | None = None
) -> tuple[SourceMeta, str | None]:
    """What the page says about itself, and its JSON-LD articleBody (None when absent);
    `blocks` is the page's visible text (html_text.visible_blocks)."""
    sources = read_sources(root, url)
    title, headline_text = choose_title(sources)
    body = root.find("body")
    headline = None
    if body is not None:
        target = headline_text or (sources.headlines[0] if sources.headlines else None)
        headline = next((h for h in body.iter("h1") if plain(h.text_content()) == target), None)
    header = read_header(blocks, headline)
    date, date_source = choose_date(root, sources, header)
    authors = [plain(a) for a in choose_authors(root, sources, header)]
    publisher = next(iter(names_in(sources.first("publisher"))), None) or sources.meta_value(
        "og:site_name"
    )
    captions, credits = _figures(root)
    article_body = sources.first("articleBody")
    language = (root.get("lang") or root.get("xml:lang") or "").split("-")[0].lower()
    meta = SourceMeta(
        title=title or None,
        date=date,
        date_source=date_source,
        authors=tuple(dict.fromkeys(a for a in authors if a)),
        url=sources.url,
        publisher=plain(publisher) or None,
        language=language if re.fullmatch(r"[a-z]{2,3}", language) else None,
        captions=tuple(dict.fromkeys(c for c in captions if c)),
        photo_credits=tuple(dict.fromkeys(c for c in credits if c)),
    )
    return meta, article_body if isinstance(article_body, str) else None
