"""Atomic file writes: a temp file in the same folder, fsync, then os.replace (never half a file)."""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO


def tree_files(root: Path) -> list[tuple[tuple[str, ...], str]]:
    """(path relative to root as parts, full path) of every file under root, in the order
    sorted(root.rglob("*")) gives, at a fraction of pathlib's cost (10,000 files: ~0.05 s)."""
    found: list[tuple[tuple[str, ...], str]] = []

    def walk(folder: str, parts: tuple[str, ...]) -> None:
        try:
            entries = list(os.scandir(folder))
        except OSError:
            return
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False):
                    walk(entry.path, (*parts, entry.name))
                elif entry.is_file():
                    found.append(((*parts, entry.name), entry.path))
            except OSError:
                continue

    walk(str(root), ())
    found.sort()
    return found


def stat_stamp(path: str) -> tuple[int, int, int] | None:
    """(size, mtime_ns, inode) of a file, None when it cannot be read."""
    try:
        st = os.stat(path)  # noqa: PTH116 - a str path: no Path object per file in hot loops
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns, st.st_ino)


@contextlib.contextmanager
def atomic_file(path: Path) -> Iterator[BinaryIO]:
    """A file to write that replaces `path` atomically when the block ends without error; on
    any failure the old file (if any) is left intact. For data too big to hold twice in memory."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write data to path atomically; on any failure the old file (if any) is left intact."""
    with atomic_file(path) as handle:
        handle.write(data)


def replace_file(path: Path, data: bytes) -> None:
    """Write data to path through a temp file and a rename, without fsync: readers see the old
    file or the new one, never half of one, but a power cut may lose the write. For files a
    build can always make again (caches, Pagefind's inputs)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(data)
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(data)
    try:
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """renameat2(RENAME_EXCHANGE): swap two directories in one step, where the kernel allows."""
    name = ctypes.util.find_library("c")
    if not name:
        return False
    libc = ctypes.CDLL(name, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return bool(result == 0)


def swap_directory(staged: Path, target: Path, *, keep: bool = False) -> None:
    """Put a fully written folder in place of target so readers never see half of either; the
    old target is deleted, or with `keep` left at the staged folder's path.

    Atomic where renameat2 exists (Linux); otherwise two renames with a moment in between.
    """
    if target.exists() and _exchange(staged, target):
        if not keep:
            shutil.rmtree(staged, ignore_errors=True)
        return
    old = target.with_name(f".{target.name}.old-{os.getpid()}")
    if target.exists():
        target.rename(old)
    staged.rename(target)
    if keep and old.exists():
        old.rename(staged)
    else:
        shutil.rmtree(old, ignore_errors=True)


def is_process_alive(pid: int) -> bool:
    """Whether a process still runs: tells a killed build's leftovers from a running build's."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextlib.contextmanager
def exclusive(lock_path: Path, on_wait: Callable[[], None] | None = None) -> Iterator[None]:
    """Hold an exclusive lock on lock_path (an OS lock: a killed holder releases it), waiting
    for another holder to finish; on_wait is called once if that happens. Where the platform
    has no fcntl, nothing is locked."""
    try:
        import fcntl
    except ImportError:  # not on POSIX
        yield
        return
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if on_wait is not None:
                on_wait()
            fcntl.flock(handle, fcntl.LOCK_EX)
        _HELD_LOCKS.add(handle.fileno())
        try:
            yield
        finally:
            _HELD_LOCKS.discard(handle.fileno())
            fcntl.flock(handle, fcntl.LOCK_UN)


# An flock belongs to the open file, which a fork shares: a forked worker that outlived a
# killed build would hold the lock for ever. Each fork points its copies at /dev/null instead
# (the descriptor numbers stay valid for the inherited file objects; the parent keeps its lock).
_HELD_LOCKS: set[int] = set()


def _forget_locks_in_child() -> None:
    if not _HELD_LOCKS:
        return
    null = os.open(os.devnull, os.O_RDONLY)
    for fd in _HELD_LOCKS:
        with contextlib.suppress(OSError):
            os.dup2(null, fd)
    os.close(null)
    _HELD_LOCKS.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_locks_in_child)
