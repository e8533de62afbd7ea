"""Stage annotate (whole archive): ArticleFeatures -> duplicate/spun-copy links and related articles per slug.

These depend on every other article, so they are computed when the site is built (from the loaded
records) rather than stored in each record: adding one article would otherwise rewrite many others.
The work is in two halves. features.article_features reads one article (pure; a worker process can
make it); annotate_features needs all of them and nothing else: LSH banding and compare() for the
links, TF-IDF rows and a sparse product for related articles. Both are cheap enough to redo in
full after any change (at 10,000 articles, well under a second), which is simpler than updating a
previous result, and always gives the same answer.

annotate_archive is both for the pipeline: features are cached in .build/ by content (an unchanged
article is never read again), and the whole result is kept beside them, keyed by everything it
reads: a build where no article's text, title, entities, spin score or date changed reuses it.
"""

from __future__ import annotations

import contextlib
import pickle
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.annotate.dedupe import DuplicateLink, duplicate_links
from generator.annotate.features import (
    ArticleFeatures,
    features_key,
    features_of,
    features_version,
)
from generator.annotate.related import related_from_features
from generator.fingerprint import code_digest, fingerprint
from generator.fsutil import atomic_write_bytes
from generator.models import Article

_CACHE_VERSION = 2


@dataclass(frozen=True, slots=True)
class ArchiveAnnotation:
    duplicates: tuple[DuplicateLink, ...]
    related: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class AnnotateInput:
    """What annotate_features needs of one article: its slug, features, spin score and date."""

    slug: str
    features: ArticleFeatures
    spin_score: float = 0.0
    date: str | None = None


def spin_score(article: Article) -> float:
    spin = article.extra.get("spin")
    return float(spin.get("score", 0.0)) if isinstance(spin, dict) else 0.0


def annotate_features(
    inputs: Sequence[AnnotateInput], related_limit: int = 5
) -> dict[str, ArchiveAnnotation]:
    """Links between articles that copy each other, and related articles, for every slug.

    Depends on the inputs only, not on their order. Raises ValueError when two share a slug.
    """
    links = duplicate_links(
        (item.slug, item.features.signature, item.spin_score, item.date) for item in inputs
    )
    related = related_from_features(
        ((item.slug, item.features.related) for item in inputs), limit=related_limit
    )
    return {
        item.slug: ArchiveAnnotation(links[item.slug], related[item.slug][:related_limit])
        for item in inputs
    }


def _load(path: Path | None) -> dict[str, Any]:
    if path is None:
        return {}
    try:
        with path.open("rb") as handle:
            data = pickle.load(handle)
    except Exception:  # missing or unreadable: compute again
        return {}
    return data if isinstance(data, dict) else {}


def _save(path: Path | None, data: dict[str, Any]) -> None:
    if path is not None:
        # A cache that cannot be saved costs time on the next build, never correctness.
        with contextlib.suppress(OSError):
            atomic_write_bytes(path, pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL))


def _features(
    articles: Sequence[Article], path: Path | None
) -> tuple[list[str], list[ArticleFeatures]]:
    """Each article's features key and features: from the cache at `path`, else computed (and the
    cache rewritten to hold exactly the current articles')."""
    stored = _load(path)
    version = [_CACHE_VERSION, features_version()]
    cached: dict[str, ArticleFeatures] = (
        stored.get("features", {}) if stored.get("version") == version else {}
    )
    keys = [features_key(a) for a in articles]
    fresh: dict[str, ArticleFeatures] = {}
    found = []
    for key, article in zip(keys, articles, strict=True):
        features = cached.get(key) or fresh.get(key) or features_of(article)
        fresh[key] = features
        found.append(features)
    if fresh.keys() != cached.keys():
        _save(path, {"version": version, "features": fresh})
    return keys, found


def annotate_archive(
    articles: Sequence[Article], cache_path: Path | None = None, related_limit: int = 5
) -> dict[str, ArchiveAnnotation]:
    """Links between articles that copy each other, and related articles, for every slug.

    With `cache_path` (a file in the build folder), features are kept in features.pickle and the
    result in annotations.pickle beside it.
    """
    features_path = cache_path.with_name("features.pickle") if cache_path is not None else None
    result_path = cache_path.with_name("annotations.pickle") if cache_path is not None else None
    keys, features = _features(articles, features_path)
    key = fingerprint(
        (
            code_digest(),
            related_limit,
            [(a.slug, k, spin_score(a), a.date) for a, k in zip(articles, keys, strict=True)],
        )
    )
    stored = _load(result_path)
    if stored.get("key") == key and isinstance(stored.get("result"), dict):
        result: dict[str, ArchiveAnnotation] = stored["result"]
        return result
    inputs = [
        AnnotateInput(a.slug, f, spin_score(a), a.date)
        for a, f in zip(articles, features, strict=True)
    ]
    result = annotate_features(inputs, related_limit)
    _save(result_path, {"key": key, "result": result})
    return result
