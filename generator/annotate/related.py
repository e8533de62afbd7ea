"""Stage annotate (related): RelatedInputs (text + entity names) -> {slug: related slugs, best first}.

TF-IDF cosine over content words plus entity names (people, organizations, places), which weigh more:
two stories naming the same minister and the same summit are related even when worded apart. No
model and no dense n x n matrix: each article keeps its strongest features, an inverted index over
features seen in 2..max_df articles finds the articles it shares them with, and only those pairs
are scored. Features in too many articles (the archive's own boilerplate words) are left out of the
index; they would add little to any score and a lot to the work.
"""

from __future__ import annotations

import heapq
import math
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

# Features kept per article for matching, and the share of the archive a feature may appear in
# before it stops being indexed (only applied from _MIN_ARCHIVE articles up, where df means something).
_TOP_FEATURES = 48
_MAX_DF_SHARE = 0.05
_MIN_ARCHIVE = 40

_WORD = re.compile(r"[^\W\d_]{3,}")
_STOPWORDS = frozenset(
    ["about", "above", "after", "again", "against", "all", "also", "although", "always", "among", "and", "another", "any", "are", "around", "because", "been", "before", "being", "below", "between", "both", "but", "can", "cannot", "could", "did", "does", "doing", "done", "down", "during", "each", "either", "else", "even", "ever", "every", "few", "for", "from", "further", "had", "has", "have", "having", "her", "here", "hers", "herself", "him", "himself", "his", "how", "however", "into", "its", "itself", "just", "last", "least", "less", "like", "made", "make", "many", "may", "might", "more", "most", "much", "must", "near", "neither", "never", "next", "nor", "not", "now", "off", "often", "once", "one", "only", "other", "others", "our", "ours", "out", "over", "own", "per", "perhaps", "rather", "really", "same", "several", "shall", "she", "should", "since", "some", "still", "such", "than", "that", "the", "their", "theirs", "them", "themselves", "then", "there", "these", "they", "this", "those", "though", "through", "thus", "too", "toward", "towards", "under", "until", "upon", "very", "was", "were", "what", "when", "where", "whether", "which", "while", "who", "whom", "whose", "why", "will", "with", "within", "without", "would", "yet", "you", "your", "yours", "yourself", "said", "says", "say", "told", "according", "added", "asked", "reported", "including", "new", "first", "second", "third", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "year", "years", "month", "months", "week", "weeks", "day", "days", "time", "times", "today", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "percent", "people", "mr", "mrs", "ms", "dr", "stated", "additionally", "amongst", "whereas", "individuals"]
)


@dataclass(frozen=True, slots=True)
class RelatedInput:
    """What related_articles needs of one article: its slug, its text and its entity names."""

    slug: str
    text: str
    entities: tuple[str, ...] = ()


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _stem(word: str) -> str:
    # Plural folding only: enough to join "migrant"/"migrants", cheap, and never merges two stems.
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _features(item: RelatedInput) -> tuple[Counter[str], Counter[str]]:
    words = Counter(
        _stem(w) for w in _WORD.findall(_fold(item.text).replace("’", "'")) if w not in _STOPWORDS
    )
    entities = Counter({_fold(e).strip(): 1 for e in item.entities if e.strip()})
    return words, entities


def related_articles(
    items: Sequence[RelatedInput],
    limit: int = 5,
    *,
    min_score: float = 0.08,
    entity_weight: float = 0.4,
) -> dict[str, tuple[str, ...]]:
    """For every slug, up to `limit` related slugs, best first.

    The score is the TF-IDF cosine of the words, blended with the cosine of the entity names when
    both articles have some: (1 - entity_weight) * words + entity_weight * entities. A handful of
    shared names thus weighs as much as hundreds of shared words. Deterministic (ties broken by
    slug); every input slug is a key, possibly with no related slugs.

    Raises ValueError when two inputs share a slug.
    """
    slugs = [item.slug for item in items]
    if len(set(slugs)) != len(slugs):
        duplicated = sorted(s for s, c in Counter(slugs).items() if c > 1)
        raise ValueError(f"related_articles: duplicate slugs {duplicated}")
    features = [_features(item) for item in items]
    words = _Channel([f[0] for f in features])
    entities = _Channel([f[1] for f in features])
    result: dict[str, tuple[str, ...]] = {}
    for doc, slug in enumerate(slugs):
        word_scores = words.scores(doc)
        entity_scores = entities.scores(doc) if entities.vectors[doc] else {}
        ranked = []
        for other in word_scores.keys() | entity_scores.keys():
            score = word_scores.get(other, 0.0)
            if entity_scores and entities.vectors[other]:
                score = (1 - entity_weight) * score + entity_weight * entity_scores.get(other, 0.0)
            if score >= min_score:
                ranked.append((-score, slugs[other]))
        result[slug] = tuple(s for _, s in heapq.nsmallest(limit, ranked))
    return result


class _Channel:
    """Sparse unit vectors of one kind of feature, and an inverted index over the useful ones."""

    def __init__(self, counts: list[Counter[str]]) -> None:
        n = len(counts)
        df: Counter[str] = Counter()
        for features in counts:
            df.update(features.keys())
        max_df = max(2, int(n * _MAX_DF_SHARE)) if n >= _MIN_ARCHIVE else n
        self.vectors = [_weights(features, df, n) for features in counts]
        self.postings: defaultdict[str, list[tuple[int, float]]] = defaultdict(list)
        for doc, vector in enumerate(self.vectors):
            for feature, weight in vector:
                if 2 <= df[feature] <= max_df:
                    self.postings[feature].append((doc, weight))

    def scores(self, doc: int) -> dict[int, float]:
        """Cosine (over indexed features) of `doc` with every article it shares one with."""
        scores: defaultdict[int, float] = defaultdict(float)
        for feature, weight in self.vectors[doc]:
            for other, other_weight in self.postings.get(feature, ()):
                if other != doc:
                    scores[other] += weight * other_weight
        return scores


def _weights(features: Counter[str], df: Counter[str], n: int) -> list[tuple[str, float]]:
    """The article's strongest features, L2-normalised over *all* its features."""
    weighted = {
        feature: (1.0 + math.log(count)) * (math.log((1 + n) / (1 + df[feature])) + 1.0)
        for feature, count in features.items()
    }
    norm = math.sqrt(sum(w * w for w in weighted.values())) or 1.0
    strongest = heapq.nlargest(_TOP_FEATURES, weighted.items(), key=lambda fw: (fw[1], fw[0]))
    return [(feature, weight / norm) for feature, weight in strongest]
