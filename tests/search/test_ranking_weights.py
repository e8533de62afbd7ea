"""What the text fields' weights (generator/search/fields.py) promise a reader, in both engines:
a word in the headline outranks a few passing mentions in the body, and a name the body already
has is counted once (the names field adds only the words the body lacks). And the static page
ranks as the index of record (static/search-engine.js against search/scorer.py): one unit per
stem, BM25 of the word's own stem, not of every longer word that starts with it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from generator.search.searching import search

from ..conftest import http_server
from .test_semantics import built_archive

# Titles of four words each and bodies of the same length: only where "ferry" is differs.
FILLER = "The council met on Tuesday and the members spoke about the plans for the coming year."
ARTICLES = {
    "ferry-headline.md": f"""---
title: Island Ferry Timetable Changes
date: 2024-06-01
---

The ferry leaves earlier from June. {FILLER} Passengers should check the board at the quay.
The bus and the train keep their times.
""",
    "ferry-body.md": f"""---
title: Island Harbour Timetable Changes
date: 2024-06-02
---

The ferry leaves earlier from June. {FILLER} Passengers of the ferry should check the board.
The ferry bus and the ferry train keep times.
""",
    "named.md": """---
title: Senate Hears Budget Plan
date: 2024-06-03
people: [John F. Kennedy]
---

The senators said Kennedy would sign the budget bill next week, after a long debate.
""",
    "unnamed.md": """---
title: Senate Hears Tariff Plan
date: 2024-06-04
---

The senators said Kennedy would sign the budget bill next week, after a long debate.
""",
}


def _record(title: str, body: str) -> str:
    return f"---\ntitle: {title}\ndate: 2024-05-01\n---\n\n{body} {FILLER}\n"


# "Material" in three articles (a common word); one article says it in every form and in longer
# words that start with its stem; "photoelastic" and "steel" are each in one article.
ARTICLES |= {
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
    return built_archive(tmp_path_factory.mktemp("weights"), ARTICLES)


@pytest.fixture(scope="module")
def static_site(archive: Path) -> Iterator[str]:
    with http_server(archive / "site") as base:
        yield base


def _hits(root: Path, text: str) -> list[tuple[str, float]]:
    return [(h.title, h.score) for h in search(root / ".build" / "whoosh", text).hits]


def test_a_headline_word_outranks_four_mentions_in_the_body(archive: Path) -> None:
    # Title x4: the headline with "ferry" once in its body (4 + 1) comes before the article
    # saying "ferry" four times in the body only (4). At x2 (3 against 4) it came second.
    hits = _hits(archive, "ferry")
    assert [title for title, _ in hits] == [
        "Island Ferry Timetable Changes",
        "Island Harbour Timetable Changes",
    ]
    assert hits[0][1] > hits[1][1]


def test_a_name_the_body_has_counts_once(archive: Path) -> None:
    # Both bodies say "Kennedy"; one article also lists "John F. Kennedy" among its people.
    # The name adds nothing the body does not already count (it outranked the other, x1.5)...
    hits = dict(_hits(archive, "kennedy"))
    assert hits["Senate Hears Budget Plan"] == hits["Senate Hears Tariff Plan"]
    # ...but its full form is searchable: "John" is only in the names.
    assert [title for title, _ in _hits(archive, "john")] == ["Senate Hears Budget Plan"]


@pytest.fixture
def search_page(static_site: str, chromium: Any) -> Iterator[Any]:
    page = chromium.new_page()
    page.goto(static_site + "search/")
    page.wait_for_function("typeof window.newsarchiveSearch === 'function'", timeout=15000)
    yield page
    page.close()


def _slug(url: str) -> str:
    return url.strip("/").rsplit("/", 1)[-1]


def _static(page: Any, query: str) -> list[str]:
    """The static page's ranking, as article slugs."""
    found: list[str] = page.evaluate(
        "q => window.newsarchiveSearch(q, {}).then(r => r.urls)", query
    )
    return [_slug(url) for url in found]


def _slugs(root: Path, text: str) -> list[str]:
    """Whoosh's ranking, as article slugs."""
    return [_slug(h.url) for h in search(root / ".build" / "whoosh", text).hits]


@pytest.mark.browser
def test_the_static_page_weighs_the_fields_alike(search_page: Any) -> None:
    assert _static(search_page, "ferry") == ["ferry-headline", "ferry-body"]
    assert _static(search_page, "john") == ["named"]
    assert sorted(_static(search_page, "kennedy")) == ["named", "unnamed"]


@pytest.mark.browser
def test_the_static_page_ranks_as_the_index_of_record(archive: Path, search_page: Any) -> None:
    # A rare word outranks a common one however many longer words start with the common one's
    # stem: the page scores the word's own stem once. Summing Pagefind's plain score of each
    # query word (each longer word scored too, "materials" and "material" twice), "forms" came
    # first.
    query = "photoelastic materials"
    assert _slugs(archive, query)[0] == "photoelastic"
    assert _static(search_page, query) == _slugs(archive, query)
    # "material materials" is one word (one stem): counted twice (as the page did before), the
    # article saying "material" in every form outranked the one with the rarer "steel".
    query = "steel material materials"
    assert _slugs(archive, query)[0] == "steel"
    assert _static(search_page, query) == _slugs(archive, query)
