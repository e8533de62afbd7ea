"""Stage annotate (copies, helper): how common an English word or word pair is in general use.

Read from the frequency lists that symspellpy ships (Google Books Ngram counts: 82,765 words and
243,342 word pairs, lower case), so that which side of a spun pair is the original can be told in
any archive, however small: a spinner's synonym is mostly a rarer word than the one it replaced
("stated" for "said"), and the pairs it makes are rarely English collocations ("Joined States",
"large information"; the original's "United States" and "big data" are). Only the files are read,
no symspellpy code runs. The lists load on first use (about 0.2 CPU-s), as sorted arrays of
64-bit hashes (Python's own: the tables live and are looked up in one process), a few MB rather
than a dict of 300,000 strings.
"""

from __future__ import annotations

import importlib.util
from functools import cache
from pathlib import Path

import numpy as np

_PACKAGE = "symspellpy"
_WORDS = "frequency_dictionary_en_82_765.txt"
_PAIRS = "frequency_bigramdictionary_en_243_342.txt"


def _folder() -> Path | None:
    spec = importlib.util.find_spec(_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


@cache
def _table(name: str, fields: int) -> tuple[np.ndarray, np.ndarray]:
    """(sorted hashes, counts) of a frequency list whose lines are `fields` words, then a count;
    empty when the list cannot be read (the stage then goes without it)."""
    folder = _folder()
    keys: list[int] = []
    counts: list[int] = []
    try:
        text = (folder / name).read_text(encoding="utf-8") if folder else ""
    except OSError:
        text = ""
    for line in text.splitlines():
        words, _, count = line.rpartition(" ")
        if count.isdigit() and words.count(" ") == fields - 1:
            keys.append(hash(words.lower()))
            counts.append(int(count))
    found = np.array(keys, dtype=np.int64)
    order = np.argsort(found, kind="stable")
    return found[order], np.array(counts, dtype=np.int64)[order]


def _count(name: str, fields: int, text: str) -> int:
    keys, counts = _table(name, fields)
    if not len(keys):
        return 0
    key = np.int64(hash(text.lower()))
    at = int(np.searchsorted(keys, key))
    return int(counts[at]) if at < len(keys) and keys[at] == key else 0


def is_available() -> bool:
    """Whether the frequency lists could be read."""
    return bool(len(_table(_WORDS, 1)[0]))


def word_count(word: str) -> int:
    """How often a word is used (0: not in the list)."""
    return _count(_WORDS, 1, word)


def pair_count(first: str, second: str) -> int:
    """How often two words stand together, in this order (0: not in the list)."""
    return _count(_PAIRS, 2, f"{first} {second}")
