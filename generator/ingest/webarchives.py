"""Stage read (web archives, main process): each .warc, .warc.gz, .arc or .wacz in content/raw/
-> the pages to ingest (WebUnits for the workers), what is no page counted by reason, damaged
records as one line each; an archive an earlier run read is not read again.

What a run read of each WARC is kept in .build/cache/webarchives.marshal: the file's stamp (size,
mtime, inode), and per WARC (a WACZ holds several) the offset after its last whole record, a hash
of the bytes up to there, and the damaged records and failed pages found in them. An unchanged
archive is not opened: its records are counted unchanged and its problems told again. A WARC
that grew (a crawler appended records) is read from where the last run stopped, once the hash
shows the bytes before are the same; any other change reads it again from the start, where a
page whose record is up to date is not ingested again.
"""

from __future__ import annotations

import bisect
import contextlib
import hashlib
import marshal
import shutil
import zipfile
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from generator.errors import Problem
from generator.fingerprint import code_digest
from generator.fsutil import replace_file, stat_stamp
from generator.ingest.wacz import Member, PageList, open_member, page_urls, warc_members
from generator.ingest.warc import Capture, Damaged, Skipped, Window, scan_records
from generator.ingest.webunit import WebUnit
from generator.ingest.write import ExistingRecord, capture_identity, is_up_to_date
from generator.models import Article, IngestResult

STATE_NAME = "webarchives.marshal"
SAME_TEXT = "same text as another capture"
_FORMAT = 1
_BLOCK = 1 << 20


@dataclass(slots=True)
class _Part:
    """What a run knows of one WARC: read up to `end`, whose bytes hash to `prefix`; the lines
    its damaged records and failed pages gave, to be told again while it is unchanged."""

    size: int
    crc: int | None
    end: int = 0
    prefix: str = ""
    problems: list[tuple[str, str]] = field(default_factory=list)  # (stage, message)

    def dump(self) -> list[Any]:
        return [self.size, self.crc, self.end, self.prefix, [list(p) for p in self.problems]]

    @classmethod
    def load(cls, value: Any) -> _Part | None:
        with contextlib.suppress(Exception):
            size, crc, end, prefix, problems = value
            return cls(size, crc, end, prefix, [(str(s), str(m)) for s, m in problems])
        return None


@dataclass(frozen=True, slots=True)
class Pending:
    """A page to ingest and the input hash its record will carry."""

    unit: WebUnit
    current: str


class WebArchives:
    """The web archives of one ingest run (see the module docstring)."""

    def __init__(
        self,
        cache_dir: Path,
        records: Mapping[str, ExistingRecord],
        results: list[IngestResult],
        problems: list[Problem],
        *,
        force: bool = False,
    ) -> None:
        self.state_path = cache_dir / STATE_NAME
        self.work_dir = cache_dir / "wacz-members"
        self.records = records
        self.results, self.problems = results, problems
        self.force = force
        self.skipped: Counter[str] = Counter()
        self._old: dict[str, Any] = {} if force else _load_state(self.state_path)
        self._new: dict[str, Any] = {}
        self._parts: dict[tuple[str, str], _Part] = {}
        self._copies: list[Path] = []
        self._keys: list[str] | None = None
        # The text of every web page on record by address, so that the same text captured again
        # (a second crawl, the same WARC inside a WACZ) makes no second article.
        self._texts = {r.capture: key for key, r in records.items() if r.capture is not None}

    def pages(self, path: str, rel: str) -> Iterator[Pending]:
        """The pages of one archive that need ingesting; the rest is told to results, problems
        and the skip counts as it is found."""
        stamp = stat_stamp(path)
        old = self._old.get(rel)
        parts = {name: _Part.load(value) for name, value in old[1].items()} if old else {}
        unchanged = stamp is not None and old is not None and tuple(old[0]) == stamp
        if unchanged and old is not None and all(p is not None for p in parts.values()):
            self._new[rel] = old
            for name, part in parts.items():
                assert part is not None
                self._keep(path, rel, name, part)
            return
        self._new[rel] = [list(stamp or ()), {}]
        try:
            if rel.lower().endswith(".wacz"):
                yield from self._wacz(path, rel, parts)
            else:
                with Path(path).open("rb") as handle:
                    window = Window(handle, 0, Path(path).stat().st_size)
                    yield from self._warc(path, rel, None, window, (path, 0), parts.get(""))
        except Exception as exc:  # an unreadable file, a broken zip: one line, the run goes on
            del self._new[rel]
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            self.problems.append(
                Problem(path, "read", f"cannot read the web archive ({type(exc).__name__}: {reason})")
            )

    def _wacz(self, path: str, rel: str, parts: Mapping[str, _Part | None]) -> Iterator[Pending]:
        with zipfile.ZipFile(path) as archive:
            urls = page_urls(archive)
            listed = PageList(urls) if urls is not None else None
            for member in warc_members(archive):
                old = parts.get(member.name)
                if old is not None and (old.size, old.crc) == (member.size, member.crc):
                    self._new[rel][1][member.name] = old.dump()
                    self._keep(path, rel, member.name, old)
                    continue
                if member.start is not None:
                    stream: Window | IO[bytes] = open_member(archive, member)
                    location = (path, member.start)
                else:  # deflated in the zip: copied out once, so that workers can seek in it
                    copy = self._copy_out(archive, member)
                    stream, location = copy.open("rb"), (str(copy), 0)
                with contextlib.closing(stream):
                    yield from self._warc(path, rel, member, stream, location, old, listed)

    def _warc(
        self,
        path: str,
        rel: str,
        member: Member | None,
        stream: Window | IO[bytes],
        location: tuple[str, int],
        old: _Part | None,
        listed: PageList | None = None,
    ) -> Iterator[Pending]:
        """The pages of one WARC (a file, or a member of a WACZ) from where the last run stopped."""
        name = member.name if member is not None else ""
        size = member.size if member is not None else _size(stream)
        part = _Part(size, member.crc if member is not None else None)
        if old is not None and 0 < old.end <= size and _digest(stream, old.end) == old.prefix:
            # The same bytes up to where the last run stopped: only what was appended is read.
            part.end = old.end
            part.problems = list(old.problems)
            self._report_unchanged(rel, name)
        self._parts[(rel, name)] = part

        def moved(end: int) -> None:
            part.end = end

        for found in scan_records(stream, part.end, is_page=listed, on_end=moved):
            if isinstance(found, Capture):
                unit = WebUnit(*location, size, rel, member.name if member else None, path, found)
                pending = self._pending(unit)
                if pending is not None:
                    yield pending
            elif isinstance(found, Skipped):
                self.skipped[found.reason] += 1
            else:
                self._damaged(path, name, found, part)
        part.prefix = _digest(stream, part.end)
        self._new[rel][1][name] = part.dump()

    def _pending(self, unit: WebUnit) -> Pending | None:
        current = hashlib.sha256(unit.capture.digest.encode("utf-8", "surrogatepass")).hexdigest()
        record = self.records.get(unit.key)
        if not self.force and (
            is_up_to_date(record, current)
            or (record is not None and record.is_hand_edited and record.input_hash == current)
        ):
            assert record is not None
            self.results.append(IngestResult(unit.key, record.file, "unchanged"))
            return None
        return Pending(unit, current)

    def _damaged(self, path: str, name: str, found: Damaged, part: _Part) -> None:
        inside = f" of {name}" if name else ""
        message = f"record at offset {found.offset}{inside}: {found.message}; the rest of the archive is read"
        part.problems.append(("read", message))
        self.problems.append(Problem(path, "read", message))

    def is_seen(self, article: Article, key: str) -> bool:
        """Whether another record holds this page's text from the same address (then it is
        counted as skipped); else the page's text is remembered as this record's."""
        if article.captured is None:
            return False
        owner = self._texts.setdefault(capture_identity(article.url, article.body), key)
        if owner != key:
            self.skipped[SAME_TEXT] += 1
        return owner != key

    def failed(self, unit: WebUnit, problem: Problem) -> None:
        """A page that did not become a record: its line is told again while nothing changed."""
        name = unit.member or ""
        part = self._parts.get((unit.rel, name))
        if part is not None and unit.rel in self._new:
            part.problems.append((problem.stage, problem.message))
            self._new[unit.rel][1][name] = part.dump()

    def _keep(self, path: str, rel: str, name: str, part: _Part) -> None:
        """An unchanged WARC: nothing is read; its records are unchanged, its problems stand."""
        for stage, message in part.problems:
            self.problems.append(Problem(path, stage, message))
        self._report_unchanged(rel, name)

    def _report_unchanged(self, rel: str, name: str) -> None:
        """Every record that came from this WARC, as unchanged (sorted keys: one bisect each)."""
        if self._keys is None:
            self._keys = sorted(k for k in self.records if "#" in k)
        prefix = "#".join(part for part in (rel, name) if part) + "#"
        at = bisect.bisect_left(self._keys, prefix)
        while at < len(self._keys) and self._keys[at].startswith(prefix):
            key = self._keys[at]
            self.results.append(IngestResult(key, self.records[key].file, "unchanged"))
            at += 1

    def _copy_out(self, archive: zipfile.ZipFile, member: Member) -> Path:
        self.work_dir.mkdir(parents=True, exist_ok=True)
        suffix = ".warc.gz" if member.name.endswith(".gz") else ".warc"
        digest = hashlib.blake2b(f"{archive.filename}:{member.name}".encode(), digest_size=8)
        target = self.work_dir / f"{digest.hexdigest()}{suffix}"
        with archive.open(member.name) as source, target.open("wb") as copy:
            shutil.copyfileobj(source, copy, _BLOCK)
        self._copies.append(target)
        return target

    def save(self) -> None:
        data = marshal.dumps(([_FORMAT, code_digest()], self._new))
        with contextlib.suppress(OSError):  # a state that cannot be written costs time only
            replace_file(self.state_path, data)

    def close(self) -> None:
        """Remove the WACZ members copied out for the workers (after they are done)."""
        for copy in self._copies:
            copy.unlink(missing_ok=True)
        self._copies.clear()


def _size(stream: Window | IO[bytes]) -> int:
    if isinstance(stream, Window):
        return stream.size
    stream.seek(0, 2)
    return stream.tell()


def _digest(stream: Window | IO[bytes], end: int) -> str:
    """sha256 of the first `end` bytes: the part of a WARC a later run may skip."""
    digest = hashlib.sha256()
    stream.seek(0)
    left = end
    while left > 0:
        block = stream.read(min(_BLOCK, left))
        if not block:
            break
        digest.update(block)
        left -= len(block)
    return digest.hexdigest()


def _load_state(path: Path) -> dict[str, Any]:
    with contextlib.suppress(Exception):  # missing or damaged: every archive is read again
        key, entries = marshal.loads(path.read_bytes())
        if key == [_FORMAT, code_digest()] and isinstance(entries, dict):
            return entries
    return {}

