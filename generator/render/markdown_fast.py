"""Stage render (bodies): a Python-Markdown inline pass that skips patterns that cannot match.

Python-Markdown tries every inline pattern (code, escapes, links, images, autolinks, entities,
line breaks, emphasis) on every text node, and each try is a Python call with a regex scan: for
plain news paragraphs that is most of a conversion's time. Each built-in pattern can only match
where its trigger character occurs (a backtick, a backslash, '[', '<', '&', a newline for a hard
break, '*' or '_' for emphasis), so a pattern whose trigger is absent from the text is skipped:
the output is byte-for-byte what the stock processor gives (tests/render/test_markdown_fast.py
compares both on generated and real bodies). A pattern this module does not recognise (one an
extension adds) is always tried, as stock Python-Markdown would.

The override rests on two private methods of markdown.treeprocessors.InlineProcessor; when a
Python-Markdown release renames them, `install_fast_inline` leaves the stock processor in place.
"""

from __future__ import annotations

from typing import Any

import markdown
from markdown import inlinepatterns, treeprocessors, util

# (pattern class, regex source) -> characters one of which the text must contain to match.
_TRIGGERS: dict[tuple[type[Any], str], str] = {
    (inlinepatterns.BacktickInlineProcessor, inlinepatterns.BACKTICK_RE): "`",
    (inlinepatterns.EscapeInlineProcessor, inlinepatterns.ESCAPE_RE): "\\",
    (inlinepatterns.ReferenceInlineProcessor, inlinepatterns.REFERENCE_RE): "[",
    (inlinepatterns.LinkInlineProcessor, inlinepatterns.LINK_RE): "[",
    (inlinepatterns.ImageInlineProcessor, inlinepatterns.IMAGE_LINK_RE): "[",
    (inlinepatterns.ImageReferenceInlineProcessor, inlinepatterns.IMAGE_REFERENCE_RE): "[",
    (inlinepatterns.ShortReferenceInlineProcessor, inlinepatterns.REFERENCE_RE): "[",
    (inlinepatterns.ShortImageReferenceInlineProcessor, inlinepatterns.IMAGE_REFERENCE_RE): "[",
    (inlinepatterns.AutolinkInlineProcessor, inlinepatterns.AUTOLINK_RE): "<",
    (inlinepatterns.AutomailInlineProcessor, inlinepatterns.AUTOMAIL_RE): "<",
    (inlinepatterns.SubstituteTagInlineProcessor, inlinepatterns.LINE_BREAK_RE): "\n",
    (inlinepatterns.HtmlInlineProcessor, inlinepatterns.HTML_RE): "<",
    (inlinepatterns.HtmlInlineProcessor, inlinepatterns.ENTITY_RE): "&",
}
_HANDLE = "_InlineProcessor__handleInline"
_APPLY = "_InlineProcessor__applyPattern"


def _trigger(pattern: Any) -> str | None:
    """The characters a pattern needs in the text, or None when it must always be tried."""
    delimiter = getattr(inlinepatterns, "DelimiterProcessor", None)
    if delimiter is not None and type(pattern) is delimiter:
        tokens = getattr(pattern, "tokens", None)
        if isinstance(tokens, list) and all(isinstance(t, str) and t for t in tokens):
            return "".join(t[0] for t in tokens)  # every delimiter run starts with its token
        return None
    source = getattr(pattern, "pattern", None)
    return _TRIGGERS.get((type(pattern), source)) if isinstance(source, str) else None


class FastInlineProcessor(treeprocessors.InlineProcessor):  # type: ignore[misc]
    """InlineProcessor that does not try a known pattern on text lacking its trigger."""

    def run(self, tree: Any, ancestors: list[str] | None = None) -> Any:
        # Computed per run: extensions may register patterns after the converter is built.
        self._triggers = [_trigger(p) for p in self.inlinePatterns]
        return super().run(tree, ancestors)

    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:
        # Same loop as the stock method, plus the skip; name-mangled so the stock methods that
        # call self.__handleInline (on nested elements) reach this one.
        if isinstance(data, util.AtomicString):
            return data  # type: ignore[no-any-return]  # markdown.util is untyped
        apply = getattr(self, _APPLY)
        patterns = self.inlinePatterns
        triggers = self._triggers
        start = 0
        count = len(patterns)
        while patternIndex < count:
            trigger = triggers[patternIndex]
            if trigger is not None and not any(char in data for char in trigger):
                patternIndex += 1
                start = 0
                continue
            data, matched, start = apply(patterns[patternIndex], data, patternIndex, start)
            if not matched:
                patternIndex += 1
        return data


def install_fast_inline(md: markdown.Markdown) -> bool:
    """Replace md's inline tree processor with FastInlineProcessor; False when this
    Python-Markdown's internals are not the ones the fast path was written against."""
    stock = treeprocessors.InlineProcessor
    if (
        not (hasattr(stock, _HANDLE) and hasattr(stock, _APPLY))
        or "inline" not in md.treeprocessors
    ):
        return False
    current = md.treeprocessors["inline"]
    if type(current) is not stock:  # someone else replaced it: leave theirs alone
        return False
    priorities = {item.name: item.priority for item in getattr(md.treeprocessors, "_priority", [])}
    priority = priorities.get("inline", 20)  # 20 is where Python-Markdown registers it
    md.treeprocessors.register(FastInlineProcessor(md), "inline", priority)
    return True
