from __future__ import annotations

import pytest

from generator.annotate.spin import (
    SPUN_AT,
    SpinResult,
    load_lexicon,
    parse_lexicon,
    score_spin,
    verdict_for,
)
from tests.annotate.conftest import (
    BRIDGE_SPUN,
    FLOOD,
    INSPECTION,
    MUSEUM,
    SAMPLES,
    SPUN_FLOOD,
    SPUN_MUSEUM,
    WIRE_FLOOD,
)


def _score(text: str) -> SpinResult:
    return score_spin(text, load_lexicon())


def _found(result: SpinResult) -> set[str]:
    return {p.text.casefold() for p in result.phrases}


def test_shipped_lexicon_is_large_and_well_formed() -> None:
    lexicon = load_lexicon()
    assert len(lexicon.entries) >= 300
    assert len({e.phrase for e in lexicon.entries}) == len(lexicon.entries)
    assert all(e.likely_original and e.note for e in lexicon.entries)
    assert any(e.note.startswith("tortured phrase") for e in lexicon.entries)


def test_parse_lexicon_names_the_bad_line() -> None:
    with pytest.raises(ValueError, match="line 2"):
        parse_lexicon("# header\nWhite Home only two\tfields\n")


def test_the_sample_spun_copy_is_spun_with_its_phrases() -> None:
    result = _score(BRIDGE_SPUN)
    assert result.verdict == "spun"
    assert result.score >= SPUN_AT
    originals = {p.text: p.likely_original for p in result.phrases}
    assert {"site visitors", "p.c", "metropolis council", "gross sales", "the identical"} <= set(
        originals
    )
    assert originals["metropolis council"] == "city council"
    assert originals["p.c"] == "percent"
    assert originals["gross sales"] == "sales"


@pytest.mark.parametrize("name", sorted(set(SAMPLES) - {"riverside-bridge-spun"}))
def test_the_sample_originals_are_original(name: str) -> None:
    result = _score(SAMPLES[name])
    assert result.verdict == "original"
    assert result.score < 0.1


@pytest.mark.parametrize(
    "text", [FLOOD, MUSEUM, WIRE_FLOOD, INSPECTION], ids=["flood", "museum", "wire", "inspection"]
)
def test_genuine_articles_are_never_flagged(text: str) -> None:
    result = _score(text)
    assert result.verdict == "original"
    assert result.score < 0.1
    assert not [p for p in result.phrases if not p.is_weak]


def test_spun_copy_with_other_vocabulary_is_flagged() -> None:
    result = _score(SPUN_FLOOD)
    assert result.verdict == "spun"
    found = _found(result)
    assert {"metropolis council", "local weather change", "dad and mom", "p.c"} <= found
    # Caught on its own vocabulary: beyond the three phrases it shares with the sample's spun
    # copy, it has strong ones of its own.
    own = [p for p in result.phrases if p.text.casefold() not in _found(_score(BRIDGE_SPUN))]
    assert len([p for p in own if not p.is_weak]) >= 5


def test_spin_without_any_lexicon_phrase_is_caught_by_word_balance() -> None:
    result = _score(SPUN_MUSEUM)
    assert result.evidence.lexicon <= 0
    assert result.verdict == "spun"
    forms = {m.spun_form: m for m in result.evidence.marker_counts}
    assert forms["stated"].spun_count > forms["stated"].usual_count == 0
    # What the verdict rests on is listed: grammar traces (no original known) and the
    # spinner-favoured words (weak, with their usual counterparts), nothing from the lexicon.
    listed = {p.text: p for p in result.phrases}
    assert listed["stated"].likely_original == "said" and listed["stated"].is_weak
    assert listed["stated"].count == forms["stated"].spun_count
    assert any(p.likely_original is None and not p.is_weak for p in result.phrases)
    assert all(p.is_weak for p in result.phrases if p.likely_original is not None)


def test_a_verdict_is_never_published_without_phrases() -> None:
    # Spinner-favoured words alone can make a verdict: they are listed as its evidence, and a
    # text with nothing to list stays "original".
    text = (
        "Officials stated on Monday that individuals had discovered the problem. Additionally, "
        "the agency requested help amongst residents, whereas the mayor lately introduced a plan. "
    ) * 3
    result = _score(text)
    assert result.verdict == "spun" and result.evidence.lexicon <= 0
    assert {p.text for p in result.phrases} >= {"stated", "individuals", "amongst", "whereas"}
    assert all(p.is_weak and p.likely_original for p in result.phrases)
    # Sentence-initial "However" for "But" is listed too.
    however = _score("However the council met. However the vote failed. However the mayor left.")
    assert [(p.text, p.likely_original, p.count) for p in however.phrases] == [
        ("However", "But", 3)
    ]
    for verdict_text in (FLOOD, MUSEUM, WIRE_FLOOD, SPUN_FLOOD, SPUN_MUSEUM):
        found = _score(verdict_text)
        assert found.verdict == "original" or found.phrases


def test_proceeds_the_noun_is_not_proceed_the_verb() -> None:
    # A business story about the proceeds of a sale uses "proceeds" as a noun, over and over:
    # that is not a spinner's "proceeds" for "continues".
    story = (
        "The company said the proceeds of the sale would go to paying down debt. Net proceeds "
        "came to $40 million, and the proceeds from a second offering will follow, it said. "
        "Analysts said the sale proceeds were in line with forecasts. "
    ) * 3 + MUSEUM
    result = _score(story)
    assert "proceed" not in {m.spun_form for m in result.evidence.marker_counts}
    assert "proceeds" not in {p.text for p in result.phrases}
    verb = "The trial proceeds on Monday. " * 3 + MUSEUM
    assert "proceed" in {m.spun_form for m in _score(verb).evidence.marker_counts}


def test_matching_is_case_aware_and_whole_word() -> None:
    genuine = (
        "The senator flew home on Friday. She said the White House had called her at home, "
        "and that Home Depot would reopen. Officials said the court docket showed no filing."
    )
    phrases = {p.text for p in _score(genuine).phrases}
    assert "White Home" not in phrases
    assert not {p for p in phrases if "home" in p.casefold()}
    spun = "Officers stated the White Home and the white home differ; Homeland Safety agreed."
    found = {p.text: p.likely_original for p in _score(spun).phrases}
    assert found["White Home"] == "White House"
    assert found["Homeland Safety"] == "Homeland Security"
    assert "white home" not in found


def test_sentence_initial_lowercase_entry_matches() -> None:
    found = {p.text for p in _score("Tons of of hundreds fled. The court docket agreed.").phrases}
    assert {"Tons of of hundreds", "court docket"} <= found


def test_article_mismatch_is_reported_without_an_original() -> None:
    result = _score(
        "He said it was a optimistic outcome and an settlement would follow in an hour."
    )
    texts = {p.text: p.likely_original for p in result.phrases}
    assert texts["a optimistic"] is None
    assert "an hour" not in texts


def test_non_english_text_is_not_assessed() -> None:
    text = "O presidente disse que a economia vai crescer e que o governo tem um plano. " * 5
    result = _score(text)
    assert not result.evidence.is_assessed
    assert result.verdict == "original"


def test_scoring_is_deterministic_and_bounded() -> None:
    first, second = _score(SPUN_FLOOD), _score(SPUN_FLOOD)
    assert first == second
    for text in ("", "   ", FLOOD, SPUN_FLOOD):
        assert 0.0 <= _score(text).score <= 1.0


def test_verdict_thresholds() -> None:
    assert verdict_for(0.0) == "original"
    assert verdict_for(0.5) == "suspect"
    assert verdict_for(0.95) == "spun"
