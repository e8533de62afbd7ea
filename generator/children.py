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
from types import TracebackType
from typing import Literal

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


class TiedPool(ProcessPoolExecutor):
    """A process pool that, left by an exception (or a generator closed mid-way), kills its
    workers at once: the stock one waits for every job still queued, so a failed ingest of
    10,000 pages went on in the background for minutes after the run had ended."""

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> Literal[False]:
        if exc_type is None:
            self.shutdown(wait=True)
        else:
            self.terminate()
        return False

    def terminate(self) -> None:
        """Drop the queued jobs and kill the workers now."""
        processes = list((getattr(self, "_processes", None) or {}).values())
        self.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            with contextlib.suppress(Exception):
                process.kill()
        for process in processes:
            with contextlib.suppress(Exception):
                process.join(5)


def worker_pool(workers: int) -> TiedPool:
    """A process pool whose workers are forks of this process (they inherit what the caller
    prepared) and die with it, or with the block that used it when that fails. Where fork does
    not exist, the platform's default start method."""
    if "fork" in multiprocessing.get_all_start_methods():
        return TiedPool(
            max_workers=workers,
            mp_context=multiprocessing.get_context("fork"),
            initializer=die_with_parent,
            initargs=(os.getpid(),),
        )
    return TiedPool(max_workers=workers)


def tied_command(command: list[str]) -> list[str]:
    """`command`, run so that it is killed when this process dies (util-linux's setpriv), where
    that tool exists; the command itself otherwise. For a program started with subprocess from
    the main thread (the death signal follows the thread that started it)."""
    setpriv = shutil.which("setpriv") if sys.platform.startswith("linux") else None
    if setpriv is None:
        return command
    return [setpriv, "--pdeathsig", "KILL", "--", *command]
