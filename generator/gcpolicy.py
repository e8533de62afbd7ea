"""Garbage collection during a build: fewer passes over a heap that only grows until the end.

A build allocates hundreds of thousands of small objects it keeps until it is done (catalog
entries, plan rows, cache tables). CPython's default trigger, a collection every 700 allocations
net of frees, then walks that growing heap again and again without finding garbage: about 0.3 s
of a 2.4 s one-edit build at 10,000 articles (benchmarks/bench_build.py). Raising the young
generation's threshold, as mypy does for the same reason, keeps cycles collected (a build makes
few) at a fraction of the passes; forked workers inherit the setting.
"""

from __future__ import annotations

import contextlib
import gc
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
