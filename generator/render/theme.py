"""Stage render (theme helpers): record fields -> what the default theme shows of them.

Pure functions the templates call as filters: a quote's text as a reader sees it (Markdown link
syntax resolved), the "Removed from the source" panel grouped by kind with readers' comments
and spam withheld unless the archive opts in, and the photo captions the cleaner set aside.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from generator.models import Removal

_MD_LINK = re.compile(r"!?\[([^\]]*)\]\((?:[^()\s]|\([^()\s]*\))*(?:\s+\"[^\"]*\")?\)")
_AUTOLINK = re.compile(r"<((?:https?|mailto):[^>\s]+)>")
_EMPHASIS = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
# A quote cut out of a link's words keeps half of its syntax: "words](https://...)" or "[words".
_DANGLING_CLOSE = re.compile(r"\]\((?:https?:|mailto:|/|#)[^()\s]*\)")
_DANGLING_OPEN = re.compile(r"\[(?=[^\]]*$)")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!<>])")

# Kinds whose text is other people's words or junk aimed at readers: published only as counts
# unless the archive's config says show_comments_and_spam = true (the record keeps them all).
PRIVATE_KINDS = frozenset({"comments", "spam"})
# Not text at all (scripts, styles): counted, never shown.
HIDDEN_KINDS = frozenset({"markup"})
KIND_LABELS: Mapping[str, str] = {
    "comments": "Readers' comments",
    "comment-form": "Comment form",
    "spam": "Spam",
    "navigation": "Site navigation",
    "boilerplate": "Page furniture",
    "share-widget": "Share buttons",
    "newsletter": "Newsletter sign-up",
    "related-links": "Links to other articles",
    "copyright": "Copyright and footer",
    "advertisement": "Advertising",
    "byline": "Byline lines",
    "photo-credit": "Photo credits",
    "markup": "Scripts and styles",
}
# Spans shorter than this (a nav word, a button label) are listed on one line, not one per row.
SHORT_SPAN = 40


def quote_text(text: str) -> str:
    """A quote as the article's reader sees it: Markdown links reduced to their words,
    autolinks to the address, emphasis markers and backslash escapes dropped (quotes are cut
    from the Markdown body, so a link inside one came along as `[words](https://...)`)."""
    if not any(c in text for c in "[]<*_\\"):
        return text
    text = _MD_LINK.sub(r"\1", text)
    text = _DANGLING_OPEN.sub("", _DANGLING_CLOSE.sub("", text))
    text = _AUTOLINK.sub(r"\1", text)
    text = _EMPHASIS.sub(r"\2", text)
    return _ESCAPE.sub(r"\1", text)


@dataclass(frozen=True, slots=True)
class RemovedGroup:
    """The removed spans of one kind, as the article page's panel shows them."""

    kind: str
    label: str
    reasons: tuple[str, ...]
    count: int
    texts: tuple[str, ...]  # empty when withheld
    withheld: bool
    short: bool  # every text is short: shown inline, separated by dots


def removed_groups(removed: Iterable[Any], show_private: bool = False) -> list[RemovedGroup]:
    """Removed spans grouped by kind, in order of first appearance. Comments and spam are
    withheld (count and kind only) unless `show_private`; markup is never shown; figure
    captions are left out (the page shows them as figures)."""
    order: dict[str, list[Removal]] = {}
    for item in removed:
        if is_caption(item):
            continue
        order.setdefault(item.kind, []).append(item)
    groups = []
    for kind, items in order.items():
        withheld = kind in HIDDEN_KINDS or (kind in PRIVATE_KINDS and not show_private)
        texts = () if withheld else tuple(i.text for i in items)
        groups.append(
            RemovedGroup(
                kind=kind,
                label=KIND_LABELS.get(kind, kind.replace("-", " ").capitalize()),
                reasons=tuple(dict.fromkeys(i.reason for i in items if i.reason)),
                count=len(items),
                texts=texts,
                withheld=withheld,
                short=bool(texts) and all(len(t) <= SHORT_SPAN and "\n" not in t for t in texts),
            )
        )
    return groups


def is_caption(item: Any) -> bool:
    """A figure caption the cleaner took out of the text (its credit is in photo_credits)."""
    return item.kind in {"photo-credit", "caption"} and str(item.reason).startswith(
        "figure caption"
    )


def captions(removed: Sequence[Any]) -> list[str]:
    """The figure captions of an article, in order: the page shows them as figures."""
    return [item.text for item in removed if is_caption(item)]
