"""Stage clean (HTML): a saved web page -> its main text, what it says about itself, and the
visible text that was left out.

The page is parsed once, as UTF-8 bytes (so an XHTML page with `<?xml ... encoding=...?>`
parses like any other: its text was decoded by the read stage), and that one tree feeds the
body choice (html_body.py), the metadata (html_meta.py) and the left-out text
(html_removed.py). Mojibake repair (ftfy) runs here on the text that is kept, not on the
whole page's markup and scripts, which cost more than the rest of ingest together.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import lxml.html
from lxml import etree

from generator.errors import ArticleError, NoTextError
from generator.ingest.html_body import choose_body
from generator.ingest.html_meta import page_metadata
from generator.ingest.html_removed import left_out
from generator.ingest.html_text import visible_blocks
from generator.models import Removal, SourceMeta

_PARSER = lxml.html.HTMLParser(
    encoding="utf-8",
    remove_comments=True,
    remove_pis=True,
    collect_ids=False,
    default_doctype=False,
)
_SPACE = re.compile(r"\s+")
_WORD = re.compile(r"\w")
# What UTF-8 read as Windows-1252 or Latin-1 leaves behind (a lead byte's letter, then a
# continuation byte's character: "Ã©", "â€™"), C1 controls and ligatures: the
# only text ftfy would change (full-width letters are text and stay, as in read.py). Checking for it first skips ftfy on nearly every page.
_REPAIRABLE = re.compile(
    "[\u00c2-\u00f4][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192"
    "\u02c6\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a"
    "\u20ac\u2122]|[\u0080-\u009f\ufb00-\ufb06]"
)


@dataclass(frozen=True, slots=True)
class HtmlExtract:
    text: str
    meta: SourceMeta
    removed: tuple[Removal, ...]
    strategy: str = "default"  # how the body was chosen (html_body.BodyChoice.strategy)
    repairs: tuple[str, ...] = ()


def parse_html(text: str, source: Path) -> Any:
    """The page's element tree, parsed from UTF-8 bytes.

    Raises ArticleError when there is no markup to parse.
    """
    try:
        root = lxml.html.document_fromstring(text.encode("utf-8", "replace"), parser=_PARSER)
    except (etree.ParserError, ValueError) as exc:
        raise ArticleError(
            source,
            "clean",
            f"HTML could not be parsed ({exc})",
            "Save the page again or convert it to text",
        ) from exc
    if root is None:
        raise ArticleError(
            source, "clean", "HTML could not be parsed", "Save the page again or convert it to text"
        )
    return root


# Visible text that itself reads like an entity ("&amp;amp;" in the page shows "&amp;"):
# trafilatura unescapes its output text once more, so such an ampersand is escaped beforehand.
_LITERAL_ENTITY = re.compile(r"&amp;(?:#\d+|#x[0-9a-fA-F]+|[a-zA-Z][a-zA-Z0-9]*);")
_ENTITY_TEXT = re.compile(r"&(?=#\d+;|#x[0-9a-fA-F]+;|[a-zA-Z][a-zA-Z0-9]*;)")


def _escape_literal_entities(root: Any) -> None:
    for element in root.iter():
        if element.text and "&" in element.text:
            element.text = _ENTITY_TEXT.sub("&amp;", element.text)
        if element.tail and "&" in element.tail:
            element.tail = _ENTITY_TEXT.sub("&amp;", element.tail)


def _article_body_text(value: str) -> str:
    """JSON-LD articleBody as plain lines (some sites put HTML in it)."""
    if not re.search(r"<[a-zA-Z/!]", value):
        return value
    fragment = lxml.html.fragment_fromstring(value.encode("utf-8"), create_parent="div")
    return "\n".join(text for text, _ in visible_blocks(fragment))


def _repaired(lines: list[str], meta: SourceMeta) -> tuple[list[str], SourceMeta, bool]:
    """ftfy over the kept text and the metadata strings (quotes stay as the page wrote them)."""
    import ftfy  # here: 0.15 s to import, and only changed inputs are read

    def fix(text: str) -> str:
        return ftfy.fix_text(
            text, uncurl_quotes=False, fix_character_width=False, normalization="NFC"
        )

    lines = [unicodedata.normalize("NFC", line) for line in lines]
    strings = "\n".join([*lines, meta.title or "", *meta.authors, *meta.captions])
    if not _REPAIRABLE.search(strings):
        return lines, meta, False
    fixed = fix("\n".join(lines)).split("\n")
    new_meta = replace(
        meta,
        title=fix(meta.title) if meta.title else None,
        authors=tuple(fix(a) for a in meta.authors),
        captions=tuple(fix(c) for c in meta.captions),
        photo_credits=tuple(fix(c) for c in meta.photo_credits),
    )
    return fixed, new_meta, fixed != lines or new_meta != meta


def extract_html(text: str, source: Path, url: str | None = None) -> HtmlExtract:
    """Main text, metadata and left-out visible text of an HTML page (`url`: where it came from,
    when a sidecar says so).

    Raises ArticleError when the page has no parseable markup, NoTextError (an ArticleError)
    when it has no article text.
    """
    root = parse_html(text, source)
    body = root.find("body")
    blocks = visible_blocks(body if body is not None else root)
    meta, article_body = page_metadata(root, blocks, url)
    if _LITERAL_ENTITY.search(text):  # after the blocks were read: they keep the page's text
        _escape_literal_entities(root)
    choice = choose_body(root, _article_body_text(article_body) if article_body else None)
    lines = list(choice.lines)
    if not any(_WORD.search(line) for line in lines):  # nothing, or only marks ("<<<>>>")
        raise NoTextError(
            source,
            "clean",
            "no article text found in the HTML page",
            "Check the page has the article in it, or save it as .txt",
        )
    if meta.title and _SPACE.sub(" ", lines[0]).strip() == meta.title and len(lines) > 1:
        lines = lines[1:]
    # Left-out blocks are found against the text as the page has it, before any repair.
    removed = left_out(blocks, "\n".join(lines), meta.title)
    lines, meta, was_repaired = _repaired(lines, meta)
    return HtmlExtract(
        text="\n\n".join(lines),
        meta=meta,
        removed=removed,
        strategy=choice.strategy,
        repairs=("mojibake repaired by ftfy",) if was_repaired else (),
    )
