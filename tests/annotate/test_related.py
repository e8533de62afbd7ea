from __future__ import annotations

import random

import pytest

from generator.annotate import similarity
from generator.annotate.related import RelatedInput, related_articles
from tests.annotate.conftest import BRIDGE, FLOOD, INSPECTION, MUSEUM, SPUN_FLOOD, WIRE_FLOOD

SPORT = """The Northbridge Rovers beat Eastvale United 3-1 on Sunday to move to the top of the league,
with two goals from the striker Kwame Mensah in the second half. The coach, Erik Larsen, praised the
defence after a difficult month in which the club lost three matches and its captain to injury."""

MARKETS = """Stocks fell on Monday as investors weighed higher bond yields and weaker earnings from
retailers. The benchmark index dropped 1.2 percent, its worst day in a month, while oil prices rose
after producers signalled further cuts to output. Analysts expect volatility to continue."""


# The names ingest finds in the two bridge reports (people, organizations, places).
BRIDGE_NAMES = (
    "Ingrid Solberg",
    "Tomas Berg",
    "Anna Holm",
    "Halden Roads Agency",
    "Norwegian Public Roads Administration",
    "Halden",
)


def test_a_later_report_on_the_same_story_is_related() -> None:
    items = [
        RelatedInput("bridge", BRIDGE),
        RelatedInput("inspection", INSPECTION),
        RelatedInput("flood", FLOOD),
        RelatedInput("museum", MUSEUM),
        RelatedInput("sport", SPORT),
        RelatedInput("markets", MARKETS),
    ]
    related = related_articles(items)
    assert related["inspection"][0] == "bridge"
    assert related["bridge"][0] == "inspection"
    assert "bridge" not in related["museum"] and "bridge" not in related["sport"]


def test_entities_keep_the_pair_related() -> None:
    items = [
        RelatedInput("bridge", BRIDGE, BRIDGE_NAMES),
        RelatedInput("inspection", INSPECTION, BRIDGE_NAMES[:5]),
        RelatedInput("museum", MUSEUM, ("Priya Raman", "Harbor Museum", "Port Ellis")),
    ]
    related = related_articles(items)
    assert related["inspection"] == ("bridge",) and related["bridge"] == ("inspection",)
    assert related["museum"] == ()


def test_shared_entities_weigh_more_than_shared_words() -> None:
    # The two stories share a few generic words (city, million, state): not related on words.
    apart = [
        RelatedInput("flood", FLOOD, ("Riverton", "Linda Okafor")),
        RelatedInput("museum", MUSEUM, ("Port Ellis", "Priya Raman")),
        RelatedInput("sport", SPORT),
    ]
    assert related_articles(apart)["flood"] == ()
    # The same two stories naming the same mayor and town are.
    together = [
        RelatedInput("flood", FLOOD, ("Riverton", "Linda Okafor")),
        RelatedInput("museum", MUSEUM, ("Riverton", "Linda Okafor", "Priya Raman")),
        RelatedInput("sport", SPORT),
    ]
    assert related_articles(together)["flood"] == ("museum",)
    # Accents and case do not split a name.
    accents = [
        RelatedInput("flood", FLOOD, ("RIVERTON", "Linda Okáfor")),
        RelatedInput("museum", MUSEUM, ("Riverton", "linda okafor")),
    ]
    assert related_articles(accents)["flood"] == ("museum",)


def test_names_weigh_only_with_enough_text_and_names() -> None:
    # One-sentence items (a headline and a summary): the names are among the few words already,
    # and a shared place must not outrank a story on the same subject.
    oil = (
        "Oil prices climb as Texas output falls. Crude oil rose to a record in New York trading "
        "after storms shut Texas refineries, cutting fuel output across the United States."
    )
    crude = (
        "Crude oil prices jump on supply fears. Oil rose sharply in London after OPEC said "
        "members would cut output, adding to fears of a fuel shortage before winter."
    )
    baseball = (
        "Rangers beat Yankees in extra innings. Texas won in New York on a late home run, the "
        "first extra-innings win of the season for a club from Texas in the United States."
    )
    places = ("Texas", "New York", "United States")
    items = [
        RelatedInput("oil", oil, places),
        RelatedInput("crude", crude, ("London", "OPEC")),
        RelatedInput("baseball", baseball, places),
        RelatedInput("flood", FLOOD),
        RelatedInput("museum", MUSEUM),
        RelatedInput("sport", SPORT),
    ]
    assert related_articles(items, limit=2)["oil"] == ("crude", "baseball")
    # One name shared by two full stories is no evidence either: with one name, the names'
    # cosine is all or nothing on that match.
    one = [
        RelatedInput("flood", FLOOD, ("Riverton",)),
        RelatedInput("museum", MUSEUM, ("Riverton", "Priya Raman")),
        RelatedInput("sport", SPORT),
    ]
    assert related_articles(one)["flood"] == ()


def test_unrelated_articles_get_nothing() -> None:
    items = [
        RelatedInput("flood", FLOOD),
        RelatedInput("museum", MUSEUM),
        RelatedInput("sport", SPORT),
    ]
    assert related_articles(items) == {"flood": (), "museum": (), "sport": ()}


def test_copies_of_a_story_are_related_best_first() -> None:
    items = [
        RelatedInput("flood", FLOOD, ("Linda Okafor", "Riverton")),
        RelatedInput("wire", WIRE_FLOOD, ("Linda Okafor", "Riverton")),
        RelatedInput("spun", SPUN_FLOOD, ("Linda Okafor", "Riverton")),
        RelatedInput("museum", MUSEUM, ("Priya Raman", "Port Ellis")),
    ]
    related = related_articles(items, limit=1)
    assert related["flood"] == ("wire",)
    assert related_articles(items)["spun"][0] in ("flood", "wire")
    assert related["museum"] == ()


def test_duplicate_slugs_are_rejected() -> None:
    with pytest.raises(ValueError, match="duplicate slugs"):
        related_articles([RelatedInput("a", FLOOD), RelatedInput("a", MUSEUM)])


def test_large_archive_uses_the_index_and_stays_deterministic() -> None:
    # 1,500 synthetic articles over 50 topics: each article's related slugs share its topic.
    # Digits split words, so every article has the same words ("topic", "word", "common"): only
    # the names (two a topic, with enough text for them to be blended in) tell the topics apart.
    rng = random.Random(7)
    topics = [[f"topic{t}word{i}" for i in range(12)] for t in range(50)]
    common = [f"common{i}" for i in range(300)]
    items = []
    for n in range(1500):
        topic = n % 50
        words = rng.sample(topics[topic], 6) + rng.sample(common, 60)
        names = (f"Person {topic}", f"Place {topic}")
        items.append(RelatedInput(f"a{n:04d}", " ".join(words), names))
    first = related_articles(items, limit=3)
    assert first == related_articles(items, limit=3)
    for slug, others in first.items():
        assert len(others) == 3
        assert all(int(o[1:]) % 50 == int(slug[1:]) % 50 for o in others)


def _word(prefix: str, number: int) -> str:
    """A made-up word of letters only (digits split words): prefix, then number in base 26."""
    letters = ""
    while True:
        number, digit = divmod(number, 26)
        letters = chr(ord("a") + digit) + letters
        if not number:
            return prefix + letters


def test_every_article_that_resembles_another_gets_a_list(monkeypatch: pytest.MonkeyPatch) -> None:
    # 120 articles on 40 topics; "lonely" shares only words that are in most of the archive
    # (left out of the product), "alone" shares nothing. The first used to get no list at all.
    monkeypatch.setattr(similarity, "_MIN_DF_CAP", 2)
    rng = random.Random(3)
    common = [_word("common", i) for i in range(8)]
    items = []
    for n in range(120):
        topic = [_word(f"topic{_word('', n % 40)}w", i) for i in range(6)]
        own = [_word(f"own{_word('', n)}w", i) for i in range(20)]
        items.append(RelatedInput(f"a{n:03d}", " ".join(topic + rng.sample(common, 6) + own)))
    lonely = " ".join(common * 3 + [_word("lonely", 0)])
    alone = " ".join(_word("alone", i) for i in range(30))
    items += [RelatedInput("lonely", lonely), RelatedInput("alone", alone)]
    related = related_articles(items)
    assert len(related["lonely"]) == 5
    assert related["alone"] == ()
    assert all(len(related[f"a{n:03d}"]) >= 2 for n in range(120))
    assert sorted(related["a007"][:2]) == ["a047", "a087"]  # its topic's, first
