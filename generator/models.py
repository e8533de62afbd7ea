"""Immutable records that flow through the pipeline: raw input -> cleaned text -> Article -> Page."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

SourceFormat = Literal["txt", "html", "md"]
TitleSource = Literal["extracted", "metadata", "inferred", "editor"]
DateSource = Literal["text", "metadata", "sidecar", "filename", "editor"]

EMPTY: Mapping[str, Any] = {}


@dataclass(frozen=True, slots=True)
class Removal:
    """A span the cleaner took out of the source, kept verbatim so nothing is lost."""

    kind: str
    text: str
    reason: str


@dataclass(frozen=True, slots=True)
class SourceMeta:
    """Metadata stated by the source itself (HTML meta, JSON-LD, front matter) or a sidecar."""

    title: str | None = None
    date: str | None = None
    date_source: DateSource | None = None
    authors: tuple[str, ...] = ()
    url: str | None = None
    publisher: str | None = None
    language: str | None = None
    tags: tuple[str, ...] = ()
    photo_credits: tuple[str, ...] = ()
    captions: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RawDocument:
    """One input file, decoded once to NFC text (stage: read)."""

    source: Path
    rel_path: str
    format: SourceFormat
    text: str
    sha256: str
    encoding: str
    repairs: tuple[str, ...] = ()
    sidecar: SourceMeta = field(default_factory=SourceMeta)
    # When a web crawler fetched it (a web archive record's WARC-Date); None for a plain file.
    captured: str | None = None


@dataclass(frozen=True, slots=True)
class CleanText:
    """The article text after junk removal (stage: clean), plus what the cleaner found on the way."""

    source: Path
    title_line: str | None
    paragraphs: tuple[str, ...]
    removed: tuple[Removal, ...]
    authors: tuple[str, ...] = ()
    contributors: tuple[str, ...] = ()
    photo_credits: tuple[str, ...] = ()
    stated_date: str | None = None
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SourceRef:
    """Where an article came from: path relative to content/raw/, content hash, format; for a
    page from a web archive also the record (WARC-Record-ID), its byte offset in the WARC, and
    the WARC's name inside a WACZ."""

    path: str
    sha256: str
    format: SourceFormat
    record: str | None = None
    offset: int | None = None
    member: str | None = None


def record_key(path: str, member: str | None = None, record: str | None = None) -> str:
    """What ingest knows a record's input by: the raw file's path, and for a web archive page the
    WARC's name inside a WACZ and the record id too (one archive gives many records)."""
    return "#".join(part for part in (path, member, record) if part)


@dataclass(frozen=True, slots=True)
class Quote:
    text: str
    speaker: str | None


@dataclass(frozen=True, slots=True)
class Article:
    """The durable record: one Markdown file with YAML front matter in content/articles/."""

    source_file: Path
    title: str
    slug: str
    body: str
    title_source: TitleSource = "extracted"
    date: str | None = None
    date_source: DateSource | None = None
    dateline: str | None = None
    authors: tuple[str, ...] = ()
    contributors: tuple[str, ...] = ()
    photo_credits: tuple[str, ...] = ()
    publisher: str | None = None
    url: str | None = None
    # When a web crawler captured the page (WARC-Date), never the publication date.
    captured: str | None = None
    language: str | None = None
    summary: str = ""
    word_count: int = 0
    people: tuple[str, ...] = ()
    organizations: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    quotes: tuple[Quote, ...] = ()
    tags: tuple[str, ...] = ()
    source: SourceRef | None = None
    removed: tuple[Removal, ...] = ()
    # Fields owned by later stages or by people (spin, duplicates, related, annotations,
    # generated, unknown keys) are carried through untouched, in key order.
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def year(self) -> str | None:
        return self.date[:4] if self.date else None

    @property
    def month(self) -> str | None:
        return self.date[5:7] if self.date and len(self.date) >= 7 else None


@dataclass(frozen=True, slots=True)
class IngestResult:
    """What ingest did to one raw file."""

    raw_path: str
    article_path: str | None
    action: Literal["written", "unchanged", "kept-edited", "skipped"]
    message: str = ""
    notes: tuple[str, ...] = ()  # what the record boundary cut to keep the record bounded


@dataclass(frozen=True, slots=True)
class Page:
    """One output page: where it goes, which template renders it, and what it shows."""

    url: str
    template: str
    context: Mapping[str, Any]
    inputs: tuple[str, ...] = ()

    @property
    def output_path(self) -> str:
        if self.url.endswith("/") or self.url == "":
            return self.url + "index.html"
        return self.url
