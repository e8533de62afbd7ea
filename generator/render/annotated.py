"""Stage render (annotations): an Article's notes and spin phrases -> marked body and W3C annotations."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from lxml import etree
from markupsafe import Markup

from generator.models import Article
from generator.render.annotations import (
    Anchor,
    Mark,
    anchor_at,
    body_text,
    find_anchor,
    id_spans,
    mark_tree,
    parse_body,
    serialized,
    spin_marks,
    swap_marks,
    unwrap_overlapped,
)
from generator.render.plan import article_url
from generator.render.theme import quote_text

BODY_SELECTOR = "div.article-body"


@dataclass(frozen=True, slots=True)
class Note:
    """One editor note from the record's `annotations`, anchored (or not) in the body text."""

    number: int
    body: str
    author: str | None
    created: str | None
    exact: str
    anchor: Anchor | None
    note_id: str | None


def spin_of(article: Article) -> Mapping[str, Any]:
    """The record's spin assessment; a spun or suspect verdict that lists no phrase behind it
    (written by an older version) reads as "original": no verdict is shown without evidence."""
    spin = article.extra.get("spin")
    if not isinstance(spin, Mapping):
        return {}
    if spin.get("verdict") in {"spun", "suspect"} and not spin.get("phrases"):
        return {**spin, "verdict": "original"}
    return spin


def is_spun(article: Article) -> bool:
    return spin_of(article).get("verdict") in {"spun", "suspect"}


def editor_notes(article: Article, text: str) -> list[Note]:
    notes = []
    for number, item in enumerate(article.extra.get("annotations") or [], 1):
        if not isinstance(item, Mapping) or not isinstance(item.get("quote"), Mapping):
            continue
        quote = item["quote"]
        exact = str(quote.get("exact") or "")
        anchor = find_anchor(
            text, exact, str(quote.get("prefix") or ""), str(quote.get("suffix") or "")
        )
        notes.append(
            Note(
                number,
                str(item.get("body") or ""),
                _opt(item.get("author")),
                _opt(item.get("created")),
                exact,
                anchor,
                str(item.get("id") or f"note-{number}"),
            )
        )
    return notes


def _opt(value: Any) -> str | None:
    return str(value) if value is not None else None


def annotated_body(article: Article, body_html: Callable[[Article], Markup]) -> Markup:
    """The rendered body with spun phrases and editor-noted passages wrapped in <mark>."""
    html = str(body_html(article))
    text = body_text(html)
    return marked_body(article, html, text, editor_notes(article, text))


def marked_body(
    article: Article, html: str, text: str, notes: Sequence[Note], tree: Any = None
) -> Markup:
    """`html` (the rendered body, whose text content is `text`) with quotations, spun phrases
    and the passages `notes` anchor marked. `tree`: html already parsed (parse_body), which is
    marked in place."""
    marks: list[Mark] = []
    if is_spun(article):
        marks += spin_marks(text, spin_of(article).get("phrases") or [])
    noted = [
        Mark(n.anchor, "note", f"Editor's note {n.number}: {n.body}", f"noted-{n.number}")
        for n in notes
        if n.anchor
    ]
    taken = [(m.anchor.start, m.anchor.end) for m in noted]
    marks = [
        m for m in marks if not any(m.anchor.start < e and s < m.anchor.end for s, e in taken)
    ] + noted
    quotes = quote_marks(article, text)
    if not (quotes or marks):
        return Markup(html)
    tree = parse_body(html) if tree is None else tree
    mark_tree(tree, quotes)  # outer spans first, so highlights can nest inside a quotation
    mark_tree(tree, marks)
    for note in notes:
        if note.anchor:
            add_note_ref(tree, note)
    return serialized(tree)


def add_note_ref(tree: Any, note: Note) -> None:
    """After a noted passage, a link to its note that touch and keyboard users can reach (the
    mark's title is a mouse-only tooltip). It has no text of its own (CSS shows the number),
    so the body's text, on which every annotation's position is counted, stays the same; the
    passage is named as the anchor the note sits beside on a wide screen."""
    pieces = tree.xpath(
        "//mark[@class='note'][@title=$title]", title=f"Editor's note {note.number}: {note.body}"
    )
    first = next((p for p in pieces if p.get("id") == f"noted-{note.number}"), None)
    if first is None:
        return
    first.set("style", f"anchor-name: --noted-{note.number}")
    last = pieces[-1] if pieces[-1] is not first and first in pieces else first
    ref = etree.Element("a")
    ref.set("class", "note-ref")
    ref.set("href", f"#{note.note_id}")
    ref.set("aria-label", f"Editor's note {note.number}")
    ref.set("data-note", str(note.number))
    ref.tail, last.tail = last.tail, None
    last.addnext(ref)


def swapped_body(html: str, links: Sequence[Any]) -> str:
    """A marked body (ArticleAnalysis.marked_html) with the substitutions of the spun-copy links
    among `links` (plan.Link) marked too: on a spun copy's page, each swapped word with the
    original's wording. The body as it was when there are none."""
    swaps = [swap for link in links if link.relation == "spun-copy-of" for swap in link.swaps]
    if not swaps:
        return html
    tree = parse_body(html)
    # Not inside an element with an id (a quotation's span): the search index takes an anchor's
    # text from its own text only, and must read the page as it reads the lean copy made before
    # the swaps were known (search/static.py). Those swaps are in the list above the text.
    anchored = id_spans(tree)
    marks = [
        m
        for m in swap_marks(str(tree.text_content()), swaps)
        if not any(s < m.anchor.end and m.anchor.start < e for s, e in anchored)
    ]
    if not marks:
        return html
    unwrap_overlapped(tree, marks, "spin")  # the pair's swap knows the original; a guess gives way
    mark_tree(tree, marks)
    return str(serialized(tree))


def quote_marks(article: Article, text: str) -> list[Mark]:
    """Each recorded quote located in the body (id q-N), so the quotes page can link to the
    sentence. A quote is looked for as the page shows it (quote_text: a Markdown link in it is
    its words on the page); the article page gives the others an id in its quotes list."""
    marks: list[Mark] = []
    taken_until = -1
    for number, quote in enumerate(article.quotes, 1):
        shown = quote_text(quote.text)
        start = text.find(shown, taken_until + 1)
        if start < 0:
            continue
        anchor = anchor_at(text, start, start + len(shown))
        marks.append(Mark(anchor, "quote", "", f"q-{number}", tag="span"))
        taken_until = anchor.end
    return marks


def _selectors(anchor: Anchor) -> list[dict[str, Any]]:
    quote = {
        "type": "TextQuoteSelector",
        "exact": anchor.exact,
        "prefix": anchor.prefix,
        "suffix": anchor.suffix,
    }
    position = {"type": "TextPositionSelector", "start": anchor.start, "end": anchor.end}
    return [
        {"type": "CssSelector", "value": BODY_SELECTOR, "refinedBy": quote},
        {"type": "CssSelector", "value": BODY_SELECTOR, "refinedBy": position},
    ]


def web_annotations(
    article: Article, body_html: Callable[[Article], Markup], base_url: str
) -> list[dict[str, Any]]:
    """W3C Web Annotations for an article page: editor notes and spun phrases."""
    text = body_text(str(body_html(article)))
    return annotations_of(article, text, editor_notes(article, text), base_url)


def annotations_of(
    article: Article, text: str, notes: Sequence[Note], base_url: str
) -> list[dict[str, Any]]:
    """The Web Annotations of an article whose body text is `text`, noted by `notes`."""
    source = base_url + article_url(article)
    items: list[dict[str, Any]] = []
    for note in notes:
        if note.anchor is None:
            continue
        item: dict[str, Any] = {
            "id": f"{source}#{note.note_id}",
            "type": "Annotation",
            "motivation": "commenting",
            "body": {"type": "TextualBody", "value": note.body, "format": "text/plain"},
            "target": {"source": source, "selector": _selectors(note.anchor)},
        }
        if note.author:
            item["creator"] = {"type": "Person", "name": note.author}
        if note.created:
            item["created"] = note.created
        items.append(item)
    if is_spun(article):
        for number, mark in enumerate(spin_marks(text, spin_of(article).get("phrases") or []), 1):
            items.append(
                {
                    "id": f"{source}#spin-{number}",
                    "type": "Annotation",
                    "motivation": "assessing",
                    "body": {"type": "TextualBody", "format": "text/plain", "value": mark.title},
                    "target": {"source": source, "selector": _selectors(mark.anchor)},
                }
            )
    return items
