"""Serve (orchestration): build once, then watch -> rebuild -> notify browsers, until interrupted.

A change is handled in two passes. The quick pass re-renders the page of each edited article
record at once (from the last build's view of the rest of the archive) and tells the browser
showing it to reload: this is what an editor waits for. The full pass then runs the incremental
build, which brings listings, entity pages, feeds and the search index in line. Both write every
file atomically; a full pass that started before a quick pass wrote anything is stale and writes
nothing (it runs again, as the watcher asked for it too).
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
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
from generator.errors import ArticleError, BuildSuperseded, GeneratorError, Problem
from generator.serve.server import PreviewServer, PreviewState
from generator.serve.watch import Debouncer, start_watching

if TYPE_CHECKING:
    import jinja2

    from generator.render.catalog import CatalogCache
    from generator.render.plan import ArticlePages

log = logging.getLogger(__name__)
# The most records one quick pass re-renders; a bigger change (a bulk edit) waits for the full one.
_QUICK_MAX = 8


def page_path(output_path: str) -> str:
    """The URL path a browser shows for a site file: articles/x/index.html -> /articles/x/."""
    return "/" + (
        output_path[: -len("index.html")] if output_path.endswith("index.html") else output_path
    )


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


def _child_init(lock: Any, generation: Any) -> None:
    _CHILD.update(lock=lock, generation=generation, records={})
    # Background work: the quick pass, the server and the browser get the CPU first.
    with contextlib.suppress(OSError, AttributeError):
        os.nice(10)


def full_pass(
    root: Path,
    start: int | None = None,
    records: CatalogCache | None = None,
) -> PassResult:
    """One incremental build for the preview (no Pagefind); in the child process when `start`
    is given, where the build is dropped if a quick pass wrote anything since `start`."""
    from generator.pipeline import run_build
    from generator.render.catalog import CATALOG_NAME, CatalogCache

    config = load_config(root)  # the config file may be what changed; raises ConfigError
    guard = None
    if start is not None:
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
    # articles' cards): small, so it is sent back after every pass.
    return PassResult(
        error, [page_path(p) for p in report.changed], article_pages=report.article_pages
    )


class Rebuilder:
    """The preview's two passes (see the module docstring).

    The quick pass runs in this process. Full passes run in one long-lived child process, so
    their CPU-bound work never holds this process's GIL while the server answers the browser.
    A lock and a generation counter shared with the child tell it whether a quick pass wrote
    since it started.
    """

    def __init__(self, root: Path, state: PreviewState, config: Config) -> None:
        self.root = root
        self.state = state
        self.config = config
        self.builds = 0
        self.quick_renders = 0
        context = multiprocessing.get_context("spawn")
        self._lock = context.Lock()
        self._generation = context.Value("q", 0, lock=False)
        self._child: ProcessPoolExecutor | None = None
        self._context = context
        self._pages: ArticlePages | None = None
        self._quick_env: jinja2.Environment | None = None

    def _executor(self) -> ProcessPoolExecutor:
        if self._child is None:
            self._child = ProcessPoolExecutor(
                max_workers=1,
                mp_context=self._context,
                initializer=_child_init,
                initargs=(self._lock, self._generation),
            )
        return self._child

    def full(self, *, here: bool = False) -> str | None:
        """Run the incremental build (in the child unless `here`) and publish what changed;
        returns the error text, if any."""
        try:
            if here:
                result = full_pass(self.root)
            else:
                with self._lock:
                    start = int(self._generation.value)
                future = self._executor().submit(full_pass, self.root, start)
                result = future.result()
        except GeneratorError as exc:
            self.builds += 1
            self.state.publish(str(exc))
            return str(exc)
        except Exception as exc:  # keep serving the last good site whatever happened
            log.exception("build failed")
            self.builds += 1
            if isinstance(exc, BrokenProcessPool):
                self._child = None  # a new child next time
            message = f"internal error {type(exc).__name__}: {exc}"
            self.state.publish(message)
            return message
        if result.superseded:
            return None
        self.builds += 1
        self._quick_env = None  # fresh templates and an empty body cache for the next quick pass
        with contextlib.suppress(GeneratorError):
            self.config = load_config(self.root)
        if result.article_pages is not None or self._pages is None:
            self._pages = result.article_pages
        self.state.publish(result.error, result.changed)
        return result.error

    def stop(self) -> None:
        if self._child is not None:
            processes = list(getattr(self._child, "_processes", {}).values())
            self._child.shutdown(wait=False, cancel_futures=True)
            for process in processes:
                process.terminate()
            self._child = None

    def quick(self, changed: set[Path]) -> None:
        """Re-render the pages of edited article records now; anything else waits for full()."""
        from generator.fsutil import atomic_write_bytes
        from generator.render.analysis import analysis_version
        from generator.render.load import load_article
        from generator.render.lookup import ChainLookup, MemoryLookup, StoreLookup
        from generator.render.store import Store
        from generator.render.templating import make_environment, render_page, site_info

        pages, config = self._pages, self.config
        records = [
            p
            for p in changed
            if p.suffix == ".md" and config.articles_dir in p.parents and p.is_file()
        ]
        if pages is None or not records or len(records) > _QUICK_MAX:
            return
        by_file = {e.path: e for e in pages.entries.values()}
        if self._quick_env is None:  # its own Markdown converter: not shared across threads
            self._quick_env = make_environment(config)
        stored = StoreLookup(
            Store(config.build_dir / "cache" / "store.sqlite"),
            pages.entries,
            analysis_version(config.markdown_extensions, config.base_url),
        )
        written: list[str] = []
        for path in records:
            known = by_file.get(str(path))
            if known is None:
                continue  # a new record: the full pass plans it
            try:
                article = load_article(path, config.articles_dir)
            except ArticleError as exc:
                self.state.publish(str(Problem.from_error(exc)))
                return
            if article.slug != known.slug:
                continue  # a new address: the full pass moves it
            page = pages.page(article)
            lookup = ChainLookup(
                MemoryLookup([article], config.markdown_extensions, config.base_url), stored
            )
            try:
                data = render_page(self._quick_env, page, site_info(config), lookup)
            except GeneratorError as exc:
                self.state.publish(str(exc))
                return
            with self._lock:
                atomic_write_bytes(config.site_dir / page.output_path, data)
                self._generation.value += 1
            written.append(page.output_path)
        stored.store.close()
        if written:
            self.quick_renders += 1
            previous = self.state.error
            if previous is None or any(str(p) in previous for p in records):
                self.state.publish(None, [page_path(p) for p in written])


@dataclass(slots=True)
class Preview:
    """A running preview: server, watcher and rebuild loops. stop() ends them all."""

    server: PreviewServer
    state: PreviewState
    rebuilder: Rebuilder
    debouncers: tuple[Debouncer, ...]
    threads: tuple[threading.Thread, ...]
    observer: object | None = None

    @property
    def builds(self) -> int:
        return self.rebuilder.builds

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        name = host.decode() if isinstance(host, bytes) else str(host)
        return f"http://{name}:{port}/"

    def stop(self) -> None:
        for debouncer in self.debouncers:
            debouncer.stop()
        if self.observer is not None:
            self.observer.stop()  # type: ignore[attr-defined]
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
    """Build the site, start the loopback server and the watcher. Raises ConfigError on a bad config."""
    config = load_config(root)
    # The full pass is CPU-bound Python; a short switch interval keeps the HTTP threads and the
    # quick pass from queueing behind it for the GIL (5 ms per hand-over by default).
    sys.setswitchinterval(0.0005)
    state = PreviewState()
    rebuilder = Rebuilder(root, state, config)
    rebuilder.full(here=True)
    server = PreviewServer((host, port), config.site_dir, config.index_dir, state)

    def full(changed: set[Path]) -> None:
        error = rebuilder.full()
        log.info("rebuilt after %d change(s): %s", len(changed), "error" if error else "ok")
        if on_build:
            on_build(error)

    slow = Debouncer(full, quiet=0.3)
    fast = Debouncer(rebuilder.quick, quiet=0.015)

    def poke(path: Path) -> None:
        fast.poke(path)
        slow.poke(path)

    serving = threading.Thread(target=server.serve_forever, name="preview-http", daemon=True)
    threads = [serving]
    preview = Preview(server, state, rebuilder, (fast, slow), ())
    serving.start()
    if watch:
        for name, debouncer in (("preview-quick", fast), ("preview-build", slow)):
            thread = threading.Thread(target=debouncer.run, name=name, daemon=True)
            thread.start()
            threads.append(thread)
        preview.observer = start_watching(config, poke)
    preview.threads = tuple(threads)
    return preview
