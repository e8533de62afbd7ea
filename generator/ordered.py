"""Parallel map over a stream of inputs: results in input order, inputs taken only as workers
are ready for them, so that a stream as long as a web archive's pages is never listed whole.

Used by ingest (pipeline.py): the per-input stages run in worker processes; what comes back is
written in the main process, one result at a time, in the order the inputs came.
"""

from __future__ import annotations

import itertools
import os
from collections import deque
from collections.abc import Callable, Generator, Iterable
from concurrent.futures import Future
from typing import TypeVar

from generator.children import worker_pool

Item = TypeVar("Item")
Result = TypeVar("Result")


def ordered_map(
    work: Callable[[list[Item]], list[Result]],
    items: Iterable[Item],
    *,
    serial_below: int,
    chunk: int,
    queued_per_worker: int,
    on_done: Callable[[int, int], None],
) -> Generator[tuple[Item, Result], None, None]:
    """(item, work's result for it) for each item, in order. `work` takes a list of items (a
    chunk sent to one worker; a module-level function or a partial of one, to be pickled).
    Fewer than `serial_below` items, or one core, run here without a pool. `on_done(done,
    taken)` hears the progress: items done, items taken from the stream so far. Close the
    generator when leaving it early (an exception, an interrupt): its pool then kills the
    workers and drops the queued jobs at once (children.TiedPool)."""
    stream = iter(items)
    first = list(itertools.islice(stream, serial_below))
    workers = os.cpu_count() or 1
    if len(first) < serial_below or workers < 2:
        for done, item in enumerate(itertools.chain(first, stream), 1):
            on_done(done, max(done, len(first)))
            yield item, work([item])[0]
        return
    stream = itertools.chain(first, stream)
    queued: deque[tuple[list[Item], Future[list[Result]]]] = deque()
    done = taken = 0
    with worker_pool(workers) as pool:
        while True:
            while len(queued) < workers * queued_per_worker:
                batch = list(itertools.islice(stream, chunk))
                if not batch:
                    break
                queued.append((batch, pool.submit(work, batch)))
                taken += len(batch)
            if not queued:
                return
            batch, future = queued.popleft()
            for item, result in zip(batch, future.result(), strict=True):
                done += 1
                on_done(done, taken)
                yield item, result
