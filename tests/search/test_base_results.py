"""The Pagefind base's result ids and filter values, on disk, read a few at a time."""

from __future__ import annotations

from pathlib import Path

from generator.search.base_results import read_results, remove_other_results, write_results


def test_results_are_read_back_for_the_slugs_asked_only(tmp_path: Path) -> None:
    ids = {f"story-{n}": f"hash{n}" for n in range(1200)}  # more than one SELECT batch
    filters = {
        f"story-{n}": {"year": [str(2000 + n % 20)], "tag": ["flood"] * (n % 2)}
        for n in range(1200)
    }
    name = write_results(tmp_path, ids, filters.__getitem__)
    wanted = [f"story-{n}" for n in range(0, 1200, 2)] + ["gone", "story-4"]
    found = read_results(tmp_path, name, wanted)
    assert set(found) == {f"story-{n}" for n in range(0, 1200, 2)}
    assert found["story-4"] == ("hash4", {"year": ["2004"], "tag": []})
    assert found["story-10"] == ("hash10", {"year": ["2010"], "tag": []})
    assert read_results(tmp_path, name, []) == {}
    assert read_results(tmp_path, "", ["story-4"]) == {}  # no base yet
    assert read_results(tmp_path, "base-results-missing.sqlite", ["story-4"]) == {}


def test_only_the_named_results_file_stays(tmp_path: Path) -> None:
    old = write_results(tmp_path, {"a": "1"}, lambda slug: {})
    new = write_results(tmp_path, {"a": "2"}, lambda slug: {})
    (tmp_path / f".{old}.123.tmp").write_bytes(b"half a file of a killed build")
    (tmp_path / "state.marshal").write_bytes(b"kept")
    remove_other_results(tmp_path, new)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([new, "state.marshal"])
    assert read_results(tmp_path, new, ["a"]) == {"a": ("2", {})}
    (tmp_path / new).write_bytes(b"not a database")
    assert read_results(tmp_path, new, ["a"]) == {}
