"""The built wheel, installed in a clean virtual environment outside the repo, makes a working archive."""

from __future__ import annotations

import subprocess
import sys
import venv
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow


def _run(*args: str | Path, cwd: Path | None = None) -> str:
    done = subprocess.run(
        [str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return done.stdout


def test_pip_installed_wheel_inits_and_builds_an_archive(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", wheels, REPO)
    wheel = next(wheels.glob("newsarchive-*.whl"))
    env = tmp_path / "env"
    venv.EnvBuilder(with_pip=True).create(env)
    python = env / "bin" / "python"
    _run(python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", wheel)
    archive = tmp_path / "elsewhere" / "archive"
    newsarchive = env / "bin" / "newsarchive"
    _run(newsarchive, "init", archive, cwd=tmp_path)
    (archive / "content" / "raw" / "story.txt").write_text(
        "Ferry Service Resumes\n\nPublished June 3, 2024\n\nThe island ferry resumed service on Monday after repairs.\n"
    )
    out = _run(newsarchive, "--root", archive, "build", cwd=tmp_path)
    assert "1 articles built" in out
    site = archive / "site"
    assert (site / "index.html").is_file() and (site / "static" / "style.css").is_file()
    assert (site / "static" / "search.js").is_file() and (
        site / "pagefind" / "pagefind.js"
    ).is_file()
    assert (
        "Ferry Service Resumes"
        in (site / "articles" / "ferry-service-resumes" / "index.html").read_text()
    )
    assert "ferry" in _run(newsarchive, "--root", archive, "search", "ferry", cwd=tmp_path).lower()
