"""Stage annotate (copies, per pair): two near-duplicate texts -> PairReading (their aligned differences).

Two texts the dedupe stage matched are aligned word by word (difflib over token ids) and every
difference is sorted into one of two kinds:

- in place: a short run of words stands where the other text has another short run, with the
  same words on both sides of it ("officials said" / "officers stated"). A synonym spinner makes
  these and nothing else: it rewrites a story word by word and keeps its order, its names and its
  numbers.
- edits: words cut, added, moved or rewritten at length. A wire desk makes these: it trims the
  end, drops a sentence, adds a paragraph of background, moves a quote up.

A pair reads as a spun copy when many in-place swaps of ordinary words ("lexical" swaps: letters
only, not a name for a pronoun, not a spelling or inflection variant, not a number) stand in
sentences that are otherwise unchanged, spread over the text. No word list is consulted, so this
works for spinners and vocabularies no lexicon knows; the aligned differences are the swaps, with
their original wording. Which side is the original is decided from the reading and the archive
(annotate/copies.py).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from difflib import SequenceMatcher
from typing import Literal

from generator.annotate import english
from generator.annotate.related import word_feature

# Tokens: words (with inner apostrophes) and single punctuation marks.
_TOKEN = re.compile(r"\w+(?:['’]\w+)*|[^\w\s]")
_SENTENCE_END = frozenset(".!?")
# The longest run (in tokens, each side) read as one in-place substitution; longer is a rewrite.
MAX_SWAP_TOKENS = 4
# A sentence's swaps count up to this many: one reworded sentence is an edit, not a spinner.
_PER_SENTENCE = 3
# What a spun copy shows at least: swaps counted, sentences holding them, and their share of the
# aligned words (so one odd word in a long story is no spinner).
MIN_SWAPS = 2
# What a swap of anything but one content word for another counts: editors reword with phrases
# and function words ("which met" for "meeting"); a thesaurus swaps words.
WEAK_SWAP = 0.5
MIN_SWAP_SENTENCES = 2
MIN_SWAP_SHARE = 0.005
# A spinner copies a whole story, or a part of it: one of the two texts has (nearly) nothing the
# other lacks. Two versions of a story that each have much of their own (an update, a rewrite)
# are edits, however many words they also swap.
MAX_OWN_SHARE = 0.2
MIN_OWN_WORDS = 15
# Below this share of the shorter text aligned in place, two texts are not copies of each other
# (a names-and-numbers match of two reports of one event).
MIN_IN_PLACE = 0.4
# Context kept around each substitution so a page can find it again in the copy's text.
CONTEXT_CHARS = 24
MAX_SUBSTITUTIONS = 300
# Pronouns and determiners an editor swaps for a name ("he said" -> "Reyes said").
_PRONOUNS = frozenset(
    [
        "he",
        "she",
        "they",
        "it",
        "him",
        "her",
        "them",
        "his",
        "hers",
        "their",
        "theirs",
        "its",
        "we",
        "us",
        "our",
        "i",
        "me",
        "my",
        "you",
        "your",
        "this",
        "that",
        "these",
        "those",
        "the",
        "a",
        "an",
    ]
)

Kind = Literal["spun", "edited", "same", "apart"]


@dataclass(frozen=True, slots=True)
class Substitution:
    """One in-place difference: the first text's wording, the second's, and where it stands in
    each (the context before and after, CONTEXT_CHARS at most, from the same text)."""

    first: str
    second: str
    first_prefix: str
    first_suffix: str
    second_prefix: str
    second_suffix: str
    is_lexical: bool


@dataclass(frozen=True, slots=True)
class PairReading:
    """What the alignment of two texts says, with no view yet on which came first.

    kind: "spun" (in-place swaps of ordinary words throughout), "edited" (cuts, additions, moves,
    the odd changed word), "same" (no word differs) or "apart" (too little aligns: not copies).
    """

    kind: Kind
    substitutions: tuple[Substitution, ...]
    # Lexical swaps counted for the verdict: in sentences with no other edit, at most
    # _PER_SENTENCE a sentence, a word for a word of content (both no stop word) counting 1 and
    # anything else (a phrase, a function word: "the Labour" for "Labour's") WEAK_SWAP.
    swaps: float
    swap_sentences: int  # sentences holding them
    aligned: int  # words aligned in place (equal, or in an in-place substitution)
    cut: int  # words of the first text with no place in the second (cut, moved or rewritten)
    added: int  # words of the second text with no place in the first
    words: tuple[int, int]  # words in each text
    # Per lexical swap: does the other text use a content word of this side's wording elsewhere?
    # Counts of swaps whose first-side wording also stands in the second text, and the other way
    # round. A spinner swaps some occurrences of a word and leaves others: the copy holds both.
    first_echoed: int = 0
    second_echoed: int = 0
    # How much more common in English the first side's wording is than the second's, summed
    # over the lexical swaps: log counts of the words (the rarest of a phrase) and of the word
    # pairs each side makes with the words around it (english.py). Positive: the first reads
    # as the original.
    first_lead: float = 0.0

    @property
    def in_place_share(self) -> float:
        """The share of the shorter text aligned in place."""
        shorter = min(self.words)
        return self.aligned / shorter if shorter else 0.0


@dataclass(frozen=True, slots=True)
class _Tokens:
    ids: list[int]
    starts: list[int]
    ends: list[int]
    is_word: list[bool]
    sentence: list[int]  # sentence number of each token
    is_end: list[bool]  # the token ends a sentence (. ! ?)


def _tokens(text: str, ids: dict[str, int]) -> _Tokens:
    found = _tokens_of(text)
    number = [ids.setdefault(_norm(text[s:e]), len(ids)) for s, e in found]
    starts = [s for s, _ in found]
    ends = [e for _, e in found]
    is_word = [text[s].isalnum() or text[s] == "_" for s, _ in found]
    sentence: list[int] = []
    is_end: list[bool] = []
    current = 0
    previous_end = 0
    for (start, end), word in zip(found, is_word, strict=True):
        if "\n" in text[previous_end:start]:
            current += 1  # a new paragraph or line starts a sentence
        sentence.append(current)
        ends_here = not word and text[start:end] in _SENTENCE_END
        is_end.append(ends_here)
        current += ends_here
        previous_end = end
    return _Tokens(number, starts, ends, is_word, sentence, is_end)


def _tokens_of(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in _TOKEN.finditer(text)]


def _norm(token: str) -> str:
    return token.lower().replace("’", "'")


def read_pair(first: str, second: str) -> PairReading:
    """Align two texts and read their differences; deterministic, no I/O."""
    ids: dict[str, int] = {}
    a, b = _tokens(first, ids), _tokens(second, ids)
    words = (sum(a.is_word), sum(b.is_word))
    # autojunk off: in a 200-token text "the" is popular, and junk would break its matches.
    matcher = SequenceMatcher(None, a.ids, b.ids, autojunk=False)
    aligned = cut = added = 0
    candidates: list[tuple[int, int, int, int]] = []
    dirty: set[int] = set()  # sentences of the first text with an edit in them
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            aligned += sum(a.is_word[i1:i2])
            continue
        if tag == "replace" and _is_in_place(a, b, i1, i2, j1, j2):
            candidates.append((i1, i2, j1, j2))
            aligned += max(sum(a.is_word[i1:i2]), sum(b.is_word[j1:j2]))
            continue
        cut += sum(a.is_word[i1:i2])
        added += sum(b.is_word[j1:j2])
        dirty.update(_touched(a, b, i1, i2, j1, j2))
    substitutions: list[Substitution] = []
    per_sentence: dict[int, float] = {}
    first_echoed = second_echoed = 0
    first_lead = 0.0
    names = {number: token for token, number in ids.items()}
    content = {number: word_feature(token) is not None for number, token in names.items()}
    first_words = {t for t, word in zip(a.ids, a.is_word, strict=True) if word and content[t]}
    second_words = {t for t, word in zip(b.ids, b.is_word, strict=True) if word and content[t]}
    for span in _word_by_word(a, b, candidates):
        i1, i2, j1, j2 = span
        sub = _substitution(first, second, a, b, span)
        if sub is None:
            continue
        if len(substitutions) < MAX_SUBSTITUTIONS:
            substitutions.append(sub)
        if not sub.is_lexical:
            continue
        # Elsewhere: a content word of one side used by the other text at all (not at this
        # place, or there would be no difference here).
        first_echoed += any(a.ids[k] in second_words for k in range(i1, i2))
        second_echoed += any(b.ids[k] in first_words for k in range(j1, j2))
        first_lead += _commonness(names, a, i1, i2) - _commonness(names, b, j1, j2)
        sentence = a.sentence[i1]
        if sentence not in dirty:
            strong = i2 - i1 == j2 - j1 == 1 and content[a.ids[i1]] and content[b.ids[j1]]
            per_sentence[sentence] = per_sentence.get(sentence, 0) + (1.0 if strong else WEAK_SWAP)
    swaps = sum(min(n, _PER_SENTENCE) for n in per_sentence.values())
    reading = PairReading(
        kind="edited",
        substitutions=tuple(substitutions),
        swaps=swaps,
        swap_sentences=len(per_sentence),
        aligned=aligned,
        cut=cut,
        added=added,
        words=words,
        first_echoed=first_echoed,
        second_echoed=second_echoed,
        first_lead=round(first_lead, 6),
    )
    return _with_kind(reading)


def _with_kind(reading: PairReading) -> PairReading:
    if not reading.substitutions and not reading.cut and not reading.added:
        return replace(reading, kind="same")
    if reading.in_place_share < MIN_IN_PLACE:
        return replace(reading, kind="apart")
    both_own = min(reading.cut, reading.added) > max(MIN_OWN_WORDS, MAX_OWN_SHARE * reading.aligned)
    if (
        reading.swaps >= MIN_SWAPS
        and reading.swap_sentences >= MIN_SWAP_SENTENCES
        and reading.swaps >= MIN_SWAP_SHARE * reading.aligned
        and not both_own
    ):
        return replace(reading, kind="spun")
    return reading


def _commonness(names: dict[int, str], t: _Tokens, lo: int, hi: int) -> float:
    """How common in English the words t[lo:hi] are where they stand: the log count of the
    rarest of them, plus the log counts of the pairs they make with the words on either side."""
    words = [names[t.ids[k]] for k in range(lo, hi) if t.is_word[k]]
    score = min(math.log1p(english.word_count(w)) for w in words)
    if lo > 0 and t.is_word[lo - 1] and t.sentence[lo - 1] == t.sentence[lo]:
        score += math.log1p(english.pair_count(names[t.ids[lo - 1]], words[0]))
    if hi < len(t.ids) and t.is_word[hi] and t.sentence[hi] == t.sentence[hi - 1]:
        score += math.log1p(english.pair_count(words[-1], names[t.ids[hi]]))
    return score


def _word_by_word(
    a: _Tokens, b: _Tokens, spans: list[tuple[int, int, int, int]]
) -> list[tuple[int, int, int, int]]:
    """The in-place differences, a run of words standing for as many words split word by word
    ("information convention" for "news conference": two swaps, each with its original)."""
    found = []
    for i1, i2, j1, j2 in spans:
        same_length = i2 - i1 == j2 - j1 > 1
        if same_length and all(a.is_word[i1:i2]) and all(b.is_word[j1:j2]):
            found += [(i1 + k, i1 + k + 1, j1 + k, j1 + k + 1) for k in range(i2 - i1)]
        else:
            found.append((i1, i2, j1, j2))
    return found


def _touched(a: _Tokens, b: _Tokens, i1: int, i2: int, j1: int, j2: int) -> set[int]:
    """Sentences of the first text an edit leaves changed: those it rewrites or cuts words from,
    or the one it adds words inside (a whole sentence added changes no other)."""
    if i1 < i2:
        return set(a.sentence[i1:i2])
    if any(b.is_end[j1:j2]) or i1 >= len(a.sentence):
        return set()
    return {a.sentence[i1]}


def _is_in_place(a: _Tokens, b: _Tokens, i1: int, i2: int, j1: int, j2: int) -> bool:
    """A short run standing for a short run, neither crossing a sentence's end."""
    if i2 - i1 > MAX_SWAP_TOKENS or j2 - j1 > MAX_SWAP_TOKENS:
        return False
    return a.sentence[i1] == a.sentence[i2 - 1] and b.sentence[j1] == b.sentence[j2 - 1]


def _substitution(
    first: str, second: str, a: _Tokens, b: _Tokens, span: tuple[int, int, int, int]
) -> Substitution | None:
    """The Substitution of an in-place difference, or None when only punctuation or case moved."""
    i1, i2, j1, j2 = span
    first_words = [first[a.starts[k] : a.ends[k]] for k in range(i1, i2) if a.is_word[k]]
    second_words = [second[b.starts[k] : b.ends[k]] for k in range(j1, j2) if b.is_word[k]]
    if not first_words or not second_words:
        return None
    if [_norm(w) for w in first_words] == [_norm(w) for w in second_words]:
        return None  # case or punctuation only
    # The words of each side, from its first word to its last (punctuation at either end stays
    # out: a swapped comma is no substitution).
    start_a, end_a = _word_bounds(a, i1, i2)
    start_b, end_b = _word_bounds(b, j1, j2)
    is_first_start = a.sentence[i1] != a.sentence[i1 - 1] if i1 else True
    is_second_start = b.sentence[j1] != b.sentence[j1 - 1] if j1 else True
    lexical = _is_lexical(first_words, second_words, is_first_start or is_second_start)
    return Substitution(
        first[start_a:end_a],
        second[start_b:end_b],
        first[max(0, start_a - CONTEXT_CHARS) : start_a],
        first[end_a : end_a + CONTEXT_CHARS],
        second[max(0, start_b - CONTEXT_CHARS) : start_b],
        second[end_b : end_b + CONTEXT_CHARS],
        lexical,
    )


def _word_bounds(t: _Tokens, lo: int, hi: int) -> tuple[int, int]:
    words = [k for k in range(lo, hi) if t.is_word[k]]
    return t.starts[words[0]], t.ends[words[-1]]


def _is_lexical(first: Sequence[str], second: Sequence[str], at_sentence_start: bool) -> bool:
    """Ordinary words for ordinary words: what a thesaurus swap looks like (and an edit rarely).

    Not lexical: numbers (an update), a name for a pronoun or a name for a name (a desk's
    correction), spelling and inflection variants ("organisation", "says").
    """
    if any(any(c.isdigit() for c in w) for w in (*first, *second)):
        return False
    if not all(w.replace("'", "").replace("’", "").isalpha() for w in (*first, *second)):
        return False
    low_first = [w.lower() for w in first]
    low_second = [w.lower() for w in second]
    named = [_is_named(words, at_sentence_start) for words in (first, second)]
    pronoun = [all(w in _PRONOUNS for w in low) for low in (low_first, low_second)]
    if (named[0] and pronoun[1]) or (named[1] and pronoun[0]):
        return False
    # A name for a name stays lexical: a desk corrects one name once, a spinner rewrites words
    # inside names ("White Home", "Joined States") all through a story.
    return not (len(first) == len(second) == 1 and _is_variant(low_first[0], low_second[0]))


def _is_named(words: Sequence[str], at_sentence_start: bool) -> bool:
    """Capitalised words not at a sentence's start: part of a name or a title."""
    return all(w[:1].isupper() for w in words) and not (at_sentence_start and len(words) == 1)


def _is_variant(x: str, y: str) -> bool:
    """Two spellings or inflections of one word: one a prefix of the other, or the same but for
    an ending ("organisation"/"organization", "said"/"says", "rose"/"risen" are not caught)."""
    if x.startswith(y) or y.startswith(x):
        return True
    common = 0
    for p, q in zip(x, y, strict=False):
        if p != q:
            break
        common += 1
    shorter = min(len(x), len(y))
    if common >= 4 and common >= shorter - 2:
        return True  # "organisation"/"organization" share 9 of 12, "reported"/"reports" 6
    # One letter changed in a long word: a spelling variant or a typo fixed.
    return shorter >= 6 and len(x) == len(y) and sum(p != q for p, q in zip(x, y, strict=True)) == 1
