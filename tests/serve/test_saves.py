"""Saving a record the ways editors do: the preview renders whole files only, and at once.

A running preview of the sample archive; a record is saved with a temp file renamed over it, by
truncating and rewriting it in place, and by renaming it to a backup and writing a new file (vim),
each written in pieces with pauses between them, as a slow editor or a big file would. A client
polls the article's page over HTTP the whole time: every page it is served must be a whole save
(the new title together with the last line of that save's body), never a half-written one.
"""

from __future__ import annotations

import http.client
import itertools
import re
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

import pytest

from generator.serve.preview import Preview

pytestmark = pytest.mark.slow
# Long enough for a watcher that acts on quiet to act mid-save; shorter than the full pass's wait.
PAUSE = 0.05


def _write_in_pieces(handle: BinaryIO, data: bytes) -> None:
    """Three pieces: the first ends inside the front matter, the second inside the body."""
    body = data.index(b"\n---\n") + 5
    cuts = [0, data.index(b"\n", 8), body + (len(data) - body) // 2, len(data)]
    for start, end in itertools.pairwise(cuts):
        handle.write(data[start:end])
        handle.flush()
        if end < len(data):
            time.sleep(PAUSE)


def save_renamed(record: Path, data: bytes) -> None:
    tmp = record.with_name(f".{record.name}.swp")
    with tmp.open("wb") as handle:
        _write_in_pieces(handle, data)
    tmp.replace(record)


def save_in_place(record: Path, data: bytes) -> None:
    with record.open("wb") as handle:  # truncated, then written
        _write_in_pieces(handle, data)


def save_with_backup(record: Path, data: bytes) -> None:
    backup = record.with_name(record.name + "~")
    record.replace(backup)
    with record.open("wb") as handle:
        _write_in_pieces(handle, data)
    backup.unlink()


WAYS: dict[str, Callable[[Path, bytes], None]] = {
    "rename": save_renamed,
    "in place": save_in_place,
    "backup": save_with_backup,
}


class _Poller(threading.Thread):
    """Fetches a page over one keep-alive connection every few milliseconds until stopped,
    keeping each distinct (title, closing line) pair it was served, and any build error."""

    def __init__(self, preview: Preview, url: str) -> None:
        super().__init__(daemon=True)
        self.preview = preview
        self.url = url
        self.seen: set[tuple[str, str]] = set()
        self.errors: set[str] = set()
        self.latest = ""
        self.done = threading.Event()

    def run(self) -> None:
        host, port = self.preview.server.server_address[:2]
        conn = http.client.HTTPConnection(str(host), int(port), timeout=10)
        while not self.done.is_set():
            conn.request("GET", self.url)
            page = conn.getresponse().read().decode()
            heading = re.search(r"<h1[^>]*>(.*?)</h1>", page, re.S)
            title = heading.group(1).strip() if heading else ""
            closing = re.search(r"Closing line (\w+ \d+)\.", page)
            self.seen.add((title, closing.group(1) if closing else ""))
            self.latest = title
            if self.preview.state.error:
                self.errors.add(self.preview.state.error)
            time.sleep(0.002)
        conn.close()


def _wait_for(condition: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def _record(preview: Preview) -> tuple[Path, str]:
    root = preview.server.site_dir.parent
    record = (
        root / "content" / "articles" / "library-will-stay-open-until-10-p-m-under-new-budget.md"
    )
    return record, f"/articles/{record.stem}/"


def test_every_way_of_saving_is_rendered_whole_never_half_written(
    sample_preview: Preview,
) -> None:
    record, url = _record(sample_preview)
    original = record.read_text(encoding="utf-8")
    poller = _Poller(sample_preview, url)
    poller.start()
    saved: list[str] = []
    try:
        for number in range(3):
            for way, save in WAYS.items():
                tag = f"{way.replace(' ', '')} {number}"
                title = f"Saved {tag}"
                text = re.sub(r"(?m)^title: .*$", f"title: {title}", original, count=1)
                save(record, (text.rstrip("\n") + f"\n\nClosing line {tag}.\n").encode())
                saved.append(tag)
                _wait_for(lambda title=title: poller.latest == title)
    finally:
        poller.done.set()
        poller.join(timeout=10)
    half_written = {
        (title, closing)
        for title, closing in poller.seen
        if title.startswith("Saved ") and title != f"Saved {closing}"
    }
    assert half_written == set()  # a title served without its own save's last line
    assert {f"Saved {tag}" for tag in saved} <= {title for title, _ in poller.seen}
    assert poller.errors == set()  # a save in progress is never reported as a broken record


def test_a_record_that_stays_broken_is_reported_and_the_fix_clears_it(
    sample_preview: Preview,
) -> None:
    record, url = _record(sample_preview)
    text = record.read_text(encoding="utf-8")
    record.write_text(text.replace("title: ", "title: [unclosed ", 1), encoding="utf-8")
    _wait_for(lambda: sample_preview.state.error is not None)
    assert str(record) in str(sample_preview.state.error)
    fixed = text.replace("title: Library", "title: Mended Library", 1)
    record.write_text(fixed, encoding="utf-8")
    _wait_for(lambda: sample_preview.state.error is None)
    host, port = sample_preview.server.server_address[:2]
    conn = http.client.HTTPConnection(str(host), int(port), timeout=10)
    conn.request("GET", url)
    assert "Mended Library Will Stay Open" in conn.getresponse().read().decode()
    conn.close()
