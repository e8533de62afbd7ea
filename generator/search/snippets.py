"""Search (index of record): a stored body and the matched terms -> an escaped snippet with
<mark> on each match."""

from __future__ import annotations

import html
import re
import unicodedata


class _FoldTable(dict[int, str]):
    """str.translate table: each character to its lower-case, accent-free form, kept 1:1 in length."""

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
    """Lower-case, accent-free copy of text with the same length, so offsets map back 1:1."""
    return text.translate(_FOLD)


def make_snippet(body: str, stems: set[str], width: int = 220) -> str:
    """A window of the body around the first matched word, escaped, with <mark> on every match.

    Matches words that begin with an indexed stem (accent- and case-insensitive). Cheaper than
    Whoosh's highlighter, which re-analyses the whole stored body for every hit.
    """
    if not stems:
        return ""
    pattern = re.compile(
        r"\b(?:" + "|".join(re.escape(s) for s in sorted(stems, key=len, reverse=True)) + r")\w*"
    )
    folded = _fold_chars(body)
    first = pattern.search(folded)
    if first is None:
        return ""
    start = max(0, first.start() - 60)
    start = folded.rfind(" ", 0, start) + 1 if start else 0
    end = min(len(body), start + width)
    end = body.find(" ", end) if end < len(body) and body.find(" ", end) != -1 else len(body)
    pieces, cursor = [], start
    for match in pattern.finditer(folded, start, end):
        pieces.append(html.escape(body[cursor : match.start()]))
        pieces.append(f"<mark>{html.escape(body[match.start() : match.end()])}</mark>")
        cursor = match.end()
    pieces.append(html.escape(body[cursor:end]))
    return ("… " if start else "") + "".join(pieces).strip() + (" …" if end < len(body) else "")
