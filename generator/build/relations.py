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
    from generator.annotate.links import ArchiveAnnotation

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
            return _unpack(data["result"])
    features = dict(catalog.features)
    missing = [e for e in catalog.entries if e.slug not in features]
    if missing:
        assert catalog.store is not None
        keys = {f"{e.record}.{catalog.version}": e.slug for e in missing}
        for stored, value in catalog.store.get_many("features", keys).items():
            features[keys[stored]] = value
    from generator.annotate.archive import AnnotateInput, annotate_features

    result = annotate_features(
        [
            AnnotateInput(e.slug, features[e.slug], e.spin, e.date)
            for e in catalog.entries
            if e.slug in features
        ],
        RELATED_LIMIT,
    )
    for entry in catalog.entries:  # a record whose features the cache lost: no links
        result.setdefault(entry.slug, _empty())
    with contextlib.suppress(OSError):  # a result that cannot be saved costs time only
        atomic_write_bytes(
            path,
            pickle.dumps({"key": key, "result": _pack(result)}, protocol=pickle.HIGHEST_PROTOCOL),
        )
    return result


def _empty() -> ArchiveAnnotation:
    from generator.annotate.links import ArchiveAnnotation

    return ArchiveAnnotation((), ())


def _pack(result: dict[str, ArchiveAnnotation]) -> list[Any]:
    """Plain tuples: several times faster to unpickle, and no annotate module to import."""
    return [
        (slug, a.related, [(d.slug, d.similarity, d.relation, d.basis) for d in a.duplicates])
        for slug, a in result.items()
    ]


def _unpack(packed: list[Any]) -> dict[str, ArchiveAnnotation]:
    from generator.annotate.links import ArchiveAnnotation, DuplicateLink

    return {
        slug: ArchiveAnnotation(tuple(DuplicateLink(*d) for d in duplicates), tuple(related))
        for slug, related, duplicates in packed
    }
