"""Search (reader index): a rendered site folder -> Pagefind bundle in site/pagefind/ (no server needed).

Pagefind's binary ships inside the `pagefind[bin]` wheel, so nothing downloads at run time.
"""

from __future__ import annotations

import gzip
import hashlib
import importlib.util
import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import cbor2
from markupsafe import escape

from generator.errors import SearchError
from generator.search.documents import names_beyond

if TYPE_CHECKING:
    from generator.models import Article
    from generator.render.analysis import ArticleAnalysis

BUNDLE_DIR = "pagefind"
# An id attribute of the rendered body (quote anchors): values are escaped, so `"` ends one.
_ID = re.compile(r'\s+id="[^"]*"')
# The facets the article page marks with data-pagefind-filter, by record field.
FILTERS = (
    ("people", "person"),
    ("organizations", "organization"),
    ("places", "place"),
    ("tags", "tag"),
    ("authors", "author"),  # the byline's links to author pages
)


def lean_document_path(folder: Path, slug: str) -> Path:
    """Where an article's Pagefind input goes: its site path, so Pagefind gives it the page's URL."""
    return folder / "articles" / slug / "index.html"


def lean_document(article: Article, analysis: ArticleAnalysis, language: str) -> bytes:
    """What Pagefind reads of an article (Pagefind indexes these, not the site's pages): the
    title and date meta and the filters of templates/article.html, and as text what the index
    of record searches (fields.py), with the same weights: the body, then the title (x4), the
    byline (x2) and the words of the article's names that the body lacks (x1). How many words
    of the text come after the body (meta `tail`) lets the search page tell a hit in the body
    from one in the rest. Nothing the search page does not use, since a reader's browser
    downloads it: no sort key (the page ranks by score; a date sort cost the first query 21 KB
    of meta at 10,000 articles) and no element ids (Pagefind keeps each as an anchor in the
    result's fragment)."""
    byline = ", ".join((*article.authors, *article.contributors))
    names = names_beyond((*article.people, *article.organizations, *article.places), article.body)
    tail = [(article.title, "4"), (byline, "2"), (names, "1")]
    parts = [
        f'<!DOCTYPE html><html lang="{escape(language)}"><head><meta charset="utf-8"></head><body>',
        f'<h1 data-pagefind-meta="title">{escape(article.title)}</h1>',
        f'<p data-pagefind-meta="tail:{sum(len(text.split()) for text, _ in tail)}"></p>',
    ]
    if article.date:
        day, year = escape(article.date[:10]), escape(article.date[:4])
        parts.append(f'<p data-pagefind-meta="date:{day}" data-pagefind-filter="year:{year}"></p>')
    for field, name in FILTERS:
        for value in getattr(article, field):
            if value.strip():  # a blank name has no entity page, hence no link on the page
                parts.append(f'<p data-pagefind-filter="{name}">{escape(value)}</p>')
    parts.append(f"<div data-pagefind-body>{_ID.sub('', analysis.marked_html)}")
    parts.extend(
        f'<p data-pagefind-weight="{weight}">{escape(text)}</p>' for text, weight in tail if text
    )
    parts.append("</div></body></html>\n")
    return "".join(parts).encode("utf-8")


@dataclass(frozen=True, slots=True)
class StaticIndexReport:
    pages: int
    files: int


def is_available() -> bool:
    return importlib.util.find_spec("pagefind") is not None


def pagefind_command(site_dir: Path, output: Path) -> list[str]:
    """Pagefind over site_dir's pages, writing the bundle to output. Raises SearchError when
    Pagefind is not installed."""
    if not is_available():
        raise SearchError(
            "Pagefind is not installed (pip install 'pagefind[bin]'); set static_search = false to skip it"
        )
    return [
        sys.executable,
        "-m",
        "pagefind",
        "--site",
        str(site_dir),
        "--output-path",
        str(output),
    ]


def build_static_index(
    site_dir: Path, timeout: float = 3600, output: Path | None = None
) -> StaticIndexReport:
    """Index the pages that carry data-pagefind-body into site_dir/pagefind (or `output`).

    Raises SearchError when Pagefind fails.
    """
    if not is_available():
        raise SearchError(
            "Pagefind is not installed (pip install 'pagefind[bin]'); set static_search = false to skip it"
        )
    command = [
        sys.executable,
        "-m",
        "pagefind",
        "--site",
        str(site_dir),
        *(("--output-path", str(output)) if output else ("--output-subdir", BUNDLE_DIR)),
    ]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired as exc:
        raise SearchError(f"Pagefind did not finish within {timeout:.0f} s") from exc
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        raise SearchError(f"Pagefind failed (exit {done.returncode}): {' | '.join(tail)}")
    bundle = output or site_dir / BUNDLE_DIR
    canonicalize_bundle(bundle)
    files = sum(1 for p in bundle.rglob("*") if p.is_file()) if bundle.is_dir() else 0
    return StaticIndexReport(pages=indexed_pages(done.stdout), files=files)


def indexed_pages(output: str) -> int:
    """Pages indexed, from what Pagefind printed (one "Indexed N pages" line per bundle)."""
    return sum(int(found) for found in re.findall(r"Indexed (\d+) page", output))


_SIGNATURE = b"pagefind_dcd"


def _read_cbor(path: Path) -> Any:
    raw = gzip.decompress(path.read_bytes())
    if not raw.startswith(_SIGNATURE):
        raise SearchError(f"{path}: not a Pagefind data file")
    return cbor2.loads(raw[len(_SIGNATURE) :])


def _write_cbor(
    folder: Path, prefix: str, stem_lang: str, suffix: str, data: Any, digits: int
) -> str:
    """Write gzip(signature + CBOR) under a name made from its content; returns the hash part."""
    payload = _SIGNATURE + cbor2.dumps(data)
    digest = f"{stem_lang}_{hashlib.sha256(payload).hexdigest()[:digits]}"
    (folder / f"{prefix}{digest}{suffix}").write_bytes(gzip.compress(payload, mtime=0))
    return digest


def canonicalize_bundle(bundle: Path) -> None:
    """Make Pagefind's filter files and meta index byte-reproducible.

    Pagefind (through 1.5) writes filter values in hash-map order, so two runs over the same
    pages give different filter files, meta index and entry hash (Pagefind issue #638). We sort
    the values, re-encode the same CBOR structure and name files by their content.
    """
    entry_path = bundle / "pagefind-entry.json"
    entry = json.loads(entry_path.read_text(encoding="utf-8"))
    for language, info in entry.get("languages", {}).items():
        meta_path = bundle / f"pagefind.{info['hash']}.pf_meta"
        meta = _read_cbor(meta_path)
        filters = []
        for name, old_hash in meta[3]:
            filter_path = bundle / "filter" / f"{old_hash}.pf_filter"
            filter_name, values = _read_cbor(filter_path)
            values = sorted(
                ([value, sorted(pages)] for value, pages in values), key=lambda item: item[0]
            )
            filter_path.unlink()
            filters.append(
                [
                    name,
                    _write_cbor(
                        bundle / "filter", "", language, ".pf_filter", [filter_name, values], 7
                    ),
                ]
            )
        meta[3] = sorted(filters, key=lambda item: item[0])
        meta_path.unlink()
        info["hash"] = _write_cbor(bundle, "pagefind.", language, ".pf_meta", meta, 10)
    entry_path.write_text(
        json.dumps(entry, ensure_ascii=False, separators=(",", ":")), encoding="utf-8"
    )
