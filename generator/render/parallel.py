"""Render many pages on every core: forked workers inherit the plan, so only page ranges travel.

Each worker renders its share through its own Jinja environment (the Markdown converter is not
shared) and writes the files itself into a folder of the caller's choosing, so neither memory nor
a pipe ever holds the whole rendered site.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from generator.children import worker_pool
from generator.config import Config
from generator.models import Page
from generator.render.templating import Lookup, SiteInfo, make_environment, render_page
from generator.render.write import inside

# Fewer pages than this are rendered in the calling process: starting workers costs more.
PARALLEL_MIN = 300
_CHUNK = 64
_JOB: tuple[Sequence[Page], Config, SiteInfo, Path, Lookup] | None = None
_WORKER_ENV: jinja2.Environment | None = None


def write_inside(folder: Path, rel: str, data: bytes, base: Path | None = None) -> None:
    """Write folder/rel, refusing any path that would leave the folder (`base`: its resolved
    path, when the caller has it)."""
    target = inside(folder, rel, base)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)


def _render_range(bounds: tuple[int, int]) -> int:
    global _WORKER_ENV
    assert _JOB is not None
    pages, config, site, folder, lookup = _JOB
    if _WORKER_ENV is None:
        _WORKER_ENV = make_environment(config)
    base = folder.resolve()
    for page in pages[bounds[0] : bounds[1]]:
        write_inside(folder, page.output_path, render_page(_WORKER_ENV, page, site, lookup), base)
    return bounds[1] - bounds[0]


@dataclass(frozen=True, slots=True)
class Renderer:
    """What turns planned pages into files: the templates, what templates know of the site, where
    referenced articles come from, and how many processes share the work."""

    env: jinja2.Environment
    config: Config
    site: SiteInfo
    lookup: Lookup
    workers: int = 1
    progress: Callable[[str, int, int], Any] | None = None

    def render_into(self, folder: Path, pages: Sequence[Page]) -> None:
        """Render every page into folder (by its output path). Raises TemplateError or WriteError.

        With workers > 1 and enough pages, forked processes share the work (where fork exists:
        Linux and other Unixes); the caller must not hold locks other threads need.
        """
        global _JOB
        total, progress = len(pages), self.progress
        if (
            self.workers < 2
            or total < PARALLEL_MIN
            or "fork" not in multiprocessing.get_all_start_methods()
        ):
            base = folder.resolve()
            for done, page in enumerate(pages, 1):
                if progress:
                    progress("render", done, total)
                html = render_page(self.env, page, self.site, self.lookup)
                write_inside(folder, page.output_path, html, base)
            return
        _JOB = (pages, self.config, self.site, folder, self.lookup)
        try:
            ranges = [(i, min(i + _CHUNK, total)) for i in range(0, total, _CHUNK)]
            with worker_pool(self.workers) as pool:
                done = 0
                for count in pool.map(_render_range, ranges):
                    done += count
                    if progress:
                        progress("render", done, total)
        finally:
            _JOB = None


def default_workers() -> int:
    return max(1, min(os.cpu_count() or 1, 8))
