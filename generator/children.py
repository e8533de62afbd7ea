"""Worker processes that never outlive the build that started them.

A build killed mid-way (SIGKILL, the OOM killer, a closed terminal) must not leave its forked
workers behind: they would wait forever for work on a pipe nobody writes to, keep memory, and,
being forks, keep the archive's build lock open so the next build waits for ever. On Linux each
child asks the kernel to kill it when its parent dies (PR_SET_PDEATHSIG); elsewhere children
end when their pipe closes, as before.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import multiprocessing
import os
import shutil
import signal
import sys
from concurrent.futures import ProcessPoolExecutor

_PR_SET_PDEATHSIG = 1


def _prctl_death_signal() -> bool:
    if not sys.platform.startswith("linux"):
        return False
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(name, use_errno=True)
        return bool(libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0)
    return False


def die_with_parent(parent: int) -> None:
    """In a child: be killed when `parent` (the process that forked us) ends; if it already
    has, end now. Call first thing in the child."""
    _prctl_death_signal()
    if os.getppid() != parent:  # the parent died before the kernel was asked to watch it
        os._exit(1)


def worker_pool(workers: int) -> ProcessPoolExecutor:
    """A process pool whose workers are forks of this process (they inherit what the caller
    prepared) and die with it. Where fork does not exist, the platform's default start method."""
    if "fork" in multiprocessing.get_all_start_methods():
        return ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context("fork"),
            initializer=die_with_parent,
            initargs=(os.getpid(),),
        )
    return ProcessPoolExecutor(max_workers=workers)


def tied_command(command: list[str]) -> list[str]:
    """`command`, run so that it is killed when this process dies (util-linux's setpriv), where
    that tool exists; the command itself otherwise. For a program started with subprocess from
    the main thread (the death signal follows the thread that started it)."""
    setpriv = shutil.which("setpriv") if sys.platform.startswith("linux") else None
    if setpriv is None:
        return command
    return [setpriv, "--pdeathsig", "KILL", "--", *command]
