"""Stage render (bodies): a Python-Markdown inline pass in linear time, same output as stock.

Python-Markdown applies each inline pattern (code, escapes, links, images, autolinks, entities,
line breaks, emphasis) to a text node in turn. Stock, each match rebuilds the whole string
(left part + placeholder + right part) and the next search starts in the new string, so a
paragraph with n matches costs n copies of itself; the link pattern also re-scans the whole
string for its brackets after every match. A line of 8,000 links took 351 s, one of 100,000
escapes more than 15 minutes. This module changes how the matches are applied, not what
matches:

- a pattern whose trigger character (a backtick, a backslash, '[', '<', '&', a newline for a
  hard break, '*' or '_') is absent from the text is skipped;
- a built-in pattern is applied in one sweep over the text: every match is found in the
  unchanged string (so the link pattern's bracket table is built once) and the pieces are
  joined once at the end. What a pattern sees of the text is the same as stock except right
  after a replacement, where stock has the placeholder's last character (U+0003) before the
  search position: when a pattern looks back there (the code and link patterns' '(?<!\\)' and
  '(?<!!)'; emphasis when it starts pairing) and the character it would see differs, the text
  is rebuilt at that point as stock does, and the sweep goes on from there.

A pattern this module does not know (one an extension adds) goes through the stock per-match
loop. The output is byte-for-byte what the stock processor gives:
tests/render/test_markdown_fast.py compares both on generated and real bodies.

The override rests on private methods of markdown.treeprocessors.InlineProcessor; when a
Python-Markdown release renames them, `install_fast_inline` leaves the stock processor in place.
"""

from __future__ import annotations

import re
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
_STASH = "_InlineProcessor__stashNode"
# Lookbehinds a built-in pattern may use: one character it must not follow.
_NOT_AFTER = re.compile(r"\(\?<!(\\?.)\)")
_DELIMITER = "delimiter"


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


def _sweep_kind(pattern: Any) -> str | None:
    """How a pattern can be applied in one sweep: the characters whose presence just before a
    search position changes what it matches ('' for none), _DELIMITER for emphasis, or None
    when it must go through the stock per-match loop (a pattern this module does not know, or
    one whose regex looks back in a way it does not follow)."""
    delimiter = getattr(inlinepatterns, "DelimiterProcessor", None)
    if delimiter is not None and type(pattern) is delimiter:
        return _DELIMITER if isinstance(getattr(pattern, "cache", None), list) else None
    source = getattr(pattern, "pattern", None)
    if (type(pattern), source) not in _TRIGGERS or not isinstance(source, str):
        return None
    chars = _NOT_AFTER.findall(source)
    rest = _NOT_AFTER.sub("", source)
    if "(?<" in rest or "\\b" in rest or "\\B" in rest:
        return None
    return "".join(c[-1] for c in chars)


class _Sweep:
    """One pattern applied to one text in one sweep: the pieces made so far, and the text the
    pattern still searches (the original, or the stock-style rebuild of it when needed)."""

    __slots__ = ("data", "emitted", "last_end", "pieces", "replaced")

    def __init__(self, data: str) -> None:
        self.data = data
        self.pieces: list[str] = []
        self.emitted = 0  # data[:emitted] is in pieces (with placeholders for the matches)
        self.last_end = -1  # where the last replaced match ended, in data
        self.replaced = False

    def replace(self, start: int, end: int, placeholder: str) -> int:
        """data[start:end] becomes the placeholder, as stock's data[:start] + placeholder +
        data[end:] does (slice rules included: a link pattern can return end=-1); returns
        where the search goes on."""
        if not self.replaced and type(self.data) is not str:
            # Stock's first rebuild makes a plain str of a str subclass (emphasis tells its own
            # EvaluatedText pieces from the text by type).
            self.data = str(self.data)
        self.replaced = True
        size = len(self.data)
        start, end = slice(start, end).indices(size)[:2]
        if self.emitted <= start <= end:
            self.pieces.append(self.data[self.emitted : start])
            self.pieces.append(placeholder)
            self.emitted = self.last_end = end
            return end
        # A span that overlaps what is done or runs backwards: rebuild exactly as stock would.
        head = "".join(self.pieces) + self.data[self.emitted : start] + placeholder
        self.data = head + self.data[end:]
        self.pieces = []
        self.emitted = 0
        self.last_end = len(head)
        return self.last_end

    def rebuild(self) -> int:
        """The text as stock would have it now (placeholders in place); returns where the
        search goes on in it."""
        done = "".join(self.pieces)
        self.data = done + self.data[self.emitted :]
        self.pieces = []
        self.emitted = 0
        self.last_end = len(done)
        return self.last_end

    def result(self) -> str:
        if not self.pieces:
            return self.data
        self.pieces.append(self.data[self.emitted :])
        return "".join(self.pieces)


class _LinkEnds:
    """LinkInlineProcessor.getLink without its scan to the end of the text for a '(' that is
    never closed (once per such link: quadratic in a line of them). Where the destination has
    no quote before its closing parenthesis, stock's loop only counts parentheses: the end is
    the first point where they balance, found in a table made once per text. Any other case
    goes to the stock method."""

    def __init__(self, pattern: Any) -> None:
        self.stock = pattern.getLink
        self.unescape = pattern.unescape
        self.opening = pattern.RE_LINK
        self.data: str | None = None
        self.ends: list[int | None] = []
        self.last_quote = -1

    def __call__(self, data: str, index: int) -> tuple[str, str | None, int, bool]:
        match = self.opening.match(data, pos=index)
        if match is None or match.group(1):  # no '(' or the '<url>' form: stock is a regex
            result: tuple[str, str | None, int, bool] = self.stock(data, index)
            return result
        if self.data is not data:
            self.data = data
            self.ends = _paren_ends(data)
            self.last_quote = max(data.rfind("'"), data.rfind('"'))
        start = match.end()
        end = self.ends[start]
        if end is None:
            if self.last_quote < start:
                return "", None, len(data), False  # what stock's loop ends with
        elif _QUOTE.search(data, start, end - 1) is None:
            return self.unescape(data[start : end - 1]).strip(), None, end, True
        result = self.stock(data, index)
        return result


_QUOTE = re.compile("['\"]")


def _paren_ends(data: str) -> list[int | None]:
    """For each index, the index just past the ')' that closes a '(' opened before it (the
    first point where more parentheses have closed than opened since), None if none does."""
    ends: list[int | None] = [None] * (len(data) + 1)
    depth = 0
    waiting: list[tuple[int, int]] = []  # (index, depth there), depths increasing upwards
    for pos, char in enumerate(data):
        waiting.append((pos, depth))
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            while waiting and depth < waiting[-1][1]:
                ends[waiting.pop()[0]] = pos + 1
    return ends


class FastInlineProcessor(treeprocessors.InlineProcessor):  # type: ignore[misc]
    """InlineProcessor that skips patterns lacking their trigger and sweeps built-in ones."""

    def run(self, tree: Any, ancestors: list[str] | None = None) -> Any:
        # Computed per run: extensions may register patterns after the converter is built.
        self._triggers = [_trigger(p) for p in self.inlinePatterns]
        self._kinds = [_sweep_kind(p) for p in self.inlinePatterns]
        for pattern in self.inlinePatterns:
            known = (type(pattern), getattr(pattern, "pattern", None)) in _TRIGGERS
            if (
                known
                and isinstance(pattern, inlinepatterns.LinkInlineProcessor)
                and not isinstance(pattern.__dict__.get("getLink"), _LinkEnds)
            ):
                pattern.getLink = _LinkEnds(pattern)  # on this instance only
        return super().run(tree, ancestors)

    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:
        # Same loop as the stock method, plus the skip and the sweep; name-mangled so that the
        # stock methods that call self.__handleInline (on nested elements) reach this one.
        if isinstance(data, util.AtomicString):
            return data  # type: ignore[no-any-return]  # markdown.util is untyped
        apply = getattr(self, _APPLY)
        patterns = self.inlinePatterns
        triggers, kinds = self._triggers, self._kinds
        start = 0
        count = len(patterns)
        while patternIndex < count:
            trigger = triggers[patternIndex]
            if trigger is not None and not any(char in data for char in trigger):
                patternIndex += 1
                start = 0
                continue
            kind = kinds[patternIndex]
            if kind is not None:
                data = self._sweep(patterns[patternIndex], data, patternIndex, kind)
                patternIndex += 1
                continue
            data, matched, start = apply(patterns[patternIndex], data, patternIndex, start)
            if not matched:
                patternIndex += 1
        return data

    def _sweep(self, pattern: Any, data: str, index: int, kind: str) -> str:
        """Every match of one pattern in `data`, applied as stock's loop applies them one by one
        (see the module docstring), in time linear in the text and the matches."""
        for exclude in pattern.ANCESTOR_EXCLUDES:
            if exclude.lower() in self.ancestors:
                return data
        regex = pattern.getCompiledRegExp()
        sweep = _Sweep(data)
        pos = 0
        while True:
            if (
                pos
                and pos == sweep.last_end
                and kind not in ("", _DELIMITER)
                and sweep.data[pos - 1] in kind
            ):
                pos = sweep.rebuild()  # stock has its placeholder's end before `pos`
            found = _next_match(pattern, regex, sweep, pos, kind)
            if found is None:
                return sweep.result()
            match, node, start, end = found
            if match is None:  # rebuilt for emphasis: search again from the same run
                pos = sweep.last_end
            elif node is None:  # stock: matched, nothing replaced, search on from `end`
                pos = end if end > match.start() else match.start() + 1
            else:
                self._nested(node, index)
                pos = sweep.replace(start, end, getattr(self, _STASH)(node, pattern.type()))

    def _nested(self, node: Any, index: int) -> None:
        """What stock's __applyPattern does to a new element before stashing it: its text goes
        through the later patterns, its children's tails through this one and later."""
        if isinstance(node, str) or isinstance(node.text, util.AtomicString):
            return
        handle = getattr(self, _HANDLE)
        for child in [node, *list(node)]:
            if child.text:
                self.ancestors.append(child.tag.lower())
                child.text = handle(child.text, index + 1)
                self.ancestors.pop()
            if child.tail:
                child.tail = handle(child.tail, index)


def _next_match(
    pattern: Any, regex: Any, sweep: _Sweep, pos: int, kind: str
) -> tuple[Any, Any, int, int] | None:
    """(match, node, start, end) for the first match at or after `pos` the pattern accepts;
    None when there is none; match None when the text was rebuilt first (emphasis)."""
    for match in regex.finditer(sweep.data, pos):
        if (
            kind == _DELIMITER
            and match.start() == sweep.last_end
            and sweep.pieces
            and not pattern.cache
        ):
            # Emphasis starts pairing here and classifies this run by the character before
            # it, which stock has as its placeholder's end: rebuild first.
            sweep.rebuild()
            return None, None, 0, 0
        node, start, end = pattern.handleMatch(match, sweep.data)
        if start is not None and end is not None:
            return match, node, start, end
    return None


def install_fast_inline(md: markdown.Markdown) -> bool:
    """Replace md's inline tree processor with FastInlineProcessor; False when this
    Python-Markdown's internals are not the ones the fast path was written against."""
    stock = treeprocessors.InlineProcessor
    if (
        not all(hasattr(stock, name) for name in (_HANDLE, _APPLY, _STASH))
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
