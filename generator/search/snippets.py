"""Search (index of record): a stored text and the terms a document matched -> an escaped
snippet with <mark> on each matching word.

A word is marked when the index's own analyzer gives it one of the matched terms (so `policy`
is marked for the term `polici`, and `parties` for `parti`), never by comparing letters.
"""

from __future__ import annotations

import html
import re
import unicodedata

from generator.search.analyzer import ANALYZER

WIDTH = 220  # characters of text around the first match


def make_snippet(body: str, terms: set[str], width: int = WIDTH) -> str:
    """A window of the body around the first word whose index term is in `terms`, escaped,
    with <mark> on every such word; "" when no word of the body matches."""
    if not terms:
        return ""
    # Candidates by a prefix of each term (on a folded copy of the same length), each then
    # checked by the analyzer: a stem need not begin its words (`die` for `dying`).
    prefixes = sorted({t[: max(1, len(t) - 2)] for t in terms}, key=len, reverse=True)
    candidates = re.compile(
        r"\b(?:" + "|".join(map(re.escape, prefixes)) + r")[\w\*]*(?:\.?[\w\*]+)*"
    )
    word = ANALYZER.word
    matches = [
        m
        for m in candidates.finditer(_fold_chars(body))
        if word(body[m.start() : m.end()])[0] in terms
    ]
    if not matches:
        return ""
    start = max(0, matches[0].start() - 60)
    start = body.rfind(" ", 0, start) + 1 if start else 0
    end = min(len(body), start + width)
    if end < len(body):
        space = body.find(" ", end)
        end = space if space != -1 else len(body)
    pieces, cursor = [], start
    for match in matches:
        if match.start() < start:
            continue
        if match.end() > end:
            break
        pieces.append(html.escape(body[cursor : match.start()]))
        pieces.append(f"<mark>{html.escape(body[match.start() : match.end()])}</mark>")
        cursor = match.end()
    pieces.append(html.escape(body[cursor:end]))
    return ("… " if start else "") + "".join(pieces).strip() + (" …" if end < len(body) else "")


def lede(text: str, width: int = WIDTH) -> str:
    """The start of a text, cut at a word, escaped: a snippet for a hit not in the body."""
    if len(text) <= width:
        return html.escape(text.strip())
    cut = text.rfind(" ", 0, width)
    return html.escape(text[: cut if cut > 0 else width].strip()) + " …"


class _FoldTable(dict[int, str]):
    """str.translate table: each character to its lower-case, accent-free form, kept 1:1 in
    length (so that offsets in the folded copy are offsets in the text)."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        base = "".join(
            c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c)
        )
        folded = (base if len(base) == 1 else char).lower()[:1] or char
        self[code] = folded
        return folded


_FOLD = _FoldTable()


def _fold_chars(text: str) -> str:
    return text.translate(_FOLD)
