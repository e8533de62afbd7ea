"""Scraped text written as Markdown renders back as exactly its words (the round trip)."""

from __future__ import annotations

import re

import lxml.html
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from generator.config import Config
from generator.ingest.literal import escape_paragraph, paragraphs_to_markdown
from generator.render.bodies import body_to_html, make_markdown

MD = make_markdown(Config(root=__import__("pathlib").Path(".")).markdown_extensions)


def _rendered_paragraphs(body: str) -> list[str]:
    html = str(body_to_html(MD, body))
    if not html.strip():
        return []
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    return [child.text_content() for child in root]


def _reader_text(text: str) -> str:
    """What a reader sees of a paragraph: runs of white space are one space."""
    return re.sub(r"[ \t\n\r\f\v]+", " ", re.sub(r"[\x00-\x08\x0e-\x1f\x7f]", "", text)).strip()


# Characters Markdown reads as syntax, mixed into ordinary text so that they meet in any order.
SYNTAX = [*list("#>*_-+=`[]()!<>&;:\\|~{}.1 \n\t"), "1. ", "&amp;", "<http://a.b>", "**", "__"]
paragraph_text = st.one_of(
    st.text(alphabet=st.characters(blacklist_categories=["Cs", "Co"]), max_size=80),
    st.lists(
        st.one_of(st.sampled_from(SYNTAX), st.text(alphabet="abcXYZ09 é", max_size=4)),
        max_size=30,
    ).map("".join),
)


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(paragraph_text)
@example("1. High-Protein, Balanced Meals Are Here to Stay")
@example("#3 Nanchen-Pupen")
@example("Kund*innen und Mitarbeiter*innen, liebe Kund*innen")
@example("See [the report](https://evil.example/login) and **this**")
@example("Use `code` and <b>bold</b> or <https://example.org> & &amp; &#8211;")
@example("snake_case_name and _emphasis_ and __strong__")
@example("C:\\Users\\*name*\\")
@example("- - -")
@example("> quoted")
@example("[ref]: https://example.org")
def test_any_paragraph_renders_back_as_its_words(text: str) -> None:
    expected = _reader_text(text)
    assert _rendered_paragraphs(escape_paragraph(text)) == ([expected] if expected else [])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(paragraph_text, max_size=6))
def test_a_body_of_paragraphs_renders_back_paragraph_by_paragraph(texts: list[str]) -> None:
    expected = [t for t in map(_reader_text, texts) if t]
    assert _rendered_paragraphs(paragraphs_to_markdown(texts)) == expected


@pytest.mark.parametrize(
    ("text", "markdown"),
    [
        ("1. High-Protein meals", "1\\. High-Protein meals"),
        ("#3 Nanchen-Pupen", "\\#3 Nanchen-Pupen"),
        ("Kund*innen", "Kund\\*innen"),
        ("snake_case stays", "snake_case stays"),
        ("a plain sentence, unchanged.", "a plain sentence, unchanged."),
    ],
)
def test_only_what_markdown_would_read_is_escaped(text: str, markdown: str) -> None:
    assert escape_paragraph(text) == markdown
