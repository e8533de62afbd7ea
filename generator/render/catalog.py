"""Stage load + analyse (whole archive): content/articles/*.md -> Catalog of Entries, work cached.

Each record file is parsed, validated and analysed (render/analysis.py) once per version of its
content; the heavy results (the slim card listings show, the analysis its page shows, its search
document) go to the build store (render/store.py) and its Pagefind input file, and the plan gets
a small Entry: slug, date, entity names, digests. A build reads only the files whose stamp (size,
mtime, inode) moved since the last one; the rest come from .build/cache/catalog.pickle as
Entries, so a one-record edit costs one parse however big the archive is. Records are parsed on
every core (forked workers, results merged in file order), so the outcome does not depend on the
number of cores.
"""

from __future__ import annotations

import contextlib
import marshal
import multiprocessing
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from generator.children import worker_pool
from generator.config import Config
from generator.errors import Problem
from generator.filecache import Stamp, stamp_of
from generator.fingerprint import code_digest
from generator.fsutil import replace_file, stat_stamp
from generator.isolation import LOG_NAME, problem_of
from generator.models import Article
from generator.render.analysis import (
    ArticleAnalysis,
    analysis_version,
    analyze_article,
    record_digest,
    slim,
)
from generator.render.bodies import make_markdown
from generator.render.load import article_file_names, is_article_file, load_article
from generator.render.lookup import MemoryLookup
from generator.render.store import Store
from generator.slugs import UniqueSlugs

if TYPE_CHECKING:
    from generator.annotate.table import FeatureTable, TableBuilder

Progress = Callable[[str, int, int], None]
CATALOG_NAME = "catalog.pickle"
_FORMAT = 5  # 4: Entry.authors; 5: Entry.url, Entry.captured
# Fewer records than this are read in this process: starting workers costs more.
PARALLEL_MIN = 64
_CHUNK = 32
# Records whose features are numbered into the catalog's table at once (about 5 MB of them).
_TABLE_BATCH = 1024


class Entry(NamedTuple):
    """One loaded record as the plan sees it; everything else is in the store, by digest.

    A named tuple: a build of 10,000 articles makes (or loads) 10,000 of them, and a frozen
    dataclass costs ten times as much to create.
    """

    slug: str
    path: str  # the record file
    date: str | None
    people: tuple[str, ...]
    organizations: tuple[str, ...]
    places: tuple[str, ...]
    tags: tuple[str, ...]
    quotes: int  # how many quotes the record lists
    annotated: bool  # has editor notes or spun phrases to publish in annotations.jsonld
    spin: float
    card: str  # digest of the slim record: what listings, links and feeds show of it
    record: str  # digest of the whole record: what its own page and its analysis come from
    search: str  # digest of its search document (what the Whoosh index holds of it)
    authors: tuple[str, ...] = ()  # the byline: each name gets an author page
    # A page from a web archive: when it was captured, and from which address (None otherwise):
    # captures of one address are linked as versions of the page.
    captured: str | None = None
    url: str | None = None

    def store_key(self, version: str) -> str:
        """Key of its rows in the build store's per-record tables (analysis, features, search)."""
        return f"{self.record}.{version}"

    @property
    def year(self) -> str | None:
        return self.date[:4] if self.date else None

    @property
    def month(self) -> str | None:
        return self.date[5:7] if self.date and len(self.date) >= 7 else None

    def names(self, kind: str) -> tuple[str, ...]:
        value: tuple[str, ...] = getattr(self, kind)
        return value


@dataclass(frozen=True, slots=True)
class Derived:
    """What one record yields for the rest of the build (its heavy parts went to the store)."""

    entry: Entry
    features: Any  # the archive-level annotate stage's input for this article


@dataclass(slots=True)
class Catalog:
    """The loaded archive: entries newest first with unique slugs, and where their data is."""

    entries: tuple[Entry, ...]
    # The archive features of the records read in this build, a row per record file (the file
    # of each row in table_paths); the rest are in the features cache or the store.
    table: FeatureTable | None
    table_paths: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    read: frozenset[str] = frozenset()  # slugs whose record was parsed in this build
    store: Store | None = None
    version: str = ""

    def by_slug(self) -> dict[str, Entry]:
        return {e.slug: e for e in self.entries}


def _names(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for v in values if v.strip()))


def make_entry(
    article: Article, analysis: ArticleAnalysis, card: str, record: str, search: str = ""
) -> Entry:
    return Entry(
        slug=article.slug,
        path=str(article.source_file),
        date=article.date,
        people=_names(article.people),
        organizations=_names(article.organizations),
        places=_names(article.places),
        tags=_names(article.tags),
        quotes=len(article.quotes),
        annotated=bool(analysis.annotations),
        spin=spin_score(article),
        card=card,
        record=record,
        search=search,
        authors=_names(article.authors),
        captured=article.captured,
        url=article.url if article.captured else None,
    )


def memory_catalog(
    articles: Sequence[Article],
    markdown_extensions: tuple[str, ...] = ("sane_lists", "tables"),
    base_url: str = "http://127.0.0.1:8000/",
) -> tuple[list[Entry], MemoryLookup]:
    """Entries (newest first) and a lookup for records held in memory (tests, one-off renders)."""
    lookup = MemoryLookup(articles, markdown_extensions, base_url)
    analyses = lookup.analyses(a.slug for a in articles)
    entries = [
        make_entry(a, analyses[a.slug], card_digest(slim(a)), record_digest(a)) for a in articles
    ]
    return newest_first(entries), lookup


def spin_score(article: Article) -> float:
    spin = article.extra.get("spin")
    return float(spin.get("score", 0.0)) if isinstance(spin, dict) else 0.0


def card_digest(card: Article) -> str:
    return record_digest(card)


def features_of(article: Article) -> Any:
    """The archive-level annotate input of one article (annotate/features.py)."""
    from generator.annotate.features import features_of as article_features

    return article_features(article)


@dataclass(frozen=True, slots=True)
class _Context:
    """What a worker needs to turn a record into a Derived (inherited through fork)."""

    articles_dir: Path
    store_path: Path
    lean_dir: Path | None  # where Pagefind input files go; None when there is no static search
    markdown_extensions: tuple[str, ...]
    base_url: str
    language: str
    version: str
    log_path: Path  # named in the line an unexpected error gets (only the main process writes it)


class _Worker:
    """Per process: one Markdown converter and one store connection."""

    def __init__(self, context: _Context) -> None:
        self.context = context
        self.md = make_markdown(context.markdown_extensions)
        self.store = Store(context.store_path)

    def derive(self, article: Article) -> Derived:
        """Analyse one record: store its card, analysis and search document; write its
        Pagefind input; return its Entry and archive features."""
        context = self.context
        analysis = analyze_article(article, self.md, context.base_url)
        card = slim(article)
        card_key, record_key = card_digest(card), record_digest(article)
        self.store.put("card", card_key, card)
        self.store.put("analysis", f"{record_key}.{context.version}", analysis)
        from generator.search.documents import plain_text, search_document

        document = search_document(article, plain_text(analysis.body_html))
        self.store.put("search", f"{record_key}.{context.version}", document)
        features = features_of(article)
        self.store.put("features", f"{record_key}.{context.version}", features)
        if context.lean_dir is not None:
            from generator.search.static import lean_document, lean_document_path

            replace_file(
                lean_document_path(context.lean_dir, article.slug),
                lean_document(card, analysis, context.language),
            )
        return Derived(
            make_entry(article, analysis, card_key, record_key, document.digest), features
        )

    def read(self, path: Path) -> tuple[str, Stamp | None, Derived | Problem]:
        stamp = stamp_of(path)  # before the read: an edit during it shows next time
        try:
            article = load_article(path, self.context.articles_dir)
            return str(path), stamp, self.derive(article)
        except Exception as exc:  # one bad record must not sink the archive
            return str(path), stamp, problem_of(exc, path, "load", self.context.log_path)


_WORKER: _Worker | None = None
_CONTEXT: _Context | None = None


def _read_chunk(paths: Sequence[Path]) -> list[tuple[str, Stamp | None, Derived | Problem]]:
    global _WORKER
    if _WORKER is None:
        assert _CONTEXT is not None
        _WORKER = _Worker(_CONTEXT)
    results = [_WORKER.read(path) for path in paths]
    _WORKER.store.flush()
    return results


def _read_all(
    paths: list[Path], context: _Context, workers: int, progress: Progress
) -> Iterator[list[tuple[str, Stamp | None, Derived | Problem]]]:
    """Read every path, on `workers` forked processes when there are enough of them; results
    come a batch at a time, in order (so that their features can be let go batch by batch)."""
    global _CONTEXT
    if (
        workers < 2
        or len(paths) < PARALLEL_MIN
        or "fork" not in multiprocessing.get_all_start_methods()
    ):
        worker = _Worker(context)
        for done, path in enumerate(paths, 1):
            progress("load", done, len(paths))
            yield [worker.read(path)]
        worker.store.close()
        return
    _CONTEXT = context
    try:
        chunks = [paths[i : i + _CHUNK] for i in range(0, len(paths), _CHUNK)]
        done = 0
        with worker_pool(workers) as pool:
            for chunk_results in pool.map(_read_chunk, chunks):
                done += len(chunk_results)
                progress("load", done, len(paths))
                yield chunk_results
    finally:
        _CONTEXT = None


class CatalogCache:
    """record path -> (stamp, Entry) from the last build, tied to the code and analysis version.

    Stored with marshal as plain tuples: loading 10,000 entries takes ~0.05 s (pickle: 0.3 s).
    """

    def __init__(self, path: Path | None, *, fresh: bool = False) -> None:
        self.path = path
        self.key: tuple[Any, ...] = ()
        self.files: dict[str, tuple[Stamp, Entry]] = {}
        if path is not None and not fresh:
            with contextlib.suppress(Exception):  # a damaged cache is rebuilt, never fatal
                key, files = marshal.loads(path.read_bytes())
                make = Entry._make
                self.key = tuple(key)
                self.files = {p: (tuple(st), make(e)) for p, (st, e) in files.items()}

    def valid_for(self, version: str) -> bool:
        return self.key == (_FORMAT, code_digest(), version)

    def save(self, version: str, files: dict[str, tuple[Stamp, Entry]]) -> None:
        self.key, self.files = (_FORMAT, code_digest(), version), files
        if self.path is not None:
            data = marshal.dumps((self.key, {p: (st, tuple(e)) for p, (st, e) in files.items()}))
            with contextlib.suppress(OSError):  # a cache that cannot be saved costs time only
                replace_file(self.path, data)


def load_catalog(
    config: Config,
    *,
    clean: bool = False,
    workers: int = 1,
    progress: Progress | None = None,
    cache: CatalogCache | None = None,
    lean_dir: Path | None = None,
    stamps: Mapping[str, Stamp | None] | None = None,
) -> Catalog:
    """Every loadable record as an Entry, newest first, slugs made unique; problems for the rest.

    Records whose file is unchanged since the last build (and whose store rows are present) are
    not read again. `lean_dir`: where to write each analysed record's Pagefind input file.
    `stamps`: every record file of articles_dir with its stamp, in tree_files order, when the
    caller has just taken them (ingest's scan); else the folder is listed here.
    """
    progress = progress or (lambda stage, done, total: None)
    cache_dir = config.build_dir / "cache"
    store = Store(cache_dir / "store.sqlite")
    if clean:
        store.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{store.path}{suffix}").unlink(missing_ok=True)
    version = analysis_version(config.markdown_extensions, config.base_url)
    cache = cache or CatalogCache(cache_dir / CATALOG_NAME, fresh=clean)
    known = cache.files if cache.valid_for(version) and not clean else {}
    if stamps is None:
        files = article_file_names(config.articles_dir)
        stamps = {name: stat_stamp(name) for name in files}
    else:
        files = [name for name in stamps if is_article_file(name)]
    kept: dict[str, tuple[Stamp, Entry]] = {}
    todo: list[Path] = []
    for name in files:
        hit = known.get(name)
        if hit is not None and hit[0] == stamps[name]:
            kept[name] = hit
        else:
            todo.append(Path(name))
    if kept:  # rows a cleaned or damaged store lost: read those records again
        entries_kept = [e for _, e in kept.values()]
        cards = store.has("card", [e.card for e in entries_kept])
        analysed = store.has("analysis", [e.store_key(version) for e in entries_kept])
        for key in [
            k
            for k, (_, e) in kept.items()
            if e.card not in cards or e.store_key(version) not in analysed
        ]:
            del kept[key]
            todo.append(Path(key))
    context = _Context(
        config.articles_dir,
        store.path,
        lean_dir,
        config.markdown_extensions,
        config.base_url,
        config.language,
        version,
        config.build_dir / LOG_NAME,
    )
    store.close()  # workers open their own connections; this process reopens on use
    problems: list[Problem] = []
    read: dict[str, tuple[Stamp, Entry]] = {}
    builder: TableBuilder | None = None
    table_paths: list[str] = []
    batch: list[Any] = []
    for results in _read_all(sorted(todo), context, workers, progress):
        for name, stamp, outcome in results:
            if isinstance(outcome, Problem):
                problems.append(outcome)
                continue
            batch.append(outcome.features)
            table_paths.append(outcome.entry.path)
            if stamp is not None:
                read[name] = (stamp, _interned(outcome.entry))
        if len(batch) >= _TABLE_BATCH:
            builder = _added(builder, batch)
            batch = []
    if batch:
        builder = _added(builder, batch)
    del batch
    order = {name: i for i, name in enumerate(files)}
    everything = sorted({**kept, **read}.items(), key=lambda item: order.get(item[0], 0))
    original = [entry for _, (_, entry) in everything]
    entries, renamed = _unique_slugs(original, problems)
    if renamed:
        contested = {e.slug for e in original if e.path in renamed}
        renamed = _redo_renamed(renamed, entries, contested, context)
        everything = [
            (path, (stamp, renamed.get(path, entry))) for path, (stamp, entry) in everything
        ]
        entries = [renamed.get(e.path, e) for e in entries]
    cache.save(version, {path: hit for path, hit in everything if path not in renamed})
    if read:
        _collect_garbage(store, entries, version)
    by_path = {e.path: e for e in entries}
    return Catalog(
        entries=tuple(newest_first(entries)),
        table=builder.table() if builder is not None else None,
        table_paths=table_paths,
        problems=problems,
        read=frozenset(by_path[p].slug for p in read if p in by_path),
        store=store,
        version=version,
    )


def _interned(entry: Entry) -> Entry:
    """The entry with its date and names interned: they repeat across an archive (the same
    people, places and tags), and each record's came through its own pickle."""
    intern = sys.intern
    return entry._replace(
        date=intern(entry.date) if entry.date is not None else None,
        people=tuple(map(intern, entry.people)),
        organizations=tuple(map(intern, entry.organizations)),
        places=tuple(map(intern, entry.places)),
        tags=tuple(map(intern, entry.tags)),
        authors=tuple(map(intern, entry.authors)),
    )


def _added(builder: TableBuilder | None, features: list[Any]) -> TableBuilder:
    """The builder (made on first use: a build that reads no record imports no annotate code)
    with these features added."""
    if builder is None:
        from generator.annotate.table import TableBuilder

        builder = TableBuilder()
    builder.add(features)
    return builder


# Rows of records that were edited, deleted or made by another version of the code pile up;
# they are deleted once they outnumber a quarter of the live ones (amortised: a scan of keys).
_GARBAGE_SHARE = 0.25


def _collect_garbage(store: Store, entries: Sequence[Entry], version: str) -> None:
    live = {
        "card": {e.card for e in entries},
        **{t: {e.store_key(version) for e in entries} for t in ("analysis", "features", "search")},
    }
    for table, keys in live.items():
        if store.count(table) > len(keys) * (1 + _GARBAGE_SHARE) + 10:
            store.keep_only(table, keys)


def newest_first(entries: Sequence[Entry]) -> list[Entry]:
    """Dated entries newest first (ties by slug, descending), then undated ones by slug: the
    order every listing uses."""
    dated = sorted(
        (e for e in entries if e.date), key=lambda e: (e.date or "", e.slug), reverse=True
    )
    return dated + sorted((e for e in entries if not e.date), key=lambda e: e.slug)


def _unique_slugs(
    entries: list[Entry], problems: list[Problem]
) -> tuple[list[Entry], dict[str, Entry]]:
    """Entries with unique slugs (later files get -2, -3...), and path -> Entry for those that
    had to change (their store rows and Pagefind input are redone)."""
    taken = UniqueSlugs()
    renamed: dict[str, Entry] = {}
    out: list[Entry] = []
    for entry in entries:
        slug = taken.claim(entry.slug)
        if slug != entry.slug:
            problems.append(
                Problem(
                    entry.path,
                    "load",
                    f"slug {entry.slug!r} is used by another article; published as {slug!r}",
                    is_warning=True,
                )
            )
            entry = entry._replace(slug=slug)
            renamed[entry.path] = entry
        out.append(entry)
    return out, renamed


def _redo_renamed(
    renamed: dict[str, Entry],
    entries: list[Entry],
    contested: set[str],
    context: _Context,
) -> dict[str, Entry]:
    """Derive renamed records again under their published slug, in this process. Returns the
    renamed entries anew; the Pagefind input of the article whose slug they took is rewritten
    (a worker may have written the other record's file at that address). Their features do not
    depend on the slug: the rows read under the old one stand."""
    worker = _Worker(context)
    redone: dict[str, Entry] = {}
    for path, entry in renamed.items():
        article = replace(load_article(Path(path), context.articles_dir), slug=entry.slug)
        redone[path] = worker.derive(article).entry
    worker.store.flush()
    if context.lean_dir is not None:
        from generator.search.static import lean_document, lean_document_path

        for entry in entries:
            if entry.path in renamed or entry.slug not in contested:
                continue
            card = worker.store.get("card", entry.card)
            analysis = worker.store.get("analysis", entry.store_key(context.version))
            if isinstance(card, Article) and isinstance(analysis, ArticleAnalysis):
                replace_file(
                    lean_document_path(context.lean_dir, entry.slug),
                    lean_document(card, analysis, context.language),
                )
    worker.store.close()
    return redone


@dataclass(slots=True)
class StoreDocuments:
    """The catalog's search documents, read from the build store as the index update asks: a
    search digest and store key per slug, so that it pickles small (it goes to the index child
    over a pipe); the child opens the store once, on its first fetch."""

    store_path: Path
    search_digests: dict[str, str]  # slug -> digest of its search document
    keys: dict[str, str]  # slug -> its search document's key in the store
    _store: Store | None = field(default=None, init=False, repr=False, compare=False)

    @classmethod
    def of(cls, catalog: Catalog) -> StoreDocuments:
        assert catalog.store is not None
        entries = catalog.entries
        return cls(
            catalog.store.path,
            {e.slug: e.search for e in entries},
            {e.slug: e.store_key(catalog.version) for e in entries},
        )

    def digests(self) -> dict[str, str]:
        return dict(self.search_digests)

    def fetch(self, slugs: Sequence[str]) -> list[Any]:
        """Raises SearchError when the store lacks one (a damaged cache: `build --clean`)."""
        from generator.errors import SearchError

        keys = [self.keys[s] for s in slugs]
        if self._store is None:
            self._store = Store(self.store_path)
        found = self._store.get_many("search", keys)
        if len(found) < len(set(keys)):
            raise SearchError(
                f"the build cache lacks {len(set(keys)) - len(found)} search document(s); "
                "run 'newsarchive build --clean'"
            )
        return [found[k] for k in keys]
