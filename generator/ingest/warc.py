"""Stage read (web archives): a WARC or ARC stream -> its HTML captures, what was skipped and why,
and every damaged record, found in one pass without holding a payload.

warcio (the Webrecorder library) parses the records; this module decides which records are
pages and keeps going past a damaged one. A capture found here is located (byte offset, record
id) so that a worker reads it again by itself (warc_record.py); the main process never ships
payloads. warcio knows a record's length only once it has been read to its end, and only then
whether it was whole, so a capture is reported after that.
"""

from __future__ import annotations

import contextlib
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, Any, Protocol

from warcio.archiveiterator import ArchiveIterator
from warcio.limitreader import LimitReader

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
# Record types that are no capture of a page: not counted as skipped, they are bookkeeping.
_NOT_CAPTURES = frozenset({"warcinfo", "request", "metadata", "conversion", "continuation"})
_WARC_START = re.compile(rb"(?:^|\n)(WARC/(?:1\.[01]|0\.1[78])\r?\n)")
_GZIP_MAGIC = b"\x1f\x8b\x08"
_RESYNC_BLOCK = 1 << 20
_SNIFF_BYTES = 1024
# A file that is no web archive at all would otherwise give a line for each false start.
MAX_DAMAGED = 50
# Reasons a capture is not ingested, as the summary line names them.
REVISIT, REDIRECT, ERROR_STATUS, OTHER_STATUS = "revisit", "redirect", "error status", "not 200"
NOT_HTML, EMPTY, NOT_LISTED = "not HTML", "empty", "not in the pages list"


@dataclass(frozen=True, slots=True)
class Capture:
    """An HTML page in a WARC: where its record is and what the scan learnt from its headers."""

    offset: int  # of the record in the WARC
    length: int
    record_id: str
    url: str
    captured: str  # WARC-Date, ISO 8601
    charset: str | None  # from the HTTP Content-Type header
    digest: str  # what identifies the record's content (record id, length, digests)


@dataclass(frozen=True, slots=True)
class Skipped:
    """A capture that is no page to ingest (a revisit, a redirect, an image...)."""

    reason: str
    url: str


@dataclass(frozen=True, slots=True)
class Damaged:
    """A record that cannot be read whole: one line in the report, the scan goes on after it."""

    offset: int
    message: str


Found = Capture | Skipped | Damaged


class PageFilter(Protocol):
    """Which HTML captures are pages (a WACZ's pages list), told of redirects as they come."""

    def __call__(self, url: str) -> bool: ...

    def follow(self, url: str, location: str) -> None: ...


class Window:
    """The bytes [base, base + size) of a binary file as a file of their own (a WARC stored in a
    WACZ is such a span of the zip file), readable from any offset without reading up to it."""

    def __init__(self, handle: IO[bytes], base: int, size: int) -> None:
        self.handle, self.base, self.size = handle, base, size
        self.position = 0
        handle.seek(base)

    def seek(self, offset: int, whence: int = 0) -> int:
        self.position = max(0, min(self.size, offset if whence == 0 else self.size + offset))
        self.handle.seek(self.base + self.position)
        return self.position

    def tell(self) -> int:
        return self.position

    def close(self) -> None:
        """The file it is a window on stays open: its owner closes it."""

    def read(self, size: int = -1) -> bytes:
        left = self.size - self.position
        data = self.handle.read(left if size < 0 else min(size, left))
        self.position += len(data)
        return data


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """warcio writes its warnings (a record not followed by blank lines, a broken gzip member)
    to sys.stderr; they become this module's one-line findings instead."""
    with contextlib.redirect_stderr(io.StringIO()):
        yield


def iso_date(value: str) -> str:
    """A WARC-Date as ISO 8601 seconds ('2024-03-05T12:34:56Z'); ARC's 14 digits too."""
    value = value.strip()
    if re.fullmatch(r"\d{14}", value):
        value = f"{value[:4]}-{value[4:6]}-{value[6:8]}T{value[8:10]}:{value[10:12]}:{value[12:]}Z"
    match = re.match(r"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})?$", value)
    if match is None:
        return value if re.match(r"\d{4}-\d{2}-\d{2}", value) else ""
    return match.group(1) + (match.group(2) or "Z")


def scan_records(
    stream: Window | IO[bytes],
    start: int = 0,
    *,
    is_page: PageFilter | None = None,
    on_end: Callable[[int], None] | None = None,
) -> Iterator[Found]:
    """Every capture of the WARC (or ARC) `stream` from byte `start`, in file order.

    `is_page` (a WACZ's pages list) narrows which HTML captures are pages. `on_end` hears the
    offset after the last whole record each time it moves: where a later scan of a grown file
    starts. A damaged record is one Damaged; the scan resumes at the next record it can find.
    """
    is_gzip = _starts_gzipped(stream, start)
    position, damaged = start, 0
    while damaged < MAX_DAMAGED:
        stream.seek(position)
        with quiet():
            records = ArchiveIterator(stream)
        restart: int | None = None
        try:
            for found, end in _records(records, is_page):
                if found is not None:
                    damaged += isinstance(found, Damaged)
                    yield found
                if on_end is not None:
                    on_end(end)
                if isinstance(found, Damaged):
                    restart = found.offset + 1
                    break
        except Exception as exc:  # whatever a damaged record makes warcio raise
            offset = records.offset
            if "non-chunked gzip" in str(exc):
                yield Damaged(
                    offset,
                    "the file is one gzip stream, not one gzip member per record, so its records "
                    "cannot be read by offset. Recompress it: warcio recompress IN OUT",
                )
                return
            yield Damaged(offset, f"not a readable record ({_first_line(exc)})")
            damaged += 1
            restart = offset + 1
        if restart is None:
            return
        found_at = _next_record_start(stream, restart, is_gzip)
        if found_at is None:
            return
        position = found_at
    yield Damaged(position, f"{MAX_DAMAGED} damaged records: the rest of the file was not read")


def _records(records: ArchiveIterator, is_page: PageFilter | None) -> Iterator[Any]:
    """(what a record is, offset after it) for each record, its end checked before it is told."""
    iterator = iter(records)
    while True:
        with quiet():
            record = next(iterator, None)
        if record is None:
            return
        offset, errors = records.offset, records.err_count
        found = _classify(record, offset, is_page)
        with quiet():
            records.read_to_end()
        missing = record.raw_stream.limit if isinstance(record.raw_stream, LimitReader) else 0
        if missing > 0:
            whole = record.length or 0
            yield Damaged(offset, f"truncated record: {whole - missing:,} of {whole:,} bytes"), offset
        elif records.err_count > errors:
            # What follows the record is not the blank line that ends it: its Content-Length is
            # wrong, and it may have swallowed the start of the next record.
            yield Damaged(offset, "record length does not match its content"), offset
        elif isinstance(found, Capture):
            yield Capture(
                offset,
                records.get_record_length(),
                found.record_id,
                found.url,
                found.captured,
                found.charset,
                found.digest,
            ), records.offset
        else:
            yield found, records.offset


def _classify(record: Any, offset: int, is_page: PageFilter | None) -> Found | None:
    """What the scan makes of one record, from its headers (and, lacking a Content-Type, the
    first KB of its payload). None for bookkeeping records (requests, metadata, warcinfo)."""
    kind = record.rec_type
    if kind in _NOT_CAPTURES or kind not in ("response", "resource", "revisit"):
        return None
    headers = record.rec_headers
    is_arc = record.format == "arc"  # ARC (WARC's predecessor) names its headers otherwise
    url = headers.get_header("uri" if is_arc else "WARC-Target-URI") or ""
    if kind == "revisit":
        return Skipped(REVISIT, url)
    http = record.http_headers
    status = 200
    if http is not None:
        try:
            status = int(http.get_statuscode() or 0)
        except ValueError:
            status = 0
        content_type = http.get_header("Content-Type") or ""
    elif kind == "response" and url.startswith(("http:", "https:")):
        return Skipped(NOT_HTML, url)  # an HTTP response record without its HTTP header
    else:
        content_type = record.content_type or ""
    if 300 <= status < 400:
        if is_page is not None and http is not None:
            is_page.follow(url, http.get_header("Location") or "")
        return Skipped(REDIRECT, url)
    if status >= 400 or status < 200:
        return Skipped(ERROR_STATUS, url)
    if status != 200:
        return Skipped(OTHER_STATUS, url)  # 204 no content, 206 a range of the page...
    mime, _, params = content_type.partition(";")
    mime = mime.strip().lower()
    if not url.startswith(("http:", "https:")):
        return Skipped(NOT_HTML, url)
    if mime not in HTML_TYPES and not (mime == "" and _sniffs_html(record)):
        return Skipped(NOT_HTML, url)
    if record.length == 0 or getattr(record, "payload_length", -1) == 0:
        return Skipped(EMPTY, url)
    if is_page is not None and not is_page(url):
        return Skipped(NOT_LISTED, url)
    # An ARC record has no id: its place in the file is one that stays the same.
    record_id = ("" if is_arc else headers.get_header("WARC-Record-ID")) or f"arc:{offset}"
    date = headers.get_header("archive-date" if is_arc else "WARC-Date") or ""
    charset = re.search(r"charset\s*=\s*[\"']?([\w.:-]+)", params, re.I)
    digest = "|".join(
        (
            record_id,
            str(record.length),
            headers.get_header("WARC-Block-Digest") or "",
            headers.get_header("WARC-Payload-Digest") or "",
            date,
            url,
        )
    )
    return Capture(
        offset,
        0,
        record_id,
        url,
        iso_date(date),
        charset.group(1) if charset else None,
        digest,
    )


def _sniffs_html(record: Any) -> bool:
    """A response that names no Content-Type is a page when its first bytes say so."""
    head = record.content_stream().read(_SNIFF_BYTES).lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html")) or b"<html" in head[:_SNIFF_BYTES]


def _starts_gzipped(stream: Window | IO[bytes], start: int) -> bool:
    stream.seek(start)
    return stream.read(2) == _GZIP_MAGIC[:2]


def _next_record_start(stream: Window | IO[bytes], start: int, is_gzip: bool) -> int | None:
    """Where the next record seems to begin at or after `start`: a gzip member's magic bytes, or
    a 'WARC/1.x' line. The scan tries it; a false start is one more Damaged and a step on."""
    position = start
    tail = b""
    while True:
        stream.seek(position)
        block = stream.read(_RESYNC_BLOCK)
        if not block:
            return None
        data = tail + block
        base = position - len(tail)
        if is_gzip:
            found = data.find(_GZIP_MAGIC)
            if found >= 0:
                return base + found
        else:
            match = _WARC_START.search(data)
            if match is not None:
                return base + match.start(1)
        tail = data[-16:]
        position += len(block)


def _first_line(exc: BaseException) -> str:
    if "first line" in str(exc):  # warcio quotes the bytes it found, binary or not
        return "no WARC or ARC header where a record should start"
    text = " ".join(str(exc).split())
    return (text[:117] + "...") if len(text) > 120 else text or type(exc).__name__
