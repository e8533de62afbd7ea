"""The reader's site: accessibility (axe-core in Chromium), feeds, sitemap, sub-path, reproducibility, links."""

from __future__ import annotations

import io
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import feedparser
import pytest

from generator.cli import main
from generator.render.links import broken_links, page_links

from ..conftest import http_server

REPO = Path(__file__).resolve().parents[2]
AXE = REPO / "tests" / "vendor" / "axe.min.js"
ARTIFACTS = REPO / "tests" / "artifacts"


def _build(root: Path, base_url: str | None = None) -> Path:
    shutil.copytree(REPO / "content" / "raw", root / "content" / "raw")
    if base_url:
        (root / "newsarchive.toml").write_text(f'base_url = "{base_url}"\n')
    err = io.StringIO()
    assert main(["--root", str(root), "build"], out=io.StringIO(), err=err) == 0, err.getvalue()
    return root / "site"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _build(tmp_path_factory.mktemp("reader"))


def test_no_broken_internal_link_and_no_external_resource(site: Path) -> None:
    assert list(broken_links(site)) == []
    for page in site.rglob("*.html"):
        if "pagefind" in page.parts:
            continue
        html = page.read_text(encoding="utf-8")
        for link in page_links(html):
            # Only links a reader follows on purpose may leave the site: none are loaded by the page.
            if link.startswith(("http://", "https://", "//")):
                assert f'href="{link}"' in html and f'src="{link}"' not in html, (page, link)
        assert '<link rel="stylesheet" href="http' not in html and 'src="http' not in html, page


def test_two_builds_of_the_same_input_are_byte_identical(tmp_path: Path, site: Path) -> None:
    again = _build(tmp_path)
    first = {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}
    second = {
        p.relative_to(again).as_posix(): p.read_bytes() for p in again.rglob("*") if p.is_file()
    }
    assert first.keys() == second.keys()
    assert [k for k in first if first[k] != second[k]] == []


def test_feeds_parse_and_list_the_newest_articles(site: Path) -> None:
    atom = feedparser.parse((site / "feed.xml").read_bytes())
    assert not atom.bozo, atom.get("bozo_exception")
    titles = [e.title for e in atom.entries]
    assert titles[0] == "City approves new tram line to the airport"  # newest first
    published = [e.published for e in atom.entries if "published" in e]
    assert published == sorted(published, reverse=True)
    # An undated article takes the feed's date (the newest in the archive), never 1970.
    undated = [e for e in atom.entries if "published" not in e]
    assert undated and all(e.updated == atom.feed.updated for e in undated)
    assert "<updated>1970" not in (site / "feed.xml").read_text(encoding="utf-8")
    # Atom carries the full text, as JSON Feed does.
    assert all(e.content[0].value.count("<p>") >= 2 for e in atom.entries)
    feed = json.loads((site / "feed.json").read_text(encoding="utf-8"))
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert [i["title"] for i in feed["items"]][:3] == titles[:3]
    assert all({"id", "url", "title", "content_html"} <= set(i) for i in feed["items"])
    assert all(i["id"].startswith("http://127.0.0.1:8000/articles/") for i in feed["items"])


def test_sitemap_lists_every_article_page(site: Path) -> None:
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    for page in (site / "articles").iterdir():
        assert f"<loc>http://127.0.0.1:8000/articles/{page.name}/</loc>" in sitemap


def test_works_under_a_sub_path(tmp_path: Path) -> None:
    sub = _build(tmp_path, "https://example.org/sub/path/")
    assert list(broken_links(sub)) == []
    not_found = (sub / "404.html").read_text(encoding="utf-8")
    assert 'href="/sub/path/archive/"' in not_found and "<style>" in not_found
    assert "<loc>https://example.org/sub/path/articles/" in (sub / "sitemap.xml").read_text(
        encoding="utf-8"
    )
    assert (
        'href="../../static/style.css"'
        in next((sub / "articles").iterdir()).joinpath("index.html").read_text()
    )


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The site served under /sub/path/ by a plain `python -m http.server`."""
    root = tmp_path_factory.mktemp("served")
    site = _build(root / "archive", "http://127.0.0.1/sub/path/")
    (root / "www" / "sub").mkdir(parents=True)
    shutil.copytree(site, root / "www" / "sub" / "path")
    with http_server(root / "www") as base:
        yield base + "sub/path/"


PAGE_TYPES = {
    "front": "",
    "article": "articles/riverside-bridge-reopens-after-two-years-of-upkeep/",
    "entity": "people/ingrid-solberg/",
    "author": "authors/joel-okafor/",
    "authors": "authors/",
    "feeds": "feeds/",
    "archive": "archive/2024/",
    "quotes": "quotes/",
    "search": "search/?q=bridge",
    "404": "404.html",
}


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("kind", sorted(PAGE_TYPES))
def test_axe_finds_no_serious_violation(served: str, chromium: Any, kind: str, scheme: str) -> None:
    page = chromium.new_page(viewport={"width": 1100, "height": 900})
    page.emulate_media(color_scheme=scheme)
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(served + PAGE_TYPES[kind])
    page.wait_for_load_state("networkidle")
    if kind == "search":
        page.wait_for_selector("#search-results li", timeout=15000)
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
    )
    bad = [
        (v["id"], v["impact"], v["nodes"][0]["target"])
        for v in result["violations"]
        if v["impact"] in {"serious", "critical"}
    ]
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{kind}-{scheme}.png"), full_page=True)
    assert bad == []
    assert all(url.startswith(served.split("/sub/")[0]) for url in requests), requests
    page.close()


@pytest.mark.browser
def test_navigation_and_small_screens(served: str, chromium: Any) -> None:
    page = chromium.new_page(viewport={"width": 360, "height": 740})
    page.goto(served)
    page.click("text=Riverside Bridge Reopens After Two Years of Repairs")
    page.wait_for_selector("h1:has-text('Riverside Bridge Reopens')")
    page.click(".removed summary")
    assert "Leave a Reply" in page.text_content(".removed")
    page.click(".byline a:has-text('Joel Okafor')")
    page.wait_for_selector("h1:has-text('Joel Okafor')")
    page.go_back()
    page.click(".article-details a:has-text('Ingrid Solberg')")
    page.wait_for_selector("h1:has-text('Ingrid Solberg')")
    page.click("nav >> text=Archive")
    page.wait_for_selector("h1:has-text('Archive')")
    page.close()


@pytest.mark.browser
def test_first_screen_of_every_article_on_a_phone(served: str, chromium: Any) -> None:
    """At 360x740 each article's text starts on the first screen, below a one-line nav; no
    page of any type scrolls sideways at 320 px; at 1280 px the nav is one line."""
    page = chromium.new_page(viewport={"width": 360, "height": 740})
    page.goto(served)
    articles = page.eval_on_selector_all(
        "ol.article-list h2 a", "links => links.map(a => a.getAttribute('href'))"
    )
    assert len(articles) == 10
    tops = {}
    for href in articles:
        page.goto(served + href)
        tops[href] = page.evaluate(
            "document.querySelector('.article-body p').getBoundingClientRect().top"
        )
        rows = page.evaluate(
            "new Set([...document.querySelectorAll('.site-nav li')].map(li => li.offsetTop)).size"
        )
        assert rows == 1, href
    assert max(tops.values()) < 600, tops
    page.set_viewport_size({"width": 320, "height": 640})
    for path in PAGE_TYPES.values():
        page.goto(served + path)
        width = page.evaluate("document.scrollingElement.scrollWidth")
        assert width <= 320, (path, width)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(served)
    assert (
        page.evaluate(
            "new Set([...document.querySelectorAll('.site-nav li')].map(li => li.offsetTop)).size"
        )
        == 1
    )
    page.close()


def test_everything_but_search_works_without_javascript(site: Path) -> None:
    scripts = set()
    for page in site.rglob("*.html"):
        if "pagefind" in page.parts:
            continue
        html = page.read_text(encoding="utf-8")
        scripts |= {
            line.strip()
            for line in html.splitlines()
            if "<script" in line and "ld+json" not in line
        }
    assert scripts == {
        '<script src="../static/search-ui.js" defer></script>',
        '<script src="../static/search-engine.js" defer></script>',
        '<script src="../static/search.js" defer></script>',
    }
    assert "Search needs JavaScript" in (site / "search" / "index.html").read_text(encoding="utf-8")
