"""Stage annotate (copies, whole archive): near-duplicate pairs + their texts -> DuplicateLinks.

dedupe finds the pairs (MinHash over shingles and over names and numbers); here each pair's two
texts are aligned (align.read_pair) and the reading decides the link: a spun copy and its
original (with the swaps, copy -> original wording), a near-duplicate (a repost or a desk's edit
of a wire story), or nothing (two reports of one event that share names, not text).

Which side of a spun pair is the original: the earlier, when both are dated on different days;
else the side whose swapped wording is the common wording, and whose swapped words make the
common collocations with the words around them (a spinner's synonyms are rarer words than the
ones it replaced, "stated" for "said", and make pairs English rarely has, "Joined States" for
"United States"), counted in general English (english.py) and by how many of the archive's
articles use each word; when that is not clear, the less spun by the single-text detector; then
the side whose wording the other text still uses elsewhere (a spinner swaps some occurrences of a
word and leaves the rest); then the less spun, the dated one, the first slug.

Readings are cached by the pair's content keys (PairCache), so an edit aligns only the pairs of
the article edited; a build of an archive without copies aligns nothing.
"""

from __future__ import annotations

import contextlib
import itertools
import math
import pickle
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import astuple
from pathlib import Path
from typing import Any

from generator.annotate.align import PairReading, Substitution, read_pair
from generator.annotate.dedupe import DedupeInput, SignatureColumns, near_pairs
from generator.annotate.links import Basis, DuplicateLink, Relation, Swap
from generator.annotate.spin import verdict_for
from generator.fsutil import atomic_file

_CACHE_VERSION = 3  # bump when PairReading or read_pair changes
# How much more common (summed log counts) one side's swapped wording must be to say it is the
# original's; less is left to the detector and the words the copy still uses.
_CLEAR_LEAD = 1.0
Edge = tuple[int, int, float, Basis]
Commonness = Callable[[str], float | None]


def _date_key(date: str | None) -> tuple[int, str]:
    return (1, "") if date is None else (0, date)


def _day(date: str | None) -> str | None:
    return date[:10] if date else None


def _never_common(_: str) -> float | None:
    return None


def first_is_original(
    reading: PairReading,
    dates: tuple[str | None, str | None],
    spins: tuple[float, float],
    slugs: tuple[str, str],
    commonness: Commonness = _never_common,
) -> bool:
    """Whether the first text of a spun pair is the original (module docstring for the order)."""
    first_day, second_day = _day(dates[0]), _day(dates[1])
    if first_day and second_day and first_day != second_day:
        return first_day < second_day
    # The wording that is common English, in English and in this archive, is the original's.
    lead = reading.first_lead
    for sub in reading.substitutions:
        if sub.is_lexical:
            common_first, common_second = commonness(sub.first), commonness(sub.second)
            if common_first is not None and common_second is not None:
                lead += common_first - common_second
    if abs(lead) >= _CLEAR_LEAD:
        return lead > 0
    echoes = reading.first_echoed - reading.second_echoed
    verdicts = verdict_for(spins[0]) != "original", verdict_for(spins[1]) != "original"
    if verdicts[0] != verdicts[1]:
        return verdicts[1]
    if echoes:
        return echoes > 0
    return (spins[0], _date_key(dates[0]), slugs[0]) <= (spins[1], _date_key(dates[1]), slugs[1])


def _swaps(reading: PairReading, copy_is_first: bool) -> tuple[Swap, ...]:
    """The substitutions as the copy's wording -> the original's, anchored in the copy."""
    found = []
    for sub in reading.substitutions:
        if copy_is_first:
            found.append(Swap(sub.first, sub.second, sub.first_prefix, sub.first_suffix))
        else:
            found.append(Swap(sub.second, sub.first, sub.second_prefix, sub.second_suffix))
    return tuple(found)


def links_of(
    slugs: Sequence[str],
    edges: Iterable[Edge],
    spins: Sequence[float],
    dates: Sequence[str | None],
    readings: Mapping[tuple[int, int], PairReading] | None = None,
    commonness: Commonness = _never_common,
) -> dict[str, tuple[DuplicateLink, ...]]:
    """Every article's links to the articles that copy it or that it copies, most similar first.

    `edges` are dedupe's near pairs (i, j, similarity, basis), i < j; `readings` the aligned
    pairs (a pair without one, whose texts were not at hand, is judged by the spin scores
    alone: the less spun is the original of a copy scored spun or suspect). The result does not
    depend on the order of the rows.
    """
    readings = readings or {}
    found: list[list[DuplicateLink]] = [[] for _ in slugs]
    for i, j, similarity, basis in edges:
        reading = readings.get((i, j))
        pair = (slugs[i], slugs[j])
        if reading is None:
            i_first = (spins[i], _date_key(dates[i]), slugs[i]) < (
                spins[j],
                _date_key(dates[j]),
                slugs[j],
            )
            copy_spin = spins[j] if i_first else spins[i]
            is_spun = verdict_for(copy_spin) != "original"
            swaps: tuple[Swap, ...] = ()
            extra_i = extra_j = (0, 0)
        elif reading.kind == "apart":
            continue
        else:
            is_spun = reading.kind == "spun"
            i_first = first_is_original(
                reading, (dates[i], dates[j]), (spins[i], spins[j]), pair, commonness
            )
            swaps = _swaps(reading, copy_is_first=not i_first) if is_spun else ()
            extra_i, extra_j = (reading.cut, reading.added), (reading.added, reading.cut)
        for_i: Relation
        for_j: Relation
        if not is_spun:
            for_i = for_j = "near-duplicate"
        elif i_first:
            for_i, for_j = "original-of", "spun-copy-of"
        else:
            for_i, for_j = "spun-copy-of", "original-of"
        found[i].append(DuplicateLink(slugs[j], similarity, for_i, basis, swaps, *extra_i))
        found[j].append(DuplicateLink(slugs[i], similarity, for_j, basis, swaps, *extra_j))
    return {
        slug: tuple(sorted(links, key=lambda link: (-link.similarity, link.slug)))
        for slug, links in zip(slugs, found, strict=True)
    }


def duplicate_links(
    entries: Iterable[DedupeInput], texts: Mapping[str, str] | None = None
) -> dict[str, tuple[DuplicateLink, ...]]:
    """Every article's links to the articles that copy it or that it copies, most similar first.

    `texts` (slug -> body), when given, are aligned pair by pair (see links_of). Every input slug
    is a key. The result depends on the entries only, not on their order. Raises ValueError when
    two entries share a slug.
    """
    ordered = sorted(entries, key=lambda entry: entry[0])
    slugs = [entry[0] for entry in ordered]
    for a, b in itertools.pairwise(slugs):
        if a == b:
            raise ValueError(f"duplicate_links: duplicate slug {a!r}")
    edges = near_pairs(SignatureColumns.of([entry[1] for entry in ordered]))
    readings = {}
    if texts is not None:
        for i, j, _, _ in edges:
            if slugs[i] in texts and slugs[j] in texts:
                readings[(i, j)] = read_pair(texts[slugs[i]], texts[slugs[j]])
    return links_of(
        slugs,
        edges,
        [entry[2] for entry in ordered],
        [entry[3] for entry in ordered],
        readings,
    )


class PairCache:
    """PairReadings by the content keys of their two texts, kept in a file between builds.

    Only the pairs asked for in a build are kept when it is saved: a pair that is gone (an
    article edited or removed) drops out.
    """

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.stored: dict[tuple[str, str], Any] = {}
        self.used: dict[tuple[str, str], Any] = {}
        if path is not None:
            with contextlib.suppress(Exception):  # missing or damaged: align again
                with path.open("rb") as handle:
                    data = pickle.load(handle)
                if isinstance(data, dict) and data.get("version") == _CACHE_VERSION:
                    self.stored = dict(data["pairs"])

    def get(self, key: tuple[str, str]) -> PairReading | None:
        packed = self.stored.get(key)
        if packed is None:
            return None
        with contextlib.suppress(Exception):
            reading = _unpack(packed)
            self.used[key] = packed
            return reading
        return None

    def put(self, key: tuple[str, str], reading: PairReading) -> None:
        self.used[key] = _pack(reading)

    def save(self) -> None:
        if self.path is None or self.used.keys() == self.stored.keys():
            return
        with contextlib.suppress(OSError), atomic_file(self.path) as handle:
            data = {"version": _CACHE_VERSION, "pairs": self.used}
            pickle.dump(data, handle, protocol=pickle.HIGHEST_PROTOCOL)


def _pack(reading: PairReading) -> tuple[Any, ...]:
    values = list(astuple(reading))
    values[1] = [tuple(s) for s in values[1]]
    return tuple(values)


def _unpack(packed: tuple[Any, ...]) -> PairReading:
    values = list(packed)
    values[1] = tuple(Substitution(*s) for s in values[1])
    values[7] = tuple(values[7])
    return PairReading(*values)


def read_pairs(
    edges: Sequence[Edge],
    keys: Sequence[str],
    texts: Callable[[list[int]], Mapping[int, str]],
    cache: PairCache | None = None,
) -> dict[tuple[int, int], PairReading]:
    """The reading of every edge whose two texts can be had: from the cache by the rows' content
    `keys`, else aligned from texts(rows) (row -> text; rows it cannot give are left out)."""
    cache = cache or PairCache(None)
    readings: dict[tuple[int, int], PairReading] = {}
    missing: list[tuple[int, int]] = []
    for i, j, _, _ in edges:
        hit = cache.get((keys[i], keys[j]))
        if hit is None:
            missing.append((i, j))
        else:
            readings[(i, j)] = hit
    if missing:
        got = texts(sorted({row for pair in missing for row in pair}))
        for i, j in missing:
            if i in got and j in got:
                reading = readings[(i, j)] = read_pair(got[i], got[j])
                cache.put((keys[i], keys[j]), reading)
    cache.save()
    return readings


def commonness_of(document_frequency: Callable[[str], int | None], articles: int) -> Commonness:
    """How common a phrase is in the archive: the log of the number of articles using its
    rarest word (a phrase is no more common than that; a stop word, which is no feature, counts
    as in every article), or None for a phrase with no letters, or when the archive is too small
    to say (fewer than 40 articles: every word is in one or two)."""
    if articles < 40:
        return _never_common

    def common(phrase: str) -> float | None:
        words = re.findall(r"[^\W\d_]+", phrase)
        if not words:
            return None
        values = [document_frequency(word) for word in words]
        return min(math.log1p(articles if v is None else v) for v in values)

    return common
