"""Record validation: the compiled fast check accepts exactly what jsonschema accepts."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.boundary import is_valid as _is_valid
from generator.boundary import validator as _validator
from generator.errors import ArticleError
from generator.render.load import load_article

VALID: dict[str, Any] = {
    "title": "Harbour wall opens",
    "title_source": "extracted",
    "slug": "harbour-wall-opens",
    "date": "2024-05-02",
    "authors": ["Ana Lima"],
    "contributors": [],
    "photo_credits": [],
    "people": ["Ana Lima"],
    "quotes": [{"text": "It holds.", "speaker": "Ana Lima"}],
    "source": {"path": "harbour.txt", "sha256": "a" * 64, "format": "txt"},
    "removed": [{"kind": "share-widget", "text": "Share this", "reason": "share row"}],
    "spin": {"score": 0.1, "verdict": "original", "phrases": []},
    "word_count": 120,
}
# Values a hand edit or a damaged file might put anywhere.
ODD = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=8),
    st.just("Not-A-Slug!"),
    st.just(""),
    st.lists(st.text(max_size=4), max_size=3),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(
        st.sampled_from(["text", "speaker", "kind", "x"]), st.text(max_size=4), max_size=3
    ),
)


def _agree(data: dict[str, Any]) -> None:
    slow = not list(_validator().iter_errors(data))
    assert _is_valid()(data) == slow, data


def test_a_valid_record_passes_both() -> None:
    _agree(VALID)
    assert _is_valid()(VALID)


@settings(max_examples=400, deadline=None)
@given(
    key=st.sampled_from([*sorted(VALID), "extra_key"]),
    value=ODD,
    drop=st.booleans(),
)
def test_both_checks_agree_on_mutated_records(key: str, value: Any, drop: bool) -> None:
    data = copy.deepcopy(VALID)
    if drop:
        data.pop(key, None)
    else:
        data[key] = value
    _agree(data)


@settings(max_examples=200, deadline=None)
@given(
    field=st.sampled_from(["quotes", "removed", "source", "spin"]),
    inner=st.sampled_from(
        [
            "text",
            "speaker",
            "kind",
            "reason",
            "path",
            "sha256",
            "format",
            "score",
            "verdict",
            "phrases",
        ]
    ),
    value=ODD,
)
def test_both_checks_agree_inside_nested_values(field: str, inner: str, value: Any) -> None:
    data = copy.deepcopy(VALID)
    target = data[field][0] if isinstance(data[field], list) else data[field]
    target[inner] = value
    _agree(data)


def test_a_record_that_fails_is_reported_with_jsonschemas_words(tmp_path: Path) -> None:
    path = tmp_path / "bad.md"
    path.write_text("---\ntitle: Fine\nslug: Not A Slug\n---\nBody.\n", encoding="utf-8")
    with pytest.raises(ArticleError, match=r"slug: 'Not A Slug' does not match"):
        load_article(path, tmp_path)
