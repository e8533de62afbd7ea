"""Stage plan (incremental): the last build's pages, kept so a small change re-plans nothing.

Planning 10,000 articles and fingerprinting their 15,000 pages takes seconds of Python. Most
edits change no structure: the same articles, dates and entity names, so the same pages listing
the same articles; only what a page shows of some of them (a title, a body) differs. The plan
of the last build is therefore kept page by page in .build/cache/plan.sqlite, with an index from
each article to the pages that reference it, the digests of every article those pages were
fingerprinted with, and the archive annotations their article pages were planned with. When the
structure key (code, config, templates, every article's slug, date and entity names) is the
same, a build takes the stored plan, re-plans the article pages whose links or related articles
changed, and fingerprints only the pages referencing an article whose digests moved.

The stored plan is tied to the manifest by a generation number: a build that changes it writes
the new generation in the same commit that follows the site swap (the manifest is saved last),
so a build killed in between leaves no manifest, and the next build plans in full.
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import os
import pickle
import sqlite3
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generator.fingerprint import code_digest
from generator.render.manifest import (
    MANIFEST_NAME,
    Manifest,
    load_manifest,
    site_identity,
    template_digests,
)
from generator.render.plan import (
    AnalysisRef,
    ArticlePages,
    ArticleRef,
    article_links,
    article_pages,
    article_url,
    plan_site,
)
from generator.render.sqlitefile import connect_wal

if TYPE_CHECKING:
    import jinja2

    from generator.annotate.links import ArchiveAnnotation
    from generator.config import Config
    from generator.models import Page
    from generator.render.catalog import Catalog, Entry

PLAN_NAME = "plan.sqlite"
SEARCH_PAGE = "search/index.html"  # the one page that names the Pagefind delta bundle
_BATCH = 500


def structure_key(config: Config, entries: Sequence[Entry], templates: Mapping[str, str]) -> str:
    """Digest of everything the set of pages and their article lists depend on (not the name of
    the Pagefind delta bundle, which changes with every edit and shows on the search page only:
    _reuse patches that page)."""
    rows = [
        (
            e.slug,
            e.date,
            e.people,
            e.organizations,
            e.places,
            e.tags,
            e.authors,
            e.quotes > 0,
            e.annotated,
            (e.url, e.captured) if e.captured else None,
        )
        for e in entries
    ]
    parts = (code_digest(), repr(config), sorted(templates.items()), rows)
    # Version 2: later versions write shared objects as back-references, so equal values can
    # give different bytes.
    return hashlib.blake2b(marshal.dumps(parts, 2), digest_size=16).hexdigest()


def referenced(page: Page) -> set[str]:
    """Slugs whose card or analysis the page's context references."""
    found: set[str] = set()
    _walk(page.context, found)
    return found


_ATOMS = (str, int, float, type(None), bytes)


def _walk(value: Any, found: set[str]) -> None:
    if isinstance(value, _ATOMS):  # most values: answered before the slower checks
        return
    if isinstance(value, ArticleRef | AnalysisRef):
        found.add(value.slug)
    elif isinstance(value, tuple | list):
        for item in value:
            if not isinstance(item, _ATOMS):
                _walk(item, found)
    elif isinstance(value, dict | Mapping):  # dict first: the ABC check is slow
        for item in value.values():
            if not isinstance(item, _ATOMS):
                _walk(item, found)
    elif hasattr(value, "__dataclass_fields__") and not isinstance(value, type):
        for name in value.__dataclass_fields__:
            _walk(getattr(value, name), found)


class PlanDB:
    """The stored plan (see the module docstring)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._connection: sqlite3.Connection | None = None
        self._pid = 0

    def _db(self) -> sqlite3.Connection:
        if self._connection is None or self._pid != os.getpid():
            db = connect_wal(self.path)
            db.execute("CREATE TABLE IF NOT EXISTS page (path TEXT PRIMARY KEY, page BLOB)")
            db.execute("CREATE TABLE IF NOT EXISTS ref (slug TEXT, path TEXT)")
            db.execute("CREATE INDEX IF NOT EXISTS ref_slug ON ref (slug)")
            db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value BLOB)")
            self._connection, self._pid = db, os.getpid()
        return self._connection

    def _meta(self, key: str) -> Any | None:
        row = self._db().execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        if row is None:
            return None
        with contextlib.suppress(Exception):
            return pickle.loads(row[0])
        return None

    def state(self) -> tuple[int, str] | None:
        """(generation, structure key) of the stored plan, None when there is none."""
        try:
            value = self._meta("state")
        except sqlite3.DatabaseError:
            return None
        return (int(value[0]), str(value[1])) if isinstance(value, tuple) else None

    def digests(self) -> dict[str, tuple[str, str]]:
        value = self._meta("digests")
        return value if isinstance(value, dict) else {}

    def annotations(self) -> dict[str, ArchiveAnnotation]:
        value = self._meta("annotations")
        return value if isinstance(value, dict) else {}

    def pages_referencing(self, slugs: Iterable[str]) -> dict[str, Page]:
        """output path -> stored page, for every page referencing one of the slugs."""
        wanted = list(dict.fromkeys(slugs))
        db = self._db()
        paths: set[str] = set()
        for start in range(0, len(wanted), _BATCH):
            chunk = wanted[start : start + _BATCH]
            marks = ",".join("?" * len(chunk))
            paths.update(
                p for (p,) in db.execute(f"SELECT path FROM ref WHERE slug IN ({marks})", chunk)
            )
        return self.pages(paths)

    def pages(self, paths: Iterable[str]) -> dict[str, Page]:
        wanted = list(paths)
        db = self._db()
        out: dict[str, Page] = {}
        for start in range(0, len(wanted), _BATCH):
            chunk = wanted[start : start + _BATCH]
            marks = ",".join("?" * len(chunk))
            for path, blob in db.execute(
                f"SELECT path, page FROM page WHERE path IN ({marks})", chunk
            ):
                out[path] = pickle.loads(blob)
        return out

    def save(
        self,
        generation: int,
        key: str,
        entries: Sequence[Entry],
        annotations: Mapping[str, ArchiveAnnotation],
        pages: Sequence[Page],
        *,
        replace_all: bool,
    ) -> None:
        """Store a plan (all of it, or the pages given replacing theirs) as `generation`."""
        db = self._db()
        # Rows are made as SQLite takes them: a full plan of 100,000 articles pickles to ~650 MB.
        rows = ((p.output_path, pickle.dumps(p, protocol=pickle.HIGHEST_PROTOCOL)) for p in pages)
        refs = ((slug, p.output_path) for p in pages for slug in referenced(p))
        db.execute("BEGIN IMMEDIATE")
        try:
            if replace_all:
                db.execute("DELETE FROM page")
                db.execute("DELETE FROM ref")
            else:
                db.executemany("DELETE FROM ref WHERE path = ?", ((p.output_path,) for p in pages))
            db.executemany("INSERT OR REPLACE INTO page (path, page) VALUES (?, ?)", rows)
            db.executemany("INSERT INTO ref (slug, path) VALUES (?, ?)", refs)
            meta = {
                "state": (generation, key),
                "digests": {e.slug: (e.card, e.record) for e in entries},
                "annotations": dict(annotations),
            }
            db.executemany(
                "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                ((k, pickle.dumps(v, protocol=pickle.HIGHEST_PROTOCOL)) for k, v in meta.items()),
            )
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def close(self) -> None:
        if self._connection is not None and self._pid == os.getpid():
            self._connection.close()
        self._connection = None


@dataclass(slots=True)
class Plan:
    """The pages a build writes: all of them, or (reusing the stored plan) the ones that may
    have changed, with the manifest's fingerprints of the rest in `unchanged`."""

    pages: Sequence[Page]
    total: int  # pages of the whole site
    generation: int
    templates: dict[str, str]
    unchanged: dict[str, str] | None = None
    article_pages: ArticlePages | None = None
    _commit: Callable[[], None] | None = None

    def commit(self) -> None:
        """Store the plan (called once the site built from it is in place)."""
        if self._commit is not None:
            self._commit()


def plan_pages(
    config: Config,
    catalog: Catalog,
    annotations: Mapping[str, ArchiveAnnotation],
    env: jinja2.Environment,
    *,
    clean: bool = False,
    search: Mapping[str, str] | None = None,
) -> Plan:
    """The stored plan when the structure is unchanged, else a full one (plan.plan_site)."""
    templates = template_digests(env)
    key = structure_key(config, catalog.entries, templates)
    plans = PlanDB(config.build_dir / "cache" / PLAN_NAME)
    manifest = None if clean else load_manifest(config.build_dir / MANIFEST_NAME)
    state = plans.state()
    if (
        manifest is not None
        and manifest.plan > 0
        and manifest.site_id == site_identity(config.site_dir)
        and state == (manifest.plan, key)
    ):
        reused = _reuse(config, catalog, annotations, plans, manifest, key, templates, search or {})
        if reused is not None:
            return reused
    generation = (state[0] if state else 0) + 1
    maker = article_pages(catalog.entries, annotations)
    pages = plan_site(catalog.entries, config, annotations, maker, search=search)

    def commit() -> None:
        plans.save(generation, key, catalog.entries, annotations, pages, replace_all=True)

    return Plan(pages, len(pages), generation, templates, None, maker, commit)


def _reuse(
    config: Config,
    catalog: Catalog,
    annotations: Mapping[str, ArchiveAnnotation],
    plans: PlanDB,
    manifest: Manifest,
    key: str,
    templates: dict[str, str],
    search: Mapping[str, str],
) -> Plan | None:
    entries = catalog.by_slug()
    before = plans.digests()
    changed = {s for s, e in entries.items() if before.get(s) != (e.card, e.record)}
    planned = plans.annotations()
    relinked = {s for s in entries if annotations.get(s) != planned.get(s)}
    pages = plans.pages_referencing(changed)
    # Article pages whose copies or related articles changed: the rest of their context (entity
    # links) depends on the structure only, which is the same.
    stored = plans.pages(
        f"{article_url(entries[s])}index.html" for s in relinked if s not in changed
    )
    pages.update(stored)
    patched: list[Page] = []
    for slug in relinked:
        path = f"{article_url(entries[slug])}index.html"
        page = pages.get(path)
        if page is None:
            return None  # the stored plan lacks a page it should have: plan in full
        links = article_links(annotations.get(slug), entries, page.context.get("captures"))
        page = replace(page, context={**page.context, **links})
        pages[path] = page
        patched.append(page)
    # The search page names the reader index's bundles, which are not part of the structure.
    page = plans.pages([SEARCH_PAGE]).get(SEARCH_PAGE)
    if page is not None and any(page.context.get(k) != v for k, v in search.items()):
        page = replace(page, context={**page.context, **search})
        pages[SEARCH_PAGE] = page
        patched.append(page)
    # Pages someone deleted from site/ are written again, as a full plan would.
    site = f"{config.site_dir}{os.sep}"
    isfile = os.path.isfile
    missing = [
        p
        for p in manifest.files
        if p not in pages and not p.startswith("static/") and not isfile(site + p)
    ]
    if missing:
        found = plans.pages(missing)
        if len(found) != len(missing):
            return None
        pages.update(found)
    unchanged = {p: f for p, f in manifest.files.items() if p not in pages}
    total = sum(1 for p in manifest.files if not p.startswith("static/"))
    generation = manifest.plan
    commit: Callable[[], None] | None = None
    if patched or changed:
        generation += 1

        def save() -> None:
            plans.save(generation, key, catalog.entries, annotations, patched, replace_all=False)

        commit = save
    return Plan(list(pages.values()), total, generation, templates, unchanged, None, commit)
