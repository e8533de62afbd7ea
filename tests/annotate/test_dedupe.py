from __future__ import annotations

import random
import re
import unicodedata

import numpy as np
import pytest

import generator.annotate.dedupe as dedupe
from generator.annotate import tokens
from generator.annotate.copies import duplicate_links
from generator.annotate.dedupe import (
    Signature,
    compare,
    names_and_numbers,
    signature,
    text_tokens,
)
from generator.annotate.links import DuplicateLink
from generator.annotate.spin import load_lexicon, score_spin
from tests.annotate.conftest import (
    BRIDGE,
    FLOOD,
    INSPECTION,
    MUSEUM,
    SAMPLES,
    SPUN_FLOOD,
    SPUN_MUSEUM,
    WIRE_FLOOD,
)
from tests.annotate.reference_names import names_and_numbers as reference_names


def _spin(text: str) -> float:
    return score_spin(text, load_lexicon()).score


def _links(
    texts: dict[str, str], dates: dict[str, str | None] | None = None
) -> dict[str, tuple[DuplicateLink, ...]]:
    return duplicate_links(
        (
            (key, signature(text), _spin(text), (dates or {}).get(key))
            for key, text in texts.items()
        ),
        texts,
    )


def _relations(links: dict[str, tuple[DuplicateLink, ...]], key: str) -> dict[str, str]:
    return {link.slug: link.relation for link in links[key]}


def test_signature_is_deterministic_plain_data() -> None:
    first, second = signature(FLOOD), signature(FLOOD)
    assert first == second
    assert isinstance(first.text, bytes) and len(first.text) == dedupe.NUM_PERM * 4
    assert first.text_size > 300 and first.names_size >= dedupe.MIN_NAME_SHINGLES
    assert dedupe.signature_version() == dedupe.signature_version()
    assert dedupe.signature_version().startswith("2.")  # hashing changed from datasketch's: 2


def test_names_sequence_keeps_names_and_numbers_not_ordinary_words() -> None:
    names = names_and_numbers(FLOOD)
    assert names[:5] == ("riverton", "riverton", "14.2", "willow", "creek")
    assert {"okafor", "2300", "1996", "tamsin"} <= set(names)
    assert not {"city", "council", "the", "people", "some"} & set(names)
    # The spinner rewrote words around the names, not the names themselves.
    assert {"okafor", "2300", "tamsin"} <= set(names_and_numbers(SPUN_FLOOD))


TRICKY = [
    "",
    "U.S. O'Brien López-Obrador 1990s-Era said 2,300. Then 1,,2 and 3.,4 — “Smith’s” (Bob's).",
    "İstanbul’s Mayor Ékrem: ﬁne ½ 😀 x_1 ٣٤ ²½ … Ms. Okafor\n\nHowever, the City and the city.",
    "\ud800 a lone surrogate, Then Names 12.5",
]


def test_names_sequence_is_the_first_versions() -> None:
    texts = [FLOOD, SPUN_FLOOD, WIRE_FLOOD, MUSEUM, SPUN_MUSEUM, *SAMPLES.values(), *TRICKY]
    for text in texts:
        assert names_and_numbers(text) == reference_names(text)


def test_tokens_are_the_regex_tokens() -> None:
    # Not the raw mojibake: its "™" (NFKC "TM") stands against words, the one case where the text
    # channel keeps to the raw words on purpose (dedupe._normal); ingest repairs it before this.
    texts = [v for k, v in SAMPLES.items() if k != "festival-mojibake"]
    for text in [FLOOD, SPUN_MUSEUM, *texts, *TRICKY]:
        analysed = text_tokens(text)
        lower = {w for w in re.findall(r"\w+", text) if "a" <= w[0] <= "z"}
        assert analysed.lowercase == {tokens.hash_text(w) for w in lower}
        # The text channel hashes the tokens of the NFKC, casefolded text (the first version's).
        normalised = re.findall(r"\w+", unicodedata.normalize("NFKC", text).casefold())
        assert analysed.normal.tolist() == dedupe._normal(normalised).tolist()
        assert len(set(analysed.normal.tolist())) == len(set(normalised))


def test_minhash_estimates_jaccard_without_bias() -> None:
    # Binomial spread, sqrt(J (1 - J) / NUM_PERM), as independent permutations would give.
    rng = np.random.default_rng(0)
    errors = []
    for _ in range(300):
        universe = rng.integers(0, 2**63, size=1200, dtype=np.uint64)
        shift = int(rng.integers(0, 600))
        a, b = np.sort(universe[:600]), np.sort(universe[shift : shift + 600])
        jaccard = len(np.intersect1d(a, b)) / len(np.union1d(a, b))
        same = np.frombuffer(dedupe._minhash(a), "<u4") == np.frombuffer(dedupe._minhash(b), "<u4")
        errors.append(same.mean() - jaccard)
    assert abs(float(np.mean(errors))) < 0.006
    assert 0.025 < float(np.std(errors)) < 0.04


def test_spun_copy_links_to_its_original_through_the_names() -> None:
    links = _links({"flood": FLOOD, "flood-spun": SPUN_FLOOD, "museum": MUSEUM})
    (copy_link,) = links["flood-spun"]
    assert copy_link.slug == "flood" and copy_link.relation == "spun-copy-of"
    assert copy_link.basis == "names" and copy_link.similarity >= dedupe.MATCH_NAMES
    assert _relations(links, "flood") == {"flood-spun": "original-of"}
    assert links["museum"] == ()


def test_spun_museum_links_through_the_names() -> None:
    links = _links({"museum": MUSEUM, "spun": SPUN_MUSEUM, "flood": FLOOD})
    assert [link.slug for link in links["spun"]] == ["museum"]
    assert links["flood"] == ()


def test_wire_copy_of_most_of_a_story_is_a_near_duplicate() -> None:
    links = _links(
        {"flood": FLOOD, "wire": WIRE_FLOOD}, {"flood": "2024-01-16", "wire": "2024-01-17"}
    )
    (link,) = links["wire"]
    assert (link.slug, link.relation, link.basis, link.swaps) == (
        "flood",
        "near-duplicate",
        "text",
        (),
    )
    assert link.similarity >= 0.8  # most of the wire copy is in the original
    # What the desk cut: most of the original's words are not in the wire copy; it added a few.
    assert link.only_there > 150 and link.only_here < 30
    assert _relations(links, "flood") == {"wire": "near-duplicate"}


def _partial_copy(text: str, share: float, seed: int) -> str:
    """A wire desk's copy: about `share` of the paragraphs, in order, with a new first line."""
    paragraphs = [p for p in text.split("\n\n") if p.strip()]
    rng = random.Random(seed)
    kept = sorted(rng.sample(range(len(paragraphs)), max(1, round(share * len(paragraphs)))))
    return "By Wire Staff\n\n" + "\n\n".join(paragraphs[i] for i in kept)


# The sample archive's distinct stories (its bridge report's copies are copies of one story).
STORIES = {k: v for k, v in SAMPLES.items() if not k.startswith("riverside-bridge-")}


def test_partial_copies_of_about_sixty_percent_link() -> None:
    assert_partial_copies_link(
        {"flood": FLOOD, "museum": MUSEUM, "inspection": INSPECTION, **STORIES}
    )


def assert_partial_copies_link(sources: dict[str, str]) -> None:
    """Three wire copies of about 60% of each source link to it, and to no other story."""
    texts = dict(sources)
    for name, text in sources.items():
        for seed in range(3):
            texts[f"{name}-wire{seed}"] = _partial_copy(text, 0.6, seed)
    links = _links(texts)
    for name in sources:
        for seed in range(3):
            assert name in {link.slug for link in links[f"{name}-wire{seed}"]}
    # No copy links to another story.
    for key, found in links.items():
        story = key.split("-wire")[0]
        assert all(link.slug.split("-wire")[0] == story for link in found), (key, found)


def test_unrelated_and_same_topic_articles_are_not_linked() -> None:
    # The bridge report and the later inspection report are about one story (and related
    # articles), not copies of each other.
    texts = {"bridge": BRIDGE, "inspection": INSPECTION, "flood": FLOOD, "museum": MUSEUM}
    links = _links(texts)
    assert all(links[key] == () for key in texts)
    assert compare(signature(BRIDGE), signature(INSPECTION)) is None


def test_original_is_the_less_spun_then_the_earlier() -> None:
    sig = signature(MUSEUM)
    entries = [
        ("later", sig, 0.0, "2024-05-02"),
        ("undated", sig, 0.0, None),
        ("earlier", sig, 0.0, "2024-05-01"),
        ("spun", signature(SPUN_MUSEUM), 0.99, "2020-01-01"),
    ]
    links = duplicate_links(entries)
    assert _relations(links, "spun") == {
        "earlier": "spun-copy-of",
        "later": "spun-copy-of",
        "undated": "spun-copy-of",
    }
    assert _relations(links, "earlier")["spun"] == "original-of"
    # Two unspun copies are near-duplicates whichever came first.
    assert _relations(links, "later")["earlier"] == "near-duplicate"
    # A suspect copy still counts as a copy.
    links = duplicate_links([*entries, ("suspect", sig, 0.5, "2023-01-01")])
    assert _relations(links, "suspect")["earlier"] == "spun-copy-of"


def test_links_are_sorted_and_independent_of_input_order() -> None:
    texts = {"a": FLOOD, "b": WIRE_FLOOD, "c": SPUN_FLOOD, "d": MUSEUM, "e": SPUN_MUSEUM}
    forward = _links(texts)
    backward = _links(dict(reversed(texts.items())))
    assert forward == backward
    for key in texts:
        sims = [link.similarity for link in forward[key]]
        assert sims == sorted(sims, reverse=True)


def test_candidates_are_exactly_the_pairs_sharing_a_band() -> None:
    # Banding by sorted keys finds what a per-band dictionary finds, no more, no less.
    rng = random.Random(3)
    sigs = []
    base = [rng.getrandbits(32) for _ in range(dedupe.NUM_PERM)]
    for _ in range(60):
        values = [v if rng.random() < 0.5 else rng.getrandbits(32) for v in base]
        data = b"".join(v.to_bytes(4, "little") for v in values)
        sigs.append(Signature(data, 100, data, 100))
    bands, rows = dedupe.LSH_BANDS
    expected = set()
    for i in range(len(sigs)):
        for j in range(i + 1, len(sigs)):
            a, b = sigs[i].text, sigs[j].text
            if any(
                a[4 * rows * k : 4 * rows * (k + 1)] == b[4 * rows * k : 4 * rows * (k + 1)]
                for k in range(bands)
            ):
                expected.add((i, j))
    found = {(int(i), int(j)) for i, j in dedupe._candidates(dedupe.SignatureColumns.of(sigs))}
    assert found == expected and expected


def test_duplicate_slugs_are_rejected() -> None:
    sig = signature(FLOOD)
    with pytest.raises(ValueError, match="duplicate slug"):
        duplicate_links([("a", sig, 0.0, None), ("a", sig, 0.0, None)])


def test_short_texts_never_match() -> None:
    stub = signature("Breaking news: more soon.")
    assert stub.text_size < dedupe.MIN_TEXT_SHINGLES and stub.names_size < dedupe.MIN_NAME_SHINGLES
    links = duplicate_links(
        [("a", stub, 0.0, None), ("b", signature("Breaking news: more soon."), 0.0, None)]
    )
    assert links == {"a": (), "b": ()}
    assert compare(stub, Signature(stub.text, 0, stub.names, 0)) is None


def test_hash_text_is_the_hash_of_a_run() -> None:
    for text in ["", "a", "okafor", "López-Obrador", "İstanbul", "😀x", "word " * 50]:
        points = tokens.code_points(text)
        assert points is not None
        ends = np.array([len(points)])
        expected = (
            int(tokens.hash_runs(points, np.zeros(1, dtype=np.int64), ends)[0]) if text else 0
        )
        assert tokens.hash_text(text) == expected
