"""Entities on text written for these tests (patterns, not the seed files)."""

from __future__ import annotations

from generator.ingest.entities import extract_entities

TEXT = """LISBON — Prime Minister Ana Duarte met Mr. Okafor, the Nigerian trade envoy, on Tuesday at the \
Ministry of Finance, her office said. Ms. Duarte later visited the University of Coimbra.

“We are close to a deal,” said Tomás Ferreira, director of the Portuguese Chamber of Commerce. \
Mr. Ferreira added that exporters in Brazil and Angola were watching. Secretary of State Lena K. Morrow \
spoke by phone from Washington, and the European Commission welcomed the talks.

Still, Duarte warned that the Lisbon Port Authority needed money. Mrs. Ferreíra Lopes, a retired teacher, \
disagreed."""


def test_people_are_found_with_titles_appositives_and_given_names() -> None:
    entities = extract_entities(TEXT)
    assert entities.people[:4] == ("Ana Duarte", "Okafor", "Tomás Ferreira", "Lena K. Morrow")
    assert "Ferreíra Lopes" in entities.people
    assert "Still" not in " ".join(entities.people)


def test_short_forms_resolve_to_the_full_name_in_the_article() -> None:
    entities = extract_entities(TEXT)
    names = [m.name for m in entities.mentions if m.kind == "person"]
    assert names.count("Ana Duarte") == 3  # 'Prime Minister Ana Duarte', 'Ms. Duarte', 'Duarte'
    assert names.count("Tomás Ferreira") == 2


def test_organizations_and_places() -> None:
    entities = extract_entities(TEXT)
    assert set(entities.organizations) >= {
        "Ministry of Finance",
        "University of Coimbra",
        "Portuguese Chamber of Commerce",
        "European Commission",
        "Lisbon Port Authority",
    }
    assert set(entities.places) >= {"Lisbon", "Brazil", "Angola", "Washington"}
    assert "Coimbra" not in entities.places  # part of an organization's name here


def test_accents_and_aliases_are_canonical() -> None:
    text = (
        "President José Ñúñez spoke in México. Mr. Nunez said the U.S. had agreed, as had the U.N."
    )
    entities = extract_entities(text)
    assert entities.people == ("José Ñúñez",)
    assert entities.places == ("Mexico", "United States")
    assert entities.organizations == ("United Nations",)
