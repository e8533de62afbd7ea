"""Search (index of record): the index's word list (words.json) -> "did you mean" candidates.

"Did you mean" needs the unstemmed words (a stemmed field would suggest stems: 'migrants' ->
'migrant', 'library' -> 'librari') and how common each is. Instead of a second full-text field
(every word of every article analysed and posted again), the index folder holds the list of
distinct words with the number of live articles having each, kept exact by update_index, and
suggestions come from Whoosh's Levenshtein automaton run over that sorted list.
"""

from __future__ import annotations

import bisect
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.search.analyzer import ANALYZER
from generator.search.documents import SCHEMA_VERSION
from generator.search.fields import TEXT_FIELDS
from generator.search.whoosh_private import levenshtein_matches

VOCABULARY = "words.json"  # beside Whoosh's files; not a name Whoosh's clean-up touches


@dataclass(frozen=True, slots=True)
class Vocabulary:
    generation: int  # the index generation (TOC number) the counts describe
    words: list[str]  # sorted
    counts: list[int]

    @classmethod
    def of(cls, generation: int, counts: Counter[str]) -> Vocabulary:
        words = sorted(word for word, count in counts.items() if count > 0)
        return cls(generation, words, [counts[word] for word in words])

    def counter(self) -> Counter[str]:
        return Counter(dict(zip(self.words, self.counts, strict=True)))

    def frequency(self, word: str) -> int:
        i = bisect.bisect_left(self.words, word)
        return self.counts[i] if i < len(self.words) and self.words[i] == word else 0

    def within(self, text: str, maxdist: int) -> list[str]:
        """The words within maxdist (Damerau-Levenshtein) edits of text, as Whoosh's
        SegmentReader.terms_within finds them in a segment's term list."""
        return levenshtein_matches(self.words, text, maxdist)


def read_vocabulary(index_dir: Path) -> Vocabulary | None:
    try:
        data = json.loads((index_dir / VOCABULARY).read_text(encoding="utf-8"))
        if data["version"] != SCHEMA_VERSION:
            return None
        return Vocabulary(int(data["generation"]), list(data["words"]), list(data["counts"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def write_vocabulary(index_dir: Path, vocabulary: Vocabulary) -> None:
    # Imported here: the writer's (ctypes, tempfile), not a search's.
    from generator.fsutil import atomic_write_text

    atomic_write_text(
        index_dir / VOCABULARY,
        json.dumps(
            {
                "version": SCHEMA_VERSION,
                "generation": vocabulary.generation,
                "words": vocabulary.words,
                "counts": vocabulary.counts,
            },
            ensure_ascii=False,
            separators=(",", ":"),
        ),
    )


def stored_words(stored: dict[str, Any]) -> set[str]:
    return ANALYZER.plain_words(*(stored.get(name) or "" for name in TEXT_FIELDS))


def count_words(reader: Any) -> Counter[str]:
    """The vocabulary of the live documents, from their stored text (the slow way: an index
    whose word list is missing or out of date)."""
    counts: Counter[str] = Counter()
    for stored in reader.all_stored_fields():
        counts.update(stored_words(stored))
    return counts
