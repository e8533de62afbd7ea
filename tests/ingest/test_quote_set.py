"""Quote attribution on tests/data/quotes/: stories written for the project, 82 quotes covering
'said X', 'X, role, said', pronouns after a new person is introduced, a quote over two
paragraphs and split quotes. A wrong speaker is worse than none: none may be wrong."""

from __future__ import annotations

import json
from pathlib import Path

from generator.ingest.clean import clean_text
from generator.ingest.entities import extract_entities
from generator.ingest.quotes import extract_quotes

DATA = Path(__file__).resolve().parents[1] / "data" / "quotes"


def _judged() -> list[tuple[str, str, str | None, str | None]]:
    gold = json.loads((DATA / "gold.json").read_text(encoding="utf-8"))
    rows = []
    for name, expected in gold.items():
        if name.startswith("_"):
            continue
        clean = clean_text((DATA / name).read_text(encoding="utf-8"), DATA / name)
        plain = "\n\n".join(clean.paragraphs)
        quotes = extract_quotes(plain, extract_entities(plain))
        for first, speaker in expected:
            found = [q for q in quotes if q.text.startswith(first)]
            assert len(found) == 1, f"{name}: quote {first!r} found {len(found)} times"
            rows.append((name, first, speaker, found[0].speaker))
        assert len(quotes) == len(expected), f"{name}: narrative taken for a quote"
    return rows


def test_no_speaker_is_wrong_and_nine_in_ten_are_right() -> None:
    rows = _judged()
    assert len(rows) >= 60
    wrong = [r for r in rows if r[3] is not None and r[3] != r[2]]
    right = [r for r in rows if r[3] == r[2]]
    assert wrong == []
    assert len(right) / len(rows) >= 0.9, [r for r in rows if r[3] != r[2]]


def test_a_quote_over_two_paragraphs_is_one_quote_with_its_speaker() -> None:
    text = (DATA / "flood.txt").read_text(encoding="utf-8")
    plain = "\n\n".join(clean_text(text, DATA / "flood.txt").paragraphs)
    quotes = extract_quotes(plain, extract_entities(plain))
    long = next(q for q in quotes if q.text.startswith("Each time"))
    assert long.text.endswith("when the water comes in.")
    assert long.speaker == "Brian Cole"


def _speakers(text: str) -> list[str | None]:
    return [q.speaker for q in extract_quotes(text, extract_entities(text))]


def test_he_said_after_a_new_person_is_not_the_previous_speaker() -> None:
    text = (
        "“The figures are wrong,” said Anna Berg, the auditor.\n\n"
        "Peter Lund, the finance director, disagreed with her.\n\n"
        "“We checked every line,” he said."
    )
    assert _speakers(text) == ["Anna Berg", "Peter Lund"]
    # two new people, either of whom may be 'he': nobody is named rather than a guess
    ambiguous = text.replace("Peter Lund, the finance director,", "Peter Lund and Chris Ek")
    assert _speakers(ambiguous) == ["Anna Berg", None]


def test_said_surname_and_name_role_said() -> None:
    assert _speakers(
        "Marta Lindgren, the head of the port authority, said: “We are ready.”\n\n"
        "“It will be close,” said Okonkwo.\n\n"
        "“Nothing is settled,” Tomas Varga, a lawyer for the families, said on Monday."
    ) == ["Marta Lindgren", "Okonkwo", "Tomas Varga"]
