"""Stage read (web archives): a WACZ (a zip of WARCs, an index and a pages list) -> its WARC
members, where each one's bytes lie in the zip, and the set of URLs it lists as pages.

The WACZ specification stores `archive/*.warc.gz` uncompressed in the zip (ZIP_STORED) so that
a reader can seek into them: a worker then reads one record at its offset in the .wacz file
itself. A member that was deflated anyway can only be read from its start; its pages travel
from the scan to the workers as bytes instead (see webunit.py).
"""

from __future__ import annotations

import json
import struct
import zipfile
from dataclasses import dataclass
from typing import IO
from urllib.parse import urljoin, urlsplit, urlunsplit

from generator.ingest.read import WARC_SUFFIXES
from generator.ingest.warc import Window

# Browsertrix writes the seeds' pages to pages.jsonl and the pages it found to extraPages.jsonl.
PAGES_DIR = "pages/"
_LOCAL_HEADER = struct.Struct("<4s22xHH")


@dataclass(frozen=True, slots=True)
class Member:
    """A WARC inside a WACZ: its name, its size, a checksum the zip keeps for it, and where its
    bytes begin in the .wacz file (None when it is compressed inside the zip)."""

    name: str
    size: int
    crc: int
    start: int | None


def warc_members(archive: zipfile.ZipFile) -> list[Member]:
    """The WARCs of a WACZ (archive/*.warc, *.warc.gz, *.arc...), in name order."""
    members = []
    for info in archive.infolist():
        name = info.filename
        if not name.startswith("archive/") or info.is_dir():
            continue
        if not name.lower().endswith(WARC_SUFFIXES):
            continue
        start = _data_start(archive, info) if info.compress_type == zipfile.ZIP_STORED else None
        members.append(Member(name, info.file_size, info.CRC, start))
    return sorted(members, key=lambda m: m.name)


def _data_start(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> int | None:
    """Where a stored member's bytes begin: after its local header, whose name and extra field
    lengths may differ from the central directory's."""
    handle = archive.fp
    if handle is None or info.flag_bits & 0x1:  # encrypted: only zipfile can read it
        return None
    handle.seek(info.header_offset)
    head = handle.read(_LOCAL_HEADER.size)
    if len(head) < _LOCAL_HEADER.size:
        return None
    signature, name_length, extra_length = _LOCAL_HEADER.unpack(head)
    if signature != b"PK\x03\x04":
        return None
    start: int = info.header_offset + _LOCAL_HEADER.size + int(name_length) + int(extra_length)
    return start


def open_member(handle: zipfile.ZipFile, member: Member) -> Window | IO[bytes]:
    """A WARC member's bytes as a file: a window on the .wacz for a stored one."""
    if member.start is not None and handle.fp is not None:
        return Window(handle.fp, member.start, member.size)
    return handle.open(member.name)


def page_urls(archive: zipfile.ZipFile) -> set[str] | None:
    """The normalised URLs of every page the WACZ lists (pages/*.jsonl), or None when it lists
    none (then every HTML capture is a page). Read a line at a time: Browsertrix can put each
    page's whole text in its line."""
    urls: set[str] = set()
    listed = False
    for name in sorted(archive.namelist()):
        if not (name.startswith(PAGES_DIR) and name.endswith(".jsonl")):
            continue
        with archive.open(name) as handle:
            for line in handle:
                entry = _json(line)
                if isinstance(entry, dict) and isinstance(entry.get("url"), str):
                    urls.add(normal_url(entry["url"]))
                    listed = True
    return urls if listed else None


def _json(line: bytes) -> object:
    try:
        return json.loads(line)
    except ValueError:
        return None


def normal_url(url: str) -> str:
    """A URL as pages lists and captures are matched: no fragment, scheme and host in lower case,
    an empty path as '/'."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return url
    return urlunsplit(
        (parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", parts.query, "")
    )


class PageList:
    """Which captures of a WACZ are pages: those whose URL the pages list names, and the target
    of a listed URL's redirect (a seed often answers with one)."""

    def __init__(self, urls: set[str]) -> None:
        self.urls = urls

    def __call__(self, url: str) -> bool:
        return normal_url(url) in self.urls

    def follow(self, url: str, location: str) -> None:
        if normal_url(url) in self.urls and location:
            self.urls.add(normal_url(urljoin(url, location)))
