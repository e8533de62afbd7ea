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


def _child(
    index_dir: Path,
    documents: Documents | None,
    orders: Connection | None,
    sender: Connection,
    parent: int,
    inherited: tuple[Connection, ...] = (),
) -> None:
    die_with_parent(parent)  # a killed build's index update is abandoned (the old index stays)
    for end in inherited:  # the parent's ends of the pipes: only the parent writes or reads them
        end.close()
    # Pages and the static index come first: on a two-core machine, Whoosh takes a core only
    # when they leave one idle (the build waits for it at the end either way).
    with contextlib.suppress(OSError):
        os.nice(10)
    if documents is None and orders is not None:  # started early: the documents come later
        try:
            documents = orders.recv()
        except EOFError:
            documents = None
        orders.close()
        if documents is None:  # the build stopped before it had them
            sender.close()
            return
    # Everything inherited from the build stays alive here: keep the collector from walking it
    # (and from copying every page it touches).
    gc.freeze()
    try:
        assert documents is not None
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


class IndexUpdater:
    """An index update in a forked child, forked when this is made and given its documents by
    start() (they must pickle), or at once when given here (inherited: anything goes).

    Forking before the records are loaded keeps the child small: a child forked later holds
    (and counts in its RSS) everything the build had loaded, about 1 GB at 100,000 articles.
    Where fork is unavailable, or other threads run in this process (forking them is unsafe),
    the update runs in this process when wait() is called.
    """

    def __init__(self, index_dir: Path, documents: Documents | None = None) -> None:
        self.index_dir = index_dir
        self.documents = documents
        self._process: Any = None
        self._orders: Connection | None = None
        self._results: Connection | None = None
        can_fork = "fork" in multiprocessing.get_all_start_methods()
        if not can_fork or threading.active_count() > 1 or os.environ.get("NEWSARCHIVE_NO_FORK"):
            return
        context = multiprocessing.get_context("fork")
        self._results, sender = context.Pipe(duplex=False)
        orders_in = None
        if documents is None:
            orders_in, self._orders = context.Pipe(duplex=False)
        # Not a daemon: Whoosh's multi-process writer starts children of its own.
        parent_ends = (self._results,) if self._orders is None else (self._results, self._orders)
        self._process = context.Process(
            target=_child,
            args=(index_dir, documents, orders_in, sender, os.getpid(), parent_ends),
            name="newsarchive-index",
        )
        self._process.start()
        sender.close()
        if orders_in is not None:
            orders_in.close()

    def start(self, documents: Documents) -> None:
        """Hand the documents to the update, which begins."""
        self.documents = documents
        if self._orders is not None:
            self._orders.send(documents)
            self._orders.close()
            self._orders = None

    def cancel(self) -> None:
        """Stop an update not yet started (its child ends without touching the index)."""
        if self._orders is not None:
            # Said, not left to the pipe's end: processes forked since hold copies of it.
            with contextlib.suppress(OSError):
                self._orders.send(None)
            self._orders.close()
            self._orders = None
        if self._process is not None and self.documents is None:
            self._process.join()
            self._process = None

    def wait(self) -> IndexUpdate:
        """The update's result. Raises SearchError when it failed (the old index stays)."""
        if self._process is None:
            if self.documents is None:
                raise SearchError("the search index update was never started")
            return _inline(self.index_dir, self.documents)
        assert self._results is not None
        try:
            result = self._results.recv()
        except EOFError:
            result = None
        finally:
            self._process.join()
            self._results.close()
        exit_code, self._process = self._process.exitcode, None
        if isinstance(result, tuple):
            return IndexUpdate(*result)
        raise SearchError(f"updating the search index failed: {result or f'exit code {exit_code}'}")
