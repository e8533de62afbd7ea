"""Search (index of record): Articles or SearchDocuments -> the Whoosh index in .build/whoosh,
built whole (BulkWriter, in a temporary folder swapped in) or updated by key, with the word list
(vocabulary.py) and the digests of what it holds kept beside it.
"""

from __future__ import annotations

import gc
import json
import multiprocessing
import os
import shutil
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from whoosh import index

from generator.fsutil import atomic_write_text, is_process_alive, swap_directory
from generator.models import Article
from generator.search.bulk_writer import BulkWriter
from generator.search.documents import SCHEMA_VERSION, SearchDocument
from generator.search.fields import (
    TEXT_FIELDS,
    as_document,
    digest,
    document,
    layout,
    schema,
)
from generator.search.positions import fill_stores
from generator.search.snapshot import close_snapshot
from generator.search.vocabulary import (
    Vocabulary,
    count_words,
    read_vocabulary,
    stored_words,
    write_vocabulary,
)
from generator.search.whoosh_private import open_index


@dataclass(frozen=True, slots=True)
class IndexUpdate:
    added: int
    updated: int
    removed: int
    unchanged: int
    rebuilt: bool


# update_index rebuilds instead when at least this many articles, and half of them, changed:
# Whoosh's writer takes ~25 ms an article, a full build by BulkWriter ~4.
_REBUILD_FROM = 500


def update_index(index_dir: Path, articles: Sequence[Article | SearchDocument]) -> IndexUpdate:
    """Bring the index in line with the articles (Articles or SearchDocuments), touching only
    what changed.

    Changed articles are replaced by key (slug), removed ones deleted, unchanged ones left alone.
    A missing, damaged or older-schema index, or one most of whose articles changed, is rebuilt
    from scratch in a temporary folder and swapped in. Whoosh's write lock is an OS file lock, so a killed build leaves no stale lock.
    """
    by_slug = {a.slug: a for a in articles}
    return update_index_from(
        index_dir, {a.slug: digest(a) for a in articles}, lambda slugs: [by_slug[s] for s in slugs]
    )


def _fetched(
    fetch: Callable[[Sequence[str]], Sequence[Article | SearchDocument]],
    slugs: Sequence[str],
    batch: int = 500,
) -> Iterator[Article | SearchDocument]:
    """The documents of `slugs`, asked for `batch` at a time: never all in memory at once."""
    for start in range(0, len(slugs), batch):
        yield from fetch(slugs[start : start + batch])


def update_index_from(
    index_dir: Path,
    digests: Mapping[str, str],
    fetch: Callable[[Sequence[str]], Sequence[Article | SearchDocument]],
) -> IndexUpdate:
    """update_index for an archive given as slug -> digest (in archive order), whose documents
    `fetch` returns for the slugs asked for: an edit to one article reads one document."""
    close_snapshot(index_dir)
    slugs = list(digests)
    try:
        ix = open_index(index_dir) if index.exists_in(str(index_dir)) else None
        if ix is not None and layout(ix.schema) != layout(schema()):
            ix.close()
            ix = None
    except Exception:  # a damaged index, or one whose schema no longer unpickles: rebuild it
        ix = None
    if ix is None:
        return IndexUpdate(build_index(index_dir, _fetched(fetch, slugs)), 0, 0, 0, True)
    try:
        current = _read_digests(index_dir)
        if current is None:  # no sidecar: read the digests from the index (every document)
            with ix.searcher() as searcher:
                current = {f["slug"]: f.get("digest") for f in searcher.all_stored_fields()}
        changed = [slug for slug, digest in digests.items() if current.get(slug) != digest]
        removed = [slug for slug in current if slug not in digests]
        touched = len(changed) + len(removed)
        if touched >= _REBUILD_FROM and touched * 2 >= len(digests):
            ix.close()  # most articles changed (a new SCHEMA_VERSION): a full build is cheaper
            return IndexUpdate(build_index(index_dir, _fetched(fetch, slugs)), 0, 0, 0, True)
        vocabulary = read_vocabulary(index_dir)
        if vocabulary is not None and vocabulary.generation != ix.latest_generation():
            vocabulary = None  # a crash after a commit, or a writer that did not keep it
        with ix.searcher() as searcher:
            words = count_words(searcher) if vocabulary is None else vocabulary.counter()
            for slug in (*removed, *changed):
                stored = searcher.document(slug=slug) if slug in current else None
                if stored is not None:
                    words.subtract(stored_words(stored))
        if changed or removed:
            fresh = dict(zip(changed, fetch(changed), strict=True))
            writer = ix.writer(timeout=30.0)
            for slug in removed:
                writer.delete_by_term("slug", slug)
            for slug in changed:
                fields = document(fresh[slug])
                words.update(stored_words(fields))
                writer.update_document(**fields)
            writer.commit(mergetype=_merge_small_segments)
            fill_stores(ix, TEXT_FIELDS)  # the new segment's positions, a merged one's
            # Written after the commit: a crash in between leaves stale digests, which only makes
            # the next build re-index a few documents again, never skip one; a stale word list
            # names an older generation and is counted again.
            write_vocabulary(index_dir, Vocabulary.of(ix.latest_generation(), words))
            _write_digests(index_dir, dict(digests))
        elif vocabulary is None:
            write_vocabulary(index_dir, Vocabulary.of(ix.latest_generation(), words))
        added = sum(1 for slug in changed if slug not in current)
        return IndexUpdate(
            added, len(changed) - added, len(removed), len(digests) - len(changed), False
        )
    finally:
        ix.close()


# Segments an update writes (a few documents each) are merged once there are this many of them;
# a full one is rewritten (without its deleted documents) once this share of it is deleted.
_SMALL_SEGMENTS = 10
_DELETED_SHARE = 0.5


def _merge_small_segments(writer: Any, segments: list[Any]) -> list[Any]:
    """Whoosh merge policy for updates: merge the segments smaller than a built one once there
    are _SMALL_SEGMENTS of them, and a full one only when most of it is deleted. Whoosh's
    default (MERGE_SMALL) sums the smallest segments against a Fibonacci bound, which 20 full
    segments of 2,500 documents pass: one edit of a 100,000-article archive rewrote half its
    index (about 300 s)."""
    from whoosh.reading import SegmentReader

    small = [s for s in segments if s.doc_count_all() < SEGMENT_DOCS]
    merged = small if len(small) >= _SMALL_SEGMENTS else []
    merged += [
        s
        for s in segments
        if s not in merged and s.deleted_count() > s.doc_count_all() * _DELETED_SHARE
    ]
    for segment in merged:
        reader = SegmentReader(writer.storage, writer.schema, segment)
        writer.add_reader(reader)
        reader.close()
    return [s for s in segments if s not in merged]


def _digests_path(index_dir: Path) -> Path:
    return index_dir.with_name(f"{index_dir.name}-digests.json")


def _read_digests(index_dir: Path) -> dict[str, str] | None:
    """slug -> digest of what the index holds, from the sidecar file; None if missing or unreadable."""
    try:
        data = json.loads(_digests_path(index_dir).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return (
        data.get("digests")
        if isinstance(data, dict) and data.get("version") == SCHEMA_VERSION
        else None
    )


def _write_digests(index_dir: Path, digests: dict[str, str]) -> None:
    atomic_write_text(
        _digests_path(index_dir),
        json.dumps({"version": SCHEMA_VERSION, "digests": digests}, sort_keys=True),
    )


# Postings of one term in a segment being written: document numbers, weights, encoded values.
# Documents per segment of a new index. Postings of 2,500 news articles take ~150 MB until
# their segment is written; searches read the segments as one index (same scores).
SEGMENT_DOCS = 2500


def build_index(
    index_dir: Path, articles: Iterable[Article | SearchDocument], procs: int = 1
) -> int:
    """Write a fresh index into a temporary folder, then swap it in; returns the document count.

    Takes Articles or SearchDocuments. One process writes it (_BulkWriter); procs > 1 uses
    Whoosh's own multi-process writer instead (one segment per process, not merged), which is
    quicker only on otherwise idle cores and costs more CPU time in all.
    A crash mid-way leaves the previous index untouched and searchable.
    """
    close_snapshot(index_dir)
    staged = index_dir.with_name(f"{index_dir.name}.tmp-{os.getpid()}")
    shutil.rmtree(staged, ignore_errors=True)
    for stale in index_dir.parent.glob(f"{index_dir.name}.tmp-*"):
        pid = stale.name.rsplit("-", 1)[-1]
        if pid.isdigit() and not is_process_alive(int(pid)):
            shutil.rmtree(stale, ignore_errors=True)
    staged.mkdir(parents=True)
    # Millions of postings are allocated and none is garbage: the cyclic collector would only
    # walk them again and again (a tenth of the build). Reference counting still frees memory.
    collecting = gc.isenabled()
    gc.disable()
    try:
        ix = index.create_in(str(staged), schema())
        count = 0
        digests: dict[str, str] = {}
        if procs > 1 and not multiprocessing.current_process().daemon:
            words: Counter[str] = Counter()
            writer = ix.writer(limitmb=128, procs=procs, multisegment=True)
            for item in articles:
                fields = document(item)
                writer.add_document(**fields)
                words.update(stored_words(fields))
                digests[fields["slug"]] = fields["digest"]
                count += 1
            writer.commit()
            fill_stores(ix, TEXT_FIELDS)
        else:
            # One segment per SEGMENT_DOCS documents: the writer holds a segment's postings
            # until it commits, so memory stays flat however large the archive.
            writer = BulkWriter(ix)
            words = Counter()
            for item in articles:
                if writer.docnum >= SEGMENT_DOCS:
                    words.update(writer.words)
                    writer.commit(merge=False)
                    # A committed writer is in reference cycles (Whoosh's codec objects): with
                    # the collector off it stayed, 17 MB a segment (880 MB at 100k articles).
                    del writer
                    gc.collect()
                    writer = BulkWriter(ix)
                doc = as_document(item)
                writer.add_search_document(doc)
                digests[doc.slug] = doc.digest
                count += 1
            words.update(writer.words)
            writer.commit(merge=False)
        write_vocabulary(staged, Vocabulary.of(ix.latest_generation(), words))
        ix.close()
        _digests_path(index_dir).unlink(
            missing_ok=True
        )  # never let old digests describe a new index
        swap_directory(staged, index_dir)
        _write_digests(index_dir, digests)
    finally:
        if collecting:
            gc.enable()
        shutil.rmtree(staged, ignore_errors=True)
    return count
