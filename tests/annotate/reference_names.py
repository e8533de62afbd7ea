"""The first names_and_numbers (one regex scan per token kind), kept as the reference the faster one
must agree with. Not used by the generator."""

from __future__ import annotations

import re

from generator.annotate.dedupe import _ordinary_words

_NAME_TOKEN = re.compile(r"\b(?:\d(?:[\d,.]*\d)?|(?![a-z_])\w+(?:[-.'’]\w+)*)")
_LOWER_WORD = re.compile(r"\b[a-z]\w*")
_POSSESSIVE = re.compile(r"['’]s?$")


def _is_sentence_start(text: str, start: int) -> bool:
    j = start - 1
    while j >= 0 and text[j] in " \t\"'“‘(«—–-":
        j -= 1
    return j < 0 or text[j] in ".!?\n:;"


def names_and_numbers(text: str) -> tuple[str, ...]:
    """Proper names and numerals in text order, lowercased: what a synonym spinner leaves alone.

    A capitalised token counts unless it is an ordinary word: one the spin lexicon rewrites, one the
    text also uses in lower case ("City" when "the city" occurs), or a sentence-initial word never
    capitalised mid-sentence ("However", "But").
    """
    ordinary = _ordinary_words()
    lowercase = set(_LOWER_WORD.findall(text))
    found: list[tuple[str, bool]] = []
    inside: set[str] = set()
    for match in _NAME_TOKEN.finditer(text):
        token = match.group()
        if token[0].isdigit():
            found.append((token.replace(",", ""), False))
        elif token[0].isupper() and len(token) > 1:
            token = _POSSESSIVE.sub("", token)
            low = token.lower()
            if low in ordinary or low in lowercase or "'" in token or "’" in token:
                continue
            initial = _is_sentence_start(text, match.start())
            found.append((low, initial))
            if not initial:
                inside.add(low)
    return tuple(t for t, initial in found if not initial or t in inside)
