"""The built wheel, installed in a clean virtual environment, makes a working archive outside the
repo (issue 8): the default theme ships inside the wheel as generator/_theme."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow

STORIES = {
    "ferry.txt": (
        "Ferry Service Resumes\n\nPublished June 3, 2024\n\n"
        "The island ferry resumed service on Monday after repairs to its engine.\n\n"
        "Leave a Reply\nYour email address will not be published.\n"
    ),
    "library.txt": (
        "Library Opens a Reading Room\n\nBy Ada Berg\nPublished May 2, 2024\n\n"
        "The town library opened a quiet reading room on its second floor on Thursday.\n"
    ),
}


def _run(*args: str | Path, cwd: Path) -> str:
    # Nothing of this test run may leak into the clean environment: no PYTHONPATH, no active venv.
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}}
    done = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, (
        f"{args}: exit {done.returncode}\n{done.stdout[-3000:]}{done.stderr[-3000:]}"
    )
    return done.stdout


def test_pip_installed_wheel_inits_and_builds_an_archive_outside_the_repo(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    _run(
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--no-deps",
        "--quiet",
        "-w",
        wheels,
        REPO,
        cwd=tmp_path,
    )
    [wheel] = wheels.glob("newsarchive-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    assert {"generator/_theme/base.html", "generator/_theme/static/style.css"} <= names

    env = tmp_path / "env"
    _run(sys.executable, "-m", "venv", env, cwd=tmp_path)
    python, newsarchive = env / "bin" / "python", env / "bin" / "newsarchive"
    _run(
        python,
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        wheel,
        cwd=tmp_path,
    )
    where = _run(python, "-c", "import generator; print(generator.__file__)", cwd=tmp_path)
    assert Path(where.strip()).is_relative_to(env), f"imported from {where}, not the clean venv"

    archive_dir = tmp_path / "elsewhere" / "archive"
    _run(newsarchive, "init", archive_dir, cwd=tmp_path)
    for name, text in STORIES.items():
        (archive_dir / "content" / "raw" / name).write_text(text, encoding="utf-8")
    out = _run(newsarchive, "--root", archive_dir, "build", cwd=tmp_path)
    assert "2 articles built" in out, out

    site = archive_dir / "site"
    assert (site / "index.html").is_file()
    assert (site / "static" / "style.css").read_bytes() == (
        REPO / "templates" / "static" / "style.css"
    ).read_bytes()
    ferry = (site / "articles" / "ferry-service-resumes" / "index.html").read_text(encoding="utf-8")
    assert "Ferry Service Resumes" in ferry and "../../static/style.css" in ferry
    assert "Leave a Reply" in ferry  # kept in the "Removed from the source" panel
    assert (site / "articles" / "library-opens-a-reading-room" / "index.html").is_file()
    assert (site / "feed.xml").is_file() and (site / "sitemap.xml").is_file()
    assert (site / "pagefind" / "pagefind.js").is_file()  # pagefind[bin] installed and ran
    assert (
        "ferry" in _run(newsarchive, "--root", archive_dir, "search", "ferry", cwd=tmp_path).lower()
    )
