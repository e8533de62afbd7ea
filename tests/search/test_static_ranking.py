"""The static search page ranks as the index of record (static/search-engine.js against
generator/search/scorer.py): one unit per stem, BM25 of the word itself, not of every longer
word that starts with its stem. Checked in Chromium over a real HTTP server, and against Whoosh
on the same records."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from generator.search.searching import search

from ..conftest import http_server
from .test_semantics import built_archive

FILLER = "The council met on Tuesday and the members spoke about the plans for the coming year."


def _record(title: str, body: str) -> str:
    return f"---\ntitle: {title}\ndate: 2024-05-01\n---\n\n{body} {FILLER}\n"


# "Material" in three articles (a common word); one article says it in every form and longer
# words that start with its stem; "photoelastic" and "steel" are each in one article.
ARTICLES = {
    "photoelastic.md": _record(
        "Laboratory Notes One", "The photoelastic method shows the stress in a loaded model."
    ),
    "forms.md": _record(
        "Laboratory Notes Two",
        "Materials, material, materialism, materialist, materialistic, materialised, materially,"
        " materiality and materiel were the words of the day.",
    ),
    "steel.md": _record("Laboratory Notes Three", "The steel beam held the load in the hall test."),
    "material-a.md": _record(
        "Laboratory Notes Four", "The material of the beam was tested in the hall today."
    ),
    "material-b.md": _record(
        "Laboratory Notes Five", "A new material for bridges was shown to the board."
    ),
}


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return built_archive(tmp_path_factory.mktemp("static-ranking"), ARTICLES)


@pytest.fixture(scope="module")
def static_site(archive: Path) -> Iterator[str]:
    with http_server(archive / "site") as base:
        yield base


def _whoosh(root: Path, text: str) -> list[str]:
    return [
        h.url.strip("/").rsplit("/", 1)[-1] for h in search(root / ".build" / "whoosh", text).hits
    ]


@pytest.mark.browser
def test_the_static_page_ranks_as_the_index_of_record(
    archive: Path, static_site: str, chromium: Any
) -> None:
    page = chromium.new_page()
    page.goto(static_site + "search/")
    page.wait_for_function("typeof window.newsarchiveSearch === 'function'", timeout=15000)

    def static(query: str) -> list[str]:
        found: list[str] = page.evaluate(
            "q => window.newsarchiveSearch(q, {}).then(r => r.urls)", query
        )
        return [url.strip("/").rsplit("/", 1)[-1] for url in found]

    # A rare word outranks a common one however many longer words start with the common one's
    # stem (the page scores the word's own stem; Pagefind's plain search scores each longer
    # word too, which only its term-similarity setting kept small here).
    query = "photoelastic materials"
    assert _whoosh(archive, query)[0] == "photoelastic"
    assert static(query) == _whoosh(archive, query)
    # "material materials" is one word (one stem): counted twice (as the page did before), the
    # article saying "material" in every form outranked the one with the rarer "steel".
    query = "steel material materials"
    assert _whoosh(archive, query)[0] == "steel"
    assert static(query) == _whoosh(archive, query)
    page.close()
