"""The Whoosh update that overlaps rendering: same result as inline, failures reported."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.errors import SearchError
from generator.models import Article
from generator.search.background import IndexUpdater
from generator.search.whoosh_index import search


def _articles(tmp_path: Path) -> list[Article]:
    return [
        Article(tmp_path / "a.md", "Harbour strike ends", "harbour", "Dock workers return."),
        Article(tmp_path / "b.md", "Tram line approved", "tram", "The council voted for trams."),
    ]


def test_a_forked_update_indexes_like_an_inline_one(tmp_path: Path) -> None:
    index = tmp_path / "whoosh"
    update = IndexUpdater(index, lambda: _articles(tmp_path)).wait()
    assert update.added == 2
    assert [h.url for h in search(index, "trams").hits] == ["articles/tram/"]
    again = IndexUpdater(index, lambda: _articles(tmp_path)).wait()
    assert again.unchanged == 2 and again.added == again.updated == 0


def test_a_failure_in_the_child_is_one_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from generator.search import whoosh_index

    def broken(index_dir: Path, articles: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(whoosh_index, "update_index", broken)  # the forked child inherits it
    with pytest.raises(SearchError, match="updating the search index failed: OSError"):
        IndexUpdater(tmp_path / "whoosh", lambda: _articles(tmp_path)).wait()


class _Documents:
    """A picklable document source, as the build hands the index child after loading."""

    def __init__(self, articles: list[Article]) -> None:
        self.articles = articles

    def digests(self) -> dict[str, str]:
        from generator.search.fields import digest

        return {a.slug: digest(a) for a in self.articles}

    def fetch(self, slugs: list[str]) -> list[Article]:
        by_slug = {a.slug: a for a in self.articles}
        return [by_slug[s] for s in slugs]


def test_an_updater_forked_first_indexes_what_it_is_sent_later(tmp_path: Path) -> None:
    updater = IndexUpdater(tmp_path / "whoosh")
    assert updater.documents is None  # forked, waiting
    updater.start(_Documents(_articles(tmp_path)))
    assert updater.wait().added == 2
    assert [h.url for h in search(tmp_path / "whoosh", "dock").hits] == ["articles/harbour/"]


def test_an_updater_cancelled_before_its_documents_ends_and_touches_nothing(
    tmp_path: Path,
) -> None:
    updater = IndexUpdater(tmp_path / "whoosh")
    process = updater._process  # None where it runs inline (threads left by other tests)
    assert process is None or process.is_alive()
    updater.cancel()
    assert process is None or (not process.is_alive() and process.exitcode == 0)
    assert not (tmp_path / "whoosh").exists()
    with pytest.raises(SearchError, match="never started"):
        updater.wait()
