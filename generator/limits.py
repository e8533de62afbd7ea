"""Bounds on the work one request may ask for (search queries from the CLI and the preview).

Whoosh's "did you mean" builds a Levenshtein automaton per unknown word, in time that grows
with the word: one 5,000-character word kept a preview thread busy for a minute. A query is
text a person types or pastes: a reader's request as a paragraph (CISI's librarians' requests
run to 2,000 characters; half of them are over 460), bounded far above any real one to keep each
request's work small (spelling.py bounds what "did you mean" corrects).
"""

from __future__ import annotations

MAX_QUERY_CHARS = 4096


def query_problem(text: str) -> str | None:
    """Why a search query is refused (None when it is fine)."""
    if len(text) > MAX_QUERY_CHARS:
        return f"query is too long ({len(text):,} characters; at most {MAX_QUERY_CHARS:,})"
    return None
