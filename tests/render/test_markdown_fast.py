"""The fast inline pass gives byte-for-byte what stock Python-Markdown gives."""

from __future__ import annotations

from pathlib import Path

import markdown
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.render.markdown_fast import FastInlineProcessor, install_fast_inline
from generator.render.templating import make_markdown

ROOT = Path(__file__).resolve().parents[2]
EXTENSION_SETS = [
    ("sane_lists", "tables"),
    ("sane_lists", "tables", "footnotes", "abbr", "smarty", "attr_list", "def_list"),
    (),
]
# Markdown's special characters, weighted up, between ordinary words and whitespace.
PIECES = st.sampled_from(
    [
        "word",
        "Words",
        " ",
        " ",
        "\n",
        "\n\n",
        "  \n",
        "*",
        "**",
        "_",
        "__",
        "`",
        "``",
        "\\",
        "[",
        "]",
        "(",
        ")",
        "!",
        "<",
        ">",
        "&",
        ";",
        "&amp;",
        "&#35;",
        "http://x.org/a_b",
        "<https://example.org/>",
        "<a@b.org>",
        "[^1]",
        "[^1]: note",
        "[x]: http://y.org",
        "# ",
        "> ",
        "- ",
        "1. ",
        "|",
        "---",
        '"',
        "'",
        "--",
        "...",
        "ABBR",
        "*[ABBR]: An abbr",
        "{: .c}",
        ":   def",
        "\t",
        "é",
        "—",
        "\x02",
        "\x03",
    ]
)


def _pair(extensions: tuple[str, ...]) -> tuple[markdown.Markdown, markdown.Markdown]:
    stock = markdown.Markdown(extensions=list(extensions), output_format="html")
    fast = markdown.Markdown(extensions=list(extensions), output_format="html")
    assert install_fast_inline(fast)
    return stock, fast


def _same(stock: markdown.Markdown, fast: markdown.Markdown, text: str) -> None:
    stock.reset()
    fast.reset()
    assert fast.convert(text) == stock.convert(text)


@pytest.mark.parametrize("extensions", EXTENSION_SETS)
@settings(max_examples=300, deadline=None)
@given(pieces=st.lists(PIECES, max_size=60))
def test_fast_inline_equals_stock_on_generated_markdown(
    extensions: tuple[str, ...], pieces: list[str]
) -> None:
    _same(*_pair(extensions), "".join(pieces))


def _real_texts() -> list[str]:
    files = [
        *ROOT.glob("content/raw/*"),
        *ROOT.glob("tests/data/stories/*"),
        *ROOT.glob("tests/data/realworld/*"),
    ]
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in sorted(files)]
    return [t for t in texts if t.strip()]


@pytest.mark.parametrize("extensions", EXTENSION_SETS)
def test_fast_inline_equals_stock_on_real_articles(extensions: tuple[str, ...]) -> None:
    stock, fast = _pair(extensions)
    texts = _real_texts()
    assert len(texts) >= 10
    for text in texts:
        _same(stock, fast, text)


def test_the_build_converter_uses_the_fast_pass_and_keeps_raw_html_out() -> None:
    md = make_markdown(("sane_lists", "tables"))
    assert isinstance(md.treeprocessors["inline"], FastInlineProcessor)
    html = md.convert("a <b>bold</b> &amp; *em* [l](https://x.org) `c<d>` \\*")
    assert html == (
        '<p>a &lt;b&gt;bold&lt;/b&gt; &amp; <em>em</em> <a href="https://x.org">l</a> '
        "<code>c&lt;d&gt;</code> *</p>"
    )


def test_a_replaced_inline_processor_is_left_alone() -> None:
    md = markdown.Markdown()

    class Custom(FastInlineProcessor):
        pass

    md.treeprocessors.register(Custom(md), "inline", 20)
    assert not install_fast_inline(md)
    assert type(md.treeprocessors["inline"]) is Custom


@pytest.mark.parametrize("extensions", EXTENSION_SETS)
@pytest.mark.parametrize(
    "text",
    [
        "[]('(",  # the link pattern returns end=-1: stock keeps the last character
        "[a](b'c(d",
        "\\\\`code` after escaped backslashes",  # code right after a replaced match
        "![a](b)[c](d)![e](f)",
        "*a**b*c* **d***e*",  # emphasis pairing right after a replaced element
        "_a_*b*__c__**d**",
        "***a*** *b**c***d*",
        "a  \nb  \nc `d`*e*\\*f\\*",
        "[a](<b c>) [d](e 'f') [g](h \"i\") [j](k(l)m) [n](o",
        "&amp;&#35;&bogus; <https://x.org/> <a@b.org>",
    ],
)
def test_fast_inline_equals_stock_where_the_sweep_must_rebuild(
    extensions: tuple[str, ...], text: str
) -> None:
    stock, fast = _pair(extensions)
    for repeat in (1, 3, 40):
        _same(stock, fast, " ".join([text] * repeat))


@pytest.mark.timeout(120)
@pytest.mark.parametrize(
    ("unit", "count", "html"),
    [
        ("[link {i}](https://example.org/{i}) ", 20_000, '<a href="https://example.org/'),
        ("\\* ", 100_000, "*"),
        ("*e{i}* ", 50_000, "<em>"),
        ("`c{i}` ", 50_000, "<code>"),
        ("&amp; ", 100_000, "&amp;"),
        ("[a](x ", 20_000, "[a](x"),  # '(' never closed: stock scanned to the end each time
    ],
)
def test_inline_work_is_linear_in_the_line(unit: str, count: int, html: str) -> None:
    """One paragraph line with tens of thousands of matches (stock: 2,000 links took 31 s,
    100,000 of anything more than fifteen minutes). The count checks the work was done."""
    md = make_markdown(("sane_lists", "tables"))
    line = "".join(unit.format(i=i) for i in range(count))
    assert md.convert(line).count(html) >= count
