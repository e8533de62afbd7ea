"""The only module that knows stage order: ingest (raw -> Markdown) and build (Markdown -> site)."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from generator.config import Config
from generator.errors import ArticleError, GeneratorError, Problem
from generator.ingest.clean import clean_text
from generator.ingest.extract import extract_article, slugify
from generator.ingest.html import extract_html
from generator.ingest.mdinput import read_markdown_input
from generator.ingest.read import find_inputs, read_document
from generator.ingest.write import (
    ExistingRecord,
    input_hash,
    is_up_to_date,
    scan_records,
    write_record,
)
from generator.models import Article, IngestResult, Removal, SourceMeta

log = logging.getLogger(__name__)
Progress = Callable[[str, int, int], None]


def _no_progress(stage: str, done: int, total: int) -> None:
    return None


@dataclass(slots=True)
class IngestReport:
    results: list[IngestResult] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def count(self, action: str) -> int:
        return sum(1 for r in self.results if r.action == action)


def _unexpected(config: Config, source: Path, stage: str, exc: BaseException) -> Problem:
    """One line for an unexpected error; the traceback goes to .build/last-build.log."""
    log_path = config.build_dir / "last-build.log"
    try:
        log_path.parent.mkdir(parents=True, exist_ok=True)
        with log_path.open("a", encoding="utf-8") as handle:
            handle.write(f"--- {source} ({stage})\n{traceback.format_exc()}\n")
    except OSError:
        pass
    return Problem(str(source), stage, f"internal error {type(exc).__name__}: {exc} (traceback in {log_path})")


def ingest_document(path: Path, config: Config) -> Article:
    """read -> clean -> extract for one raw file. Raises ArticleError for a bad input."""
    raw = read_document(path, config.raw_dir, config.max_input_bytes)
    stated = SourceMeta()
    extra_removed: tuple[Removal, ...] = ()
    text, find_title, keep_lines = raw.text, True, False
    if raw.format == "html":
        page = extract_html(raw.text, path)
        stated, text, extra_removed, find_title = page.meta, page.text, page.removed, page.meta.title is None
    elif raw.format == "md":
        stated, text = read_markdown_input(raw.text, path)
        find_title, keep_lines = stated.title is None, True
    clean = clean_text(text, path, find_title=find_title, keep_lines=keep_lines)
    if not clean.paragraphs:
        raise ArticleError(path, "clean", "nothing is left after cleaning (the whole text looked like page junk)",
                           "Check the file holds an article; its removed text would be lost otherwise")
    clean = replace(clean, removed=extra_removed + clean.removed)
    article = extract_article(raw, clean, stated, config.summary_words)
    if raw.repairs:
        article = replace(article, extra={**article.extra, "repairs": list(raw.repairs)})
    return article


def _unique(base: str, taken: set[str]) -> str:
    candidate, n = base, 2
    while candidate in taken:
        candidate = f"{base}-{n}"
        n += 1
    return candidate


def run_ingest(config: Config, progress: Progress = _no_progress) -> IngestReport:
    """Ingest every raw input that changed since its article was written."""
    report = IngestReport()
    inputs = list(find_inputs(config.raw_dir))
    records, slugs, files = scan_records(config.articles_dir)
    config.articles_dir.mkdir(parents=True, exist_ok=True)
    for done, path in enumerate(inputs, 1):
        progress("ingest", done, len(inputs))
        rel = path.relative_to(config.raw_dir).as_posix()
        record: ExistingRecord | None = records.get(rel)
        try:
            current = input_hash(path)
            if is_up_to_date(record, current) or (record and record.is_hand_edited and record.input_hash == current):
                report.results.append(IngestResult(rel, record.path if record else None, "unchanged"))
                continue
            article = ingest_document(path, config)
            if record is not None:
                article = replace(article, slug=record.slug)
                target = record.path
            else:
                article = replace(article, slug=_unique(slugify(article.slug), slugs))
                target = config.articles_dir / f"{article.slug}.md"
                if target in files:
                    target = config.articles_dir / f"{_unique(article.slug, {f.stem for f in files})}.md"
            slugs.add(article.slug)
            files.add(target)
            result = write_record(article, rel, record, target, current)
        except ArticleError as exc:
            report.problems.append(Problem.from_error(exc))
            report.results.append(IngestResult(rel, None, "skipped", str(exc)))
            continue
        except GeneratorError as exc:
            report.problems.append(Problem(str(path), "ingest", str(exc)))
            report.results.append(IngestResult(rel, None, "skipped", str(exc)))
            continue
        except Exception as exc:  # one bad input must not sink the archive
            report.problems.append(_unexpected(config, path, "ingest", exc))
            report.results.append(IngestResult(rel, None, "skipped", str(exc)))
            continue
        if result.action == "kept-edited":
            report.problems.append(Problem(str(result.article_path), "ingest", result.message, is_warning=True))
        report.results.append(result)
    return report
