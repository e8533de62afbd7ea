"""Stage write (site folders): site/ and a spare twin, so an incremental build touches only what changed.

Readers and a killed build must only ever see a whole site, old or new, so a build never writes
into site/: it prepares the next site in another folder and swaps the two in one step. Copying
(or hard-linking) a 10,000-article site for every edit costs seconds of file system calls, and so
does deleting the old one, so the old site is kept after the swap as the **spare**
(.<site>.spare, every file a hard link to the live file or an older version of it). The next
incremental build brings the spare up to date by re-linking only the paths the last swap changed
(`lacks`), applies its own changes to it, and swaps again. Work is proportional to the change.

The record of what the spare lacks (.build/sitetree.json) names both folders by device and
inode; it is removed before the spare is touched and written after the swap, so a build killed
in between leaves no record, and the next one rebuilds the spare from site/ in full.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from collections.abc import Iterable
from pathlib import Path

from generator.errors import Problem, WriteError
from generator.fsutil import atomic_write_text, swap_directory
from generator.render.deferred import Deferred
from generator.render.write import MARKER

STATE_NAME = "sitetree.json"
SITE_PATH_NAME = "site-path.txt"  # the site folder builds of this archive write
_FORMAT = 1
# Folders of the site the manifest does not list file by file (search/static_update.py).
_INDEX_TREES = frozenset({"pagefind", "pagefind-delta"})


def claim_site(site_dir: Path, build_dir: Path, *, clean: bool) -> list[Problem]:
    """Before a build replaces site_dir: raises WriteError when it holds what newsarchive did
    not write, unless `clean`, which replaces it with a warning (returned)."""
    problems = []
    if foreign_site(site_dir, build_dir):
        if not clean:
            raise WriteError(
                f"{site_dir}: holds files newsarchive did not write, and a build replaces the "
                "whole folder. Point site_dir at a folder of its own, or run 'newsarchive build "
                "--clean' to replace this one"
            )
        message = "replaced as --clean asked, though newsarchive had not written it"
        problems.append(Problem(str(site_dir), "write", message, is_warning=True))
    with contextlib.suppress(OSError, UnicodeError):  # unrecorded, the marker and manifest tell
        if _built_into(build_dir) != str(site_dir):
            build_dir.mkdir(parents=True, exist_ok=True)
            atomic_write_text(build_dir / SITE_PATH_NAME, str(site_dir))
    return problems


def foreign_site(site_dir: Path, build_dir: Path) -> bool:
    """Whether site_dir holds what newsarchive did not write: it exists, is not empty, has no
    marker, and is not the site the last manifest describes (a site built before the marker)."""
    try:
        names = {entry.name for entry in os.scandir(site_dir)}
    except FileNotFoundError:
        return False
    except OSError:  # a file, or a folder we cannot read: not ours to replace
        return True
    if not names or MARKER in names or _built_into(build_dir) == str(site_dir):
        return False  # empty, marked, or the folder this archive's builds write (a full build
        # then replaces whatever else came into it)
    try:
        files = json.loads((build_dir / "manifest.json").read_text(encoding="utf-8"))["files"]
        ours = {str(rel).split("/", 1)[0] for rel in files} | _INDEX_TREES
    except (OSError, ValueError, KeyError, TypeError):
        return True
    return not names <= ours


def _built_into(build_dir: Path) -> str | None:
    """The site folder this archive's builds have written, when one has."""
    try:
        return (build_dir / SITE_PATH_NAME).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def _identity(path: Path) -> list[int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return [st.st_dev, st.st_ino]


def link_tree(source: Path, dest: Path) -> None:
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
            except FileExistsError:
                (target / name).unlink()
                os.link(original, target / name)
            except OSError:
                shutil.copy2(original, target / name)


def prune_empty(folder: Path, top: Path) -> None:
    """Remove folder and its parents up to (not including) top while they are empty."""
    while folder != top and top in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


class SiteTrees:
    """The live site folder and its spare (see the module docstring)."""

    def __init__(self, site_dir: Path, build_dir: Path) -> None:
        self.site_dir = site_dir
        self.spare_dir = site_dir.with_name(f".{site_dir.name}.spare")
        self.state_path = build_dir / STATE_NAME
        self._spare = Deferred("site-spare")

    def _lacks(self) -> dict[str, str] | None:
        """What the spare lacks, when the record still describes both folders as they are."""
        try:
            data = json.loads(self.state_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if (
            not isinstance(data, dict)
            or data.get("format") != _FORMAT
            or data.get("site") != _identity(self.site_dir)
            or data.get("spare") != _identity(self.spare_dir)
            or not isinstance(data.get("lacks"), dict)
        ):
            return None
        return {str(k): str(v) for k, v in data["lacks"].items()}

    def spare(self) -> Path:
        """The spare folder holding exactly what site/ holds (hard links), ready to be changed."""
        lacks = self._lacks()
        self.state_path.unlink(missing_ok=True)  # from here on the spare is ours to change
        if lacks is None:
            shutil.rmtree(self.spare_dir, ignore_errors=True)
            link_tree(self.site_dir, self.spare_dir)
            return self.spare_dir
        for rel, kind in sorted(lacks.items()):
            live, spare = self.site_dir / rel, self.spare_dir / rel
            if kind == "tree":
                shutil.rmtree(spare, ignore_errors=True)
                if live.is_dir():
                    link_tree(live, spare)
                continue
            if live.is_file():
                spare.parent.mkdir(parents=True, exist_ok=True)
                spare.unlink(missing_ok=True)
                os.link(live, spare)
            else:
                spare.unlink(missing_ok=True)
                prune_empty(spare.parent, self.spare_dir)
        return self.spare_dir

    def swap(self, files: Iterable[str], trees: Iterable[str] = ()) -> None:
        """Put the spare (with its changes) in place of site/; the old site becomes the spare,
        lacking `files` (written or removed) and `trees` (folders replaced whole)."""
        swap_directory(self.spare_dir, self.site_dir, keep=True)
        self._record({**dict.fromkeys(files, "file"), **dict.fromkeys(trees, "tree")})

    def _record(self, lacks: dict[str, str]) -> None:
        data = {
            "format": _FORMAT,
            "site": _identity(self.site_dir),
            "spare": _identity(self.spare_dir),
            "lacks": lacks,
        }
        with contextlib.suppress(OSError):  # without the record the next build relinks in full
            atomic_write_text(self.state_path, json.dumps(data, sort_keys=True))

    def replaced(self, old_site: Path | None) -> None:
        """site/ was just swapped in whole (a full build): delete the old site (if any) and make
        the spare a copy of the new one, in a background thread (see wait())."""
        self.state_path.unlink(missing_ok=True)
        retired = [p for p in (old_site, self.spare_dir) if p is not None]
        trash = [p.with_name(f"{p.name}.trash-{os.getpid()}") for p in retired]
        for path, target in zip(retired, trash, strict=True):
            with contextlib.suppress(OSError):
                path.rename(target)

        def work() -> None:
            for path in trash:
                shutil.rmtree(path, ignore_errors=True)
            try:
                link_tree(self.site_dir, self.spare_dir)
            except OSError:
                shutil.rmtree(self.spare_dir, ignore_errors=True)
                return
            self._record({})

        self._spare.start(work)

    def wait(self) -> None:
        self._spare.wait()
