"""Opening the build's SQLite files (the store, the stored plan) from several processes at once.

Both files are shared by the main process and its forked workers, in WAL mode so readers and one
writer go side by side. Switching a new file to WAL takes a write lock from inside a read, and
when another process holds a write lock at that moment SQLite refuses at once ("database is
locked") without calling its busy handler, since waiting there could deadlock. That happens when
a build's workers open a file that no process has opened before (a first build, or one after a
build killed before its first write), so a refused switch is tried again until the timeout. The
mode is kept in the file: later openers find it already set.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

TIMEOUT = 60.0  # seconds a connection waits for a lock
_BUSY = 5  # SQLITE_BUSY; extended codes keep it in the low byte


def connect_wal(path: Path, timeout: float = TIMEOUT) -> sqlite3.Connection:
    """An autocommit connection to the file at path, in WAL mode with synchronous=NORMAL.

    Usable from any thread of the process, one at a time: a build stores its plan from a
    thread of its own once the site is in place (render/output.py Deferred)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(
        path, timeout=timeout, isolation_level=None, check_same_thread=False
    )
    deadline = time.monotonic() + timeout
    pause = 0.001
    while True:
        try:
            connection.execute("PRAGMA journal_mode=WAL")
            break
        except sqlite3.OperationalError as error:
            code = getattr(error, "sqlite_errorcode", 0) & 0xFF
            if code != _BUSY or time.monotonic() >= deadline:
                connection.close()
                raise
        time.sleep(pause)
        pause = min(pause * 2, 0.05)
    connection.execute("PRAGMA synchronous=NORMAL")
    return connection
