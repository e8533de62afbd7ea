"""Stage render (annotations): body HTML + quote-anchored notes -> marked-up body and W3C selectors.

Anchoring follows the W3C Web Annotation TextQuoteSelector (exact, prefix, suffix) over the text
content of the article body, and reports the matching TextPositionSelector (start, end) in the same
text, so `annotations.jsonld` resolves to exactly what the page shows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import lxml.html
from lxml import etree
from markupsafe import Markup

QUOTE_CONTEXT = 32


@dataclass(frozen=True, slots=True)
class Anchor:
    """Where a quote sits in the body's text content."""

    start: int
    end: int
    exact: str
    prefix: str
    suffix: str


@dataclass(frozen=True, slots=True)
class Mark:
    """A span to highlight: the anchor, the CSS class, a tooltip and an optional element id."""

    anchor: Anchor
    css_class: str
    title: str
    element_id: str | None = None
    tag: str = "mark"


def parse_body(html: str) -> Any:
    """A body's HTML as an lxml tree under one <div>: what body_text reads and mark_tree marks."""
    return lxml.html.fragment_fromstring(html or "", create_parent="div")


def body_text(html: str) -> str:
    """The text content of a body, as a browser's element.textContent gives it."""
    return str(parse_body(html).text_content())


def find_anchor(text: str, exact: str, prefix: str = "", suffix: str = "") -> Anchor | None:
    """The occurrence of `exact` whose surroundings best match prefix/suffix; None if absent.

    An occurrence that matches both contexts wins; then one matching either; then the first.
    """
    if not exact:
        return None
    best: tuple[int, int] | None = None
    start = text.find(exact)
    while start >= 0:
        end = start + len(exact)
        score = int(bool(prefix) and text[:start].endswith(prefix)) + int(
            bool(suffix) and text[end:].startswith(suffix)
        )
        if best is None or score > best[0]:
            best = (score, start)
        if prefix and suffix and score == 2:
            break
        start = text.find(exact, start + 1)
    if best is None:
        return None
    if (prefix or suffix) and best[0] == 0 and text.count(exact) > 1:
        return None  # ambiguous: the context no longer matches any occurrence
    begin = best[1]
    return anchor_at(text, begin, begin + len(exact))


def anchor_at(text: str, start: int, end: int) -> Anchor:
    return Anchor(
        start,
        end,
        text[start:end],
        text[max(0, start - QUOTE_CONTEXT) : start],
        text[end : end + QUOTE_CONTEXT],
    )


def _text_nodes(root: Any) -> list[tuple[Any, bool, int, int]]:
    """(element, is_tail, start, end) for every text piece, in document order."""
    nodes: list[tuple[Any, bool, int, int]] = []
    offset = 0

    def walk(element: Any) -> None:
        nonlocal offset
        if element.text:
            nodes.append((element, False, offset, offset + len(element.text)))
            offset += len(element.text)
        for child in element:
            if isinstance(child.tag, str):
                walk(child)
            if child.tail:
                nodes.append((child, True, offset, offset + len(child.tail)))
                offset += len(child.tail)

    walk(root)
    return nodes


def _wrap(element: Any, is_tail: bool, lo: int, hi: int, mark: Mark, first: bool) -> None:
    """Wrap characters [lo, hi) of one text piece in a <mark>."""
    text = element.tail if is_tail else element.text
    node = etree.Element(mark.tag)
    node.set("class", mark.css_class)
    if mark.title:
        node.set("title", mark.title)
    if mark.element_id and first:
        node.set("id", mark.element_id)
    node.text, node.tail = text[lo:hi], text[hi:]
    if is_tail:
        element.tail = text[:lo]
        element.addnext(node)
    else:
        element.text = text[:lo]
        element.insert(0, node)


def mark_tree(root: Any, marks: Iterable[Mark]) -> None:
    """Wrap each mark's text in <mark> elements of a parsed body (parse_body), in place; text
    content (and so every anchor) is unchanged. Layers of marks go on one tree one after the
    other, as they would on the body written out and parsed again after each layer."""
    for mark in sorted(marks, key=lambda m: -m.anchor.start):
        first = True
        for element, is_tail, start, end in reversed(_text_nodes(root)):
            lo, hi = max(start, mark.anchor.start), min(end, mark.anchor.end)
            # Text inside an element of the mark's own tag stays as it is (no <mark> in a
            # <mark>); a tail is text of the element's parent, which is what decides.
            owner = element.getparent() if is_tail else element
            if lo < hi and owner.tag != mark.tag:
                _wrap(
                    element, is_tail, lo - start, hi - start, mark, first=(lo == mark.anchor.start)
                )
                first = False
        del first


def id_spans(root: Any) -> list[tuple[int, int]]:
    """(start, end) in the text of each element of a parsed body that carries an id."""
    spans: list[tuple[int, int]] = []
    offset = 0

    def walk(element: Any) -> None:
        nonlocal offset
        start = offset
        offset += len(element.text or "")
        for child in element:
            if isinstance(child.tag, str):
                walk(child)
            offset += len(child.tail or "")
        if element.get("id") is not None and element is not root:
            spans.append((start, offset))

    walk(root)
    return spans


def unwrap_overlapped(root: Any, marks: Sequence[Mark], css_class: str) -> None:
    """Unwrap the <mark class=css_class> elements of a parsed body that overlap any of `marks`,
    in place (their text stays where it is): a later, surer layer of marks takes their place."""
    starts = {id(element): start for element, is_tail, start, _ in _text_nodes(root) if not is_tail}
    spans = [(m.anchor.start, m.anchor.end) for m in marks]
    for element in list(root.iter("mark")):
        if element.get("class") != css_class or id(element) not in starts:
            continue
        start = starts[id(element)]
        end = start + len(element.text_content())
        if any(s < end and start < e for s, e in spans):
            element.drop_tag()


def serialized(root: Any) -> Markup:
    """The HTML inside a parsed body's <div>."""
    inner = ((root.text and Markup.escape(root.text)) or "") + "".join(
        lxml.html.tostring(child, encoding="unicode") for child in root
    )
    return Markup(inner)


def spin_marks(text: str, phrases: Sequence[Mapping[str, Any]], limit: int = 200) -> list[Mark]:
    """Every occurrence of each spun phrase, titled with its likely original."""
    marks: list[Mark] = []
    for phrase in phrases:
        surface = str(phrase.get("text") or "")
        original = phrase.get("likely_original")
        start = text.find(surface) if surface else -1
        while start >= 0 and len(marks) < limit:
            title = (
                f"Likely spun; original wording probably “{original}”"
                if original
                else "Likely spun wording"
            )
            marks.append(Mark(anchor_at(text, start, start + len(surface)), "spin", title))
            start = text.find(surface, start + len(surface))
    marks.sort(key=lambda m: m.anchor.start)
    kept: list[Mark] = []
    for mark in marks:  # overlapping phrases: the earlier one wins
        if not kept or mark.anchor.start >= kept[-1].anchor.end:
            kept.append(mark)
    return kept


def _squeezed(text: str) -> str:
    """Whitespace runs as one space: a paragraph break is a space in one text and a newline in
    another (plain text against a rendered page)."""
    return " ".join(text.split())


def _agreement(text: str, start: int, end: int, prefix: str, suffix: str) -> int:
    """How many characters of prefix and suffix (whitespace squeezed) agree with the text around
    [start, end): a longer agreement is a surer place."""
    before = _squeezed(text[max(0, start - 2 * len(prefix) - 8) : start] + "\x00")[:-1]
    after = _squeezed("\x00" + text[end : end + 2 * len(suffix) + 8])[1:]
    want_before, want_after = _squeezed(prefix + "\x00")[:-1], _squeezed("\x00" + suffix)[1:]
    score = 0
    for p, q in zip(reversed(before), reversed(want_before), strict=False):
        if p != q:
            break
        score += 1
    for p, q in zip(after, want_after, strict=False):
        if p != q:
            break
        score += 1
    return score


def swap_marks(text: str, swaps: Sequence[Any], limit: int = 300) -> list[Mark]:
    """A spun copy's substitutions (annotate.links.Swap: spun, original, prefix, suffix) found in
    its page's text, each titled with the original's wording.

    The swaps come in text order; each takes the occurrence of its wording whose surroundings
    best match its prefix and suffix, the first after the previous swap on a tie. A swap whose
    wording is not in the text (the page was edited since) is left out.
    """
    marks: list[Mark] = []
    position = 0
    for swap in swaps[:limit]:
        spun = swap.spun
        if not spun:
            continue
        best: tuple[int, int, int] | None = None  # (agreement, after the last, -start)
        start = text.find(spun)
        while start >= 0:
            end = start + len(spun)
            whole = (start == 0 or not text[start - 1].isalnum()) and (
                end == len(text) or not text[end].isalnum()
            )
            if whole:
                candidate = (
                    _agreement(text, start, end, swap.prefix, swap.suffix),
                    int(start >= position),
                    -start,
                )
                if best is None or candidate > best:
                    best = candidate
            start = text.find(spun, start + 1)
        if best is None:
            continue
        begin = -best[2]
        title = f"Swapped in by a spinner; the original says “{swap.original}”"
        marks.append(Mark(anchor_at(text, begin, begin + len(spun)), "spin swap", title))
        position = begin + len(spun)
    marks.sort(key=lambda m: m.anchor.start)
    kept: list[Mark] = []
    for mark in marks:  # two swaps on one place: the first stays
        if not kept or mark.anchor.start >= kept[-1].anchor.end:
            kept.append(mark)
    return kept
