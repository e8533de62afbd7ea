"""Shipped word lists for entity extraction (places, organizations, given names), loaded once."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources


def fold(text: str) -> str:
    """Accent- and case-insensitive key: 'López' and 'Lopez' are the same name."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@dataclass(frozen=True, slots=True)
class Gazetteer:
    """Surface form -> canonical name for places and organizations; a set of given names."""

    places: dict[str, str]
    organizations: dict[str, str]
    given_names: frozenset[str]
    place_pattern: re.Pattern[str]
    organization_pattern: re.Pattern[str]


def _read(name: str) -> list[str]:
    text = resources.files("generator").joinpath(f"data/{name}").read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


def _aliases(lines: list[str]) -> dict[str, str]:
    table: dict[str, str] = {}
    for line in lines:
        names = [n.strip() for n in line.split("|") if n.strip()]
        for name in names:
            table.setdefault(name, names[0])
            if name.startswith("the "):
                table.setdefault(name[4:], names[0])
    return table


def _pattern(surfaces: dict[str, str]) -> re.Pattern[str]:
    ordered = sorted(surfaces, key=len, reverse=True)
    body = "|".join(re.escape(s) for s in ordered)
    return re.compile(rf"(?<![\w.])(?:{body})(?![\w]|\.\w)")


@cache
def load_gazetteer() -> Gazetteer:
    places = _aliases(_read("places.txt"))
    organizations = _aliases(_read("organizations.txt"))
    names = frozenset(n for line in _read("names.txt") for n in line.split())
    return Gazetteer(places, organizations, names, _pattern(places), _pattern(organizations))
