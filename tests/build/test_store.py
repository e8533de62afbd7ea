"""The build store: values by key across processes; anything unreadable is a miss, not a failure."""

from __future__ import annotations

import multiprocessing
import sqlite3
from pathlib import Path

from generator.build.store import Store


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
