"""Serve (orchestration): build once, then watch -> rebuild -> notify browsers, until interrupted.

A change is handled in two passes. The quick pass re-renders the page of each edited article
record at once (from the last build's view of the rest of the archive) and tells the browser
showing it to reload: this is what an editor waits for. The full pass then runs the incremental
build, which brings listings, entity pages, feeds and the search index in line. Both write every
file atomically; a full pass that started before a quick pass wrote anything is stale and writes
nothing (it runs again, as the watcher asked for it too).
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from generator.config import Config, load_config
from generator.errors import ArticleError, BuildSuperseded, GeneratorError, Problem
from generator.filecache import FileCache
from generator.serve.server import PreviewServer, PreviewState
from generator.serve.watch import Debouncer, start_watching

if TYPE_CHECKING:
    import jinja2

    from generator.build.plan import ArticlePages

log = logging.getLogger(__name__)
# The most records one quick pass re-renders; a bigger change (a bulk edit) waits for the full one.
_QUICK_MAX = 8


def page_path(output_path: str) -> str:
    """The URL path a browser shows for a site file: articles/x/index.html -> /articles/x/."""
    return "/" + (
        output_path[: -len("index.html")] if output_path.endswith("index.html") else output_path
    )


class Rebuilder:
    """The preview's two passes (see the module docstring); one thread runs each."""

    def __init__(self, root: Path, state: PreviewState, config: Config) -> None:
        self.root = root
        self.state = state
        self.config = config
        self.builds = 0
        self.quick_renders = 0
        self._lock = threading.Lock()
        self._generation = 0
        self._pages: ArticlePages | None = None
        self._quick_env: jinja2.Environment | None = None
        # Parsed records stay in memory between passes instead of being read back from .build/.
        self._records = FileCache(config.build_dir / "cache" / "records.pickle")

    def full(self) -> str | None:
        """Run the incremental build and publish what changed; the error text, if any."""
        from generator.pipeline import run_build

        try:
            config = load_config(self.root)  # the config file may be what changed
        except GeneratorError as exc:
            self.state.publish(str(exc))
            return str(exc)
        with self._lock:
            start = self._generation

        @contextmanager
        def guard() -> Iterator[bool]:
            with self._lock:
                yield self._generation == start

        try:
            report = run_build(
                config, static_index=False, guard=guard, workers=1, records=self._records
            )
        except BuildSuperseded:
            return None
        except GeneratorError as exc:
            self.builds += 1
            self.state.publish(str(exc))
            return str(exc)
        except Exception as exc:  # keep serving the last good site whatever happened
            log.exception("build failed")
            self.builds += 1
            message = f"internal error {type(exc).__name__}: {exc}"
            self.state.publish(message)
            return message
        self.builds += 1
        self._quick_env = None  # fresh templates and an empty body cache for the next quick pass
        self.config = config
        self._pages = report.article_pages
        error = "\n".join(str(p) for p in report.all_problems if not p.is_warning) or None
        self.state.publish(error, [page_path(p) for p in report.changed])
        return error

    def quick(self, changed: set[Path]) -> None:
        """Re-render the pages of edited article records now; anything else waits for full()."""
        from generator.build.load import load_article
        from generator.build.render import make_environment, render_page, site_info
        from generator.fsutil import atomic_write_bytes

        pages, config = self._pages, self.config
        records = [
            p
            for p in changed
            if p.suffix == ".md" and config.articles_dir in p.parents and p.is_file()
        ]
        if pages is None or not records or len(records) > _QUICK_MAX:
            return
        by_file = {a.source_file: a for a in pages.by_slug.values()}
        if self._quick_env is None:
            self._quick_env = make_environment(
                config
            )  # its own Markdown: not shared across threads
        written: list[str] = []
        for path in records:
            known = by_file.get(path)
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
            try:
                data = render_page(self._quick_env, page, site_info(config))
            except GeneratorError as exc:
                self.state.publish(str(exc))
                return
            with self._lock:
                atomic_write_bytes(config.site_dir / page.output_path, data)
                self._generation += 1
            written.append(page.output_path)
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
    rebuilder.full()
    server = PreviewServer((host, port), config.site_dir, config.index_dir, state)

    def full(changed: set[Path]) -> None:
        error = rebuilder.full()
        log.info("rebuilt after %d change(s): %s", len(changed), "error" if error else "ok")
        if on_build:
            on_build(error)

    slow = Debouncer(full, quiet=0.3)
    fast = Debouncer(rebuilder.quick, quiet=0.04)

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
