"""Search (index of record): Articles -> Whoosh index in .build/whoosh; queries -> ranked hits.

The only module that imports whoosh, so a server engine can replace it behind these functions.
"""

from __future__ import annotations

import html
import os
import re
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from whoosh import highlight, index, qparser, query
from whoosh.analysis import CharsetFilter, StemmingAnalyzer
from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema
from whoosh.support.charset import accent_map

from generator.build.plan import article_url
from generator.errors import SearchError
from generator.fsutil import swap_directory
from generator.models import Article

_MARK = re.compile(r"</?mark[^>]*>")


def _schema() -> Schema:
    analyzer = StemmingAnalyzer() | CharsetFilter(accent_map)
    return Schema(
        slug=ID(stored=True, unique=True),
        title=TEXT(analyzer=analyzer, stored=True, field_boost=2.0),
        body=TEXT(analyzer=analyzer, stored=True),
        summary=STORED,
        url=STORED,
        date=ID(stored=True, sortable=True),
        year=KEYWORD(stored=True),
        people=KEYWORD(stored=True, commas=True, lowercase=True),
        organizations=KEYWORD(stored=True, commas=True, lowercase=True),
        places=KEYWORD(stored=True, commas=True, lowercase=True),
        tags=KEYWORD(stored=True, commas=True, lowercase=True),
    )


def _plain_body(markdown_body: str) -> str:
    text = re.sub(r"^\s*(?:\\)?[#>*+-]\s+", "", markdown_body, flags=re.M)
    return text.replace("\\", "")


def _document(article: Article) -> dict[str, Any]:
    return {
        "slug": article.slug,
        "title": article.title,
        "body": _plain_body(article.body),
        "summary": article.summary,
        "url": article_url(article),
        "date": article.date or "",
        "year": article.year or "",
        "people": ",".join(article.people),
        "organizations": ",".join(article.organizations),
        "places": ",".join(article.places),
        "tags": ",".join(article.tags),
    }


def build_index(index_dir: Path, articles: Iterable[Article]) -> int:
    """Write a fresh index into a temporary folder, then swap it in; returns the document count.

    A crash mid-way leaves the previous index untouched and searchable.
    """
    staged = index_dir.with_name(f"{index_dir.name}.tmp-{os.getpid()}")
    shutil.rmtree(staged, ignore_errors=True)
    staged.mkdir(parents=True)
    try:
        ix = index.create_in(str(staged), _schema())
        writer = ix.writer(limitmb=128)
        count = 0
        for article in articles:
            writer.add_document(**_document(article))
            count += 1
        writer.commit()
        ix.close()
        swap_directory(staged, index_dir)
    finally:
        shutil.rmtree(staged, ignore_errors=True)
    return count


@dataclass(frozen=True, slots=True)
class SearchHit:
    title: str
    date: str | None
    url: str
    snippet_html: str
    score: float

    @property
    def snippet_text(self) -> str:
        return html.unescape(_MARK.sub("", self.snippet_html))


@dataclass(frozen=True, slots=True)
class SearchResult:
    query: str
    total: int
    hits: tuple[SearchHit, ...]


def search(
    index_dir: Path, text: str, *, limit: int = 10, filters: Sequence[tuple[str, str]] = ()
) -> SearchResult:
    """Ranked hits for a user query (phrases, AND/OR/NOT), optionally filtered by facet values.

    Raises SearchError when the index is missing or the query cannot be parsed.
    """
    if not index.exists_in(str(index_dir)):
        raise SearchError(f"no search index in {index_dir}; run 'newsarchive build' first")
    ix = index.open_dir(str(index_dir))
    try:
        parser = qparser.MultifieldParser(
            ["title", "body"], schema=ix.schema, group=qparser.AndGroup
        )
        try:
            parsed = parser.parse(text)
        except Exception as exc:  # whoosh raises assorted errors for odd syntax
            raise SearchError(f"cannot parse query {text!r}: {exc}") from exc
        terms = [query.Term(field, value.lower()) for field, value in filters]
        filter_query = query.And(terms) if terms else None
        with ix.searcher() as searcher:
            results = searcher.search(parsed, limit=limit, filter=filter_query, terms=True)
            results.fragmenter = highlight.ContextFragmenter(maxchars=220, surround=60)
            results.formatter = highlight.HtmlFormatter(tagname="mark", between=" … ")
            hits = []
            for hit in results:
                snippet = re.sub(
                    r"\s+", " ", hit.highlights("body") or html.escape(hit["summary"][:220])
                )
                hits.append(
                    SearchHit(
                        hit["title"],
                        hit["date"] or None,
                        hit["url"],
                        snippet,
                        float(hit.score or 0.0),
                    )
                )
            return SearchResult(text, len(results), tuple(hits))
    finally:
        ix.close()
