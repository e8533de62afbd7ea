"""Stage clean (HTML left-outs): a parsed page and its kept text -> the visible text left out.

`removed` is for the reader who wants to see what the page showed besides the article (reader
comments, related lists, newsletter boxes, navigation), each block with a kind and a reason.
Markup, scripts, styles and hidden elements are not text a reader saw; they stay only in the
raw file, which ingest never changes. Each span is capped, and so is the whole list, with a
note of what was cut, so a record of a real page stays small.
"""

from __future__ import annotations

import re
from typing import Any

from generator.models import Removal

_KIND_HINTS: tuple[tuple[str, str, re.Pattern[str]], ...] = tuple(
    (kind, reason, re.compile(pattern, re.I))
    for kind, reason, pattern in (
        ("comments", "reader comments section", r"comment|disqus|respond|discussion"),
        ("boilerplate", "cookie notice", r"cookie|consent|gdpr"),
        ("share-widget", "share buttons", r"share|social"),
        ("newsletter", "newsletter sign-up box", r"newsletter|subscribe|signup|sign-up"),
        ("advertisement", "advertisement", r"\bad\b|\bads\b|advert|sponsor|promo|dfp|banner"),
        (
            "related-links",
            "related-articles list",
            r"related|recommend|most-read|mostread|popular|trending|more-stories|sidebar",
        ),
        ("navigation", "site navigation", r"\bnav|menu|breadcrumb|header|masthead|skip"),
        ("copyright", "page footer", r"footer|copyright|legal"),
    )
)
# One pattern for all hints: the first that matches names the kind (group "k<index>").
_HINT = re.compile(
    "|".join(f"(?P<k{i}>{p.pattern})" for i, (_, _, p) in enumerate(_KIND_HINTS)), re.I
)
_KINDS = [(kind, reason) for kind, reason, _ in _KIND_HINTS]
_BY_TAG = {
    "nav": ("navigation", "site navigation"),
    "form": ("comment-form", "form"),
    "footer": ("copyright", "page footer"),
}
_SPACE = re.compile(r"\s+")
# Per span and for the whole list, in characters of text, and spans in the list (each costs
# its kind and reason in the record too).
SPAN_LIMIT = 1_000
TOTAL_LIMIT = 12_000
MAX_SPANS = 150


def _own_hint(element: Any) -> tuple[str, str] | None:
    """The kind an element's own tag, id, class or role suggests, if any."""
    tag = element.tag if isinstance(element.tag, str) else ""
    if tag in _BY_TAG:
        return _BY_TAG[tag]
    label = f"{element.get('id', '')} {element.get('class', '')} {element.get('role', '')}"
    match = _HINT.search(label) if label.strip() else None
    if match and match.lastgroup:
        return _KINDS[int(match.lastgroup[1:])]
    if tag == "aside":
        return "related-links", "sidebar"
    if tag == "figcaption":
        return "photo-credit", "figure caption; credit recorded in photo_credits"
    return None


def _classify(element: Any, known: dict[Any, tuple[str, str]]) -> tuple[str, str]:
    """Why a block was left out: the nearest hint on it or an ancestor (`known` remembers the
    answers for elements of this page, so each element is looked at once)."""
    path: list[Any] = []
    node = element
    answer: tuple[str, str] | None = None
    while node is not None:
        if node in known:
            answer = known[node]
            break
        path.append(node)
        answer = _own_hint(node)
        if answer is not None:
            break
        node = node.getparent()
    answer = answer or ("boilerplate", "page text outside the article")
    for visited in path:
        known[visited] = answer
    return answer


def _capped(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return (
        f"{cut} … [{len(text) - len(cut):,} more characters not kept here; the raw page has them]"
    )


def left_out(blocks: list[tuple[str, Any]], kept: str, title: str | None) -> tuple[Removal, ...]:
    """Visible blocks of the page (html_text.visible_blocks) not in the kept text, one Removal
    each (a comment, a menu item: readers and the theme count them), capped."""
    kept_text = _SPACE.sub(" ", kept)
    seen: set[str] = {title or ""}
    removed: list[Removal] = []
    total = dropped = dropped_chars = 0
    known: dict[Any, tuple[str, str]] = {}
    for text, holder in blocks:
        if text in seen or text in kept_text:
            continue
        seen.add(text)
        if total >= TOTAL_LIMIT or len(removed) >= MAX_SPANS:
            dropped, dropped_chars = dropped + 1, dropped_chars + len(text)
            continue
        kind, reason = _classify(holder, known)
        removed.append(Removal(kind, _capped(text, SPAN_LIMIT), reason))
        total += min(len(text), SPAN_LIMIT)
    if dropped:
        removed.append(
            Removal(
                "boilerplate",
                f"{dropped:,} more left-out blocks ({dropped_chars:,} characters) not listed",
                "list of left-out text capped; the raw page has them",
            )
        )
    return tuple(removed)
