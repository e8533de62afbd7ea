"""Stage read (one web archive page, in a worker): a located capture -> its decoded HTML payload
as a RawDocument, and the finished Article -> the same Article with url, captured and a source
that points back to the record.

A worker opens the archive itself and reads only its record, at the offset the scan found
(each record of a .warc.gz is a gzip member of its own, so it can be read from there); warcio's
content_stream() undoes the HTTP transfer and content encodings (chunked, gzip, deflate, br).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.bufferedreaders import BufferedReader

from generator.errors import ArticleError
from generator.ingest.read import document_from_bytes
from generator.ingest.warc import Capture, Window, quiet
from generator.models import Article, RawDocument, SourceRef, record_key


@dataclass(frozen=True, slots=True)
class WebUnit:
    """One page of a web archive, as a worker needs it: which file to open, where the WARC's
    bytes lie in it, and the capture the scan found there."""

    file: str  # the file to read: the archive, or a WACZ member copied out of the zip
    base: int  # where the WARC's bytes begin in that file (a stored WACZ member's offset)
    size: int  # how many bytes the WARC has there
    rel: str  # the archive's path relative to content/raw/, as records name it
    member: str | None  # the WARC's name inside a WACZ
    archive: str  # the archive's own path, for messages
    capture: Capture

    @property
    def key(self) -> str:
        return record_key(self.rel, self.member, self.capture.record_id)

    @property
    def where(self) -> str:
        inside = f" of {self.member}" if self.member else ""
        return f"record at offset {self.capture.offset}{inside} ({self.capture.url})"


def read_unit(unit: WebUnit, max_bytes: int) -> RawDocument:
    """The capture's payload, decoded once. Raises ArticleError when the record is no longer
    where the scan found it, its content encoding cannot be undone, or it is too large."""
    capture, source = unit.capture, Path(unit.archive)
    with Path(unit.file).open("rb") as handle:
        stream = Window(handle, unit.base, unit.size)
        stream.seek(capture.offset)
        with quiet():
            record = next(iter(ArchiveIterator(stream)), None)
        found = None if record is None else record.rec_headers.get_header("WARC-Record-ID")
        if record is None or (found != capture.record_id and not capture.record_id.startswith("arc:")):
            raise ArticleError(
                source, "read", f"{unit.where}: the record is no longer there", "Run ingest again"
            )
        http = record.http_headers
        encoding = (http.get_header("Content-Encoding") or "").strip().lower() if http else ""
        if encoding not in ("", "identity") and encoding not in BufferedReader.DECOMPRESSORS:
            raise ArticleError(
                source,
                "read",
                f"{unit.where}: the page is compressed as {encoding!r}, which cannot be undone here",
            )
        with quiet():
            payload = record.content_stream().read(max_bytes + 1)
    if len(payload) > max_bytes:
        raise ArticleError(
            source,
            "read",
            f"{unit.where}: the page is over the {max_bytes / 1048576:.0f} MB limit",
            "Raise max_input_mb in newsarchive.toml",
        )
    return document_from_bytes(
        payload, source, unit.rel, "html", declared=capture.charset, captured=capture.captured
    )


def with_capture(article: Article, unit: WebUnit, raw: RawDocument) -> Article:
    """The Article of a web archive page: its address is the captured URL (WARC-Target-URI),
    `captured` the capture time, and `source` names the archive, the member and the record."""
    capture = unit.capture
    return replace(
        article,
        url=capture.url,
        captured=capture.captured or None,
        source=SourceRef(
            path=unit.rel,
            sha256=raw.sha256,
            format="html",
            record=capture.record_id,
            offset=capture.offset,
            member=unit.member,
        ),
    )
