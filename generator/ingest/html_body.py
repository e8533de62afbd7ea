"""Stage clean (HTML body): a parsed page -> its main text, chosen per page from trafilatura's runs.

trafilatura's three settings fail in different places (measured on WCXB dev and
ScrapingHub-181, benchmarks/quality.py): the default misses sections of long guides and list
articles, favor_precision drops real subheadings and whole sections inside an article, and
favor_recall takes in link lists on news pages. So three runs are combined with signals that
hold on any page, never with site rules:

1. The default run (comments off) is the base.
2. Recall run: when its text contains all of the default's words and more, it is the same
   article found more completely (a superset never loses content): it becomes the base.
   Not asked when the default found 1,500 words or more: such a text is whole.
3. Precision run: lines at the start or end of the base that the precision run left out are
   page furniture around the article (teasers, newsletter boxes, "more from" lists); they are
   cut, unless they are half the text or more (then precision lost the article, not junk).
   Lines precision leaves out *inside* the article are kept: there they are subheadings.
   A base that begins and ends with sentences of prose has no such edges: no precision run.
4. The page's own JSON-LD `articleBody`, when the runs found less than half of it.

The recall and precision runs use trafilatura's fast mode (no readability/jusText comparison):
they only have to agree or disagree with the default.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

import trafilatura

log = logging.getLogger(__name__)

_WORD = re.compile(r"\w+")
# The recall run's text must contain this share of the default's words to be "the same, more".
_SUPERSET = 0.98
# Edge lines the precision run rejects are cut only while they are under this share of the text.
_EDGE_MAX_SHARE = 0.5
# JSON-LD articleBody replaces the runs when they cover less than this share of its words.
_ARTICLE_BODY_COVER = 0.5
# The default run finds a text this long whole: the recall run is not asked (measured: over
# 1,500 words it changes F1 by less than 0.001 on WCXB dev and ScrapingHub-181).
_COMPLETE_WORDS = 1500
# A line of prose: this many words or more, ending as a sentence ends.
_PROSE_WORDS = 12
_SENTENCE_END = re.compile(r"[.!?…:\"”’)]\s*$")


@dataclass(frozen=True, slots=True)
class BodyChoice:
    """The chosen main text (one line per block) and how it was chosen (for logs and tests)."""

    lines: tuple[str, ...]
    strategy: str


def _run(tree: Any, *, recall: bool = False, precision: bool = False) -> list[str]:
    """One trafilatura run (comments off); the recall and precision runs in fast mode."""
    document = trafilatura.bare_extraction(
        tree,
        fast=recall or precision,
        favor_precision=precision,
        favor_recall=recall,
        include_comments=False,
        include_tables=True,
        include_images=False,
        include_links=False,
        deduplicate=False,
        with_metadata=False,
    )
    text = str(getattr(document, "text", None) or "")
    return [line.strip() for line in text.split("\n") if line.strip()]


def _words(lines: list[str]) -> Counter[str]:
    return Counter(_WORD.findall(" ".join(lines).lower()))


def _covered(part: Counter[str], whole: Counter[str]) -> float:
    """Share of part's words (with multiplicity) that whole also has."""
    total = sum(part.values())
    return sum((part & whole).values()) / total if total else 0.0


def _trim_edges(lines: list[str], precise: list[str]) -> list[str]:
    """Drop leading and trailing lines the precision run left out (see the module docstring)."""
    kept = set(precise)
    inside = [i for i, line in enumerate(lines) if line in kept]
    if not inside:
        return lines
    first, last = inside[0], inside[-1]
    cut = sum(len(line) for line in lines[:first]) + sum(len(line) for line in lines[last + 1 :])
    if cut >= _EDGE_MAX_SHARE * sum(len(line) for line in lines):
        return lines
    return lines[first : last + 1]


def _is_prose(line: str) -> bool:
    return len(line.split()) >= _PROSE_WORDS and bool(_SENTENCE_END.search(line))


def choose_body(tree: Any, article_body: str | None = None) -> BodyChoice:
    """The main text of a parsed page; empty lines when no run finds any text."""
    default = _run(tree)
    strategy = "default"
    base = default
    default_words = _words(default)
    if sum(default_words.values()) < _COMPLETE_WORDS:
        recall = _run(tree, recall=True)
        recall_words = _words(recall)
        if not default or (
            sum(recall_words.values()) > sum(default_words.values())
            and _covered(default_words, recall_words) >= _SUPERSET
        ):
            base, strategy = recall, "recall"
    # A text that opens and closes with sentences of prose has no furniture at its edges: the
    # precision run is asked only when it does not (a third of pages skip it, F1 unchanged).
    if base and not (_is_prose(base[0]) and _is_prose(base[-1])):
        precise = _run(tree, precision=True)
        trimmed = _trim_edges(base, precise) if precise else base
        if len(trimmed) < len(base):
            strategy += "+edges"
        base = trimmed
    if article_body:
        stated = [line.strip() for line in article_body.split("\n") if line.strip()]
        stated_words = _words(stated)
        if sum(stated_words.values()) >= 50 and (
            _covered(stated_words, _words(base)) < _ARTICLE_BODY_COVER
        ):
            base, strategy = stated, "json-ld articleBody"
    log.debug("body: %s, %d lines", strategy, len(base))
    return BodyChoice(tuple(base), strategy)
