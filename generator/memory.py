"""Memory during a build: fewer garbage-collector passes, and large blocks given back when freed.

A build allocates hundreds of thousands of small objects it keeps until it is done (catalog
entries, plan rows, cache tables). CPython's default trigger, a collection every 700 allocations
net of frees, then walks that growing heap again and again without finding garbage: about 0.3 s
of a 2.4 s one-edit build at 10,000 articles (benchmarks/bench_build.py). Raising the young
generation's threshold, as mypy does for the same reason, keeps cycles collected (a build makes
few) at a fraction of the passes; forked workers inherit the setting.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import gc
import sys
from collections.abc import Iterator

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


# glibc's mallopt parameter, and the size from which blocks get their own mapping.
_M_MMAP_THRESHOLD = -3
LARGE_BLOCK = 1 << 20
_large_blocks_mapped = False


def map_large_blocks() -> bool:
    """Have glibc's malloc give every block of LARGE_BLOCK bytes or more its own mapping, which
    goes back to the system when freed (once per process; forked workers inherit it).

    By default glibc raises that threshold to the size of each mapped block freed (up to 32 MB),
    after which such blocks come from the heap and stay in the process when freed: an archive's
    features, joined a batch of records at a time, then took twice their size (measured at
    10,000 articles: 154 MB after loading, 117 MB with this). Returns whether it applied
    (Linux with glibc); elsewhere the allocator keeps its own policy."""
    global _large_blocks_mapped
    if _large_blocks_mapped:
        return True
    if not sys.platform.startswith("linux"):
        return False
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        _large_blocks_mapped = bool(libc.mallopt(_M_MMAP_THRESHOLD, LARGE_BLOCK) == 1)
    return _large_blocks_mapped
