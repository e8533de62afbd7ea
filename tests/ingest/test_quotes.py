"""Quote attribution on patterns written for these tests; a wrong speaker is worse than none."""

from __future__ import annotations

from generator.ingest.entities import extract_entities
from generator.ingest.quotes import extract_quotes

TEXT = """Governor Maria Lindqvist said the state “cannot wait another winter” for the new dam.

“We have the money and we have the plans,” said Peter Oduya, the head of the regional water board. \
“What we need now is a decision.”

Mr. Oduya said on Friday that the board would vote next month.

“There is no reason to delay,” he said. "The river will not wait for us."

“It is a fair question,” one engineer said, asking not to be named.

The plan, according to Ms. Lindqvist, is “the largest investment in a generation.”

Critics called it a “white elephant” and said “nobody asked the farmers.”"""


def _speakers() -> list[tuple[str, str | None]]:
    entities = extract_entities(TEXT)
    return [(q.text, q.speaker) for q in extract_quotes(TEXT, entities)]


def test_speakers_from_verbs_appositives_continuations_and_pronouns() -> None:
    assert _speakers() == [
        ("cannot wait another winter", "Maria Lindqvist"),
        ("We have the money and we have the plans", "Peter Oduya"),
        ("What we need now is a decision.", "Peter Oduya"),
        ("There is no reason to delay", "Peter Oduya"),
        ("The river will not wait for us.", "Peter Oduya"),
        ("It is a fair question", None),
        ("the largest investment in a generation.", "Maria Lindqvist"),
        ("white elephant", None),
        ("nobody asked the farmers.", None),
    ]
