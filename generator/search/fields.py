"""Search (index of record): SearchDocument -> Whoosh fields. The index's schema and what each
article puts in it."""

from __future__ import annotations

import json
from typing import Any

from whoosh import columns
from whoosh.fields import COLUMN, ID, KEYWORD, STORED, TEXT, Schema

from generator.models import Article
from generator.search.analyzer import NewsAnalyzer
from generator.search.documents import SearchDocument, article_digest, search_document

FACETS = ("people", "organizations", "places", "tags", "year")


def schema() -> Schema:
    stemmed = NewsAnalyzer()
    return Schema(
        slug=ID(stored=True, unique=True),
        # Hash of everything indexed for the article: an unchanged article is never re-indexed.
        digest=ID(stored=True),
        title=TEXT(analyzer=stemmed, stored=True, field_boost=2.0),
        body=TEXT(analyzer=stemmed, stored=True),
        summary=STORED,
        url=STORED,
        date=ID(stored=True, sortable=True),
        year=KEYWORD(stored=True),
        people=KEYWORD(stored=True, commas=True, lowercase=True),
        organizations=KEYWORD(stored=True, commas=True, lowercase=True),
        places=KEYWORD(stored=True, commas=True, lowercase=True),
        tags=KEYWORD(stored=True, commas=True, lowercase=True),
        # Every facet value as the article spells it (JSON), one small column read per snapshot
        # for facet counts and display names, instead of unpickling every stored document.
        facets=COLUMN(columns.VarBytesColumn()),
    )


def layout(schema: Schema) -> list[tuple[str, ...]]:
    """What makes two schemas index alike (Whoosh's own == compares column objects by identity)."""
    return [
        (
            name,
            type(fieldobj).__name__,
            repr(fieldobj.format),
            repr(fieldobj.analyzer),
            repr((fieldobj.stored, fieldobj.scorable, fieldobj.unique)),
            type(fieldobj.column_type).__name__,
        )
        for name, fieldobj in sorted(schema.items())
    ]


def as_document(item: Article | SearchDocument) -> SearchDocument:
    return item if isinstance(item, SearchDocument) else search_document(item)


def digest(item: Article | SearchDocument) -> str:
    return item.digest if isinstance(item, SearchDocument) else article_digest(item)


def fields(doc: SearchDocument) -> dict[str, Any]:
    """The document's Whoosh fields."""
    return {
        "slug": doc.slug,
        "title": doc.title,
        "body": doc.text,
        "summary": doc.summary,
        "url": doc.url,
        "date": doc.date or "",
        "year": doc.year or "",
        "people": ",".join(doc.people),
        "organizations": ",".join(doc.organizations),
        "places": ",".join(doc.places),
        "tags": ",".join(doc.tags),
        "facets": json.dumps(
            [
                list(doc.people),
                list(doc.organizations),
                list(doc.places),
                list(doc.tags),
                [doc.year] if doc.year else [],
            ],
            ensure_ascii=False,
            separators=(",", ":"),
        ).encode("utf-8"),
        "digest": doc.digest,
    }


def document(item: Article | SearchDocument) -> dict[str, Any]:
    """Keyword arguments for Whoosh's writer.add_document / update_document."""
    return fields(as_document(item))
