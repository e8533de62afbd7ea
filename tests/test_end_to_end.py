"""The spine end to end on a fresh archive: init, the team's seed articles, build, search, re-build."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import jsonschema
import pytest

from generator.cli import main
from generator.frontmatter import split_front_matter

from .conftest import SCHEMA, SEEDS, seed_paths


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not SEEDS.is_dir():
        pytest.skip("../shared/seeds is not beside this checkout")
    root = tmp_path_factory.mktemp("archive")
    assert run("init", str(root))[0] == 0
    for seed in seed_paths():
        shutil.copy(seed, root / "content" / "raw" / seed.name)
    code, out, err = run("--root", str(root), "build")
    assert code == 0, err
    assert "2 articles built" in out
    return root


def _records(root: Path) -> dict[str, tuple[dict[str, Any], str]]:
    records = {}
    for path in sorted((root / "content" / "articles").glob("*.md")):
        data, body, _ = split_front_matter(path.read_text(encoding="utf-8"), path)
        records[data["source"]["path"]] = (data, body)
    return records


def _contains(value: Any, expected: str) -> bool:
    items = value if isinstance(value, list) else [value]
    return any(isinstance(i, str) and expected.lower() in i.lower() for i in items)


def test_seed_records_validate_and_meet_the_gold_fields(seeded: Path, gold: dict[str, Any]) -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    records = _records(seeded)
    assert set(records) == set(gold)
    for name, case in gold.items():
        data, body = records[name]
        jsonschema.validate(data, schema)
        if "title" in case:
            assert data["title"] == case["title"], name
        assert data["title_source"] == case.get("title_source", data["title_source"]), name
        if "dateline_contains" in case:
            assert _contains(data["dateline"], case["dateline_contains"]), name
        for key in ("contributors", "photo_credits", "people", "organizations", "places"):
            for expected in case.get(key, []):
                assert _contains(data[key], expected), (name, key, expected)
        speakers = [q["speaker"] for q in data["quotes"] if q["speaker"]]
        for expected in case.get("quote_speakers", []):
            assert _contains(speakers, expected), (name, "quote_speakers", expected)
        for text in case.get("body_includes", []):
            assert text.lower() in body.lower(), (name, text)
        for text in case.get("body_excludes", []):
            assert text.lower() not in body.lower(), (name, text)
        kinds = {r["kind"] for r in data["removed"]}
        assert set(case.get("removed_kinds_include", [])) <= kinds, name


def test_seed_pages_show_no_excluded_text(seeded: Path, gold: dict[str, Any]) -> None:
    records = _records(seeded)
    for name, case in gold.items():
        slug = records[name][0]["slug"]
        page = (seeded / "site" / "articles" / slug / "index.html").read_text(encoding="utf-8")
        article_part = page.split('class="article-body"')[1].split("</div>")[0]
        for text in case.get("body_excludes", []):
            assert text.lower() not in article_part.lower(), (name, text)
        assert "Removed from the source" in page


def test_search_lists_the_fentanyl_story_first(seeded: Path, gold: dict[str, Any]) -> None:
    code, out, _ = run("--root", str(seeded), "search", "fentanyl")
    assert code == 0
    first = out.splitlines()[0]
    assert gold["000_d2b7a593c18f1d68.txt"]["title"] in first
    code, out, _ = run("--root", str(seeded), "search", "Lopez Obrador", "--json")
    assert code == 0 and json.loads(out)["total"] == 2


def test_search_errors_exit_2(seeded: Path, tmp_path: Path) -> None:
    code, _, err = run("--root", str(tmp_path), "search", "anything")
    assert code == 2 and "run 'newsarchive build' first" in err


def test_rebuild_changes_no_raw_file_and_no_article(seeded: Path) -> None:
    raw = {
        p: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in (seeded / "content" / "raw").iterdir()
    }
    articles = {p: p.stat().st_mtime_ns for p in (seeded / "content" / "articles").iterdir()}
    site_before = {
        p.relative_to(seeded / "site"): p.read_bytes()
        for p in (seeded / "site").rglob("*")
        if p.is_file()
    }
    code, out, _ = run("--root", str(seeded), "build")
    assert code == 0 and "0 ingested, 2 unchanged" in out
    assert {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in raw} == raw
    assert {
        p: p.stat().st_mtime_ns for p in (seeded / "content" / "articles").iterdir()
    } == articles
    site_after = {
        p.relative_to(seeded / "site"): p.read_bytes()
        for p in (seeded / "site").rglob("*")
        if p.is_file()
    }
    assert site_after == site_before  # byte-for-byte reproducible


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in {"href", "src"} and value:
                self.links.append(value)


def test_every_internal_link_resolves(seeded: Path) -> None:
    site = seeded / "site"
    for page in site.rglob("*.html"):
        if page.name == "404.html":
            continue
        parser = _Links()
        parser.feed(page.read_text(encoding="utf-8"))
        base = "http://h/" + page.relative_to(site).as_posix()
        for link in parser.links:
            url = urlsplit(urljoin(base, link))
            if url.netloc != "h":
                continue
            target = site / url.path.lstrip("/")
            assert (
                (target / "index.html").is_file() if url.path.endswith("/") else target.is_file()
            ), (page, link)


def test_bad_inputs_get_one_line_each_and_the_rest_builds(tmp_path: Path) -> None:
    assert run("init", str(tmp_path))[0] == 0
    raw = tmp_path / "content" / "raw"
    (raw / "empty.txt").write_bytes(b"")
    (raw / "image.txt").write_bytes(bytes(range(256)) * 40)
    (raw / "good.txt").write_text(
        "Good Story\n\nThe good story has enough words to be an article for sure.\n"
    )
    code, out, err = run("--root", str(tmp_path), "build")
    assert code == 1
    assert "1 articles built" in out and "2 skipped" in out
    lines = err.strip().splitlines()
    assert lines == [
        f"{raw / 'empty.txt'}: read: file is empty or whitespace only. Add the article text or delete the file",
        f"{raw / 'image.txt'}: read: file looks binary, not text. Only text, HTML and Markdown can be ingested; move it out of content/raw/",
    ]
    assert (tmp_path / "site" / "articles" / "good-story" / "index.html").is_file()


def test_hand_edited_article_is_kept_and_reported(tmp_path: Path) -> None:
    assert run("init", str(tmp_path))[0] == 0
    raw = tmp_path / "content" / "raw" / "story.txt"
    raw.write_text("Old Headline\n\nThe first version of the story has enough words in it.\n")
    assert run("--root", str(tmp_path), "build")[0] == 0
    record = tmp_path / "content" / "articles" / "old-headline.md"
    edited = record.read_text().replace("title: Old Headline", "title: Better Headline")
    record.write_text(edited)
    raw.write_text(
        "Old Headline\n\nThe second version of the story has more words in it than before.\n"
    )
    code, _, err = run("--root", str(tmp_path), "build")
    assert code == 0
    assert record.read_text() == edited
    assert (
        "old-headline.md was edited by hand and kept; the new version is in old-headline.md.new"
        in err
    )
    assert "second version" in (record.parent / "old-headline.md.new").read_text()
    page = (tmp_path / "site" / "articles" / "old-headline" / "index.html").read_text()
    assert "Better Headline" in page


def test_parallel_ingest_matches_input_order_and_reports_bad_files(tmp_path: Path) -> None:
    assert run("init", str(tmp_path))[0] == 0
    raw = tmp_path / "content" / "raw"
    for i in range(40):
        (raw / f"story-{i:02d}.txt").write_text(
            f"Same Headline\n\nStory number {i} has enough words to count.\n"
        )
    (raw / "story-bad.txt").write_bytes(b"\x00\x01\x02" * 100)
    code, out, err = run("--root", str(tmp_path), "ingest")
    assert code == 1 and "40 written" in out and "story-bad.txt: read: file looks binary" in err
    first = (tmp_path / "content" / "articles" / "same-headline.md").read_text()
    assert "Story number 0 " in first  # slugs are handed out in input order, not completion order
    assert (
        "Story number 39 "
        in (tmp_path / "content" / "articles" / "same-headline-40.md").read_text()
    )
