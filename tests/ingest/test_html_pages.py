"""Saved pages of the families that went wrong (tests/data/html/), ingested the way a user does:
copied into content/raw/, `newsarchive ingest`, records read back."""

from __future__ import annotations

import io
import shutil
from pathlib import Path
from typing import Any

import lxml.html
import pytest

from generator.cli import main as cli
from generator.config import load_config
from generator.frontmatter import split_front_matter
from generator.render.bodies import body_to_html, make_markdown

PAGES = Path(__file__).parents[1] / "data" / "html"


@pytest.fixture(scope="module")
def records(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[dict[str, Any], str]]:
    """Every page of tests/data/html/ ingested once: raw file name -> (front matter, body)."""
    root = tmp_path_factory.mktemp("archive")
    assert cli(["init", str(root)], out=io.StringIO()) == 0
    for page in PAGES.iterdir():
        shutil.copy(page, root / "content" / "raw" / page.name)
    err = io.StringIO()
    assert cli(["--root", str(root), "ingest"], out=io.StringIO(), err=err) == 0, err.getvalue()
    found = {}
    for path in (root / "content" / "articles").glob("*.md"):
        data, body, _ = split_front_matter(path.read_text(encoding="utf-8"), path)
        found[data["source"]["path"]] = (data, body)
    found["_root"] = ({"root": str(root)}, "")
    return found


def _rendered(root: str, body: str) -> list[str]:
    """The paragraphs a reader sees, rendered with the archive's own Markdown settings."""
    md = make_markdown(load_config(Path(root)).markdown_extensions)
    html = lxml.html.fragment_fromstring(str(body_to_html(md, body)), create_parent="div")
    return [child.text_content() for child in html]


def test_a_webpage_json_ld_gives_date_title_and_decoded_entities(records: Any) -> None:
    data, body = records["webpage-jsonld-date.html"]
    # JSON-LD WebPage (not an Article) carries datePublished; the later dateModified is not it.
    assert data["date"].startswith("2024-03-14")
    # "&#8211;" and "&amp;" in JSON-LD are decoded; the site's name is not part of the title.
    assert data["title"] == "Spring planting guide – eight steps for a small plot"
    assert data["authors"] == ["Maria & Katerina"]
    assert data["publisher"] == "Greenhouse Notes"
    assert "two buckets of compost" in body
    assert "Choosing what to grow" in body  # a subheading inside the article stays


def test_a_drupal_date_with_weekday_and_time_is_read(records: Any) -> None:
    data, _ = records["drupal-date.html"]
    assert data["date"] == "2025-09-25"  # "Thu, 09/25/2025 - 11:38"
    assert data["date_source"] == "metadata"
    assert data["title"] == "Warning letters on unapproved weight-loss products"


def test_an_xhtml_page_with_an_encoding_declaration_is_ingested(records: Any) -> None:
    data, body = records["xhtml-latin1.xhtml"]
    assert data["title"] == "Neue Fähre für den Zürichsee"
    assert data["authors"] == ["Jürg Meier"]
    assert data["date"] == "2023-06-02"
    assert data["language"] == "de"
    assert "Die Überfahrt dauert zehn Minuten." in body
    assert "\ufffd" not in body


def test_a_visible_byline_and_the_published_not_updated_date(records: Any) -> None:
    data, body = records["byline-under-headline.html"]
    assert data["authors"] == ["Ann Lee", "Bo Li"]
    assert data["date"] == "2025-03-02"  # "Updated August 14, 2025" is the last change
    assert data["title"] == "How the night ferry crews keep the harbour moving"
    assert "second shift of eleven deckhands" in body
    assert "Dredging starts" not in body
    removed = " ".join(r["text"] for r in data["removed"])
    assert "Dredging starts on the east channel" in removed


def test_scraped_text_renders_as_the_source_words(records: Any) -> None:
    data, body = records["markdown-lookalikes.html"]
    shown = _rendered(records["_root"][0]["root"], body)
    for words in (
        "1. Der Morgestraich beginnt pünktlich um vier Uhr, auch wenn es regnet.",
        "#3 Nanchen-Pupen ist die dritte Station auf dem Weg der ältesten Clique.",
        "Für Kund*innen der Verkehrsbetriebe fahren die ersten Trams ab fünf Uhr; "
        "Mitarbeiter*innen der Stadtreinigung beginnen um sechs.",
        "Wer [mitlaufen](https://example.org/anmeldung) will, braucht eine **Einladung** "
        "einer Clique und ein Kostüm, das niemand erkennt.",
        "Im Programmheft steht der Code `LATERNE-24` und der Hinweis "
        "<b>nicht stehen bleiben</b> & &amp; Ruhe bewahren.",
        "- Die Pfeifer gehen vorne, die Tambouren dahinter, und am Schluss kommen die "
        "Vorträbler mit den Stecklaternen.",
    ):
        assert words in shown
    assert data["removed"] == []  # every visible block of the article is in the body


def test_removed_keeps_visible_text_only(records: Any) -> None:
    data, _ = records["byline-under-headline.html"]
    removed = "\n".join(r["text"] for r in data["removed"])
    assert "Subscribe" in removed and "© 2025 Harbour Weekly" in removed  # seen on the page
    for unseen in ("function(", "dataLayer", "margin-right", "Preview build 4471"):
        assert unseen not in removed  # scripts, styles and hidden elements are no text


def test_a_page_showing_only_its_update_date_takes_that_date(records: Any) -> None:
    data, _ = records["updated-only.html"]
    # No date in the page's metadata; the only date it shows for itself is "Updated March 4,
    # 2025" under the headline. htmldate would take the first dated card of the "Latest" list
    # above the article (2024-11-20); a date named in the story (the floods) is not it either.
    assert data["date"] == "2025-03-04"
    assert data["authors"] == ["Hanna Berg"]


def test_a_page_without_sidecar_takes_its_url_from_the_canonical_link(records: Any) -> None:
    data, _ = records["updated-only.html"]
    # lxml returns the href as its own str subclass: it must reach the record as a plain str
    # (on main it reached the YAML writer as is and ended the whole ingest run).
    assert data["url"] == "https://valleyweekly.example/towns/river-path-rebuilt"
    assert type(data["url"]) is str
