"""Stage write (ingest): Article -> Markdown file in content/articles/, never clobbering a hand edit."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping, Set
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from generator import __version__
from generator.boundary import (
    MAX_NAMES,
    MAX_QUOTES,
    MAX_TAGS,
    RecordValueError,
    bounded_removed,
    clean_text,
    plain,
    schema_problem,
)
from generator.errors import ArticleError, Problem
from generator.filecache import Stamp, StampCache
from generator.frontmatter import (
    article_to_mapping,
    dump_article_text,
    is_hand_edited,
    split_front_matter,
    with_generated,
)
from generator.fsutil import atomic_write_text, stat_stamp, tree_files
from generator.models import Article, IngestResult, record_key
from generator.slugs import UniqueSlugs

GENERATOR_TAG = f"newsarchive {__version__}"


@dataclass(frozen=True, slots=True)
class ExistingRecord:
    """An article file already in content/articles/ that came from a raw input."""

    file: str  # its path (a str: a scan makes one per record, and a Path costs 10x as much)
    slug: str
    input_hash: str | None
    generated_by: str | None
    is_hand_edited: bool
    # A web archive page's URL and text digest (capture_identity): the same text captured
    # again makes no second record.
    capture: str | None = None

    @property
    def path(self) -> Path:
        return Path(self.file)


@dataclass(frozen=True, slots=True)
class RecordScan:
    """content/articles/ as ingest found it: records by raw path, every slug and record file in
    use, and each record file's stamp when scanned (stat_stamp; the build reuses them)."""

    by_raw: dict[str, ExistingRecord]
    slugs: set[str]
    files: set[str]
    stamps: dict[str, Stamp | None]


SIDECARS = (".json", ".yaml", ".yml")


def input_hash(
    raw_path: str, cache: StampCache | None = None, names: Set[str] | None = None
) -> str:
    """Hash of a raw file plus its sidecar, so a sidecar edit also triggers re-ingest.

    With a cache, the hash is reused while the file and its sidecars keep their stamps; `names`
    (every file path of the raw folder) saves looking for sidecars one by one.
    """
    sides = []
    base = os.path.splitext(raw_path)[0]  # noqa: PTH122 - pathlib costs 10x, per file
    for suffix in SIDECARS:
        candidate = base + suffix
        if (candidate in names) if names is not None else os.path.isfile(candidate):  # noqa: PTH113
            sides.append((suffix, candidate))
    stamp = (stat_stamp(raw_path), tuple(stat_stamp(side) for _, side in sides))
    if cache is not None:
        known = cache.get(raw_path, stamp)
        if isinstance(known, str):
            return known
    with open(raw_path, "rb") as handle:  # noqa: PTH123 - a str path, per file
        digest = hashlib.file_digest(handle, "sha256")  # in blocks: an input may be huge
    for suffix, side in sides:
        digest.update(suffix.encode() + Path(side).read_bytes())
    value = digest.hexdigest()
    if cache is not None and stamp[0] is not None:
        cache.put(raw_path, stamp, value)
    return value


def scan_records(articles_dir: Path, cache: StampCache | None = None) -> RecordScan:
    """Index existing article files: by raw path, plus every slug and file name in use.

    Files that cannot be parsed are left alone here; the build reports them. With a cache, a
    file whose stamp is unchanged is not parsed again.
    """
    scan = RecordScan({}, set(), set(), {})
    by_raw, slugs, stamps = scan.by_raw, scan.slugs, scan.stamps
    for parts, name in tree_files(articles_dir):
        if not parts[-1].endswith(".md"):
            continue
        scan.files.add(name)
        stamp = stamps[name] = stat_stamp(name)
        cached = cache.get(name, stamp) if cache is not None else None
        if isinstance(cached, tuple):
            slug, found = cached
        else:
            try:
                slug, record = _scan_one(Path(name))
            except (ArticleError, UnicodeDecodeError, OSError):
                continue
            found = None if record is None else (record[0], *_fields(record[1]))
            if cache is not None:
                cache.put(name, stamp, (slug, found))
        if slug is not None:
            slugs.add(slug)
        if found is not None:
            raw, slug_of, input_of, by, edited, capture = found
            by_raw[raw] = ExistingRecord(name, slug_of, input_of, by, edited, capture)
    return scan


def _fields(record: ExistingRecord) -> tuple[str, str | None, str | None, bool, str | None]:
    return (
        record.slug,
        record.input_hash,
        record.generated_by,
        record.is_hand_edited,
        record.capture,
    )


def scanned(article: Article, raw_rel: str, current_input_hash: str) -> tuple[Any, ...]:
    """The scan cache's value for a record write_record has just written for `article`."""
    capture = capture_identity(article.url, article.body) if article.captured else None
    return (
        article.slug,
        (raw_rel, article.slug, current_input_hash, GENERATOR_TAG, False, capture),
    )


def capture_identity(url: str | None, body: str) -> str:
    """A web page's URL with a digest of its text, spacing aside: two captures with the same
    identity are the same article, however much the page around the text changed."""
    text = " ".join(body.split())
    return f"{url or ''}\n{hashlib.sha256(text.encode('utf-8', 'surrogatepass')).hexdigest()}"


def _scan_one(path: Path) -> tuple[str | None, tuple[str, ExistingRecord] | None]:
    """A record's slug, and (raw path, what ingest needs) when it came from a raw input."""
    text = path.read_text(encoding="utf-8")
    data, body, _ = split_front_matter(text, path)
    slug = data.get("slug")
    slug = slug if isinstance(slug, str) else None
    source = data.get("source")
    if not isinstance(source, Mapping) or not isinstance(source.get("path"), str):
        return slug, None
    url, captured = data.get("url"), data.get("captured")
    web = [source.get("member"), source.get("record")]
    generated: Any = data.get("generated") if isinstance(data.get("generated"), Mapping) else {}
    record = ExistingRecord(
        file=str(path),
        slug=slug if slug is not None else path.stem,
        input_hash=generated.get("input"),
        generated_by=generated.get("by"),
        is_hand_edited=is_hand_edited(text, data),
        capture=capture_identity(url, body) if captured and isinstance(url, str) else None,
    )
    key = record_key(source["path"], *(str(w) if w is not None else None for w in web))
    return slug, (key, record)


def is_up_to_date(record: ExistingRecord | None, current_input_hash: str) -> bool:
    return (
        record is not None
        and record.input_hash == current_input_hash
        and record.generated_by == GENERATOR_TAG
    )


# Lists each of whose items becomes a page or a link: (key, most kept, what one item is).
_BOUNDED = (
    ("tags", MAX_TAGS, "tags"),
    ("people", MAX_NAMES, "people"),
    ("organizations", MAX_NAMES, "organizations"),
    ("places", MAX_NAMES, "places"),
    ("quotes", MAX_QUOTES, "quotes"),
)


def record_mapping(article: Article) -> tuple[dict[str, Any], tuple[str, ...]]:
    """The record boundary: the article's front matter as plain data, bounded, checked against
    the schema; with a note for each cut. Raises ArticleError (stage write) for a value the
    schema refuses: a bug in a stage, reported for this input alone."""
    try:
        data: dict[str, Any] = plain(article_to_mapping(article))
    except RecordValueError as exc:
        raise ArticleError(article.source_file, "write", f"not plain data: {exc}") from exc
    notes: list[str] = []
    for key, most, what in _BOUNDED:
        if len(data.get(key) or ()) > most:
            notes.append(f"{len(data[key]):,} {what}; the record keeps the first {most:,}")
            data[key] = data[key][:most]
    data["removed"] = bounded_removed(data["removed"])
    problem = schema_problem(data)
    if problem:
        raise ArticleError(
            article.source_file,
            "write",
            f"the record would not be valid ({problem})",
            "This is a bug in newsarchive: please report it with the input",
        )
    return data, tuple(notes)


def render_record(article: Article, current_input_hash: str) -> tuple[str, tuple[str, ...]]:
    """The record file's text and the notes of what the boundary cut."""
    data, notes = record_mapping(article)
    body = clean_text(article.body)
    text = with_generated(data, body, GENERATOR_TAG, {"input": current_input_hash})
    return text, notes


def write_record(
    article: Article,
    raw_rel: str,
    record: ExistingRecord | None,
    target: Path,
    current_input_hash: str,
) -> IngestResult:
    """Write one article file atomically; a hand-edited file gets a '.md.new' sibling instead.

    Raises OSError when the disk refuses the write (the caller reports it).
    """
    text, notes = render_record(article, current_input_hash)
    if record is not None and record.is_hand_edited:
        new_path = record.path.with_name(record.path.name + ".new")
        atomic_write_text(new_path, text)
        return IngestResult(
            raw_rel,
            record.file,
            "kept-edited",
            f"{record.path.name} was edited by hand and kept; the new version is in {new_path.name}",
            notes,
        )
    if target.is_file() and target.read_text(encoding="utf-8") == text:
        return IngestResult(raw_rel, str(target), "unchanged", notes=notes)
    atomic_write_text(target, text)
    return IngestResult(raw_rel, str(target), "written", notes=notes)


class RecordWriter:
    """Stage write (in the main process, in input order): a slug and a file name for each new
    article, then its record. Slugs and file names are claimed in O(1) each (UniqueSlugs)."""

    def __init__(self, scan: RecordScan, articles_dir: Path, cache: StampCache) -> None:
        self.records = scan.by_raw
        self.cache = cache
        self.files = scan.files
        self.slugs = UniqueSlugs(scan.slugs)
        self.stems = UniqueSlugs(Path(f).stem for f in scan.files)
        self.articles_dir = articles_dir

    def write(self, article: Article, rel: str, current: str) -> tuple[IngestResult, list[Problem]]:
        """Write an ingested article: its record's slug and file when it has one, else a free
        slug and file name. Returns what was done and any warning. Raises OSError when the disk
        refuses, ArticleError when the record would not be valid (a bug: every value is made
        plain and checked before it is dumped)."""
        from generator.ingest.extract import slugify

        record = self.records.get(rel)
        if record is not None:
            article, target = replace(article, slug=record.slug), record.path
        else:
            article = replace(article, slug=self.slugs.free(slugify(article.slug)))
            target = self.articles_dir / f"{article.slug}.md"
            if str(target) in self.files:
                target = self.articles_dir / f"{self.stems.free(article.slug)}.md"
        result = write_record(article, rel, record, target, current)
        self.slugs.add(article.slug)
        self.stems.add(target.stem)
        self.files.add(str(target))
        warnings = [
            Problem(str(article.source_file), "write", note, is_warning=True)
            for note in result.notes
        ]
        if result.action == "kept-edited":
            warnings.append(
                Problem(str(result.article_path), "ingest", result.message, is_warning=True)
            )
        elif result.action == "written":
            # What scan_records would read back from the file (the slug as written, not as
            # extracted): the next run need not parse it.
            name = str(target)
            self.cache.put(name, stat_stamp(name), scanned(article, rel, current))
        return result, warnings


def preview_text(article: Article) -> str:
    """The record as it would be written, without the generated block (for tests and diffs)."""
    return dump_article_text(record_mapping(article)[0], clean_text(article.body))
