"""Wire and newspaper patterns (issue 22), each on text written for these tests, not the stories
that showed the defect: datelines, headlines, credits, names, organisations, places, Latin-1."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from generator.ingest.clean import clean_text
from generator.ingest.entities import extract_entities
from generator.ingest.extract import extract_article, find_dateline
from generator.ingest.quotes import extract_quotes
from generator.ingest.read import decode_bytes
from generator.models import RawDocument, SourceMeta

HERE = Path("story.txt")


def _dateline(lede: str) -> str | None:
    return find_dateline(clean_text(f"Headline of the story\n\n{lede}\n", HERE).paragraphs)


def test_dateline_with_state_and_date_is_read() -> None:
    assert _dateline("PORTLAND, Maine, Oct 5 - A storm hit the coast on Friday.") == "PORTLAND"
    assert _dateline("AUSTIN, Texas, March 12 - Lawmakers met on Monday.") == "AUSTIN"
    assert _dateline("LONDON, Aug 24 (Reuters) - Shares fell on Monday.") == "LONDON"


def test_upper_case_dateline_city_becomes_the_place_as_spelt() -> None:
    for lede, place in (
        ("NEW YORK, Oct 5 - Stocks rose on Friday.", "New York"),
        ("SAN FRANCISCO, Oct 5 - Rents rose again.", "San Francisco"),
        ("LOS ANGELES (AP) — The fires spread overnight.", "Los Angeles"),
        ("PORT MORESBY, June 2 - The vote was delayed.", "Port Moresby"),
    ):
        text = f"Headline of the story\n\n{lede}\n"
        raw = RawDocument(HERE, "story.txt", "txt", text, "0" * 64, "utf-8")
        article = extract_article(raw, clean_text(text, HERE), SourceMeta(), summary_words=20)
        assert article.places[0] == place
        assert not any(word.isupper() for p in article.places for word in p.split())


def test_wire_story_with_indented_hard_wrapped_paragraphs() -> None:
    text = (
        "BARGE RATES FALL AT MIDWEST TERMINALS\n\n"
        "    ST. LOUIS, March 4 - Barge freight rates on the upper\n"
        "Mississippi fell again this week, Harbour River Lines Inc <HRL> said.\n"
        "    Rates were quoted at 120 pct of tariff, said Tom Reilly, a broker.\n Reuter\n"
    )
    raw = RawDocument(HERE, "story.txt", "txt", text, "0" * 64, "utf-8")
    article = extract_article(raw, clean_text(text, HERE), SourceMeta(), summary_words=20)
    assert article.title == "BARGE RATES FALL AT MIDWEST TERMINALS"
    assert article.dateline == "ST. LOUIS"
    assert article.places[0] == "St. Louis"
    assert article.organizations == ("Harbour River Lines Inc",)  # not 'ST', not the ticker
    assert article.people == ("Tom Reilly",)


def test_all_caps_headline_with_a_dash_is_the_title_not_a_dateline() -> None:
    for headline in (
        "SOCCER - SCOTTISH CUP SEMI-FINAL RESULTS",
        "MARKET WATCH -- BOND PRICES EASE",
    ):
        clean = clean_text(
            f"{headline}\n\nGLASGOW, April 3 - Results of matches on Saturday.\n", HERE
        )
        assert clean.title_line == headline
        assert find_dateline(clean.paragraphs) == "GLASGOW"


def test_headline_naming_two_companies_with_a_slash_is_not_a_photo_credit() -> None:
    clean = clean_text(
        "ACME/GLOBEX MERGER TALKS END\n\nLONDON, May 2 - Acme said talks ended.\n", HERE
    )
    assert clean.title_line == "ACME/GLOBEX MERGER TALKS END"
    assert clean.photo_credits == ()
    credit = clean_text("Title here\n\nText of the story goes on here.\n\nJANE DOE / AFP\n", HERE)
    assert credit.photo_credits == ("JANE DOE / AFP",)


def test_headline_ending_in_an_abbreviation_is_a_title_and_the_date_under_it_is_read() -> None:
    clean = clean_text(
        "FARM EXPORTS RISE TO U.S.\n\nApril 6, 1987\n\nCHICAGO, April 6 - Exports rose again.\n",
        HERE,
    )
    assert clean.title_line == "FARM EXPORTS RISE TO U.S."
    assert clean.stated_date == "1987-04-06"
    company = clean_text("DIVIDEND SET BY HARBOUR HOLDINGS INC.\n\nTORONTO, May 1 - Text.\n", HERE)
    assert company.title_line == "DIVIDEND SET BY HARBOUR HOLDINGS INC."


def test_british_titles_without_full_stop_merge_with_the_full_name() -> None:
    text = (
        "Prime Minister Gordon Brown met Ms Harman on Monday. Mr Brown said the talks went well, "
        "and Ms Harriet Harman agreed. Dr Patel, the chief medical officer, said little."
    )
    entities = extract_entities(text)
    assert "Gordon Brown" in entities.people and "Mr Brown" not in entities.people
    assert "Harriet Harman" in entities.people and "Ms Harman" not in entities.people
    assert not any(name.startswith(("Mr ", "Ms ", "Dr ")) for name in entities.people)


def test_titles_are_stripped_from_names() -> None:
    text = (
        "US Attorney Mary Kowalczyk filed the charges. State Senator Paul Reyes and Chief Inspector "
        "Dana Whitfield said the inquiry would continue."
    )
    people = extract_entities(text).people
    assert {"Mary Kowalczyk", "Paul Reyes", "Dana Whitfield"} <= set(people)
    assert not any(word in name for name in people for word in ("Attorney", "Senator", "Inspector"))


def test_companies_and_institutions_are_organisations_not_people() -> None:
    text = (
        "Shares of Harlow Brandt & Co Inc fell after Harlow Brandt said in a statement that profits "
        "would drop. The Treasury said it was watching, and the Assembly voted to hold hearings. "
        "A Corvell Mining spokeswoman declined to comment."
    )
    entities = extract_entities(text)
    assert entities.people == ()
    assert "Harlow Brandt & Co Inc" in entities.organizations
    assert {"Treasury", "Assembly", "Corvell Mining"} <= set(entities.organizations)


def test_organisations_by_their_shape_and_acronyms_defined_in_brackets() -> None:
    text = (
        "The Northern Rivers Water Authority (NRWA) and the Federation of Small Growers met. "
        "NRWA officials said the European Community had funded the study."
    )
    entities = extract_entities(text)
    assert "Northern Rivers Water Authority" in entities.organizations
    assert "Federation of Small Growers" in entities.organizations
    assert "European Community" in entities.organizations
    assert "NRWA" not in entities.organizations  # the acronym is the authority, listed once


def test_sports_clubs_are_not_places() -> None:
    text = "Manchester United beat Leeds United 2-1, and Real Madrid drew with Bayern Munich."
    entities = extract_entities(text)
    assert not {"Manchester", "Leeds", "Madrid", "Munich"} & set(entities.places)
    assert {"Manchester United", "Real Madrid"} <= set(entities.organizations)


def test_a_place_name_inside_a_person_or_facility_name_is_not_a_place() -> None:
    text = (
        "Sofia Park said the school would reopen. The concert moved to Victoria Park, "
        "and Paris Hilton did not attend."
    )
    places = extract_entities(text).places
    assert "Sofia" not in places and "Paris" not in places and "Victoria" not in places


def test_nationality_before_a_name_is_not_part_of_it() -> None:
    people = extract_entities(
        "Australian Lleyton Hewitt beat Juan Carlos Ferrero. “Good,” said Hewitt."
    ).people
    assert people == ("Lleyton Hewitt", "Juan Carlos Ferrero")


def test_latin1_file_with_one_pound_sign_is_not_broken_utf8() -> None:
    data = "Profits rose to £15.8m last year, the company said.\n".encode("latin-1")
    text, encoding = decode_bytes(data, HERE)
    assert "£15.8m" in text and "\ufffd" not in text
    assert encoding == "cp1252"
    broken = "Café prices rose by 4 per cent this year. ".encode() + b"\xff\n"
    assert decode_bytes(broken, HERE)[1] == "utf-8 (invalid bytes replaced)"


_WORDS = [
    "Mr",
    "Ms.",
    "Dr",
    "President",
    "Foreign",
    "Office",
    "Minister",
    "Tobias",
    "Ellwood",
    "said",
    "SECRETARY",
    "KERRY",
    "Australian",
    "Gulf",
    "of",
    "Aden",
    "the",
    "and",
    "&",
    "Co",
    "Inc",
    "(",
    ")",
    "CFE",
    "UN",
    "Sofia",
    "Park",
    "Manchester",
    "United",
    "3rd",
    "Battalion",
    "“",
    "”",
    '"',
    ",",
    ".",
    "\n\n",
    "he",
    "she",
    "al-Qaida",
    "J.D.",
    "NEW",
    "YORK",
    "-",
    "Paris",
    "Day",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_WORDS), max_size=60))
def test_entities_and_quotes_never_raise_on_name_like_text(words: list[str]) -> None:
    text = " ".join(words)
    entities = extract_entities(text)
    for mention in entities.mentions:
        assert 0 <= mention.start <= mention.end <= len(text)
    extract_quotes(text, entities)


def test_days_nationalities_and_numbered_groups_are_not_people() -> None:
    text = (
        "Officials stated Thursday that visas for Ecuadorians, who arrive by air, would change. "
        "The Group of 20 met in Northern Iraq, and J. Okoro, an engineer, attended."
    )
    entities = extract_entities(text)
    assert entities.people == ("J. Okoro",)
    assert entities.organizations == ("Group of 20",)
    assert entities.places == ("Northern Iraq",)


def test_dateline_line_stamped_with_the_date() -> None:
    for line, place in (
        ("LONDON 1996-08-30", "LONDON"),
        ("AL-AIN, United Arab Emirates 1996-12-06", "AL-AIN"),
    ):
        text = (
            f"SOCCER - LEADERS DRAW AT HOME\n\n{line}\n\nThe leaders drew 1-1 at home on Friday.\n"
        )
        raw = RawDocument(HERE, "story.txt", "txt", text, "0" * 64, "utf-8")
        article = extract_article(raw, clean_text(text, HERE), SourceMeta(), summary_words=20)
        assert article.title == "SOCCER - LEADERS DRAW AT HOME"
        assert article.dateline == place
    untitled = (
        "LONDON 1996-08-30\n\nThe leaders drew 1-1 at home on Friday against the champions.\n"
    )
    raw = RawDocument(HERE, "story.txt", "txt", untitled, "0" * 64, "utf-8")
    article = extract_article(raw, clean_text(untitled, HERE), SourceMeta(), summary_words=20)
    assert article.title.startswith("The leaders drew")
