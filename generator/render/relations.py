"""Stage annotate (archive, for the build): the catalog's features -> links and related articles.

The archive-level annotate stage (annotate/) needs every article's features: they are kept as
one table in .build/cache/features.pickle (annotate.archive.cached_table); those missing there
come with the catalog (records read in this build) or from the build store. The result is kept
beside them, keyed by everything it reads, so a build where no article's features, spin score or
date changed reuses it as it is.
"""

from __future__ import annotations

import contextlib
import hashlib
import pickle
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generator.fingerprint import code_digest
from generator.fsutil import atomic_write_bytes
from generator.render.catalog import Catalog

if TYPE_CHECKING:
    from generator.annotate.links import ArchiveAnnotation

RELATED_LIMIT = 5
FEATURES_NAME = "features.pickle"
PAIRS_NAME = "pairs.pickle"  # aligned near-duplicate pairs (annotate/copies.py)


def _key(catalog: Catalog) -> str:
    """Digest of everything the result reads: the code, and each entry's slug, record, spin and
    date (one repr of all of them: 10,000 entries in ~10 ms, where a value walk takes 60)."""
    rows = [(e.slug, e.record, e.spin, e.date) for e in catalog.entries]
    data = repr((code_digest(), RELATED_LIMIT, rows)).encode("utf-8", "surrogatepass")
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def annotate_catalog(catalog: Catalog, build_dir: Path) -> dict[str, ArchiveAnnotation]:
    """Near-duplicate links and related articles for every entry of the catalog."""
    path = build_dir / "cache" / "annotations.pickle"
    key = _key(catalog)
    with contextlib.suppress(Exception):  # missing or unreadable: compute again
        with path.open("rb") as handle:
            data = pickle.load(handle)
        if isinstance(data, dict) and data.get("key") == key:
            return _unpack(data["result"])
    from generator.annotate.archive import PairTexts, annotate_table, cached_table
    from generator.annotate.copies import PairCache

    entries = catalog.entries
    keys = [e.store_key(catalog.version) for e in entries]

    def make(wanted: list[str]) -> dict[str, Any]:
        """Stored by an earlier build (the features cache lost them)."""
        assert catalog.store is not None
        return catalog.store.get_many("features", wanted)

    key_of = keys_by_path = {e.path: k for e, k in zip(entries, keys, strict=True)}
    fresh = None
    if catalog.table is not None:
        fresh = (catalog.table, [key_of.get(path) for path in catalog.table_paths])
    table, rows = cached_table(keys, make, build_dir / "cache" / FEATURES_NAME, fresh)
    del fresh
    found = [entries[i] for i in rows]
    del rows
    found_keys = [keys_by_path[e.path] for e in found]

    def texts(wanted: list[int]) -> dict[int, str]:
        """The plain body texts of rows, from their search documents in the store."""
        assert catalog.store is not None
        documents = catalog.store.get_many("search", [found_keys[row] for row in wanted])
        return {
            row: documents[found_keys[row]].text for row in wanted if found_keys[row] in documents
        }

    result = annotate_table(
        table,
        [e.slug for e in found],
        [e.spin for e in found],
        [e.date for e in found],
        RELATED_LIMIT,
        PairTexts(found_keys, texts, PairCache(build_dir / "cache" / PAIRS_NAME)),
    )
    del table
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
    """Plain tuples: several times faster to unpickle (annotate.links, which imports nothing
    heavy)."""
    from generator.annotate.links import pack_annotations

    return pack_annotations(result)


def _unpack(packed: list[Any]) -> dict[str, ArchiveAnnotation]:
    from generator.annotate.links import unpack_annotations

    return unpack_annotations(packed)
