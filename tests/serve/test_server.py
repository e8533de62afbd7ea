"""The preview server over real HTTP on loopback: files, traversal, search API, reload events."""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from generator.serve.preview import Preview

pytestmark = pytest.mark.slow


def _get(preview: Preview, path: str) -> tuple[int, bytes, dict[str, str]]:
    host, port = preview.server.server_address[:2]
    conn = http.client.HTTPConnection(str(host), int(port), timeout=10)
    conn.request("GET", path)
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, body, dict(response.getheaders())


def test_binds_to_loopback_and_injects_the_reload_script(preview: Preview) -> None:
    assert preview.server.server_address[0] == "127.0.0.1"
    status, body, headers = _get(preview, "/")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert (
        b'<script src="/__newsarchive/livereload.js" data-api="/api/search"></script></body>'
        in body
    )
    assert _get(preview, "/__newsarchive/livereload.js")[0] == 200
    assert _get(preview, "/articles/a-quiet-story")[0] == 301


@pytest.mark.parametrize(
    "path",
    [
        "/../../etc/passwd",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/articles/%2E%2E/%2E%2E/%2E%2E/etc/passwd",
        "/..%2f..%2fnewsarchive.toml",
        "/%00index.html",
        "/..\\newsarchive.toml",
    ],
)
def test_path_traversal_is_refused(preview: Preview, path: str) -> None:
    status, body, _ = _get(preview, path)
    assert status == 404
    assert b"root:" not in body and b"base_url" not in body


def test_symlinks_out_of_the_site_are_refused(preview: Preview, tmp_path: Path) -> None:
    (preview.server.site_dir / "leak.txt").symlink_to(tmp_path / "newsarchive.toml")
    assert _get(preview, "/leak.txt")[0] == 404


def test_api_search(preview: Preview) -> None:
    status, body, headers = _get(preview, "/api/search?q=haddock")
    data = json.loads(body)
    assert status == 200 and headers["Content-Type"].startswith("application/json")
    assert data["total"] == 1 and data["hits"][0]["url"].startswith("articles/fish-market-prices")
    assert "<mark" in data["hits"][0]["snippet"]
    assert {"people", "places", "year"} <= set(data["facets"])
    status, body, _ = _get(preview, "/api/search?q=haddok")
    assert json.loads(body)["suggestion"] == "haddock"
    status, body, _ = _get(preview, "/api/search?q=%3Cscript%3Ealert(1)%3C/script%3E")
    assert status in {200, 400} and b"<script>" not in body
    assert _get(preview, "/api/search")[0] == 400


def _next_event(preview: Preview, timeout: float = 15.0, skip: int = 0) -> tuple[str, str]:
    """The (skip+1)-th event a freshly connected browser receives on the reload stream."""
    host, port = preview.server.server_address[:2]
    sock = socket.create_connection((str(host), int(port)), timeout=timeout)
    sock.sendall(b"GET /__newsarchive/events HTTP/1.1\r\nHost: x\r\n\r\n")
    data = b""
    deadline = time.monotonic() + timeout
    blocks: list[str] = []
    while len(blocks) <= skip and time.monotonic() < deadline:
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
        body = data.split(b"\r\n\r\n", 1)[1].decode() if b"\r\n\r\n" in data else ""
        blocks = [b for b in body.split("\n\n") if b.startswith("event: ")]
    sock.close()
    block = blocks[skip]
    name = block.split("event: ", 1)[1].split("\n", 1)[0]
    payload = "\n".join(line[6:] for line in block.splitlines() if line.startswith("data: "))
    return name, payload


def _wait_for(condition: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_edit_rebuilds_and_a_template_error_keeps_the_last_good_site(
    preview: Preview, tmp_path: Path
) -> None:
    article = tmp_path / "content" / "articles" / "a-quiet-story.md"
    events: list[tuple[str, str]] = []
    listener = threading.Thread(target=lambda: events.append(_next_event(preview)))
    listener.start()
    time.sleep(0.3)
    builds = preview.builds
    article.write_text(article.read_text().replace("title: A Quiet Story", "title: A Loud Story"))
    listener.join(timeout=20)
    assert events and events[0][0] == "reload"
    assert json.loads(events[0][1])["changed"] == ["/articles/a-quiet-story/"]  # the quick pass
    assert b"A Loud Story" in _get(preview, "/articles/a-quiet-story/")[1]
    _wait_for(lambda: preview.builds > builds)  # then the full pass: listings and feeds
    assert b"A Loud Story" in _get(preview, "/")[1]

    template = tmp_path / "templates" / "article.html"
    listener = threading.Thread(target=lambda: events.append(_next_event(preview)))
    listener.start()
    time.sleep(0.3)
    template.write_text('{% extends "base.html" %}{% block main %}{% if %}{% endblock %}')
    listener.join(timeout=20)
    name, payload = events[1]
    assert name == "error-state" and "article.html:1: template syntax error" in payload
    assert (
        b"A Loud Story" in _get(preview, "/articles/a-quiet-story/")[1]
    )  # previous site still served

    # A browser connecting now first gets the current error (the overlay), then the reload.
    listener = threading.Thread(target=lambda: events.append(_next_event(preview, skip=1)))
    listener.start()
    time.sleep(0.3)
    template.unlink()
    listener.join(timeout=20)
    assert events[2][0] == "reload"


def test_a_hundred_rapid_saves_cause_few_rebuilds(preview: Preview, tmp_path: Path) -> None:
    article = tmp_path / "content" / "articles" / "a-quiet-story.md"
    head, body = article.read_text().split("\n---\n", 1)
    before = preview.builds
    for i in range(100):
        article.write_text(
            head + "\n---\n" + body.replace("Nothing much", f"Edit {i}: nothing much")
        )
        time.sleep(0.005)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and (
        preview.builds == before or b"Edit 99:" not in _get(preview, "/articles/a-quiet-story/")[1]
    ):
        time.sleep(0.2)
    time.sleep(1.0)  # any straggling rebuild would have started by now
    assert b"Edit 99:" in _get(preview, "/articles/a-quiet-story/")[1]
    assert 1 <= preview.builds - before <= 5  # a burst of 100 saves: a few builds, not dozens
    assert preview.state.error is None
