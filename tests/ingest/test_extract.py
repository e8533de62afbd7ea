from __future__ import annotations

from pathlib import Path

from generator.ingest.clean import clean_text
from generator.ingest.dates import normalize_date, parse_date, parse_filename_date
from generator.ingest.extract import (
    extract_article,
    find_dateline,
    first_sentence,
    infer_title,
    slugify,
)
from generator.models import RawDocument, SourceMeta


def _raw(text: str, name: str = "story.txt", sidecar: SourceMeta | None = None) -> RawDocument:
    return RawDocument(
        source=Path(name),
        rel_path=name,
        format="txt",
        text=text,
        sha256="0" * 64,
        encoding="utf-8",
        sidecar=sidecar or SourceMeta(),
    )


def test_dates_are_parsed_only_when_stated() -> None:
    assert parse_date("Published Nov. 6, 2024 at 11:42 p.m. ET") == "2024-11-06"
    assert parse_date("Thursday, 7 March 2024") == "2024-03-07"
    assert parse_date("Updated: 2024-02-06") == "2024-02-06"
    assert parse_date("February 30, 2024") is None
    assert parse_date("the meeting ran long") is None
    assert normalize_date("2024-03-14T09:30:00Z") == "2024-03-14T09:30:00+00:00"
    assert parse_filename_date("2023-05-02-council.txt") == "2023-05-02"
    assert parse_filename_date("000_d2b7a593c18f1d68.txt") is None


def test_first_sentence_is_not_fooled_by_abbreviations() -> None:
    text = "Mr. Ruiz met U.S. officials in St. Louis on Friday. He left on Saturday."
    assert first_sentence(text) == "Mr. Ruiz met U.S. officials in St. Louis on Friday."


def test_inferred_title_comes_from_the_lede_and_is_bounded() -> None:
    short = (
        "VALPARAÍSO, Chile — Dockworkers ended a nine-day strike on Sunday. Ships began unloading.",
    )
    assert infer_title(short) == "Dockworkers ended a nine-day strike on Sunday"
    long_lede = (
        "The regional transport authority said on Wednesday that it would postpone the planned fare "
        "increase until the autumn because of a shortfall in the number of new electric buses delivered.",
    )
    title = infer_title(long_lede)
    assert title.endswith("…") and len(title) <= 91


def test_dateline_forms() -> None:
    assert find_dateline(("MEXICO CITY — The talks began.",)) == "MEXICO CITY"
    assert find_dateline(("ROTTERDAM, Netherlands — Water rose.",)) == "ROTTERDAM"
    assert find_dateline(("WASHINGTON (Reuters) - Lawmakers met.",)) == "WASHINGTON"
    assert find_dateline(("The mayor — a former teacher — spoke.",)) is None


def test_slugify_is_safe_for_hostile_titles() -> None:
    assert (
        slugify('Council says "no" to <script> & ../../etc/passwd')
        == "council-says-no-to-script-etc-passwd"
    )
    assert slugify("../..") == "article"
    assert slugify("Señora López gana") == "senora-lopez-gana"


def test_extract_article_prefers_sidecar_then_text() -> None:
    text = "Harbour Wall Finished\n\nBy Ada Strom\nPublished May 2, 2024\n\nBERGEN — The wall was finished on time, officials said."
    clean = clean_text(text, Path("story.txt"))
    article = extract_article(_raw(text), clean, SourceMeta(), summary_words=5)
    assert (article.title, article.title_source, article.date, article.date_source) == (
        "Harbour Wall Finished",
        "extracted",
        "2024-05-02",
        "text",
    )
    assert article.authors == ("Ada Strom",) and article.dateline == "BERGEN"
    assert article.summary == "BERGEN — The wall was…"
    sidecar = SourceMeta(title="Wall done", date="2024-05-01", date_source="sidecar")
    article = extract_article(_raw(text, sidecar=sidecar), clean, SourceMeta(), summary_words=5)
    assert (article.title, article.title_source, article.date, article.date_source) == (
        "Wall done",
        "metadata",
        "2024-05-01",
        "sidecar",
    )


def test_markdown_looking_lines_in_text_stay_literal() -> None:
    text = "Scores Announced\n\n# 1 seed Lakeside beat the visitors 3-0 on a cold night at home.\n\n- a dash line that opens a paragraph."
    clean = clean_text(text, Path("s.txt"))
    article = extract_article(_raw(text), clean, SourceMeta(), summary_words=50)
    assert article.body.startswith("\\# 1 seed")
    assert "\\- a dash line" in article.body
