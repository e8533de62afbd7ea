"""Stage annotate (dedupe): article text -> Signature; Signatures -> DuplicateLinks (near-copies, spun copies).

Two MinHash channels per article, each with its own LSH index (datasketch):

- text: 5-word shingles of the normalised text. A wire copy that republishes most of a story shares
  most of its shingles; matching is on *containment* (the share of the shorter text found in the
  longer), estimated from the MinHash Jaccard and the two set sizes, so a copy that keeps ~60% of the
  story still matches it.
- names: 3-shingles of the article's names-and-numbers sequence (capitalised tokens and numerals, in
  order). A synonym spinner rewrites the words between the names, which breaks most 5-word shingles,
  but leaves "López Obrador ... Marcelo Ebrard ... 70,000 ... Title 42" alone, so a spun copy still
  matches its original here.

Signatures are plain bytes (uint32 hash values) so the pipeline can store them and never rehash an
unchanged article. DuplicateIndex keeps its own state; adding one article hashes only that article.
"""

from __future__ import annotations

import re
import unicodedata
import zlib
from dataclasses import dataclass
from functools import cache
from typing import Literal

import numpy as np
from datasketch import MinHash, MinHashLSH

from generator.annotate.spin import load_lexicon, verdict_for

Relation = Literal["near-duplicate", "spun-copy-of", "original-of"]
Basis = Literal["text", "names"]

NUM_PERM = 128
SHINGLE_WORDS = 5
NAME_SHINGLE = 3
# Below these sizes a channel says nothing: two stubs of ten words are not duplicates.
MIN_TEXT_SHINGLES = 20
MIN_NAME_SHINGLES = 8
# LSH bands x rows: a pair with Jaccard J becomes a candidate with probability 1 - (1 - J**3)**42,
# 0.68 at J = 0.3, 0.98 at 0.45 (the names threshold), ~1 for a 60% wire copy (J ~ 0.5); every
# candidate is then checked with compare(). Fixed here rather than fitted per index (datasketch's
# fit integrates numerically, ~0.1 s per index).
_LSH_BANDS = (42, 3)
MATCH_CONTAINMENT = 0.5
MATCH_MIN_JACCARD = 0.2
MATCH_NAMES = 0.45

_ALGORITHM = 1  # bump when shingling, hashing or the names rules change
_SEED = 1_700_503
_SCHEME: Literal["affine32"] = "affine32"
_WORD = re.compile(r"\w+")
# Numerals, and words not starting with a lowercase ASCII letter (the rest is checked in code).
_NAME_TOKEN = re.compile(r"\b(?:\d(?:[\d,.]*\d)?|(?![a-z_])\w+(?:[-.'’]\w+)*)")
_LOWER_WORD = re.compile(r"\b[a-z]\w*")
_POSSESSIVE = re.compile(r"['’]s?$")


@dataclass(frozen=True, slots=True)
class Signature:
    """MinHash values (NUM_PERM little-endian uint32) of both channels, and each channel's set size."""

    text: bytes
    text_size: int
    names: bytes
    names_size: int


@dataclass(frozen=True, slots=True)
class DuplicateLink:
    """One article's link to another: which, how similar, and which of the two came first."""

    slug: str
    similarity: float
    relation: Relation
    basis: Basis


@dataclass(frozen=True, slots=True)
class _Entry:
    signature: Signature
    spin_score: float
    date: str | None


@dataclass(frozen=True, slots=True)
class _Edge:
    similarity: float
    basis: Basis


@cache
def _permutations() -> tuple[np.ndarray, np.ndarray]:
    """The permutation parameters for _SEED, generated once (datasketch regenerates them per MinHash)."""
    return MinHash(num_perm=NUM_PERM, seed=_SEED, scheme=_SCHEME).permutations  # type: ignore[no-any-return]


def _minhash(items: set[bytes]) -> bytes:
    # crc32 is stable across runs and platforms (Python's hash() is salted); the affine permutations
    # datasketch applies on top supply the randomness MinHash needs.
    mh = MinHash(
        num_perm=NUM_PERM,
        seed=_SEED,
        hashfunc=zlib.crc32,
        permutations=_permutations(),
        scheme=_SCHEME,
    )
    if items:
        mh.update_batch(sorted(items))
    return bytes(mh.hashvalues.astype("<u4").tobytes())


def _as_minhash(values: bytes) -> MinHash:
    array = np.frombuffer(values, dtype="<u4").astype(np.uint32)
    return MinHash(seed=_SEED, hashvalues=array, permutations=_permutations(), scheme=_SCHEME)


def _jaccard(a: bytes, b: bytes) -> float:
    return float(np.count_nonzero(np.frombuffer(a, "<u4") == np.frombuffer(b, "<u4"))) / NUM_PERM


def _is_sentence_start(text: str, start: int) -> bool:
    j = start - 1
    while j >= 0 and text[j] in " \t\"'“‘(«—–-":
        j -= 1
    return j < 0 or text[j] in ".!?\n:;"


@cache
def _ordinary_words() -> frozenset[str]:
    """Words a spinner rewrites even inside names ("House" -> "Home"): every word of the spin
    lexicon, both sides. Left out of the names sequence so both versions keep the same names."""
    lexicon = load_lexicon()
    phrases = [e.phrase for e in lexicon.entries] + [e.likely_original for e in lexicon.entries]
    return frozenset(w.lower() for p in phrases for w in _WORD.findall(p) if not w.isdigit())


@cache
def signature_version() -> str:
    """Names how signatures are made (algorithm and the lexicon's words, which the names channel
    uses): a stored signature made under another version must be recomputed."""
    words = " ".join(sorted(_ordinary_words())).encode()
    return f"{_ALGORITHM}.{zlib.crc32(words):08x}"


def names_and_numbers(text: str) -> tuple[str, ...]:
    """Proper names and numerals in text order, lowercased: what a synonym spinner leaves alone.

    A capitalised token counts unless it is an ordinary word: one the spin lexicon rewrites, one the
    text also uses in lower case ("City" when "the city" occurs), or a sentence-initial word never
    capitalised mid-sentence ("However", "But").
    """
    ordinary = _ordinary_words()
    lowercase = set(_LOWER_WORD.findall(text))
    found: list[tuple[str, bool]] = []
    inside: set[str] = set()
    for match in _NAME_TOKEN.finditer(text):
        token = match.group()
        if token[0].isdigit():
            found.append((token.replace(",", ""), False))
        elif token[0].isupper() and len(token) > 1:
            token = _POSSESSIVE.sub("", token)
            low = token.lower()
            if low in ordinary or low in lowercase or "'" in token or "’" in token:
                continue
            initial = _is_sentence_start(text, match.start())
            found.append((low, initial))
            if not initial:
                inside.add(low)
    return tuple(t for t, initial in found if not initial or t in inside)


def _normalise(text: str) -> list[str]:
    return _WORD.findall(unicodedata.normalize("NFKC", text).casefold())


def _shingles(tokens: list[str] | tuple[str, ...], size: int) -> set[bytes]:
    if len(tokens) < size:
        return set()
    return {" ".join(tokens[i : i + size]).encode() for i in range(len(tokens) - size + 1)}


def signature(text: str) -> Signature:
    """MinHash signature of one article text (both channels); deterministic across runs."""
    text_set = _shingles(_normalise(text), SHINGLE_WORDS)
    names_set = _shingles(names_and_numbers(text), NAME_SHINGLE)
    return Signature(_minhash(text_set), len(text_set), _minhash(names_set), len(names_set))


def compare(a: Signature, b: Signature) -> tuple[float, Basis] | None:
    """(similarity, basis) when two signatures are near-copies of each other, else None.

    text: estimated containment of the smaller shingle set in the larger; names: Jaccard of the
    names-and-numbers shingles. The larger of the two that pass wins.
    """
    best: tuple[float, Basis] | None = None
    if min(a.text_size, b.text_size) >= MIN_TEXT_SHINGLES:
        jac = _jaccard(a.text, b.text)
        shared = jac * (a.text_size + b.text_size) / (1 + jac)
        containment = min(1.0, shared / min(a.text_size, b.text_size))
        if jac >= MATCH_MIN_JACCARD and containment >= MATCH_CONTAINMENT:
            best = (round(containment, 3), "text")
    if min(a.names_size, b.names_size) >= MIN_NAME_SHINGLES:
        jac = _jaccard(a.names, b.names)
        if jac >= MATCH_NAMES and (best is None or jac > best[0]):
            best = (round(jac, 3), "names")
    return best


def _date_key(date: str | None) -> tuple[int, str]:
    return (1, "") if date is None else (0, date)


class DuplicateIndex:
    """Incremental near-duplicate index: add one article at a time, ask for any article's links.

    Only this object holds state. Adding an article hashes nothing but its LSH bands; links of
    other articles change only by the edges the new article brings.
    """

    def __init__(self) -> None:
        self._lsh = {
            "text": MinHashLSH(num_perm=NUM_PERM, params=_LSH_BANDS),
            "names": MinHashLSH(num_perm=NUM_PERM, params=_LSH_BANDS),
        }
        self._entries: dict[str, _Entry] = {}
        self._edges: dict[str, dict[str, _Edge]] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def signature_of(self, key: str) -> Signature:
        """The signature stored for `key`. Raises KeyError when it was never added."""
        return self._entries[key].signature

    def add(
        self, key: str, signature: Signature, spin_score: float = 0.0, date: str | None = None
    ) -> None:
        """Insert one article (replacing an earlier version of the same key) and link it."""
        if key in self._entries:
            self.remove(key)
        candidates: set[str] = set()
        channels = (
            ("text", signature.text, signature.text_size >= MIN_TEXT_SHINGLES),
            ("names", signature.names, signature.names_size >= MIN_NAME_SHINGLES),
        )
        for name, values, usable in channels:
            if usable:
                minhash = _as_minhash(values)
                candidates.update(str(k) for k in self._lsh[name].query(minhash))
                self._lsh[name].insert(key, minhash)
        self._entries[key] = _Entry(signature, spin_score, date)
        self._edges[key] = {}
        for other in sorted(candidates - {key}):
            match = compare(signature, self._entries[other].signature)
            if match is not None:
                edge = _Edge(*match)
                self._edges[key][other] = edge
                self._edges[other][key] = edge

    def remove(self, key: str) -> None:
        """Forget an article and its links. Raises KeyError when it was never added."""
        entry = self._entries.pop(key)
        for name, size, minimum in (
            ("text", entry.signature.text_size, MIN_TEXT_SHINGLES),
            ("names", entry.signature.names_size, MIN_NAME_SHINGLES),
        ):
            if size >= minimum:
                self._lsh[name].remove(key)
        for other in self._edges.pop(key):
            del self._edges[other][key]

    def links(self, key: str) -> tuple[DuplicateLink, ...]:
        """`key`'s links, most similar first. Raises KeyError when it was never added."""
        mine = self._entries[key]
        found = [
            DuplicateLink(other, edge.similarity, self._relation(key, mine, other), edge.basis)
            for other, edge in self._edges[key].items()
        ]
        return tuple(sorted(found, key=lambda link: (-link.similarity, link.slug)))

    def _relation(self, key: str, mine: _Entry, other: str) -> Relation:
        # The original is the less spun of the two, then the earlier (undated last), then by slug
        # so the answer never depends on insertion order.
        theirs = self._entries[other]
        my_rank = (mine.spin_score, _date_key(mine.date), key)
        their_rank = (theirs.spin_score, _date_key(theirs.date), other)
        copy = theirs if my_rank < their_rank else mine
        if verdict_for(copy.spin_score) == "original":
            return "near-duplicate"
        return "original-of" if copy is theirs else "spun-copy-of"
