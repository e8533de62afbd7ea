"""Search (index of record): SearchDocument -> Whoosh fields. The index's schema and what each
article puts in it."""

from __future__ import annotations

import json
import struct
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from whoosh import columns
from whoosh.analysis import CharsetFilter, KeywordAnalyzer
from whoosh.fields import COLUMN, ID, KEYWORD, STORED, TEXT, Schema
from whoosh.support.charset import accent_map

from generator.search.analyzer import ANALYZER, NewsAnalyzer
from generator.search.documents import (
    SearchDocument,
    article_digest,
    names_beyond,
    search_document,
)

if TYPE_CHECKING:
    from generator.models import Article

FACETS = ("people", "organizations", "places", "tags", "year")
# The full-text fields, each normalised by its own length and weighted (BM25F; scorer.py):
# - title x4: a headline says in a few words what the article is about, so a word in it counts
#   as four in the body. Chosen on the public test collections with real headlines (CISI,
#   Cranfield, ADI, LISA; benchmarks/relevance.py): MAP rises with the weight up to 4 on each
#   and stays level beyond (x2 to x4: +1.5% to +4% MAP); TIME, the held-out check, has none.
# - byline x2: a reader who types an author's name wants that author's articles, which rarely
#   name their author in the text (no test collection asks for authors: measured neutral).
# - names x1: only the words of the article's names that the body lacks (names_beyond), such
#   as the full form of a name the text shortens; the rest is in the body, counted there once.
TEXT_FIELDS = {"title": 4.0, "body": 1.0, "byline": 2.0, "names": 1.0}
LENGTHS_FORMAT = "<" + "I" * len(TEXT_FIELDS)


def _facet() -> KEYWORD:
    """A facet's field: comma-separated values, each one term, lower-cased and accent-folded
    (`--place zurich` finds Zürich), as text is."""
    field = KEYWORD(stored=True, commas=True, lowercase=True)
    field.analyzer = KeywordAnalyzer(lowercase=True, commas=True) | CharsetFilter(accent_map)
    return field


def schema() -> Schema:
    stemmed = NewsAnalyzer()
    text = {
        name: TEXT(analyzer=stemmed, stored=True, field_boost=boost)
        for name, boost in TEXT_FIELDS.items()
    }
    return Schema(
        slug=ID(stored=True, unique=True),
        # Hash of everything indexed for the article: an unchanged article is never re-indexed.
        digest=ID(stored=True),
        **text,
        summary=STORED,
        url=STORED,
        date=ID(stored=True, sortable=True),
        year=KEYWORD(stored=True),
        people=_facet(),
        organizations=_facet(),
        places=_facet(),
        tags=_facet(),
        # Every facet value as the article spells it (JSON), one small column read per snapshot
        # for facet counts and display names, instead of unpickling every stored document.
        facets=COLUMN(columns.VarBytesColumn()),
        # Each text field's exact length: Whoosh keeps lengths rounded to a byte (a body of
        # 1,000 words counts as 1,016 or 951), which cost ranking 0.004 MAP on TIME.
        lengths=COLUMN(columns.FixedBytesColumn(struct.calcsize(LENGTHS_FORMAT))),
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


def texts(doc: SearchDocument) -> dict[str, str]:
    """The document's text fields (TEXT_FIELDS)."""
    return {
        "title": doc.title,
        "body": doc.text,
        "byline": ", ".join(doc.byline),
        "names": names_beyond((*doc.people, *doc.organizations, *doc.places), doc.text),
    }


def pack_lengths(lengths: Sequence[int]) -> bytes:
    """Each text field's exact length in words (the lengths column, TEXT_FIELDS order)."""
    return struct.pack(LENGTHS_FORMAT, *lengths)


def fields(doc: SearchDocument, lengths: Sequence[int] | None = None) -> dict[str, Any]:
    """The document's Whoosh fields. `lengths`: each text field's length in index terms, when
    the caller has analysed them already."""
    text = texts(doc)
    if lengths is None:
        lengths = [sum(1 for _ in ANALYZER(value)) for value in text.values()]
    return {
        "slug": doc.slug,
        **text,
        "lengths": pack_lengths(lengths),
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
