"""Shared fixtures: temporary archives, validated configs, and the repository's own sample archive."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from generator.config import Config, load_config

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
SCHEMA = REPO / "generator" / "data" / "article.schema.json"
# The sample archive written for this project (a spun copy and its original, a wire copy, an HTML
# page, mojibake, ...): every behaviour test that needs articles builds from it or tests/data/.
SAMPLE_RAW = REPO / "content" / "raw"
STORIES = REPO / "tests" / "data" / "stories"

# tests/acceptance/ reads ../shared; without it beside the checkout those checks are not collected
# (nothing to skip), and every behaviour test still runs on the repository's own data.
collect_ignore = [] if SHARED.is_dir() else ["acceptance"]


def write_tree(root: Path, files: dict[str, str | bytes]) -> None:
    """Write {relative path: text or bytes} under root."""
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")


@pytest.fixture
def make_tree(tmp_path: Path) -> Callable[[dict[str, str | bytes]], Path]:
    """Write {relative path: text or bytes} under tmp_path and return tmp_path."""

    def make(files: dict[str, str | bytes]) -> Path:
        write_tree(tmp_path, files)
        (tmp_path / "content" / "raw").mkdir(parents=True, exist_ok=True)
        return tmp_path

    return make


@pytest.fixture
def config(tmp_path: Path) -> Config:
    (tmp_path / "content" / "raw").mkdir(parents=True, exist_ok=True)
    return load_config(tmp_path)


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """Debian's headless Chromium through Playwright (never Playwright's own browser download).

    Skipped where Chromium is missing, except in CI, where a missing browser is a failure.
    """
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail("CI must install Debian's chromium for the browser tests (see .ci/run)")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


def copy_sample_archive(root: Path) -> Path:
    """The sample archive's raw inputs copied into root/content/raw (made if need be); root."""
    shutil.copytree(SAMPLE_RAW, root / "content" / "raw", dirs_exist_ok=True)
    return root


def sample_texts() -> dict[str, str]:
    """The sample archive's plain-text inputs as they are on disk, by file stem."""
    return {p.stem: p.read_text(encoding="utf-8") for p in sorted(SAMPLE_RAW.glob("*.txt"))}


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def http_server(directory: Path) -> Iterator[str]:
    """A real `python -m http.server` on loopback serving directory; yields its base URL."""
    server = subprocess.Popen(
        [sys.executable, "-m", "http.server", "0", "--bind", "127.0.0.1", "-d", str(directory)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert server.stdout is not None
    try:
        port = int(server.stdout.readline().split("port ")[1].split()[0])
        yield f"http://127.0.0.1:{port}/"
    finally:
        server.terminate()
        server.wait()
        server.stdout.close()
