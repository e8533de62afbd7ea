"""Update the Whoosh index of record in a forked process while the site is rendered.

Indexing needs only the loaded articles, so it can overlap annotate, plan, render and Pagefind.
The child inherits the articles (nothing is pickled) and sends back only the small IndexUpdate.
Where fork is unavailable, or other threads run in this process (forking them is unsafe), the
update runs in the calling process when its result is asked for.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import threading
import traceback
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection
from pathlib import Path

from generator.errors import SearchError
from generator.models import Article
from generator.search.whoosh_index import IndexUpdate, update_index


def _child(index_dir: Path, articles: Sequence[Article], sender: Connection) -> None:
    # Everything inherited from the build stays alive here: keep the collector from walking it
    # (and from copying every page it touches).
    gc.freeze()
    try:
        result: object = update_index(index_dir, articles)
    except BaseException as exc:  # reported by the parent as one line
        result = f"{type(exc).__name__}: {exc} ({traceback.format_exc(limit=3).splitlines()[-1]})"
    sender.send(result)
    sender.close()


def _inline(index_dir: Path, articles: Sequence[Article]) -> IndexUpdate:
    try:
        return update_index(index_dir, articles)
    except SearchError:
        raise
    except Exception as exc:  # the same one line as from the forked child
        raise SearchError(f"updating the search index failed: {type(exc).__name__}: {exc}") from exc


def start_index_update(index_dir: Path, articles: Sequence[Article]) -> Callable[[], IndexUpdate]:
    """Begin updating the index; the returned function waits for and returns the result.

    Raises (from that function) SearchError when the update failed; the previous index then
    stays in place, as update_index guarantees.
    """
    can_fork = "fork" in multiprocessing.get_all_start_methods()
    if not can_fork or threading.active_count() > 1 or os.environ.get("NEWSARCHIVE_NO_FORK"):
        return lambda: _inline(index_dir, articles)
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    # Not a daemon: Whoosh's multi-process writer starts children of its own.
    process = context.Process(
        target=_child, args=(index_dir, articles, sender), name="newsarchive-index"
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
        if isinstance(result, IndexUpdate):
            return result
        raise SearchError(
            f"updating the search index failed: {result or f'exit code {process.exitcode}'}"
        )

    return wait
