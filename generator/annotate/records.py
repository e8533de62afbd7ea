"""Stage annotate (per article): Article -> Article with its `spin` assessment in the record."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from generator.annotate.spin import load_lexicon, score_spin
from generator.models import Article


def spin_mapping(text: str) -> dict[str, Any]:
    """The schema's `spin` object for a text: score, verdict and phrases with likely originals."""
    result = score_spin(text, load_lexicon())
    return {
        "score": result.score,
        "verdict": result.verdict,
        "phrases": [{"text": p.text, "likely_original": p.likely_original} for p in result.phrases],
    }


def with_spin(article: Article) -> Article:
    """Add the spin assessment of the article's own text (it needs no other article)."""
    return replace(article, extra={**article.extra, "spin": spin_mapping(article.body)})
