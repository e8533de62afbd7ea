"""Search (both engines): what a reader typed -> Query (words, phrases, exclusions).

One syntax for the index of record and the static search page; templates/static/search.js
parses queries with the same rules (tests/search/test_query_syntax.py runs both on the same
queries), and the search page's help text describes exactly these:

- words: every word counts; articles with all of them rank first, articles with only some of
  them are still found, below (soft AND). Case, accents and word endings do not matter.
- "a phrase": required, its words next to each other in this order; "one" word in quotes is
  a word the article must contain.
- -word, -"a phrase", or NOT word: articles containing it are left out.
- OR and AND are not needed (every word already counts) and are skipped, as are very common
  words (the, of, ...) and single letters outside phrases. There are no field prefixes: `title:bridge` searches
  for `bridge`; filter by person, place, organization, tag or year with the filters instead.

Words are the runs the index's tokenizer finds (analyzer.WORD), lower-cased and accent-folded
here; each engine stems them itself. Pure: no Whoosh, no numpy.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Whoosh's English stop words (whoosh.analysis.STOP_WORDS), which the index leaves out; the same
# list is in templates/static/search.js. tests/search/test_query_syntax.py checks they agree.
STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "can",
        "for",
        "from",
        "have",
        "if",
        "in",
        "is",
        "it",
        "may",
        "not",
        "of",
        "on",
        "or",
        "tbd",
        "that",
        "the",
        "this",
        "to",
        "us",
        "we",
        "when",
        "will",
        "with",
        "yet",
        "you",
        "your",
    ]
)
# A word as the index's tokenizer finds it (analyzer.WORD without its `*`: no wildcards here).
# A word of a query (letters and digits, inner full stops kept: "U.S."); spelling.py uses it too.
WORD = re.compile(r"\w+(?:\.?\w+)*")
# Quoted runs (an unclosed quote runs to the end), or runs of anything else but space.
_ITEM = re.compile(r'(-?)"([^"]*)"?|(\S+)')
_FIELD_PREFIX = re.compile(r"^[^\W\d_]+:(?=.)")
_OPERATORS = frozenset({"AND", "OR"})


def fold(text: str) -> str:
    """Lower-case and accent-free (NFKD without combining marks): how every engine compares."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words_of(text: str) -> tuple[str, ...]:
    """The folded words of text, in order, stop words included."""
    return tuple(WORD.findall(fold(text)))


def is_indexed(word: str) -> bool:
    """Whether the index holds a (folded) word: not a stop word, not a single character."""
    return len(word) > 1 and word not in STOP_WORDS


@dataclass(frozen=True, slots=True)
class Query:
    """A parsed query. Words and phrase words are folded, not stemmed; stop words are left out
    of `words` but kept inside phrases (where the order matters)."""

    text: str
    words: tuple[str, ...] = ()  # soft AND: each counts, none is required
    phrases: tuple[tuple[str, ...], ...] = ()  # each required, words adjacent and in order
    excluded: tuple[tuple[str, ...], ...] = ()  # a word (one-word tuple) or a phrase to leave out

    @property
    def is_empty(self) -> bool:
        """Nothing to look for (only spaces, operators, punctuation, stop words or exclusions)."""
        return not self.words and not self.phrases

    @property
    def terms(self) -> tuple[tuple[str, ...], ...]:
        """What the ranking counts, once each: every word, then every phrase."""
        return tuple((word,) for word in self.words) + self.phrases


def parse_query(text: str) -> Query:
    """Parse a query as both engines read it (see the module docstring). Never fails."""
    words: list[str] = []
    phrases: list[tuple[str, ...]] = []
    excluded: list[tuple[str, ...]] = []
    negate_next = False
    for match in _ITEM.finditer(text):
        minus, quoted, bare = match.groups()
        if bare is not None and bare in _OPERATORS:
            negate_next = False
            continue
        if bare == "NOT":
            negate_next = True
            continue
        negated = negate_next or bool(minus)
        negate_next = False
        if quoted is not None:
            found = words_of(quoted)
            if not any(map(is_indexed, found)):
                continue
            if negated:
                excluded.append(found)
            elif found not in phrases:
                phrases.append(found)
            continue
        assert bare is not None
        if bare.startswith("-") and len(bare) > 1:
            negated, bare = True, bare[1:]
        found = words_of(_FIELD_PREFIX.sub("", bare))
        if negated:
            if any(map(is_indexed, found)):
                excluded.append(found)
            continue
        words.extend(w for w in found if is_indexed(w) and w not in words)
    return Query(text, tuple(words), tuple(phrases), tuple(dict.fromkeys(excluded)))
