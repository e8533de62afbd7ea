"""Stage annotate (whole archive): Articles -> duplicate/spun-copy links and related articles per slug.

These depend on every other article, so they are computed when the site is built (from the loaded
records) rather than stored in each record: adding one article would otherwise rewrite many others.
MinHash signatures are cached in .build/ by body hash, so an unchanged article is never rehashed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.annotate.dedupe import (
    DuplicateIndex,
    DuplicateLink,
    Signature,
    signature,
    signature_version,
)
from generator.annotate.related import RelatedInput, related_articles
from generator.fsutil import atomic_write_text
from generator.models import Article

_CACHE_VERSION = 1


@dataclass(frozen=True, slots=True)
class ArchiveAnnotation:
    duplicates: tuple[DuplicateLink, ...]
    related: tuple[str, ...]


def spin_score(article: Article) -> float:
    spin = article.extra.get("spin")
    return float(spin.get("score", 0.0)) if isinstance(spin, dict) else 0.0


def _load_cache(path: Path | None) -> dict[str, Any]:
    if path is None or not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    current = [_CACHE_VERSION, signature_version()]
    return data.get("signatures", {}) if data.get("version") == current else {}


def _signature(article: Article, cache: dict[str, Any], fresh: dict[str, Any]) -> Signature:
    digest = hashlib.sha256(article.body.encode("utf-8")).hexdigest()
    cached = cache.get(digest)
    if cached:
        sig = Signature(bytes.fromhex(cached[0]), cached[1], bytes.fromhex(cached[2]), cached[3])
    else:
        sig = signature(article.body)
    fresh[digest] = [sig.text.hex(), sig.text_size, sig.names.hex(), sig.names_size]
    return sig


def annotate_archive(
    articles: Sequence[Article], cache_path: Path | None = None, related_limit: int = 5
) -> dict[str, ArchiveAnnotation]:
    """Links between articles that copy each other, and related articles, for every slug."""
    cache = _load_cache(cache_path)
    fresh: dict[str, Any] = {}
    index = DuplicateIndex()
    for article in articles:
        index.add(
            article.slug, _signature(article, cache, fresh), spin_score(article), article.date
        )
    if cache_path is not None and fresh != cache:
        atomic_write_text(
            cache_path,
            json.dumps(
                {"version": [_CACHE_VERSION, signature_version()], "signatures": fresh},
                sort_keys=True,
            ),
        )
    inputs = [
        RelatedInput(
            a.slug, f"{a.title}\n{a.body}", (*a.people, *a.organizations, *a.places, *a.tags)
        )
        for a in articles
    ]
    related = related_articles(inputs, limit=related_limit)
    return {
        a.slug: ArchiveAnnotation(index.links(a.slug), related.get(a.slug, ())[:related_limit])
        for a in articles
    }
