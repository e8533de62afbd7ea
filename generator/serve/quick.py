"""Serve (quick pass): a saved article record -> its own page re-rendered, and the browser told.

This is what an editor waits for, so it runs in the server process the moment the watcher says a
saved record is whole (serve/watch.py SavedRecords), from the last full pass's view of the rest
of the archive (entity pages, links, the other articles' cards). The full pass follows and brings
listings, feeds and the search index in line.

It never shows a half-written record: it parses exactly the bytes it read, reads again when the
file does not parse yet (a writer between truncating and closing it), and drops what it read when
the file changed under it or a newer save was signalled meanwhile (that save's own event brings it
back). A record that still does not parse after a few milliseconds is reported, as the full pass
would.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generator.config import Config
from generator.errors import ArticleError, GeneratorError, Problem
from generator.serve.server import PreviewState

if TYPE_CHECKING:
    import jinja2
    import markdown

    from generator.models import Article
    from generator.render.plan import ArticlePages

log = logging.getLogger(__name__)
# A record that does not parse is read again this many times, this far apart, before it is
# reported: an editor that truncates and rewrites a file has it half-written for a moment.
RETRIES = 4
RETRY_WAIT = 0.004


def page_path(output_path: str) -> str:
    """The URL path a browser shows for a site file: articles/x/index.html -> /articles/x/."""
    return "/" + (
        output_path[: -len("index.html")] if output_path.endswith("index.html") else output_path
    )


@dataclass(frozen=True, slots=True)
class View:
    """The last full pass's view of the archive, which a quick pass renders from: its config,
    its article pages and their entries by record file."""

    config: Config
    pages: ArticlePages
    by_file: Mapping[str, Any]

    @classmethod
    def of(cls, config: Config, pages: ArticlePages) -> View:
        return cls(config, pages, {e.path: e for e in pages.entries.values()})


@dataclass(frozen=True, slots=True)
class Snapshot:
    """A record's bytes as read, and the file's (size, mtime, inode) when they were."""

    data: bytes
    stamp: tuple[int, int, int]

    @classmethod
    def read(cls, path: Path) -> Snapshot | None:
        try:
            with path.open("rb") as handle:
                st = os.fstat(handle.fileno())
                data = handle.read()
        except OSError:
            return None  # renamed away or replaced mid-save: its next event brings it back
        return cls(data, (st.st_size, st.st_mtime_ns, st.st_ino))

    def is_current(self, path: Path) -> bool:
        """Whether the file is still what was read (same size, time and inode)."""
        try:
            st = path.stat()
        except OSError:
            return False
        return (st.st_size, st.st_mtime_ns, st.st_ino) == self.stamp and st.st_size == len(
            self.data
        )


class QuickPass:
    """Re-renders saved records' pages. `publish_lock` and `generation` are shared with the full
    pass's process: a quick pass that writes bumps the generation, so a full pass that started
    before it knows it is stale (see Rebuilder)."""

    def __init__(self, state: PreviewState, publish_lock: Any, generation: Any) -> None:
        self.state = state
        self.view: View | None = None
        self.renders = 0
        self._lock = publish_lock
        self._generation = generation
        self._tools: tuple[Config, jinja2.Environment, markdown.Markdown] | None = None

    def _environment(self, config: Config) -> tuple[jinja2.Environment, markdown.Markdown]:
        """The Jinja environment and the Markdown converter for `config`, kept across passes:
        making them is most of a cold quick pass. The environment checks its templates' times
        on each use instead, so a template edit is picked up too."""
        from generator.render.bodies import make_markdown
        from generator.render.templating import make_environment

        if self._tools is None or self._tools[0] != config:
            env = make_environment(config)
            env.auto_reload = True
            self._tools = (config, env, make_markdown(config.markdown_extensions))
        return self._tools[1], self._tools[2]

    def warm(self) -> None:
        """Import and make what a first quick pass would (Jinja, the theme, the record
        validator, a Markdown converter), so that the first save does not wait for them."""
        from generator.render.load import load_article

        importlib.import_module("generator.render.lookup")  # and with it analysis and store
        view = self.view
        if view is None:
            return
        self._environment(view.config)
        record = view.config.articles_dir / "warm-up.md"  # parsed from memory, never read
        with contextlib.suppress(GeneratorError):
            load_article(record, view.config.articles_dir, raw=b"---\ntitle: Warm up\n---\nText.\n")

    def __call__(
        self, saved: Mapping[Path, int], current: Callable[[Path], int] | None = None
    ) -> list[str]:
        """Render the pages of `saved` records ({path: generation of the save}); `current(path)`
        tells the generation now (a newer save makes this one's read stale). Returns the URL
        paths written."""
        view = self.view
        if view is None:
            return []
        written: list[str] = []
        with _Renderer(view, *self._environment(view.config)) as renderer:
            for path, generation in saved.items():

                def fresh(path: Path = path, generation: int = generation) -> bool:
                    return current is None or current(path) == generation

                url = self._one(renderer, path, fresh)
                if url:
                    written.append(url)
        return written

    def _one(self, renderer: _Renderer, path: Path, fresh: Callable[[], bool]) -> str | None:
        config = renderer.view.config
        if path.suffix != ".md" or config.articles_dir not in path.parents:
            return None
        try:
            found = _read_whole(path, config.articles_dir, fresh)
        except ArticleError as exc:
            self.state.publish(str(Problem.from_error(exc)))
            return None
        if found is None:
            return None
        article, snapshot = found
        try:
            page = renderer.render(path, article)
        except GeneratorError as exc:
            self.state.publish(str(exc))
            return None
        if page is None:
            return None
        output, data = page
        target = config.site_dir / output
        with contextlib.suppress(OSError):
            if target.read_bytes() == data:
                return None  # nothing a reader would see changed (a save without an edit)
        from generator.fsutil import replace_file

        with self._lock:
            # Checked last: a save that began while this one rendered is not shown half-done.
            if not (fresh() and snapshot.is_current(path)):
                return None
            replace_file(target, data)  # no fsync: the full pass writes it again for good
            self._generation.value += 1
        self.renders += 1
        url = page_path(output)
        previous = self.state.error
        if previous is None or str(path) in previous:
            self.state.publish(None, [url])  # the browser showing it swaps the body in now
        return url


def _read_whole(
    path: Path, articles_dir: Path, fresh: Callable[[], bool]
) -> tuple[Article, Snapshot] | None:
    """The record parsed from one complete read, or None when it is gone or a newer save is on
    its way. Raises ArticleError when it still does not parse after RETRIES reads."""
    from generator.render.load import load_article

    for attempt in range(RETRIES + 1):
        snapshot = Snapshot.read(path)
        if snapshot is None or not fresh():
            return None
        try:
            return load_article(path, articles_dir, raw=snapshot.data), snapshot
        except ArticleError:
            if attempt == RETRIES:
                raise
        time.sleep(RETRY_WAIT)
        if not fresh():
            return None
    return None


class _Renderer:
    """One quick pass's rendering: the build store opened once for all its records."""

    def __init__(self, view: View, env: jinja2.Environment, md: markdown.Markdown) -> None:
        from generator.render.analysis import analysis_version
        from generator.render.lookup import StoreLookup
        from generator.render.store import Store

        self.view = view
        self.env = env
        self.md = md
        config = view.config
        self.stored = StoreLookup(
            Store(config.build_dir / "cache" / "store.sqlite"),
            view.pages.entries,
            analysis_version(config.markdown_extensions, config.base_url),
        )

    def __enter__(self) -> _Renderer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stored.store.close()

    def render(self, path: Path, article: Article) -> tuple[str, bytes] | None:
        """(output path, bytes) of the record's page; None for a record the last full pass did
        not publish at this address (a new one, or a new slug: the full pass plans those)."""
        from generator.render.lookup import ChainLookup, MemoryLookup
        from generator.render.templating import render_page, site_info

        known = self.view.by_file.get(str(path))
        if known is None or article.slug != known.slug:
            return None
        config = self.view.config
        page = self.view.pages.page(article)
        lookup = ChainLookup(
            MemoryLookup([article], config.markdown_extensions, config.base_url, self.md),
            self.stored,
        )
        return page.output_path, render_page(self.env, page, site_info(config), lookup)
