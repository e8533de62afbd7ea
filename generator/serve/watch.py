"""Serve (watch): file-system events -> debounced rebuild requests; editor temp files and output ignored."""

from __future__ import annotations

import fnmatch
import threading
import time
from collections.abc import Callable
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from generator.config import CONFIG_NAME, Config

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
    """Collects bursts of events and fires once the tree has been quiet for `quiet` seconds.

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


class _Handler(FileSystemEventHandler):
    def __init__(self, config: Config, poke: Callable[[Path], None]) -> None:
        self.config = config
        self.poke = poke

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in {"opened", "closed_no_write"}:
            return
        for raw in (event.src_path, getattr(event, "dest_path", "")):
            if raw:
                path = Path(raw if isinstance(raw, str) else raw.decode())
                if is_relevant(path, self.config):
                    self.poke(path)


def start_watching(config: Config, poke: Callable[[Path], None]) -> Observer:  # type: ignore[valid-type]
    """Watch the folders that feed the site (recursively) and the config file's folder; every
    relevant path goes to `poke` (a Debouncer's, say)."""
    observer = Observer()
    handler = _Handler(config, poke)
    for folder in (config.raw_dir, config.articles_dir, config.templates_dir):
        if folder.is_dir():
            observer.schedule(handler, str(folder), recursive=True)
    observer.schedule(handler, str(config.root), recursive=False)
    observer.daemon = True
    observer.start()
    return observer
