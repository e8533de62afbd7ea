"""Search relevance on the sample archive (Whoosh of record), the CLI contract, and the static search page in Chromium."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from generator.cli import main
from generator.search.whoosh_index import search

from ..conftest import copy_sample_archive, http_server

FISH = "Fish Market Prices Climb as Cold Spell Keeps Boats in Port"
BRIDGE = "Riverside Bridge Reopens After Two Years of Repairs"


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("search")
    assert main(["init", str(root)], out=io.StringIO()) == 0
    copy_sample_archive(root)
    (root / "content" / "raw" / "harbour.txt").write_text(
        "Harbour Wall Opens\n\nPublished May 2, 2024\n\nBERGEN — The harbour wall opened on Thursday, officials said.\n"
    )
    assert main(["--root", str(root), "build"], out=io.StringIO()) == 0
    return root


def _titles(root: Path, query: str, **kw: Any) -> list[str]:
    return [h.title for h in search(root / ".build" / "whoosh", query, **kw).hits]


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("haddock", [FISH]),  # a word
        ("pipelines OR walls", ["Harbour Wall Opens"]),  # plurals need stemming
        (
            "Lliria",
            ["Hundreds Leave Their Homes as Wildfire Nears Hill Villages"],
        ),  # accents folded
        ('"harbour road"', [BRIDGE]),  # a phrase (its words apart are in three articles)
        ("Storgata NOT steel", ["Riverside Bridge Reopens After Two Years of Upkeep"]),
    ],
)
def test_relevance(archive: Path, query: str, found: list[str]) -> None:
    assert _titles(archive, query) == found
    assert len(_titles(archive, "Storgata")) == 3


def _having(root: Path, *words: str) -> set[str]:
    """Titles of the built articles whose title or text has every one of words (whole words)."""
    found = set()
    for record in (root / "content" / "articles").glob("*.md"):
        text = record.read_text(encoding="utf-8").lower()
        title = next(ln for ln in text.splitlines() if ln.startswith("title:"))
        if all(re.search(rf"\b{w}\b", text) for w in words):
            found.add(title)
    return found


def test_words_are_soft_and(archive: Path) -> None:
    # Every word preferred, but an article with most of them still found: the articles with
    # both words first, then those with either.
    both = _having(archive, "harbour", "road")
    either = _having(archive, "harbour") | _having(archive, "road")
    assert 0 < len(both) < len(either)
    titles = _titles(archive, "harbour road")
    assert len(titles) == len(either)
    first = {t.lower() for t in titles[: len(both)]}
    assert {t.split(":", 1)[1].strip().strip("'\"") for t in both} == first


def test_filters_and_suggestions(archive: Path) -> None:
    assert len(_titles(archive, "kroner")) == 5
    assert _titles(archive, "kroner", filters=[("people", "Erik Dahl")]) == [FISH]
    assert search(archive / ".build" / "whoosh", "haddok").suggestion == "haddock"
    assert _titles(archive, "wall", filters=[("year", "2024")]) == ["Harbour Wall Opens"]


def test_cli_search_contract(archive: Path) -> None:
    out = io.StringIO()
    assert (
        main(
            ["--root", str(archive), "search", "kroner", "--person", "Erik Dahl", "--json"],
            out=out,
        )
        == 0
    )
    data = json.loads(out.getvalue())
    assert data["total"] == 1 and "<mark" in data["hits"][0]["snippet"]
    out = io.StringIO()
    assert main(["--root", str(archive), "search", "haddok"], out=out) == 0
    assert "did you mean: haddock?" in out.getvalue()
    err = io.StringIO()
    assert main(
        ["--root", str(archive), "search", "title:(unclosed"], out=io.StringIO(), err=err
    ) in {0, 2}


_PROBE = """
import io, json, os, sys
from generator.cli import main
out = io.StringIO()
code = main(["--root", sys.argv[1], "search", "haddock"], out=out)
loaded = sorted(sys.modules)
import asyncio, whoosh.compat
async def coroutine(): pass
copied = whoosh.compat.urlretrieve(sys.argv[2], sys.argv[3])[0]
print(json.dumps({"code": code, "out": out.getvalue(), "modules": loaded,
    "coroutine": asyncio.iscoroutinefunction(coroutine), "real": hasattr(asyncio, "run"),
    "copied": open(copied).read(), "blas": os.environ.get("OPENBLAS_NUM_THREADS")}))
"""


def test_cli_search_imports_only_what_a_query_needs(archive: Path, tmp_path: Path) -> None:
    """A `newsarchive search` process starts quickly: one BLAS thread, no build code, no Jinja2,
    and not what Whoosh imports for uses a search never has (urllib.request and asyncio: see
    generator/search/startup.py), which still work when something does use them later."""
    source = tmp_path / "source.txt"
    source.write_text("copied through the real urllib.request")
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, str(archive), source.as_uri(), str(tmp_path / "copy")],
        capture_output=True,
        text=True,
        check=True,
        env={k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"},
    )
    found = json.loads(done.stdout)
    assert found["code"] == 0 and found["out"].startswith(f"1. {FISH}")
    loaded = set(found["modules"])
    for module in ("generator.pipeline", "generator.render", "jinja2", "markdown", "trafilatura"):
        assert module not in loaded
    assert not {"http.client", "ssl", "email", "asyncio.base_events"} & loaded
    assert found["coroutine"] and found["real"]
    assert found["blas"] == "1"  # numpy's OpenBLAS starts one thread, not one per core
    assert found["copied"] == "copied through the real urllib.request"


@pytest.fixture(scope="module")
def static_site(archive: Path) -> Iterator[str]:
    with http_server(archive / "site") as base:
        yield base


@pytest.mark.browser
def test_static_search_page_on_a_plain_http_server(static_site: str, chromium: Any) -> None:
    page = chromium.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(static_site + "search/?q=haddock")
    page.wait_for_selector("#search-results li", timeout=15000)
    assert page.text_content("#search-results li h2") == FISH
    assert page.locator("#search-results li mark").first.text_content().lower() == "haddock"
    assert "1 article match" in page.text_content("#search-status")

    # Facet counts are fetched per facet, when asked for: the first query loads no filter index
    # and no web worker, and only the fragments of the page shown.
    assert not [u for u in requests if "/pagefind/filter/" in u or "worker" in u], requests
    assert sum("/pagefind/fragment/" in u for u in requests) == 1

    page.goto(static_site + "search/?q=said")
    page.wait_for_selector("#search-results li", timeout=15000)
    before = page.locator("#search-results li").count()
    assert page.locator("input[name=place]").count() == 0
    filters_before = sum("/pagefind/filter/" in u for u in requests)
    page.click("button[data-facet=place]")
    # A facet lists its most frequent values first and folds the rest under "Show all".
    page.wait_for_selector("input[name=place][value=Halden]", state="attached", timeout=15000)
    assert sum("/pagefind/filter/" in u for u in requests) == filters_before + 1
    assert page.evaluate("document.activeElement.name") == "place"
    assert page.locator("button[data-facet=place]").count() == 0
    assert page.locator("button[data-facet=person]").count() == 1
    if not page.is_visible("input[name=place][value=Halden]"):
        page.click("details:has(input[name=place]) .facet-more")
    page.check("input[name=place][value=Halden]")
    page.wait_for_function(
        f"document.querySelectorAll('#search-results li').length < {before}", timeout=15000
    )
    assert "place=Halden" in page.url
    page.go_back()
    page.wait_for_function(
        f"document.querySelectorAll('#search-results li').length == {before}", timeout=15000
    )
    # A filter in the address loads that facet's index with the search: its box shows, checked.
    page.goto(static_site + "search/?q=said&place=Halden")
    page.wait_for_selector("input[name=place][value=Halden]", timeout=15000)
    assert page.is_checked("input[name=place][value=Halden]")
    assert page.locator("#search-results li").count() < before

    page.goto(static_site + "search/?q=" + "%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E")
    page.wait_for_selector("#search-status:has-text('match')", timeout=15000)
    assert "<img src=x onerror=alert(1)>" in page.text_content("#search-status")
    assert page.locator("main img").count() == 0
    assert requests and all(url.startswith(static_site) for url in requests)
    page.close()
