"""Search (reader index, per build): slug -> its result in the Pagefind base bundle, on disk.

A delta bundle (search/static_update.py) hides the stale base results of the articles it
replaces and takes their filter values off the counts, so it needs each one's result id and
filter values, but only for those few articles. They are kept in a SQLite file beside the state,
one per base bundle (the state names it), and read a few rows at a time: kept in the state
itself, 100,000 articles' took 150 MB and 2 s to read and write on every build.
"""

from __future__ import annotations

import json
import os
import secrets
import sqlite3
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

_PREFIX = "base-results-"
_SUFFIX = ".sqlite"
_BATCH = 500  # slugs per SELECT ... IN (...)

Filters = dict[str, list[str]]


def write_results(
    folder: Path, ids: Mapping[str, str], filters: Callable[[str], Mapping[str, list[str]]]
) -> str:
    """Store each slug's result id and filter values (filters(slug), made as rows are written)
    in a new file in `folder`; returns its name. The file appears whole or not at all."""
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{_PREFIX}{secrets.token_hex(8)}{_SUFFIX}"
    tmp = folder / f".{name}.{os.getpid()}.tmp"
    tmp.unlink(missing_ok=True)
    connection = sqlite3.connect(tmp)
    try:
        connection.execute(
            "CREATE TABLE results (slug TEXT PRIMARY KEY, id TEXT NOT NULL, filters TEXT NOT NULL)"
        )
        connection.executemany(
            "INSERT INTO results VALUES (?, ?, ?)",
            (
                (slug, result, json.dumps(filters(slug), separators=(",", ":")))
                for slug, result in ids.items()
            ),
        )
        connection.commit()
    finally:
        connection.close()
    tmp.replace(folder / name)
    return name


def read_results(folder: Path, name: str, slugs: Iterable[str]) -> dict[str, tuple[str, Filters]]:
    """slug -> (result id, filter values) of those of `slugs` the file holds; {} when the file
    is missing or unreadable (the caller then treats them as not in the base)."""
    wanted = list(dict.fromkeys(slugs))
    path = folder / name
    if not name or not wanted or not path.is_file():
        return {}
    found: dict[str, tuple[str, Filters]] = {}
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            for start in range(0, len(wanted), _BATCH):
                part = wanted[start : start + _BATCH]
                marks = ",".join("?" * len(part))
                rows = connection.execute(
                    f"SELECT slug, id, filters FROM results WHERE slug IN ({marks})", part
                )
                for slug, result, values in rows:
                    found[slug] = (result, json.loads(values))
        finally:
            connection.close()
    except (sqlite3.Error, ValueError):
        return {}
    return found


def remove_other_results(folder: Path, keep: str) -> None:
    """Delete the results files in `folder` but `keep` (those of replaced bases, of killed builds)."""
    if not folder.is_dir():
        return
    for path in folder.iterdir():
        name = path.name
        stale = name.startswith(_PREFIX) and name.endswith(_SUFFIX) and name != keep
        if stale or (name.startswith(f".{_PREFIX}") and name.endswith(".tmp")):
            path.unlink(missing_ok=True)
