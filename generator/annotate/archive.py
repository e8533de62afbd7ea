"""Stage annotate (whole archive): ArticleFeatures -> duplicate/spun-copy links and related articles per slug.

These depend on every other article, so they are computed when the site is built (from the loaded
records) rather than stored in each record: adding one article would otherwise rewrite many others.
The work is in two halves. features.article_features reads one article (pure; a worker process can
make it); annotate_features needs all of them and nothing else: LSH banding and compare() for the
links, TF-IDF rows and a sparse product for related articles. It is redone in full after any
change: an edit that adds or drops a word changes that word's document frequency, and so the
length of every article using it, and an added or removed article changes every IDF, so updating
a previous result exactly would redo most of the work anyway. The cost is the word product: about
1 CPU-s at 10,000 articles when most words are common (pruned), several seconds when the
vocabulary is a real archive's (see benchmarks/bench_annotate.py --stage).

annotate_archive does both for the pipeline: features are cached in .build/ by content (an unchanged
article is never read again), and the whole result is kept beside them, keyed by everything it
reads: a build where no article's text, title, entities, spin score or date changed reuses it.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import pickle
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from generator.annotate.dedupe import NUM_PERM, Signature, duplicate_links
from generator.annotate.features import (
    ArticleFeatures,
    features_key,
    features_of,
    features_version,
)
from generator.annotate.links import ArchiveAnnotation, DuplicateLink
from generator.annotate.related import RelatedFeatures, related_from_features
from generator.fingerprint import code_digest
from generator.fsutil import atomic_file
from generator.models import Article

_CACHE_VERSION = 4
_REWRITE_AFTER = 32  # features computed (or gone) before the features cache is rewritten


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
        # Streamed to the file: no second copy of it in memory.
        with contextlib.suppress(OSError), atomic_file(path) as handle:
            pickle.dump(data, handle, protocol=pickle.HIGHEST_PROTOCOL)


def _columns(features: Sequence[ArticleFeatures]) -> dict[str, Any]:
    """Features laid out column by column (unpickles 5x faster than one object per article)."""
    names = [name for f in features for name in f.related.entities]
    return {
        "text": b"".join(f.signature.text for f in features),
        "names": b"".join(f.signature.names for f in features),
        "sizes": np.array([(f.signature.text_size, f.signature.names_size) for f in features]),
        "stems": b"".join(f.related.stems for f in features),
        "counts": b"".join(f.related.counts for f in features),
        # Bytes of counts (4 each) per article; its stems take twice as many.
        "lengths": np.array([len(f.related.counts) for f in features], dtype=np.int64),
        "entities": "".join(names),
        "entity_lengths": np.array([len(n) for n in names], dtype=np.int64),
        "entity_counts": np.array([len(f.related.entities) for f in features], dtype=np.int64),
    }


def _rows(columns: dict[str, Any]) -> list[ArticleFeatures]:
    found = []
    text, names, stems, counts = (columns[k] for k in ("text", "names", "stems", "counts"))
    width = NUM_PERM * 4
    at = 0
    joined, ends = columns["entities"], np.cumsum(columns["entity_lengths"]).tolist()
    starts = [0, *ends[:-1]] if ends else []
    names_of = [joined[a:b] for a, b in zip(starts, ends, strict=True)]
    firsts = np.concatenate([[0], np.cumsum(columns["entity_counts"])]).tolist()
    groups = [tuple(names_of[a:b]) for a, b in itertools.pairwise(firsts)]
    sizes = columns["sizes"].tolist()
    for i, ((text_size, names_size), length, entities) in enumerate(
        zip(sizes, columns["lengths"].tolist(), groups, strict=True)
    ):
        signature = Signature(
            text[i * width : (i + 1) * width],
            text_size,
            names[i * width : (i + 1) * width],
            names_size,
        )
        related = RelatedFeatures(
            stems[2 * at : 2 * (at + length)], counts[at : at + length], entities
        )
        found.append(ArticleFeatures(signature, related))
        at += length
    return found


def cached_features(
    keys: Sequence[str],
    make: Callable[[list[str]], Mapping[str, ArticleFeatures]],
    path: Path | None,
) -> list[ArticleFeatures | None]:
    """The features of each key: from the cache at `path`, else from make(keys missing), which
    may leave some out (None here); the cache is updated.

    The cache is two files: all features as columns (`path`) and the few made since it was
    written (`path` with "-recent"), so that an edit rewrites a few kilobytes, not the archive's
    features; the columns are rewritten once enough is new or gone. 10,000 articles: ~0.1 s to
    read, where one object per article from the build store takes ~1.3 s.
    """
    version = [_CACHE_VERSION, features_version()]
    stored = _load(path)
    cached: dict[str, ArticleFeatures] = {}
    if stored.get("version") == version:
        with contextlib.suppress(Exception):  # a damaged cache is computed again
            cached = dict(zip(stored["keys"], _rows(stored["columns"]), strict=True))
    stored = {"id": stored.get("id")}  # the columns are copied into `cached`: let them go
    recent_path = path.with_name(f"{path.stem}-recent{path.suffix}") if path else None
    recent_stored = _load(recent_path)
    recent: dict[str, ArticleFeatures] = {}
    if recent_stored.get("version") == version and recent_stored.get("base") == stored.get("id"):
        recent = recent_stored.get("features", {})
    unknown = [k for k in dict.fromkeys(keys) if k not in cached and k not in recent]
    made = make(unknown) if unknown else {}
    fresh: dict[str, ArticleFeatures] = {}
    found: list[ArticleFeatures | None] = []
    for key in keys:
        features = cached.get(key) or recent.get(key) or made.get(key)
        if features is not None:
            fresh[key] = features
        found.append(features)
    if path is None or recent_path is None:
        return found
    new = {k: f for k, f in fresh.items() if k not in cached}
    stale = len(cached.keys() - fresh.keys())
    if len(new) + stale > max(_REWRITE_AFTER, len(fresh) // 100) or (fresh and not cached):
        base = hashlib.sha256(repr(sorted(fresh)).encode()).hexdigest()
        _save(
            path,
            {
                "version": version,
                "id": base,
                "keys": list(fresh),
                "columns": _columns(list(fresh.values())),
            },
        )
        with contextlib.suppress(OSError):
            recent_path.unlink(missing_ok=True)
    elif new.keys() != recent.keys():
        _save(recent_path, {"version": version, "base": stored.get("id"), "features": new})
    return found


def _features(
    articles: Sequence[Article], keys: Sequence[str], path: Path | None
) -> list[ArticleFeatures]:
    """Each article's features: from the cache at `path`, else computed (cached_features)."""
    by_key = dict(zip(keys, articles, strict=True))
    found = cached_features(keys, lambda wanted: {k: features_of(by_key[k]) for k in wanted}, path)
    return [f for f in found if f is not None]


def annotate_archive(
    articles: Sequence[Article], cache_path: Path | None = None, related_limit: int = 5
) -> dict[str, ArchiveAnnotation]:
    """Links between articles that copy each other, and related articles, for every slug.

    With `cache_path` (a file in the build folder), features are kept in features.pickle and the
    result in annotations.pickle beside it.
    """
    features_path = cache_path.with_name("features.pickle") if cache_path is not None else None
    result_path = cache_path.with_name("annotations.pickle") if cache_path is not None else None
    keys = [features_key(a) for a in articles]
    spins = [spin_score(a) for a in articles]
    digest = hashlib.sha256(f"{code_digest()}\0{related_limit}".encode())
    for article, features_digest, spin in zip(articles, keys, spins, strict=True):
        line = repr((article.slug, features_digest, spin, article.date))
        digest.update(line.encode("utf-8", "surrogatepass") + b"\0")
    key = digest.hexdigest()
    stored = _load(result_path)
    if stored.get("key") == key:
        with contextlib.suppress(Exception):  # a damaged result is computed again
            return _unpack(stored["result"])
    features = _features(articles, keys, features_path)
    inputs = [
        AnnotateInput(a.slug, f, spin, a.date)
        for a, f, spin in zip(articles, features, spins, strict=True)
    ]
    result = annotate_features(inputs, related_limit)
    _save(result_path, {"key": key, "result": _pack(result)})
    return result


def _pack(result: dict[str, ArchiveAnnotation]) -> list[Any]:
    """The result as plain tuples (which pickle several times faster than dataclasses)."""
    return [
        (slug, a.related, [(d.slug, d.similarity, d.relation, d.basis) for d in a.duplicates])
        for slug, a in result.items()
    ]


def _unpack(packed: list[Any]) -> dict[str, ArchiveAnnotation]:
    return {
        slug: ArchiveAnnotation(tuple(DuplicateLink(*d) for d in duplicates), tuple(related))
        for slug, related, duplicates in packed
    }
