"""Language of an article's text by function-word counts (offline, no model to download)."""

from __future__ import annotations

import re


def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


_FUNCTION_WORDS: dict[str, frozenset[str]] = {
    "en": _wordset(
        """the and of to in is that for was with on as said by at from his her it be have"""
    ),
    "es": _wordset("""el la de que y en los las del se por un una para con no su al es lo como"""),
    "fr": _wordset("""le la les de des et en un une du est que pour dans qui pas sur au avec il"""),
    "de": _wordset("""der die das und ist nicht zu den von mit sich des auf für im dem ein eine"""),
    "pt": _wordset("""o a os as de do da dos das que e em um uma para com não no na por se"""),
    "it": _wordset("""il la di che e in un una per non sono del della le gli con si al è"""),
    "nl": _wordset("""de het een en van in is dat op te zijn met voor niet aan er die"""),
    "tr": _wordset("""ve bir bu da de için ile olarak daha çok gibi olan en ama ne var"""),
}
_WORD = re.compile(r"[^\W\d_]+")


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of the most likely language, or None when the text is too short to tell."""
    words = [w.lower() for w in _WORD.findall(text[:20000])]
    if len(words) < 8:
        return None
    scores = {lang: sum(1 for w in words if w in vocab) for lang, vocab in _FUNCTION_WORDS.items()}
    best = max(scores, key=lambda lang: scores[lang])
    return best if scores[best] / len(words) >= 0.05 else None
