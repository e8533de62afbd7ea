from __future__ import annotations

import pickle
import random
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from generator.annotate import archive, columns, dedupe, related, similarity, tokens
from generator.annotate.archive import AnnotateInput, annotate_archive, annotate_features
from generator.annotate.features import (
    ArticleFeatures,
    article_features,
    features_key,
    features_of,
    features_version,
)
from generator.annotate.related import (
    RelatedInput,
    article_related_features,
    related_articles,
    related_features,
)
from generator.annotate.table import FeatureTable, TableBuilder
from generator.models import Article
from tests.annotate import reference_related as reference
from tests.annotate.conftest import (
    BRIDGE,
    FLOOD,
    INSPECTION,
    MUSEUM,
    SAMPLES,
    SPUN_FLOOD,
    SPUN_MUSEUM,
    WIRE_FLOOD,
    paragraph_pages,
)

# Short real-prose pages: the paragraphs of the sample archive's stories that _corpus does not
# also hold whole (a paragraph of a story held whole would rightly be its near-duplicate).
PAGES = paragraph_pages(
    *(v for k, v in SAMPLES.items() if not k.startswith("riverside-bridge")),
)
# The bridge report and a later report on the same story: related, not copies.
STORIES = {"bridge": BRIDGE, "inspection": INSPECTION}


def _letters(number: int) -> str:
    """A number written in letters (a-z, base 26): digits would split a made-up word in two."""
    letters = ""
    while True:
        number, digit = divmod(number, 26)
        letters = chr(ord("a") + digit) + letters
        if not number:
            return letters


def _article(slug: str, body: str, **fields: object) -> Article:
    return Article(
        source_file=Path(f"{slug}.md"), title=slug.title(), slug=slug, body=body, **fields
    )  # type: ignore[arg-type]


def _corpus(pages: list[tuple[str, str]], extra: dict[str, str]) -> list[Article]:
    """Real pages with made-up entities shared across them, extra stories, and copies of stories."""
    rng = random.Random(5)
    names = [f"Person {i}" for i in range(25)]
    articles = [
        _article(f"real-{i:03d}", body, people=tuple(rng.sample(names, rng.randint(0, 3))))
        for i, (_, body) in enumerate(pages)
    ]
    stories = {"flood": FLOOD, "wire": WIRE_FLOOD, "spun": SPUN_FLOOD, "museum": MUSEUM}
    stories |= {"museum-spun": SPUN_MUSEUM, **extra}
    spin = {"spun": 0.95, "museum-spun": 0.9}
    for slug, body in stories.items():
        extra = {"spin": {"score": spin.get(slug, 0.0)}}
        articles.append(_article(slug, body, date="2024-01-16", extra=extra, places=("Riverton",)))
    return articles


def assert_related_lists_are_the_first_versions(pages: list[tuple[str, str]], related: int) -> None:
    """Related lists of pages (with made-up names) as the reference gives them, with more than
    `related` pages related to some other (so that the words product matters)."""
    rng = random.Random(11)
    names = [f"Name {i}" for i in range(30)]
    items = [
        RelatedInput(f"p{i:03d}", f"{title}\n{body}", tuple(rng.sample(names, rng.randint(0, 4))))
        for i, (title, body) in enumerate(pages)
    ]
    for limit in (1, 5, 20):
        old = reference.related_articles(
            [reference.RelatedInput(i.slug, i.text, i.entities) for i in items], limit=limit
        )
        assert related_articles(items, limit=limit) == old
        assert sum(1 for v in old.values() if v) > related


def test_related_lists_are_the_first_versions_on_real_prose() -> None:
    # Every paragraph of the sample archive and of the texts written for these tests, copies too.
    texts = [*SAMPLES.values(), INSPECTION, FLOOD, SPUN_FLOOD, WIRE_FLOOD, MUSEUM, SPUN_MUSEUM]
    assert_related_lists_are_the_first_versions(paragraph_pages(*texts), 60)


@pytest.mark.parametrize("cap", [250, 2])
def test_related_lists_are_the_first_versions_on_a_large_archive(
    cap: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # From 40 articles up, features in more than 5% of the archive (and more than _MIN_DF_CAP
    # articles: 2 here makes the 5% count) drop out of the product; articles left without a
    # list are then scored on all their words.
    monkeypatch.setattr(similarity, "_MIN_DF_CAP", cap)
    monkeypatch.setattr(reference, "_MIN_DF_CAP", cap)
    rng = random.Random(2)
    vocabulary = [f"w{_letters(i)}x" for i in range(3000)]
    weights = [1 / (i + 1) for i in range(len(vocabulary))]
    items = []
    for n in range(400):
        words = rng.choices(vocabulary, weights, k=rng.randint(20, 200))
        entities = tuple(f"Name {rng.randint(0, 60)}" for _ in range(rng.randint(0, 3)))
        items.append(RelatedInput(f"a{n:03d}", " ".join(words), entities))
    old = reference.related_articles(
        [reference.RelatedInput(i.slug, i.text, i.entities) for i in items]
    )
    assert related_articles(items) == old
    assert related_articles(items[::-1]) == old


def test_related_lists_are_the_same_worked_out_a_slice_at_a_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Large archives number words, weigh them and sum squares a slice of entries at a time, and
    # score rows a block at a time.
    rng = random.Random(4)
    common = [f"c{_letters(i)}x" for i in range(200)]
    items = []
    for n in range(150):  # 30 stories, 5 articles each, worded from the story's own words
        story = [f"s{_letters(n % 30)}w{_letters(i)}x" for i in range(40)]
        words = rng.choices(story, k=rng.randint(20, 150)) + rng.choices(common, k=30)
        entities = tuple(f"Name {rng.randint(0, 60)}" for _ in range(rng.randint(0, 3)))
        items.append(RelatedInput(f"a{n:03d}", " ".join(words), entities))
    expected = related_articles(items)
    assert sum(1 for v in expected.values() if v) > 60
    monkeypatch.setattr(columns, "_SLICE", 97)
    monkeypatch.setattr(similarity, "_SLICE", 97)
    assert related_articles(items) == expected
    # Rows a few at a time, blocks then sized by the scores the last one made.
    monkeypatch.setattr(similarity, "_BLOCK_CELLS", 300)
    monkeypatch.setattr(similarity, "_BLOCK_SCORES", 200)
    assert related_articles(items) == expected
    assert expected == reference.related_articles(
        [reference.RelatedInput(i.slug, i.text, i.entities) for i in items]
    )


def test_features_are_plain_deterministic_and_picklable() -> None:
    article = _article("a", BRIDGE, people=("Andrés Manuel López Obrador",), tags=("border",))
    features = features_of(article)
    assert features == features_of(article)
    assert pickle.loads(pickle.dumps(features)) == features
    assert features == article_features(article.body, article.title, archive_entities(article))
    assert features.related == related_features(
        f"{article.title}\n{article.body}", archive_entities(article)
    )
    assert features.related.entities == ("andres manuel lopez obrador", "border")
    assert len(pickle.dumps(features)) < 16_000
    assert features_key(article) == features_key(replace(article, date="2024-01-01"))
    assert features_key(article) != features_key(replace(article, title="Other"))
    assert features_key(article) != features_key(replace(article, people=()))
    assert features_version() == features_version()


def archive_entities(article: Article) -> tuple[str, ...]:
    return (*article.people, *article.organizations, *article.places, *article.tags)


def test_annotations_link_copies_and_relate_stories() -> None:
    result = annotate_archive(_corpus(PAGES, STORIES))
    assert [(link.slug, link.relation) for link in result["wire"].duplicates] == [
        ("flood", "near-duplicate")
    ]
    assert ("flood", "spun-copy-of") in {
        (link.slug, link.relation) for link in result["spun"].duplicates
    }
    assert [(link.slug, link.relation) for link in result["museum-spun"].duplicates] == [
        ("museum", "spun-copy-of")
    ]
    assert result["bridge"].duplicates == () and result["bridge"].related[0] == "inspection"
    # The real pages are distinct stories: none is linked.
    assert not [slug for slug, a in result.items() if slug.startswith("real-") and a.duplicates]


def _inputs(articles: list[Article]) -> list[AnnotateInput]:
    return [AnnotateInput(a.slug, features_of(a), archive.spin_score(a), a.date) for a in articles]


def test_annotations_do_not_depend_on_input_order() -> None:
    inputs = _inputs(_corpus(PAGES, STORIES))
    expected = annotate_features(inputs)
    shuffled = list(inputs)
    random.Random(1).shuffle(shuffled)
    assert annotate_features(shuffled) == expected
    assert list(annotate_features(shuffled)) == [i.slug for i in shuffled]


def test_cached_rebuild_after_edits_additions_and_deletions_equals_a_fresh_one(
    tmp_path: Path,
) -> None:
    assert_cached_rebuild_equals_a_fresh_one(tmp_path, PAGES, STORIES)


def assert_cached_rebuild_equals_a_fresh_one(
    tmp_path: Path, pages: list[tuple[str, str]], extra: dict[str, str]
) -> None:
    cache = tmp_path / "signatures.json"
    articles = _corpus(pages, extra)
    first = annotate_archive(articles, cache)
    assert first == annotate_archive(articles)
    assert (tmp_path / "features.pickle").is_file() and (tmp_path / "annotations.pickle").is_file()
    assert annotate_archive(articles, cache) == first  # the stored result, as it was

    by_slug = {a.slug: a for a in articles}
    edited = dict(by_slug)
    edited["real-007"] = replace(
        by_slug["real-007"], body=by_slug["real-007"].body + "\n\nLinda Okafor said so."
    )
    edited["museum"] = replace(by_slug["museum"], people=("Priya Raman",))
    edited["flood"] = replace(by_slug["flood"], extra={"spin": {"score": 0.97}})
    del edited["real-010"], edited["wire"]
    edited["new-wire"] = _article("new-wire", WIRE_FLOOD.replace("Reyes said", "he said"))
    edited["new-page"] = _article("new-page", pages[3][1] + "\n\nAn added paragraph.")
    for step in (edited, by_slug, edited):
        current = list(step.values())
        assert annotate_archive(current, cache) == annotate_archive(current)


def test_features_are_computed_once_per_content(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "signatures.json"
    articles = [_article(f"s-{k}", text) for k, text in SAMPLES.items()] + [
        _article("flood", FLOOD)
    ]
    annotate_archive(articles, cache)
    calls: list[str] = []

    def counting(article: Article) -> ArticleFeatures:
        calls.append(article.slug)
        return features_of(article)

    monkeypatch.setattr(archive, "features_of", counting)
    changed = [*articles[:-1], replace(articles[-1], body=FLOOD + "\n\nCorrection appended.")]
    annotate_archive(changed, cache)
    assert calls == ["flood"]
    annotate_archive([*changed, _article("museum", MUSEUM)], cache)
    assert calls == ["flood", "museum"]


def test_cached_table_asks_only_for_what_it_lacks(tmp_path: Path) -> None:
    """The build's way in: features by key from the table cache, the rest from `make`, which
    may not know some (a record whose stored features were lost): those get no row."""
    articles = {f"k{i}": _article(f"s-{k}", text) for i, (k, text) in enumerate(SAMPLES.items())}
    cache = tmp_path / "features.pickle"
    asked: list[list[str]] = []

    def make(keys: list[str]) -> dict[str, ArticleFeatures]:
        asked.append(keys)
        return {k: features_of(articles[k]) for k in keys if k != "k1"}

    def rows(table: FeatureTable, positions: list[int]) -> dict[int, FeatureTable]:
        return {p: table.take([r]) for r, p in enumerate(positions)}

    keys = list(articles)
    table, positions = archive.cached_table(keys, make, cache)
    assert asked == [keys] and sorted(positions) == [i for i in range(len(keys)) if i != 1]
    expected = {
        i: FeatureTable.of([features_of(articles[k])]) for i, k in enumerate(keys) if i != 1
    }
    assert _same_rows(rows(table, positions), expected)
    again, again_positions = archive.cached_table([*keys, "k0"], make, cache)  # a key twice
    assert asked[1:] == [["k1"]]  # only the one the cache could not hold
    assert sorted(again_positions) == sorted([*positions, len(keys)])
    expected[len(keys)] = expected[0]
    assert _same_rows(rows(again, again_positions), expected)


def _same_rows(found: dict[int, FeatureTable], expected: dict[int, FeatureTable]) -> bool:
    """Rows equal feature for feature: signatures, words (as stem hashes), counts and names."""

    def plain(table: FeatureTable) -> tuple[object, ...]:
        s, r = table.signatures, table.related
        return (
            s.text.tolist(),
            s.text_sizes.tolist(),
            s.names.tolist(),
            s.names_sizes.tolist(),
            table.vocabulary[r.words].tolist(),
            r.counts.tolist(),
            r.entities,
        )

    return found.keys() == expected.keys() and all(
        plain(found[k]) == plain(expected[k]) for k in found
    )


def test_a_table_grown_edit_by_edit_holds_what_a_fresh_one_holds() -> None:
    texts = [FLOOD, MUSEUM, SPUN_FLOOD, WIRE_FLOOD, *SAMPLES.values()]
    features = [
        features_of(_article(f"a{i}", t, people=(f"P{i % 3}",))) for i, t in enumerate(texts)
    ]
    table = FeatureTable.of(features[:3])
    table = table.select(np.array([True, False, True])).extended(features[3:])
    fresh = FeatureTable.of([features[0], features[2], *features[3:]])
    count = len(fresh)
    assert _same_rows(
        {i: table.take([i]) for i in range(count)}, {i: fresh.take([i]) for i in range(count)}
    )
    compact = table.compacted()
    assert len(compact.vocabulary) == len(fresh.vocabulary) < len(table.vocabulary)
    assert _same_rows(
        {i: compact.take([i]) for i in range(count)}, {i: fresh.take([i]) for i in range(count)}
    )
    packed = FeatureTable.unpack(pickle.loads(pickle.dumps(compact.pack())))
    assert _same_rows(
        {i: packed.take([i]) for i in range(count)}, {i: fresh.take([i]) for i in range(count)}
    )
    broken = {**compact.pack(), "lengths": compact.related.lengths[:-1]}
    with pytest.raises(ValueError, match="different lengths"):
        FeatureTable.unpack(broken)


def test_a_table_built_batch_by_batch_holds_what_one_made_at_once_holds() -> None:
    texts = [FLOOD, MUSEUM, SPUN_FLOOD, WIRE_FLOOD, SPUN_MUSEUM, *SAMPLES.values()]
    features = [features_of(_article(f"a{i}", t, tags=(f"t{i % 2}",))) for i, t in enumerate(texts)]
    builder = TableBuilder()
    for start in range(0, len(features), 3):  # batches sharing some words, adding others
        builder.add(features[start : start + 3])
    assert len(builder) == len(features)
    built, whole = builder.table(), FeatureTable.of(features)
    built.check()
    assert len(built.vocabulary) == len(whole.vocabulary)  # each stem numbered once
    count = len(features)
    assert _same_rows(
        {i: built.take([i]) for i in range(count)}, {i: whole.take([i]) for i in range(count)}
    )
    assert len(TableBuilder().table()) == 0


def test_cached_table_takes_this_builds_rows_before_asking(tmp_path: Path) -> None:
    articles = {f"k{i}": _article(f"s-{k}", text) for i, (k, text) in enumerate(SAMPLES.items())}
    keys = list(articles)
    fresh = FeatureTable.of([features_of(articles[k]) for k in keys[:2]])
    asked: list[list[str]] = []

    def make(wanted: list[str]) -> dict[str, ArticleFeatures]:
        asked.append(wanted)
        return {k: features_of(articles[k]) for k in wanted}

    cache = tmp_path / "features.pickle"
    # Row 1 of the fresh table is for no key wanted (None): it is left out.
    table, positions = archive.cached_table(keys, make, cache, (fresh, [keys[0], None]))
    assert asked == [keys[1:]]
    expected = {i: FeatureTable.of([features_of(articles[k])]) for i, k in enumerate(keys)}
    assert _same_rows({p: table.take([r]) for r, p in enumerate(positions)}, expected)
    # Next build: everything from the cache, an edited record from this build's table.
    edited = replace(articles[keys[0]], body=articles[keys[0]].body + "\n\nA correction.")
    again = archive.cached_table(
        ["new", *keys[1:]], make, cache, (FeatureTable.of([features_of(edited)]), ["new"])
    )
    assert asked == [keys[1:]]
    expected[0] = FeatureTable.of([features_of(edited)])
    assert _same_rows({p: again[0].take([r]) for r, p in enumerate(again[1])}, expected)
    assert (tmp_path / "features-recent.pickle").is_file()  # the small file, not the table
    third = archive.cached_table(["new", *keys[1:]], make, cache)
    assert asked == [keys[1:]]
    assert _same_rows({p: third[0].take([r]) for r, p in enumerate(third[1])}, expected)


def test_a_full_builds_table_is_used_without_a_copy(tmp_path: Path) -> None:
    # A first build makes every row while loading: the table annotate works on is that one, not
    # a second copy of it (100,000 articles' signatures are ~100 MB).
    articles = {f"k{i}": _article(f"s-{k}", text) for i, (k, text) in enumerate(SAMPLES.items())}
    keys = list(articles)
    fresh = FeatureTable.of([features_of(articles[k]) for k in keys])

    def make(wanted: list[str]) -> dict[str, ArticleFeatures]:
        raise AssertionError(f"asked for {wanted}")

    table, positions = archive.cached_table(keys, make, tmp_path / "f.pickle", (fresh, keys))
    assert positions == list(range(len(keys)))
    for column in ("text", "names"):
        assert np.shares_memory(
            getattr(table.signatures, column), getattr(fresh.signatures, column)
        )
    assert np.shares_memory(table.related.words, fresh.related.words)
    assert (tmp_path / "f.pickle").is_file()


def _synthetic(stems: list[int], counts: list[int]) -> ArticleFeatures:
    """Features with these word hashes and counts (and a blank signature)."""
    blank = np.zeros(dedupe.NUM_PERM, dtype="<u4").tobytes()
    return ArticleFeatures(
        dedupe.Signature(blank, 0, blank, 0),
        related.RelatedFeatures(
            np.array(stems, dtype="<u8").tobytes(), np.array(counts, dtype="<u4").tobytes(), ()
        ),
    )


def test_table_columns_take_the_smallest_types_that_hold_them() -> None:
    small = FeatureTable.of([_synthetic([1, 2, 3], [1, 2, 200]), _synthetic([2, 5], [4, 1])])
    builder = TableBuilder()
    builder.add([_synthetic([1, 2, 3], [1, 2, 200]), _synthetic([2, 5], [4, 1])])
    built = builder.table()
    assert built.related.words.dtype == np.uint16 and built.related.counts.dtype == np.uint8
    assert _same_rows(
        {0: built.take([0]), 1: built.take([1])}, {0: small.take([0]), 1: small.take([1])}
    )
    # Joined with a table that takes the vocabulary past 2**16 words and a count past 255.
    many = list(range(10, 10 + 70_000))
    big = FeatureTable.of([_synthetic(many, [1] * (len(many) - 1) + [300])])
    joined = built.joined(big, np.array([False, True]))
    assert joined.related.words.dtype == np.int32 and joined.related.counts.dtype == np.uint16
    assert joined.vocabulary[joined.related.words].tolist() == [2, 5, *many]
    assert joined.related.counts.tolist() == [4, 1, *([1] * (len(many) - 1)), 300]
    assert joined.compacted().related.words.dtype == np.int32  # 70,002 words in use


def test_the_plain_text_shortcuts_change_nothing() -> None:
    texts = paragraph_pages(*SAMPLES.values(), INSPECTION) + [
        ("Sample", s) for s in SAMPLES.values()
    ]
    # Both ways are taken: most texts are plain, some are not (accents, the sample's mojibake).
    assert 40 < assert_plain_text_shortcuts_change_nothing(texts) < len(texts)


def assert_plain_text_shortcuts_change_nothing(texts: list[tuple[str, str]]) -> int:
    """Plain texts (ASCII words, non-word punctuation) skip NFKC/NFKD and hash words in place:
    the features are the general way's, for texts and a few more; how many were plain."""
    texts = [*texts, ("Flood", FLOOD), ("", MUSEUM), ("Spun “Museum”", SPUN_MUSEUM)]
    texts.append(("T", "a\u00a0b … c"))
    plain = 0
    for title, body in texts:
        analysis = tokens.analyse(body)
        assert analysis is not None
        plain += analysis.folded is not None
        assert article_related_features(title, body, analysis, ("X",)) == related_features(
            f"{title}\n{body}", ("X",)
        )
        shortcut = dedupe.text_tokens(body, analysis)
        general = dedupe.text_tokens(body, replace(analysis, folded=None))
        assert shortcut.normal.tolist() == general.normal.tolist()
        assert shortcut == replace(general, normal=shortcut.normal)
    return plain


def test_a_damaged_cache_is_computed_again(tmp_path: Path) -> None:
    articles = [_article(f"s-{k}", text) for k, text in SAMPLES.items()] + [
        _article("flood", FLOOD)
    ]
    cache = tmp_path / "signatures.json"
    expected = annotate_archive(articles)
    (tmp_path / "features.pickle").write_bytes(b"not a pickle")
    (tmp_path / "annotations.pickle").write_bytes(pickle.dumps({"key": "x", "result": 3}))
    assert annotate_archive(articles, cache) == expected
    stored = pickle.loads((tmp_path / "features.pickle").read_bytes())
    stored["table"]["lengths"] = stored["table"]["lengths"][:-1]  # truncated
    (tmp_path / "features.pickle").write_bytes(pickle.dumps(stored))
    (tmp_path / "annotations.pickle").unlink()
    assert annotate_archive(articles, cache) == expected
