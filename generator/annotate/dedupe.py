"""Stage annotate (dedupe): article text -> Signature; Signatures -> near pairs (copies of one another).

Two MinHash channels per article, each banded for locality-sensitive hashing:

- text: 5-word shingles of the normalised text. A wire copy that republishes most of a story shares
  most of its shingles; matching is on *containment* (the share of the shorter text found in the
  longer), estimated from the MinHash Jaccard and the two set sizes, so a copy that keeps ~60% of the
  story still matches it.
- names: 3-shingles of the article's names-and-numbers sequence (capitalised tokens and numerals, in
  order). A synonym spinner rewrites the words between the names, which breaks most 5-word shingles,
  but leaves "López Obrador ... Marcelo Ebrard ... 70,000 ... Title 42" alone, so a spun copy still
  matches its original here.

Hashing is numpy throughout: the text's tokens are hashed straight from its code points (names
once each, remembered), a shingle's hash is an arithmetic mix of its tokens' hashes, and the
NUM_PERM permutations are applied to the whole array of shingle hashes at once. Signatures are plain bytes (uint32 values) so a build can store them and
never rehash an unchanged article. near_pairs takes all signatures and finds candidate pairs by
sorting band keys (no per-article index), then checks each candidate with compare(); which pair
is a spun copy, a desk's edit or no copy at all is for annotate/copies.py to say.
"""

from __future__ import annotations

import hashlib
import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from unicodedata import normalize

import numpy as np

from generator.annotate.links import Basis
from generator.annotate.spin import load_lexicon
from generator.annotate.tokens import (
    CONNECTOR,
    DECIMAL,
    LOWER,
    LOWER_START,
    WORD,
    Analysis,
    analyse,
    classes,
    code_points,
    hash_runs,
    hash_text,
    run_hashes,
    runs,
    word_runs,
)

NUM_PERM = 128
SHINGLE_WORDS = 5
NAME_SHINGLE = 3
# Below these sizes a channel says nothing: two stubs of ten words are not duplicates.
MIN_TEXT_SHINGLES = 20
MIN_NAME_SHINGLES = 8
# LSH bands x rows: a pair with Jaccard J becomes a candidate with probability 1 - (1 - J**3)**42,
# 0.68 at J = 0.3, 0.98 at 0.45 (the names threshold), ~1 for a 60% wire copy (J ~ 0.5); every
# candidate is then checked with compare().
LSH_BANDS = (42, 3)
# 0.35 (with Jaccard >= 0.2): a spinner swapping 30% of the eligible words (about 11% of all)
# leaves 38-48% of the 5-word shingles of some stories. Of 100 such copies of BBC stories, 10
# were never paired with their original at 0.5, 5 at 0.4, 2 at 0.35; the 2,225 genuine stories
# make 181, 190 and 195 pairs, which the alignment reads as edits (none as spun).
MATCH_CONTAINMENT = 0.35
MATCH_MIN_JACCARD = 0.2
MATCH_NAMES = 0.45

# Bump when shingling, hashing or the names rules change. 2: numpy hashing (token hashes from code
# points, mixed per shingle; affine uint32 permutations) in place of datasketch's crc32 + mod p.
_ALGORITHM = 2
_SEED = 1_700_503
_EMPTY = np.full(NUM_PERM, 0xFFFFFFFF, dtype="<u4").tobytes()
_CHUNK = 4096  # shingles per permutation product: keeps the (chunk x NUM_PERM) array in cache
_WORD = re.compile(r"\w+")
# Numerals, and words not starting with a lowercase ASCII letter (the rest is checked in code).
_NAME_TOKEN = re.compile(r"\b(?:\d(?:[\d,.]*\d)?|(?![a-z_])\w+(?:[-.'’]\w+)*)")
_POSSESSIVE = re.compile(r"['’]s?$")


@dataclass(frozen=True, slots=True)
class Signature:
    """MinHash values (NUM_PERM little-endian uint32) of both channels, and each channel's set size."""

    text: bytes
    text_size: int
    names: bytes
    names_size: int


def _constants(label: str, count: int) -> np.ndarray:
    """`count` odd 64-bit constants derived from _SEED and `label` (stable across numpy versions)."""
    values = [
        int.from_bytes(hashlib.blake2b(f"{_SEED}:{label}:{i}".encode(), digest_size=8).digest()) | 1
        for i in range(count)
    ]
    return np.array(values, dtype=np.uint64)


@cache
def _parameters() -> dict[str, np.ndarray]:
    return {
        "a32": (_constants("perm-a", NUM_PERM) >> np.uint64(32)).astype(np.uint32) | np.uint32(1),
        "b32": (_constants("perm-b", NUM_PERM) >> np.uint64(32)).astype(np.uint32),
        "text": _constants("shingle-text", SHINGLE_WORDS),
        "names": _constants("shingle-names", NAME_SHINGLE),
        "band": _constants("band", 4),
    }


# Hashes of tokens already seen (an archive's vocabulary is small next to its word count).
_TOKEN_HASHES: dict[str, int] = {}


def _token_hashes(tokens: Sequence[str]) -> np.ndarray:
    known = _TOKEN_HASHES
    missing = set(tokens).difference(known)
    if missing:
        if len(known) + len(missing) > 2_000_000:
            known.clear()
            missing = set(tokens)
        for token in missing:
            data = token.encode("utf-8", "surrogatepass")
            known[token] = int.from_bytes(hashlib.blake2b(data, digest_size=8).digest())
    return np.fromiter(map(known.__getitem__, tokens), dtype=np.uint64, count=len(tokens))


def _shingle_hashes(hashes: np.ndarray, size: int, channel: str) -> np.ndarray:
    """Distinct 64-bit hashes of the `size`-token shingles of a token hash sequence (none for
    fewer than `size` tokens): a mix of the tokens' hashes, one multiplier per position."""
    count = len(hashes) - size + 1
    if count <= 0:
        return np.empty(0, dtype=np.uint64)
    multipliers = _parameters()[channel]
    mixed = hashes[:count] * multipliers[0]
    for k in range(1, size):
        mixed += hashes[k : k + count] * multipliers[k]
    # A final avalanche, so that the permutations see well-spread keys.
    mixed ^= mixed >> np.uint64(31)
    mixed *= np.uint64(0x9E3779B97F4A7C15)
    mixed ^= mixed >> np.uint64(29)
    mixed.sort()
    keep = np.empty(len(mixed), dtype=bool)
    keep[0] = True
    np.not_equal(mixed[1:], mixed[:-1], out=keep[1:])
    distinct: np.ndarray = mixed[keep]
    return distinct


def _minhash(items: np.ndarray) -> bytes:
    """NUM_PERM minima of h_k(x) = (a_k * x + b_k) mod 2**32 over the items' top 32 bits.

    An affine bijection per permutation of well-mixed 32-bit keys: on random sets its Jaccard
    estimates have the binomial spread of exact MinHash (tests/annotate/test_dedupe.py), and
    uint32 products are SIMD, 2.4x the speed of datasketch-style 64-bit ones.
    """
    if not len(items):
        return _EMPTY
    params = _parameters()
    a, b = params["a32"], params["b32"]
    keys = (items >> np.uint64(32)).astype(np.uint32)
    low = np.full(NUM_PERM, 0xFFFFFFFF, dtype=np.uint32)
    for start in range(0, len(keys), _CHUNK):
        product = np.multiply.outer(a, keys[start : start + _CHUNK])
        product += b[:, None]
        np.minimum(low, product.min(axis=1), out=low)
    return bytes(low.astype("<u4").tobytes())


def _jaccard(a: bytes, b: bytes) -> float:
    return float(np.count_nonzero(np.frombuffer(a, "<u4") == np.frombuffer(b, "<u4"))) / NUM_PERM


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


_NOT_A_NAME = ("", False, -1)
# What each token stands for in the names sequence: (form, is_number, the form's hash_text when it
# starts with a-z, else -1), or _NOT_A_NAME.
_NAME_FORMS: dict[str, tuple[str, bool, int]] = {}


def _name_form(token: str) -> tuple[str, bool, int]:
    if token[0].isdigit():
        return token.replace(",", ""), True, -1
    if token[0].isupper() and len(token) > 1:
        token = _POSSESSIVE.sub("", token)
        low = token.lower()
        if low in _ordinary_words() or "'" in token or "’" in token:
            return _NOT_A_NAME
        return low, False, hash_text(low) if "a" <= low[0] <= "z" else -1
    return _NOT_A_NAME


def _is_sentence_start(text: str, start: int) -> bool:
    j = start - 1
    while j >= 0 and text[j] in " \t\"'“‘(«—–-":
        j -= 1
    return j < 0 or text[j] in ".!?\n:;"


@dataclass(frozen=True, slots=True)
class TextTokens:
    """What signature() and names_and_numbers() read of one text, found once: the hashes
    (tokens.hash_text) of its \\w+ tokens that start with a-z, the hashes of its normalised tokens (NFKC, casefolded), and where a names token may
    start (word starts that are no a-z or "_") with, for each, the word's end when the names token
    is just that word (else -1: the regex decides)."""

    lowercase: set[int]
    normal: np.ndarray
    name_starts: list[int]
    name_ends: list[int]


def text_tokens(text: str, analysis: Analysis | None = None) -> TextTokens:
    """The tokens of `text` that signature() and names_and_numbers() read (`analysis` may pass in
    tokens.analyse(text))."""
    if analysis is None:
        analysis = analyse(text)
    if analysis is None:  # a lone surrogate: the regex way
        words = _WORD.findall(text)
        starts = [m.start() for m in re.finditer(r"\b(?![a-z_])(?=\w)", text)]
        lowercase = {hash_text(w) for w in set(words) if "a" <= w[0] <= "z"}
        return TextTokens(lowercase, _normal(words), starts, [-1] * len(starts))
    points, bits = analysis.points, analysis.bits
    lower = (bits[analysis.word_starts] & LOWER) > 0
    lowercase = set(
        hash_runs(points, analysis.word_starts[lower], analysis.word_ends[lower]).tolist()
    )
    candidate = (bits[analysis.word_starts] & LOWER_START) == 0
    starts, ends = analysis.word_starts[candidate], analysis.word_ends[candidate]
    # The names token is the bare word unless it goes on with a connector and a word character,
    # or is a numeral (2,300 and 14.2 are one token each): then the regex decides.
    padded = np.zeros(len(bits) + 2, dtype=bits.dtype)
    padded[: len(bits)] = bits
    joined = ((padded[ends] & CONNECTOR) > 0) & ((padded[ends + 1] & WORD) > 0)
    simple = ~joined & ((bits[starts] & DECIMAL) == 0)
    if analysis.folded is not None:
        normal = hash_runs(analysis.folded, analysis.word_starts, analysis.word_ends)
    else:
        normal = _normal(runs(points, bits, WORD))
    return TextTokens(lowercase, normal, starts.tolist(), np.where(simple, ends, -1).tolist())


def _normal(words: list[str]) -> np.ndarray:
    """Hashes of the casefolded NFKC forms of the words (the tokens of the normalised text, but
    for a combining mark or a compatibility symbol standing next to a word)."""
    joined = " ".join(words)
    folded = joined.lower() if joined.isascii() else normalize("NFKC", joined).casefold()
    points = code_points(folded)
    if points is None:
        return _token_hashes(word_runs(folded))
    return run_hashes(points, classes(points), WORD)


def names_and_numbers(text: str, analysed: TextTokens | None = None) -> tuple[str, ...]:
    """Proper names and numerals in text order, lowercased: what a synonym spinner leaves alone.

    A capitalised token counts unless it is an ordinary word: one the spin lexicon rewrites, one the
    text also uses in lower case ("City" when "the city" occurs), or a sentence-initial word never
    capitalised mid-sentence ("However", "But"). `analysed` may pass in text_tokens(text).
    """
    if analysed is None:
        analysed = text_tokens(text)
    # A \w+ token starting with a-z is exactly a match of \b[a-z]\w*.
    lowercase = analysed.lowercase
    forms = _NAME_FORMS
    if len(forms) > 1_000_000:
        forms.clear()
    found: list[tuple[str, bool]] = []
    inside: set[str] = set()
    end = 0
    # A match of _NAME_TOKEN starts where a word does (\b, then \w) with no a-z or "_": only those
    # places are tried, in order, skipping any inside the previous match, as a scan would.
    for start, simple_end in zip(analysed.name_starts, analysed.name_ends, strict=True):
        if start < end:
            continue
        if simple_end >= 0:
            end = simple_end
            token = text[start:end]
        else:
            match = _NAME_TOKEN.match(text, start)
            if match is None:  # cannot happen (see above); kept so a change there fails safe
                continue
            end = match.end()
            token = match.group()
        form = forms.get(token)
        if form is None:
            form = forms[token] = _name_form(token)
        low, is_number, low_hash = form
        if is_number:
            found.append((low, False))
        elif low and low_hash not in lowercase:
            initial = _is_sentence_start(text, start)
            found.append((low, initial))
            if not initial:
                inside.add(low)
    return tuple(t for t, initial in found if not initial or t in inside)


def signature(text: str, analysed: TextTokens | None = None) -> Signature:
    """MinHash signature of one article text (both channels); deterministic across runs.

    `analysed` may pass in text_tokens(text), when the caller needs the tokens too.
    """
    if analysed is None:
        analysed = text_tokens(text)
    text_set = _shingle_hashes(analysed.normal, SHINGLE_WORDS, "text")
    names = names_and_numbers(text, analysed)
    names_set = _shingle_hashes(_token_hashes(names), NAME_SHINGLE, "names")
    return Signature(_minhash(text_set), len(text_set), _minhash(names_set), len(names_set))


def compare(a: Signature, b: Signature) -> tuple[float, Basis] | None:
    """(similarity, basis) when two signatures are near-copies of each other, else None.

    text: estimated containment of the smaller shingle set in the larger; names: Jaccard of the
    names-and-numbers shingles. The larger of the two that pass wins.
    """
    text_jac = _jaccard(a.text, b.text) if min(a.text_size, b.text_size) >= MIN_TEXT_SHINGLES else 0
    names_jac = (
        _jaccard(a.names, b.names) if min(a.names_size, b.names_size) >= MIN_NAME_SHINGLES else 0
    )
    return _decide(text_jac, a.text_size, b.text_size, names_jac, a.names_size, b.names_size)


def _decide(
    text_jac: float, size_a: int, size_b: int, names_jac: float, names_a: int, names_b: int
) -> tuple[float, Basis] | None:
    best: tuple[float, Basis] | None = None
    if min(size_a, size_b) >= MIN_TEXT_SHINGLES:
        shared = text_jac * (size_a + size_b) / (1 + text_jac)
        containment = min(1.0, shared / min(size_a, size_b))
        if text_jac >= MATCH_MIN_JACCARD and containment >= MATCH_CONTAINMENT:
            best = (round(containment, 3), "text")
    if (
        min(names_a, names_b) >= MIN_NAME_SHINGLES
        and names_jac >= MATCH_NAMES
        and (best is None or names_jac > best[0])
    ):
        best = (round(names_jac, 3), "names")
    return best


DedupeInput = tuple[str, Signature, float, str | None]
"""What copies.duplicate_links needs of one article: slug, signature, spin score and date."""


def _band_pairs(values: np.ndarray) -> np.ndarray:
    """(i, j) row pairs, i < j, of a (rows, NUM_PERM) uint32 array that agree on a whole LSH band.

    Band keys are 64-bit mixes of (band, the band's values), sorted so that equal keys are adjacent;
    agreeing pairs are then checked value by value, so a key collision never makes a candidate.
    _BANDS_AT_ONCE bands are keyed and sorted at a time (the keys of all 42 bands of 100,000
    articles, their sort order and the band cells took 250 MB at once).
    """
    bands = LSH_BANDS[0]
    if len(values) < 2:
        return np.empty((0, 2), dtype=np.int64)
    found = [
        _pairs_in_bands(values, first, min(bands, first + _BANDS_AT_ONCE))
        for first in range(0, bands, _BANDS_AT_ONCE)
    ]
    pairs = np.concatenate(found)
    pairs.sort(axis=1)
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    return np.unique(pairs, axis=0) if len(pairs) else np.empty((0, 2), dtype=np.int64)


_BANDS_AT_ONCE = 7


def _pairs_in_bands(values: np.ndarray, first_band: int, end_band: int) -> np.ndarray:
    """(i, j) row pairs that agree on a whole band from first_band to end_band (excluded)."""
    rows = LSH_BANDS[1]
    count, width = len(values), end_band - first_band
    cells = values[:, first_band * rows : end_band * rows].reshape(count * width, rows)
    mix = _parameters()["band"]
    keys = np.tile(np.arange(first_band, end_band, dtype=np.uint64), count) * mix[rows]
    for r in range(rows):
        keys += cells[:, r].astype(np.uint64) * mix[r]
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    same = ordered[1:] == ordered[:-1]
    del ordered
    grouped = np.zeros(len(order), dtype=bool)
    grouped[1:] |= same
    grouped[:-1] |= same
    members = order[grouped]
    del order, grouped, same
    if not len(members):
        return np.empty((0, 2), dtype=np.int64)
    member_keys = keys[members]
    group = np.cumsum(np.r_[True, member_keys[1:] != member_keys[:-1]])
    found: list[np.ndarray] = []
    for distance in range(1, len(members)):
        # Groups are contiguous runs: none longer than `distance` means no pair this far apart.
        hit = group[:-distance] == group[distance:]
        if not hit.any():
            break
        first, second = members[:-distance][hit], members[distance:][hit]
        exact = (first % width == second % width) & (cells[first] == cells[second]).all(axis=1)
        found.append(np.stack([first[exact] // width, second[exact] // width], axis=1))
    return np.concatenate(found) if found else np.empty((0, 2), dtype=np.int64)


@dataclass(frozen=True, slots=True)
class SignatureColumns:
    """The signatures of many articles as arrays, row i for article i: what LSH banding and the
    vectorised compare() read, without one object per article."""

    text: np.ndarray  # (rows, NUM_PERM) uint32
    text_sizes: np.ndarray  # (rows,) int64
    names: np.ndarray  # (rows, NUM_PERM) uint32
    names_sizes: np.ndarray  # (rows,) int64

    @classmethod
    def of(cls, signatures: Sequence[Signature]) -> SignatureColumns:
        rows = len(signatures)
        return cls(
            np.frombuffer(b"".join(s.text for s in signatures), "<u4").reshape(rows, NUM_PERM),
            np.array([s.text_size for s in signatures], dtype=np.int64),
            np.frombuffer(b"".join(s.names for s in signatures), "<u4").reshape(rows, NUM_PERM),
            np.array([s.names_size for s in signatures], dtype=np.int64),
        )

    def __len__(self) -> int:
        return len(self.text_sizes)

    def select(self, rows: np.ndarray) -> SignatureColumns:
        """The rows where the boolean mask `rows` is True, in order."""
        if rows.all():
            return self
        return SignatureColumns(
            self.text[rows], self.text_sizes[rows], self.names[rows], self.names_sizes[rows]
        )

    def take(self, rows: Sequence[int]) -> SignatureColumns:
        """The rows at these indexes, in that order (an index may repeat)."""
        at = list(rows)
        return SignatureColumns(
            self.text[at], self.text_sizes[at], self.names[at], self.names_sizes[at]
        )

    def joined(self, rows: np.ndarray, other: SignatureColumns) -> SignatureColumns:
        """The rows where the boolean mask `rows` is True, then other's: copied once (runs of
        kept rows as slices, not a mask's copy)."""
        edges = np.flatnonzero(np.diff(np.r_[False, rows, False])).tolist()
        spans = list(zip(edges[0::2], edges[1::2], strict=True))
        return SignatureColumns(
            np.concatenate([*(self.text[a:b] for a, b in spans), other.text]),
            np.concatenate([self.text_sizes[rows], other.text_sizes]),
            np.concatenate([*(self.names[a:b] for a, b in spans), other.names]),
            np.concatenate([self.names_sizes[rows], other.names_sizes]),
        )

    def concat(self, other: SignatureColumns) -> SignatureColumns:
        return SignatureColumns(
            np.concatenate([self.text, other.text]),
            np.concatenate([self.text_sizes, other.text_sizes]),
            np.concatenate([self.names, other.names]),
            np.concatenate([self.names_sizes, other.names_sizes]),
        )


def _candidates(columns: SignatureColumns) -> np.ndarray:
    """Index pairs (i < j) that share an LSH band in a channel both may use."""
    found = []
    for values, sizes, minimum in (
        (columns.text, columns.text_sizes, MIN_TEXT_SHINGLES),
        (columns.names, columns.names_sizes, MIN_NAME_SHINGLES),
    ):
        usable = np.flatnonzero(sizes >= minimum)
        found.append(usable[_band_pairs(values[usable])])
    pairs = np.concatenate(found)
    return np.unique(pairs, axis=0) if len(pairs) else pairs


def near_pairs(columns: SignatureColumns) -> list[tuple[int, int, float, Basis]]:
    """compare() for every candidate pair, vectorised: (i, j, similarity, basis) of the matches,
    i < j, in order."""
    pairs = _candidates(columns)
    if not len(pairs):
        return []
    text, names = columns.text, columns.names
    text_sizes, names_sizes = columns.text_sizes, columns.names_sizes
    edges: list[tuple[int, int, float, Basis]] = []
    for start in range(0, len(pairs), 65536):
        first, second = pairs[start : start + 65536].T
        text_jac = np.count_nonzero(text[first] == text[second], axis=1) / NUM_PERM
        names_jac = np.count_nonzero(names[first] == names[second], axis=1) / NUM_PERM
        # A prefilter only (no pair fails it that compare() would link); _decide has the last word.
        maybe = (text_jac >= MATCH_MIN_JACCARD) | (names_jac >= MATCH_NAMES)
        for k in np.flatnonzero(maybe):
            i, j = int(first[k]), int(second[k])
            match = _decide(
                float(text_jac[k]),
                int(text_sizes[i]),
                int(text_sizes[j]),
                float(names_jac[k]),
                int(names_sizes[i]),
                int(names_sizes[j]),
            )
            if match is not None:
                edges.append((i, j, *match))
    return edges
