"""The record boundary: plain types, clean text, bounded spans, real ISO dates."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import lxml.html
import pytest

from generator.boundary import (
    MAX_REMOVED_CHARS,
    MAX_SPAN_CHARS,
    RecordValueError,
    bounded_removed,
    clean_text,
    iso_date,
    plain,
)
from generator.ingest.write import record_mapping
from generator.models import Article, Removal, SourceRef

SOURCE = SourceRef("a.html", "0" * 64, "html")


def test_str_subclasses_and_tuples_become_plain_types() -> None:
    root = lxml.html.fromstring('<html><head><link rel="canonical" href="https://x.org/a">')
    href = root.xpath("//link/@href")[0]
    assert type(href) is not str  # lxml's _ElementUnicodeResult
    value = plain({"url": href, "names": ("a", "b"), 3: dt.date(2024, 1, 2), "n": True})
    assert value == {"url": "https://x.org/a", "names": ["a", "b"], "3": "2024-01-02", "n": True}
    assert type(value["url"]) is str and type(value["names"]) is list


def test_what_is_not_data_is_refused_with_the_field_named() -> None:
    with pytest.raises(RecordValueError, match=r"front matter.spin.score: bytes"):
        plain({"spin": {"score": b"1"}})
    with pytest.raises(RecordValueError, match="set is not plain data"):
        plain({"tags": {"a"}})


def test_text_keeps_no_character_a_page_cannot_hold() -> None:
    assert clean_text("We will\fdo it\x07\r\nnow\ud800\ufffe.") == "We will do it \nnow\ufffd ."
    assert clean_text("plain\ttext\nstays") == "plain\ttext\nstays"


def test_a_record_with_an_lxml_string_is_written_plain() -> None:
    root = lxml.html.fromstring('<html><head><link rel="canonical" href="https://x.org/a">')
    href = root.xpath("//link/@href")[0]
    article = Article(Path("a.html"), "Title", "title", "Body.", url=href, source=SOURCE)
    data, notes = record_mapping(article)
    assert type(data["url"]) is str and notes == ()


def test_removed_spans_are_bounded_and_the_cut_is_said() -> None:
    spans = [{"kind": "comments", "text": "word " * 2_000, "reason": "r"} for _ in range(200)]
    kept = bounded_removed(spans)
    assert sum(len(s["text"]) for s in kept) <= MAX_REMOVED_CHARS + 200 * 60
    assert all(len(s["text"]) <= MAX_SPAN_CHARS + 60 for s in kept)
    assert "more characters in the raw file]" in kept[0]["text"]
    assert kept[-1]["text"].endswith("characters, are in the raw file only]")
    removed = tuple(Removal("spam", "x" * 9_000, "r") for _ in range(3))
    article = Article(Path("a.txt"), "T", "t", "B.", source=SOURCE, removed=removed)
    assert len(record_mapping(article)[0]["removed"][0]["text"]) < 9_000


@pytest.mark.parametrize(
    ("value", "day"),
    [
        ("2024-02-29", "2024-02-29"),
        ("2024-02-03T10:00:00+02:00", "2024-02-03"),
        ("2024-02-03 10:00:00", "2024-02-03"),
        ("2024-02-03T10:00:00.123456Z", "2024-02-03"),
        ("2024-02-30", None),
        ("2023-02-29", None),
        ("2024-13-01", None),
        ("2024-01-01T25:00:00", None),
        ("../.", None),
        ("2024/01/01", None),
        ("2024-01-01/../..", None),
        ("2024-01-01\n", None),
        ("March 5, 2024", None),
        (2024, None),
    ],
)
def test_only_real_iso_dates_pass(value: object, day: str | None) -> None:
    assert iso_date(value) == day
