"""Update the Whoosh index of record in a forked process while the site is rendered.

Indexing needs only the loaded records, so it can overlap annotate, plan, render and Pagefind.
The child makes its documents itself (reading them from the build store: nothing is pickled)
and sends back only the small IndexUpdate.
Where fork is unavailable, or other threads run in this process (forking them is unsafe), the
update runs in the calling process when its result is asked for.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, NamedTuple, Protocol

from generator.children import die_with_parent
from generator.errors import SearchError


class DocumentSource(Protocol):
    """An archive's documents, for an update that reads only those that changed."""

    def digests(self) -> dict[str, str]:
        """slug -> digest of its search document, in archive order."""
        ...

    def fetch(self, slugs: Sequence[str]) -> Sequence[Any]:
        """The search documents of these slugs, in their order."""
        ...


# What the index is brought in line with: a function returning every document, or a source.
Documents = Callable[[], Sequence[Any]] | DocumentSource


class IndexUpdate(NamedTuple):
    """What an update did (whoosh_index.IndexUpdate's fields, without importing Whoosh here)."""

    added: int
    updated: int
    removed: int
    unchanged: int
    rebuilt: bool
    seconds: float = 0.0  # wall time of the update, where it ran


def _update(index_dir: Path, documents: Documents) -> IndexUpdate:
    # Imported where the update runs: the build's own process never needs Whoosh.
    from generator.search.whoosh_index import update_index, update_index_from

    start = time.perf_counter()
    if callable(documents):
        done = update_index(index_dir, documents())
    else:
        done = update_index_from(index_dir, documents.digests(), documents.fetch)
    seconds = time.perf_counter() - start
    return IndexUpdate(
        done.added, done.updated, done.removed, done.unchanged, done.rebuilt, seconds
    )


def _child(index_dir: Path, documents: Documents, sender: Connection, parent: int) -> None:
    die_with_parent(parent)  # a killed build's index update is abandoned (the old index stays)
    # Pages and the static index come first: on a two-core machine, Whoosh takes a core only
    # when they leave one idle (the build waits for it at the end either way).
    with contextlib.suppress(OSError):
        os.nice(10)
    # Everything inherited from the build stays alive here: keep the collector from walking it
    # (and from copying every page it touches).
    gc.freeze()
    try:
        result: object = tuple(_update(index_dir, documents))
    except BaseException as exc:  # reported by the parent as one line
        result = f"{type(exc).__name__}: {exc} ({traceback.format_exc(limit=3).splitlines()[-1]})"
    sender.send(result)
    sender.close()


def _inline(index_dir: Path, documents: Documents) -> IndexUpdate:
    try:
        return _update(index_dir, documents)
    except SearchError:
        raise
    except Exception as exc:  # the same one line as from the forked child
        raise SearchError(f"updating the search index failed: {type(exc).__name__}: {exc}") from exc


def start_index_update(index_dir: Path, documents: Documents) -> Callable[[], IndexUpdate]:
    """Begin updating the index with what `documents()` returns (called in the child, which
    inherits the function and whatever it reads); the returned function waits for and returns
    the result.

    Raises (from that function) SearchError when the update failed; the previous index then
    stays in place, as update_index guarantees.
    """
    can_fork = "fork" in multiprocessing.get_all_start_methods()
    if not can_fork or threading.active_count() > 1 or os.environ.get("NEWSARCHIVE_NO_FORK"):
        return lambda: _inline(index_dir, documents)
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    # Not a daemon: Whoosh's multi-process writer starts children of its own.
    process = context.Process(
        target=_child, args=(index_dir, documents, sender, os.getpid()), name="newsarchive-index"
    )
    process.start()
    sender.close()

    def wait() -> IndexUpdate:
        try:
            result = receiver.recv()
        except EOFError:
            result = None
        finally:
            process.join()
            receiver.close()
        if isinstance(result, tuple):
            return IndexUpdate(*result)
        raise SearchError(
            f"updating the search index failed: {result or f'exit code {process.exitcode}'}"
        )

    return wait
