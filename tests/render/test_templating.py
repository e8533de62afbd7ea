from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from generator.config import Config
from generator.models import Article
from generator.render.catalog import memory_catalog
from generator.render.plan import plan_site
from generator.render.templating import (
    body_to_html,
    display_date,
    make_environment,
    make_markdown,
    render_page,
    site_info,
)

HOSTILE = "Council says \"no\" to <script>alert('x')</script> & ../../etc/passwd plan"


def _article(**overrides: object) -> Article:
    base = Article(
        source_file=Path("a.md"),
        title="A title",
        slug="a-title",
        body="Body text.",
        date="2024-03-14",
    )
    return replace(base, **overrides)  # type: ignore[arg-type]


def test_raw_html_in_a_body_is_shown_as_text_never_run() -> None:
    md = make_markdown(("sane_lists", "tables"))
    html = body_to_html(
        md,
        "Hello <script>alert(1)</script> <img src=x onerror=alert(1)>\n\n"
        '<div onclick="x()">block</div>\n\n[link](javascript:alert(1)) [ok](https://example.org/)',
    )
    assert "<script" not in html and "<img" not in html and "<div" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "javascript:" not in html
    assert 'href="https://example.org/"' in html


def test_hostile_title_is_escaped_everywhere(config: Config) -> None:
    article = _article(title=HOSTILE, summary=HOSTILE)
    env = make_environment(config)
    site = site_info(config)
    entries, lookup = memory_catalog([article])
    for page in plan_site(entries, config):
        out = render_page(env, page, site, lookup).decode()
        if page.url == "feed.json":  # JSON Feed: title and summary are plain-text fields by spec
            item = json.loads(out)["items"][0]
            assert item["title"] == HOSTILE and "<script" not in item["content_html"]
            continue
        assert "<script>alert" not in out, page.url
        if page.url in {"", "articles/a-title/", "feed.xml"}:
            assert "&lt;script&gt;alert(" in out or "\\u003cscript\\u003e" in out, page.url


def test_relative_links_work_at_any_depth(config: Config) -> None:
    article = _article()
    env = make_environment(config)
    entries, lookup = memory_catalog([article])
    pages = {p.url: p for p in plan_site(entries, config)}
    article_html = render_page(env, pages["articles/a-title/"], site_info(config), lookup).decode()
    assert 'href="../../static/style.css"' in article_html
    index_html = render_page(env, pages[""], site_info(config), lookup).decode()
    assert 'href="articles/a-title/"' in index_html
    not_found = render_page(env, pages["404.html"], site_info(config), lookup).decode()
    # 404.html is served at any depth: links from the site's root path, style inline.
    assert 'href="/archive/"' in not_found and "<style>" in not_found
    assert "static/style.css" not in not_found


def test_display_date() -> None:
    assert display_date("2024-03-04") == "March 4, 2024"
    assert display_date("2024-03-04T10:00:00+00:00") == "March 4, 2024"
    assert display_date(None) == "Undated"


def test_pagination_and_archives_are_planned(config: Config) -> None:
    articles = (
        *tuple(_article(slug=f"a{i}", date=f"2023-0{1 + i % 3}-01") for i in range(45)),
        _article(slug="undated-one", date=None),
    )
    urls = {p.url for p in plan_site(memory_catalog(articles)[0], config)}
    assert {
        "",
        "page/2/",
        "page/3/",
        "archive/",
        "archive/2023/",
        "archive/2023/01/",
        "archive/2023/03/",
        "undated/",
        "feed.xml",
        "sitemap.xml",
        "404.html",
        "robots.txt",
    } <= urls
    assert "page/4/" not in urls
