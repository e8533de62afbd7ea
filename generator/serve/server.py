"""Serve (HTTP): site/ on loopback with live reload (Server-Sent Events), error overlay and /api/search."""

from __future__ import annotations

import contextlib
import json
import logging
import mimetypes
import signal
import socket
import sys
import threading
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from generator.errors import EmptyQueryError, SearchError
from generator.limits import query_problem

log = logging.getLogger(__name__)
# HTTP bounds. A request line and its headers must arrive within HEADER_SECONDS (a slow sender
# cannot hold a thread); at most MAX_CONNECTIONS are served at once (each is a thread), more
# get a 503 at once; a socket idle for IO_SECONDS is dropped; a request body (a GET has none
# worth reading) of up to MAX_BODY bytes is read and dropped, a larger one ends the connection.
# MAX_CONNECTIONS is above the 200 busy keep-alive clients tests/serve/test_load.py serves
# without an error (a cap below that closes busy connections), far below the 500+ threads
# 500 slow clients held before the bound.
HEADER_SECONDS = 10.0
IO_SECONDS = 30.0
MAX_CONNECTIONS = 256
MAX_BODY = 64 * 1024
# How long /api/search waits for an index a rebuild is swapping in before it answers 503.
INDEX_WAIT_SECONDS = 2.0
_BUSY = (
    b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n"
    b"Retry-After: 1\r\nConnection: close\r\n\r\nbusy\n"
)
_SCRIPT_URL = "/__newsarchive/livereload.js"
# data-api tells the search page to ask the preview server (Whoosh) instead of the Pagefind bundle.
_SCRIPT_TAG = f'<script src="{_SCRIPT_URL}" data-api="/api/search"></script>'.encode()
_FACET_PARAMS = {
    "person": "people",
    "organization": "organizations",
    "place": "places",
    "tag": "tags",
    "year": "year",
}


@dataclass(slots=True)
class PreviewState:
    """What the browser should know: the build version, what each version changed (URL paths;
    None for everything) and the last build's error, if any."""

    version: int = 0
    error: str | None = None
    condition: threading.Condition = field(default_factory=threading.Condition)
    closing: bool = False
    history: deque[tuple[int, tuple[str, ...] | None]] = field(
        default_factory=lambda: deque(maxlen=64)
    )

    def publish(self, error: str | None, changed: Sequence[str] | None = None) -> None:
        with self.condition:
            self.version += 1
            self.error = error
            self.history.append((self.version, None if changed is None else tuple(changed)))
            self.condition.notify_all()

    def changed_since(self, seen: int) -> list[str] | None:
        """URL paths changed after version `seen`; None when unknown (reload every page)."""
        with self.condition:
            versions = [v for v, _ in self.history]
            if not versions or versions[0] > seen + 1:
                return None
            paths: set[str] = set()
            for version, changed in self.history:
                if version > seen:
                    if changed is None:
                        return None
                    paths.update(changed)
            return sorted(paths)

    def close(self) -> None:
        with self.condition:
            self.closing = True
            self.condition.notify_all()


def resolve_site_path(site_dir: Path, url_path: str) -> Path | None:
    """The file a URL path names inside site_dir, or None if it would leave it (../, %2e%2e, symlinks)."""
    path = unquote(url_path)
    if "\x00" in path or "\\" in path:
        return None
    root = site_dir.resolve()
    target = (root / path.lstrip("/")).resolve()
    if target != root and root not in target.parents:
        return None
    if target.is_dir():
        target = target / "index.html"
    return target if target.is_file() else None


def _changed(state: PreviewState, seen: int) -> bool:
    return state.version != seen or state.closing


class PreviewHandler(BaseHTTPRequestHandler):
    server: PreviewServer
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    timeout = IO_SECONDS  # per socket operation (BaseHTTPRequestHandler.setup applies it)

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s %s", self.address_string(), format % args)

    def handle_one_request(self) -> None:
        # The request line and headers (and a body, if any) run against a deadline: a client
        # that sends them a byte at a time has the connection closed (PreviewServer._reap).
        self.server.arm(self.connection)
        try:
            super().handle_one_request()
        finally:
            self.server.disarm(self.connection)

    def parse_request(self) -> bool:
        if not super().parse_request():
            return False
        return self._drop_body()

    def _drop_body(self) -> bool:
        """Read and drop a request body, so that it is never taken for the next request;
        refuse one that is chunked or too long (and close: the rest of it is unread)."""
        length = self.headers.get("Content-Length")
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            self.close_connection = True
            self.send_error(411, explain="Send the request body with a Content-Length")
            return False
        if length is None:
            return True
        try:
            size = int(length)
        except ValueError:
            size = -1
        if not 0 <= size <= MAX_BODY:
            self.close_connection = True
            self.send_error(413, explain=f"Request bodies are limited to {MAX_BODY} bytes")
            return False
        if size and len(self.rfile.read(size)) < size:
            self.close_connection = True
            return False
        return True

    def _is_cross_site(self) -> bool:
        """A request a page of another site made (the browser says so): any web page the user
        visits could otherwise make the preview search, or hold its reload streams open."""
        return (self.headers.get("Sec-Fetch-Site") or "same-origin") not in {"same-origin", "none"}

    def _send(
        self, status: int, body: bytes, content_type: str, extra: dict[str, str] | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, status: int, data: Any) -> None:
        # '<', '>' and '&' as \u escapes: the JSON means the same, and no browser can read markup in it.
        text = json.dumps(data, ensure_ascii=False)
        text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
        self._send(status, text.encode("utf-8"), "application/json; charset=utf-8")

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        if url.path == _SCRIPT_URL:
            script = resources.files("generator.serve").joinpath("livereload.js").read_bytes()
            self._send(200, script, "text/javascript; charset=utf-8")
        elif url.path in {"/__newsarchive/events", "/api/search"} and self._is_cross_site():
            self._json(403, {"error": "the preview answers its own pages only"})
        elif url.path == "/__newsarchive/events":
            self._events()
        elif url.path == "/api/search":
            self._search(parse_qs(url.query))
        else:
            self._file(url.path)

    def _file(self, url_path: str) -> None:
        site = self.server.site_dir
        target = resolve_site_path(site, url_path)
        if target is None:
            not_found = site / "404.html"
            body = (
                not_found.read_bytes()
                if not_found.is_file()
                else b"<!doctype html><title>Not found</title><h1>Not found</h1>"
            )
            self._send(404, self._inject(body), "text/html; charset=utf-8")
            return
        if (
            target.name == "index.html"
            and not url_path.endswith("/")
            and not url_path.endswith("index.html")
        ):
            self._send(301, b"", "text/plain", {"Location": url_path + "/"})
            return
        body = target.read_bytes()
        kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if kind == "text/html":
            body = self._inject(body)
        if kind.startswith("text/") or kind in {
            "application/json",
            "application/xml",
            "application/javascript",
        }:
            kind += "; charset=utf-8"
        self._send(200, body, kind)

    @staticmethod
    def _inject(body: bytes) -> bytes:
        index = body.rfind(b"</body>")
        return body[:index] + _SCRIPT_TAG + body[index:] if index >= 0 else body + _SCRIPT_TAG

    def _events(self) -> None:
        state = self.server.state
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        with state.condition:
            seen = state.version
            error = state.error
        try:
            if error:
                self._event("error-state", error)
            shown = error  # what this browser's overlay says, if it shows one
            while True:
                with state.condition:
                    last = seen
                    state.condition.wait_for(partial(_changed, state, last), timeout=15)
                    if state.closing:
                        return
                    changed, seen, error = state.version != seen, state.version, state.error
                if not changed:
                    self.wfile.write(b": keep-alive\n\n")
                elif error:
                    self._event("error-state", error)
                else:
                    # After an error every page reloads (to drop the overlay); else only changed ones.
                    paths = None if shown else state.changed_since(last)
                    if paths is None or paths:
                        self._event("reload", json.dumps({"version": seen, "changed": paths}))
                shown = error
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            return

    def _event(self, name: str, data: str) -> None:
        lines = "".join(f"data: {line}\n" for line in data.splitlines() or [""])
        self.wfile.write(f"event: {name}\n{lines}\n".encode())
        self.wfile.flush()

    def _search(self, params: dict[str, list[str]]) -> None:
        from generator.search.searching import search

        text = (params.get("q") or [""])[0].strip()
        problem = query_problem(text)
        if problem:
            self._json(400, {"error": problem})
            return
        try:
            page = max(1, int((params.get("page") or ["1"])[0]))
            limit = min(50, max(1, int((params.get("limit") or ["10"])[0])))
        except ValueError:
            self._json(400, {"error": "page and limit must be whole numbers"})
            return
        filters = [
            (field_name, value)
            for name, field_name in _FACET_PARAMS.items()
            for value in params.get(name, [])
        ]
        deadline = time.monotonic() + INDEX_WAIT_SECONDS
        while True:
            try:
                result = search(
                    self.server.index_dir,
                    text,
                    limit=limit,
                    page=page,
                    filters=filters,
                    with_facets=True,
                )
                break
            except EmptyQueryError as exc:
                self._json(400, {"error": str(exc), "empty": True})
                return
            except SearchError as exc:
                unavailable = "no search index" in str(exc) or "cannot be opened" in str(exc)
                if unavailable and time.monotonic() < deadline:
                    # A rebuild is swapping a new index in (or removing the old segments an
                    # open one read): the next try finds it whole.
                    time.sleep(0.05)
                    continue
                self._json(503 if unavailable else 400, {"error": str(exc)})
                return
        self._json(
            200,
            {
                "query": result.query,
                "total": result.total,
                "page": result.page,
                "pages": result.pages,
                "suggestion": result.suggestion,
                "complete": result.complete,
                "unknown": list(result.unknown),
                "loosened": list(result.loosened),
                "hits": [
                    {"title": h.title, "date": h.date, "url": h.url, "snippet": h.snippet_html}
                    for h in result.hits
                ],
                "facets": {
                    name: [{"value": v, "count": c} for v, c in counts]
                    for name, counts in result.facets.items()
                },
            },
        )


class PreviewServer(ThreadingHTTPServer):
    """ThreadingHTTPServer with bounds: MAX_CONNECTIONS threads, a deadline for each
    request's head (one reaper thread closes the connections that miss theirs), a dropped
    client logged in one line."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256

    def __init__(
        self, address: tuple[str, int], site_dir: Path, index_dir: Path, state: PreviewState
    ) -> None:
        self.site_dir = site_dir
        self.index_dir = index_dir
        self.state = state
        self._slots = threading.BoundedSemaphore(MAX_CONNECTIONS)
        self._deadlines: dict[socket.socket, float] = {}
        self._deadlines_lock = threading.Lock()
        self._closed = threading.Event()
        super().__init__(address, PreviewHandler)
        threading.Thread(target=self._reap, name="preview-http-reaper", daemon=True).start()

    def process_request(self, request: Any, client_address: Any) -> None:
        if not self._slots.acquire(blocking=False) and not self._evict_idle():
            log.info("%s: refused, %d connections already open", client_address[0], MAX_CONNECTIONS)
            with contextlib.suppress(OSError):
                request.settimeout(0.5)
                request.sendall(_BUSY)
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._slots.release()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        _no_process_signals()
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.disarm(request)
            self._slots.release()

    def _evict_idle(self) -> bool:
        """Make room: close the connection that has waited longest for its request head (an
        idle keep-alive or a slow sender), then take its slot. False when none is waiting."""
        with self._deadlines_lock:
            if not self._deadlines:
                return False
            oldest = min(self._deadlines, key=self._deadlines.__getitem__)
            del self._deadlines[oldest]
        with contextlib.suppress(OSError):
            oldest.shutdown(socket.SHUT_RDWR)
        return self._slots.acquire(timeout=1.0)

    def arm(self, connection: socket.socket) -> None:
        with self._deadlines_lock:
            self._deadlines[connection] = time.monotonic() + HEADER_SECONDS

    def disarm(self, connection: socket.socket) -> None:
        with self._deadlines_lock:
            self._deadlines.pop(connection, None)

    def _reap(self) -> None:
        """Close the connections whose request head is late (their thread then ends)."""
        _no_process_signals()
        while not self._closed.wait(0.5):
            now = time.monotonic()
            with self._deadlines_lock:
                late = [c for c, deadline in self._deadlines.items() if deadline < now]
                for connection in late:
                    del self._deadlines[connection]
            for connection in late:
                with contextlib.suppress(OSError):  # already closed by its client
                    connection.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """One line per failed request: a client that went away is routine (a closed tab, a
        reload mid-transfer), anything else is logged with its traceback at debug level."""
        exc = sys.exc_info()[1]
        who = client_address[0] if isinstance(client_address, tuple) else client_address
        if isinstance(exc, ConnectionError | TimeoutError):
            log.info("%s: client went away (%s)", who, type(exc).__name__)
            return
        log.error("%s: request failed: %s: %s", who, type(exc).__name__, exc)
        log.debug("request failed", exc_info=exc)

    def server_close(self) -> None:
        self._closed.set()
        self.state.close()
        super().server_close()


def _no_process_signals() -> None:
    """Keep Ctrl+C (SIGINT, SIGTERM) off this helper thread: the kernel hands a process signal
    to any thread that does not block it, and one taken here interrupts the main thread at an
    arbitrary point, even inside a block that holds SIGINT there (serve/preview.sigint_held)."""
    with contextlib.suppress(AttributeError, OSError):  # no pthread_sigmask on this platform
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})


__all__ = ["HTTPStatus", "PreviewServer", "PreviewState", "resolve_site_path"]
