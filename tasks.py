#!/usr/bin/env python3
"""The README's two commands, runnable on a fresh machine with only Python 3.11+.

python3 tasks.py site    # create .venv, install newsarchive, build the sample archive into site/
python3 tasks.py test    # create .venv, install newsarchive with its test tools, run ruff and pytest
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"


def _bin(name: str) -> Path:
    return VENV / ("Scripts" if os.name == "nt" else "bin") / name


def _ensure_env(with_tests: bool) -> None:
    """Create .venv and install the project (editable) when pyproject.toml changed since last time."""
    if sys.version_info < (3, 11):  # noqa: UP036 - this script runs before the venv, on any python3
        sys.exit(f"newsarchive needs Python 3.11 or newer; this is {sys.version.split()[0]}")
    extra = "[test]" if with_tests else ""
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + extra.encode()).hexdigest()
    stamp = VENV / f".installed{extra}"
    if stamp.is_file() and stamp.read_text() == digest and _bin("python").exists():
        return
    if not _bin("python").exists():
        print(f"creating virtual environment in {VENV}")
        venv.EnvBuilder(with_pip=True).create(VENV)
    print("installing newsarchive and its dependencies (first run only)")
    done = subprocess.run(
        [
            str(_bin("python")),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "-e",
            f".{extra}",
        ],
        cwd=ROOT,
        check=False,
    )
    if done.returncode != 0:
        sys.exit(
            f"tasks.py: installing newsarchive into {VENV} failed (pip exit {done.returncode}); see above"
        )
    stamp.write_text(digest)


def site(args: list[str]) -> int:
    _ensure_env(with_tests=False)
    code = subprocess.run(
        [str(_bin("newsarchive")), "--root", str(ROOT), "build", *args], cwd=ROOT
    ).returncode
    if (ROOT / "site" / "index.html").is_file():
        # Not "open site/index.html": the site links to folders (articles/x/), which a browser
        # shows as file listings from disk. relative_files = true in newsarchive.toml builds a
        # site that opens from disk (search still needs a server).
        print(
            f"site ready: serve it with '{_bin('python')} -m http.server -d site 8000' "
            "and visit http://127.0.0.1:8000/"
        )
    return code


def test(args: list[str]) -> int:
    _ensure_env(with_tests=True)
    lint = subprocess.run([str(_bin("ruff")), "check", "."], cwd=ROOT).returncode
    lint |= subprocess.run(
        [str(_bin("mypy"))], cwd=ROOT
    ).returncode  # strict, on generator/ (pyproject)
    tests = subprocess.run([str(_bin("python")), "-m", "pytest", *args], cwd=ROOT).returncode
    return tests or lint


def main() -> int:
    commands = {"site": site, "test": test}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        print(__doc__)
        return 2
    return commands[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
