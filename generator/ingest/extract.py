"""Stage extract: RawDocument + CleanText + stated metadata -> Article (title, date, dateline, credits...)."""

from __future__ import annotations

import re
import unicodedata

from generator.ingest.dates import normalize_date, parse_filename_date
from generator.ingest.entities import extract_entities, upper_place
from generator.ingest.language import detect_language
from generator.ingest.literal import paragraphs_to_markdown
from generator.ingest.quotes import extract_quotes
from generator.models import (
    Article,
    CleanText,
    DateSource,
    RawDocument,
    SourceMeta,
    SourceRef,
    TitleSource,
)

_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
# 'LISBON —', 'PORTLAND, Maine, Oct 5 -', 'NEW YORK, March 3 (Reuters) -', 'KABUL (AP) —'
_DATELINE = re.compile(
    r"^(?P<place>[A-ZÀ-ÖØ-Þ][A-ZÀ-ÖØ-Þ.'’ -]{1,40}?[A-ZÀ-ÖØ-Þ.])"
    r"(?:,\s*(?!" + _MONTH + r"\s+\d)[A-Z][\w.'’ ]{1,30}?)?"
    r"(?:,?\s*" + _MONTH + r"\s+\d{1,2}(?:,\s*\d{4})?)?"
    r"(?:\s*\((?P<agency>[^)]{2,40})\))?\s*[—–-]{1,2}\s+\S"
    # or a line of its own stamped with the date: 'LONDON 1996-08-30',
    # 'AL-AIN, United Arab Emirates 1996-12-06'
    r"|^(?P<stamped>[A-ZÀ-ÖØ-Þ][A-ZÀ-ÖØ-Þ.'’ -]{1,40}?[A-ZÀ-ÖØ-Þ.])"
    r"(?:\s*,\s*[A-Z][\w.'’ ]{1,30}?)?\s+\d{4}-\d{2}-\d{2}\s*$"
)
_ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "st",
        "jr",
        "sr",
        "gen",
        "sen",
        "rep",
        "gov",
        "lt",
        "col",
        "sgt",
        "capt",
        "prof",
        "rev",
        "u.s",
        "u.k",
        "u.n",
        "e.u",
        "inc",
        "corp",
        "co",
        "ltd",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "no",
        "vs",
        "etc",
    ]
)
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?])[\"”’)]*\s+(?=[\"“‘(]?[A-Z0-9])")
_TITLE_MAX = 90


def first_sentence(text: str) -> str:
    """The first sentence of a paragraph, not fooled by 'Mr.' or 'U.S.'."""
    start = 0
    for match in _SENTENCE_SPLIT.finditer(text):
        before = text[start : match.start()].split()
        last = before[-1].rstrip('.!?"”’').lower() if before else ""
        if last in _ABBREVIATIONS or re.fullmatch(r"[a-z]", last):
            continue
        return text[: match.start()].strip()
    return text.strip()


def _is_stamped_dateline(paragraph: str) -> bool:
    match = _DATELINE.match(paragraph)
    return bool(match and match.group("stamped"))


def infer_title(paragraphs: tuple[str, ...]) -> str:
    """A title from the lede when the source has none (flagged title_source: inferred)."""
    ledes = [p for p in paragraphs if len(p.split()) >= 4 and not _is_stamped_dateline(p)]
    lede = ledes[0] if ledes else (paragraphs[0] if paragraphs else "")
    lede = _DATELINE.sub(lambda m: m.group(0)[-1], lede, count=1) if _DATELINE.match(lede) else lede
    sentence = first_sentence(lede).rstrip(".")
    if len(sentence) <= _TITLE_MAX:
        return sentence or "Untitled article"
    cut = sentence[:_TITLE_MAX].rsplit(" ", 1)[0].rstrip(",;:—–- ")
    return cut + "…"


def slugify(text: str, max_length: int = 80) -> str:
    """ASCII, lower-case, hyphenated; cut at a word boundary; never empty and never '..'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) > max_length:
        slug = slug[:max_length].rsplit("-", 1)[0]
    return slug or "article"


def find_dateline(paragraphs: tuple[str, ...]) -> str | None:
    for paragraph in paragraphs[:3]:
        match = _DATELINE.match(paragraph)
        if match:
            place = (match.group("place") or match.group("stamped")).strip()
            if len(place) >= 3 and not place.isdigit():
                return place
    return None


def _without_dateline(plain: str) -> str:
    """The text with its dateline's place blanked (same length, so offsets hold): 'ST. LOUIS,
    March 4 -' is the dateline's place, read there, not words for the entity stage."""
    position = 0
    for paragraph in plain.split("\n\n")[:3]:
        match = _DATELINE.match(paragraph)
        if match:
            group = "place" if match.group("place") else "stamped"
            start, end = position + match.start(group), position + match.end(group)
            return plain[:start] + " " * (end - start) + plain[end:]
        position += len(paragraph) + 2
    return plain


_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MD_LINE = re.compile(r"^\s*(?:#{1,6}\s+|[-*+]\s+|\d+[.)]\s+|>\s*)", re.M)


def plain_markdown(text: str) -> str:
    """Markdown to plain text for summaries: headings, list markers, links and emphasis go."""
    text = _MD_LINE.sub("", _MD_LINK.sub(r"\1", text))
    return re.sub(r"(\*\*|__|`)", "", text)


def summarize(paragraphs: tuple[str, ...], words: int) -> str:
    tokens = " ".join(paragraphs).split()
    text = " ".join(tokens[:words])
    return text + ("…" if len(tokens) > words else "")


def _pick_date(
    raw: RawDocument, stated: SourceMeta, clean: CleanText
) -> tuple[str | None, DateSource | None]:
    if raw.sidecar.date and (d := normalize_date(raw.sidecar.date)):
        return d, "sidecar"
    if stated.date and (d := normalize_date(stated.date)):
        return d, stated.date_source or "metadata"
    if clean.stated_date:
        return clean.stated_date, "text"
    # A web archive's file name dates the crawl, not the article (rec-20240305...warc.gz).
    if raw.captured is None and (d := parse_filename_date(raw.source.name)):
        return d, "filename"
    return None, None


def extract_article(
    raw: RawDocument, clean: CleanText, stated: SourceMeta, summary_words: int
) -> Article:
    """Build the Article record for one cleaned input. Pure; never raises on odd text."""
    paragraphs = clean.paragraphs
    title_source: TitleSource
    if raw.sidecar.title:
        title, title_source = raw.sidecar.title, "metadata"
    elif stated.title:
        title, title_source = stated.title, "metadata"
    elif clean.title_line:
        title, title_source = clean.title_line, "extracted"
    else:
        title, title_source = infer_title(paragraphs), "inferred"
    title = re.sub(r"\s+", " ", title).strip() or "Untitled article"
    date, date_source = _pick_date(raw, stated, clean)
    if raw.format == "md":
        body_text = "\n\n".join(paragraphs)
    else:
        body_text = paragraphs_to_markdown(paragraphs)  # scraped text: data, never markup
    authors = raw.sidecar.authors or stated.authors or clean.authors
    plain = "\n\n".join(paragraphs)
    dateline = find_dateline(paragraphs)
    entities = extract_entities(_without_dateline(plain) if dateline else plain)
    places = entities.places
    if dateline:
        # A dateline names the place the story was filed from: always a place of the article.
        place = upper_place(dateline)
        places = tuple(dict.fromkeys((place, *places)))
    return Article(
        source_file=raw.source,
        title=title,
        title_source=title_source,
        slug=slugify(title),
        body=body_text,
        date=date,
        date_source=date_source,
        dateline=dateline,
        authors=tuple(authors),
        contributors=tuple(c for c in clean.contributors if c not in authors),
        photo_credits=tuple(dict.fromkeys((*stated.photo_credits, *clean.photo_credits))),
        publisher=raw.sidecar.publisher or stated.publisher,
        url=raw.sidecar.url or stated.url,
        language=raw.sidecar.language or detect_language(" ".join(paragraphs)) or stated.language,
        summary=summarize(
            tuple(plain_markdown(p) for p in paragraphs) if raw.format == "md" else paragraphs,
            summary_words,
        ),
        word_count=len(" ".join(paragraphs).split()),
        people=entities.people,
        organizations=entities.organizations,
        places=places,
        quotes=extract_quotes(plain, entities),
        tags=tuple(dict.fromkeys((*raw.sidecar.tags, *stated.tags))),
        source=SourceRef(path=raw.rel_path, sha256=raw.sha256, format=raw.format),
        removed=clean.removed,
    )
