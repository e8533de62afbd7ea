"""The build store: values by key across processes; anything unreadable is a miss, not a failure."""

from __future__ import annotations

import multiprocessing
import sqlite3
import threading
from pathlib import Path

from generator.render.store import Store


def _write_in_child(path: Path) -> None:
    store = Store(path)
    for n in range(600):  # more than one batch
        store.put("card", f"k{n}", {"n": n, "text": "x" * (n % 5000)})
    store.close()


def test_values_written_by_a_forked_worker_are_read_back(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite"
    parent = Store(path)
    parent.put("analysis", "mine", ("a", 1))
    parent.flush()
    child = multiprocessing.get_context("fork").Process(target=_write_in_child, args=(path,))
    child.start()
    child.join()
    assert child.exitcode == 0
    found = parent.get_many("card", [f"k{n}" for n in range(0, 600, 7)] + ["absent"])
    assert len(found) == len(range(0, 600, 7)) and found["k7"]["n"] == 7
    assert found["k595"]["text"] == "x" * 595
    assert parent.get("analysis", "mine") == ("a", 1)  # the parent's connection still works
    assert parent.has("card", ["k1", "nope"]) == {"k1"}
    assert parent.keep_only("card", ["k1", "k2"]) == 598
    assert set(parent.get_many("card", ["k1", "k2", "k3"])) == {"k1", "k2"}


def test_a_damaged_row_is_a_cache_miss(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite"
    store = Store(path)
    store.put("card", "good", [1, 2])
    store.flush()
    with sqlite3.connect(path) as db:
        db.execute("INSERT INTO card (key, value) VALUES ('bad', X'7a00ff')")
    assert store.get("card", "bad") is None
    assert store.get_many("card", ["good", "bad"]) == {"good": [1, 2]}


def test_a_first_open_while_another_process_writes_waits_instead_of_failing(
    tmp_path: Path,
) -> None:
    """Switching a new file to WAL while another connection holds the write lock is refused at
    once by SQLite (no busy wait); the store tries again, as a build's workers opening a fresh
    store side by side would otherwise fail with "database is locked"."""
    path = tmp_path / "store.sqlite"
    writer = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    writer.execute("CREATE TABLE other (x)")
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("INSERT INTO other VALUES (1)")
    release = threading.Timer(0.3, lambda: writer.execute("COMMIT"))
    release.start()
    try:
        store = Store(path)
        store.put("card", "k", "v")
        store.flush()
    finally:
        release.join()
    assert store.get("card", "k") == "v"
    assert store.count("card") == 1
    (mode,) = sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()
    assert mode == "wal"
    store.close()
