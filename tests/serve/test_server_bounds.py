"""The preview's HTTP bounds, over real sockets: slow clients, bodies, dropped clients, long
and cross-site queries, and a search while the index is being swapped."""

from __future__ import annotations

import http.client
import io
import json
import logging
import re
import shutil
import socket
import struct
import threading
import time
from collections.abc import Iterator

import pytest

from generator.cli import main
from generator.serve import server
from generator.serve.preview import Preview, start_preview

from ..conftest import REPO, free_port

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Preview]:
    """A running preview of the repository's sample archive."""
    root = tmp_path_factory.mktemp("bounds")
    assert main(["init", str(root)], out=io.StringIO()) == 0
    for path in (REPO / "content" / "raw").iterdir():
        shutil.copy(path, root / "content" / "raw" / path.name)
    running = start_preview(root, "127.0.0.1", free_port(), watch=False)
    yield running
    running.stop()


def _address(preview: Preview) -> tuple[str, int]:
    host, port = preview.server.server_address[:2]
    return str(host), int(port)


def _get(preview: Preview, path: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection(*_address(preview), timeout=30)
    conn.request("GET", path, headers=headers or {})
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, body


def _responses(preview: Preview, raw: bytes) -> list[bytes]:
    """Status lines the server answers `raw` (sent on one connection) with."""
    with socket.create_connection(_address(preview), timeout=30) as sock:
        sock.sendall(raw)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    return re.findall(rb"HTTP/1\.[01] \d{3}[^\r\n]*", data)


def test_a_long_query_is_refused_at_once(sample: Preview) -> None:
    start = time.monotonic()
    status, body = _get(sample, "/api/search?q=" + "abcdefghij" * 500)
    assert status == 400
    assert json.loads(body)["error"] == "query is too long (5,000 characters; at most 4,096)"
    assert time.monotonic() - start < 10  # was a minute of "did you mean" on one thread
    assert _get(sample, "/api/search?q=library")[0] == 200


def test_the_cli_refuses_a_long_query_too(sample: Preview) -> None:
    err = io.StringIO()
    root = sample.server.site_dir.parent
    code = main(["--root", str(root), "search", "x" * 5000], out=io.StringIO(), err=err)
    assert code == 2
    assert err.getvalue() == (
        "search: query is too long (5,000 characters; at most 4,096); shorten it\n"
    )


def test_cross_site_requests_to_the_api_are_refused(sample: Preview) -> None:
    for site in ("cross-site", "same-site"):
        status, _body = _get(sample, "/api/search?q=library", {"Sec-Fetch-Site": site})
        assert status == 403, site
        assert _get(sample, "/__newsarchive/events", {"Sec-Fetch-Site": site})[0] == 403
    assert _get(sample, "/api/search?q=library", {"Sec-Fetch-Site": "same-origin"})[0] == 200
    assert _get(sample, "/", {"Sec-Fetch-Site": "cross-site"})[0] == 200  # pages are public


def test_a_get_with_a_body_is_one_request(sample: Preview) -> None:
    body = b"GET /x HTTP/1.1\r\n\r\n"
    raw = (
        b"GET /robots.txt HTTP/1.1\r\nHost: a\r\nContent-Length: %d\r\n\r\n%s"
        b"GET /robots.txt HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n" % (len(body), body)
    )
    assert _responses(sample, raw) == [b"HTTP/1.1 200 OK", b"HTTP/1.1 200 OK"]


def test_chunked_and_oversized_bodies_end_the_connection(sample: Preview) -> None:
    chunked = (
        b"POST /api/search HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"5\r\nGET /\r\n0\r\n\r\n"
    )
    assert _responses(sample, chunked) == [b"HTTP/1.1 411 Length Required"]  # nothing after
    big = b"GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999\r\n\r\nGET / HTTP/1.1\r\n\r\n"
    assert _responses(sample, big) == [b"HTTP/1.1 413 Request Entity Too Large"]


def test_slow_clients_hold_neither_threads_nor_the_server(
    sample: Preview, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(server, "HEADER_SECONDS", 2.0)
    before = threading.active_count()
    slow = []
    for _ in range(300):  # each sends half a request line, then nothing
        sock = socket.create_connection(_address(sample), timeout=30)
        sock.sendall(b"GET / HT")
        slow.append(sock)
    try:
        time.sleep(0.5)
        assert threading.active_count() - before <= server.MAX_CONNECTIONS + 2
        assert _get(sample, "/robots.txt")[0] == 200  # an idle slow one made room
        time.sleep(server.HEADER_SECONDS + 1.5)
        assert threading.active_count() - before <= 2
        closed = 0
        for sock in slow:
            try:
                closed += sock.recv(1024) in (b"",) or b"503" in sock.recv(1024)
            except OSError:
                closed += 1
        assert closed == len(slow)  # every one was closed by the server
    finally:
        for sock in slow:
            sock.close()


def test_a_dropped_client_is_one_log_line(
    sample: Preview, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    big = sample.server.site_dir / "big.bin"
    big.write_bytes(b"x" * (20 * 1024 * 1024))
    try:
        with caplog.at_level(logging.INFO, logger="generator.serve.server"):
            for _ in range(5):
                sock = socket.create_connection(_address(sample), timeout=30)
                sock.sendall(b"GET /big.bin HTTP/1.1\r\nHost: a\r\n\r\n")
                sock.recv(1024)
                # Close with a reset (SO_LINGER 0): the server's write fails at once.
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                sock.close()
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                if sum("client went away" in r.getMessage() for r in caplog.records) >= 5:
                    break
                time.sleep(0.1)
        gone = [r.getMessage() for r in caplog.records if "client went away" in r.getMessage()]
        assert len(gone) == 5 and all("\n" not in m for m in gone)
        assert "Traceback" not in capfd.readouterr().err
    finally:
        big.unlink()


def test_a_search_during_an_index_swap_is_answered(sample: Preview) -> None:
    index = sample.server.index_dir
    moved = index.with_name("whoosh.moved")
    index.rename(moved)  # as a rebuild swapping its index in, for a moment

    def restore() -> None:
        time.sleep(0.5)
        moved.rename(index)

    threading.Thread(target=restore).start()
    status, body = _get(sample, "/api/search?q=library")
    assert status == 200, body
    assert json.loads(body)["total"] >= 1
