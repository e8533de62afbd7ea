"""Serve (orchestration): build once, then watch -> rebuild -> notify browsers, until stopped.

A change is handled in two passes. The quick pass (serve/quick.py) re-renders the page of each
saved article record the moment its file is whole, from the last full pass's view of the rest of
the archive, and tells the browser showing it: this is what an editor waits for. The full pass,
debounced, runs the incremental build in a child process, which brings listings, entity pages,
feeds and the search index in line. Both write every file atomically; a full pass that started
before a quick pass wrote anything is stale and writes nothing (it runs again, as the watcher
asked for it too).

Stopping (Ctrl+C, SIGTERM) at any moment, the first build included, ends the child and its own
workers and reports nothing as a failure: the child and everything it forks ignore SIGINT (a
terminal sends it to the whole process group), and the parent ends them.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generator.config import Config, load_config
from generator.errors import BuildSuperseded, GeneratorError
from generator.serve.quick import QuickPass, View, page_path
from generator.serve.server import PreviewServer, PreviewState
from generator.serve.watch import Debouncer, SavedRecords, Watching, start_watching

if TYPE_CHECKING:
    from generator.render.catalog import CatalogCache
    from generator.render.plan import ArticlePages

log = logging.getLogger(__name__)
# Seconds of quiet before a full pass: a burst of saves (or a checkout) becomes one build.
FULL_QUIET = 0.3


@dataclass(slots=True)
class PassResult:
    """What a full pass tells the preview: its error text, the URL paths it changed, and the
    archive's article pages when the set of articles changed (else None: keep the old view)."""

    error: str | None
    changed: list[str]
    superseded: bool = False
    article_pages: ArticlePages | None = None


# State of the child process that runs full passes (see Rebuilder).
_CHILD: dict[str, Any] = {}


def _child_init(lock: Any, generation: Any, parent: int) -> None:
    from generator.children import die_with_parent

    die_with_parent(parent)
    # Ctrl+C in a terminal reaches the whole process group: the parent decides when this
    # process ends (and its forked workers inherit the setting).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})  # held while it started
    _CHILD.update(lock=lock, generation=generation, records={}, background=False)


def _to_background() -> None:
    """From the first pass after the first build on: the quick pass, the server and the browser
    get the CPU first (the first build, which the editor waits for, runs at normal priority)."""
    if not _CHILD["background"]:
        _CHILD["background"] = True
        with contextlib.suppress(OSError, AttributeError):
            os.nice(10)


def full_pass(
    root: Path, start: int | None = None, background: bool = False, view: bool = False
) -> PassResult:
    """One incremental build for the preview (no Pagefind). In the child process (`start`
    given) the build is dropped if a quick pass wrote anything since `start`. `view`: send the
    archive's article pages back even when the build reused its stored plan (the preview has
    none yet: a restart on an archive already built)."""
    from generator.pipeline import run_build
    from generator.render.catalog import CATALOG_NAME, CatalogCache

    config = load_config(root)  # the config file may be what changed; raises ConfigError
    guard = None
    records: CatalogCache | None = None
    if start is not None:
        if background:
            _to_background()
        lock, generation = _CHILD["lock"], _CHILD["generation"]
        records = _CHILD["records"].setdefault(
            str(root), CatalogCache(config.build_dir / "cache" / CATALOG_NAME)
        )

        @contextmanager
        def guarded() -> Iterator[bool]:
            with lock:
                yield generation.value == start

        guard = guarded
    try:
        report = run_build(config, static_index=False, guard=guard, records=records)
    except BuildSuperseded:
        return PassResult(None, [], superseded=True)
    error = "\n".join(str(p) for p in report.all_problems if not p.is_warning) or None
    # The view of the archive the quick pass renders from (entity pages, links, the other
    # articles' cards): sent back when the set of articles changed, or when asked for.
    pages = report.article_pages
    if pages is None and view:
        pages = _article_pages(config, records)
    return PassResult(error, [page_path(p) for p in report.changed], article_pages=pages)


def _article_pages(config: Config, records: CatalogCache | None) -> ArticlePages:
    """The article pages of the archive as the build just left it (its records and annotations
    come from the caches that build filled)."""
    from generator.fsutil import exclusive
    from generator.render.catalog import load_catalog
    from generator.render.plan import article_pages
    from generator.render.relations import annotate_catalog

    with exclusive(config.build_dir / "build.lock"):  # the caches are the builds' to write
        catalog = load_catalog(config, cache=records)
        try:
            return article_pages(catalog.entries, annotate_catalog(catalog, config.build_dir))
        finally:
            if catalog.store is not None:
                catalog.store.close()


@contextmanager
def sigint_held() -> Iterator[None]:
    """SIGINT blocked in this thread for the block: a child process started in it inherits the
    block from its first instant (until _child_init ignores the signal), and a Ctrl+C that
    arrives meanwhile stays pending and is raised here as KeyboardInterrupt when the block ends.

    (Ignoring SIGINT for the block, as before, lost a Ctrl+C that came while the executor was
    still starting its child: on a loaded machine the child could already be building.)"""
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


class Rebuilder:
    """The preview's full passes, in one long-lived child process, so their CPU-bound work never
    holds this process's GIL while the server answers the browser. A lock and a generation
    counter shared with the child tell it whether a quick pass wrote since it started."""

    def __init__(self, root: Path, state: PreviewState, config: Config) -> None:
        self.root = root
        self.state = state
        self.config = config
        self.builds = 0
        self.stopping = False
        context = multiprocessing.get_context("spawn")
        self._lock = context.Lock()
        self._generation = context.Value("q", 0, lock=False)
        self._child: ProcessPoolExecutor | None = None
        self._child_lock = threading.Lock()
        self._context = context
        self._pages: ArticlePages | None = None
        self.quick = QuickPass(state, self._lock, self._generation)

    @property
    def quick_renders(self) -> int:
        return self.quick.renders

    def _executor(self) -> ProcessPoolExecutor | None:
        with self._child_lock:
            if self.stopping:
                return None
            if self._child is None:
                self._child = ProcessPoolExecutor(
                    max_workers=1,
                    mp_context=self._context,
                    initializer=_child_init,
                    initargs=(self._lock, self._generation, os.getpid()),
                )
            return self._child

    def full(self, *, first: bool = False) -> str | None:
        """Run the incremental build in the child and publish what changed; returns the error
        text, if any. Returns None, publishing nothing, once stop() was called."""
        try:
            with self._lock:
                start = int(self._generation.value)
            executor = self._executor()
            if executor is None:
                return None
            with sigint_held():  # a child started now inherits the block
                future = executor.submit(
                    full_pass, self.root, start, not first, self._pages is None
                )
            result = future.result()
        except GeneratorError as exc:
            return self._failed(str(exc))
        except BrokenProcessPool:
            if self.stopping:
                return None
            self._child = None  # a new child next time
            return self._failed(
                "the rebuild process ended unexpectedly; the next change starts a new one"
            )
        except Exception as exc:  # keep serving the last good site whatever happened
            if self.stopping:
                return None
            log.exception("build failed")
            return self._failed(f"internal error {type(exc).__name__}: {exc}")
        if result.superseded or self.stopping:
            return None
        self.builds += 1
        with contextlib.suppress(GeneratorError):
            self.config = load_config(self.root)
        if result.article_pages is not None or self._pages is None:
            self._pages = result.article_pages
        if self._pages is not None:
            self.quick.view = View.of(self.config, self._pages)
        self.state.publish(result.error, result.changed)
        return result.error

    def _failed(self, message: str) -> str | None:
        if self.stopping:
            return None
        self.builds += 1
        self.state.publish(message)
        return message

    def stop(self) -> None:
        """End the child (mid-build or idle) and its workers; a full pass waiting on it returns
        quietly."""
        with self._child_lock:
            self.stopping = True
            child, self._child = self._child, None
        if child is None:
            return
        processes = list((getattr(child, "_processes", None) or {}).values())
        for process in processes:
            with contextlib.suppress(OSError, ValueError):
                process.terminate()  # its forked workers die with it (die_with_parent)
        for process in processes:
            process.join(timeout=10)
        child.shutdown(wait=True, cancel_futures=True)


@dataclass(slots=True)
class Preview:
    """A running preview: server, watcher and rebuild loops. stop() ends them all."""

    server: PreviewServer
    state: PreviewState
    rebuilder: Rebuilder
    stoppers: tuple[Callable[[], None], ...]
    threads: tuple[threading.Thread, ...]
    watching: Watching | None = None

    @property
    def builds(self) -> int:
        return self.rebuilder.builds

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        name = host.decode() if isinstance(host, bytes) else str(host)
        return f"http://{name}:{port}/"

    def stop(self) -> None:
        for stop in self.stoppers:
            stop()
        if self.watching is not None:
            self.watching.stop()
        self.state.close()
        self.rebuilder.stop()
        self.server.shutdown()
        self.server.server_close()


def start_preview(
    root: Path,
    host: str = "127.0.0.1",
    port: int = 8000,
    *,
    watch: bool = True,
    on_build: Callable[[str | None], None] | None = None,
) -> Preview:
    """Build the site, start the loopback server and the watcher. Raises ConfigError on a bad
    config; KeyboardInterrupt during the first build stops its child before going on."""
    config = load_config(root)
    # The quick pass and the HTTP threads share this process's GIL; a short switch interval keeps
    # them from queueing behind one another (5 ms per hand-over by default).
    sys.setswitchinterval(0.0005)
    state = PreviewState()
    # Bound first, so a port in use is said at once, not after the first build.
    server = PreviewServer((host, port), config.site_dir, config.index_dir, state)
    rebuilder = Rebuilder(root, state, config)
    try:
        rebuilder.full(first=True)
    except BaseException:
        rebuilder.stop()
        server.server_close()
        raise

    def full(changed: set[Path]) -> None:
        error = rebuilder.full()
        if rebuilder.stopping:
            return
        log.info("rebuilt after %d change(s): %s", len(changed), "error" if error else "ok")
        if on_build:
            on_build(error)

    slow = Debouncer(full, quiet=FULL_QUIET)
    saved = SavedRecords(rebuilder.quick)
    serving = threading.Thread(target=server.serve_forever, name="preview-http", daemon=True)
    warming = threading.Thread(target=rebuilder.quick.warm, name="preview-warm", daemon=True)
    warming.start()
    threads = [serving, warming]
    preview = Preview(server, state, rebuilder, (saved.stop, slow.stop), ())
    serving.start()
    if watch:
        for name, loop in (("preview-quick", saved.run), ("preview-build", slow.run)):
            thread = threading.Thread(target=loop, name=name, daemon=True)
            thread.start()
            threads.append(thread)
        preview.watching = start_watching(config, slow.poke, saved.event)
        # Where closes are reported, a file being written waits for its close; elsewhere a
        # short stillness stands in for it.
        saved.settle = 0.25 if preview.watching.reports_closes else 0.03
    preview.threads = tuple(threads)
    return preview
