"""Annotations end to end on the sample archive: spin, copy/related links, editor notes, annotations.jsonld."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path
from typing import Any

import lxml.html
import pytest

from generator.cli import main
from generator.frontmatter import split_front_matter
from generator.render.annotations import (
    Mark,
    anchor_at,
    find_anchor,
    mark_tree,
    parse_body,
    serialized,
)

from ..conftest import STORIES, copy_sample_archive


def _build(root: Path) -> tuple[int, str]:
    err = io.StringIO()
    return main(["--root", str(root), "build"], out=io.StringIO(), err=err), err.getvalue()


def _record(root: Path, raw_name: str) -> tuple[Path, dict[str, Any]]:
    for path in (root / "content" / "articles").glob("*.md"):
        data, _, _ = split_front_matter(path.read_text(encoding="utf-8"), path)
        if data.get("source", {}).get("path") == raw_name:
            return path, data
    raise AssertionError(f"no record for {raw_name}")


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("annotated")
    assert main(["init", str(root)], out=io.StringIO()) == 0
    copy_sample_archive(root)
    shutil.copy(STORIES / "halden-bridges-inspection.txt", root / "content" / "raw")
    original = (
        "Harbour Wall Opens\n\nBy Ada Strom\nPublished May 2, 2024\n\n"
        "BERGEN — The new harbour wall opened on Thursday after three years of work, city officials said. "
        "The wall protects about 4,000 homes from storm surges.\n\n"
        "“This is a vision we have had for a long time,” said Mayor Karin Dahl. “The city is safer today.”\n\n"
        "The project cost 120 million crowns, according to the Harbour Authority, and was finished on time.\n\n"
        "Officials said the government would now study a second wall to the north of the old town.\n"
    )
    spun = (
        original.replace("Harbour Wall Opens", "Harbour Wall Opens to the Public")
        .replace("By Ada Strom\n", "")
        .replace("Published May 2, 2024\n", "")
        .replace("officials said", "officers stated")
        .replace("said Mayor", "stated Mayor")
        .replace("vision", "imaginative and prescient")
        .replace("Officials said the government", "Officers stated the authorities")
        .replace("about 4,000 homes", "about 4,000 houses")
        .replace("city", "metropolis")
    )
    (root / "content" / "raw" / "harbour.txt").write_text(original)
    (root / "content" / "raw" / "harbour-spun.txt").write_text(spun)
    code, err = _build(root)
    assert code == 0, err
    return root


def test_spin_verdicts_and_phrases(seeded: Path) -> None:
    _, spun = _record(seeded, "riverside-bridge-spun.txt")
    assert spun["spin"]["verdict"] == "spun"
    found = {p["text"]: p["likely_original"] for p in spun["spin"]["phrases"]}
    assert {"site visitors", "metropolis council", "p.c", "gross sales"} <= set(found)
    assert found["metropolis council"] == "city council"
    for name in ("riverside-bridge.txt", "riverside-bridge-wire.txt", "tram-line.html"):
        _, data = _record(seeded, name)
        assert data["spin"]["verdict"] == "original" and data["spin"]["phrases"] == [], name
    page = (seeded / "site" / "articles" / spun["slug"] / "index.html").read_text(encoding="utf-8")
    assert '<mark class="spin"' in page and "metropolis council" in page


def test_a_later_report_on_the_story_is_a_related_article(seeded: Path) -> None:
    # The inspection report is no copy of the bridge report: it is listed as related, both ways.
    _, bridge = _record(seeded, "riverside-bridge.txt")
    _, later = _record(seeded, "halden-bridges-inspection.txt")
    for data, other in ((bridge, later), (later, bridge)):
        page = (seeded / "site" / "articles" / data["slug"] / "index.html").read_text(
            encoding="utf-8"
        )
        related = page.split('id="related-articles-heading"', 1)[1]
        assert f'href="../../articles/{other["slug"]}/"' in related, data["slug"]
    page = (seeded / "site" / "articles" / later["slug"] / "index.html").read_text(encoding="utf-8")
    assert "copy of" not in page and "near-duplicate" not in page


def test_spun_copy_and_original_link_both_ways(seeded: Path) -> None:
    _, original = _record(seeded, "harbour.txt")
    _, copy = _record(seeded, "harbour-spun.txt")
    copy_page = (seeded / "site" / "articles" / copy["slug"] / "index.html").read_text(
        encoding="utf-8"
    )
    original_page = (seeded / "site" / "articles" / original["slug"] / "index.html").read_text(
        encoding="utf-8"
    )
    assert (
        "machine-spun copy of" in copy_page and f"../../articles/{original['slug']}/" in copy_page
    )
    assert (
        "A machine-spun copy of this article" in original_page
        and f"../../articles/{copy['slug']}/" in original_page
    )
    block = copy_page.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0]
    assert json.loads(block)["isBasedOn"] == [f"http://127.0.0.1:8000/articles/{original['slug']}/"]
    assert '<mark class="spin"' in copy_page and "(altered)" in copy_page


def test_editor_notes_survive_reingest_and_anchor_in_jsonld(seeded: Path) -> None:
    path, data = _record(seeded, "harbour.txt")
    text = path.read_text(encoding="utf-8")
    note = (
        "annotations:\n- type: note\n  quote: {exact: 'storm surges', prefix: 'from ', suffix: '.'}\n"
        "  body: The 2023 storm flooded 600 of them.\n  author: Archive editor\n"
        "- type: note\n  quote: {exact: 'words that are not in the article'}\n  body: stale\n  author: Archive editor\n"
    )
    path.write_text(text.replace("generated:\n", note + "generated:\n", 1))
    raw = seeded / "content" / "raw" / "harbour.txt"
    raw.write_text(raw.read_text() + "\nThe second wall would cost more.\n")  # re-ingest happens
    code, err = _build(seeded)
    assert code == 0 and "edited by hand and kept" in err
    assert "annotations:" in path.read_text(encoding="utf-8")  # the person's notes survived
    page = (seeded / "site" / "articles" / data["slug"] / "index.html").read_text(encoding="utf-8")
    assert 'id="noted-1"' in page and "The 2023 storm flooded 600 of them." in page
    out, err = io.StringIO(), io.StringIO()
    assert main(["--root", str(seeded), "check"], out=out, err=err) == 1
    assert (
        "editor note 2 no longer anchors" in err.getvalue()
        and "editor note 1 " not in err.getvalue()
    )


def test_every_selector_in_annotations_jsonld_resolves_to_its_text(seeded: Path) -> None:
    collection = json.loads((seeded / "site" / "annotations.jsonld").read_text(encoding="utf-8"))
    items = collection["first"]["items"]
    assert collection["total"] == len(items) > 10
    assert {item["motivation"] for item in items} == {"assessing", "commenting"}
    texts: dict[str, str] = {}
    for item in items:
        rel = item["target"]["source"].split("/", 3)[3]
        if rel not in texts:
            html = (seeded / "site" / rel / "index.html").read_text(encoding="utf-8")
            body = lxml.html.fromstring(html).xpath(
                "//div[contains(concat(' ', @class, ' '), ' article-body ')]"
            )
            texts[rel] = body[0].text_content()
        text = texts[rel]
        quote, position = (s["refinedBy"] for s in item["target"]["selector"])
        assert text[position["start"] : position["end"]] == quote["exact"]
        anchor = find_anchor(text, quote["exact"], quote["prefix"], quote["suffix"])
        assert anchor is not None and (anchor.start, anchor.end) == (
            position["start"],
            position["end"],
        )


def test_layers_of_marks_on_one_tree_equal_marking_the_written_out_body_again() -> None:
    """A quotation span, then spun-phrase and note marks inside and across it and across inline
    markup: marked on one parsed tree, the body is what marking its written-out HTML gives."""
    html = (
        "<p>Lead <em>in</em> text. &quot;The White Home said the <a href='/x'>imaginative and "
        "prescient</a> holds,&quot; he said.</p><p>Tail &amp; more <b>bold</b> words.</p>"
    )
    text = str(parse_body(html).text_content())

    def at(phrase: str) -> tuple[int, int]:
        start = text.index(phrase)
        return start, start + len(phrase)

    quote = [
        Mark(
            anchor_at(
                text,
                *at('"The White Home said the imaginative'),
            ),
            "quote",
            "",
            "q-1",
            "span",
        )
    ]
    inner = [
        Mark(anchor_at(text, *at("White Home")), "spin", "Likely spun"),
        Mark(anchor_at(text, *at("and prescient holds")), "spin", "Likely spun"),
        Mark(anchor_at(text, *at("more bold wo")), "note", "Editor's note 1: x", "noted-1"),
    ]
    tree = parse_body(html)
    mark_tree(tree, quote)
    mark_tree(tree, inner)
    once = str(serialized(tree))
    first = parse_body(html)
    mark_tree(first, quote)
    again = parse_body(str(serialized(first)))
    mark_tree(again, inner)
    assert once == str(serialized(again))
    assert str(parse_body(once).text_content()) == text
    # split at element edges: 1 + 2 (across </a>) + 3 (into and out of <b>) pieces
    assert once.count("<mark") == 6 and 'id="noted-1"' in once and 'id="q-1"' in once
