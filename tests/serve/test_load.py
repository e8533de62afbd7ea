"""A bounded loopback load on the preview server: 200 concurrent clients for 20 s, pages and /api/search."""

from __future__ import annotations

import http.client
import io
import threading
import time
from pathlib import Path

import pytest

from generator.cli import main
from generator.serve.preview import start_preview

from ..conftest import copy_sample_archive

pytestmark = pytest.mark.slow
CLIENTS = 200
SECONDS = 20.0
PATHS = (
    "/",
    "/articles/a-quiet-story/",
    "/static/style.css",
    "/api/search?q=haddock",
    "/api/search?q=bridge&place=Halden",
    "/search/",
    "/feed.xml",
    "/%2e%2e/etc/passwd",
    "/missing/",
)


def test_two_hundred_clients_for_twenty_seconds_get_no_error(tmp_path: Path) -> None:
    assert main(["init", str(tmp_path)], out=io.StringIO()) == 0
    copy_sample_archive(tmp_path)
    (tmp_path / "content" / "raw" / "story.txt").write_text(
        "A Quiet Story\n\nNothing much happened in the town today.\n"
    )
    preview = start_preview(tmp_path, "127.0.0.1", 0, watch=False)
    host, port = preview.server.server_address[:2]
    deadline = time.monotonic() + SECONDS
    counts = {"ok": 0}
    errors: list[str] = []
    lock = threading.Lock()

    def client(offset: int) -> None:
        conn = http.client.HTTPConnection(str(host), int(port), timeout=30)
        n = offset
        while time.monotonic() < deadline:
            path = PATHS[n % len(PATHS)]
            n += 1
            try:
                conn.request("GET", path)
                response = conn.getresponse()
                response.read()
                expected = 404 if path in {"/%2e%2e/etc/passwd", "/missing/"} else 200
                with lock:
                    if response.status == expected:
                        counts["ok"] += 1
                    else:
                        errors.append(f"{path}: HTTP {response.status}")
            except (OSError, http.client.HTTPException) as exc:
                with lock:
                    errors.append(f"{path}: {type(exc).__name__}: {exc}")
                conn.close()
                conn = http.client.HTTPConnection(str(host), int(port), timeout=30)
        conn.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=SECONDS + 60)
    finally:
        preview.stop()
    print(  # noqa: T201 - the figure belongs in the CI log
        f"load: {counts['ok']} requests answered in {SECONDS:.0f} s by {CLIENTS} clients, {len(errors)} errors"
    )
    assert errors == []
    assert counts["ok"] > CLIENTS  # every client got answers, not just a few
