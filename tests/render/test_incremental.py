"""Incremental builds: only what changed is redone, and the result equals a clean build's."""

from __future__ import annotations

import filecmp
import json
import re
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from generator.config import load_config
from generator.filecache import FileCache
from generator.pipeline import BuildReport, run_build
from generator.render.load import load_articles
from generator.render.manifest import MANIFEST_NAME
from generator.render.store import TABLES

REPO = Path(__file__).resolve().parents[2]


def _archive(tmp_path: Path, static_search: bool = False) -> Path:
    root = tmp_path / "archive"
    shutil.copytree(REPO / "content" / "raw", root / "content" / "raw")
    (root / "newsarchive.toml").write_text(
        'title = "Incremental"\nbase_url = "https://example.org/news/"\n'
        f"static_search = {'true' if static_search else 'false'}\n"
    )
    return root


def _build(root: Path, **kwargs: Any) -> BuildReport:
    report = run_build(load_config(root), **kwargs)
    assert not [p for p in report.all_problems if not p.is_warning]
    return report


def _snapshot(site: Path) -> dict[str, tuple[int, bytes]]:
    return {
        p.relative_to(site).as_posix(): (p.stat().st_mtime_ns, p.read_bytes())
        for p in sorted(site.rglob("*"))
        if p.is_file()
    }


def _same_as_clean_build(root: Path, tmp_path: Path, ignore: tuple[str, ...] = ()) -> None:
    """The incremental site, byte for byte, is what a clean build of the same records makes
    (but for paths starting with one of `ignore`)."""
    incremental = tmp_path / "incremental-site"
    shutil.copytree(root / "site", incremental)
    _build(root, clean=True, ingest=False)
    compared = filecmp.dircmp(incremental, root / "site")
    differences: list[str] = []

    def walk(cmp: filecmp.dircmp[str], prefix: str) -> None:
        differences.extend(prefix + n for n in cmp.left_only + cmp.right_only + cmp.diff_files)
        for name, sub in cmp.subdirs.items():
            walk(sub, f"{prefix}{name}/")

    walk(compared, "")
    assert [d for d in differences if not d.startswith(ignore)] == []


def _edit_title(root: Path, slug: str, title: str) -> Path:
    record = root / "content" / "articles" / f"{slug}.md"
    text = record.read_text(encoding="utf-8")
    head, rest = text.split("\ntitle: ", 1)
    record.write_text(f"{head}\ntitle: {title}\n{rest.split(chr(10), 1)[1]}", encoding="utf-8")
    return record


def test_a_no_change_build_renders_and_writes_nothing(tmp_path: Path) -> None:
    root = _archive(tmp_path)
    first = _build(root)
    assert not first.incremental and first.rendered == first.pages
    before = _snapshot(root / "site")
    again = _build(root)
    assert again.incremental and again.rendered == 0 and again.changed == []
    assert _snapshot(root / "site") == before  # not even a file's mtime moved


def test_one_title_edit_rerenders_its_pages_and_matches_a_clean_build(tmp_path: Path) -> None:
    root = _archive(tmp_path)
    first = _build(root)
    slug = "riverside-bridge-reopens-after-two-years-of-repairs"
    _edit_title(root, slug, "Council shuts the Riverside bridge")
    report = _build(root)
    assert report.incremental
    assert f"articles/{slug}/index.html" in report.changed
    assert {"index.html", "feed.xml", "feed.json"} <= set(report.changed)
    assert "sitemap.xml" not in report.changed  # re-rendered, same bytes (no titles): not rewritten
    assert 0 < report.rendered < first.pages // 2  # not the whole site
    assert report.planned < report.pages // 2  # a title is not structure: the plan is reused
    page = (root / "site" / "articles" / slug / "index.html").read_text(encoding="utf-8")
    assert "Council shuts the Riverside bridge" in page
    _same_as_clean_build(root, tmp_path)


def _edit_front_matter(root: Path, slug: str, key: str, value: str) -> None:
    record = root / "content" / "articles" / f"{slug}.md"
    lines = record.read_text(encoding="utf-8").split("\n")
    first = lines.index(f"{key}:") if f"{key}:" in lines else None
    if first is None:
        first = next(i for i, line in enumerate(lines) if line.startswith(f"{key}:"))
    last = first + 1
    while last < len(lines) and lines[last].startswith(("- ", "  ")):
        last += 1
    lines[first:last] = [f"{key}: {value}"]
    record.write_text("\n".join(lines), encoding="utf-8")


def test_a_new_tag_is_structure_and_replans_the_site(tmp_path: Path) -> None:
    root = _archive(tmp_path)
    _build(root)
    slug = "riverside-bridge-reopens-after-two-years-of-repairs"
    _edit_front_matter(root, slug, "tags", "[bridges, rivers]")
    report = _build(root)
    assert report.incremental and report.planned == report.pages
    assert (root / "site" / "tags" / "bridges" / "index.html").is_file()
    _same_as_clean_build(root, tmp_path)


def test_a_body_edit_that_moves_related_articles_matches_a_clean_build(tmp_path: Path) -> None:
    root = _archive(tmp_path)
    _build(root)
    slug = "riverside-bridge-reopens-after-two-years-of-repairs"
    record = root / "content" / "articles" / f"{slug}.md"
    text = record.read_text(encoding="utf-8")
    # Words of another sample article's story make the two related (or more so).
    record.write_text(
        text + "\nThe library budget, the library hours and the library staff were debated.\n",
        encoding="utf-8",
    )
    report = _build(root)
    assert report.incremental and report.planned < report.pages // 2
    _same_as_clean_build(root, tmp_path)


def test_a_deleted_article_loses_its_pages_and_nothing_else(tmp_path: Path) -> None:
    root = _archive(tmp_path)
    _build(root)
    slug = "library-will-stay-open-until-10-p-m-under-new-budget"
    (root / "content" / "raw" / "library-hours.txt").unlink()
    (root / "content" / "articles" / f"{slug}.md").unlink()
    report = _build(root)
    assert report.incremental and report.removed >= 1
    assert not (root / "site" / "articles" / slug).exists()  # its folder is pruned too
    _same_as_clean_build(root, tmp_path)


def test_a_template_change_rerenders_only_pages_that_use_it(tmp_path: Path) -> None:
    root = _archive(tmp_path)
    first = _build(root)
    theme = REPO / "templates" / "entity.html"
    override = root / "templates" / "entity.html"
    override.parent.mkdir(parents=True, exist_ok=True)
    override.write_text(
        theme.read_text(encoding="utf-8").replace("{% block main %}", "{% block main %}<!-- x -->"),
        encoding="utf-8",
    )
    report = _build(root)
    assert report.changed and all(
        p.startswith(("people/", "organizations/", "places/", "tags/", "authors/"))
            for p in report.changed
    )
    assert report.rendered < first.pages
    # A template every page extends re-renders every HTML page.
    (root / "templates" / "base.html").write_text(
        (REPO / "templates" / "base.html").read_text(encoding="utf-8") + "\n", encoding="utf-8"
    )
    assert _build(root).rendered >= len(list((root / "site").rglob("*.html"))) - 1


def test_a_site_folder_the_manifest_does_not_describe_gets_a_full_build(tmp_path: Path) -> None:
    root = _archive(tmp_path)
    _build(root)
    shutil.rmtree(root / "site")
    (root / "site").mkdir()
    (root / "site" / "stray.html").write_text("not ours")
    report = _build(root)
    assert not report.incremental
    assert (root / "site" / "index.html").is_file() and not (root / "site" / "stray.html").exists()


def test_a_build_killed_after_it_began_writing_is_followed_by_a_full_one(tmp_path: Path) -> None:
    root = _archive(tmp_path)
    _build(root)
    # The manifest is removed before the first in-place write and saved after the last one.
    (root / ".build" / MANIFEST_NAME).unlink()
    assert not _build(root).incremental
    assert _build(root).incremental


def test_bookkeeping_that_fails_after_the_site_swap_fails_the_build_and_leaves_no_manifest(
    tmp_path: Path,
) -> None:
    """A full build saves its plan and then its manifest in a thread after the site is in
    place: when that fails, the build still raises, and no manifest vouches for the site."""
    root = _archive(tmp_path)
    plan = root / ".build" / "cache" / "plan.sqlite"
    plan.mkdir(parents=True)  # SQLite cannot open a folder: the plan cannot be stored
    with pytest.raises(sqlite3.OperationalError):
        run_build(load_config(root))
    assert (root / "site" / "index.html").is_file()  # the site was swapped in before
    assert not (root / ".build" / MANIFEST_NAME).exists()
    plan.rmdir()
    assert not _build(root).incremental  # no manifest: a full build
    assert _build(root).incremental


def test_a_missing_output_file_is_written_again(tmp_path: Path) -> None:
    root = _archive(tmp_path)
    _build(root)
    page = "articles/library-will-stay-open-until-10-p-m-under-new-budget/index.html"
    (root / "site" / page).unlink()
    report = _build(root)
    assert report.incremental and report.changed == [page] and (root / "site" / page).is_file()
    # Anyone else touching the site folder's top level makes the next build a full one.
    (root / "site" / "feed.xml").unlink()
    report = _build(root)
    assert not report.incremental and (root / "site" / "feed.xml").is_file()


def test_pagefind_scratch_left_by_a_killed_build_is_swept_by_the_next(tmp_path: Path) -> None:
    pytest.importorskip("pagefind")
    root = _archive(tmp_path, static_search=True)
    _build(root)
    work = root / ".build" / "pagefind"
    for name in ("shard-input-99999-0", "bundle-99999-1", "delta-input-99999", "delta-99999"):
        (work / name / "articles").mkdir(parents=True)
        (work / name / "articles" / "index.html").write_text("<p>stale</p>")
    (work / "bundle-99999-0.log").write_text("killed")
    assert _build(root, clean=True).static_pages  # a full index runs Pagefind again
    scratch = ("shard-input-", "delta-input-", "bundle-", "delta-")
    assert [p.name for p in work.iterdir() if p.name.startswith(scratch)] == []
    assert (work / "state.marshal").is_file() and (work / "input").is_dir()  # the build's own


def test_the_static_index_indexes_only_what_changed(tmp_path: Path) -> None:
    pytest.importorskip("pagefind")
    root = _archive(tmp_path, static_search=True)
    assert (_build(root).static_pages or 0) >= 9
    base = _snapshot(root / "site" / "pagefind")
    assert _build(root).static_pages is None  # nothing changed: Pagefind does not run
    slug = "library-will-stay-open-until-10-p-m-under-new-budget"
    _edit_title(root, slug, "Library opens on Sundays")
    assert _build(root, static_index=False).static_pages is None  # the preview's way
    report = _build(root)  # the next full-featured build catches up, with a delta
    assert report.static_pages == 1
    assert _snapshot(root / "site" / "pagefind") == base  # the base bundle is untouched
    delta = json.loads((root / "site" / "pagefind-delta" / "delta.json").read_text())
    assert delta["bundle"] and len(delta["hidden"]) == 1  # the old version's result is hidden
    assert report.planned < report.pages // 2  # a new delta name is not structure
    first_delta = _delta_name(root)
    assert first_delta
    _edit_title(root, slug, "Library opens on Sundays and holidays")
    second = _build(root)
    assert second.planned < second.pages // 2
    assert "search/index.html" in second.changed  # the search page names the new delta
    assert _delta_name(root) not in ("", first_delta)
    # Everything but the reader index is what a clean build makes.
    _same_as_clean_build(root, tmp_path, ignore=("pagefind", "search/"))
    assert not (root / "site" / "pagefind-delta").exists()  # a clean build has one base only


def _delta_name(root: Path) -> str:
    page = (root / "site" / "search" / "index.html").read_text(encoding="utf-8")
    found = re.search(r'data-delta="([^"]*)"', page)
    return found.group(1) if found else ""


def test_rows_of_replaced_records_are_deleted_from_the_build_store(tmp_path: Path) -> None:
    root = _archive(tmp_path)
    _build(root)
    slugs = [p.stem for p in sorted((root / "content" / "articles").glob("*.md"))]
    store = root / ".build" / "cache" / "store.sqlite"
    for round_ in range(1, 4):  # every record edited three times: three stale rows each
        for slug in slugs:
            _edit_title(root, slug, f"Edition {round_} of {slug}")
        _build(root)
    with sqlite3.connect(store) as db:
        rows = {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
    # Without collection each table would hold 4 rows per record; stale rows are deleted once
    # they outnumber a quarter of the live ones (plus a few), so at most 2 per record remain.
    assert all(len(slugs) <= n <= 2 * len(slugs) for n in rows.values()), rows
    _same_as_clean_build(root, tmp_path)


def test_the_record_cache_reuses_unchanged_files_and_rereads_edited_ones(tmp_path: Path) -> None:
    root = _archive(tmp_path)
    _build(root)
    config = load_config(root)
    store = tmp_path / "records.pickle"
    first, _ = load_articles(config.articles_dir, cache=FileCache(store))
    cache = FileCache(store)
    cache_first = {a.slug: a for a in load_articles(config.articles_dir, cache=cache)[0]}
    cache.save()
    assert {a.slug for a in first} == set(cache_first)
    record = _edit_title(
        root, "library-will-stay-open-until-10-p-m-under-new-budget", "Library opens on Sundays"
    )
    again = {a.slug: a for a in load_articles(config.articles_dir, cache=FileCache(store))[0]}
    assert (
        again["library-will-stay-open-until-10-p-m-under-new-budget"].title
        == "Library opens on Sundays"
    )
    assert again["library-will-stay-open-until-10-p-m-under-new-budget"].source_file == record
    assert all(
        again[s] == cache_first[s]
        for s in again
        if s != "library-will-stay-open-until-10-p-m-under-new-budget"
    )


def test_rendering_on_two_cores_gives_the_same_site(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from generator.render import parallel

    root = _archive(tmp_path)
    _build(root, workers=1)
    sequential = tmp_path / "sequential-site"
    shutil.copytree(root / "site", sequential)
    monkeypatch.setattr(parallel, "PARALLEL_MIN", 1)
    report = run_build(load_config(root), clean=True, workers=2)
    assert report.rendered == report.pages
    for path in sorted(sequential.rglob("*")):
        if path.is_file():
            rel = path.relative_to(sequential)
            assert (root / "site" / rel).read_bytes() == path.read_bytes(), rel
