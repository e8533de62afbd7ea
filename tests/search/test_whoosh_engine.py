"""The Whoosh engine behind search(): the open snapshot, the numpy scorer, facet counts, suggestions.

Reference for rankings: the ranking rules written out plainly (_reference: BM25F, the
coordination bonus, phrases by positions, exclusions, folded filters) over the articles
themselves, tokenized by Whoosh's own analyzer chain, never by the index; the index has several
segments and deleted documents.
"""

from __future__ import annotations

import math
import random
import threading
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from generator.models import Article
from generator.search import bulk_writer, fields, indexing, snapshot, whoosh_index, whoosh_private
from generator.search.analyzer import NewsAnalyzer
from generator.search.query_syntax import fold, parse_query
from generator.search.scorer import SCALE
from generator.search.whoosh_index import (
    FACETS,
    build_index,
    search,
    update_index,
)

WORDS = [
    *("harbour", "council", "budget", "river", "bridge", "election", "minister", "vote"),
    *("school", "hospital", "doctor", "nurse", "police", "court", "judge", "tax", "energy"),
    *("wind", "solar", "flood", "storm", "coast", "fishing", "port", "ferry", "railway"),
    *("station", "museum", "theatre", "festival", "library", "farmer", "market", "price"),
    *("wage", "union", "strike"),
]
PEOPLE = ("Ana López", "Bo Chen", "Carla Diaz", "Dev Patel", "Eva Novak", "Finn Berg")
PLACES = ("Bergen", "Oslo", "Quito", "Lima")
TAGS = ("Politics", "Economy", "Health", "Transport", "Climate")


def _article(rng: random.Random, n: int) -> Article:
    body = "\n\n".join(
        " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 30))).capitalize() + "."
        for _ in range(rng.randint(2, 8))
    )
    title = " ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 6))).title()
    return Article(
        source_file=Path(f"a{n}.md"),
        title=f"{title} {n}",
        slug=f"story-{n}",
        body=body,
        summary=body[:80],
        date=f"{rng.choice((2019, 2020, 2021))}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
        people=tuple(rng.sample(PEOPLE, rng.randint(0, 3))),
        places=tuple(rng.sample(PLACES, rng.randint(0, 2))),
        tags=tuple(rng.sample(TAGS, rng.randint(1, 2))),
        organizations=("City Council",) if rng.random() < 0.3 else (),
    )


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Article]]:
    """300 articles indexed, then 40 edited, 10 removed and 10 added: three segments, deletions."""
    rng = random.Random(5)
    articles = [_article(rng, n) for n in range(300)]
    index_dir = tmp_path_factory.mktemp("engine") / "whoosh"
    build_index(index_dir, articles)
    for n in rng.sample(range(300), 40):
        articles[n] = replace(articles[n], body=articles[n].body + " Storm flood harbour late.")
    articles = [a for n, a in enumerate(articles) if n % 30 != 7]
    articles += [_article(rng, n) for n in range(300, 310)]
    update = update_index(index_dir, articles)
    assert (update.removed, update.added) == (10, 10) and update.updated > 30
    update = update_index(index_dir, [*articles[:-1], replace(articles[-1], title="Ferry Strike")])
    assert update.updated == 1
    articles[-1] = replace(articles[-1], title="Ferry Strike")
    snap = snapshot.open_snapshot(index_dir)
    assert len(snap.leaves) > 1 and not snap.live().all()
    return index_dir, articles


_CHAIN = NewsAnalyzer.reference()


def _stem(word: str) -> str | None:
    found = [t.text for t in _CHAIN(word)]
    return found[0] if found else None


def _tokens(text: str) -> list[tuple[str, int]]:
    return [(t.text, t.pos) for t in _CHAIN(text, positions=True)]


def _count(text: str, words: tuple[str, ...]) -> int:
    """Occurrences of a word or phrase in a text field, by the rules the help text states: the
    indexed words at their places, a common word between them holding its place."""
    placed = [(i, s) for i, s in enumerate(_stem(w) for w in words) if s is not None]
    found: dict[str, set[int]] = {}
    for term, pos in _tokens(text):
        found.setdefault(term, set()).add(pos)
    base, first = placed[0]
    starts = {p - base for p in found.get(first, set())}
    for offset, term in placed[1:]:
        starts = {p for p in starts if p + offset in found.get(term, set())}
    return len(starts)


def _reference(
    articles: list[Article], text: str, filters: list[tuple[str, str]], limit: int, page: int
) -> tuple[int, list[list[tuple[str, float]]]]:
    """Total and the page's (url, score) grouped by equal score, computed from the articles."""
    query = parse_query(text)
    docs = [fields.texts(fields.as_document(a)) for a in articles]
    lengths = [{f: len(_tokens(t)) for f, t in d.items()} for d in docs]
    average = {f: max(1.0, sum(n[f] for n in lengths) / len(lengths)) for f in fields.TEXT_FIELDS}
    units: dict[tuple[str, ...], bool] = {}
    for words in query.terms:
        stems = tuple(s for s in (_stem(w) for w in words) if s)
        if stems:
            units[stems] = units.get(stems, False) or words in query.phrases
    by_stems = {tuple(s for s in (_stem(w) for w in words) if s): words for words in query.terms}

    def frequency(d: int, words: tuple[str, ...]) -> float:
        return sum(
            fields.TEXT_FIELDS[f]
            * _count(docs[d][f], words)
            / ((1 - 0.75) + 0.75 * lengths[d][f] / average[f])
            for f in fields.TEXT_FIELDS
        )

    n = len(articles)
    scores: dict[int, float] = {}
    matched: dict[int, int] = {}
    for stems, needed in units.items():
        tf = {d: frequency(d, by_stems[stems]) for d in range(n)}
        has = {d for d, f in tf.items() if f > 0}
        idf = math.log(1 + (n - len(has) + 0.5) / (len(has) + 0.5))
        for d in range(n):
            if needed and d not in has:
                matched[d] = -(10**6)
            if d in has:
                scores[d] = scores.get(d, 0.0) + idf * tf[d] * 2.2 / (tf[d] + 1.2)
                matched[d] = matched.get(d, 0) + 1
    for words in query.excluded:
        for d in range(n):
            if any(_count(docs[d][f], words) for f in fields.TEXT_FIELDS):
                matched[d] = -(10**6)
    facet_of = {"people": "people", "places": "places", "year": "year"}
    items = []
    for d, count in matched.items():
        article = articles[d]
        if count <= 0 or not all(
            fold(value)
            in {
                fold(v)
                for v in ([article.year] if name == "year" else getattr(article, facet_of[name]))
            }
            for name, value in filters
        ):
            continue
        bonus = (count - 1) / (len(units) - SCALE) ** 2
        items.append((scores[d] + bonus, f"articles/{article.slug}/"))
    items.sort(key=lambda x: -x[0])
    pages = -(-len(items) // limit)
    start = (max(1, min(pages, page)) - 1) * limit
    return len(items), _ties([(u, s) for s, u in items[start : start + limit]])


def _ties(pairs: list[tuple[str, float]]) -> list[list[tuple[str, float]]]:
    groups: list[list[tuple[str, float]]] = []
    for url, score in pairs:
        if groups and abs(groups[-1][0][1] - score) <= 1e-9 * max(1.0, abs(score)):
            groups[-1].append((url, score))
        else:
            groups.append([(url, score)])
    return groups


QUERIES = [
    "harbour",
    "storm flood",
    "council budget river",
    "minister OR strike",
    "title:ferry",
    "wage NOT union",
    "wage -union -vote",
    '"fishing port"',
    '"fishing port" storm -"flood harbour"',
    '"the harbour"',
    "rail*",
    "zzzz",
    "López",
    "Lopez strike",
]


@pytest.mark.parametrize("text", QUERIES)
@pytest.mark.parametrize(
    ("filters", "limit", "page"),
    [([], 10, 1), ([], 7, 3), ([("year", "2020")], 10, 1), ([("people", "bo chen")], 5, 2)],
)
def test_rankings_follow_the_ranking_rules(
    corpus: tuple[Path, list[Article]],
    text: str,
    filters: list[tuple[str, str]],
    limit: int,
    page: int,
) -> None:
    index_dir, articles = corpus
    result = search(index_dir, text, limit=limit, page=page, filters=filters)
    total, groups = _reference(articles, text, filters, limit, page)
    assert result.total == total
    got = _ties([(h.url, h.score) for h in result.hits])
    # Equal scores are ordered by document number; the last group may be cut differently by
    # the page end.
    assert [sorted(u for u, _ in g) for g in got[:-1]] == [
        sorted(u for u, _ in g) for g in groups[:-1]
    ]
    assert [round(s, 7) for _, s in (p for g in got for p in g)] == [
        round(s, 7) for _, s in (p for g in groups for p in g)
    ]
    assert result.pages == -(-total // limit)


def test_snippets_mark_the_matched_words(corpus: tuple[Path, list[Article]]) -> None:
    index_dir, _ = corpus
    for text, stems in (
        ("storm flood", {"storm", "flood"}),
        ('"fishing port"', {"fish", "port"}),
        ("library energy", {"librari", "energi"}),  # stems not a prefix of the word
        ("title:harbour strike", {"harbour", "strike"}),
    ):
        marked = [
            m.split("</mark>")[0]
            for hit in search(index_dir, text).hits
            for m in hit.snippet_html.split("<mark>")[1:]
        ]
        assert marked and {_stem(m) for m in marked} <= stems, (text, marked)
        assert {_stem(m) for m in marked} == stems or len(stems) > 1


def test_facet_counts_and_names_come_from_the_articles(corpus: tuple[Path, list[Article]]) -> None:
    index_dir, articles = corpus
    for text, filters in (("harbour", []), ("railway", []), ("storm", [("places", "bergen")])):
        result = search(index_dir, text, limit=1000, filters=filters, with_facets=True)
        shown = {h.url for h in result.hits}
        assert len(shown) == result.total
        matching = [a for a in articles if f"articles/{a.slug}/" in shown]
        expected: dict[str, Counter[str]] = {
            "people": Counter(p for a in matching for p in a.people),
            "organizations": Counter(o for a in matching for o in a.organizations),
            "places": Counter(p for a in matching for p in a.places),
            "tags": Counter(t for a in matching for t in a.tags),
            "year": Counter(a.year for a in matching if a.year),
        }
        assert set(result.facets) == set(FACETS)
        for name in FACETS:
            assert dict(result.facets[name]) == dict(expected[name]), name
            counts = [c for _, c in result.facets[name]]
            assert counts == sorted(counts, reverse=True)


def test_the_open_snapshot_follows_updates_and_rebuilds(
    tmp_path: Path,
) -> None:
    rng = random.Random(9)
    articles = [_article(rng, n) for n in range(40)]
    index_dir = tmp_path / "whoosh"
    build_index(index_dir, articles)
    assert search(index_dir, "zebra").total == 0
    first = snapshot.open_snapshot(index_dir)
    assert snapshot.open_snapshot(index_dir) is first  # unchanged index: reused, not reopened
    zebra = replace(articles[3], body=articles[3].body + " A zebra crossed.")
    update_index(index_dir, [*articles[:3], zebra, *articles[4:]])
    assert [h.title for h in search(index_dir, "zebra").hits] == [articles[3].title]
    assert first.closed and snapshot.open_snapshot(index_dir) is not first
    # A writer in another process does not go through _forget: the generation changes anyway.
    writer = whoosh_private.open_index(index_dir).writer()
    writer.delete_by_term("slug", articles[3].slug)
    writer.commit()
    assert search(index_dir, "zebra").total == 0
    build_index(index_dir, [zebra])  # a full rebuild swaps in a new folder
    assert search(index_dir, "zebra").total == 1
    assert search(index_dir, "harbour council river").total <= 1


def test_block_reader_reads_what_whoosh_matchers_read(corpus: tuple[Path, list[Article]]) -> None:
    index_dir, _ = corpus
    snap = snapshot.open_snapshot(index_dir)
    with snap.lock:
        for fieldname, word in (("body", "harbour"), ("body", "storm"), ("title", "ferri")):
            for leaf, _ in snap.leaves:
                fast = whoosh_private.read_postings(leaf.postings(fieldname, word))
                matcher = leaf.postings(fieldname, word)
                slow: list[tuple[int, float]] = []
                while matcher.is_active():
                    slow.append((matcher.id(), matcher.weight()))
                    matcher.next()
                live = [
                    (int(i), float(w))
                    for i, w in zip(*fast, strict=True)
                    if not leaf.is_deleted(int(i))
                ]
                assert live == slow and len(slow) > 0


def test_suggestions_on_an_index_of_several_segments(corpus: tuple[Path, list[Article]]) -> None:
    index_dir, _ = corpus
    assert search(index_dir, "harbuor").suggestion == "harbour"
    assert search(index_dir, "festivall librery").suggestion == "festival library"
    assert search(index_dir, "harbour").suggestion is None


def test_concurrent_searches_agree(corpus: tuple[Path, list[Article]]) -> None:
    index_dir, _ = corpus
    expected = {q: search(index_dir, q, with_facets=True) for q in QUERIES}
    problems: list[Any] = []

    def worker() -> None:
        try:
            for q in QUERIES * 3:
                if search(index_dir, q, with_facets=True) != expected[q]:
                    problems.append(q)
        except Exception as exc:  # pragma: no cover - reported below
            problems.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert problems == []


def test_an_index_from_before_the_facet_column_still_counts_facets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = random.Random(3)
    articles = [_article(rng, n) for n in range(60)]
    build_index(tmp_path / "new", articles)
    schema, document = fields.schema, fields.fields

    def old_schema() -> Any:
        fields = schema()
        fields.remove("facets")
        return fields

    def old_document(doc: whoosh_index.SearchDocument, lengths: Any = None) -> dict[str, Any]:
        fields = document(doc, lengths)
        del fields["facets"]
        return fields

    monkeypatch.setattr(indexing, "schema", old_schema)
    monkeypatch.setattr(bulk_writer, "document_fields", old_document)
    build_index(tmp_path / "old", articles)
    monkeypatch.undo()
    assert "facets" not in snapshot.open_snapshot(tmp_path / "old").schema
    for text in ("harbour", "storm flood"):
        old = search(tmp_path / "old", text, with_facets=True)
        new = search(tmp_path / "new", text, with_facets=True)
        assert old.facets == new.facets and old.hits == new.hits


def _update_in_child(index_dir: Path, articles: list[Article], sender: Any) -> None:
    try:
        sender.send(update_index(index_dir, articles))
    except BaseException as exc:
        sender.send(repr(exc))


@pytest.mark.slow
def test_a_full_build_inside_a_daemonic_process(tmp_path: Path) -> None:
    """The build updates the index in a daemonic child, which may not start the two-process
    writer's own children: a full index there is written by one process."""
    import multiprocessing

    rng = random.Random(4)
    articles = [replace(_article(rng, n), body=" ".join(rng.sample(WORDS, 6))) for n in range(520)]
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(
        target=_update_in_child, args=(tmp_path / "whoosh", articles, sender), daemon=True
    )
    child.start()
    result = receiver.recv()
    child.join()
    assert result == whoosh_index.IndexUpdate(520, 0, 0, 0, True)
    assert search(tmp_path / "whoosh", "harbour river").total > 0
