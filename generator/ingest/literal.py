"""Stage write (body): scraped paragraphs -> Markdown that renders back as exactly their words.

Text from a .txt or .html input is data, never markup: a paragraph starting "1." must not become
a list, "#3 Nanchen-Pupen" a heading, "Kund*innen ... Kund*innen" italics, "[text](url)" a link or
"&amp;" an ampersand. Each paragraph is escaped for the build's renderer (Python-Markdown with
raw HTML treated as text, generator/render/bodies.py) so that rendering the record's body gives
back the paragraph (tests/ingest/test_literal.py checks it for any text with hypothesis).

Only what Python-Markdown would read as syntax is escaped, so records stay readable to the
editor who opens them: a backslash before the character where Markdown knows that escape, an
HTML entity for '&' and '<' where they would start an entity or an autolink.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# A paragraph is one line of text on the page: line breaks and runs of ASCII white space are
# one space to a reader, and a line break inside a paragraph is what lets Markdown see a
# heading underline, a list or a code block.
_SPACE = re.compile(r"[ \t\n\r\f\v]+")
# Control characters are no text; \x02 and \x03 are Python-Markdown's own placeholders.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
# Characters Markdown reads anywhere in a line: escapes, code spans, emphasis, links, images.
_INLINE = re.compile(r"[\\`*\[]")
# An underscore is emphasis unless it is a lone one inside a word (snake_case stays as it is).
_UNDERSCORE = re.compile(r"_")
# '&' that would start an entity, '<' that would start an autolink or a mail link.
_ENTITY = re.compile(r"&(?=#[0-9]+;|#[xX][0-9a-fA-F]+;|[a-zA-Z0-9]+;)")
_AUTOLINK = re.compile(r"<(?=[A-Za-z][A-Za-z0-9+.-]*://[^<>]*>|[^<> !]+@[^@<> ]+>)")
# What a line may start with to become a block: heading, quote, list item, rule.
_ORDERED = re.compile(r"^(\d+)\.(?=\s|$)")
_BLOCK = re.compile(r"^(?:#|>|[-+](?=[\s+-]|$))")


def _underscore(match: re.Match[str]) -> str:
    text, i = match.string, match.start()
    inner = 0 < i < len(text) - 1 and text[i - 1].isalnum() and text[i + 1].isalnum()
    return "_" if inner else "\\_"


def escape_paragraph(text: str) -> str:
    """One paragraph of plain text as Markdown that renders as the same words ('' if blank)."""
    text = _SPACE.sub(" ", _CONTROL.sub("", text)).strip()
    if not text:
        return ""
    text = _INLINE.sub(lambda m: "\\" + m.group(0), text)
    text = _UNDERSCORE.sub(_underscore, text)
    text = _ENTITY.sub("&amp;", text)
    text = _AUTOLINK.sub("&lt;", text)
    ordered = _ORDERED.match(text)
    if ordered:
        return f"{ordered.group(1)}\\.{text[ordered.end() :]}"
    if _BLOCK.match(text):
        return "\\" + text
    return text


def paragraphs_to_markdown(paragraphs: Iterable[str]) -> str:
    """The record body for plain-text paragraphs: each escaped, blank-line separated."""
    return "\n\n".join(p for p in map(escape_paragraph, paragraphs) if p)
