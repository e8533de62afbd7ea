"""Search (index of record): a query that found nothing -> "did you mean", corrected from the
index's word list (vocabulary.py) by Whoosh's query corrector."""

from __future__ import annotations

from whoosh import qparser

from generator.search.snapshot import Snapshot
from generator.search.vocabulary import Vocabulary


class _Corrector:
    """Whoosh's ReaderCorrector over the index's word list: the words within the edit distance
    (Whoosh's Levenshtein automaton), ranked as ReaderCorrector ranks them (by frequency, here
    the number of articles having the word, then by word)."""

    def __init__(self, vocabulary: Vocabulary) -> None:
        self.vocabulary = vocabulary

    def suggest(self, text: str, limit: int = 5, maxdist: int = 2, prefix: int = 0) -> list[str]:
        frequency = self.vocabulary.frequency
        scored = [
            (0 - (maxdist + (1.0 / (frequency(word) or 1) * 0.5)), word)
            for word in self.vocabulary.within(text, maxdist, prefix)
        ]
        best = sorted(scored, reverse=True)[:limit]
        return [word for _, word in sorted(best, key=lambda item: (0 - item[0], item[1]))]


def suggest(snap: Snapshot, text: str) -> str | None:
    schema = snap.spelling_schema()
    parser = qparser.QueryParser("words", schema=schema, group=qparser.AndGroup)
    try:
        parsed = parser.parse(text)
        vocabulary = snap.vocabulary()
        # The words to correct: those no article has (other fields named in the query: terms
        # their field lacks, as Whoosh's correct_query decides).
        missing = [
            (token.fieldname, token.text)
            for token in parsed.all_tokens()
            if (
                not vocabulary.frequency(token.text)
                if token.fieldname == "words"
                else token.fieldname in snap.schema
                and (token.fieldname, token.text) not in snap.reader
            )
        ]
        corrected = snap.searcher.correct_query(
            parsed, text, correctors={"words": _Corrector(vocabulary)}, terms=missing, maxdist=2
        )
    except Exception:
        return None
    suggestion = str(corrected.string)
    return suggestion if suggestion and suggestion.casefold() != text.casefold() else None
