"""Search (reader index): the pages of Pagefind bundles -> the word list the static search page
corrects a word no article has from ("did you mean"), in <bundle>/words/<first letter>.json.

The words are those of the text Pagefind indexed (its fragments keep each page's text),
folded as query_syntax folds a query, each with the number of articles having it, as the index
of record's word list has them (numbers and the words the index skips left out). The page
fetches the one file for the first letter of the word it corrects, and only when a word found
nothing.
"""

from __future__ import annotations

import gzip
import json
import string
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from generator.fsutil import atomic_write_text
from generator.search.query_syntax import is_indexed, words_of

WORDS_DIR = "words"
MIN_ARTICLES = 1
_SIGNATURE = b"pagefind_dcd"
_NAMED = set(string.ascii_lowercase + string.digits)


def list_name(word: str) -> str:
    """The file a word is listed in (static/search-engine.js wordListName: the same rule)."""
    return word[0] if word[:1] in _NAMED else "other"


def count_words(bundles: Iterable[Path]) -> Counter[str]:
    """Each word of the bundles' pages with the number of pages having it."""
    counts: Counter[str] = Counter()
    for bundle in bundles:
        for fragment in (bundle / "fragment").glob("*.pf_fragment"):
            raw = gzip.decompress(fragment.read_bytes())
            content = str(json.loads(raw[len(_SIGNATURE) :]).get("content", ""))
            counts.update({w for w in words_of(content) if is_indexed(w) and not w.isdigit()})
    return counts


def write_words(folder: Path, counts: Counter[str]) -> None:
    """The word lists of a bundle (replacing any it had)."""
    groups: dict[str, list[str]] = {}
    for word, count in counts.items():
        if count >= MIN_ARTICLES:
            groups.setdefault(list_name(word), []).append(word)
    target = folder / WORDS_DIR
    target.mkdir(parents=True, exist_ok=True)
    for old in target.glob("*.json"):
        if old.stem not in groups:
            old.unlink()
    for name, words in groups.items():
        words.sort()
        atomic_write_text(
            target / f"{name}.json",
            json.dumps({"w": words, "n": [counts[w] for w in words]}, separators=(",", ":")),
        )


def read_counts(path: Path) -> Counter[str]:
    try:
        return Counter(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return Counter()


def save_counts(path: Path, counts: Counter[str]) -> None:
    atomic_write_text(path, json.dumps(dict(counts), separators=(",", ":"), sort_keys=True))
