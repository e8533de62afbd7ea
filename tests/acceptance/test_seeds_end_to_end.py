"""The team's seeds through `newsarchive build`, against their gold: fields, removed junk, spin,
related articles and search. The same behaviours are tested on the sample archive in
tests/test_end_to_end.py, tests/test_sample_archive.py and tests/render/test_annotations.py."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from ..conftest import SCHEMA
from ..test_end_to_end import _records, run
from .conftest import ORIGINAL, seed_paths


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("seeds")
    assert run("init", str(root))[0] == 0
    for seed in seed_paths():
        shutil.copy(seed, root / "content" / "raw" / seed.name)
    code, out, err = run("--root", str(root), "build")
    assert code == 0, err
    assert f"{len(seed_paths())} articles built" in out
    return root


def _page(root: Path, data: dict[str, Any]) -> str:
    return (root / "site" / "articles" / data["slug"] / "index.html").read_text(encoding="utf-8")


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
        page = _page(seeded, records[name][0])
        article_part = page.split('class="article-body"')[1].split("</div>")[0]
        for text in case.get("body_excludes", []):
            assert text.lower() not in article_part.lower(), (name, text)
        assert "Removed from the source" in page


def test_seed_spin_verdicts_and_phrases(seeded: Path, gold: dict[str, Any]) -> None:
    records = _records(seeded)
    for name, case in gold.items():
        data = records[name][0]
        assert data["spin"]["verdict"] == ("spun" if case["spun"] else "original"), name
        if case.get("spin_phrases"):
            found = [p["text"].lower() for p in data["spin"]["phrases"]]
            hits = [g for g in case["spin_phrases"] if any(g.lower() in f for f in found)]
            assert len(hits) >= 5, (name, hits)


def test_seed_related_articles(seeded: Path, gold: dict[str, Any]) -> None:
    records = _records(seeded)
    for name, case in gold.items():
        related = _page(seeded, records[name][0]).split('id="related-articles-heading"', 1)[1]
        for other in case.get("related_to", []):
            slug = records[other][0]["slug"]
            assert f'href="../../articles/{slug}/"' in related, (name, other)


def test_search_lists_the_fentanyl_story_first(seeded: Path, gold: dict[str, Any]) -> None:
    code, out, _ = run("--root", str(seeded), "search", "fentanyl")
    assert code == 0
    assert gold[ORIGINAL]["title"] in out.splitlines()[0]
    code, out, _ = run("--root", str(seeded), "search", "Lopez Obrador", "--json")
    assert code == 0 and json.loads(out)["total"] == 2
