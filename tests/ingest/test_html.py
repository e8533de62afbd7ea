from __future__ import annotations

from pathlib import Path

import pytest

from generator.config import Config
from generator.errors import ArticleError
from generator.ingest.html import extract_html
from generator.pipeline import ingest_document

PARAGRAPHS = [
    "The harbour board voted on Monday to close the old ferry terminal after ninety years of service.",
    "Passengers will move to a new terminal on the east quay, which opens in the spring, the board said.",
    "Some residents asked for the old building to be kept as a museum, and the board agreed to study it.",
    "A final decision on the building is expected before the end of the year, according to the chairwoman.",
]
PAGE = f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Ferry terminal to close | The Quay Post</title>
<meta property="og:title" content="Ferry terminal to close after ninety years">
<meta property="article:published_time" content="2024-05-06T08:00:00Z">
<meta name="author" content="Nora Lind">
<script>window.track = function () {{ document.cookie = 'x=1'; }};</script>
<style>body {{ color: red }}</style>
</head><body>
<nav class="menu"><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li></ul></nav>
<div id="cookie-banner">We use cookies to improve your experience. <button>Accept all</button></div>
<article>
<h1>Ferry terminal to close after ninety years</h1>
<p class="byline">By Nora Lind</p>
{"".join(f"<p>{p}</p>" for p in PARAGRAPHS[:2])}
<figure><img src="terminal.jpg" alt="The old terminal" onerror="alert(1)">
<figcaption>The old terminal at dawn. <span class="credit">Photo: Ivo Sand / Quay Post</span></figcaption></figure>
{"".join(f"<p>{p}</p>" for p in PARAGRAPHS[2:])}
<p><a href="javascript:alert(1)">Click me</a></p>
</article>
<section id="comments"><h2>3 comments</h2><div class="comment"><p>Great news, finally a decent terminal for the town!</p></div></section>
<footer><p>© 2024 The Quay Post. All rights reserved.</p></footer>
</body></html>"""


def test_main_text_metadata_and_left_out_blocks() -> None:
    result = extract_html(PAGE, Path("page.html"))
    for paragraph in PARAGRAPHS:
        assert paragraph in result.text
    for junk in (
        "Accept all",
        "Great news, finally",
        "All rights reserved",
        "window.track",
        "color: red",
        "alert",
    ):
        assert junk not in result.text
    assert result.meta.title == "Ferry terminal to close after ninety years"
    assert result.meta.date == "2024-05-06T08:00:00+00:00"
    assert result.meta.authors == ("Nora Lind",)
    assert result.meta.photo_credits == ("Ivo Sand / Quay Post",)
    kinds = {r.kind for r in result.removed}
    assert {"markup", "navigation", "comments", "copyright", "boilerplate"} <= kinds
    removed_text = " ".join(r.text for r in result.removed)
    assert "window.track" in removed_text and "Great news, finally" in removed_text


def test_page_without_article_text_is_reported(config: Config) -> None:
    path = config.raw_dir / "empty.html"
    path.write_text(
        "<html><head><script>alert(1)</script></head><body><nav>Home</nav></body></html>"
    )
    with pytest.raises(
        ArticleError, match=r"empty\.html: clean: (no article text found|nothing is left)"
    ):
        ingest_document(path, config)
