"""Stage annotate (whole archive): ArticleFeatures -> duplicate/spun-copy links and related articles per slug.

These depend on every other article, so they are computed when the site is built (from the loaded
records) rather than stored in each record: adding one article would otherwise rewrite many others.
The work is in two halves. features.article_features reads one article (pure; a worker process can
make it); annotate_table needs all of them, as one FeatureTable, and nothing else: LSH banding and
compare() for the links, TF-IDF rows and a sparse product for related articles. It is redone in
full after any change: an edit that adds or drops a word changes that word's document frequency,
and so the length of every article using it, and an added or removed article changes every IDF,
so updating a previous result exactly would redo most of the work anyway. The cost is the word
product: about 1 CPU-s at 10,000 articles when most words are common (pruned), several seconds
when the vocabulary is a real archive's (see benchmarks/bench_annotate.py --stage).

annotate_archive does both for the pipeline: features are cached in .build/ by content as one
table (an unchanged article is never read again, and its words stay numbered), and the whole
result is kept beside them, keyed by everything it reads: a build where no article's text, title,
entities, spin score or date changed reuses it.
"""

from __future__ import annotations

import contextlib
import hashlib
import pickle
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from generator.annotate.copies import PairCache, commonness_of, links_of, read_pairs
from generator.annotate.dedupe import near_pairs
from generator.annotate.features import (
    ArticleFeatures,
    features_key,
    features_of,
    features_version,
)
from generator.annotate.links import ArchiveAnnotation, pack_annotations, unpack_annotations
from generator.annotate.similarity import related_from_columns
from generator.annotate.table import FeatureTable
from generator.fingerprint import code_digest
from generator.fsutil import atomic_file
from generator.models import Article

_CACHE_VERSION = 5  # 5: one FeatureTable, words numbered
_REWRITE_AFTER = 32  # features computed (or gone) before the features cache is rewritten
_MOST_LINKED = 20  # related articles looked for beyond the limit, for those copies take out


@dataclass(frozen=True, slots=True)
class AnnotateInput:
    """What annotate_features needs of one article: its slug, features, spin score and date."""

    slug: str
    features: ArticleFeatures
    spin_score: float = 0.0
    date: str | None = None
    text: str | None = None  # the body, for aligning it with a near-duplicate's


@dataclass(frozen=True, slots=True)
class PairTexts:
    """Where annotate_table gets the texts of near-duplicate pairs: a content key per row (what
    the pair cache is keyed by), a function giving the texts of rows (row -> text; a row it
    cannot give is left out), and the cache."""

    keys: Sequence[str]
    texts: Callable[[list[int]], Mapping[int, str]]
    cache: PairCache | None = None


def spin_score(article: Article) -> float:
    spin = article.extra.get("spin")
    return float(spin.get("score", 0.0)) if isinstance(spin, dict) else 0.0


def annotate_features(
    inputs: Sequence[AnnotateInput], related_limit: int = 5
) -> dict[str, ArchiveAnnotation]:
    """Links between articles that copy each other, and related articles, for every slug.

    Depends on the inputs only, not on their order. Raises ValueError when two share a slug.
    """
    texts = {row: item.text for row, item in enumerate(inputs) if item.text is not None}
    return annotate_table(
        FeatureTable.of([item.features for item in inputs]),
        [item.slug for item in inputs],
        [item.spin_score for item in inputs],
        [item.date for item in inputs],
        related_limit,
        PairTexts([item.slug for item in inputs], lambda rows: texts) if texts else None,
    )


def annotate_table(
    table: FeatureTable,
    slugs: Sequence[str],
    spins: Sequence[float],
    dates: Sequence[str | None],
    related_limit: int = 5,
    pairs: PairTexts | None = None,
) -> dict[str, ArchiveAnnotation]:
    """annotate_features of row i of `table` = (slugs[i], spins[i], dates[i]); the result, keyed
    by slug in row order, does not depend on the order of the rows. With `pairs`, the texts of
    near-duplicate pairs are aligned to tell spun copies from desk edits (annotate/copies.py).

    Raises ValueError when two rows share a slug.
    """
    if len(set(slugs)) != len(slugs):
        twice = sorted(slug for slug, count in Counter(slugs).items() if count > 1)
        raise ValueError(f"annotate: duplicate slugs {twice}")
    # Each pair read in slug order, whatever the rows' order (an alignment is not symmetric).
    edges = [
        (i, j, sim, basis) if slugs[i] < slugs[j] else (j, i, sim, basis)
        for i, j, sim, basis in near_pairs(table.signatures)
    ]
    readings = read_pairs(edges, pairs.keys, pairs.texts, pairs.cache) if pairs else {}
    commonness = commonness_of(table.document_frequency(), len(slugs))
    links = links_of(slugs, edges, spins, dates, readings, commonness)
    # Copies are linked above the text already: they take no related slot.
    extra = min(_MOST_LINKED, max((len(v) for v in links.values()), default=0))
    related = related_from_columns(slugs, table.related, limit=related_limit + extra)
    result = {}
    for slug in slugs:
        linked = {link.slug for link in links[slug]}
        others = tuple(r for r in related[slug] if r not in linked)
        result[slug] = ArchiveAnnotation(links[slug], others[:related_limit])
    return result


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


def cached_table(
    keys: Sequence[str],
    make: Callable[[list[str]], Mapping[str, ArticleFeatures]],
    path: Path | None,
    fresh: tuple[FeatureTable, Sequence[str | None]] | None = None,
) -> tuple[FeatureTable, list[int]]:
    """The features of `keys` as one table. Returns it and, for each of its rows, the index in
    `keys` it is for: each key found once per time it is given, rows in no particular order.

    Features come from the cache at `path`, else from `fresh` (a table made in this build, with
    the key of each row, None for rows no key wants), else from make(keys still missing), which
    may leave some out. The cache is updated.

    The cache is two files: a table of all features (`path`) and a small one of those made since
    it was written (`path` with "-recent"), so that an edit rewrites a few kilobytes, not the
    archive's features; the big table is rewritten once enough is new or gone. 10,000
    articles: ~0.05 s to read.
    """
    version = [_CACHE_VERSION, features_version()]
    stored = _load(path)
    table, table_keys = FeatureTable.empty(), []
    if stored.get("version") == version:
        with contextlib.suppress(Exception):  # a damaged cache is computed again
            table, table_keys = FeatureTable.unpack(stored["table"]), list(stored["keys"])
            if len(table_keys) != len(table):
                table, table_keys = FeatureTable.empty(), []
    base_id = stored.get("id")
    del stored
    recent_path = path.with_name(f"{path.stem}-recent{path.suffix}") if path else None
    recent_stored = _load(recent_path)
    recent, recent_keys = FeatureTable.empty(), []
    if recent_stored.get("version") == version and recent_stored.get("base") == base_id:
        with contextlib.suppress(Exception):
            recent = FeatureTable.unpack(recent_stored["table"])
            recent_keys = list(recent_stored["keys"])
            if len(recent_keys) != len(recent):
                recent, recent_keys = FeatureTable.empty(), []
    del recent_stored
    wanted = list(dict.fromkeys(keys))
    row_of = {k: i for i, k in enumerate(table_keys)}
    needed = {k for k in wanted if k not in row_of}
    fresh_table, fresh_keys = fresh if fresh is not None else (FeatureTable.empty(), [])
    from_fresh, fresh_taken = _taking(fresh_keys, needed)
    from_recent, recent_taken = _taking(recent_keys, needed)
    missing = [k for k in wanted if k in needed]
    made = make(missing) if missing else {}
    made_keys = [k for k in missing if k in made]
    new = (
        fresh_table.select(from_fresh)
        .joined(recent.select(from_recent))
        .joined(FeatureTable.of([made[k] for k in made_keys]))
    )
    new_keys = fresh_taken + recent_taken + made_keys
    del fresh_table, recent, made
    keep = np.zeros(len(table_keys), dtype=bool)
    keep[[row_of[k] for k in wanted if k in row_of]] = True
    result = table.joined(new, keep)
    result_keys = [k for k, kept in zip(table_keys, keep.tolist(), strict=True) if kept]
    result_keys += new_keys
    del table
    if path is not None and recent_path is not None:
        stale = len(table_keys) - int(keep.sum())
        if len(new_keys) + stale > max(_REWRITE_AFTER, len(result_keys) // 100) or (
            result_keys and not table_keys
        ):
            base = hashlib.sha256(repr(sorted(result_keys)).encode()).hexdigest()
            packed = {"version": version, "id": base, "keys": result_keys}
            _save(path, {**packed, "table": result.compacted().pack()})
            with contextlib.suppress(OSError):
                recent_path.unlink(missing_ok=True)
        elif set(new_keys) != set(recent_keys):
            recent_data = {"version": version, "base": base_id, "keys": new_keys}
            _save(recent_path, {**recent_data, "table": new.compacted().pack()})
    positions: dict[str, list[int]] = {}
    for index, key in enumerate(keys):
        positions.setdefault(key, []).append(index)
    if len(keys) == len(wanted):  # every key once: the rows as they are
        return result, [positions[k][0] for k in result_keys]
    rows = [r for r, k in enumerate(result_keys) for _ in positions[k]]
    return result.take(rows), [i for k in result_keys for i in positions[k]]


def _taking(keys: Sequence[str | None], needed: set[str]) -> tuple[np.ndarray, list[str]]:
    """Rows (a mask) whose key is in `needed`, the first for each, and their keys in order;
    the keys taken leave `needed`."""
    mask = np.zeros(len(keys), dtype=bool)
    taken: list[str] = []
    for row, key in enumerate(keys):
        if key is not None and key in needed:
            mask[row] = True
            needed.discard(key)
            taken.append(key)
    return mask, taken


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
    by_key = dict(zip(keys, articles, strict=True))
    table, rows = cached_table(
        keys, lambda wanted: {k: features_of(by_key[k]) for k in wanted}, features_path
    )
    pair_cache = PairCache(cache_path.with_name("pairs.pickle") if cache_path else None)
    result = annotate_table(
        table,
        [articles[i].slug for i in rows],
        [spins[i] for i in rows],
        [articles[i].date for i in rows],
        related_limit,
        PairTexts(
            [keys[i] for i in rows],
            lambda wanted: {row: articles[rows[row]].body for row in wanted},
            pair_cache,
        ),
    )
    _save(result_path, {"key": key, "result": _pack(result)})
    return {a.slug: result[a.slug] for a in articles}


def _pack(result: dict[str, ArchiveAnnotation]) -> list[Any]:
    """The result as plain tuples (which pickle several times faster than dataclasses)."""
    return pack_annotations(result)


def _unpack(packed: list[Any]) -> dict[str, ArchiveAnnotation]:
    return unpack_annotations(packed)
