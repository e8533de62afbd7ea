"""Real-style saved pages (tests/data/realworld/) through `newsarchive build`, as a user runs it.

The pages are original texts in the shapes real archives hold: a WordPress page whose only URL is
<link rel="canonical"> (lxml hands that back as a str subclass YAML could not dump: one real
page in ten stopped the whole ingest), an XHTML page with an XML encoding declaration in
ISO-8859-1, a page whose reader comments outweigh the article (scaled here past 1.2 MB), 2006
table markup that never closes its tags, a CRLF text with a form feed and Markdown-looking text,
and a Jekyll export with an HTML entity in its YAML title.
"""

from __future__ import annotations

import io
import json
import re
import shutil
from pathlib import Path

import jsonschema
import pytest

from generator.cli import main
from generator.frontmatter import MAX_FRONT_MATTER, split_front_matter

from .conftest import SCHEMA

REALWORLD = Path(__file__).parent / "data" / "realworld"
pytestmark = pytest.mark.slow


def _with_huge_comments(page: str, at_least: int) -> str:
    """The page with its comment list repeated (each copy's comments told apart, as replies
    quoting each other are) until the page is at least `at_least` long."""
    comments = re.findall(r"  <li class=\"comment.*?</li>", page, re.S)
    assert comments, "the page has a comment list"
    block = "\n".join(comments)
    copies = at_least // len(block) + 1
    many = "\n".join(
        re.sub(r"comment-(\d+)", rf"comment-\g<1>-{n}", block).replace("</p>", f" (#{n})</p>")
        for n in range(copies)
    )
    return page.replace(block, many)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int, str, str]:
    root = tmp_path_factory.mktemp("realworld")
    assert main(["init", str(root)], out=io.StringIO()) == 0
    raw = root / "content" / "raw"
    for path in REALWORLD.iterdir():
        if path.name != "README.md":
            shutil.copy(path, raw / path.name)
    page = (REALWORLD / "comments.html").read_text(encoding="utf-8")
    (raw / "comments.html").write_text(_with_huge_comments(page, 1_300_000), encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    code = main(["--root", str(root), "build"], out=out, err=err)
    return root, code, out.getvalue(), err.getvalue()


def _record(root: Path, raw_name: str) -> tuple[dict[str, object], str, str]:
    for path in (root / "content" / "articles").glob("*.md"):
        text = path.read_text(encoding="utf-8")
        data, body, _ = split_front_matter(text, path)
        if isinstance(data.get("source"), dict) and data["source"]["path"] == raw_name:
            return data, body, text
    raise AssertionError(f"no record for {raw_name}")


def _page(root: Path, data: dict[str, object]) -> str:
    return (root / "site" / "articles" / str(data["slug"]) / "index.html").read_text("utf-8")


def test_every_page_becomes_a_valid_record_and_a_page(built: tuple[Path, int, str, str]) -> None:
    root, code, out, err = built
    assert code == 0, err
    assert err == ""
    names = [p.name for p in REALWORLD.iterdir() if p.name != "README.md"]
    assert f"{len(names)} articles built" in out
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    for name in names:
        data, _, _ = _record(root, name)
        jsonschema.validate(data, schema)
        assert _page(root, data)


def test_a_canonical_link_is_the_url_of_record(built: tuple[Path, int, str, str]) -> None:
    root = built[0]
    data, _, text = _record(root, "canonical-only.html")
    assert data["url"] == "https://courier.example.org/2024/10/harbour-wall-repairs-finished/"
    assert data["title"] == "Harbour Wall Repairs Finished Ahead of Winter Storms"
    assert "url: https://courier.example.org/" in text  # a plain YAML string, no Python tag


def test_xhtml_with_an_encoding_declaration_is_decoded(built: tuple[Path, int, str, str]) -> None:
    root = built[0]
    data, body, _ = _record(root, "xhtml-latin1.xhtml")
    assert data["title"] == "Bäckerei Müller eröffnet neue Filiale am Marktplatz"
    assert "Käthe Müller" in body and "Bürgermeister Hans Öztürk" in body


def test_a_huge_comment_section_is_kept_bounded_not_dropped(
    built: tuple[Path, int, str, str],
) -> None:
    root = built[0]
    data, body, text = _record(root, "comments.html")
    assert (root / "content" / "raw" / "comments.html").stat().st_size > 1_200_000
    assert len(text[: text.index("\n---\n\n")]) < MAX_FRONT_MATTER // 2
    assert "Three night bus routes cut during the pandemic" in body
    removed = data["removed"]
    assert isinstance(removed, list)
    # The cut is said, whichever cap met it first: the HTML stage's list of left-out blocks or
    # the record boundary's bound on removed spans.
    assert any(
        "more left-out blocks" in r["text"] or "more removed spans" in r["text"] for r in removed
    )
    assert "Three night bus routes" in _page(root, data)


def test_table_markup_that_never_closes_still_gives_the_story(
    built: tuple[Path, int, str, str],
) -> None:
    root = built[0]
    _, body, _ = _record(root, "broken-markup.html")
    assert "flood defences for the lower valley" in body
    assert "furniture upstairs" in body


def test_scraped_text_is_never_markup_and_control_characters_go(
    built: tuple[Path, int, str, str],
) -> None:
    root = built[0]
    data, _body, text = _record(root, "scraped-ferry.txt")
    assert "\f" not in text and "\r" not in text
    page = _page(root, data)
    assert 'href="https://evil.example' not in page  # '[click here](...)' stays text
    assert "<strong>the notice</strong>" not in page and "**the notice**" in page
    assert "held the fares for two years" in page


def test_a_jekyll_title_is_parsed_before_it_is_repaired(
    built: tuple[Path, int, str, str],
) -> None:
    root = built[0]
    data, body, _ = _record(root, "jekyll-export.md")
    assert data["title"] == "Mayor's budget passes after late-night vote"
    assert data["date"] == "2024-03-06T22:40:00+00:00"
    assert "Ｋｉｔａｍｉ" in body  # full-width letters are text, not mojibake
