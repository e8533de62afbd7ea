"""Stage load: content/articles/*.md -> validated Article records (bad files reported and skipped)."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from generator.boundary import (
    MAX_NAMES,
    MAX_QUOTES,
    MAX_TAGS,
    clean_text,
    date_problem,
    is_slug,
    schema_problem,
)
from generator.errors import ArticleError, Problem
from generator.filecache import FileCache, stamp_of
from generator.frontmatter import mapping_to_article, split_front_matter
from generator.fsutil import tree_files
from generator.ingest.extract import slugify
from generator.models import Article
from generator.slugs import UniqueSlugs

_DEFAULTS: dict[str, Any] = {
    "title_source": "editor",
    "date": None,
    "authors": [],
    "contributors": [],
    "photo_credits": [],
    "removed": [],
}


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
    data, body, _ = split_front_matter(text, path)  # plain data, clean text
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
    schema = schema_problem(filled)
    problem, hint = (schema, _HINT) if schema else (_value_problem(filled) or (None, ""))
    if problem:
        raise ArticleError(path, "load", problem, hint, line=1)
    if not isinstance(data.get("source"), dict):
        filled.pop("source", None)
    return mapping_to_article(filled, clean_text(body), path, default_slug)


# Lists each of whose items becomes a page or a link, with the most a record may hold.
_LIMITS = {
    "tags": MAX_TAGS,
    "people": MAX_NAMES,
    "organizations": MAX_NAMES,
    "places": MAX_NAMES,
    "quotes": MAX_QUOTES,
}


_HINT = "Fix the value in the front matter"


def _value_problem(data: dict[str, Any]) -> tuple[str, str] | None:
    """(problem, fix) for what the schema cannot say: a date that names no real day (or is not
    ISO 8601), a slug that is not one folder name, lists too long to publish. Each becomes part
    of a path or a page, so it is checked before anything uses it."""
    problem = date_problem(data.get("date"))
    if problem:
        return problem, "Write it as YYYY-MM-DD, or remove the line for an undated article"
    slug = data.get("slug")
    if isinstance(slug, str) and not is_slug(slug):
        shown = repr(slug) if len(slug) <= 60 else repr(slug[:57]) + "..."
        return f"slug: {shown} is not a slug", "Use lower-case letters, digits and single hyphens"
    for key, most in _LIMITS.items():
        value = data.get(key)
        if isinstance(value, list) and len(value) > most:
            return f"{key}: {len(value):,} items, over {most:,}", "Keep the ones readers need"
    return None


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
    taken = UniqueSlugs()
    unique: list[Article] = []
    for article in articles:
        slug = taken.claim(article.slug)
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
        unique.append(article)
    return tuple(sort_newest_first(unique)), problems


def sort_newest_first(articles: list[Article] | tuple[Article, ...]) -> list[Article]:
    dated = sorted(
        (a for a in articles if a.date), key=lambda a: (a.date or "", a.slug), reverse=True
    )
    undated = sorted((a for a in articles if not a.date), key=lambda a: a.slug)
    return dated + undated
