"""Stage annotate (related, per article): text + entity names -> RelatedFeatures; their API over many.

TF-IDF cosine over content words, blended with a cosine over entity names (people, organizations,
places) where both articles have enough text and names: two stories naming the same minister and
the same summit are related even when worded apart. The scoring is in annotate/similarity.py, the column form of many articles'
features in annotate/columns.py.

The two halves are apart: related_features reads one article (pure, cacheable by content: the
stems of its words, hashed, with their counts, and its folded entity names); related_from_features
needs them all (document frequencies, unit TF-IDF rows, the sparse product, the best per row).
"""

from __future__ import annotations

import hashlib
import itertools
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from generator.annotate.columns import RelatedColumns
from generator.annotate.similarity import ENTITY_WEIGHT, related_from_columns
from generator.annotate.tokens import (
    LETTER,
    Analysis,
    classes,
    code_points,
    hash_runs,
    long_runs,
    run_bounds,
)


def _word_set(words: str) -> frozenset[str]:
    """A constant set of words written as one space-separated string."""
    return frozenset(words.split())


_MIN_WORD = 3  # letters: shorter words are no features
_WORD = re.compile(r"[^\W\d_]+")
_VERSION = 1  # bump when the features change (tokens, stems, hashing)
_COMBINING = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_STOPWORDS = _word_set(
    "about above after again against all also although always among and another any are "
    "around because been before being below between both but can cannot could did does doing "
    "done down during each either else even ever every few for from further had has have "
    "having her here hers herself him himself his how however into its itself just last least "
    "less like made make many may might more most much must near neither never next nor not "
    "now off often once one only other others our ours out over own per perhaps rather really "
    "same several shall she should since some still such than that the their theirs them "
    "themselves then there these they this those though through thus too toward towards under "
    "until upon very was were what when where whether which while who whom whose why will "
    "with within without would yet you your yours yourself said says say told according added "
    "asked reported including new first second third two three four five six seven eight nine "
    "ten year years month months week weeks day days time times today monday tuesday "
    "wednesday thursday friday saturday sunday percent people mr mrs ms dr stated "
    "additionally amongst whereas individuals"
)


@dataclass(frozen=True, slots=True)
class RelatedFeatures:
    """What related_from_features needs of one article: the stems of its content words (64-bit
    hashes, little-endian) with their counts (uint32), in order of first use, and its entity names,
    folded (case and accents) and without repeats."""

    stems: bytes
    counts: bytes
    entities: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RelatedInput:
    """What related_articles needs of one article: its slug, its text and its entity names."""

    slug: str
    text: str
    entities: tuple[str, ...] = ()


def related_version() -> str:
    """Names how RelatedFeatures are made: stored features made under another must be remade."""
    return f"{_VERSION}"


# Code points of the combining marks _fold drops after NFKD (the ranges of _COMBINING).
_COMBINING_RANGES = (
    (0x300, 0x36F),
    (0x1AB0, 0x1AFF),
    (0x1DC0, 0x1DFF),
    (0x20D0, 0x20FF),
    (0xFE20, 0xFE2F),
)


def _fold(text: str) -> str:
    """Case- and accent-insensitive: "López" and "lopez" are one feature."""
    if text.isascii():
        return text.casefold()
    return _COMBINING.sub("", unicodedata.normalize("NFKD", text)).casefold()


def _fold_long(text: str) -> str:
    """_fold for a whole article: the combining marks found with numpy rather than a regex scan."""
    if text.isascii():
        return text.casefold()
    decomposed = unicodedata.normalize("NFKD", text)
    points = code_points(decomposed)
    if points is None:
        return _fold(text)
    marks = np.zeros(len(points), dtype=bool)
    for low, high in _COMBINING_RANGES:
        marks |= (points >= low) & (points <= high)
    if marks.any():
        decomposed = points[~marks].tobytes().decode("utf-32-le")
    return decomposed.casefold()


def _stem(word: str) -> str:
    # Plural folding only: joins "migrant"/"migrants"; crude, but the same for every article.
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


# Hashed stems of words already seen (an archive's vocabulary is small next to its word count):
# None for a stop word.
_STEMS: dict[str, int | None] = {}


def _stem_or_none(word: str) -> int | None:
    """The 64-bit hash of the feature a word counts for (its stem), or None for a stop word."""
    try:
        return _STEMS[word]
    except KeyError:
        found = None
        if word not in _STOPWORDS:
            data = _stem(word).encode("utf-8", "surrogatepass")
            found = int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "little")
        if len(_STEMS) < 1_000_000:
            _STEMS[word] = found
        return found


def word_feature(word: str) -> int | None:
    """The feature (stem hash) a single word counts for, or None when it counts for none (a stop
    word, a word shorter than _MIN_WORD letters, anything but letters)."""
    folded = _fold(word)
    if len(folded) < _MIN_WORD or not _WORD.fullmatch(folded):
        return None
    return _stem_or_none(folded)


def related_features(text: str, entities: Iterable[str] = ()) -> RelatedFeatures:
    """The related-article features of one article text (title and body) and its entity names."""
    folded = _folded(text)
    if folded is None:  # a lone surrogate: words as strings
        return _counted(_letter_words(text), entities)
    words: dict[int, int] = {}
    _add_words(*folded, words)
    return _features_of_counts(words, entities)


def article_related_features(
    title: str, body: str, analysis: Analysis | None, entities: Iterable[str] = ()
) -> RelatedFeatures:
    """related_features(f"{title}\n{body}", entities), reusing tokens.analyse(body).

    Folding is per character, so the title's words and then the body's are the words of the
    whole text, in order. For a plain body folding is casefold in place (tokens.Analysis).
    """
    if analysis is not None and analysis.folded is not None:
        folded: tuple[np.ndarray, np.ndarray] | None = (analysis.folded, analysis.bits)
    else:
        folded = _folded(body)
    if folded is None:
        return related_features(f"{title}\n{body}", entities)
    words: dict[int, int] = {}
    get = words.get
    for word, count in Counter(_letter_words(title)).items():
        stem = _stem_or_none(word)
        if stem is not None:
            words[stem] = get(stem, 0) + count
    _add_words(*folded, words)
    return _features_of_counts(words, entities)


def _folded(text: str) -> tuple[np.ndarray, np.ndarray] | None:
    """The code points of _fold(text) and their classes (None for a lone surrogate)."""
    points = code_points(_fold_long(text))
    return None if points is None else (points, classes(points))


def _add_words(points: np.ndarray, bits: np.ndarray, words: dict[int, int]) -> None:
    """Add the counts of the stems of a folded text's words to `words` (stem hash -> count), in
    order of first use. Words are never made into strings: each is hashed where it stands, and
    the hash of a word seen before names its stem."""
    get = words.get
    starts, ends = run_bounds(bits, LETTER)
    long = ends - starts >= _MIN_WORD
    starts, ends = starts[long], ends[long]
    hashes = hash_runs(points, starts, ends).tolist()
    known = _WORD_STEMS
    where: dict[int, int] = {}
    for word_hash, count in Counter(hashes).items():
        found = known.get(word_hash, -1)
        if found == -1:
            # Any place of the word will do (the same hash, the same word).
            where = where or dict(zip(hashes, range(len(hashes)), strict=True))
            at = where[word_hash]
            word = points[starts[at] : ends[at]].tobytes().decode("utf-32-le")
            found = _stem_or_none(word)
            if len(known) < 1_000_000:
                known[word_hash] = found
        if found is not None:
            words[found] = get(found, 0) + count


# hash_runs of folded words already seen -> their stem's hash (None for a stop word).
_WORD_STEMS: dict[int, int | None] = {}


def _letter_words(text: str) -> list[str]:
    if len(text) < 1000:  # a title: one regex scan costs less than the numpy calls
        return [w for w in _WORD.findall(_fold(text)) if len(w) >= _MIN_WORD]
    folded = _fold_long(text)
    points = code_points(folded)
    if points is None:
        return [w for w in _WORD.findall(folded) if len(w) >= _MIN_WORD]
    return long_runs(points, classes(points), LETTER, _MIN_WORD)


def _counted(found: list[str], entities: Iterable[str]) -> RelatedFeatures:
    words: dict[int, int] = {}
    get = words.get
    for word, count in Counter(found).items():
        stem = _stem_or_none(word)
        if stem is not None:
            words[stem] = get(stem, 0) + count
    return _features_of_counts(words, entities)


def _features_of_counts(words: dict[int, int], entities: Iterable[str]) -> RelatedFeatures:
    names = tuple({_fold(e).strip(): 1 for e in entities if e.strip()})
    return RelatedFeatures(
        np.fromiter(words.keys(), dtype="<u8", count=len(words)).tobytes(),
        np.fromiter(words.values(), dtype="<u4", count=len(words)).tobytes(),
        names,
    )


def related_articles(
    items: Sequence[RelatedInput],
    limit: int = 5,
    *,
    min_score: float | None = None,
    entity_weight: float = ENTITY_WEIGHT,
) -> dict[str, tuple[str, ...]]:
    """related_from_features over the features of each item's text and entities."""
    return related_from_features(
        [(item.slug, related_features(item.text, item.entities)) for item in items],
        limit,
        min_score=min_score,
        entity_weight=entity_weight,
    )


def related_from_features(
    items: Iterable[tuple[str, RelatedFeatures]],
    limit: int = 5,
    *,
    min_score: float | None = None,
    entity_weight: float = ENTITY_WEIGHT,
) -> dict[str, tuple[str, ...]]:
    """For every slug, up to `limit` related slugs, best first.

    The score is the TF-IDF cosine of the words, blended with the cosine of the entity names when
    both articles have enough text and names for it to tell (two names and some 50 content words
    each; similarity.py says why): (1 - entity_weight) * words + entity_weight * entities. A few
    shared names lift a pair worded apart above the lowest score. Deterministic (ties broken by
    slug) and independent of the order of `items`; every input slug is a key, possibly with no
    related slugs.

    Raises ValueError when two items share a slug, or when min_score is not above 0 (the pairs
    scored are those sharing a feature; the rest score 0).
    """
    ordered = sorted(items, key=lambda item: item[0])
    slugs = [slug for slug, _ in ordered]
    duplicated = sorted({a for a, b in itertools.pairwise(slugs) if a == b})
    if duplicated:
        raise ValueError(f"related_articles: duplicate slugs {duplicated}")
    columns = RelatedColumns.of([f for _, f in ordered])
    return related_from_columns(
        slugs, columns, limit, min_score=min_score, entity_weight=entity_weight
    )
