"""Spun copies told from desk edits by aligning the two texts (annotate/align.py, copies.py)."""

from __future__ import annotations

import random
import re
from dataclasses import replace
from pathlib import Path

import pytest

from generator.annotate import copies, english
from generator.annotate.align import read_pair
from generator.annotate.archive import AnnotateInput, annotate_archive, annotate_features
from generator.annotate.copies import commonness_of, duplicate_links, first_is_original
from generator.annotate.dedupe import names_and_numbers, signature
from generator.annotate.features import features_of
from generator.annotate.spin import load_lexicon, score_spin
from generator.models import Article
from tests.annotate.conftest import FLOOD, MUSEUM, SPUN_FLOOD, SPUN_MUSEUM, WIRE_FLOOD


def _pairs(reading_subs: tuple[object, ...]) -> set[tuple[str, str]]:
    return {(s.first, s.second) for s in reading_subs}  # type: ignore[attr-defined]


def test_a_spun_copy_reads_as_in_place_swaps_with_their_originals() -> None:
    reading = read_pair(FLOOD, SPUN_FLOOD)
    assert reading.kind == "spun"
    assert reading.swaps >= 30 and reading.swap_sentences >= 15
    assert reading.in_place_share > 0.9
    found = _pairs(reading.substitutions)
    assert {("said", "stated"), ("City", "Metropolis"), ("homes", "properties")} <= found
    # A broken collocation, word by word.
    assert {("news", "information"), ("conference", "convention")} <= found
    # The swap knows where it stands in each text.
    swap = next(s for s in reading.substitutions if s.second == "Metropolis")
    assert swap.second_prefix.endswith("The Riverton ") and swap.second_suffix.startswith(" Co")


def test_a_desk_edit_of_a_wire_story_is_no_spun_copy() -> None:
    reading = read_pair(FLOOD, WIRE_FLOOD)
    assert reading.kind == "edited"
    assert reading.swaps == 0
    assert reading.cut > 150 and reading.added < 30  # the desk cut most of the end


def _desk_copy(text: str, seed: int) -> str:
    """What a wire desk does: moves a paragraph up, cuts the last two, adds a paragraph of
    background, drops honorifics and names the speaker."""
    rng = random.Random(seed)
    paragraphs = [p for p in text.split("\n\n") if p.strip()][:-2]
    i = rng.randrange(2, len(paragraphs))
    paragraphs.insert(1, paragraphs.pop(i))
    paragraphs.insert(3, "The region has seen three major floods since 2000, the last in 2017.")
    edited = "\n\n".join(paragraphs).replace("Ms. Okafor", "Okafor")
    return edited.replace(", he said.", ", Reyes said.")


@pytest.mark.parametrize("seed", range(4))
def test_moved_cut_and_added_paragraphs_stay_a_near_duplicate(seed: int) -> None:
    reading = read_pair(FLOOD, _desk_copy(FLOOD, seed))
    assert reading.kind == "edited", reading
    # The name for a pronoun is an edit, not a thesaurus swap.
    assert all(not s.is_lexical for s in reading.substitutions if s.second == "Reyes")


def _made_up_spinner(text: str, rate: float, seed: int) -> tuple[str, list[tuple[str, str]]]:
    """A spinner whose thesaurus no lexicon knows: words become made-up ones ("zor" + word)."""
    rng = random.Random(seed)
    swaps: list[tuple[str, str]] = []

    def swap(match: re.Match[str]) -> str:
        word = match.group()
        if len(word) < 4 or not word.islower() or rng.random() >= rate:
            return word
        spun = "zor" + word[::-1]
        swaps.append((spun, word))
        return spun

    return re.sub(r"[A-Za-z]+", swap, text), swaps


@pytest.mark.parametrize("rate", [0.1, 0.2, 0.3])
def test_a_spinner_no_lexicon_knows_is_caught_with_its_swaps(rate: float) -> None:
    spun, truth = _made_up_spinner(MUSEUM, rate, seed=int(rate * 10))
    reading = read_pair(MUSEUM, spun)
    assert reading.kind == "spun"
    found = [(s.second, s.first) for s in reading.substitutions]
    recovered = sum(1 for pair in truth if pair in found)
    assert recovered >= 0.8 * len(truth)


def test_identical_and_unrelated_texts() -> None:
    assert read_pair(MUSEUM, MUSEUM).kind == "same"
    assert read_pair(FLOOD, MUSEUM).kind == "apart"


def test_the_original_is_the_earlier_then_the_one_with_the_common_wording() -> None:
    reading = read_pair(FLOOD, SPUN_FLOOD)
    pair = ("flood", "spun")
    # Dates first, when they differ by a day at least.
    assert first_is_original(reading, ("2024-01-16", "2024-01-20"), (0.0, 0.0), pair)
    assert not first_is_original(reading, ("2024-01-20", "2024-01-16"), (0.0, 0.0), pair)
    # Undated: the side whose swapped words are common English and make common collocations
    # ("City Council", "news conference") is the original, whichever comes first.
    assert reading.first_lead > 20
    assert first_is_original(reading, (None, None), (0.0, 0.0), pair)
    backwards = read_pair(SPUN_FLOOD, FLOOD)
    assert backwards.first_lead < -20
    assert not first_is_original(backwards, (None, None), (0.0, 0.0), ("spun", "flood"))
    # The archive's own counts add to it: here they say the spinner's words are the common
    # ones, strongly enough to turn the verdict.
    spun_words = {s.second.lower() for s in reading.substitutions}

    def common(phrase: str) -> float:
        return 20.0 if phrase.lower() in spun_words else 0.0

    assert not first_is_original(reading, (None, None), (0.0, 0.0), pair, common)
    # Nothing to tell the wordings apart: the less spun by the single-text detector.
    even = replace(reading, first_lead=0.0)
    assert not first_is_original(even, ("2024-01-16", "2024-01-16T18:00"), (0.9, 0.0), pair)
    assert first_is_original(even, (None, None), (0.0, 0.9), pair)


def test_the_archive_says_which_wording_is_common() -> None:
    frequencies = {"said": None, "city": 400, "metropolis": 3, "town": 300}
    common = commonness_of(frequencies.get, 1000)
    assert common("city") > common("metropolis")  # type: ignore[operator]
    assert common("said") > common("city")  # type: ignore[operator]  # a stop word: everywhere
    assert common("said city") == common("city")
    assert common("metropolis town") == common("metropolis")  # a phrase: its rarest word
    assert common("1996") is None
    assert commonness_of(frequencies.get, 20)("city") is None  # too small an archive to say


def _article(slug: str, body: str, date: str | None = None) -> Article:
    """A record as ingest writes it: with the single-text detector's spin score."""
    spin = score_spin(body, load_lexicon()).score
    return Article(
        source_file=Path(f"{slug}.md"),
        title=slug.title(),
        slug=slug,
        body=body,
        date=date,
        extra={"spin": {"score": spin}},
    )


def test_links_carry_the_swaps_and_copies_take_no_related_slot() -> None:
    articles = [
        _article("flood", FLOOD, "2024-01-16"),
        _article("wire", WIRE_FLOOD, "2024-01-16"),
        _article("spun", SPUN_FLOOD, "2024-01-18"),
        _article("museum", MUSEUM, "2024-02-01"),
        _article("spun-museum", SPUN_MUSEUM),
    ]
    result = annotate_archive(articles)
    links = {link.slug: link for link in result["spun"].duplicates}
    assert links["flood"].relation == "spun-copy-of"
    swaps = {(s.spun, s.original) for s in links["flood"].swaps}
    assert {("stated", "said"), ("Metropolis", "City")} <= swaps
    back = {link.slug: link.relation for link in result["flood"].duplicates}
    assert back == {"spun": "original-of", "wire": "near-duplicate"}
    # The museum's spun copy is undated: the text still says which is the original.
    assert [(d.slug, d.relation) for d in result["spun-museum"].duplicates] == [
        ("museum", "spun-copy-of")
    ]
    for slug, annotation in result.items():
        linked = {link.slug for link in annotation.duplicates}
        assert not linked & set(annotation.related), slug


def test_a_names_match_of_two_different_texts_is_no_copy() -> None:
    # The same names and numbers in the same order, in sentences that share nothing else: the
    # names channel matches, the alignment says they are two texts.
    names = names_and_numbers(FLOOD)
    other = " ".join(f"Coverage of {name.title()} went on, the desk wrote." for name in names)
    assert names_and_numbers(other)[:10] == names[:10]
    entries = [("flood", signature(FLOOD), 0.0, None), ("other", signature(other), 0.0, None)]
    assert duplicate_links(entries) != {"flood": (), "other": ()}  # dedupe alone links them
    assert duplicate_links(entries, {"flood": FLOOD, "other": other}) == {
        "flood": (),
        "other": (),
    }


def test_pairs_are_aligned_once_and_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    articles = [_article("flood", FLOOD), _article("spun", SPUN_FLOOD), _article("m", MUSEUM)]
    cache = tmp_path / "cache" / "annotations.pickle"
    cache.parent.mkdir()
    first = annotate_archive(articles, cache)
    assert (tmp_path / "cache" / "pairs.pickle").is_file()

    def no_alignment(*_: object) -> None:
        raise AssertionError("aligned again")

    monkeypatch.setattr(copies, "read_pair", no_alignment)
    # Another article changes: the whole result is worked out again, the pair is not realigned.
    changed = [*articles[:2], _article("m", MUSEUM + "\n\nA late paragraph.")]
    again = annotate_archive(changed, cache)
    assert again["spun"] == first["spun"]


def test_inputs_in_any_order_give_the_same_links() -> None:
    items = [
        AnnotateInput(slug, features_of(_article(slug, text)), 0.0, None, text)
        for slug, text in (("b", FLOOD), ("a", SPUN_FLOOD), ("c", WIRE_FLOOD), ("d", MUSEUM))
    ]
    expected = annotate_features(items)
    assert annotate_features(items[::-1]) == expected
    assert {link.relation for link in expected["a"].duplicates} == {"spun-copy-of"}


def test_english_counts_tell_the_common_wording_and_collocations() -> None:
    assert english.is_available()
    assert english.word_count("said") > 5 * english.word_count("stated") > 0
    assert english.pair_count("united", "states") > 1_000_000
    assert english.pair_count("joined", "states") == 0
    assert english.pair_count("United", "States") == english.pair_count("united", "states")
    assert english.word_count("zorblat") == 0
