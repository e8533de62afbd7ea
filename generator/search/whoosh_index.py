"""Search (index of record): Articles -> Whoosh index in .build/whoosh; queries -> ranked, faceted hits.

The search API: the only entry point the CLI, the preview server and the build use, so a server
engine can replace Whoosh behind these functions. The work is done in modules of their own:

- analyzer.py: NewsAnalyzer, Whoosh's stemming chain fused into one pass;
- fields.py: the schema and what an article puts in it;
- indexing.py: build_index (bulk_writer.py, several times faster than Whoosh's writer) and
  update_index (Whoosh's writer, by key, only what changed);
- whoosh_private.py: the code below Whoosh's documented API, with the versions it is tested on;
- snapshot.py: the open index, cached between calls and reopened when a build changed it;
- scorer.py: word queries scored with numpy over the posting lists, as Whoosh ranks them;
- spelling.py and vocabulary.py: "did you mean" from the index's word list;
- snippets.py: escaped snippets with <mark> on each match.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from whoosh import collectors, qparser, query

from generator.errors import SearchError
from generator.search.analyzer import NewsAnalyzer
from generator.search.documents import (  # re-exported: the index's API takes these
    SCHEMA_VERSION,
    SearchDocument,
    article_digest,
    search_document,
)
from generator.search.fields import FACETS
from generator.search.indexing import (
    SEGMENT_DOCS,
    IndexUpdate,
    build_index,
    update_index,
    update_index_from,
)
from generator.search.scorer import is_word_query, page_bounds, present_terms, score_query
from generator.search.snapshot import BoolArray, Snapshot, open_snapshot
from generator.search.snippets import make_snippet
from generator.search.spelling import suggest

__all__ = [
    "FACETS",
    "SCHEMA_VERSION",
    "SEGMENT_DOCS",
    "IndexUpdate",
    "NewsAnalyzer",
    "SearchDocument",
    "SearchHit",
    "SearchResult",
    "article_digest",
    "build_index",
    "make_snippet",
    "search",
    "search_document",
    "update_index",
    "update_index_from",
]

_MARK = re.compile(r"</?mark[^>]*>")


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
    page: int
    pages: int
    hits: tuple[SearchHit, ...]
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    suggestion: str | None = None


def search(
    index_dir: Path,
    text: str,
    *,
    limit: int = 10,
    page: int = 1,
    filters: Sequence[tuple[str, str]] = (),
    with_facets: bool = False,
) -> SearchResult:
    """Ranked hits for a user query (phrases, AND/OR/NOT), filtered by facet values, paged.

    A suggestion ("did you mean") is offered when nothing or little matches.
    Raises SearchError when the index is missing or damaged, or the query cannot be parsed.
    """
    while True:
        snap = open_snapshot(index_dir)
        with snap.lock:
            if (
                not snap.closed
            ):  # else another thread reopened the index meanwhile: take the new one
                return _search(snap, text, limit, page, filters, with_facets)


def _search(
    snap: Snapshot,
    text: str,
    limit: int,
    page: int,
    filters: Sequence[tuple[str, str]],
    with_facets: bool,
) -> SearchResult:
    limit = max(1, limit)
    parser = qparser.MultifieldParser(["title", "body"], schema=snap.schema, group=qparser.AndGroup)
    try:
        parsed = parser.parse(text)
    except Exception as exc:
        raise SearchError(f"cannot parse query {text!r}: {exc}") from exc
    terms = [query.Term(name, value.lower()) for name, value in filters if name in FACETS]
    searcher = snap.searcher
    mask: BoolArray | None = None  # every matching document, when known
    if is_word_query(parsed, snap.scored_fields):
        matched_terms: list[tuple[str, BoolArray]] = []
        mask, scores = score_query(snap, parsed, matched_terms)
        mask &= snap.live()
        for term in terms:
            mask &= snap.docs_mask(snap.postings(term.fieldname, term.text)[0])
        docs = np.flatnonzero(mask)
        ranked = docs[np.lexsort((docs, -scores[docs]))]  # best first; ties: earlier document
        total = len(ranked)
        shown, pages, offset = page_bounds(total, limit, page)
        page_docs = [int(d) for d in ranked[offset : offset + limit]]
        page_scores = [float(scores[d]) for d in page_docs]
        stems = {d: {word for word, has in matched_terms if has[d]} for d in page_docs}
    else:
        filter_query = query.And(terms) if terms else None
        # replace=0: Whoosh's periodic matcher replacement can drop a term's score from some
        # documents (a different top ten than the same query gives unoptimized).
        collector: Any = collectors.TopCollector(max(1, page) * limit, replace=0)
        if filter_query is not None:
            collector = collectors.FilterCollector(collector, allow=filter_query)
        searcher.search_with_collector(parsed, collector)
        results = collector.results()
        total = len(results)
        shown, pages, offset = page_bounds(total, limit, page)
        page_docs = [hit.docnum for hit in results[offset : offset + limit]]
        page_scores = [float(hit.score or 0.0) for hit in results[offset : offset + limit]]
        stems = present_terms(snap, parsed, page_docs)
        if with_facets:
            mask = snap.docs_mask(searcher.docs_for_query(parsed)) & snap.live()
            if filter_query is not None:
                mask &= snap.docs_mask(searcher.docs_for_query(filter_query))
    hits = []
    for docnum, score in zip(page_docs, page_scores, strict=True):
        stored = searcher.stored_fields(docnum)
        snippet = make_snippet(stored["body"], stems[docnum]) or html.escape(
            stored["summary"][:220]
        )
        hits.append(
            SearchHit(
                stored["title"],
                stored["date"] or None,
                stored["url"],
                re.sub(r"\s+", " ", snippet),
                score,
            )
        )
    facets = snap.facet_table().counts(mask) if with_facets and mask is not None else {}
    # The corrector walks the whole word graph: only worth it when nothing matched.
    suggestion = suggest(snap, text) if total == 0 else None
    return SearchResult(text, total, shown, pages, tuple(hits), facets, suggestion)
