"""Stage annotate (related): text + entity names -> RelatedFeatures; all of them -> {slug: related slugs}.

TF-IDF cosine over content words, blended with a cosine over entity names (people, organizations,
places), which weigh more: two stories naming the same minister and the same summit are related even
when worded apart. No model and no n x n matrix: articles are sparse vectors (scipy.sparse), and the
similarities are computed a block of rows at a time. Features found in only one article cannot
relate two, and features in more than 5% of a large archive (its boilerplate) say little; both
count in each vector's length but are left out of the product, which keeps it sparse.

The two halves are apart: related_features reads one article (pure, cacheable by content: the
stems of its words, hashed, with their counts, and its folded entity names); related_from_features
needs them all (document frequencies, unit TF-IDF rows, the sparse product, the best per row).
The weights are computed operation by operation as the first version did (per-article Counters and
math.log), so for the same texts the scores, and so the lists, are bit for bit the same.
"""

from __future__ import annotations

import hashlib
import itertools
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from scipy import sparse

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


# The share of the archive a feature may appear in and still be compared (only applied from
# _MIN_ARCHIVE articles up, where document frequency means something), and the cells per block.
_MAX_DF_SHARE = 0.05
_MIN_ARCHIVE = 40
_BLOCK_CELLS = 4_000_000
# Scores (sparse entries) a block of rows may make. Each costs ~12 bytes in each of the block's
# few intermediate matrices: 4 million held 244 MB at the peak at 10,000 articles, 2 million
# 205 MB, with the same time at 100,000 (13-14 s; 1 million: 15 s).
_BLOCK_SCORES = 2_000_000
_SLICE = 1 << 20  # entries per slice where a full-size temporary array would be too big

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
    min_score: float = 0.1,
    entity_weight: float = 0.4,
) -> dict[str, tuple[str, ...]]:
    """related_from_features over the features of each item's text and entities."""
    return related_from_features(
        [(item.slug, related_features(item.text, item.entities)) for item in items],
        limit,
        min_score=min_score,
        entity_weight=entity_weight,
    )


@dataclass(frozen=True, slots=True)
class RelatedColumns:
    """The related-article features of many articles as arrays, row i for article i.

    `words[k]` and `counts[k]` are the k-th (feature id, count) of the rows laid end to end, each
    row `lengths[i]` long and in its own order (first use): that order is the order in which a
    row's length is summed and its products accumulated, so it must be kept. The ids only name
    features (any numbering gives the same scores); `entities` are the rows' folded entity names
    end to end, `entity_counts[i]` of them for row i.
    """

    words: np.ndarray  # int32 (int64 past 2**31 features)
    counts: np.ndarray  # uint32
    lengths: np.ndarray  # int64
    entities: list[str]
    entity_counts: np.ndarray  # int64

    @classmethod
    def of(cls, features: Sequence[RelatedFeatures]) -> RelatedColumns:
        """Columns of features in that order, words numbered 0, 1, 2... by hash order."""
        return cls.numbered(features, np.empty(0, dtype=np.uint64))[0]

    @classmethod
    def numbered(
        cls, features: Sequence[RelatedFeatures], vocabulary: np.ndarray
    ) -> tuple[RelatedColumns, np.ndarray]:
        """Columns of features in that order, words numbered by `vocabulary` (id -> stem hash),
        and the vocabulary, extended with the stems it lacked (number_words)."""
        stems = np.frombuffer(b"".join(f.stems for f in features), dtype="<u8")
        vocabulary, ids = number_words(vocabulary, stems)
        del stems  # (a 100,000-article archive has some 30 million stems: every copy counts)
        columns = cls(
            ids,
            np.frombuffer(b"".join(f.counts for f in features), dtype="<u4"),
            np.array([len(f.counts) // 4 for f in features], dtype=np.int64),
            [name for f in features for name in f.entities],
            np.array([len(f.entities) for f in features], dtype=np.int64),
        )
        return columns, vocabulary

    def __len__(self) -> int:
        return len(self.lengths)

    def select(self, rows: np.ndarray) -> RelatedColumns:
        """The rows where the boolean mask `rows` is True, in order."""
        if rows.all():
            return self
        return self.joined(rows, None)

    def joined(
        self,
        rows: np.ndarray,
        other: RelatedColumns | None,
        words_dtype: np.dtype[Any] | None = None,
    ) -> RelatedColumns:
        """The rows where the boolean mask `rows` is True, then other's rows (whose word ids must
        be of the same numbering; `words_dtype` must hold them all): each column copied once."""
        words_dtype = words_dtype or self.words.dtype
        counts_dtype = self.counts.dtype
        if other is not None and len(other.counts):
            counts_dtype = np.promote_types(counts_dtype, count_dtype(int(other.counts.max())))
        # Kept rows come in a few long runs (an edit drops one row): slices of those, not a
        # mask over every word.
        edges = np.flatnonzero(np.diff(np.r_[False, rows, False]))
        firsts, lasts = edges[0::2], edges[1::2]
        ends = np.r_[0, np.cumsum(self.lengths)]
        name_ends = np.r_[0, np.cumsum(self.entity_counts)].tolist()
        spans = list(zip(ends[firsts].tolist(), ends[lasts].tolist(), strict=True))
        names = self.entities
        kept_names = [
            n
            for a, b in zip(firsts.tolist(), lasts.tolist(), strict=True)
            for n in names[name_ends[a] : name_ends[b]]
        ]
        tail = [] if other is None else [other]
        return RelatedColumns(
            drained([self.words[a:b] for a, b in spans] + [o.words for o in tail], words_dtype),
            drained([self.counts[a:b] for a, b in spans] + [o.counts for o in tail], counts_dtype),
            np.concatenate([self.lengths[rows], *(o.lengths for o in tail)]),
            kept_names + (other.entities if other is not None else []),
            np.concatenate([self.entity_counts[rows], *(o.entity_counts for o in tail)]),
        )

    def take(self, rows: Sequence[int]) -> RelatedColumns:
        """The rows at these indexes, in that order (an index may repeat)."""
        ends = np.cumsum(self.lengths).tolist()
        name_ends = np.cumsum(self.entity_counts).tolist()
        words = [np.arange(ends[r] - int(self.lengths[r]), ends[r]) for r in rows]
        at = np.concatenate(words) if words else np.empty(0, dtype=np.int64)
        names = self.entities
        return RelatedColumns(
            self.words[at],
            self.counts[at],
            self.lengths[list(rows)],
            [
                n
                for r in rows
                for n in names[name_ends[r] - int(self.entity_counts[r]) : name_ends[r]]
            ],
            self.entity_counts[list(rows)],
        )

    def concat(self, other: RelatedColumns) -> RelatedColumns:
        """These rows, then other's (whose word ids must be of the same numbering)."""
        return RelatedColumns(
            np.concatenate([self.words, other.words.astype(self.words.dtype, copy=False)]),
            np.concatenate([self.counts, other.counts]),
            np.concatenate([self.lengths, other.lengths]),
            self.entities + other.entities,
            np.concatenate([self.entity_counts, other.entity_counts]),
        )


def id_dtype(words: int) -> np.dtype[Any]:
    """The smallest integer type for ids of a vocabulary of `words` (the table's widest column:
    a news archive's words, some 300 per article, 30 million at 100,000 articles)."""
    if words <= 2**16:
        return np.dtype(np.uint16)
    return np.dtype(np.int32 if words < 2**31 else np.int64)


def count_dtype(largest: int) -> np.dtype[Any]:
    """The smallest unsigned type for word counts up to `largest` (a word rarely comes 255 times)."""
    for kind in (np.uint8, np.uint16):
        if largest <= np.iinfo(kind).max:
            return np.dtype(kind)
    return np.dtype(np.uint32)


def drained(parts: list[np.ndarray], dtype: Any, width: int = 0) -> np.ndarray:
    """The parts (rows of `width` values, or single values) end to end as `dtype`: one copy,
    values cast on the way. The list is emptied as they are copied, so that parts it alone
    holds and the whole are never all in memory at once."""
    rows = sum(len(p) for p in parts)
    out = np.empty((rows, width) if width else rows, dtype=dtype)
    parts.reverse()
    at = 0
    while parts:
        part = parts.pop()
        out[at : at + len(part)] = part
        at += len(part)
    return out


def related_from_features(
    items: Iterable[tuple[str, RelatedFeatures]],
    limit: int = 5,
    *,
    min_score: float = 0.1,
    entity_weight: float = 0.4,
) -> dict[str, tuple[str, ...]]:
    """For every slug, up to `limit` related slugs, best first.

    The score is the TF-IDF cosine of the words, blended with the cosine of the entity names when
    both articles have some: (1 - entity_weight) * words + entity_weight * entities. A handful of
    shared names thus weighs as much as hundreds of shared words. Deterministic (ties broken by
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


def related_from_columns(
    slugs: Sequence[str],
    columns: RelatedColumns,
    limit: int = 5,
    *,
    min_score: float = 0.1,
    entity_weight: float = 0.4,
) -> dict[str, tuple[str, ...]]:
    """related_from_features of row i = (slugs[i], its features in `columns`), rows in any order
    (the result does not depend on it: ties go by slug); the slugs must be distinct.

    Raises ValueError when min_score is not above 0.
    """
    if min_score <= 0:
        raise ValueError(f"related_from_features: min_score must be above 0 (got {min_score})")
    n = len(slugs)
    result: dict[str, tuple[str, ...]] = {slug: () for slug in slugs}
    if n < 2 or limit <= 0:
        return result
    rank = np.empty(n, dtype=np.int64)
    rank[sorted(range(n), key=slugs.__getitem__)] = np.arange(n)
    words = _unit_rows(columns.words, columns.counts, columns.lengths)
    entities, has_entities = _entity_rows(columns.entities, columns.entity_counts)
    words_t = words.T.tocsr()
    entities_t = entities.T.tocsr()
    # Rows a block at a time: the first block bounded by cells, the next ones by the scores the
    # last one made per row (at 100,000 articles 40 rows a block meant 2,500 products, whose
    # per-call cost was a third of the stage).
    start, block = 0, max(1, _BLOCK_CELLS // n)
    while start < n:
        stop = min(n, start + block)
        word_scores = words[start:stop] @ words_t
        entity_scores = (
            entities[start:stop] @ entities_t if has_entities[start:stop].any() else None
        )
        made = word_scores.nnz + (entity_scores.nnz if entity_scores is not None else 0)
        scores = _blended(
            word_scores,
            entity_scores,
            has_entities[start:stop],
            has_entities,
            entity_weight,
            min_score,
        )
        del word_scores, entity_scores
        _best(scores, start, slugs, rank, limit, min_score, result)
        per_row = max(1.0, made / (stop - start))
        block = max(1, min(block * 8, int(_BLOCK_SCORES / per_row)))
        start = stop
    return result


def _blended(
    words: sparse.csr_matrix,
    entities: sparse.csr_matrix | None,
    row_has: np.ndarray,
    column_has: np.ndarray,
    entity_weight: float,
    min_score: float,
) -> sparse.csr_matrix:
    """A block's scores: the word cosine w, or where both articles have entities
    (1 - entity_weight) * w + entity_weight * e, with the first version's float operations, kept
    only where the score can reach min_score.

    Without a shared entity a pair scores at most w, so the (in a real archive, very many) word
    cosines below min_score go before anything else; pairs sharing entities keep theirs.
    """
    from scipy import sparse  # here: 0.3 s to import, needed only when scores are made

    low = min_score * (1 - 1e-9) if 0 <= entity_weight <= 1 else -np.inf
    high = words.data >= low
    rest = sparse.csr_matrix(
        (words.data[high], words.indices[high], _kept_indptr(words.indptr, high)),
        shape=words.shape,
    )
    shared = None
    if entities is not None and entities.nnz:
        shared = entity_weight * entities
        if words.nnz:
            where = sparse.csr_matrix(
                (np.ones(entities.nnz), entities.indices, entities.indptr), shape=entities.shape
            )
            # w * 1.0 is w: the word cosines where entities are shared, however small.
            shared = (1 - entity_weight) * words.multiply(where) + shared
            if rest.nnz:
                rest = rest - rest.multiply(where)
                rest.eliminate_zeros()
    if row_has.any() and rest.nnz:
        rows = np.repeat(np.arange(rest.shape[0]), np.diff(rest.indptr))
        both = row_has[rows] & column_has[rest.indices]
        # (1 - entity_weight) * w + entity_weight * 0.0 is (1 - entity_weight) * w.
        rest.data = np.where(both, (1 - entity_weight) * rest.data, rest.data)
    if shared is None:
        return rest
    return sparse.csr_matrix(shared if not rest.nnz else rest + shared)


def _kept_indptr(indptr: np.ndarray, kept: np.ndarray) -> np.ndarray:
    """The indptr of a CSR matrix after dropping the entries where `kept` is False."""
    counts = np.concatenate([[0], np.cumsum(kept, dtype=np.int64)])
    result: np.ndarray = counts[indptr]
    return result


def _best(
    scores: sparse.csr_matrix,
    start: int,
    slugs: Sequence[str],
    rank: np.ndarray,
    limit: int,
    min_score: float,
    result: dict[str, tuple[str, ...]],
) -> None:
    """Each row's `limit` best columns scoring at least min_score (itself excluded), ties by slug
    (`rank`: each row's place in slug order)."""
    places = np.flatnonzero(scores.data >= min_score)
    rows = np.repeat(np.arange(start, start + scores.shape[0]), np.diff(scores.indptr))[places]
    columns, values = scores.indices[places], scores.data[places]
    mine = columns != rows
    rows, columns, values = rows[mine], columns[mine], values[mine]
    if not len(rows):
        return
    # Narrow each row to about its `limit` best before the exact sort: a float key (row, then
    # value, descending) sorts without an argsort; its order is exact to ~1e-11, so everything
    # within 1e-9 of a row's limit-th best stays, and lexsort then decides exactly.
    key = np.sort((rows - start) * 4.0 + (2.0 - values))
    counts = np.bincount(rows - start, minlength=scores.shape[0])
    ends = np.cumsum(counts)
    present = np.flatnonzero(counts)
    kth = ends[present] - counts[present] + np.minimum(counts[present], limit) - 1
    threshold = np.full(scores.shape[0], np.inf)
    threshold[present] = 2.0 - (key[kth] - present * 4.0) - 1e-9
    near = values >= threshold[rows - start]
    rows, columns, values = rows[near], columns[near], values[near]
    order = np.lexsort((rank[columns], -values, rows))
    rows, columns = rows[order], columns[order]
    first = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]]) if len(rows) else rows
    bounds = np.r_[first, len(rows)]
    for a, b in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
        result[slugs[rows[a]]] = tuple(slugs[c] for c in columns[a : min(b, a + limit)].tolist())


def _dense_ids(hashes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values of `hashes`, sorted, and the place of each entry among them (np.unique
    with its inverse, faster: np.unique argsorts, slow on 64-bit keys; a plain sort and a binary
    search are not), as 32-bit integers where they fit, looked up a slice at a time."""
    distinct = np.sort(hashes)
    distinct = distinct[np.r_[True, distinct[1:] != distinct[:-1]]] if len(distinct) else distinct
    ids = np.empty(len(hashes), dtype=np.int32 if len(distinct) < 2**31 else np.int64)
    for start in range(0, len(hashes), _SLICE):
        ids[start : start + _SLICE] = np.searchsorted(distinct, hashes[start : start + _SLICE])
    return distinct, ids


def number_words(vocabulary: np.ndarray, stems: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Ids of `stems` (64-bit hashes) in `vocabulary` (id -> hash), which is extended with the
    ones it lacks, numbered on from its end by hash order: (the new vocabulary, the ids)."""
    if not len(vocabulary):
        return _dense_ids(stems)
    order = np.argsort(vocabulary)
    known = vocabulary[order]
    ids = np.empty(len(stems), dtype=np.int64)
    missing = np.zeros(len(stems), dtype=bool)
    for start in range(0, len(stems), _SLICE):
        part = stems[start : start + _SLICE]
        at = np.minimum(np.searchsorted(known, part), len(known) - 1)
        hit = known[at] == part
        ids[start : start + _SLICE] = np.where(hit, order[at], -1)
        missing[start : start + _SLICE] = ~hit
    if missing.any():
        new = np.unique(stems[missing])
        ids[missing] = len(vocabulary) + np.searchsorted(new, stems[missing])
        vocabulary = np.concatenate([vocabulary, new])
    return vocabulary, ids.astype(np.int32 if len(vocabulary) < 2**31 else np.int64)


def _entity_rows(names: list[str], counts: np.ndarray) -> tuple[sparse.csr_matrix, np.ndarray]:
    ids: dict[str, int] = {}
    columns = [ids.setdefault(name, len(ids)) for name in names]
    matrix = _unit_rows(
        np.array(columns, dtype=np.int64), np.ones(len(columns), dtype=np.int64), counts
    )
    return matrix, counts > 0


def _unit_rows(columns: np.ndarray, counts: np.ndarray, lengths: np.ndarray) -> sparse.csr_matrix:
    """TF-IDF rows of unit length; columns for features that cannot help are then dropped.

    `columns[k]` and `counts[k]` are the k-th (feature, count) of the rows laid end to end, each
    row `lengths[i]` long, in the row's own order: that order is the order in which each row's
    length is summed and its products accumulated, as in the first version, so the floats agree.
    Weights are worked out whole rows a slice of entries at a time, twice (for the lengths, then
    for the entries kept): no array the size of the archive's words but the result's.
    """
    from scipy import sparse  # here: 0.3 s to import, needed only when scores are made

    n = len(lengths)
    df = np.bincount(columns, minlength=1)
    max_df = max(2, int(n * _MAX_DF_SHARE)) if n >= _MIN_ARCHIVE else n
    # math.log on each possible count and document frequency, as the first version did per entry.
    largest = int(counts.max()) if len(counts) else 1
    tf_table = np.array([1.0 + math.log(c) for c in range(1, largest + 1)], dtype=np.float64)
    idf_table = np.array([math.log((1 + n) / (1 + d)) + 1.0 for d in range(n + 1)])
    idf = idf_table[df]
    slices = _row_slices(lengths)

    def weights(first: int, last: int) -> np.ndarray:
        result: np.ndarray = tf_table[counts[first:last] - 1] * idf[columns[first:last]]
        return result

    norm_sq = np.zeros(n, dtype=np.float64)
    for top, bottom, first, last in slices:
        norm_sq[top:bottom] = _squares_summed(weights(first, last), lengths[top:bottom])
    norms = np.sqrt(norm_sq)
    norms[norms == 0] = 1.0
    useful = (df >= 2) & (df <= max_df)
    used = np.flatnonzero(useful)
    renumber = np.full(len(df), -1, dtype=np.int32 if len(used) < 2**31 else np.int64)
    renumber[used] = np.arange(len(used))
    total = int(df[useful].sum())  # entries kept (a row names a feature once)
    data = np.empty(total, dtype=np.float64)
    indices = np.empty(total, dtype=renumber.dtype)
    per_row = np.zeros(n, dtype=np.int64)
    at = 0
    for top, bottom, first, last in slices:
        part = columns[first:last]
        kept = useful[part]
        rows = np.repeat(np.arange(top, bottom), lengths[top:bottom])[kept]
        values = weights(first, last)[kept]
        values /= norms[rows]
        data[at : at + len(values)] = values
        indices[at : at + len(values)] = renumber[part[kept]]
        at += len(values)
        per_row[top:bottom] = np.bincount(rows - top, minlength=bottom - top)
    indptr = np.concatenate([[0], np.cumsum(per_row)]).astype(np.int64)
    return sparse.csr_matrix((data, indices, indptr), shape=(n, len(used)))


def _row_slices(lengths: np.ndarray) -> list[tuple[int, int, int, int]]:
    """(first row, row after the last, first entry, entry after the last) of runs of whole rows
    holding about _SLICE entries each (a longer row is a run of its own)."""
    ends = np.cumsum(lengths)
    found = []
    row, n = 0, len(lengths)
    while row < n:
        first = int(ends[row] - lengths[row])
        stop = max(row + 1, int(np.searchsorted(ends, first + _SLICE, side="right")))
        found.append((row, stop, first, int(ends[stop - 1])))
        row = stop
    return found


def _squares_summed(weights: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Each row's sum of squared weights (rows end to end, `lengths` long), added left to right
    as the first version did (a vector sum would pair them differently): a CSR matrix-vector
    product adds a row's products in storage order, one at a time, and w * w * 1.0 is w * w."""
    from scipy import sparse

    squares = sparse.csr_matrix(
        (weights * weights, np.zeros(len(weights), dtype=np.int32), np.r_[0, np.cumsum(lengths)]),
        shape=(len(lengths), 1),
    )
    result: np.ndarray = squares @ np.ones(1, dtype=np.float64)
    return result
