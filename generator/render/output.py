"""Stage write (whole site): planned pages -> site/, fully staged or incrementally in place.

A first build, a `--clean` build, or one whose manifest does not describe the site folder, renders
everything into a staging folder that replaces site/ in one swap. Otherwise only files whose
fingerprint moved are rendered; the next site is the current one hard-linked file by file with
those files renamed over their links and gone pages removed, swapped in for site/ in one step.
Either way a reader, or a build killed at any moment, sees the old site or the new one.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from generator.config import Config
from generator.errors import BuildSuperseded
from generator.fsutil import atomic_write_bytes
from generator.render.deferred import Deferred
from generator.render.manifest import (
    MANIFEST_NAME,
    Manifest,
    load_manifest,
    page_fingerprints,
    save_manifest,
    site_identity,
)
from generator.render.parallel import Renderer
from generator.render.sitetree import SiteTrees, prune_empty
from generator.render.write import Staging, inside, remove_stale_staging

if TYPE_CHECKING:
    from generator.render.catalog import Entry
    from generator.render.pagedb import Plan

# Entered around the moment a build touches site/; yields False when the build is stale.
Guard = Callable[[], AbstractContextManager[bool]]


@contextmanager
def _always() -> Iterator[bool]:
    yield True


@dataclass(slots=True)
class OutputReport:
    files: int = 0
    rendered: int = 0
    removed: int = 0
    incremental: bool = False
    static_pages: int | None = None  # None: the static index was not (re)built
    changed: list[str] = field(default_factory=list)  # output paths written or removed
    timings: dict[str, float] = field(default_factory=dict)  # render, static index wait (s)


def _static_files(config: Config) -> dict[str, Path]:
    """static/<rel> -> source file; an archive's own templates folder overrides the theme."""
    found: dict[str, Path] = {}
    for theme_dir in config.theme_dirs:
        folder = theme_dir / "static"
        if folder.is_dir():
            for path in sorted(folder.rglob("*")):
                if path.is_file():
                    found.setdefault("static/" + path.relative_to(folder).as_posix(), path)
    return found


class StaticIndex(Protocol):
    """The reader search index's part in a build (search/static_update.py)."""

    @property
    def changes_site(self) -> bool:
        """Whether finish() will put anything new into the site folder."""
        ...

    def finish(self, site_folder: Path) -> int | None:
        """Wait for the index and put it into site_folder; pages indexed, None if none were."""
        ...

    def commit(self) -> None:
        """The site holding what finish() put in is in place: record it."""
        ...

    @property
    def trees(self) -> tuple[str, ...]:
        """Folders of the site finish() replaced whole."""
        ...


def _file_digest(path: Path) -> str:
    return hashlib.blake2b(path.read_bytes(), digest_size=16).hexdigest()


@dataclass(frozen=True, slots=True)
class SiteSwap:
    """How a build's new site takes the place of site/: `trees` swaps it in (and keeps the spare
    copy an incremental build stages into), `guard` is entered around the swap and may refuse it
    (the preview drops a stale build), and with `deferred` a full build's bookkeeping after the
    swap (reader index state, stored plan, manifest) runs in that thread while the caller waits
    for the search index; without, before write_site returns."""

    trees: SiteTrees
    guard: Guard | None = None
    deferred: Deferred | None = None

    def may_swap(self) -> AbstractContextManager[bool]:
        """Entered around the swap; yields whether this build may still replace site/."""
        return (self.guard or _always)()


@dataclass(frozen=True, slots=True)
class _Job:
    """What both ways of writing the site need."""

    plan: Plan
    renderer: Renderer
    swap: SiteSwap
    static: StaticIndex | None
    prints: dict[str, str]  # output path -> fingerprint, for every file of the new site
    statics: dict[str, Path]  # static/<rel> -> theme file

    @property
    def config(self) -> Config:
        return self.renderer.config


def needs_full_write(config: Config, *, clean: bool = False) -> bool:
    """Whether the next write_site renders everything into a fresh folder (no usable manifest)."""
    previous = None if clean else load_manifest(config.build_dir / MANIFEST_NAME)
    return previous is None or previous.site_id != site_identity(config.site_dir)


def write_site(
    plan: Plan,
    entries: Mapping[str, Entry],
    renderer: Renderer,
    swap: SiteSwap,
    *,
    clean: bool = False,
    static: StaticIndex | None = None,
) -> OutputReport:
    """Bring site/ in line with the plan; `static` puts the reader search index in. Raises
    TemplateError or WriteError; site/ is then left as it was (staged) or with every file
    whole (in place). Raises BuildSuperseded, writing nothing, when `swap.guard` says the build
    is stale.

    A plan that reuses the stored one holds only the pages it re-planned or whose articles
    changed, and the manifest's fingerprints of every other page (`plan.unchanged`). Once the new
    site is in place, `plan.commit()` stores the plan, before the manifest (stamped with
    `plan.generation`) is saved. `clean` renders everything into a fresh folder whatever the
    manifest says.
    """
    config = renderer.config
    prints = dict(plan.unchanged or {})
    prints.update(page_fingerprints(plan.pages, entries, renderer.env, config, plan.templates))
    statics = _static_files(config)
    for rel, path in statics.items():
        prints[rel] = _file_digest(path)
    job = _Job(plan, renderer, swap, static, prints, statics)
    previous = None if clean else load_manifest(config.build_dir / MANIFEST_NAME)
    if previous is None or previous.site_id != site_identity(config.site_dir):
        return _write_staged(job)
    return _write_in_place(job, previous)


def _write_staged(job: _Job) -> OutputReport:
    config = job.config
    report = OutputReport()
    manifest_path = config.build_dir / MANIFEST_NAME
    manifest_path.unlink(missing_ok=True)
    pages, progress = job.plan.pages, job.renderer.progress
    with Staging(config.site_dir) as staging:
        start = time.perf_counter()
        job.renderer.render_into(staging.path, pages)
        report.timings["render"] = time.perf_counter() - start
        for rel, path in job.statics.items():
            staging.copy_file(path, rel)
        report.files = len(pages) + len(job.statics)
        report.rendered = len(pages)
        if job.static is not None:
            if progress:
                progress("static index", 0, 1)
            start = time.perf_counter()
            report.static_pages = job.static.finish(staging.path)
            report.timings["static index wait"] = time.perf_counter() - start
        with job.swap.may_swap() as current:
            if not current:
                raise BuildSuperseded("a newer change arrived during the build")
            old = staging.commit()
    # Deleting the old site and linking the spare take seconds at 10,000 articles: a thread
    # does it while the build waits for the search index (pipeline calls trees.wait()).
    job.swap.trees.replaced(old)
    report.changed = sorted(job.prints)
    manifest = Manifest(site_identity(config.site_dir), job.prints, job.plan.generation)

    def record() -> None:
        if job.static is not None:
            job.static.commit()
        job.plan.commit()
        save_manifest(manifest_path, manifest)  # last: it vouches for all of the above

    if job.swap.deferred is not None:
        job.swap.deferred.start(record)
    else:
        record()
    return report


def _write_in_place(job: _Job, previous: Manifest) -> OutputReport:
    config, prints, statics = job.config, job.prints, job.statics
    report = OutputReport(incremental=True, files=len(prints))
    site_dir = config.site_dir
    todo = [
        page
        for page in job.plan.pages
        if previous.files.get(page.output_path) != prints[page.output_path]
        or not (site_dir / page.output_path).is_file()
    ]
    static_todo = [
        rel
        for rel in statics
        if previous.files.get(rel) != prints[rel] or not (site_dir / rel).is_file()
    ]
    # A plan that reused the stored one does not list the pages that stay: none is gone.
    gone = [] if job.plan.unchanged is not None else sorted(set(previous.files) - set(prints))
    indexing = job.static is not None and job.static.changes_site
    if not (todo or static_todo or gone or indexing):
        if job.static is not None:
            job.static.finish(site_dir)  # nothing to put in: records the input files only
            job.static.commit()
        if job.plan.generation != previous.plan:
            job.plan.commit()
            save_manifest(
                config.build_dir / MANIFEST_NAME,
                Manifest(previous.site_id, prints, job.plan.generation),
            )
        return report
    manifest_path = config.build_dir / MANIFEST_NAME
    remove_stale_staging(site_dir)
    scratch = site_dir.with_name(f".{site_dir.name}.render-{os.getpid()}")
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    written: list[str] = []
    trees: list[str] = []
    try:
        # Render first: a template error then leaves site/ as it was.
        start = time.perf_counter()
        job.renderer.render_into(scratch, todo)
        report.timings["render"] = time.perf_counter() - start
        # The next site is the spare brought in line with site/ (hard links), with the changed
        # files renamed over their links; it replaces site/ in one swap, as a full build does,
        # so readers and a killed build only ever see the old site or the new one.
        staged = job.swap.trees.spare()
        for page in todo:
            rel = page.output_path
            source, target, live = scratch / rel, inside(staged, rel), site_dir / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            if _same_bytes(live, source.read_bytes()):
                # What readers already have (the preview's quick pass may have written it):
                # the staged site keeps that very file.
                if not _same_file(live, target):
                    target.unlink(missing_ok=True)
                    os.link(live, target)
                continue
            source.replace(target)  # replaces the link, never the old site's file
            written.append(rel)
        for rel in static_todo:
            atomic_write_bytes(inside(staged, rel), statics[rel].read_bytes())
        for rel in gone:
            target = inside(staged, rel)
            target.unlink(missing_ok=True)
            prune_empty(target.parent, staged)
        if job.static is not None:
            if job.renderer.progress:
                job.renderer.progress("static index", 0, 1)
            start = time.perf_counter()
            report.static_pages = job.static.finish(staged)
            report.timings["static index wait"] = time.perf_counter() - start
            trees = list(job.static.trees)
        # The guard is held for the swap alone: the preview's quick pass waits for it.
        with job.swap.may_swap() as current:
            if not current:
                raise BuildSuperseded("a newer change arrived during the build")
            manifest_path.unlink(missing_ok=True)
            job.swap.trees.swap([*written, *static_todo, *gone], trees)
        if job.static is not None:
            job.static.commit()
        job.plan.commit()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    report.rendered = len(todo)
    report.removed = len(gone)
    report.changed = sorted(written + static_todo + gone)
    save_manifest(manifest_path, Manifest(site_identity(site_dir), prints, job.plan.generation))
    return report


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.samefile(b)
    except OSError:
        return False


def _same_bytes(path: Path, data: bytes) -> bool:
    try:
        return path.stat().st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False
