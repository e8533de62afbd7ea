"""The only module that knows stage order: ingest (raw -> Markdown) and build (Markdown -> site)."""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import time
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

from generator.config import Config
from generator.errors import NoTextError, Problem, readable_path
from generator.filecache import Stamp, StampCache
from generator.fsutil import exclusive, tree_files
from generator.ingest.read import check_inside, find_inputs, is_web_archive, read_document
from generator.ingest.write import (
    RecordWriter,
    input_hash,
    is_up_to_date,
    scan_records,
)
from generator.isolation import LOG_NAME, BuildLog, InputStage, problem_of
from generator.memory import MemoryPolicy
from generator.models import Article, IngestResult, RawDocument, Removal, SourceMeta
from generator.ordered import ordered_map

if TYPE_CHECKING:
    from generator.ingest.warc import Skipped
    from generator.ingest.webunit import WebUnit
    from generator.render.catalog import CatalogCache
    from generator.render.output import Guard
    from generator.render.plan import ArticlePages

log = logging.getLogger(__name__)
Progress = Callable[[str, int, int], None]
# Below this many inputs a process pool costs more than it saves.
_PARALLEL_MIN = 24
# Inputs per job sent to a worker, and jobs waiting per worker: enough to keep every core busy,
# few enough that a web archive's pages are read as the workers need them, never all at once.
_CHUNK = 4
_QUEUED_PER_WORKER = 4
NO_TEXT = "no article text"


def _no_progress(stage: str, done: int, total: int) -> None:
    return None


@dataclass(slots=True)
class IngestReport:
    results: list[IngestResult] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    # Every record file's stamp as ingest scanned it, in tree_files order, when ingest wrote no
    # record (else None): loading the records then needs no second listing and stat of each.
    record_stamps: dict[str, Stamp | None] | None = None
    # Captures in web archives that are no page to ingest, by reason (redirect, revisit...).
    web_skipped: dict[str, int] = field(default_factory=dict)

    def count(self, action: str) -> int:
        return sum(1 for r in self.results if r.action == action)

    def skip(self, rel: str, problem: Problem) -> None:
        self.problems.append(problem)
        self.results.append(IngestResult(rel, None, "skipped", str(problem)))


# What an OSError at a stage the main process runs means for the user.
_IO_WHAT = {"read": "cannot read the file", "write": "cannot write the article"}


def _failed(exc: Exception, path: str, stage: str, log_path: Path) -> Problem:
    """The line for an input the main process failed on (reading its bytes, writing its record)."""
    if isinstance(exc, OSError):
        return Problem(path, stage, f"{_IO_WHAT[stage]}: {exc.strerror}")
    return problem_of(exc, path, stage, log_path)


def ingest_document(path: Path, config: Config, at: InputStage | None = None) -> Article:
    """read -> clean -> extract -> annotate for one raw file. Raises ArticleError for a bad
    input; `at` follows along, so that an unexpected error can name the stage it came from."""
    at = at or InputStage("read")
    at.enter("read")
    raw = read_document(path, config.raw_dir, config.max_input_bytes)
    return _ingest_raw(raw, config, at)


def ingest_web_page(unit: WebUnit, config: Config, at: InputStage | None = None) -> Article:
    """read -> clean -> extract -> annotate for one page of a web archive, read by offset from
    the archive, then through the same stages as a saved .html page. Raises ArticleError for a
    bad page."""
    from generator.ingest.webunit import read_unit, with_capture

    at = at or InputStage("read")
    at.enter("read")
    raw = read_unit(unit, config.max_input_bytes)
    article = _ingest_raw(raw, config, at, unit.capture.url)
    at.enter("extract")
    return with_capture(article, unit, raw)


def _ingest_raw(
    raw: RawDocument, config: Config, at: InputStage, url: str | None = None
) -> Article:
    """clean -> extract -> annotate (spin) for one decoded input (`url`: where a web archive
    captured it; a page's dates and site names are read with it)."""
    # Imported here: trafilatura and the spin lexicon cost a second to load, and a build
    # whose inputs did not change never needs them.
    from generator.annotate.records import with_spin
    from generator.ingest.clean import clean_text
    from generator.ingest.extract import extract_article
    from generator.ingest.html import extract_html
    from generator.ingest.mdinput import read_markdown_input

    path = raw.source
    at.enter("clean")
    stated = SourceMeta()
    extra_removed: tuple[Removal, ...] = ()
    text, find_title, keep_lines = raw.text, True, False
    if raw.format == "html":
        page = extract_html(raw.text, path, url or raw.sidecar.url)
        stated, text, extra_removed, find_title = (
            page.meta,
            page.text,
            page.removed,
            page.meta.title is None,
        )
        raw = replace(raw, repairs=raw.repairs + page.repairs)
    elif raw.format == "md":
        stated, text = read_markdown_input(raw.text, path)
        find_title, keep_lines = stated.title is None, True
    clean = clean_text(
        text, path, find_title=find_title, keep_lines=keep_lines, from_page=raw.format == "html"
    )
    if not clean.paragraphs:
        raise NoTextError(
            path,
            "clean",
            "nothing is left after cleaning (the whole text looked like page junk)",
            "Check the file holds an article; its removed text would be lost otherwise",
        )
    clean = replace(clean, removed=extra_removed + clean.removed)
    at.enter("extract")
    article = extract_article(raw, clean, stated, config.summary_words)
    at.enter("annotate")
    article = with_spin(article)
    if raw.repairs:
        article = replace(article, extra={**article.extra, "repairs": list(raw.repairs)})
    return article


Outcome: TypeAlias = "Article | Problem | Skipped"


def _ingest_safely(job: tuple[Path | WebUnit, Config]) -> Outcome:
    """Worker body: one input to an Article, or the one Problem that stopped it (picklable
    either way, an unexpected error's traceback with it); a web archive page with no article
    text (an embed, a login form) is only Skipped."""
    source, config = job
    if not isinstance(source, Path):
        return _web_page_safely(source, config)
    at = InputStage("read")
    try:
        return ingest_document(source, config, at)
    except Exception as exc:  # one bad input must not sink the archive
        return problem_of(exc, source, at.current, _log_path(config))


def _web_page_safely(unit: WebUnit, config: Config) -> Outcome:
    from generator.ingest.warc import Skipped

    at = InputStage("read")
    try:
        return ingest_web_page(unit, config, at)
    except NoTextError:
        return Skipped(NO_TEXT, unit.capture.url)
    except Exception as exc:  # one bad page must not sink the archive
        return _page_problem(problem_of(exc, unit.archive, at.current, _log_path(config)), unit)


def _page_problem(problem: Problem, unit: WebUnit) -> Problem:
    """A web archive page's line names its record (the archive alone would not find it)."""
    if problem.message.startswith("record at offset"):
        return problem
    return replace(problem, message=f"{unit.where}: {problem.message}")


def _log_path(config: Config) -> Path:
    return config.build_dir / LOG_NAME


@dataclass(frozen=True, slots=True)
class _Todo:
    """An input to ingest: its record key (a raw path, or a web archive page's), what a worker
    reads (a file, or a page located in an archive), and the input hash its record will carry."""

    rel: str
    source: Path | WebUnit
    current: str


def _source_path(item: _Todo) -> str:
    return str(item.source) if isinstance(item.source, Path) else item.source.archive


def _ingest_chunk(config: Config, todo: list[_Todo]) -> list[Outcome]:
    return [_ingest_safely((item.source, config)) for item in todo]


def _ingest_all(
    todo: Iterator[_Todo], config: Config, progress: Progress
) -> Generator[tuple[_Todo, Outcome], None, None]:
    """Run the per-input at on every core; results come back in input order, one at a time
    (so that each is written and let go before the archive's worth of articles piles up). Inputs
    are taken from `todo` only as workers are ready for them: a web archive is scanned as it
    is ingested, its pages never listed all at once."""
    return ordered_map(
        functools.partial(_ingest_chunk, config),
        todo,
        serial_below=_PARALLEL_MIN,
        chunk=_CHUNK,
        queued_per_worker=_QUEUED_PER_WORKER,
        on_done=lambda done, taken: progress("ingest", done, taken),
    )


def run_ingest(
    config: Config,
    progress: Progress = _no_progress,
    *,
    force: bool = False,
    log: BuildLog | None = None,
) -> IngestReport:
    """Ingest every raw input that changed since its article was written (all of them with force).

    The per-file stages run in parallel; slugs and writes are decided here, in input order, so
    the result is the same whatever the number of cores. Whatever one input (or one page of a
    web archive) raises, at any stage, is one Problem for it (its traceback in `log`); the run
    goes on with the rest.
    """
    log = log or BuildLog(config.build_dir)
    with MemoryPolicy():
        report = _run_ingest(config, progress, force=force, log_path=log.path)
    log.write(report.problems)
    return report


def _run_ingest(config: Config, progress: Progress, *, force: bool, log_path: Path) -> IngestReport:
    report = IngestReport()
    if config.articles_dir.is_dir():
        # Temp files of a write that was killed before its os.replace; never a record.
        for leftover in config.articles_dir.rglob(".*.md.*.tmp"):
            leftover.unlink(missing_ok=True)
    cache_dir = config.build_dir / "cache"
    scan_cache = StampCache(cache_dir / "scan.marshal", fresh=force)
    scan = scan_records(config.articles_dir, scan_cache)
    records = scan.by_raw
    config.articles_dir.mkdir(parents=True, exist_ok=True)
    hashes = StampCache(cache_dir / "inputs.marshal", fresh=force)
    listing = tree_files(config.raw_dir)
    inputs = list(find_inputs(config.raw_dir, listing))
    names = {p for _, p in listing}
    raw_prefix = len(str(config.raw_dir)) + 1
    web = None
    if any(is_web_archive(path) for path in inputs):
        from generator.ingest.webarchives import WebArchives

        web = WebArchives(cache_dir, records, report.results, report.problems, force=force)

    def todo() -> Iterator[_Todo]:
        """Every input that needs ingesting, found as the workers take them."""
        for path in inputs:
            # As the record names it: a file name that is not UTF-8 keeps its bytes as \xNN.
            rel = readable_path(path[raw_prefix:].replace(os.sep, "/"))
            if web is not None and is_web_archive(rel):
                try:  # the scan runs here, in the main process: isolated like the workers
                    check_inside(Path(path), config.raw_dir)
                    for page in web.pages(path, rel):
                        yield _Todo(page.unit.key, page.unit, page.current)
                except Exception as exc:
                    report.skip(rel, _failed(exc, path, "read", log_path))
                continue
            record = records.get(rel)
            try:
                check_inside(Path(path), config.raw_dir)
                current = input_hash(path, hashes, names)
            except Exception as exc:  # a symlink out, a file that vanished or cannot be read
                report.skip(rel, _failed(exc, path, "read", log_path))
                continue
            unchanged_input = record is not None and record.input_hash == current
            if (not force and is_up_to_date(record, current)) or (
                record and record.is_hand_edited and unchanged_input
            ):
                report.results.append(
                    IngestResult(rel, record.file if record else None, "unchanged")
                )
            else:
                yield _Todo(rel, Path(path), current)
        hashes.save()

    writer = RecordWriter(scan, config.articles_dir, scan_cache)
    outcomes = _ingest_all(todo(), config, progress)
    try:
        for item, outcome in outcomes:  # as each comes
            if isinstance(outcome, Article):
                try:  # the write stage is isolated like the others
                    if web is None or not web.is_seen(outcome, item.rel):  # else: same text
                        result, notes = writer.write(outcome, item.rel, item.current)
                        report.problems.extend(notes)
                        report.results.append(result)
                    continue
                except Exception as exc:
                    outcome = _failed(exc, _source_path(item), "write", log_path)
                    if not isinstance(item.source, Path):
                        outcome = _page_problem(outcome, item.source)
            if isinstance(outcome, Problem):
                report.skip(item.rel, outcome)
                if web is not None and not isinstance(item.source, Path):
                    web.failed(item.source, outcome)
            else:
                assert web is not None  # only a web archive page is skipped, not failed
                web.skipped[outcome.reason] += 1
    finally:
        outcomes.close()  # now, not when the traceback is freed: an interrupted run's workers end
        if web is not None:
            web.close()
    if web is not None:
        web.save()
        report.web_skipped = dict(web.skipped)
    scan_cache.save()
    if not any(r.action == "written" for r in report.results):
        report.record_stamps = scan.stamps
    return report


@dataclass(slots=True)
class BuildReport:
    ingest: IngestReport | None = None
    articles: int = 0
    pages: int = 0
    files: int = 0
    rendered: int = 0
    removed: int = 0
    incremental: bool = False
    indexed: int = 0
    static_pages: int | None = None
    changed: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    article_pages: ArticlePages | None = None  # for redoing one article page (the preview)
    timings: dict[str, float] = field(default_factory=dict)  # stage -> seconds, for benchmarks
    planned: int = 0  # pages planned anew (fewer than `pages` when the stored plan was reused)

    @property
    def all_problems(self) -> list[Problem]:
        return (self.ingest.problems if self.ingest else []) + self.problems


def run_build(
    config: Config,
    progress: Progress = _no_progress,
    *,
    ingest: bool = True,
    clean: bool = False,
    static_index: bool | None = None,
    guard: Guard | None = None,
    workers: int | None = None,
    records: CatalogCache | None = None,
) -> BuildReport:
    """ingest (when inputs changed) -> load -> annotate -> plan -> write (render what changed) -> index.

    Every stage reuses the last build's work where its inputs are unchanged (parsed and analysed
    records, archive annotations, page fingerprints, index documents); `clean` redoes all of it.
    The Whoosh index update and Pagefind run in processes of their own beside annotate, plan
    and render, as soon as the records are loaded.
    static_index=False leaves the reader search index as it is (the preview does not need it);
    `guard` is entered around the writes to site/ (the preview uses it to drop a stale build);
    `workers` processes load and render (all cores by default; the preview, which has threads,
    uses one); `records` is a catalog cache to use instead of the one on disk (the preview
    keeps its own).
    Raises TemplateError or WriteError when the site as a whole cannot be built; site/ then
    stays as it was.
    """
    with (
        exclusive(
            config.build_dir / "build.lock",
            lambda: log.warning("another build of %s is running; waiting for it", config.root),
        ),
        MemoryPolicy() as memory,
    ):
        return _run_build(
            config,
            _Stages(memory, progress),
            ingest=ingest,
            clean=clean,
            static_index=static_index,
            guard=guard,
            workers=workers,
            records=records,
        )


def _run_build(
    config: Config,
    stages: _Stages,
    *,
    ingest: bool,
    clean: bool,
    static_index: bool | None,
    guard: Guard | None,
    workers: int | None,
    records: CatalogCache | None,
) -> BuildReport:
    """One build (run_build holds the archive's build lock and the memory policy around it)."""
    # Imported here so `newsarchive ingest` does not pay for Jinja, Markdown and Whoosh.
    from generator.render.catalog import StoreDocuments, load_catalog
    from generator.render.deferred import Deferred
    from generator.render.lookup import StoreLookup
    from generator.render.output import SiteSwap, needs_full_write, write_site
    from generator.render.pagedb import plan_pages
    from generator.render.parallel import Renderer, default_workers
    from generator.render.relations import annotate_catalog
    from generator.render.sitetree import SiteTrees, claim_site
    from generator.render.templating import make_environment, site_info
    from generator.search.background import IndexUpdater
    from generator.search.static_update import StaticUpdate, input_dir

    stages.start()  # stage times count from here, not from before the imports above
    report = BuildReport(timings=stages.timings)
    report.problems.extend(claim_site(config.site_dir, config.build_dir, clean=clean))
    progress = stages.progress
    workers = default_workers() if workers is None else workers
    log = BuildLog(config.build_dir)
    if ingest:
        with stages("ingest"):
            report.ingest = run_ingest(config, progress, force=clean, log=log)
    wants_static = config.static_search if static_index is None else static_index
    # Forked now, while this process is small; it gets its documents once the records are loaded.
    index_update = IndexUpdater(config.index_dir)
    deferred = Deferred("records")
    static = None
    try:
        with stages("load"):
            catalog = load_catalog(
                config,
                clean=clean,
                workers=workers,
                progress=progress,
                cache=records,
                lean_dir=input_dir(config) if config.static_search else None,
                stamps=report.ingest.record_stamps if report.ingest is not None else None,
            )
        report.problems.extend(catalog.problems)
        log.write(catalog.problems)
        report.articles = len(catalog.entries)
        # Both search indexes need only the loaded records: they run beside the rest.
        static = (
            StaticUpdate(config, catalog, full=clean or needs_full_write(config))
            if wants_static
            else None
        )
        index_update.start(StoreDocuments.of(catalog))
        if static is not None:
            static.start()
        progress("annotate", 0, 1)
        with stages("annotate"):
            annotations = annotate_catalog(catalog, config.build_dir)
            # Kept in the features cache now; let them go before the render workers fork (100,000
            # articles' features are about 0.4 GB).
            catalog.table = None
        with stages("plan"):
            env = make_environment(config)
            plan = plan_pages(
                config,
                catalog,
                annotations,
                env,
                clean=clean,
                search=static.page_context if static is not None else None,
            )
            report.article_pages = plan.article_pages
            report.planned = plan.total if plan.unchanged is None else len(plan.pages)
        with stages("write"):
            entries = catalog.by_slug()
            assert catalog.store is not None
            trees = SiteTrees(config.site_dir, config.build_dir)
            lookup = StoreLookup(catalog.store, entries, catalog.version)
            output = write_site(
                plan,
                entries,
                Renderer(
                    env, config, site_info(config), lookup, workers=workers, progress=progress
                ),
                SiteSwap(trees, guard=guard, deferred=deferred),
                clean=clean,
                static=static,
            )
    except BaseException:
        if static is not None:
            static.abort()
        index_update.cancel()  # not started: its child just ends
        with contextlib.suppress(Exception):
            if index_update.documents is not None:
                index_update.wait()  # never leave the index child running past this build
        raise
    report.pages = plan.total
    report.files = output.files
    report.rendered = output.rendered
    report.removed = output.removed
    report.incremental = output.incremental
    report.static_pages = output.static_pages
    report.changed = output.changed
    report.timings.update({f"  {k}": v for k, v in output.timings.items()})
    progress("index", 0, 1)
    try:
        update = index_update.wait()
    finally:
        stages.lap("index wait")
        deferred.wait()  # the reader index's state, the plan and the manifest, in that order
        stages.lap("records wait")
    report.timings["whoosh"] = update.seconds
    report.timings["records"] = deferred.seconds
    trees.wait()
    stages.lap("spare site")
    report.indexed = update.added + update.updated + update.removed
    progress("index", 1, 1)
    return report


class _Stages:
    """A build's stages as they pass: each one's wall time (since the one before ended) into
    `timings`, and the memory policy around it. Only the order of the calls says what runs when."""

    def __init__(self, memory: MemoryPolicy, progress: Progress) -> None:
        self.memory = memory
        self.progress = progress
        self.timings: dict[str, float] = {}
        self.last = time.perf_counter()

    def start(self) -> None:
        self.last = time.perf_counter()

    @contextlib.contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        with self.memory.stage(name):
            yield
        self.lap(name)

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.timings[name] = self.timings.get(name, 0.0) + now - self.last
        self.last = now


def run_check(config: Config) -> list[Problem]:
    """Validate every record, every editor note's anchor, and every internal link of the built site."""
    from generator.render.annotated import editor_notes
    from generator.render.annotations import body_text
    from generator.render.links import broken_links
    from generator.render.load import load_articles
    from generator.render.templating import body_to_html, make_markdown

    articles, problems = load_articles(config.articles_dir)
    md = make_markdown(config.markdown_extensions)
    for article in articles:
        text = body_text(str(body_to_html(md, article.body)))
        for note in editor_notes(article, text):
            if note.anchor is None:
                problems.append(
                    Problem(
                        str(article.source_file),
                        "check",
                        f"editor note {note.number} no longer anchors: “{note.exact[:60]}” is not in the text "
                        "(or its prefix/suffix changed). Update its quote or remove the note",
                    )
                )
    if config.site_dir.is_dir():
        for page, link, what in broken_links(config.site_dir):
            problems.append(
                Problem(
                    str(config.site_dir / page),
                    "check",
                    f"{what} {link!r}. Rebuild the site; if it stays, fix the template that writes it",
                )
            )
    else:
        problems.append(
            Problem(
                str(config.site_dir),
                "check",
                "no built site to check links in. Run 'newsarchive build'",
                is_warning=True,
            )
        )
    return problems
