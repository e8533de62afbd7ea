"""The Whoosh update that overlaps rendering: same result as inline, failures reported."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.errors import SearchError
from generator.models import Article
from generator.search.background import start_index_update
from generator.search.whoosh_index import search


def _articles(tmp_path: Path) -> list[Article]:
    return [
        Article(tmp_path / "a.md", "Harbour strike ends", "harbour", "Dock workers return."),
        Article(tmp_path / "b.md", "Tram line approved", "tram", "The council voted for trams."),
    ]


def test_a_forked_update_indexes_like_an_inline_one(tmp_path: Path) -> None:
    index = tmp_path / "whoosh"
    update = start_index_update(index, lambda: _articles(tmp_path))()
    assert update.added == 2
    assert [h.url for h in search(index, "trams").hits] == ["articles/tram/"]
    again = start_index_update(index, lambda: _articles(tmp_path))()
    assert again.unchanged == 2 and again.added == again.updated == 0


def test_a_failure_in_the_child_is_one_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from generator.search import whoosh_index

    def broken(index_dir: Path, articles: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(whoosh_index, "update_index", broken)  # the forked child inherits it
    with pytest.raises(SearchError, match="updating the search index failed: OSError"):
        start_index_update(tmp_path / "whoosh", lambda: _articles(tmp_path))()
