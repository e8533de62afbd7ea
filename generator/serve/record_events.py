"""Serve (watch, Linux): article records' file events read straight from the kernel (inotify) by
one thread, which hands each to the quick pass (SavedRecords.event) itself.

watchdog carries an event through three threads, and holds the first half of a rename back until
it has paired it with the second: on a busy machine every hand-off can wait for a CPU, and a
reader that loses that race sleeps out the whole 0.5 s pairing delay (seen: 120-550 ms from a
rename to the handler, at a load of 15 on 2 cores). The quick pass needs no pairing: the old
name is gone, the new one is whole. watchdog still reports every change to the full pass;
elsewhere than Linux it reports records' events to the quick pass too (serve/watch.py).
"""

from __future__ import annotations

import contextlib
import logging
import os
import select
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)
# What an event says about a file: whole now (closed after writing, or renamed into place),
# possibly still being written (created, modified), or no longer there.
WHOLE, WRITING, GONE = "whole", "writing", "gone"


class RecordEvents:
    """Watches a folder tree for changes to files that `is_record` accepts; `on_event(path,
    kind)` is called in the reading thread, kind WHOLE (closed after writing, renamed in),
    WRITING (created, modified) or GONE (deleted, renamed away)."""

    def __init__(
        self,
        folder: Path,
        is_record: Callable[[Path], bool],
        on_event: Callable[[Path, str], None],
    ) -> None:
        from inotify_simple import INotify, flags

        self.is_record = is_record
        self.on_event = on_event
        self._flags = flags
        self._mask = (
            flags.CLOSE_WRITE
            | flags.MOVED_TO
            | flags.MOVED_FROM
            | flags.CREATE
            | flags.MODIFY
            | flags.DELETE
            | flags.ONLYDIR
        )
        self._inotify: Any = INotify()
        self._folders: dict[int, Path] = {}
        self._stop_read, self._stop_write = os.pipe()
        self._watch_tree(folder)
        self._thread = threading.Thread(target=self._run, name="preview-records", daemon=True)

    def _watch_tree(self, folder: Path) -> None:
        for here, _, _ in os.walk(folder):
            with contextlib.suppress(OSError):  # gone meanwhile, or no more watches allowed
                self._folders[self._inotify.add_watch(here, self._mask)] = Path(here)

    def start(self) -> RecordEvents:
        self._thread.start()
        return self

    def stop(self) -> None:
        os.write(self._stop_write, b"x")
        self._thread.join(timeout=5)
        self._inotify.close()
        os.close(self._stop_read)
        os.close(self._stop_write)

    def _run(self) -> None:
        poller = select.poll()
        poller.register(self._inotify.fileno(), select.POLLIN)
        poller.register(self._stop_read, select.POLLIN)
        while True:
            ready = {fd for fd, _ in poller.poll()}
            if self._stop_read in ready:
                return
            for event in self._inotify.read(timeout=0):
                try:
                    self._handle(event.wd, event.mask, event.name)
                except Exception:  # one event's trouble must not end the watch
                    log.exception("record event %s failed", event)

    def _handle(self, wd: int, mask: int, name: str) -> None:
        flags = self._flags
        if mask & flags.IGNORED:
            self._folders.pop(wd, None)
            return
        folder = self._folders.get(wd)
        if folder is None or not name:
            return
        path = folder / name
        if mask & flags.ISDIR:
            if mask & (flags.CREATE | flags.MOVED_TO):
                self._watch_tree(path)
            return
        if mask & (flags.CLOSE_WRITE | flags.MOVED_TO):
            kind = WHOLE
        elif mask & (flags.CREATE | flags.MODIFY):
            kind = WRITING
        else:
            kind = GONE
        if self.is_record(path):
            self.on_event(path, kind)


def record_events(
    folder: Path, is_record: Callable[[Path], bool], on_event: Callable[[Path, str], None]
) -> RecordEvents | None:
    """A started RecordEvents, or None where inotify is not to be had (not Linux)."""
    try:
        return RecordEvents(folder, is_record, on_event).start()
    except (ImportError, OSError, AttributeError) as exc:  # AttributeError: a libc without it
        log.info("records are watched through watchdog: %s", exc)
        return None
