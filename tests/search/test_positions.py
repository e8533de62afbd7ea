"""The positions store (generator/search/positions.py): what it holds equals Whoosh's postings,
phrases read from it equal phrases read from Whoosh, and it stays true through incremental
updates (deleted and re-indexed articles, merged segments) and is never used when it is not
its segment's."""

from __future__ import annotations

import random
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from generator.models import Article
from generator.search import indexing, positions, snapshot, whoosh_private
from generator.search.fields import TEXT_FIELDS, texts
from generator.search.whoosh_index import build_index, search, search_document, update_index

from .test_whoosh_engine import WORDS, _article, _count
from .test_whoosh_indexing import _documents

PHRASES = ('"harbour council"', '"storm flood"', '"ferry strike"', '"zebra crossing"')


def _phrases(articles: list[Article]) -> list[str]:
    """The fixed phrases and, from the articles' own text, pairs and triples (with a common
    word between: it holds its place)."""
    rng = random.Random(1)
    found = list(PHRASES)
    for article in rng.sample(articles, 12):
        words = article.body.replace(".", "").split()
        at = rng.randrange(len(words) - 3)
        found.append('"' + " ".join(words[at : at + 2]) + '"')
        found.append('"' + f"{words[at]} the {words[at + 1]}" + '"')
    return found


def _answers(index_dir: Path, queries: list[str]) -> dict[str, Any]:
    return {q: search(index_dir, q, limit=500, with_facets=True) for q in queries}


def _store_files(index_dir: Path) -> set[str]:
    return {p.name for p in index_dir.iterdir() if p.name.endswith(positions.SUFFIX)}


def _whoosh_positions(leaf: Any, field: str, term: bytes) -> dict[int, list[int]]:
    decode = leaf.schema[field].format.decode_positions
    ids, values = whoosh_private.read_all_values(leaf.postings(field, term))
    return {doc: decode(value) for doc, value in zip(ids, values, strict=True)}


def test_the_store_holds_every_position_whoosh_holds(tmp_path: Path) -> None:
    """Every term of every text field (accented, long documents, several blocks): the store the
    bulk writer wrote gives Whoosh's own positions, and reading it back from Whoosh's postings
    (what an incremental update does) writes the same arrays."""
    build_index(tmp_path / "whoosh", _documents())
    ix = whoosh_private.open_index(tmp_path / "whoosh")
    (segment,) = whoosh_private.segments(ix)
    assert _store_files(tmp_path / "whoosh") == {f"{segment.segment_id()}{positions.SUFFIX}"}
    store = positions.PositionsStore.open(
        tmp_path / "whoosh", segment.segment_id(), segment.doc_count_all()
    )
    assert store is not None
    checked = 0
    with ix.reader() as leaf:
        for field in TEXT_FIELDS:
            for term in leaf.lexicon(field):
                expected = _whoosh_positions(leaf, field, term)
                docs = np.asarray(sorted(expected), dtype=np.int64)
                found = store.gather(field, term.decode("utf-8"), docs)
                assert found is not None
                owners, places = found
                got: dict[int, list[int]] = {}
                for owner, place in zip(owners.tolist(), places.tolist(), strict=True):
                    got.setdefault(int(docs[owner]), []).append(place)
                assert got == expected, (field, term)
                checked += len(expected)
        read_back = positions.segment_positions(leaf, TEXT_FIELDS)
    assert checked > 5000
    assert set(store._fields) == set(read_back) == {"title", "body", "names"}  # no bylines
    for field, written in read_back.items():
        for key in ("term_starts", "docs", "starts", "positions"):
            assert np.array_equal(store._array(field, key), getattr(written, key)), (field, key)
        store.gather(field, written.terms[0], np.zeros(0, dtype=np.int64))  # decodes the terms
        assert store._terms[field] == written.terms
    # A term the field does not have, and a document without the term: not in the store.
    assert store.gather("body", "zzzz", np.asarray([0])) is None
    ix.close()


def test_phrases_from_the_store_equal_phrases_from_whoosh(tmp_path: Path) -> None:
    rng = random.Random(6)
    articles = [_article(rng, n) for n in range(200)]
    articles[7] = replace(articles[7], body="Zebra crossing. " + articles[7].body)
    build_index(tmp_path / "whoosh", articles)
    queries = _phrases(articles)
    with_store = _answers(tmp_path / "whoosh", queries)
    assert sum(r.total for r in with_store.values()) > 20
    for name in _store_files(tmp_path / "whoosh"):
        (tmp_path / "whoosh" / name).unlink()
    snapshot.close_snapshot(tmp_path / "whoosh")
    assert _answers(tmp_path / "whoosh", queries) == with_store


def _expected_urls(articles: list[Article], phrase: str) -> set[str]:
    """The articles having the phrase in one of their text fields, by the rule written out over
    the text (test_whoosh_engine._count), never by the index."""
    words = tuple(phrase.strip('"').lower().split())
    return {
        f"articles/{article.slug}/"
        for article in articles
        if any(_count(text, words) for text in texts(search_document(article)).values())
    }


def test_the_store_stays_true_through_updates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Three built segments of ten; then an article deleted and one re-indexed with a new
    phrase (a one-article segment, no store: read from Whoosh), then most of the first segment
    deleted: Whoosh merges it into a new segment, which gets its store from Whoosh's postings,
    and the old segment's store goes with it."""
    monkeypatch.setattr(indexing, "SEGMENT_DOCS", 10)
    monkeypatch.setattr(positions, "STORE_FROM", 3)
    rng = random.Random(12)
    articles = [_article(rng, n) for n in range(30)]
    index_dir = tmp_path / "whoosh"
    build_index(index_dir, articles)
    built = _store_files(index_dir)
    assert len(built) == 3
    queries = _phrases(articles)

    def check(current: list[Article]) -> None:
        for query in queries:
            result = search(index_dir, query, limit=500)
            expected = _expected_urls(current, query)
            # A phrase no article has is searched as words (scorer.evaluate): said, not matched.
            assert bool(result.loosened) == (not expected), query
            if expected:
                assert {h.url for h in result.hits} == expected, query

    check(articles)
    articles[4] = replace(articles[4], body="A zebra crossing by the ferry strike.")
    del articles[15]
    update = update_index(index_dir, articles)
    assert (update.updated, update.removed) == (1, 1)
    assert _store_files(index_dir) == built  # the new one-article segment has none
    check(articles)
    assert search(index_dir, '"zebra crossing"').total == 1
    del articles[0:6]  # six of the first segment's ten, with the re-indexed one's old version
    update_index(index_dir, articles)
    ix = whoosh_private.open_index(index_dir)
    now = {s.segment_id(): s.doc_count_all() for s in whoosh_private.segments(ix)}
    ix.close()
    stores = _store_files(index_dir)
    assert stores == {f"{name}{positions.SUFFIX}" for name, count in now.items() if count >= 3}
    assert len(stores - built) == 1 and len(built - stores) == 1  # the first segment's replaced
    check(articles)
    snap = snapshot.open_snapshot(index_dir)
    with snap.lock:
        opened = [snap._store(n) for n in range(len(snap.leaves))]
    assert sum(store is not None for store in opened) == len(stores)
    fresh = tmp_path / "fresh"
    build_index(fresh, [search_document(a) for a in articles])
    for query in queries:
        assert search(index_dir, query).total == search(fresh, query).total, query


@pytest.mark.parametrize("damage", ["another segment's", "truncated", "not a store"])
def test_a_store_that_is_not_its_segments_is_not_read(tmp_path: Path, damage: str) -> None:
    rng = random.Random(3)
    articles = [_article(rng, n) for n in range(40)]
    articles[2] = replace(articles[2], body=" ".join(WORDS))
    build_index(tmp_path / "whoosh", articles)
    queries = _phrases(articles)
    expected = _answers(tmp_path / "whoosh", queries)
    (path,) = (tmp_path / "whoosh").glob(f"*{positions.SUFFIX}")
    data = path.read_bytes()
    if damage == "another segment's":  # the same size, another segment's name in its header
        other = b"MAIN_" + b"z" * (len(path.stem) - 5)
        path.write_bytes(data.replace(path.stem.encode(), other, 1))
    elif damage == "truncated":
        path.write_bytes(data[: len(data) // 2])
    else:
        path.write_bytes(b"\0" * len(data))
    snapshot.close_snapshot(tmp_path / "whoosh")
    snap = snapshot.open_snapshot(tmp_path / "whoosh")
    with snap.lock:
        assert snap._store(0) is None
    assert _answers(tmp_path / "whoosh", queries) == expected
