"""Stage annotate (archive, for the build): the catalog's features -> links and related articles.

The archive-level annotate stage (annotate/) needs every article's features: they are kept as
columns in .build/cache/features.pickle (annotate.archive.cached_features); those missing there
come with the catalog (records read in this build) or from the build store. The result is kept
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
FEATURES_NAME = "features.pickle"


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
    from generator.annotate.archive import AnnotateInput, annotate_features, cached_features

    entries = catalog.entries
    keys = [e.store_key(catalog.version) for e in entries]
    slugs = dict(zip(keys, (e.slug for e in entries), strict=True))

    def make(wanted: list[str]) -> dict[str, Any]:
        """Made by this build's workers, else stored by an earlier build."""
        made = {k: catalog.features[slugs[k]] for k in wanted if slugs[k] in catalog.features}
        rest = [k for k in wanted if k not in made]
        if rest:
            assert catalog.store is not None
            made.update(catalog.store.get_many("features", rest))
        return made

    features = cached_features(keys, make, build_dir / "cache" / FEATURES_NAME)
    result = annotate_features(
        [
            AnnotateInput(e.slug, f, e.spin, e.date)
            for e, f in zip(entries, features, strict=True)
            if f is not None
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
