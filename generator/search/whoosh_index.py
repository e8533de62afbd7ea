"""Search (index of record): Articles -> Whoosh index in .build/whoosh; queries -> ranked, faceted hits.

The only module that imports whoosh, so a server engine can replace it behind these functions.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
import shutil
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from whoosh import index, qparser, query, sorting
from whoosh.analysis import CharsetFilter, LowercaseFilter, RegexTokenizer, StemmingAnalyzer
from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema
from whoosh.support.charset import accent_map

from generator.build.plan import article_url
from generator.errors import SearchError
from generator.fsutil import atomic_write_text, is_process_alive, swap_directory
from generator.models import Article

_MARK = re.compile(r"</?mark[^>]*>")
SCHEMA_VERSION = (
    2  # bump when _schema() or _document() change: the next build re-indexes everything
)
FACETS = ("people", "organizations", "places", "tags", "year")


def _schema() -> Schema:
    stemmed = StemmingAnalyzer() | CharsetFilter(accent_map)
    # Unstemmed words for "did you mean": a stemmed field would suggest stems ('fentanyl' -> 'fentanyl' ok,
    # but 'migrants' -> 'migrant').
    plain = RegexTokenizer() | LowercaseFilter() | CharsetFilter(accent_map)
    return Schema(
        slug=ID(stored=True, unique=True),
        # Hash of everything indexed for the article: an unchanged article is never re-indexed.
        digest=ID(stored=True),
        title=TEXT(analyzer=stemmed, stored=True, field_boost=2.0),
        body=TEXT(analyzer=stemmed, stored=True),
        words=TEXT(analyzer=plain, spelling=True),
        summary=STORED,
        url=STORED,
        date=ID(stored=True, sortable=True),
        year=KEYWORD(stored=True),
        people=KEYWORD(stored=True, commas=True, lowercase=True),
        organizations=KEYWORD(stored=True, commas=True, lowercase=True),
        places=KEYWORD(stored=True, commas=True, lowercase=True),
        tags=KEYWORD(stored=True, commas=True, lowercase=True),
    )


def _plain_body(markdown_body: str) -> str:
    text = re.sub(r"^\s*(?:\\)?[#>*+-]\s+", "", markdown_body, flags=re.M)
    return text.replace("\\", "")


def article_digest(article: Article) -> str:
    """Hash of everything the index stores for an article, cheap enough to take for 10k articles."""
    parts = (
        str(SCHEMA_VERSION),
        article.slug,
        article.title,
        article.body,
        article.summary,
        article.date or "",
        *article.people,
        "\x01",
        *article.organizations,
        "\x01",
        *article.places,
        "\x01",
        *article.tags,
    )
    return hashlib.sha256("\x00".join(parts).encode("utf-8")).hexdigest()


def _document(article: Article) -> dict[str, Any]:
    body = _plain_body(article.body)
    doc = {
        "slug": article.slug,
        "title": article.title,
        "body": body,
        "words": f"{article.title}\n{body}",
        "summary": article.summary,
        "url": article_url(article),
        "date": article.date or "",
        "year": article.year or "",
        "people": ",".join(article.people),
        "organizations": ",".join(article.organizations),
        "places": ",".join(article.places),
        "tags": ",".join(article.tags),
    }
    doc["digest"] = article_digest(article)
    return doc


@dataclass(frozen=True, slots=True)
class IndexUpdate:
    added: int
    updated: int
    removed: int
    unchanged: int
    rebuilt: bool


def update_index(index_dir: Path, articles: Sequence[Article]) -> IndexUpdate:
    """Bring the index in line with the articles, touching only what changed.

    Changed articles are replaced by key (slug), removed ones deleted, unchanged ones left alone.
    A missing, damaged or older-schema index is rebuilt from scratch in a temporary folder and
    swapped in. Whoosh's write lock is an OS file lock, so a killed build leaves no stale lock.
    """
    digests = {a.slug: article_digest(a) for a in articles}
    by_slug = {a.slug: a for a in articles}
    try:
        ix = index.open_dir(str(index_dir)) if index.exists_in(str(index_dir)) else None
        if ix is not None and set(ix.schema.names()) != set(_schema().names()):
            ix.close()
            ix = None
    except Exception:  # a damaged index: rebuild it
        ix = None
    if ix is None:
        # Whoosh's multi-process writer halves a full index on two cores (bench_search.py); for a
        # few hundred articles the process start-up costs more than it saves.
        procs = min(2, os.cpu_count() or 1) if len(articles) >= 500 else 1
        count = build_index(index_dir, articles, procs=procs)
        return IndexUpdate(count, 0, 0, 0, True)
    try:
        current = _read_digests(index_dir)
        if current is None:  # no sidecar: read the digests from the index (loads every document)
            with ix.searcher() as searcher:
                current = {f["slug"]: f.get("digest") for f in searcher.all_stored_fields()}
        changed = [slug for slug, digest in digests.items() if current.get(slug) != digest]
        removed = [slug for slug in current if slug not in digests]
        if changed or removed:
            writer = ix.writer(timeout=30.0)
            for slug in removed:
                writer.delete_by_term("slug", slug)
            for slug in changed:
                writer.update_document(**_document(by_slug[slug]))
            writer.commit()
            # Written after the commit: a crash in between leaves stale digests, which only makes
            # the next build re-index a few documents again, never skip one.
            _write_digests(index_dir, digests)
        added = sum(1 for slug in changed if slug not in current)
        return IndexUpdate(
            added, len(changed) - added, len(removed), len(digests) - len(changed), False
        )
    finally:
        ix.close()


def _digests_path(index_dir: Path) -> Path:
    return index_dir.with_name(f"{index_dir.name}-digests.json")


def _read_digests(index_dir: Path) -> dict[str, str] | None:
    """slug -> digest of what the index holds, from the sidecar file; None if missing or unreadable."""
    try:
        data = json.loads(_digests_path(index_dir).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return (
        data.get("digests")
        if isinstance(data, dict) and data.get("version") == SCHEMA_VERSION
        else None
    )


def _write_digests(index_dir: Path, digests: dict[str, str]) -> None:
    atomic_write_text(
        _digests_path(index_dir),
        json.dumps({"version": SCHEMA_VERSION, "digests": digests}, sort_keys=True),
    )


def build_index(index_dir: Path, articles: Iterable[Article], procs: int = 1) -> int:
    """Write a fresh index into a temporary folder, then swap it in; returns the document count.

    procs > 1 uses Whoosh's multi-process writer (one segment per process, not merged).
    A crash mid-way leaves the previous index untouched and searchable.
    """
    staged = index_dir.with_name(f"{index_dir.name}.tmp-{os.getpid()}")
    shutil.rmtree(staged, ignore_errors=True)
    for stale in index_dir.parent.glob(f"{index_dir.name}.tmp-*"):
        pid = stale.name.rsplit("-", 1)[-1]
        if pid.isdigit() and not is_process_alive(int(pid)):
            shutil.rmtree(stale, ignore_errors=True)
    staged.mkdir(parents=True)
    try:
        ix = index.create_in(str(staged), _schema())
        writer = (
            ix.writer(limitmb=128, procs=procs, multisegment=procs > 1)
            if procs > 1
            else ix.writer(limitmb=128)
        )
        count = 0
        digests: dict[str, str] = {}
        for article in articles:
            doc = _document(article)
            writer.add_document(**doc)
            digests[doc["slug"]] = doc["digest"]
            count += 1
        writer.commit()
        ix.close()
        _digests_path(index_dir).unlink(
            missing_ok=True
        )  # never let old digests describe a new index
        swap_directory(staged, index_dir)
        _write_digests(index_dir, digests)
    finally:
        shutil.rmtree(staged, ignore_errors=True)
    return count


@dataclass(frozen=True, slots=True)
class SearchHit:
    title: str
    date: str | None
    url: str
    snippet_html: str
    score: float

    @property
    def snippet_text(self) -> str:
        return html.unescape(_MARK.sub("", self.snippet_html))


@dataclass(frozen=True, slots=True)
class SearchResult:
    query: str
    total: int
    page: int
    pages: int
    hits: tuple[SearchHit, ...]
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    suggestion: str | None = None


def _open(index_dir: Path) -> Any:
    if not index.exists_in(str(index_dir)):
        raise SearchError(f"no search index in {index_dir}; run 'newsarchive build' first")
    try:
        return index.open_dir(str(index_dir))
    except Exception as exc:  # whoosh raises assorted errors for a damaged index
        raise SearchError(
            f"the search index in {index_dir} cannot be opened ({exc}); run 'newsarchive build --clean'"
        ) from exc


def _suggest(searcher: Any, parsed: Any, text: str, ix: Any) -> str | None:
    words = qparser.QueryParser("words", schema=ix.schema, group=qparser.AndGroup)
    try:
        corrected = searcher.correct_query(words.parse(text), text, maxdist=2)
    except Exception:
        return None
    suggestion = str(corrected.string)
    return suggestion if suggestion and suggestion.casefold() != text.casefold() else None


def _fold_chars(text: str) -> str:
    """Lower-case, accent-free copy of text with the same length, so offsets map back 1:1."""
    out = []
    for char in text:
        if char.isascii():
            out.append(char.lower())
            continue
        base = "".join(
            c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c)
        )
        out.append((base if len(base) == 1 else char).lower()[:1] or char)
    return "".join(out)


def make_snippet(body: str, stems: set[str], width: int = 220) -> str:
    """A window of the body around the first matched word, escaped, with <mark> on every match.

    Matches words that begin with an indexed stem (accent- and case-insensitive). Cheaper than
    Whoosh's highlighter, which re-analyses the whole stored body for every hit.
    """
    if not stems:
        return ""
    pattern = re.compile(
        r"\b(?:" + "|".join(re.escape(s) for s in sorted(stems, key=len, reverse=True)) + r")\w*"
    )
    folded = _fold_chars(body)
    first = pattern.search(folded)
    if first is None:
        return ""
    start = max(0, first.start() - 60)
    start = folded.rfind(" ", 0, start) + 1 if start else 0
    end = min(len(body), start + width)
    end = body.find(" ", end) if end < len(body) and body.find(" ", end) != -1 else len(body)
    pieces, cursor = [], start
    for match in pattern.finditer(folded, start, end):
        pieces.append(html.escape(body[cursor : match.start()]))
        pieces.append(f"<mark>{html.escape(body[match.start() : match.end()])}</mark>")
        cursor = match.end()
    pieces.append(html.escape(body[cursor:end]))
    return ("… " if start else "") + "".join(pieces).strip() + (" …" if end < len(body) else "")


def _display_names(searcher: Any, results: Any, cap: int = 2000) -> dict[tuple[str, str], str]:
    """Facet values are indexed lower-cased; show them as the articles spell them."""
    names: dict[tuple[str, str], str] = {}
    for count, docnum in enumerate(results.docs()):
        if count >= cap:
            break
        stored = searcher.stored_fields(docnum)
        for name in FACETS:
            for value in str(stored.get(name) or "").split(","):
                if value:
                    names.setdefault((name, value.lower()), value)
    return names


def search(
    index_dir: Path,
    text: str,
    *,
    limit: int = 10,
    page: int = 1,
    filters: Sequence[tuple[str, str]] = (),
    with_facets: bool = False,
) -> SearchResult:
    """Ranked hits for a user query (phrases, AND/OR/NOT), filtered by facet values, paged.

    A suggestion ("did you mean") is offered when nothing or little matches.
    Raises SearchError when the index is missing or damaged, or the query cannot be parsed.
    """
    ix = _open(index_dir)
    try:
        parser = qparser.MultifieldParser(
            ["title", "body"], schema=ix.schema, group=qparser.AndGroup
        )
        try:
            parsed = parser.parse(text)
        except Exception as exc:
            raise SearchError(f"cannot parse query {text!r}: {exc}") from exc
        terms = [query.Term(name, value.lower()) for name, value in filters if name in FACETS]
        filter_query = query.And(terms) if terms else None
        with ix.searcher() as searcher:
            groups = (
                {name: sorting.FieldFacet(name, allow_overlap=True) for name in FACETS}
                if with_facets
                else None
            )
            results = searcher.search_page(
                parsed,
                max(1, page),
                pagelen=limit,
                filter=filter_query,
                terms=True,
                groupedby=groups,
            )
            hits = []
            for hit in results:
                stems = {
                    t.decode() if isinstance(t, bytes) else str(t)
                    for f, t in hit.matched_terms()
                    if f in {"body", "title"}
                }
                snippet = make_snippet(hit["body"], stems) or html.escape(hit["summary"][:220])
                hits.append(
                    SearchHit(
                        hit["title"],
                        hit["date"] or None,
                        hit["url"],
                        re.sub(r"\s+", " ", snippet),
                        float(hit.score or 0.0),
                    )
                )
            facets: dict[str, list[tuple[str, int]]] = {}
            if with_facets:
                display = _display_names(searcher, results.results)
                for name in FACETS:
                    counts = {
                        display.get((name, k), k): v
                        for k, v in results.results.groups(name).items()
                    }
                    facets[name] = sorted(
                        ((k, len(v)) for k, v in counts.items() if k),
                        key=lambda kv: (-kv[1], kv[0]),
                    )
            # The corrector walks the whole word graph: only worth it when nothing matched.
            suggestion = _suggest(searcher, parsed, text, ix) if results.total == 0 else None
            return SearchResult(
                text,
                results.total,
                max(1, results.pagenum),
                results.pagecount,
                tuple(hits),
                facets,
                suggestion,
            )
    finally:
        ix.close()
