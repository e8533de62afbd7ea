"""Stage clean (HTML text): a parsed page -> its visible text, block by block, in reading order.

What a reader sees: no scripts, styles, templates or elements hidden with `hidden` or an inline
`display: none`. One pass over the tree (the header reader and the left-out text share it).
"""

from __future__ import annotations

import re
from typing import Any

from lxml import etree

# Text a reader never sees on the page.
_HIDDEN_TAGS = frozenset(
    {
        "script",
        "style",
        "noscript",
        "template",
        "iframe",
        "object",
        "embed",
        "svg",
        "head",
        "select",
        "option",
        "datalist",
        "canvas",
        "video",
        "audio",
        "map",
    }
)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
# Elements that start a new block of text; everything else is inline.
_BLOCKS = frozenset(
    {
        "p",
        "li",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "figcaption",
        "td",
        "th",
        "dt",
        "dd",
        "pre",
        "address",
        "caption",
        "label",
        "button",
        "legend",
        "summary",
        "div",
        "section",
        "article",
        "aside",
        "header",
        "footer",
        "nav",
        "main",
        "form",
        "ul",
        "ol",
        "dl",
        "table",
        "tr",
        "figure",
        "details",
        "fieldset",
        "br",
        "hr",
        "body",
        "center",
    }
)
_SPACE = re.compile(r"\s+")


def _is_hidden(element: Any) -> bool:
    if not isinstance(element.tag, str) or element.tag in _HIDDEN_TAGS:
        return True
    return element.get("hidden") is not None or bool(_HIDDEN_STYLE.search(element.get("style", "")))


def visible_blocks(body: Any) -> list[tuple[str, Any]]:
    """The page's visible text as (block text, the element holding it), in reading order."""
    blocks: list[tuple[str, Any]] = []
    buffer: list[str] = []
    holders: list[Any] = [body]  # the innermost open block element
    hidden = 0

    def flush() -> None:
        text = _SPACE.sub(" ", "".join(buffer)).strip()
        if text:
            blocks.append((text, holders[-1]))
        buffer.clear()

    for event, element in etree.iterwalk(body, events=("start", "end")):
        is_block = isinstance(element.tag, str) and element.tag in _BLOCKS
        if event == "start":
            hidden += _is_hidden(element)
            if hidden:
                continue
            if is_block:
                flush()
                holders.append(element)
            if element.text:
                buffer.append(element.text)
        else:
            if hidden:  # (outside a hidden element, none of its ends can be a hidden one's)
                hidden -= _is_hidden(element)
                if hidden:
                    continue
                if element.tail:
                    buffer.append(element.tail)
                continue
            if is_block:
                flush()
                holders.pop()
            if element.tail:
                buffer.append(element.tail if not is_block else " " + element.tail)
    flush()
    return blocks
