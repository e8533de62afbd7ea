"""The default theme as a reader and an editor meet it, checked on built sites (issue 25).

The sample archive plus tests/data/theme/: a raw article whose quote holds a Markdown link with a
long address and whose byline has two authors, and a hand-written record with an editor note.
"""

from __future__ import annotations

import io
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import lxml.html
import pytest

from generator.cli import main

from ..conftest import http_server

REPO = Path(__file__).resolve().parents[2]
THEME_DATA = REPO / "tests" / "data" / "theme"
TRAM = "articles/city-approves-new-tram-line-to-the-airport/index.html"
SPUN = "articles/riverside-bridge-reopens-after-two-years-of-upkeep/index.html"
ORIGINAL = "articles/riverside-bridge-reopens-after-two-years-of-repairs/index.html"
PORT = "articles/port-authority-publishes-its-dredging-report/index.html"
NOTED = "articles/editor-noted-harbour-wall/index.html"


def build_theme_archive(root: Path, config: str = "") -> tuple[Path, str]:
    """The sample archive and the theme's test inputs built into root/site; (site, stdout)."""
    shutil.copytree(REPO / "content" / "raw", root / "content" / "raw")
    shutil.copytree(THEME_DATA / "raw", root / "content" / "raw", dirs_exist_ok=True)
    shutil.copytree(THEME_DATA / "articles", root / "content" / "articles")
    if config:
        (root / "newsarchive.toml").write_text(config, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    assert main(["--root", str(root), "build"], out=out, err=err) == 0, err.getvalue()
    return root / "site", out.getvalue() + err.getvalue()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    return build_theme_archive(tmp_path_factory.mktemp("theme"))


@pytest.fixture(scope="module")
def site(built: tuple[Path, str]) -> Path:
    return built[0]


def _html(site: Path, rel: str) -> str:
    return (site / rel).read_text(encoding="utf-8")


def _tree(site: Path, rel: str) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(_html(site, rel))


# 1. file:// ------------------------------------------------------------------------------------


def test_relative_files_links_name_files_and_the_build_says_how_to_open(tmp_path: Path) -> None:
    site, output = build_theme_archive(tmp_path, "relative_files = true\n")
    checked = 0
    for page in site.rglob("*.html"):
        if "pagefind" in page.parts:
            continue
        for href in _tree(site, page.relative_to(site).as_posix()).xpath("//a/@href|//link/@href"):
            if href.startswith(("http:", "https:", "#", "data:", "mailto:")):
                continue
            path = href.split("#", 1)[0]
            assert not path.endswith("/") and path, (page, href)  # a folder shows as a listing
            checked += 1
    assert checked > 1000
    assert "index.html" in output and "http.server" in output


def test_tasks_site_says_to_serve_the_site_not_to_open_a_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`python3 tasks.py site` on an archive (its venv taken as made): the real build, then
    the one line telling how to look at it."""
    import importlib.util
    import sys

    spec = importlib.util.spec_from_file_location("tasks_under_test", REPO / "tasks.py")
    assert spec is not None and spec.loader is not None
    tasks = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tasks)
    shutil.copytree(REPO / "content" / "raw", tmp_path / "content" / "raw")
    monkeypatch.setattr(tasks, "ROOT", tmp_path)
    monkeypatch.setattr(tasks, "_ensure_env", lambda with_tests: None)
    monkeypatch.setattr(tasks, "_bin", lambda name: Path(sys.executable).parent / name)
    assert tasks.site([]) == 0
    said = capsys.readouterr().out.splitlines()[-1]
    assert "http.server -d site 8000" in said and "http://127.0.0.1:8000/" in said
    assert "index.html" not in said


# 2. the article's first screen -----------------------------------------------------------------


def test_article_header_keeps_record_details_below_the_text(site: Path) -> None:
    tree = _tree(site, TRAM)
    header = tree.xpath("//header[@class='article-header']")[0].text_content()
    for detail in ("Source file", "Words", "tram-line.html"):
        assert detail not in header
    details = tree.xpath("//section[@class='article-details']")[0].text_content()
    assert "Source file" in details and "Words" in details


# 3. bylines and author pages -------------------------------------------------------------------


def test_bylines_link_to_author_pages_with_an_a_to_z_index(site: Path) -> None:
    tree = _tree(site, PORT)
    links = tree.xpath("//p[@class='byline']/a")
    assert [a.text for a in links] == ["Adaeze Okonkwo", "José María Núñez"]
    assert [a.get("href") for a in links] == [
        "../../authors/adaeze-okonkwo/",
        "../../authors/jose-maria-nunez/",
    ]
    assert all(a.get("data-pagefind-filter") == "author" for a in links)
    author = _tree(site, "authors/jose-maria-nunez/index.html")
    assert author.xpath("//h1")[0].text == "José María Núñez"
    assert "Port authority publishes its dredging report" in author.text_content()
    index = _tree(site, "authors/index.html")
    filed = {
        h.get("id"): [a.text for a in h.getparent().xpath(".//a")]
        for h in index.xpath("//section[@class='letter-group']/h2")
    }
    assert "Núñez, José María" in filed["letter-n"] and "Okonkwo, Adaeze" in filed["letter-o"]
    # Listings link bylines too.
    front = _html(site, "index.html")
    assert 'href="authors/adaeze-okonkwo/"' in front


def test_long_indexes_get_a_page_per_letter() -> None:
    from generator.render.entities import EntityRef
    from generator.render.listing import LETTER_PAGES_FROM, entity_letters, filing_name

    refs = [
        EntityRef("people", f"Person{n} Surname{n:04d}", f"people/p{n}/", 1) for n in range(400)
    ]
    letters, groups, paged = entity_letters(refs, "people")
    assert paged and LETTER_PAGES_FROM < 400
    assert [letter.label for letter in letters] == ["S"]
    assert letters[0].url == "people/a-z/s/" and len(groups[0].entities) == 400
    assert filing_name("Joel Okafor Jr.", "people") == "Okafor, Joel"
    assert filing_name("Harbour City Post", "organizations") == "Harbour City Post"


# 4. quotes -------------------------------------------------------------------------------------


def test_quotes_show_the_words_not_markdown_and_every_quote_link_lands(site: Path) -> None:
    quotes = _html(site, "quotes/index.html")
    assert "](https://" not in quotes and "data.example.gov" not in quotes
    assert "as the report on the channel makes plain" in quotes
    tree = lxml.html.fromstring(quotes)
    for href in tree.xpath("//section[@class='quote-group']//a[contains(@href, '#q-')]/@href"):
        page, fragment = href.split("#")
        target = lxml.html.fromstring(
            (site / "quotes" / page / "index.html").resolve().read_text(encoding="utf-8")
        )
        assert target.xpath(f"//*[@id='{fragment}']"), href
    # The quote with a link is found in the text (as shown), so its link goes to the sentence.
    port = _tree(site, PORT)
    assert port.xpath("//div[@class='article-body']//span[@id='q-1']")


def test_quotes_page_keeps_the_altered_warning_of_a_spun_text(site: Path) -> None:
    tree = lxml.html.fromstring(_html(site, "quotes/index.html"))
    spun = next(
        g
        for g in tree.xpath("//section[@class='quote-group']")
        if g.xpath(".//h2/a")[0].text == "Riverside Bridge Reopens After Two Years of Upkeep"
    )
    items = spun.xpath(".//li")
    assert items and all("(altered)" in li.text_content() for li in items)


def test_check_reports_dead_fragment_links(tmp_path: Path) -> None:
    site, _ = build_theme_archive(tmp_path)
    out, err = io.StringIO(), io.StringIO()
    assert main(["--root", str(tmp_path), "check"], out=out, err=err) == 0, err.getvalue()
    page = site / "quotes" / "index.html"
    page.write_text(page.read_text(encoding="utf-8").replace("#q-1", "#q-999", 1), encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    assert main(["--root", str(tmp_path), "check"], out=out, err=err) == 1
    assert "#q-999" in err.getvalue() and "anchor" in err.getvalue()


# 5. copies in listings -------------------------------------------------------------------------


def test_listings_mark_copies_and_related_does_not_repeat_them(site: Path) -> None:
    front = _tree(site, "index.html")
    badges = {
        li.xpath(".//h2/a")[0].text: li.xpath(".//span[contains(@class, 'badge')]")
        for li in front.xpath("//ol[@class='article-list']/li")
    }
    assert badges["Riverside Bridge Reopens After Two Years of Upkeep"][0].text == "Spun copy"
    original = badges["Riverside Bridge Reopens After Two Years of Repairs"]
    assert original and "cop" in original[0].text
    for rel in (SPUN, ORIGINAL):
        tree = _tree(site, rel)
        noticed = set(tree.xpath("//p[contains(@class, 'copy-notice')]/a/@href"))
        related = set(tree.xpath("//section[@class='related']//a/@href"))
        assert noticed and not noticed & related, rel


# 6. editor notes -------------------------------------------------------------------------------


def test_a_noted_passage_links_to_its_note(site: Path) -> None:
    tree = _tree(site, NOTED)
    mark = tree.xpath("//mark[@id='noted-1']")[0]
    ref = mark.getnext()
    assert ref.tag == "a" and ref.get("class") == "note-ref"
    note = tree.xpath(f"//*[@id='{ref.get('href')[1:]}']")[0]
    assert "flooded 600 homes" in note.text_content()
    assert ref.get("aria-label") == "Editor's note 1" and not ref.text_content()


# 7. the removed panel --------------------------------------------------------------------------


def test_removed_panel_counts_comments_and_spam_unless_the_archive_opts_in(
    site: Path, tmp_path: Path
) -> None:
    panel = _tree(site, TRAM).xpath("//details[@class='removed']")[0].text_content()
    assert "harbour_dad" not in panel and "Finally! I have waited" not in panel
    assert "Readers' comments (5)" in panel and "not published" in panel
    record = next((site.parent / "content" / "articles").glob("city-approves-*.md"))
    assert "harbour_dad" in record.read_text(encoding="utf-8")
    spam = _tree(site, ORIGINAL).xpath("//details[@class='removed']")[0].text_content()
    assert "Spam (1)" in spam
    opted, _ = build_theme_archive(tmp_path, "show_comments_and_spam = true\n")
    assert "harbour_dad" in _html(opted, TRAM)


def test_short_removed_spans_share_one_line(site: Path) -> None:
    tree = _tree(site, TRAM)
    groups = tree.xpath("//details[@class='removed']/ul/li")
    labels = [g.xpath("./p/strong")[0].text for g in groups]
    assert len(labels) == len(set(labels))  # one entry per kind, not one per nav word
    nav = groups[labels.index("Site navigation")]
    assert nav.xpath(".//p[@class='removed-inline']")[0].text_content() == (
        "Home · News · Sport · Opinion"
    )


# 9. feeds and metadata -------------------------------------------------------------------------


def test_default_base_url_is_not_published_as_canonical_and_the_build_warns(
    built: tuple[Path, str],
) -> None:
    site, output = built
    assert "note: base_url is not set" in output
    assert 'rel="canonical"' not in _html(site, TRAM)
    assert "Sitemap:" not in _html(site, "robots.txt")


def test_a_set_base_url_is_canonical_and_json_ld_names_a_publisher(tmp_path: Path) -> None:
    site, output = build_theme_archive(tmp_path, 'base_url = "https://news.example.org/"\n')
    assert "note: base_url" not in output
    html = _html(site, TRAM)
    assert '<link rel="canonical" href="https://news.example.org/articles/city-approves' in html
    data = json.loads(html.split('type="application/ld+json">', 1)[1].split("</script>")[0])
    assert data["publisher"] == {"@type": "Organization", "name": "Harbour City Post"}
    assert "Sitemap: https://news.example.org/sitemap.xml" in _html(site, "robots.txt")


def test_sitemap_lists_every_page_a_reader_can_land_on(site: Path) -> None:
    sitemap = _html(site, "sitemap.xml")
    listed = set(re.findall(r"<loc>http://127\.0\.0\.1:8000/([^<]*)</loc>", sitemap))
    pages = {
        p.relative_to(site).as_posix()[: -len("index.html")]
        for p in site.rglob("index.html")
        if "pagefind" not in p.parts
    }
    assert listed == pages - {"search/"}


def test_the_feed_link_is_a_page_about_the_feeds(site: Path) -> None:
    nav = _tree(site, "index.html").xpath("//nav[@aria-label='Site']//a")
    feeds = next(a for a in nav if a.text == "Feeds")
    assert feeds.get("href") == "feeds/"
    page = _html(site, "feeds/index.html")
    assert "feed.xml" in page and "feed.json" in page


# 10. links readers expect ----------------------------------------------------------------------


def test_original_link_breadcrumbs_neighbours_and_current_section(site: Path) -> None:
    fish = _tree(
        site, "articles/fish-market-prices-climb-as-cold-spell-keeps-boats-in-port/index.html"
    )
    original = fish.xpath("//a[@class='original']")[0]
    assert original.get("href") == "https://example.org/stavik/fish-market-prices-climb"
    assert set(original.get("rel").split()) >= {"nofollow", "noopener"}
    tree = _tree(site, TRAM)
    crumbs = [a.text for a in tree.xpath("//nav[@class='breadcrumbs']//a")]
    assert crumbs == ["Home", "Archive", "2024", "May 2024"]
    pager = tree.xpath("//nav[@class='article-pager']/a")
    assert {a.get("rel") for a in pager} == {"next"}  # the newest article has no newer one
    people = _tree(site, "people/index.html")
    current = people.xpath("//nav[@aria-label='Site']//a[@aria-current]")
    assert [a.text for a in current] == ["People"] and current[0].get("aria-current") == "page"
    person = _tree(site, "people/ingrid-solberg/index.html")
    assert [a.text for a in person.xpath("//nav[@aria-label='Site']//a[@aria-current]")] == [
        "People"
    ]
    assert people.xpath("//nav[@class='a-z']//a")


def test_a_photo_caption_is_a_figure_not_a_removed_span(site: Path) -> None:
    tree = _tree(site, TRAM)
    caption = tree.xpath("//figure[@class='photo']/figcaption")[0].text_content()
    assert caption.startswith("A tram at the central station")
    panel = tree.xpath("//details[@class='removed']")[0].text_content()
    assert "A tram at the central station" not in panel


# 8. the search page, in Chromium ---------------------------------------------------------------


@pytest.fixture(scope="module")
def served_theme(site: Path) -> Iterator[str]:
    with http_server(site) as base:
        yield base


CLS = """() => new Promise(resolve => {
  let total = 0;
  new PerformanceObserver(list => {
    for (const entry of list.getEntries()) { if (!entry.hadRecentInput) total += entry.value; }
  }).observe({type: 'layout-shift', buffered: true});
  setTimeout(() => resolve(total), 300);
})"""


@pytest.mark.browser
def test_search_page_as_a_reader_uses_it(served_theme: str, chromium: Any) -> None:
    page = chromium.new_page(viewport={"width": 360, "height": 740})
    # A search box on every page, not only on /search/.
    page.goto(served_theme)
    # Words of most articles (every word counts: an article with some of them is found).
    page.fill("#site-q", "said town city year people")
    page.press("#site-q", "Enter")
    page.wait_for_selector("#search-results li", timeout=15000)
    assert page.evaluate(CLS) < 0.1
    metas = page.eval_on_selector_all("#search-results .meta", "ps => ps.map(p => p.textContent)")
    assert metas and all(
        re.match(r"^(Undated|[A-Z][a-z]+ \d{1,2}, \d{4})( · By .+)?$", m) for m in metas
    ), metas
    assert any(" · By " in m for m in metas), metas
    snippets = page.inner_text("#search-results")
    assert not re.search(r"[“‘(] \w|\w [”’),.]", snippets), snippets
    # Numbered pages.
    assert page.inner_text("#search-pager [aria-current=page]") == "1"
    assert page.eval_on_selector_all("#search-pager a", "as => as.map(a => a.textContent)") == [
        "2",
        "→",
    ]
    # A facet's values come collapsed to a few, and the results stay near the top.
    page.click("button.facet-load[data-facet=person]")
    page.wait_for_selector("#search-filters details input", timeout=15000)
    shown = page.eval_on_selector_all(
        "#search-filters details .facet-values > div", "rows => rows.filter(r => !r.hidden).length"
    )
    assert 0 < shown <= 8
    page.click("#search-filters details summary")  # the reader folds it away again
    assert (
        page.evaluate("document.querySelector('#search-results li').getBoundingClientRect().top")
        < 740
    )
    # Back from a result returns to the same place in the list.
    page.evaluate("document.querySelector('#search-results li:last-child').scrollIntoView()")
    page.wait_for_timeout(400)
    before = page.evaluate("window.scrollY")
    assert before > 200
    page.click("#search-results li:last-child h2 a")
    page.wait_for_selector("article.article h1")
    page.go_back()
    page.wait_for_selector("#search-results li", timeout=15000)
    page.wait_for_timeout(300)
    assert abs(page.evaluate("window.scrollY") - before) < 50
    page.close()


@pytest.mark.browser
def test_site_opens_from_disk_with_relative_files(
    tmp_path_factory: pytest.TempPathFactory, chromium: Any
) -> None:
    site, _ = build_theme_archive(tmp_path_factory.mktemp("disk"), "relative_files = true\n")
    page = chromium.new_page(viewport={"width": 1280, "height": 800})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto((site / "index.html").as_uri())
    page.click("ol.article-list h2 a >> nth=0")
    page.wait_for_selector("article.article h1")
    assert page.url.endswith("/index.html")
    page.click("nav[aria-label=Site] >> text=Authors")
    page.wait_for_selector("h1:has-text('Authors')")
    page.goto((site / "search" / "index.html").as_uri() + "?q=bridge")
    assert page.is_visible(".file-notice")
    assert errors == []
    page.close()


def test_quote_text_drops_link_syntax_even_when_the_quote_cut_a_link() -> None:
    from generator.render.theme import quote_text

    assert quote_text("the [report](https://x.org/a_(b)) says") == "the report says"
    assert quote_text("rapid unpopular](https://example.com/club/265) on it") == (
        "rapid unpopular on it"
    )
    assert quote_text("Grid [port published") == "Grid port published"
    assert quote_text("see <https://x.org/y> and **this**") == "see https://x.org/y and this"
    assert quote_text("plain words, 100% [sic]") == "plain words, 100% [sic]"
