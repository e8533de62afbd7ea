"""Stage write (build): rendered pages -> a staging folder, swapped atomically into site/."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from generator.errors import WriteError
from generator.fsutil import is_process_alive, swap_directory

# Written into every site a build makes: a folder without it (and not described by the last
# manifest) is someone else's, and a build, which replaces the whole folder, leaves it alone
# (render/sitetree.py: foreign_site).
MARKER = ".newsarchive"
MARKER_TEXT = (
    "This folder is written by newsarchive: every build replaces it whole, and files put here\n"
    "are deleted. Keep your own files elsewhere.\n"
)


class Staging:
    """A folder next to site/ that receives a whole build before it replaces site/."""

    def __init__(self, site_dir: Path) -> None:
        self.site_dir = site_dir
        self.path = site_dir.with_name(f".{site_dir.name}.staging-{os.getpid()}")
        self.files = 0

    def __enter__(self) -> Staging:
        remove_stale_staging(self.site_dir)
        self.path.mkdir(parents=True)
        (self.path / MARKER).write_text(MARKER_TEXT, encoding="utf-8")  # this site is ours
        return self

    def __exit__(self, *exc: object) -> None:
        if self.path.exists():
            shutil.rmtree(self.path, ignore_errors=True)

    def copy_file(self, source: Path, rel: str) -> None:
        dest = inside(self.path, rel)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, dest)
        self.files += 1

    def commit(self) -> Path | None:
        """Swap the staged site into place: atomic on Linux, two renames elsewhere. Returns
        where the old site now is (the caller disposes of it), None when there was none."""
        had_site = self.site_dir.exists()
        swap_directory(self.path, self.site_dir, keep=True)
        if not had_site:
            return None
        old = self.site_dir.with_name(f".{self.site_dir.name}.old-{os.getpid()}")
        self.path.rename(old)
        return old


def inside(folder: Path, rel: str, base: Path | None = None) -> Path:
    """folder/rel, resolved. Raises WriteError for a path that would leave the folder. `base`:
    folder.resolve(), when the caller writes many files into it (one resolve, not one a page)."""
    target = (folder / rel).resolve()
    base = folder.resolve() if base is None else base
    if target == base or not target.is_relative_to(base):
        raise WriteError(f"refusing to write {rel!r}: outside the site folder")
    return target


def remove_stale_staging(site_dir: Path) -> None:
    """Leftovers of a killed build (staging or old folders whose process is gone)."""
    for path in site_dir.parent.glob(f".{site_dir.name}.*-*"):
        pid = path.name.rsplit("-", 1)[-1]
        if pid.isdigit() and int(pid) != os.getpid() and not is_process_alive(int(pid)):
            shutil.rmtree(path, ignore_errors=True)
