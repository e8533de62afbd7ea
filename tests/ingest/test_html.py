from __future__ import annotations

from pathlib import Path

import pytest

from generator.config import Config
from generator.errors import ArticleError
from generator.ingest.html import extract_html
from generator.ingest.html_body import _trim_edges
from generator.ingest.html_removed import MAX_SPANS, SPAN_LIMIT, TOTAL_LIMIT
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
    assert {"navigation", "comments", "copyright", "boilerplate"} <= kinds
    removed_text = " ".join(r.text for r in result.removed)
    assert "Great news, finally" in removed_text and "Accept all" in removed_text
    # Scripts and styles are no text a reader saw: they stay in the raw file only.
    assert "window.track" not in removed_text and "color: red" not in removed_text


def test_page_without_article_text_is_reported(config: Config) -> None:
    path = config.raw_dir / "empty.html"
    path.write_text(
        "<html><head><script>alert(1)</script></head><body><nav>Home</nav></body></html>"
    )
    with pytest.raises(
        ArticleError, match=r"empty\.html: clean: (no article text found|nothing is left)"
    ):
        ingest_document(path, config)


def test_left_out_text_is_capped_per_span_and_in_all() -> None:
    comments = "".join(
        f"<div class='comment'><p>Reader {i} writes: {'the ferry was late again ' * 12}</p></div>"
        for i in range(400)
    )
    sidebar = "<aside><p>" + "An endless sidebar about harbour history. " * 200 + "</p></aside>"
    script = "<script>" + "var x = 1;" * 50_000 + "</script>"
    page = PAGE.replace(
        "</body>", f"{script}{sidebar}<section id='comments2'>{comments}</section></body>"
    )
    result = extract_html(page, Path("page.html"))
    texts = [r.text for r in result.removed]
    assert all(len(t) <= SPAN_LIMIT + 120 for t in texts)
    assert any("An endless sidebar" in t and "more characters not kept here" in t for t in texts)
    assert sum(len(t) for t in texts) <= TOTAL_LIMIT + 2 * SPAN_LIMIT
    assert len(texts) <= MAX_SPANS + 1
    assert "more left-out blocks" in texts[-1]
    assert sum("Reader" in t for t in texts) > 10  # one span a comment, as readers count them
    assert "var x" not in " ".join(texts)


def test_edges_precision_rejects_are_cut_but_not_inner_lines_or_most_of_the_text() -> None:
    one, two = PARAGRAPHS[0], PARAGRAPHS[1]
    base = ["Sign up for our newsletter", one, "Subheading", two, "More stories"]
    assert _trim_edges(base, [one, two]) == [one, "Subheading", two]
    # When the rejected edges are half the text or more, precision lost the article: keep all.
    long_edges = ["x" * 400, one, "y" * 400]
    assert _trim_edges(long_edges, [one]) == long_edges
    assert _trim_edges(base, []) == base


def test_literal_entities_in_the_page_text_stay_literal() -> None:
    page = PAGE.replace(
        "<p>A final decision",
        "<p>Write &amp;amp; for an ampersand and &amp;lt; for a bracket, says the style guide.</p>"
        "<p>A final decision",
    )
    result = extract_html(page, Path("page.html"))
    assert "Write &amp; for an ampersand and &lt; for a bracket" in result.text
