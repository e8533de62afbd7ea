"""Bounds on the work one request may ask for (search queries from the CLI and the preview).

Whoosh's "did you mean" builds a Levenshtein automaton per unknown word, in time that grows
with the word: one 5,000-character word kept a preview thread busy for a minute. A query is
text a person types; a bound far above any real one keeps each request's work small.
"""

from __future__ import annotations

MAX_QUERY_CHARS = 256


def query_problem(text: str) -> str | None:
    """Why a search query is refused (None when it is fine)."""
    if len(text) > MAX_QUERY_CHARS:
        return f"query is too long ({len(text):,} characters; at most {MAX_QUERY_CHARS})"
    return None
