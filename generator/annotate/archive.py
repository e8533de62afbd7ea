"""Stage annotate (whole archive): Articles -> duplicate/spun-copy links and related articles per slug.

These depend on every other article, so they are computed when the site is built (from the loaded
records) rather than stored in each record: adding one article would otherwise rewrite many others.
MinHash signatures are cached in .build/ by body hash, so an unchanged article is never rehashed,
and the whole result is kept beside them, keyed by everything it reads: a build where no article's
text, title, entities, spin score or date changed reuses it as it is.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import pickle
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
from generator.fingerprint import code_digest, fingerprint
from generator.fsutil import atomic_write_bytes, atomic_write_text
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


def annotation_key(articles: Sequence[Article], related_limit: int) -> str:
    """Digest of everything annotate_archive reads, in archive order, and of the code itself."""
    return fingerprint(
        (
            code_digest(),
            related_limit,
            [
                (
                    a.slug,
                    hashlib.sha256(a.body.encode("utf-8")).digest(),
                    a.title,
                    a.people,
                    a.organizations,
                    a.places,
                    a.tags,
                    spin_score(a),
                    a.date,
                )
                for a in articles
            ],
        )
    )


def _load_result(path: Path, key: str) -> dict[str, ArchiveAnnotation] | None:
    try:
        with path.open("rb") as handle:
            data = pickle.load(handle)
    except Exception:  # missing or unreadable: compute again
        return None
    if not isinstance(data, dict) or data.get("key") != key:
        return None
    result = data.get("result")
    return result if isinstance(result, dict) else None


def annotate_archive(
    articles: Sequence[Article], cache_path: Path | None = None, related_limit: int = 5
) -> dict[str, ArchiveAnnotation]:
    """Links between articles that copy each other, and related articles, for every slug."""
    result_path = cache_path.with_name("annotations.pickle") if cache_path is not None else None
    key = annotation_key(articles, related_limit)
    if result_path is not None:
        cached = _load_result(result_path, key)
        if cached is not None:
            return cached
    result = _annotate(articles, cache_path, related_limit)
    if result_path is not None:
        # A result that cannot be saved costs time on the next build, never correctness.
        with contextlib.suppress(OSError):
            atomic_write_bytes(
                result_path,
                pickle.dumps({"key": key, "result": result}, protocol=pickle.HIGHEST_PROTOCOL),
            )
    return result


def _annotate(
    articles: Sequence[Article], cache_path: Path | None, related_limit: int
) -> dict[str, ArchiveAnnotation]:
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
