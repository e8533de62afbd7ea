"""The first related-articles algorithm (per-article Counters, pure-Python TF-IDF rows), kept as the
reference the vectorised one must agree with. Not used by the generator."""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse


def _word_set(words: str) -> frozenset[str]:
    """A constant set of words written as one space-separated string."""
    return frozenset(words.split())


# The share of the archive a feature may appear in and still be compared (only applied from
# _MIN_ARCHIVE articles up, where document frequency means something), and the cells per block.
_MAX_DF_SHARE = 0.05
_MIN_DF_CAP = 250
_MIN_ARCHIVE = 40
# Names are blended in only for articles with this many distinct names and content words.
_BLEND_NAMES = 2
_BLEND_WORDS = 50

_WORD = re.compile(r"[^\W\d_]{3,}")
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
class RelatedInput:
    """What related_articles needs of one article: its slug, its text and its entity names."""

    slug: str
    text: str
    entities: tuple[str, ...] = ()


def _fold(text: str) -> str:
    """Case- and accent-insensitive: "López" and "lopez" are one feature."""
    if text.isascii():
        return text.casefold()
    return _COMBINING.sub("", unicodedata.normalize("NFKD", text)).casefold()


def _stem(word: str) -> str:
    # Plural folding only: joins "migrant"/"migrants"; crude, but the same for every article.
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


# Stems of words already seen (an archive's vocabulary is small next to its word count).
_STEMS: dict[str, str | None] = {}


def _stem_or_none(word: str) -> str | None:
    """The feature a word counts for, or None for a stop word (cached per word)."""
    try:
        return _STEMS[word]
    except KeyError:
        stem = None if word in _STOPWORDS else _stem(word)
        if len(_STEMS) < 1_000_000:
            _STEMS[word] = stem
        return stem


def _features(item: RelatedInput) -> tuple[Counter[str], Counter[str]]:
    raw = Counter(_WORD.findall(_fold(item.text).replace("’", "'")))
    words: Counter[str] = Counter()
    for word, count in raw.items():
        stem = _stem_or_none(word)
        if stem is not None:
            words[stem] += count
    entities = Counter({_fold(e).strip(): 1 for e in item.entities if e.strip()})
    return words, entities


def related_articles(
    items: Sequence[RelatedInput],
    limit: int = 5,
    *,
    min_score: float | None = None,
    entity_weight: float = 0.15,
) -> dict[str, tuple[str, ...]]:
    """For every slug, up to `limit` related slugs, best first.

    The score is the TF-IDF cosine of the words, blended with the cosine of the entity names when
    both articles have at least _BLEND_NAMES names and _BLEND_WORDS content words:
    (1 - entity_weight) * words + entity_weight * entities. Deterministic (ties broken by slug);
    every input slug is a key, possibly with no related slugs.

    Raises ValueError when two inputs share a slug.
    """
    slugs = [item.slug for item in items]
    if len(set(slugs)) != len(slugs):
        duplicated = sorted(s for s, c in Counter(slugs).items() if c > 1)
        raise ValueError(f"related_articles: duplicate slugs {duplicated}")
    n = len(items)
    if min_score is None:
        min_score = 0.05 if n >= _MIN_ARCHIVE else 0.1
    features = [_features(item) for item in items]
    features = [
        (w, e if len(e) >= _BLEND_NAMES and sum(w.values()) >= _BLEND_WORDS else Counter())
        for w, e in features
    ]
    cap = max(2, _MIN_DF_CAP, int(n * _MAX_DF_SHARE)) if n >= _MIN_ARCHIVE else n
    result = _scored(slugs, features, cap, range(n), limit, min_score, entity_weight)
    # Articles with no list are scored again on all their words.
    lonely = [i for i in range(n) if not result[slugs[i]]]
    if lonely and cap < n and len(lonely) <= max(50, n // 100):
        result.update(_scored(slugs, features, n, lonely, limit, min_score, entity_weight))
    return result


def _scored(
    slugs: list[str],
    features: list[tuple[Counter[str], Counter[str]]],
    max_df: int,
    rows: Sequence[int],
    limit: int,
    min_score: float,
    entity_weight: float,
) -> dict[str, tuple[str, ...]]:
    words = _unit_rows([f[0] for f in features], max_df)
    entities = _unit_rows([f[1] for f in features], max_df)
    has_entities = np.array([bool(f[1]) for f in features])
    result: dict[str, tuple[str, ...]] = {}
    for doc in rows:
        scores = (words[doc] @ words.T).toarray()[0]
        both = has_entities[doc] & has_entities
        if both.any():
            shared = (entities[doc] @ entities.T).toarray()[0]
            scores = np.where(both, (1 - entity_weight) * scores + entity_weight * shared, scores)
        scores[doc] = -1.0
        result[slugs[doc]] = _best(scores, slugs, limit, min_score)
    return result


def _best(row: np.ndarray, slugs: list[str], limit: int, min_score: float) -> tuple[str, ...]:
    candidates = np.flatnonzero(row >= min_score)
    if len(candidates) > limit:
        kth = np.partition(row[candidates], -limit)[-limit]
        candidates = candidates[row[candidates] >= kth]  # keeps ties, broken by slug below
    ranked = sorted((-float(row[i]), slugs[i]) for i in candidates)
    return tuple(slug for _, slug in ranked[:limit])


def _unit_rows(counts: list[Counter[str]], max_df: int) -> sparse.csr_matrix:
    """TF-IDF rows of unit length; columns for features that cannot help are then dropped."""
    n = len(counts)
    df: Counter[str] = Counter()
    for features in counts:
        df.update(features.keys())
    columns = {f: i for i, f in enumerate(sorted(f for f, d in df.items() if 2 <= d <= max_df))}
    indptr: list[int] = [0]
    indices: list[int] = []
    data: list[float] = []
    for features in counts:
        norm_sq = 0.0
        row: list[tuple[int, float]] = []
        for feature, count in features.items():
            weight = (1.0 + math.log(count)) * (math.log((1 + n) / (1 + df[feature])) + 1.0)
            norm_sq += weight * weight
            column = columns.get(feature)
            if column is not None:
                row.append((column, weight))
        norm = math.sqrt(norm_sq) or 1.0
        indices.extend(c for c, _ in row)
        data.extend(w / norm for _, w in row)
        indptr.append(len(indices))
    return sparse.csr_matrix(
        (np.array(data, dtype=np.float64), np.array(indices, dtype=np.int64), np.array(indptr)),
        shape=(n, len(columns)),
    )
