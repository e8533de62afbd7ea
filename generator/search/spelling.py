"""Search (index of record): the words of a query no article has -> "did you mean", from the
index's word list (vocabulary.py).

A word is corrected to the listed word nearest to it by edit distance (optimal string
alignment: insertions, deletions, substitutions and swaps of two neighbouring letters each
count one), the most common of equally near ones, then the first in alphabetical order. Only
words are corrected, never operators (-, NOT, quotes) or anything else the reader typed; the
static search page does the same over the word list the build writes for it (static.py).

Each correction runs a Levenshtein automaton over the word list, in time growing with the
word, so only what can be a typo is corrected: words of up to MAX_WORD letters, the first
MAX_CORRECTED unknown words of the query (a pasted paragraph of unknown words is no typo).
"""

from __future__ import annotations

from generator.search.query_syntax import WORD, Query, fold
from generator.search.vocabulary import Vocabulary

MAX_WORD = 32  # letters: longer than any word a dictionary lists
MAX_CORRECTED = 8


def edit_distance(a: str, b: str) -> int:
    """Optimal string alignment distance (Damerau-Levenshtein without repeated edits)."""
    if a == b:
        return 0
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = ca != cb
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[-1]


def max_distance(word: str) -> int:
    """Edits allowed for a word: one up to four letters, two from five."""
    return 1 if len(word) <= 4 else 2


def correct(vocabulary: Vocabulary, word: str) -> str | None:
    """The nearest listed word (see the module docstring), None when none is near enough."""
    limit = max_distance(word)
    candidates = [
        (edit_distance(word, other), -vocabulary.frequency(other), other)
        for other in vocabulary.within(word, limit)
        if other != word
    ]
    best = min(candidates, default=None)
    return best[2] if best is not None and best[0] <= limit else None


def suggest(vocabulary: Vocabulary, query: Query, unknown: set[str]) -> str | None:
    """The query as typed with each unknown word (folded, from query.words or its phrases)
    replaced by its correction; None when there is nothing to correct."""
    typed = dict.fromkeys(fold(m.group(0)) for m in WORD.finditer(query.text))
    candidates = [word for word in typed if word in unknown and len(word) <= MAX_WORD]
    corrections = {
        word: found for word in candidates[:MAX_CORRECTED] if (found := correct(vocabulary, word))
    }
    if not corrections:
        return None
    text = WORD.sub(lambda m: corrections.get(fold(m.group(0)), m.group(0)), query.text)
    return text if text != query.text else None
