"""Serve (watch): file-system events -> debounced full-pass requests, and saved article records ->
the quick pass the moment each file is whole; editor temp files and output ignored."""

from __future__ import annotations

import fnmatch
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from generator.config import CONFIG_NAME, Config
from generator.serve.record_events import GONE, WHOLE, WRITING, RecordEvents, record_events

log = logging.getLogger(__name__)

# Editor droppings and our own outputs: never a reason to rebuild.
IGNORED_NAMES = (
    "*~",
    "*.swp",
    "*.swx",
    "*.swo",
    ".#*",
    "#*#",
    "4913",
    "*.tmp",
    ".*.tmp",
    "*.md.new",
    ".DS_Store",
    "*.pyc",
    "*.part",
    "*.crdownload",
)


def is_relevant(path: Path, config: Config) -> bool:
    """True for a change that can alter the site: inputs, articles, templates, the config file."""
    try:
        path = path.resolve()
    except OSError:
        return False
    if any(fnmatch.fnmatch(path.name, pattern) for pattern in IGNORED_NAMES):
        return False
    for excluded in (config.site_dir, config.build_dir):
        if (
            path == excluded
            or excluded in path.parents
            or path.name.startswith(f".{config.site_dir.name}.")
        ):
            return False
    if path == config.root / CONFIG_NAME:
        return True
    return any(
        path == d or d in path.parents
        for d in (config.raw_dir, config.articles_dir, config.templates_dir)
    )


class Debouncer:
    """Collects bursts of events and fires once the tree has been quiet for `quiet` seconds (the
    full pass: a burst of saves, a branch checkout or a template edit becomes one build).

    Callbacks from watchdog only call `poke`; one worker thread does the rebuilds, so a burst of
    100 saves becomes one or two builds, never overlapping ones.
    """

    def __init__(
        self,
        action: Callable[[set[Path]], None],
        quiet: float = 0.2,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.action = action
        self.quiet = quiet
        self.clock = clock
        self._changed: set[Path] = set()
        self._last = 0.0
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()

    def poke(self, path: Path) -> None:
        with self._lock:
            self._changed.add(path)
            self._last = self.clock()
        self._wake.set()

    def due(self) -> set[Path] | None:
        """The changed paths if the quiet period has passed (and forget them), else None."""
        with self._lock:
            if not self._changed or self.clock() - self._last < self.quiet:
                return None
            changed, self._changed = self._changed, set()
            return changed

    def run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(timeout=0.5)
            if self._stop.is_set():
                return
            time.sleep(self.quiet / 4)
            changed = self.due()
            if changed is None:
                continue
            self._wake.clear()
            self.action(changed)

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()


# More records than this saved within BULK_WINDOW seconds is a bulk change (a checkout, a
# search-and-replace across files): left to the full pass, which renders them all at once.
BULK = 8
BULK_WINDOW = 1.0
_KINDS = {"closed": WHOLE, "created": WRITING, "modified": WRITING, "deleted": GONE}


class SavedRecords:
    """Saved article records for the quick pass: each handed over on the event that says its
    file is whole, with no quiet period.

    Editors save in several ways: a temp file renamed over the record (one event, the file whole
    at once), the record truncated and rewritten (modified ... closed: whole at the close), the
    record renamed to a backup and a new one written (gone, created, modified, closed). A file
    seen being written but never closed (a platform without close events, or a writer that keeps
    it open) is handed over once it has been still for `settle` seconds. While more than BULK
    records are saved within BULK_WINDOW seconds, none is handed over. Every event bumps the
    path's generation, so the quick pass can tell a newer save arrived while it was reading.

    `action` gets {path: generation} and `generation` (to ask for a path's generation now). A
    whole file is handed over in the thread that reports it (watchdog's), unless a hand-over is
    running: every hand-off between threads is a chance to wait for a CPU on a busy machine.
    The worker thread (run) hands over the rest: files that became still, and what arrived
    during a hand-over.
    """

    def __init__(
        self,
        action: Callable[[dict[Path, int], Callable[[Path], int]], object],
        settle: float = 0.25,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.action = action
        self.settle = settle
        self.clock = clock
        self._generation: dict[Path, int] = {}
        self._due: dict[Path, float] = {}  # path -> when to hand it over
        self._recent: dict[Path, float] = {}  # path -> when it was last due
        self._ready = threading.Condition()
        self._busy = threading.Lock()  # held while `action` runs: one hand-over at a time
        self._stopped = False

    def event(self, path: Path, kind: str) -> None:
        with self._ready:
            self._generation[path] = self._generation.get(path, 0) + 1
            if kind == WHOLE:
                self._due[path] = self.clock()
            elif kind == WRITING:
                self._due[path] = self.clock() + self.settle
            else:
                self._due.pop(path, None)
            self._ready.notify()
        if kind == WHOLE and self._busy.acquire(blocking=False):
            try:
                self._hand_over()
            finally:
                self._busy.release()

    def generation(self, path: Path) -> int:
        with self._ready:
            return self._generation.get(path, 0)

    def due(self) -> tuple[dict[Path, int], float | None]:
        """The records to hand over now (and forget), and the seconds until the next one is due."""
        with self._ready:
            now = self.clock()
            ready = {p: self._generation[p] for p, at in self._due.items() if at <= now}
            for path in ready:
                del self._due[path]
            wait = min((at - now for at in self._due.values()), default=None)
            self._recent = {p: t for p, t in self._recent.items() if now - t < BULK_WINDOW}
            self._recent.update(dict.fromkeys(ready, now))
            if len(self._recent) > BULK:
                return {}, wait
            return ready, wait

    def _hand_over(self) -> float | None:
        """Give `action` what is due; returns the seconds until more is."""
        ready, wait = self.due()
        if ready:
            try:
                self.action(ready, self.generation)
            except Exception:  # the next save gets its own try; the full pass renders this one
                log.exception("the quick pass failed")
            return 0.0
        return wait

    def run(self) -> None:
        while True:
            with self._busy:
                wait = self._hand_over()
            if wait == 0.0:
                continue
            with self._ready:
                if self._stopped:
                    return
                self._ready.wait(timeout=wait)
                if self._stopped:
                    return

    def stop(self) -> None:
        with self._ready:
            self._stopped = True
            self._ready.notify_all()


def is_record(path: Path, config: Config) -> bool:
    """An article record's file (what the quick pass renders)."""
    return (
        path.suffix == ".md" and config.articles_dir in path.parents and is_relevant(path, config)
    )


class _Handler(FileSystemEventHandler):
    def __init__(
        self,
        config: Config,
        poke: Callable[[Path], None],
        saved: Callable[[Path, str], None] | None,
    ) -> None:
        self.config = config
        self.poke = poke
        self.saved = saved

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in {"opened", "closed_no_write"}:
            return
        source = _path(event.src_path)
        target = _path(getattr(event, "dest_path", ""))
        if self.saved is not None and not event.is_directory:  # first: the editor waits for it
            if event.event_type == "moved":
                changes = [(source, GONE), (target, WHOLE)]
            else:
                changes = [(source, _KINDS.get(event.event_type, ""))]
            for path, kind in changes:
                if kind and path is not None and is_record(path, self.config):
                    self.saved(path, kind)
        for path in (source, target):
            if path is not None and is_relevant(path, self.config):
                self.poke(path)


def _path(raw: str | bytes) -> Path | None:
    if not raw:
        return None
    return Path(raw if isinstance(raw, str) else os.fsdecode(raw))


@dataclass(slots=True)
class Watching:
    """The watchers of a preview: watchdog's observer (every change), and on Linux the kernel
    reader that reports article records' events to the quick pass."""

    observer: Any
    records: RecordEvents | None

    @property
    def reports_closes(self) -> bool:
        """Whether a written file's close is reported (inotify does; FSEvents, kqueue, Windows
        and polling do not): then a file being written waits for it."""
        return self.records is not None or type(self.observer).__name__.startswith("Inotify")

    def stop(self) -> None:
        self.observer.stop()
        if self.records is not None:
            self.records.stop()


def start_watching(
    config: Config,
    poke: Callable[[Path], None],
    saved: Callable[[Path, str], None] | None = None,
) -> Watching:
    """Watch the folders that feed the site (recursively) and the config file's folder; every
    relevant path goes to `poke` (a Debouncer's, say), and each event on an article record to
    `saved` (a SavedRecords's `event`) with what it says about the file."""
    records = None
    if saved is not None and config.articles_dir.is_dir():
        records = record_events(config.articles_dir, lambda p: is_record(p, config), saved)
    observer = Observer()
    handler = _Handler(config, poke, saved if records is None else None)
    for folder in (config.raw_dir, config.articles_dir, config.templates_dir):
        if folder.is_dir():
            observer.schedule(handler, str(folder), recursive=True)
    observer.schedule(handler, str(config.root), recursive=False)
    observer.daemon = True
    observer.start()
    return Watching(observer, records)
