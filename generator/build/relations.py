"""Stage annotate (archive, for the build): the catalog's features -> links and related articles.

The archive-level annotate stage (annotate/) needs every article's features: those of records
read in this build come with the catalog, the rest from the build store. The result is kept
beside them, keyed by everything it reads, so a build where no article's features, spin score or
date changed reuses it as it is.
"""

from __future__ import annotations

import contextlib
import pickle
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generator.build.catalog import Catalog
from generator.fingerprint import code_digest, fingerprint
from generator.fsutil import atomic_write_bytes

if TYPE_CHECKING:
    from generator.annotate.archive import ArchiveAnnotation

RELATED_LIMIT = 5


def _key(catalog: Catalog) -> str:
    return fingerprint(
        (
            code_digest(),
            RELATED_LIMIT,
            [(e.slug, e.record, e.spin, e.date) for e in catalog.entries],
        )
    )


def annotate_catalog(catalog: Catalog, build_dir: Path) -> dict[str, ArchiveAnnotation]:
    """Near-duplicate links and related articles for every entry of the catalog."""
    path = build_dir / "cache" / "annotations.pickle"
    key = _key(catalog)
    with contextlib.suppress(Exception):  # missing or unreadable: compute again
        with path.open("rb") as handle:
            data = pickle.load(handle)
        if isinstance(data, dict) and data.get("key") == key:
            result = data["result"]
            if isinstance(result, dict):
                return result
    features = dict(catalog.features)
    missing = [e for e in catalog.entries if e.slug not in features]
    if missing:
        assert catalog.store is not None
        keys = {f"{e.record}.{catalog.version}": e.slug for e in missing}
        for key, value in catalog.store.get_many("features", keys).items():
            features[keys[key]] = value
    result = _annotate(catalog, features)
    with contextlib.suppress(OSError):  # a result that cannot be saved costs time only
        atomic_write_bytes(
            path, pickle.dumps({"key": key, "result": result}, protocol=pickle.HIGHEST_PROTOCOL)
        )
    return result


def _annotate(catalog: Catalog, features: dict[str, Any]) -> dict[str, ArchiveAnnotation]:
    from generator.annotate.archive import ArchiveAnnotation
    from generator.annotate.dedupe import DuplicateIndex
    from generator.annotate.related import related_articles

    index = DuplicateIndex()
    inputs = []
    for entry in catalog.entries:
        item = features.get(entry.slug)
        if item is None:
            continue
        signature, related_input = item
        index.add(entry.slug, signature, entry.spin, entry.date)
        inputs.append(
            related_input.__class__(entry.slug, related_input.text, related_input.entities)
        )
    related = related_articles(inputs, limit=RELATED_LIMIT)
    return {
        e.slug: ArchiveAnnotation(
            index.links(e.slug) if e.slug in index else (),
            related.get(e.slug, ())[:RELATED_LIMIT],
        )
        for e in catalog.entries
    }
