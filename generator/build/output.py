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
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from generator.build.manifest import (
    MANIFEST_NAME,
    Manifest,
    load_manifest,
    page_fingerprints,
    save_manifest,
    search_fingerprint,
    site_identity,
)
from generator.build.parallel import render_into
from generator.build.render import SiteInfo
from generator.build.write import Staging, inside, remove_stale_staging
from generator.config import Config
from generator.errors import BuildSuperseded
from generator.fsutil import atomic_write_bytes, swap_directory
from generator.models import Article, Page

Progress = Callable[[str, int, int], None]
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


def _file_digest(path: Path) -> str:
    return hashlib.blake2b(path.read_bytes(), digest_size=16).hexdigest()


def write_site(
    pages: Sequence[Page],
    articles: Sequence[Article],
    env: jinja2.Environment,
    site: SiteInfo,
    config: Config,
    *,
    clean: bool = False,
    static_index: bool = True,
    progress: Progress | None = None,
    guard: Guard | None = None,
    workers: int = 1,
) -> OutputReport:
    """Bring site/ in line with the plan. Raises TemplateError or WriteError; site/ is then
    left as it was (staged) or with every file whole (in place). Raises BuildSuperseded,
    writing nothing, when `guard` says the build is stale."""
    guard = guard or _always
    prints = page_fingerprints(pages, articles, env, config)
    statics = _static_files(config)
    for rel, path in statics.items():
        prints.setdefault(rel, _file_digest(path))
    manifest_path = config.build_dir / MANIFEST_NAME
    previous = None if clean else load_manifest(manifest_path)
    if previous is None or previous.site_id != site_identity(config.site_dir):
        return _write_staged(
            pages, env, site, config, prints, statics, static_index, progress, guard, workers
        )
    return _write_in_place(
        pages, env, site, config, prints, statics, previous, static_index, progress, guard, workers
    )


def _write_staged(
    pages: Sequence[Page],
    env: jinja2.Environment,
    site: SiteInfo,
    config: Config,
    prints: dict[str, str],
    statics: dict[str, Path],
    static_index: bool,
    progress: Progress | None,
    guard: Guard,
    workers: int,
) -> OutputReport:
    from generator.search.static import build_static_index

    report = OutputReport()
    manifest_path = config.build_dir / MANIFEST_NAME
    manifest_path.unlink(missing_ok=True)
    with Staging(config.site_dir) as staging:
        render_into(staging.path, pages, env, config, site, workers=workers, progress=progress)
        for rel, path in statics.items():
            staging.copy_file(path, rel)
        report.files = len(pages) + len(statics)
        report.rendered = len(pages)
        search = None
        if static_index:
            if progress:
                progress("static index", 0, 1)
            report.static_pages = build_static_index(staging.path).pages
            search = search_fingerprint(prints)
        with guard() as current:
            if not current:
                raise BuildSuperseded("a newer change arrived during the build")
            staging.commit()
    report.changed = sorted(prints)
    save_manifest(manifest_path, Manifest(site_identity(config.site_dir), prints, search))
    return report


def _write_in_place(
    pages: Sequence[Page],
    env: jinja2.Environment,
    site: SiteInfo,
    config: Config,
    prints: dict[str, str],
    statics: dict[str, Path],
    previous: Manifest,
    static_index: bool,
    progress: Progress | None,
    guard: Guard,
    workers: int,
) -> OutputReport:
    report = OutputReport(incremental=True, files=len(prints))
    site_dir = config.site_dir
    todo = [
        page
        for page in pages
        if previous.files.get(page.output_path) != prints[page.output_path]
        or not (site_dir / page.output_path).is_file()
    ]
    static_todo = [
        rel
        for rel in statics
        if previous.files.get(rel) != prints[rel] or not (site_dir / rel).is_file()
    ]
    gone = sorted(set(previous.files) - set(prints))
    search = search_fingerprint(prints)
    wants_index = static_index and search != previous.search
    if not (todo or static_todo or gone or wants_index):
        return report
    manifest_path = config.build_dir / MANIFEST_NAME
    remove_stale_staging(site_dir)
    # The next site is the current one hard-linked file by file (cheap), with the changed files
    # renamed over their links; it replaces site/ in one swap, as a full build does, so readers
    # and a killed build only ever see the old site or the new one.
    staged = site_dir.with_name(f".{site_dir.name}.staging-{os.getpid()}")
    scratch = site_dir.with_name(f".{site_dir.name}.render-{os.getpid()}")
    for folder in (staged, scratch):
        shutil.rmtree(folder, ignore_errors=True)
    scratch.mkdir(parents=True)
    written: list[str] = []
    try:
        # Render first: a template error then leaves site/ as it was.
        render_into(scratch, todo, env, config, site, workers=workers, progress=progress)
        _link_tree(site_dir, staged)
        for page in todo:
            rel = page.output_path
            source, target = scratch / rel, inside(staged, rel)
            if _same_bytes(target, source.read_bytes()):
                continue  # e.g. already written by the preview's quick pass
            target.parent.mkdir(parents=True, exist_ok=True)
            source.replace(target)  # replaces the link, never the old site's file
            written.append(rel)
        for rel in static_todo:
            atomic_write_bytes(inside(staged, rel), statics[rel].read_bytes())
        for rel in gone:
            target = inside(staged, rel)
            target.unlink(missing_ok=True)
            _prune_empty(target.parent, staged)
        if wants_index:
            from generator.search.static import BUNDLE_DIR, build_static_index

            if progress:
                progress("static index", 0, 1)
            shutil.rmtree(staged / BUNDLE_DIR, ignore_errors=True)  # unlinks; old bundle intact
            report.static_pages = build_static_index(staged).pages
        with guard() as current:
            if not current:
                raise BuildSuperseded("a newer change arrived during the build")
            manifest_path.unlink(missing_ok=True)
            swap_directory(staged, site_dir)
    finally:
        for folder in (staged, scratch):
            shutil.rmtree(folder, ignore_errors=True)
    report.rendered = len(todo)
    report.removed = len(gone)
    report.changed = sorted(written + static_todo + gone)
    kept_search = search if wants_index else previous.search
    save_manifest(manifest_path, Manifest(site_identity(site_dir), prints, kept_search))
    return report


def _link_tree(source: Path, dest: Path) -> None:
    """Recreate source's folders under dest with every file hard-linked (copied where the file
    system has no hard links)."""
    for folder, _dirs, files in os.walk(source):
        rel = os.path.relpath(folder, source)
        target = dest if rel == "." else dest / rel
        target.mkdir(parents=True, exist_ok=True)
        for name in files:
            original = Path(folder, name)
            try:
                os.link(original, target / name)
            except OSError:
                shutil.copy2(original, target / name)


def _same_bytes(path: Path, data: bytes) -> bool:
    try:
        return path.stat().st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False


def _prune_empty(folder: Path, site_dir: Path) -> None:
    while folder != site_dir and site_dir in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent
