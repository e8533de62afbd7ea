"""Memory during a build: fewer garbage-collector passes, and freed memory given back.

MemoryPolicy is the whole policy as one context: a build (or an ingest) enters it once, and the
pipeline wraps each stage in its stage() without knowing what that does. Two parts. The collector: a build allocates hundreds of thousands of small objects it keeps until it is done (catalog
entries, plan rows, cache tables). CPython's default trigger, a collection every 700 allocations
net of frees, then walks that growing heap again and again without finding garbage: about 0.3 s
of a 2.4 s one-edit build at 10,000 articles (benchmarks/bench_build.py). Raising the young
generation's threshold, as mypy does for the same reason, keeps cycles collected (a build makes
few) at a fraction of the passes; forked workers inherit the setting. The allocator (Linux
with glibc only): large blocks get their own mappings while records load, and the heap's free
pages are handed back between stages, so what one stage dropped does not stay in the process
(and in every worker it forks) through the rest of the build. Which stage gets what is the
table below (OWN_MAPPINGS_WHILE, TRIMMED_AFTER), by the names pipeline.py gives its stages.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import functools
import gc
import sys
from collections.abc import Iterator
from types import TracebackType

# Allocations (net) between young collections, and how many of those before each older one.
# 50,000 took the one-edit build from 2.4 s to 2.1 s at 10,000 articles; 200,000 did no better.
BUILD_THRESHOLD = (50_000, 20, 100)


@contextlib.contextmanager
def fewer_collections() -> Iterator[None]:
    """Collect garbage less often inside the block; the previous thresholds come back after."""
    previous = gc.get_threshold()
    gc.set_threshold(*BUILD_THRESHOLD)
    try:
        yield
    finally:
        gc.set_threshold(*previous)


# glibc's mallopt parameter; the size from which blocks get their own mapping while a build's
# records load, and after (glibc's own upper bound for that threshold on 64-bit systems).
_M_MMAP_THRESHOLD = -3
LARGE_BLOCK = 1 << 20
AFTER_LOAD = 32 << 20


@contextlib.contextmanager
def large_blocks_returned() -> Iterator[bool]:
    """Inside the block, glibc's malloc gives every block of LARGE_BLOCK bytes or more its own
    mapping, which goes back to the system when freed; after it, blocks from AFTER_LOAD up.
    Yields whether this applies (Linux with glibc); elsewhere the allocator keeps its policy.

    By default glibc raises that threshold to the size of each mapped block freed (up to 32
    MB), after which such blocks come from the heap and stay in the process when freed: an
    archive's features, joined a batch of records at a time, took twice their size (10,000
    articles: 154 MB after loading, 117 MB with this). Not for the whole build: the
    related-articles product allocates and frees blocks of a few MB thousands of times, and
    fresh mappings made that 1.7x slower at 100,000 articles (page faults).
    """
    libc = _libc()
    applied = libc is not None and libc.mallopt(_M_MMAP_THRESHOLD, LARGE_BLOCK) == 1
    try:
        yield applied
    finally:
        if applied and libc is not None:
            libc.mallopt(_M_MMAP_THRESHOLD, AFTER_LOAD)


def free_pages_returned() -> bool:
    """Give the heap's free pages back to the system (glibc's malloc_trim); whether it could.

    Freed small objects leave free pages inside the heap that glibc keeps for later: a stage
    that made and dropped millions of them (loading the records) leaves the process that much
    larger through the stages after it, and forked render workers inherit it. Called between
    stages: at 10,000 articles, 125 MB after loading became 99 MB, in a few milliseconds.
    """
    libc = _libc()
    if libc is None or not hasattr(libc, "malloc_trim"):
        return False
    libc.malloc_trim(0)
    return True


@functools.cache
def _libc() -> ctypes.CDLL | None:
    if not sys.platform.startswith("linux"):
        return None
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        if hasattr(libc, "mallopt"):
            return libc
    return None


# Stages whose large blocks get their own mappings: the features table is joined a batch of
# records at a time at the end of loading (not annotate: see large_blocks_returned).
OWN_MAPPINGS_WHILE = frozenset({"load"})
# Stages after which the heap's free pages go back to the system: loading drops what it parsed
# (10,000 articles: 125 MB after loading became 99 MB); annotate ends by letting the features
# table go (about 0.4 GB at 100,000 articles) and plan ends just before the render workers fork.
TRIMMED_AFTER = frozenset({"load", "annotate", "plan"})


class MemoryPolicy:
    """The memory policy of one build or ingest, entered once around it: fewer collections
    throughout, and around each stage (stage()) what the table above says for it."""

    def __init__(self) -> None:
        self._collections = fewer_collections()

    def __enter__(self) -> MemoryPolicy:
        self._collections.__enter__()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._collections.__exit__(kind, error, trace)

    @contextlib.contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Around the stage `name`: large blocks mapped on their own while it runs, or free pages
        handed back once it is done, where the policy says so (a stage that raises gets neither
        after it)."""
        with large_blocks_returned() if name in OWN_MAPPINGS_WHILE else contextlib.nullcontext():
            yield
        if name in TRIMMED_AFTER:
            free_pages_returned()
