"""Live preview in real headless Chromium: edits reload the open page, errors show an overlay, search uses the API."""

from __future__ import annotations

from typing import Any

import pytest

from generator.config import default_theme_dir
from generator.serve.preview import Preview

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _open(chromium: Any, url: str) -> Any:
    page = chromium.new_page()
    page.goto(url)
    page.wait_for_load_state("load")
    page.wait_for_timeout(300)  # the reload stream connects
    return page


def test_title_edit_template_change_and_new_raw_file_reload_the_open_page(
    preview: Preview, chromium: Any
) -> None:
    root = preview.server.site_dir.parent
    page = _open(chromium, preview.url + "articles/a-quiet-story/")
    record = root / "content" / "articles" / "a-quiet-story.md"
    page.evaluate("window.stillTheSameDocument = true")
    record.write_text(record.read_text().replace("title: A Quiet Story", "title: A Louder Story"))
    page.wait_for_function(
        "document.querySelector('h1').textContent.includes('A Louder Story')", timeout=20000
    )
    assert "A Louder Story" in page.title()
    # Only the page's own HTML changed and it runs no script: its body was swapped in place.
    assert page.evaluate("window.stillTheSameDocument === true")
    assert page.locator("h1").count() == 1

    template = root / "templates" / "article.html"
    default = (default_theme_dir() / "article.html").read_text()
    template.write_text(
        default.replace(
            "{% block main %}", '{% block main %}<p id="override">Overridden theme</p>', 1
        )
    )
    page.wait_for_selector("#override", timeout=20000)

    front = _open(chromium, preview.url)
    (root / "content" / "raw" / "fresh.txt").write_text(
        "A Brand New Story\n\nThis one arrived while the page was open.\n"
    )
    front.wait_for_function(
        "document.body.textContent.includes('A Brand New Story')", timeout=20000
    )
    page.close()
    front.close()


def test_template_error_shows_overlay_keeps_last_site_and_recovers(
    preview: Preview, chromium: Any
) -> None:
    root = preview.server.site_dir.parent
    page = _open(chromium, preview.url + "articles/a-quiet-story/")
    template = root / "templates" / "article.html"
    template.write_text('{% extends "base.html" %}\n{% block main %}{% for %}{% endblock %}\n')
    overlay = page.wait_for_selector("#newsarchive-error-overlay", timeout=20000)
    assert "article.html:2: template syntax error" in overlay.text_content()
    assert "A Quiet Story" in page.text_content("h1")  # the previous page is still there underneath
    template.unlink()
    page.wait_for_function("!document.getElementById('newsarchive-error-overlay')", timeout=20000)
    assert "A Quiet Story" in page.text_content("h1")
    page.close()


def test_search_page_answers_from_the_preview_api(preview: Preview, chromium: Any) -> None:
    page = chromium.new_page()
    api_calls: list[str] = []
    page.on("request", lambda r: api_calls.append(r.url) if "/api/search" in r.url else None)
    page.goto(preview.url + "search/?q=haddok")
    page.wait_for_selector("#search-suggestion a", timeout=15000)
    assert page.text_content("#search-suggestion a") == "haddock"
    page.click("#search-suggestion a")
    page.wait_for_selector("#search-results li", timeout=15000)
    assert "Fish Market Prices Climb" in page.text_content("#search-results li h2")
    assert page.locator("#search-results li mark").count() >= 1
    assert api_calls and all(u.startswith(preview.url) for u in api_calls)
    page.close()
