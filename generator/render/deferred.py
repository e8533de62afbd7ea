"""Work a build hands to a thread of its own, to be waited for (and its errors raised) later.

A full build does two such jobs once its new site is in place, while it waits for its Whoosh
index: render/output.py records what the site was made from (the reader index's state, the
stored plan, then the manifest: at 10,000 articles seconds of pickling and SQLite the site need
not wait for; until it is done there is no manifest, so a build killed meanwhile is followed by
a full one), and render/sitetree.py deletes the old site and links the spare.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class Deferred:
    """One job on a daemon thread. wait() joins it and raises what the job raised."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None
        self.seconds = 0.0  # how long the job took

    def start(self, work: Callable[[], None]) -> None:
        def run() -> None:
            start = time.perf_counter()
            try:
                work()
            except BaseException as exc:  # raised again in wait(), on the build's thread
                self._error = exc
            self.seconds = time.perf_counter() - start

        self._thread = threading.Thread(target=run, name=f"newsarchive-{self.name}", daemon=True)
        self._thread.start()

    def wait(self) -> None:
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        error, self._error = self._error, None
        if error is not None:
            raise error
