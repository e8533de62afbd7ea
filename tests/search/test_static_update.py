"""The reader index's inputs and its base + delta bundles: what readers get equals a full index."""

from __future__ import annotations

import gzip
import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from generator.config import load_config
from generator.pipeline import BuildReport, run_build
from generator.search import static_update
from generator.search.static import pagefind_command

from ..conftest import http_server

pytest.importorskip("pagefind")
REPO = Path(__file__).resolve().parents[2]
BRIDGE = "riverside-bridge-reopens-after-two-years-of-repairs"


def _archive(root: Path) -> Path:
    shutil.copytree(REPO / "content" / "raw", root / "content" / "raw")
    (root / "newsarchive.toml").write_text('title = "Delta"\nbase_url = "https://example.org/"\n')
    return root


def _build(root: Path, **kwargs: Any) -> BuildReport:
    report = run_build(load_config(root), **kwargs)
    assert not [p for p in report.all_problems if not p.is_warning]
    return report


def _files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def _edit_body(root: Path, slug: str, old: str, new: str) -> None:
    record = root / "content" / "articles" / f"{slug}.md"
    text = record.read_text(encoding="utf-8")
    assert old in text.split("\n---\n", 1)[1]
    head, body = text.split("\n---\n", 1)
    record.write_text(f"{head}\n---\n{body.replace(old, new)}", encoding="utf-8")


def _fragments(bundle: Path) -> dict[str, dict[str, Any]]:
    found = {}
    for path in (bundle / "fragment").glob("*.pf_fragment"):
        data = json.loads(gzip.decompress(path.read_bytes())[len(b"pagefind_dcd") :])
        found[data["url"]] = data
    return found


def test_the_lean_inputs_index_the_pages_and_what_the_index_of_record_searches(
    tmp_path: Path,
) -> None:
    """Pagefind reads lean copies of the article pages: the same pages, title and date meta and
    filters as the full pages give, and as text the page's body followed by the title, byline
    and names (which the index of record searches too). Nothing a reader's browser would fetch
    for no use: no anchors (Pagefind keeps one per element id, the quotes' on a page, and puts
    a space where each starts: "“ The" as two words)."""
    root = _archive(tmp_path / "archive")
    _build(root)
    site = root / "site"
    from_pages = tmp_path / "from-pages"
    done = subprocess.run(pagefind_command(site, from_pages), capture_output=True, check=False)
    assert done.returncode == 0, done.stdout
    pages, lean = _fragments(from_pages), _fragments(site / "pagefind")
    assert set(pages) == set(lean) and len(lean) == 10
    assert any(page["anchors"] for page in pages.values())  # the quotes' ids
    for url, page in pages.items():
        got = lean[url]
        assert got["filters"] == page["filters"]
        assert got["meta"]["title"] == page["meta"]["title"]
        assert got["meta"].get("date") == page["meta"].get("date")
        assert got["anchors"] == [], url
        tail = int(got["meta"]["tail"])
        words = got["content"].split()
        assert "".join(words[: len(words) - tail]) == "".join(page["content"].split()), url
        assert " ".join(words[len(words) - tail :]).startswith(page["meta"]["title"])


def test_small_changes_make_a_delta_and_many_a_new_base(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _archive(tmp_path / "archive")
    _build(root)
    site = root / "site"
    base = _files(site / "pagefind")
    _edit_body(root, BRIDGE, "bridge", "viaduct")
    report = _build(root)
    assert report.static_pages == 1 and _files(site / "pagefind") == base
    delta = json.loads((site / "pagefind-delta" / "delta.json").read_text())
    assert len(delta["hidden"]) == 1 and len(delta["replaces"]) == 1
    assert set(delta["replaces"].values()) == set(delta["hidden"])
    assert "place" in next(iter(delta["hidden"].values()))  # its counts are taken off
    # A deleted article: its base result is hidden, there is nothing to add for it.
    victim = next(p for p in (root / "content" / "articles").glob("*.md") if BRIDGE not in p.name)
    victim.unlink()
    report = _build(root, ingest=False)  # (ingest would write the record again from its raw file)
    delta = json.loads((site / "pagefind-delta" / "delta.json").read_text())
    assert len(delta["hidden"]) == 2 and len(delta["replaces"]) == 1
    # Past the limit, the next build indexes everything again: one base, no delta.
    monkeypatch.setattr(static_update, "DELTA_MIN", 1)
    monkeypatch.setattr(static_update, "DELTA_SHARE", 0.0)
    report = _build(root, ingest=False)
    assert (report.static_pages or 0) >= 8 and not (site / "pagefind-delta").exists()
    assert "data-delta" not in (site / "search" / "index.html").read_text()


def test_an_edit_undone_drops_the_delta(tmp_path: Path) -> None:
    root = _archive(tmp_path / "archive")
    _build(root)
    record = root / "content" / "articles" / f"{BRIDGE}.md"
    original = record.read_text(encoding="utf-8")
    _edit_body(root, BRIDGE, "bridge", "viaduct")
    _build(root)
    assert (root / "site" / "pagefind-delta").is_dir()
    record.write_text(original, encoding="utf-8")
    report = _build(root)
    assert report.static_pages is None and not (root / "site" / "pagefind-delta").exists()
    assert "data-delta" not in (root / "site" / "search" / "index.html").read_text()


@pytest.fixture(scope="module")
def two_sites(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """The same edited archive served twice: built incrementally (base + delta) and clean."""
    work = tmp_path_factory.mktemp("delta-sites")
    root = _archive(work / "incremental")
    _build(root)
    _edit_body(root, BRIDGE, "bridge", "zeppelin mooring mast")
    record = root / "content" / "articles" / f"{BRIDGE}.md"
    record.write_text(
        record.read_text(encoding="utf-8").replace("\ntitle: ", "\ntitle: Mast of ", 1),
        encoding="utf-8",
    )
    _build(root)
    assert (root / "site" / "pagefind-delta").is_dir()
    clean = work / "clean"
    shutil.copytree(root, clean, ignore=shutil.ignore_patterns("site", ".build", ".site.*"))
    _build(clean, clean=True, ingest=False)
    with http_server(root / "site") as incremental, http_server(clean / "site") as fresh:
        yield incremental, fresh


def _results(chromium: Any, base: str, query: str) -> tuple[str, list[str], dict[str, str]]:
    page = chromium.new_page()
    page.goto(base + "search/?q=" + query)
    page.wait_for_function(
        "document.querySelector('#search-status').textContent.includes('match')", timeout=15000
    )
    status = page.text_content("#search-status") or ""
    titles = [t.strip() for t in page.locator("#search-results li h2").all_text_contents()]
    facets: dict[str, str] = {}
    if page.locator("button[data-facet=place]").count():
        page.click("button[data-facet=place]")
        page.wait_for_selector("input[name=place]", timeout=15000)
        for label in page.locator("input[name=place] + label").all_text_contents():
            name, _, count = label.rpartition(" (")
            facets[name] = count.rstrip(")")
    page.close()
    return status, titles, facets


def _same_results(
    chromium: Any, got_site: str, want_site: str, query: str
) -> tuple[tuple[str, list[str], dict[str, str]], tuple[str, list[str], dict[str, str]]]:
    """Search both sites; assert the same match count, articles and facet counts."""
    got = _results(chromium, got_site, query)
    want = _results(chromium, want_site, query)
    assert got[0] == want[0]  # the same number of matches
    assert sorted(got[1]) == sorted(want[1])  # the same articles, each once, as they are now
    assert got[2] == want[2]  # the same facet counts
    return got, want


@pytest.mark.browser
@pytest.mark.parametrize("query", ["zeppelin", "bridge", "riverside", "council", "bridge council"])
def test_readers_get_from_base_and_delta_what_a_full_index_gives(
    two_sites: tuple[str, str], chromium: Any, query: str
) -> None:
    got, want = _same_results(chromium, *two_sites, query)
    if want[1] and any(t.startswith("Mast of") for t in want[1][:1]):
        assert got[1][0] == want[1][0]  # the edited article ranks where a full index puts it


def test_shards_split_sorted_slugs_evenly_and_within_the_limit() -> None:
    slugs = [f"s{n:03d}" for n in range(10)]
    shards = static_update.split_shards(list(reversed(slugs)), 4)
    assert [len(s) for s in shards] == [3, 3, 2, 2]
    assert [slug for shard in shards for slug in shard] == slugs
    assert static_update.split_shards(slugs, 1) == [slugs]
    assert static_update.split_shards([], 1) == [[]]
    # Past the limit: as few shards as hold at most `most` articles each.
    big = [f"a{n:06d}" for n in range(100_000)]
    assert [len(s) for s in static_update.plan_shards(big, 20_000)] == [20_000] * 5
    assert [len(s) for s in static_update.plan_shards(big[:30_000], 20_000)] == [15_000] * 2
    # Up to the limit, one bundle, however many cores: every shard costs a query a meta file.
    assert static_update.plan_shards(big[:10_000], 20_000) == [big[:10_000]]


def test_shards_are_indexed_in_turn_and_hold_every_article_once(tmp_path: Path) -> None:
    root = _archive(tmp_path / "archive")
    config = root / "newsarchive.toml"
    config.write_text(config.read_text() + "search_shard_pages = 5\n")
    report = _build(root, workers=2)
    bundle = root / "site" / "pagefind"
    assert report.static_pages == 10
    assert [p.name for p in bundle.glob("shard-*")] == ["shard-1"]
    first, second = static_update._result_ids(bundle), static_update._result_ids(bundle / "shard-1")
    assert len(first) == len(second) == 5 and not first.keys() & second.keys()
    slugs = {p.stem for p in (root / "content" / "articles").glob("*.md")}
    assert first.keys() | second.keys() == slugs


@pytest.fixture(scope="module")
def sharded_sites(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """One edited archive served twice: indexed as shards of 3 articles plus a delta, and as
    one clean bundle."""
    work = tmp_path_factory.mktemp("shard-sites")
    root = _archive(work / "sharded")
    config = root / "newsarchive.toml"
    config.write_text(config.read_text() + "search_shard_pages = 3\n")
    _build(root)
    bundle = root / "site" / "pagefind"
    assert sorted(p.name for p in bundle.glob("shard-*")) == ["shard-1", "shard-2", "shard-3"]
    search_page = root / "site" / "search" / "index.html"
    assert 'data-shards="shard-1 shard-2 shard-3"' in search_page.read_text()
    # Unchanged, the shards are kept; after an edit a delta is merged over them.
    assert _build(root).static_pages is None
    _edit_body(root, BRIDGE, "bridge", "zeppelin mooring mast")
    assert _build(root).static_pages == 1
    page = search_page.read_text()
    assert 'data-shards="shard-1 shard-2 shard-3"' in page and "data-delta=" in page
    clean = work / "clean"
    shutil.copytree(root, clean, ignore=shutil.ignore_patterns("site", ".build", ".site.*"))
    (clean / "newsarchive.toml").write_text(config.read_text().replace("3\n", "300\n"))
    _build(clean, clean=True, ingest=False)
    assert not list((clean / "site" / "pagefind").glob("shard-*"))
    with http_server(root / "site") as sharded, http_server(clean / "site") as single:
        yield sharded, single


@pytest.mark.browser
@pytest.mark.parametrize("query", ["zeppelin", "bridge", "council", "bridge council"])
def test_readers_get_from_shards_what_one_bundle_gives(
    sharded_sites: tuple[str, str], chromium: Any, query: str
) -> None:
    _same_results(chromium, *sharded_sites, query)
