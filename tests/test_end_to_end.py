"""The spine end to end on a fresh archive: init, the sample archive's inputs, build, search, re-build."""

from __future__ import annotations

import hashlib
import io
import json
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import jsonschema
import pytest

from generator.cli import main
from generator.frontmatter import split_front_matter

from .conftest import SAMPLE_RAW, SCHEMA, copy_sample_archive

INPUTS = len([p for p in SAMPLE_RAW.iterdir() if p.suffix in {".txt", ".html", ".md"}])


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("archive")
    assert run("init", str(root))[0] == 0
    copy_sample_archive(root)
    code, out, err = run("--root", str(root), "build")
    assert code == 0, err
    assert f"{INPUTS} articles built" in out
    return root


def _records(root: Path) -> dict[str, tuple[dict[str, Any], str]]:
    records = {}
    for path in sorted((root / "content" / "articles").glob("*.md")):
        data, body, _ = split_front_matter(path.read_text(encoding="utf-8"), path)
        records[data["source"]["path"]] = (data, body)
    return records


def test_every_record_validates_against_the_schema(sample: Path) -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    records = _records(sample)
    assert len(records) == INPUTS
    for data, _ in records.values():
        jsonschema.validate(data, schema)


def test_search_lists_the_story_first_and_folds_accents(sample: Path) -> None:
    code, out, _ = run("--root", str(sample), "search", "haddock")
    assert code == 0
    first = out.splitlines()[0]
    assert "Fish Market Prices Climb as Cold Spell Keeps Boats in Port" in first
    code, out, _ = run("--root", str(sample), "search", "Lliria", "--json")
    assert code == 0 and json.loads(out)["total"] == 1
    assert json.loads(out)["hits"][0]["title"].startswith("Hundreds Leave Their Homes")


def test_search_errors_exit_2(sample: Path, tmp_path: Path) -> None:
    code, _, err = run("--root", str(tmp_path), "search", "anything")
    assert code == 2 and "run 'newsarchive build' first" in err


def test_rebuild_changes_no_raw_file_and_no_article(sample: Path) -> None:
    raw = {
        p: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in (sample / "content" / "raw").iterdir()
    }
    articles = {p: p.stat().st_mtime_ns for p in (sample / "content" / "articles").iterdir()}
    site_before = {
        p.relative_to(sample / "site"): p.read_bytes()
        for p in (sample / "site").rglob("*")
        if p.is_file()
    }
    code, out, _ = run("--root", str(sample), "build")
    assert code == 0 and f"0 ingested, {INPUTS} unchanged" in out
    assert {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in raw} == raw
    assert {
        p: p.stat().st_mtime_ns for p in (sample / "content" / "articles").iterdir()
    } == articles
    site_after = {
        p.relative_to(sample / "site"): p.read_bytes()
        for p in (sample / "site").rglob("*")
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


def test_every_internal_link_resolves(sample: Path) -> None:
    site = sample / "site"
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
