"""Stage write (ingest): Article -> Markdown file in content/articles/, never clobbering a hand edit."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator import __version__
from generator.errors import ArticleError
from generator.filecache import FileCache, stamp_of
from generator.frontmatter import (
    article_to_mapping,
    dump_article_text,
    is_hand_edited,
    split_front_matter,
    with_generated,
)
from generator.fsutil import atomic_write_text
from generator.models import Article, IngestResult

GENERATOR_TAG = f"newsarchive {__version__}"


@dataclass(frozen=True, slots=True)
class ExistingRecord:
    """An article file already in content/articles/ that came from a raw input."""

    path: Path
    slug: str
    input_hash: str | None
    generated_by: str | None
    is_hand_edited: bool


def input_hash(raw_path: Path) -> str:
    """Hash of a raw file plus its sidecar, so a sidecar edit also triggers re-ingest."""
    digest = hashlib.sha256(raw_path.read_bytes())
    for suffix in (".json", ".yaml", ".yml"):
        side = raw_path.with_suffix(suffix)
        if side.is_file():
            digest.update(suffix.encode() + side.read_bytes())
    return digest.hexdigest()


def scan_records(
    articles_dir: Path, cache: FileCache | None = None
) -> tuple[dict[str, ExistingRecord], set[str], set[Path]]:
    """Index existing article files: by raw path, plus every slug and file name in use.

    Files that cannot be parsed are left alone here; the build reports them. With a cache, a
    file whose stamp is unchanged is not parsed again.
    """
    by_raw: dict[str, ExistingRecord] = {}
    slugs: set[str] = set()
    files: set[Path] = set()
    if not articles_dir.is_dir():
        return by_raw, slugs, files
    for path in sorted(articles_dir.rglob("*.md")):
        files.add(path)
        cached = cache.get(path) if cache is not None else None
        if isinstance(cached, tuple):
            slug, record = cached
        else:
            stamp = stamp_of(path)
            try:
                slug, record = _scan_one(path)
            except (ArticleError, UnicodeDecodeError, OSError):
                continue
            if cache is not None:
                cache.put(path, (slug, record), stamp)
        if slug is not None:
            slugs.add(slug)
        if record is not None:
            by_raw[record[0]] = record[1]
    return by_raw, slugs, files


def _scan_one(path: Path) -> tuple[str | None, tuple[str, ExistingRecord] | None]:
    """A record's slug, and (raw path, what ingest needs) when it came from a raw input."""
    text = path.read_text(encoding="utf-8")
    data, _, _ = split_front_matter(text, path)
    slug = data.get("slug")
    slug = slug if isinstance(slug, str) else None
    source = data.get("source")
    if not isinstance(source, Mapping) or not isinstance(source.get("path"), str):
        return slug, None
    generated: Any = data.get("generated") if isinstance(data.get("generated"), Mapping) else {}
    record = ExistingRecord(
        path=path,
        slug=slug if slug is not None else path.stem,
        input_hash=generated.get("input"),
        generated_by=generated.get("by"),
        is_hand_edited=is_hand_edited(text, data),
    )
    return slug, (source["path"], record)


def is_up_to_date(record: ExistingRecord | None, current_input_hash: str) -> bool:
    return (
        record is not None
        and record.input_hash == current_input_hash
        and record.generated_by == GENERATOR_TAG
    )


def render_record(article: Article, current_input_hash: str) -> str:
    data = article_to_mapping(article)
    return with_generated(data, article.body, GENERATOR_TAG, {"input": current_input_hash})


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
    text = render_record(article, current_input_hash)
    if record is not None and record.is_hand_edited:
        new_path = record.path.with_name(record.path.name + ".new")
        atomic_write_text(new_path, text)
        return IngestResult(
            raw_rel,
            record.path,
            "kept-edited",
            f"{record.path.name} was edited by hand and kept; the new version is in {new_path.name}",
        )
    if target.is_file() and target.read_text(encoding="utf-8") == text:
        return IngestResult(raw_rel, target, "unchanged")
    atomic_write_text(target, text)
    return IngestResult(raw_rel, target, "written")


def preview_text(article: Article) -> str:
    """The record as it would be written, without the generated block (for tests and diffs)."""
    return dump_article_text(article_to_mapping(article), article.body)
