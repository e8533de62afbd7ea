"""The text cleaner on junk patterns seen in real scrapes (cases written here, not taken from seeds)."""

from __future__ import annotations

import re
from pathlib import Path

from generator.ingest.clean import clean_text

P1 = "The county board approved the new water treatment plant on Tuesday after a two-hour debate."
P2 = "Supporters said the plant would cut boil-water notices, which hit 4,000 homes last summer."
P3 = "The first phase is due to open in 2026, according to the county's public works director."


def _clean(text: str):
    return clean_text(text, Path("case.txt"))


def _kinds(result) -> list[str]:
    return [r.kind for r in result.removed]


def _non_ws(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _accounts_for_everything(source: str, result) -> bool:
    """Every non-whitespace character of the input is in the title, the body or a removed span."""
    pieces = [result.title_line or "", *result.paragraphs, *(r.text for r in result.removed)]
    return sorted(_non_ws(source)) == sorted(_non_ws("".join(pieces)))


def test_headline_byline_and_date_lines_are_taken_out_of_the_body() -> None:
    text = f"Water Plant Wins Approval\n\nBy Dana Whitfield and Omar Quist\nPublished March 14, 2024\n\n{P1}\n\n{P2}"
    result = _clean(text)
    assert result.title_line == "Water Plant Wins Approval"
    assert result.authors == ("Dana Whitfield", "Omar Quist")
    assert result.stated_date == "2024-03-14"
    assert result.paragraphs == (P1, P2)
    assert [r.reason for r in result.removed] == [
        "byline; names recorded in authors",
        "publication date line; recorded in date",
    ]
    assert _accounts_for_everything(text, result)


def test_comment_form_and_glued_spam_tail_are_removed_separately() -> None:
    spam = "bonuscasinoslotgiris.comfreebetvip.netDeneme Bonusu superbahisgiriş1xbetgiris.orgcasinomaxi"
    text = f"{P1}\n\n{P2}\n\n{P3}\n\nLeave a comment\n\nYour email address will not be published. Required fields are marked * {spam}"
    result = _clean(text)
    assert result.paragraphs == (P1, P2, P3)
    assert _kinds(result) == ["comment-form", "spam"]
    assert result.removed[1].text == spam
    assert _accounts_for_everything(text, result)


def test_reader_comments_after_the_form_are_removed_but_not_before_it() -> None:
    text = (
        f"{P1}\n\n{P2}\n\n{P3}\n\nLeave a Reply\nName *\nEmail *\nPost Comment\n"
        "Marta K. says:\nThis plant is a waste of money and everyone knows it.\nReply"
    )
    result = _clean(text)
    assert result.paragraphs == (P1, P2, P3)
    assert "comments" in _kinds(result) and "comment-form" in _kinds(result)


def test_share_row_newsletter_box_ad_and_related_list() -> None:
    text = "\n".join(
        [
            "Share this:",
            "Facebook",
            "Twitter",
            "WhatsApp",
            P1,
            "Advertisement",
            P2,
            "Sign up for our Evening Digest newsletter",
            "Enter your email address",
            "Subscribe",
            P3,
            "Related posts:",
            "County raises water rates for 2025",
            "New reservoir opens to boaters",
            "© 2024 The Lakeside Ledger. All rights reserved.",
        ]
    )
    result = _clean(text)
    assert result.paragraphs == (P1, P2, P3)
    assert _kinds(result) == [
        "share-widget",
        "advertisement",
        "newsletter",
        "related-links",
        "copyright",
    ]
    assert _accounts_for_everything(text, result)


def test_cookie_notice_and_navigation_lines() -> None:
    text = f"Skip to content\nHome > News > County\n{P1}\nThis website uses cookies to give you the best experience.\n{P2}"
    result = _clean(text)
    assert result.paragraphs == (P1, P2)
    assert [(r.kind, r.reason) for r in result.removed] == [
        ("navigation", "navigation"),
        ("boilerplate", "cookie notice"),
    ]


def test_photo_credit_lines_in_several_styles() -> None:
    text = "\n".join(
        [
            P1,
            "MARIA OLSEN / AFP",
            P2,
            "Photo: Tom Reyes/Getty Images",
            P3,
            "(Photograph by Lena Ford for The Ledger)",
        ]
    )
    result = _clean(text)
    assert result.paragraphs == (P1, P2, P3)
    assert result.photo_credits == (
        "MARIA OLSEN / AFP",
        "Tom Reyes/Getty Images",
        "Lena Ford for The Ledger",
    )
    assert _kinds(result) == ["photo-credit"] * 3


def test_wire_tail_and_contributor_line_names_go_to_contributors() -> None:
    text = (
        f"{P1}\n\n{P2}\n\n(Reporting by Ines Calder in Lisbon; Additional reporting by Raj Mehta; "
        "Editing by Paul Grier)\n\nAdditional reporting was contributed by Kim Osei in Accra and Lu Wen in Taipei."
    )
    result = _clean(text)
    assert result.paragraphs == (P1, P2)
    assert result.contributors == ("Ines Calder", "Raj Mehta", "Paul Grier", "Kim Osei", "Lu Wen")


def test_real_paragraphs_that_mention_junk_words_are_kept() -> None:
    paragraphs = [
        "The casino opened in 1998 and the county has collected bonus tax revenue from it ever since, officials said.",
        "Readers can share this story with friends, but the newsletter team said comments will stay closed.",
        "By the time the vote came, most residents had already left the meeting hall.",
        "Advertisement revenue at the paper fell by a third last year, its publisher said.",
    ]
    text = "Local Paper Faces Cuts\n\n" + "\n\n".join(paragraphs)
    result = _clean(text)
    assert result.paragraphs == tuple(paragraphs)
    assert result.removed == ()
    assert result.authors == ()


def test_one_paragraph_per_line_and_hard_wrapped_text() -> None:
    wrapped = "The county board approved the new\nwater treatment plant on Tuesday\nafter a two-hour debate."
    assert _clean(f"{P1}\n{P2}").paragraphs == (P1, P2)
    assert _clean(wrapped + "\n\n" + P2).paragraphs == (
        "The county board approved the new water treatment plant on Tuesday after a two-hour debate.",
        P2,
    )


def test_headline_is_not_taken_from_a_lede_sentence() -> None:
    text = f"{P1}\n{P2}"
    assert _clean(text).title_line is None


def test_long_single_line_of_text_is_handled_in_linear_time() -> None:
    line = ("word " * 200_000).strip()
    result = _clean(line)
    assert result.paragraphs == (line,)
