"""Stage annotate (per article, helper): text -> the same tokens as re's \\w+ and [^\\W\\d_]+, faster.

A regex scan of a 6,000-character article costs ~0.3 ms; the features of one article need four.
Here the text becomes an array of code points once, a table says which are word characters
(exactly re's \\w and \\d: str.isalnum() or "_", str.isdecimal()), everything else becomes a
space, and str.split() cuts the rest: the same tokens, in the same order, at C speed. Tokens can
also be hashed straight from the code points, without making strings at all.

Most English news is "plain": its only non-ASCII characters are punctuation (curly quotes, dashes,
ellipses, no-break spaces) that NFKC, NFKD and casefold leave non-word, one character each. For a
plain text the normalised forms every channel wants (NFKC + casefold for dedupe, NFKD without
accents + casefold for related) have the same words, at the same places, as text.casefold().
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

import numpy as np

WORD = 1  # re's \w
DECIMAL = 2  # re's \d
LETTER = 4  # re's [^\W\d_]: a word character that is no decimal digit and no underscore
LOWER_START = 8  # a-z or "_": where a names token cannot start
CONNECTOR = 16  # - . ' ’: may join words into one names token ("López-Obrador", "U.S")
UPPER = 32  # A-Z: the bit is also what casefold adds to the code point
LOWER = 64  # a-z
_SPACE = np.uint32(32)
_PATTERNS = (
    (WORD, re.compile(r"\w")),
    (DECIMAL, re.compile(r"\d")),
    (LETTER, re.compile(r"[^\W\d_]")),
)
_BMP = 0x10000


@cache
def _bmp_classes() -> np.ndarray:
    """Class bits of every code point below U+10000, taken from re itself so they agree exactly."""
    points = np.arange(_BMP, dtype=np.uint32)
    points = points[(points < 0xD800) | (points > 0xDFFF)]  # lone surrogates cannot be encoded
    every = points.astype("<u4").tobytes().decode("utf-32-le")
    table = np.zeros(_BMP, dtype=np.uint8)
    for bit, pattern in _PATTERNS:
        codes = np.frombuffer(pattern.sub("\x00", every).encode("utf-32-le"), dtype="<u4")
        table[points[codes == 0]] |= bit
    table[ord("a") : ord("z") + 1] |= LOWER_START
    table[ord("_")] |= LOWER_START
    for char in "-.'’":
        table[ord(char)] |= CONNECTOR
    table[ord("A") : ord("Z") + 1] |= UPPER
    table[ord("a") : ord("z") + 1] |= LOWER
    return table


@cache
def _astral_class(point: int) -> int:
    char = chr(point)
    return sum(bit for bit, pattern in _PATTERNS if pattern.fullmatch(char))


@cache
def _is_plain(point: int) -> bool:
    """A non-ASCII character that every normalisation here leaves one non-word character."""
    char = chr(point)
    if re.fullmatch(r"\w", char) or unicodedata.category(char).startswith("M"):
        return False
    folded = char.casefold()
    if len(folded) != 1 or re.fullmatch(r"\w", folded):
        return False
    return all(
        not re.search(r"\w", form) and not any(unicodedata.combining(c) for c in form)
        for form in (unicodedata.normalize("NFKC", char), unicodedata.normalize("NFKD", char))
    )


def code_points(text: str) -> np.ndarray | None:
    """The text as uint32 code points, or None when it holds a lone surrogate."""
    try:
        points: np.ndarray = np.frombuffer(text.encode("utf-32-le"), dtype="<u4")
    except UnicodeEncodeError:
        return None
    return points


def classes(points: np.ndarray) -> np.ndarray:
    """The class bits (WORD, DECIMAL, LETTER, LOWER_START, CONNECTOR) of each code point."""
    table = _bmp_classes()
    if not len(points) or int(points.max()) < _BMP:
        bits: np.ndarray = table[points]
        return bits
    bits = table[np.minimum(points, _BMP - 1)]
    astral = np.flatnonzero(points >= _BMP)
    bits[astral] = [_astral_class(int(p)) for p in points[astral]]
    return bits


def run_bounds(bits: np.ndarray, wanted: int) -> tuple[np.ndarray, np.ndarray]:
    """Start and end (exclusive) of each maximal run of code points with bit `wanted`."""
    inside = np.empty(len(bits) + 2, dtype=np.int8)
    inside[0] = inside[-1] = 0
    np.bitwise_and(bits, wanted, out=inside[1:-1], casting="unsafe")
    np.minimum(inside[1:-1], 1, out=inside[1:-1])
    # Changes alternate: a run starts, ends, starts... (small arrays: every numpy call counts).
    changes = np.flatnonzero(inside[1:] != inside[:-1])
    return changes[0::2], changes[1::2]


def runs(points: np.ndarray, bits: np.ndarray, wanted: int) -> list[str]:
    """The maximal runs of code points whose class has bit `wanted`, as strings, in text order."""
    if not len(points):
        return []
    kept = np.where(bits & wanted, points, _SPACE)
    return kept.tobytes().decode("utf-32-le").split()


def long_runs(points: np.ndarray, bits: np.ndarray, wanted: int, shortest: int) -> list[str]:
    """runs() without the runs shorter than `shortest` code points."""
    starts, ends = run_bounds(bits, wanted)
    keep = ends - starts >= shortest
    if not keep.any():
        return []
    # Mark the kept runs' insides: +1 at each start, -1 at each end (all distinct places), summed.
    marks = np.zeros(len(points) + 1, dtype=np.int8)
    marks[starts[keep]] = 1
    marks[ends[keep]] = -1
    inside = np.cumsum(marks[:-1], dtype=np.int8).astype(bool)
    kept = np.where(inside, points, _SPACE)
    return kept.tobytes().decode("utf-32-le").split()


def word_runs(text: str) -> list[str]:
    """re.findall(r"\\w+", text)."""
    points = code_points(text)
    if points is None:
        return re.findall(r"\w+", text)
    return runs(points, classes(points), WORD)


def letter_runs(text: str) -> list[str]:
    """re.findall(r"[^\\W\\d_]+", text)."""
    points = code_points(text)
    if points is None:
        return re.findall(r"[^\W\d_]+", text)
    return runs(points, classes(points), LETTER)


@dataclass(frozen=True, slots=True)
class Analysis:
    """One text as code points with their classes and word runs; for a plain text (module
    docstring) also the code points of text.casefold(), at the same places."""

    points: np.ndarray
    bits: np.ndarray
    word_starts: np.ndarray
    word_ends: np.ndarray
    folded: np.ndarray | None


def analyse(text: str) -> Analysis | None:
    """The Analysis of a text, or None when it holds a lone surrogate."""
    points = code_points(text)
    if points is None:
        return None
    bits = classes(points)
    starts, ends = run_bounds(bits, WORD)
    folded = None
    if text.isascii() or all(_is_plain(p) for p in set(points[points >= 128].tolist())):
        # Words are ASCII: casefold is A-Z -> a-z. (The plain punctuation is left as it is: no
        # run of word characters or letters, all that is read of `folded`, holds any.)
        folded = points + (bits & UPPER).astype(np.uint32)
    return Analysis(points, bits, starts, ends, folded)


# Token hashes: a polynomial in the code points, mod 2**64 (prefix sums make every run's hash one
# subtraction and one multiplication), then mixed with the run's length and an avalanche.
_BASE = 0x9E3779B97F4A7C15 | 1
_POWERS: list[np.ndarray] = []  # [powers of _BASE, powers of its inverse mod 2**64], grown on use


def _powers(size: int) -> tuple[np.ndarray, np.ndarray]:
    if not _POWERS or len(_POWERS[0]) < size:
        length = max(size, 2 * len(_POWERS[0]) if _POWERS else 16_384)
        found = []
        for base in (_BASE, pow(_BASE, -1, 1 << 64)):
            steps = np.full(length, base, dtype=np.uint64)
            steps[0] = 1
            found.append(np.cumprod(steps, dtype=np.uint64))
        _POWERS[:] = found
    return _POWERS[0], _POWERS[1]


def hash_runs(points: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """A 64-bit hash of each run points[start:end]; equal runs hash alike wherever they stand."""
    if not len(starts):
        return np.empty(0, dtype=np.uint64)
    powers, inverses = _powers(len(points) + 1)
    prefix = np.empty(len(points) + 1, dtype=np.uint64)
    prefix[0] = 0
    np.cumsum(points.astype(np.uint64) * powers[: len(points)], out=prefix[1:])
    hashes: np.ndarray = (prefix[ends] - prefix[starts]) * inverses[starts]
    hashes ^= (ends - starts).astype(np.uint64) * np.uint64(0xD6E8FEB86659FD93)
    hashes ^= hashes >> np.uint64(32)
    hashes *= np.uint64(0xD6E8FEB86659FD93)
    hashes ^= hashes >> np.uint64(32)
    return hashes


def run_hashes(points: np.ndarray, bits: np.ndarray, wanted: int) -> np.ndarray:
    """hash_runs of the runs that runs() would return, in the same order."""
    return hash_runs(points, *run_bounds(bits, wanted))


_MASK64 = (1 << 64) - 1


def hash_text(text: str) -> int:
    """hash_runs of one whole string, as an int (pure Python: for the odd word, no arrays)."""
    if not text:
        return 0
    value, power = 0, 1
    for char in text:
        value = (value + ord(char) * power) & _MASK64
        power = (power * _BASE) & _MASK64
    value ^= (len(text) * 0xD6E8FEB86659FD93) & _MASK64
    value ^= value >> 32
    value = (value * 0xD6E8FEB86659FD93) & _MASK64
    return value ^ (value >> 32)
