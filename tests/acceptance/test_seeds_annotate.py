"""Annotate on the team's seeds (gold spin phrases and related pair) and on the 181 real pages of the
article-extraction benchmark; the same behaviours are tested on the repository's own texts in
tests/annotate/."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Any

from generator.annotate import dedupe, tokens
from generator.annotate.archive import annotate_archive, annotate_features
from generator.annotate.dedupe import compare, names_and_numbers, signature, text_tokens
from generator.annotate.related import RelatedInput, related_articles
from generator.annotate.spin import SPUN_AT, load_lexicon, score_spin
from tests.annotate.conftest import FLOOD, MUSEUM, SPUN_FLOOD
from tests.annotate.reference_names import names_and_numbers as reference_names
from tests.annotate.test_archive import (
    _corpus,
    _inputs,
    assert_cached_rebuild_equals_a_fresh_one,
    assert_plain_text_shortcuts_change_nothing,
    assert_related_lists_are_the_first_versions,
)
from tests.annotate.test_dedupe import _links, assert_partial_copies_link
from tests.annotate.test_related import MARKETS, SPORT

from .conftest import ORIGINAL, SPUN


def _found(text: str) -> set[str]:
    return {p.text.casefold() for p in score_spin(text, load_lexicon()).phrases}


def _entities(case: dict[str, list[str]]) -> tuple[str, ...]:
    return tuple(case.get("people", []) + case.get("organizations", []) + case.get("places", []))


def test_seed_003_is_spun_with_the_gold_phrases(
    seeds: dict[str, str], gold: dict[str, Any]
) -> None:
    result = score_spin(seeds["003"], load_lexicon())
    assert result.verdict == "spun" and result.score >= SPUN_AT
    expected = {p.casefold() for p in gold[SPUN]["spin_phrases"]}
    assert len(expected & _found(seeds["003"])) >= 5
    originals = {p.text: p.likely_original for p in result.phrases}
    assert originals["White Home"] == "White House"
    assert originals["tons of of hundreds"] == "hundreds of thousands"


def test_seed_000_is_original(seeds: dict[str, str]) -> None:
    result = score_spin(seeds["000"], load_lexicon())
    assert result.verdict == "original" and result.score < 0.1


def test_the_hand_spun_flood_shares_at_most_one_weak_phrase_with_seed_003(
    seeds: dict[str, str],
) -> None:
    # Lexicon phrases only: spinner-favoured marker words ("stated", "additionally"), listed as
    # weak evidence since issue 23, are shared by any two spinners.
    entries = {e.phrase.casefold() for e in load_lexicon().entries}
    shared = _found(SPUN_FLOOD) & _found(seeds["003"]) & entries
    assert len(shared) <= 1
    phrases = score_spin(SPUN_FLOOD, load_lexicon()).phrases
    assert all(p.is_weak for p in phrases if p.text.casefold() in shared)


def test_seed_003_and_000_are_related(seeds: dict[str, str], gold: dict[str, Any]) -> None:
    items = [
        RelatedInput("000", seeds["000"]),
        RelatedInput("003", seeds["003"]),
        RelatedInput("flood", FLOOD),
        RelatedInput("museum", MUSEUM),
        RelatedInput("sport", SPORT),
        RelatedInput("markets", MARKETS),
    ]
    related = related_articles(items)
    assert related["003"][0] == "000" and related["000"][0] == "003"
    assert "000" not in related["museum"] and "000" not in related["flood"]
    named = [
        RelatedInput("000", seeds["000"], _entities(gold[ORIGINAL])),
        RelatedInput("003", seeds["003"], _entities(gold[SPUN])),
        RelatedInput("museum", MUSEUM, ("Priya Raman", "Harbor Museum", "Port Ellis")),
    ]
    related = related_articles(named)
    assert related["003"] == ("000",) and related["000"] == ("003",)
    assert related["museum"] == ()


def test_the_seeds_are_related_stories_not_copies(seeds: dict[str, str]) -> None:
    links = _links({"000": seeds["000"], "003": seeds["003"], "flood": FLOOD, "museum": MUSEUM})
    assert all(found == () for found in links.values())
    assert compare(signature(seeds["000"]), signature(seeds["003"])) is None
    assert_partial_copies_link({"flood": FLOOD, "museum": MUSEUM, **seeds})


def test_seed_tokens_and_names_are_the_first_versions(seeds: dict[str, str]) -> None:
    for text in seeds.values():
        assert names_and_numbers(text) == reference_names(text)
        analysed = text_tokens(text)
        lower = {w for w in re.findall(r"\w+", text) if "a" <= w[0] <= "z"}
        assert analysed.lowercase == {tokens.hash_text(w) for w in lower}
        normalised = re.findall(r"\w+", unicodedata.normalize("NFKC", text).casefold())
        assert analysed.normal.tolist() == dedupe._normal(normalised).tolist()


def test_related_lists_are_the_first_versions_on_real_pages(
    real_bodies: list[tuple[str, str]],
) -> None:
    assert_related_lists_are_the_first_versions(real_bodies, 50)


def test_real_pages_and_seeds_link_copies_and_relate_stories(
    real_bodies: list[tuple[str, str]], seeds: dict[str, str]
) -> None:
    articles = _corpus(real_bodies, {f"seed-{k}": v for k, v in seeds.items()})
    result = annotate_archive(articles)
    assert [(link.slug, link.relation) for link in result["wire"].duplicates] == [
        ("flood", "near-duplicate")
    ]
    assert [(link.slug, link.relation) for link in result["museum-spun"].duplicates] == [
        ("museum", "spun-copy-of")
    ]
    assert result["seed-000"].duplicates == () and result["seed-000"].related[0] == "seed-003"
    assert not [slug for slug, a in result.items() if slug.startswith("real-") and a.duplicates]
    inputs = _inputs(articles)
    assert annotate_features(inputs[::-1]) == annotate_features(inputs)


def test_cached_rebuild_on_real_pages_equals_a_fresh_one(
    tmp_path: Path, real_bodies: list[tuple[str, str]], seeds: dict[str, str]
) -> None:
    assert_cached_rebuild_equals_a_fresh_one(
        tmp_path, real_bodies, {f"seed-{k}": v for k, v in seeds.items()}
    )


def test_the_plain_text_shortcuts_change_nothing_on_real_pages(
    real_bodies: list[tuple[str, str]], seeds: dict[str, str]
) -> None:
    texts = [*real_bodies, *(("Seed", s) for s in seeds.values())]
    assert assert_plain_text_shortcuts_change_nothing(texts) > 100
