"""Values derived from files, reused while each file is unchanged (same size, mtime and inode).

Parsing and validating 10,000 records takes far longer than a stat of each: this is what makes a
no-change build cheap. The cache is a pickle in .build/ (a folder only this tool writes), tied to
the generator's code digest so a new version never reads an old layout. A missing, stale or
unreadable cache is simply rebuilt.
"""

from __future__ import annotations

import contextlib
import marshal
import pickle
from pathlib import Path
from typing import Any

from generator.fingerprint import code_digest
from generator.fsutil import atomic_write_bytes, replace_file

_FORMAT = 1
Stamp = tuple[int, int, int]


def stamp_of(path: Path) -> Stamp | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns, st.st_ino)


class FileCache:
    """path -> value, valid for one stamp of that path. Only entries used in a run are kept."""

    def __init__(self, store: Path | None, *, fresh: bool = False) -> None:
        """Read the cache from `store` (start empty when fresh); save() writes it back there."""
        self.store = store
        self._old: dict[str, tuple[Stamp, Any]] = {}
        self._new: dict[str, tuple[Stamp, Any]] = {}
        self._dirty = False
        if store is not None and not fresh:
            try:
                with store.open("rb") as handle:
                    data = pickle.load(handle)
                if data.get("key") == (_FORMAT, code_digest()):
                    self._old = data["entries"]
            except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError):
                self._old = {}
            except Exception:  # a corrupt cache is never worth a failed build
                self._old = {}

    def get(self, path: Path) -> Any | None:
        key = str(path)
        current = stamp_of(path)
        entry = self._old.get(key)
        if current is None or entry is None or entry[0] != current:
            return None
        self._new[key] = entry
        return entry[1]

    def put(self, path: Path, value: Any, stamp: Stamp | None = None) -> None:
        """Remember value for the file's stamp (taken before it was read, when given)."""
        current = stamp or stamp_of(path)
        if current is not None:
            self._new[str(path)] = (current, value)
            self._dirty = True

    def save(self) -> None:
        if self.store is None or (not self._dirty and self._new.keys() == self._old.keys()):
            return
        payload = {"key": (_FORMAT, code_digest()), "entries": self._new}
        # A cache that cannot be written costs time, never correctness.
        with contextlib.suppress(OSError):
            atomic_write_bytes(self.store, pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL))
        self._old, self._dirty = dict(self._new), False


class StampCache:
    """path (str) -> plain value (str, int, tuples...) valid for one stamp of that path.

    Like FileCache, for values marshal can store: 10,000 entries load in a few milliseconds,
    which is what keeps `build` after a one-file edit quick. Only entries used in a run are kept.
    """

    def __init__(self, store: Path | None, *, fresh: bool = False) -> None:
        self.store = store
        self._old: dict[str, tuple[Any, Any]] = {}
        self._new: dict[str, tuple[Any, Any]] = {}
        if store is not None and not fresh:
            with contextlib.suppress(Exception):  # a damaged cache is rebuilt, never fatal
                key, entries = marshal.loads(store.read_bytes())
                if key == [_FORMAT, code_digest()] and isinstance(entries, dict):
                    self._old = entries

    def get(self, path: str, stamp: Any) -> Any | None:
        """The value stored for path if its stamp is `stamp` (a marshal-able tuple)."""
        entry = self._old.get(path)
        if stamp is None or entry is None or entry[0] != stamp:
            return None
        self._new[path] = entry
        return entry[1]

    def put(self, path: str, stamp: Any, value: Any) -> None:
        if stamp is not None:
            self._new[path] = (stamp, value)

    def save(self) -> None:
        if self.store is None or self._new == self._old:
            return
        data = marshal.dumps(([_FORMAT, code_digest()], self._new))
        with contextlib.suppress(OSError):  # a cache that cannot be written costs time only
            replace_file(self.store, data)
        self._old = dict(self._new)
