"""Config: defaults, then newsarchive.toml, then CLI flags, validated once into a frozen record."""

from __future__ import annotations

import difflib
import importlib.util
import re
import tomllib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from generator.errors import ConfigError

CONFIG_NAME = "newsarchive.toml"
PACKAGE_DIR = Path(__file__).resolve().parent
# The preview's address: the base_url of an archive that has not said where it is published.
DEFAULT_BASE_URL = "http://127.0.0.1:8000/"


def default_theme_dir() -> Path:
    """The default theme: the repo's templates/ in a checkout, generator/_theme in a wheel."""
    packaged = PACKAGE_DIR / "_theme"
    if packaged.is_dir():
        return packaged
    return PACKAGE_DIR.parent / "templates"


@dataclass(frozen=True, slots=True)
class Config:
    """Everything a run needs to know; built once by load_config() and passed down."""

    root: Path
    # Site identity, used in page titles, feeds and the sitemap.
    title: str = "News archive"
    description: str = "An annotated archive of collected news articles."
    # Absolute address the site is published at; feeds and the sitemap need absolute URLs.
    # Its path part (e.g. /sub/path/) is honoured: pages link relatively so they work anywhere.
    base_url: str = "http://127.0.0.1:8000/"  # DEFAULT_BASE_URL
    language: str = "en"
    # Articles per page on the front page.
    per_page: int = 20
    # Entries in the Atom feed.
    feed_items: int = 20
    raw_dir: Path = Path("content/raw")
    articles_dir: Path = Path("content/articles")
    site_dir: Path = Path("site")
    # An archive's templates/ overrides the default theme file by file.
    templates_dir: Path = Path("templates")
    # Inputs larger than this are rejected with a message instead of being read.
    max_input_mb: float = 20.0
    # Python-Markdown extensions used to render bodies (raw HTML is never passed through).
    markdown_extensions: tuple[str, ...] = ("sane_lists", "tables")
    # Words in a generated summary.
    summary_words: int = 60
    # Build the Pagefind index readers search on a static host (site/pagefind/).
    static_search: bool = True
    # Articles per Pagefind bundle. Pagefind holds an index in memory while writing it (about
    # 280 MB per 1,000 articles): a larger archive is indexed as several bundles, one after
    # another, which the search page merges.
    search_shard_pages: int = 20000
    # Links written to folders' index.html (articles/x/index.html, not articles/x/), so the built
    # site can be opened straight from disk (file://); search still needs a web server.
    relative_files: bool = False
    # The article page's "Removed from the source" panel shows readers' comments (with their
    # usernames) and spam only as counts by kind unless this is true; the record keeps them all.
    show_comments_and_spam: bool = False

    @property
    def has_base_url(self) -> bool:
        """Whether base_url names where the site is published (not the preview's default)."""
        return self.base_url != DEFAULT_BASE_URL

    @property
    def build_dir(self) -> Path:
        return self.root / ".build"

    @property
    def index_dir(self) -> Path:
        return self.build_dir / "whoosh"

    @property
    def theme_dirs(self) -> tuple[Path, ...]:
        """Template search path: the archive's overrides first, then the default theme."""
        dirs = [self.templates_dir, default_theme_dir()]
        unique: list[Path] = []
        for d in dirs:
            if d.is_dir() and d.resolve() not in [u.resolve() for u in unique]:
                unique.append(d)
        return tuple(unique)

    @property
    def max_input_bytes(self) -> int:
        return int(self.max_input_mb * 1024 * 1024)


_PATH_KEYS = {"raw_dir", "articles_dir", "site_dir", "templates_dir"}
_LANGUAGE = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8}){0,3}")
_KEYS = {f.name: f for f in fields(Config) if f.name != "root"}


def _check_value(key: str, value: Any) -> tuple[Any, str | None]:
    """Coerce one config value to its type; return (value, problem or None)."""
    if key in _PATH_KEYS:
        if not isinstance(value, str) or not value.strip():
            return None, f"{key}: must be a non-empty path string (got {value!r})"
        return Path(value), None
    if key in {"per_page", "feed_items", "summary_words", "search_shard_pages"}:
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            return None, f"{key}: must be a whole number of at least 1 (got {value!r})"
        return value, None
    if key == "max_input_mb":
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            return None, f"{key}: must be a positive number (got {value!r})"
        return float(value), None
    if key == "markdown_extensions":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return None, f"{key}: must be a list of extension names (got {value!r})"
        missing = [v for v in value if not _markdown_extension_exists(v)]
        if missing:
            return None, f"{key}: unknown Markdown extension(s) {', '.join(missing)}"
        return tuple(value), None
    if key in {"static_search", "relative_files", "show_comments_and_spam"}:
        if not isinstance(value, bool):
            return None, f"{key}: must be true or false (got {value!r})"
        return value, None
    if key == "base_url":
        parts = urlsplit(value) if isinstance(value, str) else None
        if parts is None or parts.scheme not in {"http", "https"} or not parts.netloc:
            return None, f"base_url: must be an absolute http(s) URL (got {value!r})"
        return value if value.endswith("/") else value + "/", None
    if key == "language":
        # A BCP 47 tag (en, pt-BR, zh-Hant-TW): it goes into every page's <html lang> and to
        # Pagefind, which panics on a long one and failed the whole build.
        if not isinstance(value, str) or not _LANGUAGE.fullmatch(value):
            shown = repr(value) if len(repr(value)) <= 40 else repr(value)[:37] + "..."
            return None, f"language: must be a language tag such as 'en' or 'pt-BR' (got {shown})"
        return value, None
    if not isinstance(value, str):
        return None, f"{key}: must be a string (got {value!r})"
    return value, None


def _markdown_extension_exists(name: str) -> bool:
    if "." in name:
        return importlib.util.find_spec(name.rsplit(":", 1)[0]) is not None
    return importlib.util.find_spec(f"markdown.extensions.{name}") is not None


def _folder_problems(root: Path, folders: dict[str, Any]) -> list[str]:
    """What is wrong with where the folders are (at most one line per folder key). The site
    folder is replaced whole by every build, so it must be a folder of its own inside the
    archive: never the archive itself, a folder holding sources (raw inputs, records,
    templates, the build's caches), nor inside one. Records are written too: inside the archive."""
    problems: list[str] = []
    site, articles = folders["site_dir"], folders["articles_dir"]
    sources = {
        "raw_dir": folders["raw_dir"],
        "articles_dir": articles,
        "templates_dir": folders["templates_dir"],
        "the build cache": root / ".build",
    }
    if site == root:
        problems.append("site_dir: must not be the archive root (it is replaced on every build)")
    elif root not in site.parents:
        problems.append(
            f"site_dir: {site} is outside the archive {root}; every build replaces the "
            "whole folder, so it must be one of the archive's own (the default is 'site')"
        )
    else:
        for name, source in sources.items():
            if site == source or site in source.parents or source in site.parents:
                problems.append(
                    f"site_dir: {site} must not overlap {source} ({name}): every build "
                    "replaces the whole site folder"
                )
                break
    if root not in articles.parents:
        problems.append(
            f"articles_dir: {articles} is outside the archive {root}; records are written "
            "there, so it must be one of the archive's own folders"
        )
    return problems


def load_config(root: Path, overrides: dict[str, Any] | None = None) -> Config:
    """Read ROOT/newsarchive.toml (optional), apply overrides, validate, resolve paths.

    Raises ConfigError listing every problem when anything is wrong.
    """
    root = root.resolve()
    path = root / CONFIG_NAME
    problems: list[str] = []
    raw: dict[str, Any] = {}
    if path.is_file():
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(path, [f"not valid TOML: {exc}"]) from exc
    elif not root.is_dir():
        raise ConfigError(None, [f"--root: {root} is not a folder"])
    raw.update(overrides or {})

    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in _KEYS:
            close = difflib.get_close_matches(key, list(_KEYS), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            problems.append(f"{key}: unknown key{hint}")
            continue
        checked, problem = _check_value(key, value)
        if problem:
            problems.append(problem)
        else:
            values[key] = checked

    for key in _PATH_KEYS:
        rel = values.get(key, _KEYS[key].default)
        values[key] = (root / rel).resolve()
    problems.extend(_folder_problems(root, values))
    if problems:
        raise ConfigError(path if path.is_file() else None, problems)
    return Config(root=root, **values)
