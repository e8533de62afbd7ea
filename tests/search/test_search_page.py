"""The search page keeps its promises in both engines: each example of its help text, run on a
static host (Pagefind, in Chromium, over a plain HTTP server) and in the preview (/api/search,
Whoosh), finds the same articles and does what the help text says; did you mean and empty
queries on the page."""

from __future__ import annotations

import io
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from generator.cli import main
from generator.serve.preview import Preview, start_preview

from ..conftest import http_server
from .test_semantics import ARTICLES

REPO = Path(__file__).resolve().parents[2]
pytest.importorskip("pagefind")


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("page")
    assert main(["init", str(root)], out=io.StringIO()) == 0
    shutil.rmtree(root / "content" / "raw")
    shutil.copytree(REPO / "content" / "raw", root / "content" / "raw")
    for name, text in ARTICLES.items():
        (root / "content" / "articles" / name).write_text(text, encoding="utf-8")
    assert main(["--root", str(root), "build"], out=io.StringIO(), err=io.StringIO()) == 0
    return root


@pytest.fixture(scope="module")
def static_site(archive: Path) -> Iterator[str]:
    with http_server(archive / "site") as base:
        yield base


@pytest.fixture(scope="module")
def preview(archive: Path) -> Iterator[Preview]:
    running = start_preview(archive, "127.0.0.1", 0, watch=False)
    yield running
    running.stop()


def _engine(chromium: Any, base: str) -> Any:
    page = chromium.new_page()
    page.goto(base + "search/")
    page.wait_for_function("typeof window.newsarchiveSearch === 'function'", timeout=15000)
    return page


def _ask(page: Any, query: str) -> dict[str, Any]:
    found: dict[str, Any] = page.evaluate("q => window.newsarchiveSearch(q, {})", query)
    found["urls"] = [u.lstrip("/") for u in found.get("urls", [])]
    return found


@pytest.mark.browser
def test_every_help_example_does_the_same_in_both_engines(
    static_site: str, preview: Preview, chromium: Any
) -> None:
    static, served = _engine(chromium, static_site), _engine(chromium, preview.url)
    examples = {
        e.get_attribute("data-example"): e.text_content()
        for e in static.locator("#search-help code[data-example]").all()
    }
    assert set(examples) == {"words", "phrase", "loose", "exclude", "not", "accents", "endings"}
    answers = {}
    for name, query in examples.items():
        pagefind, whoosh = _ask(static, query), _ask(served, query)
        assert sorted(pagefind["urls"]) == sorted(whoosh["urls"]), (name, query)
        assert pagefind["urls"], (name, query)
        for key in ("total", "complete", "unknown", "loosened"):
            assert pagefind[key] == whoosh[key], (name, key)
        answers[name] = whoosh
    # What each example says it does, checked against plain word searches.
    words = answers["words"]
    wall, harbour = _ask(served, "wall"), _ask(served, "harbour")
    assert set(words["urls"]) == set(wall["urls"]) | set(harbour["urls"])
    both = set(wall["urls"]) & set(harbour["urls"])
    assert set(words["urls"][: len(both)]) == both  # those with every word first
    assert set(answers["phrase"]["urls"]) <= both
    assert answers["phrase"]["loosened"] == []
    assert answers["loose"]["loosened"] == ["wall harbour"]  # no article has it: its words
    assert answers["loose"]["urls"] == words["urls"]
    assert answers["exclude"]["urls"] == answers["not"]["urls"]
    assert set(answers["exclude"]["urls"]) == set(wall["urls"]) - set(harbour["urls"])
    assert answers["accents"]["urls"] == _ask(served, "López")["urls"]
    assert sorted(answers["endings"]["urls"]) == sorted(wall["urls"])
    static.close()
    served.close()


@pytest.mark.browser
@pytest.mark.parametrize(
    "query",
    [
        '"harbour wall" -ferry',
        "local report",
        "border crossing tunnel repairs",
        "soical",
        '"post border" ferry',
        '"training" harbour',
        '"housing policy" "border post"',
    ],
)
def test_other_queries_agree_too(
    static_site: str, preview: Preview, chromium: Any, query: str
) -> None:
    static, served = _engine(chromium, static_site), _engine(chromium, preview.url)
    pagefind, whoosh = _ask(static, query), _ask(served, query)
    for key in ("total", "complete", "unknown", "loosened", "suggestion"):
        assert pagefind[key] == whoosh[key], key
    assert sorted(pagefind["urls"]) == sorted(whoosh["urls"])
    static.close()
    served.close()


@pytest.mark.browser
def test_did_you_mean_and_empty_queries_on_a_static_host(static_site: str, chromium: Any) -> None:
    page = chromium.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(static_site + "search/?q=harbour")
    page.wait_for_selector("#search-results li", timeout=15000)
    assert not [u for u in requests if "/words/" in u]  # the word list only on a miss
    page.goto(static_site + "search/?q=harbour+soical")
    page.wait_for_selector("#search-suggestion a", timeout=15000)
    assert page.text_content("#search-suggestion a") == "harbour social"
    assert "No article has “soical”" in (page.text_content("#search-status") or "")
    assert [u for u in requests if u.endswith("/pagefind/words/s.json")]
    page.goto(static_site + "search/?q=%22wall+harbour%22")
    page.wait_for_selector("#search-results li", timeout=15000)
    status = page.text_content("#search-status") or ""
    assert "No article has “wall harbour”: searched without the quotes." in status
    page.goto(static_site + "search/?q=")
    page.wait_for_function(
        "document.querySelector('#search-status').textContent.includes('Nothing to search for')",
        timeout=15000,
    )
    page.goto(static_site + "search/?q=the")
    page.wait_for_function(
        "document.querySelector('#search-status').textContent.includes('Nothing to search for')",
        timeout=15000,
    )
    page.close()
