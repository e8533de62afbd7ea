"""Stage plan (listings): entries and annotations -> listing badges and A-Z entity indexes.

A listing (front page, archives, entity and author pages) tells a copy from a story: an article
that is a machine-spun or near-duplicate copy of another one in the archive carries a badge, and
the original says how many copies it has. Entity indexes are split by first letter: a short
index is one page with a letter bar; a long one (thousands of names) gets a page per letter.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from generator.render.entities import EntityRef

if TYPE_CHECKING:
    from generator.annotate.links import ArchiveAnnotation

# An index with more entries than this gets a page per letter (and its front shows the most
# named); below it, one page grouped by letter.
LETTER_PAGES_FROM = 300
# Entries the front of a per-letter index shows as "most named".
TOP_ENTRIES = 40


@dataclass(frozen=True, slots=True)
class Badge:
    """A listing's label for an article: kind is its CSS class (copy, spun, original)."""

    kind: str
    label: str


def listing_badges(
    entries: Sequence[Any], annotations: Mapping[str, ArchiveAnnotation]
) -> dict[str, Badge]:
    """slug -> badge for every article a listing should mark.

    A spun copy is "Spun copy"; of two near-duplicates the later one is "Duplicate" (an undated
    one counts as later than a dated one, the later slug as later among equals); an article
    with copies says how many. (A text
    whose own spin verdict is spun or suspect, with no original in the archive, is marked by
    the listing template from its card.)"""
    place = {e.slug: (e.date is None, e.date or "", e.slug) for e in entries}
    badges: dict[str, Badge] = {}
    for entry in entries:
        notes = annotations.get(entry.slug)
        links = [d for d in (notes.duplicates if notes else ()) if d.slug in place]
        if any(d.relation == "spun-copy-of" for d in links):
            badges[entry.slug] = Badge("spun", "Spun copy")
            continue
        if any(d.relation == "near-duplicate" and place[d.slug] < place[entry.slug] for d in links):
            badges[entry.slug] = Badge("copy", "Duplicate")
            continue
        copies = sum(
            1
            for d in links
            if d.relation == "original-of"
            or (d.relation == "near-duplicate" and place[d.slug] > place[entry.slug])
        )
        if copies:
            badges[entry.slug] = Badge("original", f"{copies} cop{'ies' if copies > 1 else 'y'}")
    return badges


@dataclass(frozen=True, slots=True)
class LetterRef:
    """One letter of an A-Z bar: its label (A, B, ..., #), id and page (None: an in-page jump)."""

    label: str
    key: str
    url: str | None


@dataclass(frozen=True, slots=True)
class LetterGroup:
    label: str
    key: str
    entities: tuple[EntityRef, ...]


def first_letter(name: str) -> str:
    """A name's A-Z letter: its first letter without accents ("Ødegaard" under O), '#' for a
    digit or anything else."""
    for char in unicodedata.normalize("NFKD", name):
        if char.isalpha():
            base = unicodedata.normalize("NFKD", char.upper())[0]
            base = {"Ø": "O", "Æ": "A", "Œ": "O", "Ł": "L", "Đ": "D", "Þ": "T"}.get(base, base)
            return base if "A" <= base <= "Z" else "#"
        if char.isdigit():
            return "#"
    return "#"


# Kinds whose entries are people's names, filed by surname as a newspaper's index files them.
BY_SURNAME = frozenset({"people", "authors"})
_SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"})


def filing_name(name: str, kind: str) -> str:
    """What a name is filed under: a person's surname first ("Okafor, Joel"), else the name."""
    if kind not in BY_SURNAME:
        return name
    words = name.split()
    while len(words) > 1 and words[-1].casefold() in _SUFFIXES:
        words.pop()
    if len(words) < 2:
        return name
    return f"{words[-1]}, {' '.join(words[:-1])}"


def entity_letters(
    refs: Sequence[EntityRef], kind: str
) -> tuple[tuple[LetterRef, ...], tuple[LetterGroup, ...], bool]:
    """The A-Z bar and groups of an entity index, and whether the index gets a page per letter
    (`kind`/a-z/<letter>/). People and authors are filed by surname."""
    grouped: dict[str, list[EntityRef]] = {}
    filed = sorted(refs, key=lambda r: (filing_name(r.name, kind).casefold(), r.name))
    for entity in filed:
        grouped.setdefault(first_letter(filing_name(entity.name, kind)), []).append(entity)
    order = sorted(grouped, key=lambda letter: (letter == "#", letter))
    paged = len(refs) > LETTER_PAGES_FROM
    letters = tuple(
        LetterRef(
            letter,
            _key(letter),
            f"{kind}/a-z/{_key(letter)}/" if paged else None,
        )
        for letter in order
    )
    groups = tuple(LetterGroup(letter, _key(letter), tuple(grouped[letter])) for letter in order)
    return letters, groups, paged


def _key(letter: str) -> str:
    return "other" if letter == "#" else letter.lower()


def top_entities(refs: Sequence[EntityRef], limit: int = TOP_ENTRIES) -> tuple[EntityRef, ...]:
    """The most named (ties by name), for the front of a per-letter index."""
    return tuple(sorted(refs, key=lambda r: (-r.count, r.name.casefold()))[:limit])
