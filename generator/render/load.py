"""Stage load: content/articles/*.md -> validated Article records (bad files reported and skipped)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import replace
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import fastjsonschema

from generator.errors import ArticleError, Problem
from generator.filecache import FileCache, stamp_of
from generator.frontmatter import mapping_to_article, split_front_matter
from generator.fsutil import tree_files
from generator.ingest.extract import slugify
from generator.models import Article

_DEFAULTS: dict[str, Any] = {
    "title_source": "editor",
    "date": None,
    "authors": [],
    "contributors": [],
    "photo_credits": [],
    "removed": [],
}


@cache
def _schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(
        resources.files("generator").joinpath("data/article.schema.json").read_text("utf-8")
    )
    return schema


@cache
def _validator() -> Any:
    # Only asked to word the message for a record that failed the compiled check.
    import jsonschema

    return jsonschema.Draft202012Validator(_schema())


@cache
def _is_valid() -> Callable[[Any], bool]:
    """A compiled check (fastjsonschema), 20x faster than jsonschema's; the schema uses only
    keywords that mean the same in draft 7 and 2020-12. jsonschema still words the message
    for a record that fails (tests/render/test_load.py checks the two agree)."""
    draft7 = {**_schema(), "$schema": "http://json-schema.org/draft-07/schema#"}
    check = fastjsonschema.compile(draft7)

    def is_valid(data: Any) -> bool:
        try:
            check(data)
        except fastjsonschema.JsonSchemaException:
            return False
        return True

    return is_valid


def _plain(value: Any) -> Any:
    """YAML dates and datetimes become ISO strings, as the schema (and JSON) expect."""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def find_article_files(articles_dir: Path) -> Iterator[Path]:
    """Every record file (*.md, not hidden or starting with '_') under articles_dir, sorted."""
    for name in article_file_names(articles_dir):
        yield Path(name)


def article_file_names(articles_dir: Path) -> list[str]:
    """find_article_files as str paths (a large archive's scan makes one per record)."""
    return [path for parts, path in tree_files(articles_dir) if _is_record_name(parts[-1])]


def is_article_file(path: str) -> bool:
    """Whether a file path of articles_dir's tree is a record (what find_article_files lists)."""
    return _is_record_name(os.path.basename(path))  # noqa: PTH119 - a str, per record


def _is_record_name(name: str) -> bool:
    return name.endswith(".md") and not name.startswith((".", "_"))


def load_article(path: Path, articles_dir: Path, raw: bytes | None = None) -> Article:
    """Parse and validate one article file, filling defaults for hand-written ones. `raw`: the
    file's bytes, when the caller has read them (the preview parses exactly what it checked).

    Raises ArticleError naming the file, the field and how to fix it.
    """
    try:
        if raw is None:
            text = path.read_text(encoding="utf-8")
        else:  # as read_text does: newlines universal
            text = raw.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
    except UnicodeDecodeError as exc:
        raise ArticleError(path, "load", "file is not UTF-8 text", "Save it as UTF-8") from exc
    data, body, _ = split_front_matter(text, path)
    data = _plain(data)
    if "title" not in data:
        raise ArticleError(
            path,
            "load",
            "front matter has no 'title'",
            "Add a line 'title: ...' to the front matter",
            line=1,
        )
    default_slug = slugify(
        path.relative_to(articles_dir).with_suffix("").as_posix().replace("/", "-")
    )
    filled = {**_DEFAULTS, "slug": default_slug, **data}
    filled.setdefault(
        "source", {"path": "", "sha256": hashlib.sha256(text.encode()).hexdigest(), "format": "md"}
    )
    errors = (
        []
        if _is_valid()(filled)
        else sorted(_validator().iter_errors(filled), key=lambda e: list(e.absolute_path))
    )
    if errors:
        error = errors[0]
        where = ".".join(str(p) for p in error.absolute_path) or "front matter"
        message = error.message if len(error.message) <= 160 else error.message[:157] + "..."
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise ArticleError(
            path, "load", f"{where}: {message}{more}", "Fix the value in the front matter", line=1
        )
    if not isinstance(data.get("source"), dict):
        filled.pop("source", None)
    return mapping_to_article(filled, body, path, default_slug)


def load_articles(
    articles_dir: Path,
    on_progress: Callable[[int, int], None] | None = None,
    cache: FileCache | None = None,
) -> tuple[tuple[Article, ...], list[Problem]]:
    """All loadable articles, newest first, with unique slugs; problems for the rest.

    With a cache, a file whose stamp is unchanged since it was last loaded is not parsed again.
    """
    files = list(find_article_files(articles_dir))
    articles: list[Article] = []
    problems: list[Problem] = []
    for done, path in enumerate(files, 1):
        if on_progress:
            on_progress(done, len(files))
        cached = cache.get(path) if cache is not None else None
        if isinstance(cached, Article):
            articles.append(cached)
            continue
        stamp = stamp_of(path)
        try:
            article = load_article(path, articles_dir)
        except ArticleError as exc:
            problems.append(Problem.from_error(exc))
            continue
        if cache is not None:
            cache.put(path, article, stamp)
        articles.append(article)
    taken: set[str] = set()
    unique: list[Article] = []
    for article in articles:
        slug, n = article.slug, 2
        while slug in taken:
            slug = f"{article.slug}-{n}"
            n += 1
        if slug != article.slug:
            problems.append(
                Problem(
                    str(article.source_file),
                    "load",
                    f"slug {article.slug!r} is used by another article; published as {slug!r}",
                    is_warning=True,
                )
            )
            article = replace(article, slug=slug)
        taken.add(slug)
        unique.append(article)
    return tuple(sort_newest_first(unique)), problems


def sort_newest_first(articles: list[Article] | tuple[Article, ...]) -> list[Article]:
    dated = sorted(
        (a for a in articles if a.date), key=lambda a: (a.date or "", a.slug), reverse=True
    )
    undated = sorted((a for a in articles if not a.date), key=lambda a: a.slug)
    return dated + undated
