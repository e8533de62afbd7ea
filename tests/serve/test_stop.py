"""Stopping `newsarchive serve` at any moment: Ctrl+C (SIGINT to the whole process group, as a
terminal sends it) or SIGTERM (to the server alone, as `kill` or a service manager sends it),
during the first build or during a full pass: exit 0, nothing but "stopping" on stderr (no
traceback, no BrokenProcessPool, no failed rebuild reported), and no process left behind.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from generator.serve.preview import sigint_held

from ..conftest import REPO, free_port

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads the process tree from /proc"),
]


def _processes() -> dict[int, tuple[int, str]]:
    """pid -> (parent pid, state) of every process."""
    found = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        found[int(stat.parent.name)] = (int(fields[1]), fields[0])
    return found


def _descendants(pid: int) -> dict[int, int]:
    """pid -> depth (1: a child) of every live descendant of pid."""
    table = _processes()
    found: dict[int, int] = {}
    todo = [(pid, 0)]
    while todo:
        parent, depth = todo.pop()
        for child, (ppid, state) in table.items():
            if ppid == parent and state != "Z":
                found[child] = depth + 1
                todo.append((child, depth + 1))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has ended; its new parent reaps it


def _wait_for(condition: Callable[[], bool], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


def _building(root: Path) -> bool:
    """A build of the archive is running: its build lock is held (an OS lock, in /proc/locks)."""
    try:
        st = (root / ".build" / "build.lock").stat()
    except OSError:
        return False
    lock = f"{os.major(st.st_dev):02x}:{os.minor(st.st_dev):02x}:{st.st_ino}"
    return any(
        line.split()[5] == lock
        for line in Path("/proc/locks").read_text().splitlines()
        if len(line.split()) > 5
    )


@pytest.mark.parametrize("moment", ["first build", "full pass"])
@pytest.mark.parametrize("how", ["Ctrl+C", "SIGTERM"])
def test_stopping_at_any_moment_exits_cleanly_and_leaves_no_process(
    tmp_path: Path, how: str, moment: str
) -> None:
    shutil.copytree(REPO / "content" / "raw", tmp_path / "content" / "raw")
    command = ["-m", "generator", "--root", str(tmp_path), "serve", "--port", str(free_port())]
    server = subprocess.Popen(
        [sys.executable, *command],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, as a shell gives a command
    )
    try:
        assert server.stdout is not None
        if moment == "full pass":
            assert server.stdout.readline().startswith("serving ")
            template = tmp_path / "templates" / "article.html"
            template.parent.mkdir(exist_ok=True)
            shutil.copy(REPO / "templates" / "article.html", template)  # every article page
        _wait_for(lambda: _building(tmp_path), timeout=120)
        processes = _descendants(server.pid)
        if how == "Ctrl+C":
            os.killpg(server.pid, signal.SIGINT)
        else:
            server.send_signal(signal.SIGTERM)
        err = server.communicate(timeout=60)[1]
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
            server.communicate()  # reaps it and closes its pipes
    assert server.returncode == 0, err
    assert err.strip() == "stopping"  # no traceback, no "rebuilt": the pass never finished
    _wait_for(lambda: not any(_alive(pid) for pid in processes), timeout=10)


def test_a_ctrl_c_while_the_rebuild_child_starts_is_raised_once_it_has_started() -> None:
    # The parent holds SIGINT in the thread that starts the rebuild child (which inherits the
    # block, so it cannot die of it before it ignores it); a Ctrl+C that reaches that thread in
    # that moment must still stop the parent when the block ends (it was ignored, and lost,
    # before). Sent to this thread: a signal sent to the process may be taken by another thread,
    # whose handler then raises in the main thread at once, which loses nothing either.
    with pytest.raises(KeyboardInterrupt), sigint_held():
        signal.pthread_kill(threading.get_ident(), signal.SIGINT)
        time.sleep(0.05)  # would raise here if the signal were not held
        held = True
    assert held
