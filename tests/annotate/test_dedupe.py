from __future__ import annotations

import pytest

import generator.annotate.dedupe as dedupe
from generator.annotate.dedupe import (
    DuplicateIndex,
    DuplicateLink,
    Signature,
    compare,
    names_and_numbers,
    signature,
)
from generator.annotate.spin import load_lexicon, score_spin
from tests.annotate.conftest import FLOOD, MUSEUM, SPUN_FLOOD, SPUN_MUSEUM, WIRE_FLOOD


def _spin(text: str) -> float:
    return score_spin(text, load_lexicon()).score


def _index(texts: dict[str, str], dates: dict[str, str | None] | None = None) -> DuplicateIndex:
    index = DuplicateIndex()
    for key, text in texts.items():
        index.add(key, signature(text), _spin(text), (dates or {}).get(key))
    return index


def _relations(index: DuplicateIndex, key: str) -> dict[str, str]:
    return {link.slug: link.relation for link in index.links(key)}


def test_signature_is_deterministic_plain_data() -> None:
    first, second = signature(FLOOD), signature(FLOOD)
    assert first == second
    assert isinstance(first.text, bytes) and len(first.text) == dedupe.NUM_PERM * 4
    assert first.text_size > 300 and first.names_size >= dedupe.MIN_NAME_SHINGLES
    assert dedupe.signature_version() == dedupe.signature_version()


def test_names_sequence_keeps_names_and_numbers_not_ordinary_words() -> None:
    names = names_and_numbers(FLOOD)
    assert names[:5] == ("riverton", "riverton", "14.2", "willow", "creek")
    assert {"okafor", "2300", "1996", "tamsin"} <= set(names)
    assert not {"city", "council", "the", "people", "some"} & set(names)
    # The spinner rewrote words around the names, not the names themselves.
    assert {"okafor", "2300", "tamsin"} <= set(names_and_numbers(SPUN_FLOOD))


def test_spun_copy_links_to_its_original_through_the_names() -> None:
    index = _index({"flood": FLOOD, "flood-spun": SPUN_FLOOD, "museum": MUSEUM})
    (copy_link,) = index.links("flood-spun")
    assert copy_link.slug == "flood" and copy_link.relation == "spun-copy-of"
    assert copy_link.basis == "names" and copy_link.similarity >= dedupe.MATCH_NAMES
    assert _relations(index, "flood") == {"flood-spun": "original-of"}
    assert index.links("museum") == ()


def test_wire_copy_of_most_of_a_story_is_a_near_duplicate() -> None:
    index = _index(
        {"flood": FLOOD, "wire": WIRE_FLOOD}, {"flood": "2024-01-16", "wire": "2024-01-17"}
    )
    (link,) = index.links("wire")
    assert link == DuplicateLink("flood", link.similarity, "near-duplicate", "text")
    assert link.similarity >= 0.8  # most of the wire copy is in the original
    assert _relations(index, "flood") == {"wire": "near-duplicate"}


def test_unrelated_and_same_topic_articles_are_not_linked(seeds: dict[str, str]) -> None:
    # 000 and 003 are about related events (and related articles), not copies of each other.
    index = _index({"000": seeds["000"], "003": seeds["003"], "flood": FLOOD, "museum": MUSEUM})
    assert all(index.links(key) == () for key in ("000", "003", "flood", "museum"))
    assert compare(signature(seeds["000"]), signature(seeds["003"])) is None


def test_original_is_the_less_spun_then_the_earlier() -> None:
    sig = signature(MUSEUM)
    index = DuplicateIndex()
    index.add("later", sig, 0.0, "2024-05-02")
    index.add("undated", sig, 0.0, None)
    index.add("earlier", sig, 0.0, "2024-05-01")
    index.add("spun", signature(SPUN_MUSEUM), 0.99, "2020-01-01")
    assert _relations(index, "spun") == {
        "earlier": "spun-copy-of",
        "later": "spun-copy-of",
        "undated": "spun-copy-of",
    }
    assert _relations(index, "earlier")["spun"] == "original-of"
    # Two unspun copies are near-duplicates whichever came first.
    assert _relations(index, "later")["earlier"] == "near-duplicate"
    # A suspect copy still counts as a copy.
    index.add("suspect", sig, 0.5, "2023-01-01")
    assert _relations(index, "suspect")["earlier"] == "spun-copy-of"


def test_links_are_sorted_and_independent_of_insertion_order() -> None:
    texts = {"a": FLOOD, "b": WIRE_FLOOD, "c": SPUN_FLOOD, "d": MUSEUM}
    forward = _index(texts)
    backward = _index(dict(reversed(texts.items())))
    for key in texts:
        assert forward.links(key) == backward.links(key)
        sims = [link.similarity for link in forward.links(key)]
        assert sims == sorted(sims, reverse=True)


def test_incremental_add_hashes_only_the_new_article(monkeypatch: pytest.MonkeyPatch) -> None:
    index = _index({"flood": FLOOD, "museum": MUSEUM, "wire": WIRE_FLOOD})
    before = {key: index.signature_of(key) for key in ("flood", "museum", "wire")}
    museum_links = index.links("museum")
    new_signature = signature(SPUN_FLOOD)

    def no_hashing(items: set[bytes]) -> bytes:
        raise AssertionError("add() must not rehash stored articles")

    monkeypatch.setattr(dedupe, "_minhash", no_hashing)
    index.add("flood-spun", new_signature, _spin(SPUN_FLOOD))
    assert len(index) == 4
    for key, sig in before.items():
        assert index.signature_of(key) is sig
    assert index.links("museum") == museum_links
    assert "flood-spun" in _relations(index, "flood")


def test_re_adding_a_key_replaces_it_and_remove_forgets_links() -> None:
    index = _index({"flood": FLOOD, "wire": WIRE_FLOOD})
    index.add("wire", signature(MUSEUM))  # the file was replaced by another story
    assert index.links("flood") == () and index.links("wire") == ()
    index.add("wire", signature(WIRE_FLOOD))
    assert [link.slug for link in index.links("flood")] == ["wire"]
    index.remove("wire")
    assert "wire" not in index and index.links("flood") == ()
    with pytest.raises(KeyError):
        index.links("wire")


def test_short_texts_never_match() -> None:
    stub = signature("Breaking news: more soon.")
    assert stub.text_size < dedupe.MIN_TEXT_SHINGLES and stub.names_size < dedupe.MIN_NAME_SHINGLES
    index = DuplicateIndex()
    index.add("a", stub)
    index.add("b", signature("Breaking news: more soon."))
    assert index.links("a") == ()
    assert compare(stub, Signature(stub.text, 0, stub.names, 0)) is None
