"""The live site and its spare: each swap changes only what it should, the live tree never in place."""

from __future__ import annotations

import json
from pathlib import Path

from generator.render.sitetree import STATE_NAME, SiteTrees, prune_empty


def _tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def _inodes(folder: Path) -> dict[str, int]:
    return {
        p.relative_to(folder).as_posix(): p.stat().st_ino for p in folder.rglob("*") if p.is_file()
    }


def _site(tmp_path: Path) -> tuple[SiteTrees, Path]:
    site = tmp_path / "site"
    (site / "articles" / "a").mkdir(parents=True)
    (site / "articles" / "b").mkdir(parents=True)
    (site / "index.html").write_text("home 1")
    (site / "articles" / "a" / "index.html").write_text("a 1")
    (site / "articles" / "b" / "index.html").write_text("b 1")
    (site / "pagefind").mkdir()
    (site / "pagefind" / "x.pf").write_text("bundle 1")
    return SiteTrees(site, tmp_path / ".build"), site


def _change(trees: SiteTrees, edits: dict[str, str | None], bundle: str | None = None) -> None:
    staged = trees.spare()
    for rel, text in edits.items():
        target = staged / rel
        if text is None:  # as render/output.py removes a page that is gone
            target.unlink()
            prune_empty(target.parent, staged)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        fresh = target.with_name(target.name + ".new")
        fresh.write_text(text)
        fresh.replace(target)  # a new file, never a write through a link
    replaced = []
    if bundle is not None:
        for old in (staged / "pagefind").iterdir():
            old.unlink()
        (staged / "pagefind" / "y.pf").write_text(bundle)
        replaced.append("pagefind")
    trees.swap(list(edits), replaced)


def test_successive_swaps_keep_every_file_right_and_never_write_the_live_tree(
    tmp_path: Path,
) -> None:
    trees, site = _site(tmp_path)
    live_before = _inodes(site)
    _change(trees, {"articles/a/index.html": "a 2"})
    assert _tree(site)["articles/a/index.html"] == b"a 2"
    assert _tree(site)["articles/b/index.html"] == b"b 1"
    # The old site is the spare now: untouched, its files the very inodes readers had.
    assert (
        _inodes(trees.spare_dir) == live_before
        and _tree(trees.spare_dir)["index.html"] == b"home 1"
    )
    live = _inodes(site)
    _change(trees, {"index.html": "home 2", "articles/b/index.html": None}, bundle="bundle 2")
    assert _tree(site) == {
        "index.html": b"home 2",
        "articles/a/index.html": b"a 2",  # brought over from the previous swap
        "pagefind/y.pf": b"bundle 2",
    }
    assert not (site / "articles" / "b").exists()  # emptied folders go too
    assert _inodes(trees.spare_dir) == live  # the site readers had, whole
    _change(trees, {"articles/c/index.html": "c 1"})
    assert _tree(site) == {
        "index.html": b"home 2",
        "articles/a/index.html": b"a 2",
        "articles/c/index.html": b"c 1",
        "pagefind/y.pf": b"bundle 2",
    }
    lacks = json.loads((tmp_path / ".build" / STATE_NAME).read_text())["lacks"]
    assert lacks == {"articles/c/index.html": "file"}


def test_a_spare_without_its_record_is_made_again_from_the_site(tmp_path: Path) -> None:
    trees, site = _site(tmp_path)
    _change(trees, {"articles/a/index.html": "a 2"})
    # A build killed while changing the spare leaves no record: the next one starts afresh.
    (trees.spare_dir / "index.html").write_text("half-done change")
    (tmp_path / ".build" / STATE_NAME).unlink()
    assert _tree(trees.spare()) == _tree(site)
    # So does a record that describes other folders (someone replaced site/).
    _change(trees, {"index.html": "home 3"})
    (tmp_path / ".build" / STATE_NAME).write_text(
        json.dumps({"format": 1, "site": [0, 0], "spare": [0, 0], "lacks": {}})
    )
    assert _tree(trees.spare()) == _tree(site)


def test_after_a_full_build_the_old_site_goes_and_the_spare_is_linked(tmp_path: Path) -> None:
    trees, site = _site(tmp_path)
    old = tmp_path / "old-site"
    old.mkdir()
    (old / "stale.html").write_text("old")
    trees.replaced(old)
    trees.wait()
    assert not old.exists() and not list(tmp_path.glob("*.trash-*"))
    assert _inodes(trees.spare_dir) == _inodes(site)
    _change(trees, {"index.html": "home 2"})  # the record lets the next swap skip a relink
    assert _tree(site)["index.html"] == b"home 2"
