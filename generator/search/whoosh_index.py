"""Search (index of record): Articles -> Whoosh index in .build/whoosh; queries -> ranked, faceted hits.

The search API: the only entry point the CLI, the preview server and the build use, so a server
engine can replace Whoosh behind these functions. The work is done in modules of their own:

- analyzer.py: NewsAnalyzer, Whoosh's stemming chain fused into one pass;
- fields.py: the schema and what an article puts in it;
- indexing.py: build_index (bulk_writer.py, several times faster than Whoosh's writer) and
  update_index (Whoosh's writer, by key, only what changed);
- whoosh_private.py: the code below Whoosh's documented API, with the versions it is tested on;
- positions.py: each segment's word positions (a file beside it, memory-mapped) for phrases;
- query_syntax.py: what a reader typed -> words, phrases, exclusions (the static search page
  parses queries the same way);
- searching.py: search(), over snapshot.py (the open index, cached between calls and reopened
  when a build changed it) and scorer.py (numpy over the posting lists: soft AND, phrases);
- spelling.py and vocabulary.py: "did you mean" from the index's word list;
- snippets.py: escaped snippets with <mark> on each match.
"""

from __future__ import annotations

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
from generator.search.searching import SearchHit, SearchResult, search
from generator.search.snippets import make_snippet

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
