"""Search (index of record): a reader's query -> ranked, paged, faceted hits with snippets and
"did you mean".

What `newsarchive search` and the preview server's /api/search call. It imports only what a
query needs (no index writer, no render code), so a one-off CLI search starts quickly.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from generator.errors import EmptyQueryError
from generator.search.query_syntax import Query, parse_query
from generator.search.scorer import Matches, evaluate, page_bounds, term_of
from generator.search.snapshot import Snapshot, open_snapshot
from generator.search.snippets import lede, make_snippet
from generator.search.spelling import suggest

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
    total: int  # articles found (with at least one of the words, every phrase, no exclusion)
    page: int
    pages: int
    hits: tuple[SearchHit, ...]
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    suggestion: str | None = None  # the query with unknown words corrected ("did you mean")
    complete: int = 0  # of `total`, the articles with every word and phrase
    unknown: tuple[str, ...] = ()  # words of the query no article has
    loosened: tuple[str, ...] = ()  # phrases no article has, searched as their words instead


def search(
    index_dir: Path,
    text: str,
    *,
    limit: int = 10,
    page: int = 1,
    filters: Sequence[tuple[str, str]] = (),
    with_facets: bool = False,
) -> SearchResult:
    """Ranked hits for a reader's query (query_syntax.py), filtered by facet values, paged.

    Raises EmptyQueryError when the query has nothing to look for, SearchError when the index
    is missing or damaged.
    """
    query = parse_query(text)
    if query.is_empty:
        raise EmptyQueryError(
            f"nothing to search for in {text!r}: type some words (very common ones such as"
            " 'the' are skipped, and -word only leaves articles out)"
        )
    while True:
        snap = open_snapshot(index_dir)
        with snap.lock:
            if (
                not snap.closed
            ):  # else another thread reopened the index meanwhile: take the new one
                return _search(snap, query, limit, page, filters, with_facets)


def _search(
    snap: Snapshot,
    query: Query,
    limit: int,
    page: int,
    filters: Sequence[tuple[str, str]],
    with_facets: bool,
) -> SearchResult:
    limit = max(1, limit)
    matches = evaluate(snap, query, filters)
    docs = np.flatnonzero(matches.mask)
    scores = matches.scores
    ranked = docs[np.lexsort((docs, -scores[docs]))]  # best first; ties: earlier document
    total = len(ranked)
    shown, pages, offset = page_bounds(total, limit, page)
    hits = tuple(_hit(snap, matches, int(d)) for d in ranked[offset : offset + limit])
    facets = snap.facet_table().counts(matches.mask) if with_facets else {}
    # Words no article has: corrected from the word list ("did you mean"), and named.
    unknown = {
        word
        for words in query.terms
        for word in words
        if (term := term_of(word)) is not None
        and not any(len(snap.postings(f, term)[0]) for f in snap.text_fields)
    }
    suggestion = suggest(snap.vocabulary(), query, unknown) if unknown else None
    return SearchResult(
        query.text,
        total,
        shown,
        pages,
        hits,
        facets,
        suggestion,
        int(matches.complete.sum()),
        tuple(sorted(unknown)),
        tuple(" ".join(words) for words in matches.loosened),
    )


def _hit(snap: Snapshot, matches: Matches, docnum: int) -> SearchHit:
    stored = snap.reader.stored_fields(docnum)
    body = stored.get("body") or ""
    # A hit only in the title, byline or names shows the summary, or else the lede.
    snippet = make_snippet(body, matches.terms_of(docnum)) or lede(stored.get("summary") or body)
    return SearchHit(
        stored["title"],
        stored["date"] or None,
        stored["url"],
        re.sub(r"\s+", " ", snippet),
        float(matches.scores[docnum]),
    )
