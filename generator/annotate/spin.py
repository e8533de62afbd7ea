"""Stage annotate (spin): article text + SpinLexicon -> SpinResult (score, verdict, spun phrases).

A synonym spinner leaves three kinds of trace, scored here as log-likelihood ratios (spun vs genuine
news) and summed, naive-Bayes style, into a probability:

1. lexicon phrases no editor writes ("White Home", "tons of of hundreds"), from data/spin_lexicon.tsv;
2. spinner-favoured words used where news prose has a plainer counterpart ("stated" for "said",
   "individuals" for "people", "within the" for "in the"): genuine copy says "said" far more often
   than "stated", so the *balance* between the pair is the evidence, not the word itself;
3. grammar a substitution breaks: "a optimistic", "an settlement" (the article no longer fits the
   swapped noun), "greater than 10" for "more than 10".

Signals 2 and 3 need no lexicon hit, so a spinner with a different thesaurus still shows. Counts are
weighed against the text's length (a Poisson rate), so one odd phrase in a long story stays quiet.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal

Verdict = Literal["original", "suspect", "spun"]


def _word_set(words: str) -> frozenset[str]:
    """A constant set of words written as one space-separated string."""
    return frozenset(words.split())


SUSPECT_AT = 0.4
SPUN_AT = 0.8
_PRIOR = -2.5  # log-odds that an article is spun before any evidence (about 8%)
_WEAK = 1 / 3
_CAP_STRONG, _CAP_WEAK = 3, 2  # occurrences counted per phrase: one repeated name is not many

# Poisson rates per 1,000 words (spun, genuine) and the clamp on each signal's log-likelihood ratio.
_LEXICON_RATES, _LEXICON_CLAMP = (4.0, 0.15), (-1.0, 12.0)
_ARTICLE_RATES, _ARTICLE_CLAMP = (3.0, 0.2), (-0.5, 6.0)
_GREATER_RATES, _GREATER_CLAMP = (1.0, 0.1), (-0.25, 4.0)
_MARKER_PAIR_CLAMP, _MARKER_CLAMP = (-1.0, 2.5), (-2.0, 12.0)

_TOKEN = re.compile(r"['’]s\b|\w+(?:[-.]\w+|['’](?!s\b)\w+)*|[^\w\s]")
_ENGLISH = _word_set(
    "the and of to in is that for it with was on are be this by have from not they he she we "
    "has had but at his her their which would will been were"
)
_POLICE_CONTEXT = _word_set(
    "police policing sheriff officer detective detectives arrest arrested army military "
    "troops soldiers navy cop cops deputies patrol constable trooper troopers firefighters "
    "prison jail"
)
# "a" before these vowel-letter words is right ("a one-off", "a union", "a euro"); "an" before these
# h-words is right ("an hour", "an honest").
_A_BEFORE_VOWEL_OK = re.compile(
    r"^(?:one|once|eu|ewe|uni|use|usu|uti|ura|ure|uri|uro|uku|ubiq|unan|uter|u-)"
)
_AN_BEFORE_CONSONANT_OK = re.compile(r"^(?:hour|honest|honor|honour|heir|herb|histor|hotel|homage)")
# A spinner swaps content words; "a of" or "an but" is a typo or a list, not a swapped noun.
_FUNCTION_WORDS = _ENGLISH | _word_set(
    "about above across after against along among around as before behind below beside between "
    "beyond by during except for if in inside into near of off on onto or out outside over since so "
    "than through to toward towards under until up upon via within without yet"
)
_GREATER_THAN = re.compile(
    r"\bgreater than (?:\d[\d,.]*\d|\d|a (?:dozen|hundred|thousand|million|billion)|half|dozens|hundreds|"
    r"thousands|millions|(?:one|two|three|four|five|six|seven|eight|nine|ten|twenty|thirty|forty|"
    r"fifty)\b)",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class LexiconEntry:
    """One spun phrase: its tokens, the wording it most likely replaced and how much it counts."""

    phrase: str
    tokens: tuple[str, ...]
    likely_original: str
    note: str
    is_weak: bool
    is_cased: bool


@dataclass(frozen=True, slots=True, eq=False)
class SpinLexicon:
    """All entries, indexed by lowercased first token, longest phrase first (compared by identity)."""

    entries: tuple[LexiconEntry, ...]
    by_first: Mapping[str, tuple[LexiconEntry, ...]]


@dataclass(frozen=True, slots=True)
class SpinPhrase:
    """A spun phrase as it appears in the article (first occurrence), with its likely original."""

    text: str
    likely_original: str | None
    start: int
    count: int = 1
    is_weak: bool = False


@dataclass(frozen=True, slots=True)
class MarkerCount:
    """How often the text uses a spinner-favoured form and its ordinary news counterpart."""

    spun_form: str
    usual_form: str
    spun_count: int
    usual_count: int


@dataclass(frozen=True, slots=True)
class SpinEvidence:
    """Each signal's log-likelihood ratio (positive = looks spun) and what it was computed on."""

    lexicon: float
    markers: float
    grammar: float
    word_count: int
    is_assessed: bool
    marker_counts: tuple[MarkerCount, ...] = ()


@dataclass(frozen=True, slots=True)
class SpinResult:
    """Probability-like score in [0, 1], its verdict, the phrases found and the evidence behind it."""

    score: float
    verdict: Verdict
    phrases: tuple[SpinPhrase, ...]
    evidence: SpinEvidence


@dataclass(frozen=True, slots=True)
class _Marker:
    spun: tuple[str, ...]
    usual: tuple[str, ...]
    p_genuine: float  # share of the spun form among both forms in genuine news
    p_spun: float  # the same share in spinner output


# Rough shares, set from how news prose and spinner output read; clamped per pair so no single word
# pair (a police story full of "officers") can decide alone. Multi-word forms are matched as phrases.
_MARKERS = (
    _Marker(("stated", "mentioned"), ("said", "says", "say"), 0.06, 0.6),
    _Marker(("informed",), ("told",), 0.1, 0.6),
    _Marker(("officers",), ("officials",), 0.3, 0.8),
    _Marker(("nations",), ("countries",), 0.2, 0.7),
    _Marker(("authorities",), ("government", "governments"), 0.2, 0.5),
    _Marker(("additionally", "moreover", "furthermore"), ("also",), 0.05, 0.35),
    _Marker(("amongst",), ("among",), 0.05, 0.6),
    _Marker(("whereas",), ("while",), 0.04, 0.5),
    _Marker(("individuals", "folks"), ("people",), 0.05, 0.5),
    _Marker(("discovered",), ("found",), 0.1, 0.6),
    _Marker(("requested",), ("asked",), 0.08, 0.6),
    _Marker(("introduced",), ("announced",), 0.2, 0.6),
    _Marker(("extra",), ("more",), 0.02, 0.25),
    _Marker(("solely",), ("only",), 0.02, 0.4),
    _Marker(("practically",), ("nearly", "almost"), 0.04, 0.5),
    _Marker(("lately",), ("recently",), 0.1, 0.5),
    _Marker(
        ("proceed", "proceeds", "proceeded", "persevering"), ("continue", "continues"), 0.05, 0.5
    ),
    _Marker(("assist", "assists", "assisted"), ("help", "helps", "helped"), 0.08, 0.4),
    _Marker(("nonetheless",), ("still",), 0.03, 0.3),
    _Marker(("youngsters",), ("children",), 0.03, 0.4),
    _Marker(("lady", "ladies"), ("woman", "women"), 0.02, 0.3),
    _Marker(("purchase", "purchased"), ("buy", "bought"), 0.15, 0.6),
    _Marker(("subsequent",), ("next",), 0.04, 0.5),
    _Marker(("presently", "at present"), ("currently",), 0.06, 0.5),
    _Marker(("beforehand",), ("previously",), 0.04, 0.5),
    _Marker(("instantly",), ("immediately",), 0.08, 0.5),
    _Marker(("coverage",), ("policy", "policies"), 0.2, 0.5),
    _Marker(("within the",), ("in the",), 0.02, 0.25),
    _Marker(("firms",), ("companies",), 0.2, 0.5),
    _Marker(("quite a few", "numerous"), ("many",), 0.05, 0.3),
    _Marker(("elevated",), ("increased",), 0.05, 0.5),
    _Marker(("demise",), ("death",), 0.03, 0.3),
    _Marker(("had been",), ("were",), 0.12, 0.45),
    _Marker(("conferences",), ("meetings",), 0.1, 0.6),
    _Marker(("enterprise",), ("business",), 0.05, 0.4),
    # Sentence-initial; "However" without a comma is how a spinner renders "But".
    _Marker(("^however",), ("^but",), 0.03, 0.7),
)


def parse_lexicon(text: str) -> SpinLexicon:
    """Build a SpinLexicon from TSV text (spun phrase, likely original, source note; '#' comments).

    Raises ValueError when a line does not have three tab-separated fields, naming the line.
    """
    entries: list[LexiconEntry] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) != 3 or not fields[0].strip():
            raise ValueError(
                f"spin lexicon line {number}: expected 3 tab-separated fields: {line!r}"
            )
        phrase, original, note = (f.strip() for f in fields)
        tokens = tuple(t.replace("’", "'") for t in _TOKEN.findall(phrase))
        cased = any(c.isupper() for c in phrase)
        entries.append(LexiconEntry(phrase, tokens, original, note, "(weak" in note, cased))
    index: defaultdict[str, list[LexiconEntry]] = defaultdict(list)
    for entry in entries:
        index[entry.tokens[0].lower()].append(entry)
    by_first = {k: tuple(sorted(v, key=lambda e: -len(e.tokens))) for k, v in index.items()}
    return SpinLexicon(tuple(entries), by_first)


@cache
def load_lexicon() -> SpinLexicon:
    """The shipped lexicon (generator/data/spin_lexicon.tsv), parsed once."""
    resource = resources.files("generator").joinpath("data/spin_lexicon.tsv")
    return parse_lexicon(resource.read_text(encoding="utf-8"))


def verdict_for(score: float) -> Verdict:
    """The verdict a spin score stands for (shared with dedupe, which is given only the score)."""
    if score >= SPUN_AT:
        return "spun"
    return "suspect" if score >= SUSPECT_AT else "original"


def score_spin(text: str, lexicon: SpinLexicon) -> SpinResult:
    """Score how machine-spun an English article text looks; deterministic, no I/O.

    Text that is not English (too few English function words) is not assessed: score 0.
    """
    norm = text.replace("’", "'")
    spans = [(m.group(), m.start()) for m in _TOKEN.finditer(norm)]
    toks = [t for t, _ in spans]
    lows = [t.lower() for t in toks]
    words = [w for w in lows if w[0].isalnum() or w[0] == "_"]
    n_words = len(words)
    english = sum(1 for w in words if w in _ENGLISH)
    if not n_words or english / n_words < 0.1:
        return SpinResult(0.0, "original", (), SpinEvidence(0.0, 0.0, 0.0, n_words, False))
    hits = _match_lexicon(toks, lows, lexicon)
    found: list[tuple[str, int, str | None, bool]] = []
    for entry, pos, n in hits:
        start, end = spans[pos][1], spans[pos + n - 1][1] + len(toks[pos + n - 1])
        found.append((text[start:end], start, entry.likely_original, entry.is_weak))
    per_entry = Counter(e.phrase for e, _, _ in hits)
    weighted = 0.0
    for entry in {e.phrase: e for e, _, _ in hits}.values():
        cap, weight = (_CAP_WEAK, _WEAK) if entry.is_weak else (_CAP_STRONG, 1.0)
        weighted += weight * min(per_entry[entry.phrase], cap)
    lexicon_llr = _poisson_llr(weighted, n_words, _LEXICON_RATES, _LEXICON_CLAMP)
    mismatches = _article_mismatches(text, spans, lows)
    greater = [(m.group(), m.start()) for m in _GREATER_THAN.finditer(text)]
    grammar_llr = _poisson_llr(
        len(mismatches), n_words, _ARTICLE_RATES, _ARTICLE_CLAMP
    ) + _poisson_llr(min(len(greater), 4), n_words, _GREATER_RATES, _GREATER_CLAMP)
    found += [(s, start, None, False) for s, start in mismatches]
    found += [(s, start, "more than" + s[len("greater than") :], False) for s, start in greater]
    markers, marker_llr, telling = _markers(norm, spans, lows)
    # The spinner-favoured words of the pairs that count towards spin are evidence too: listed
    # (weak, with their usual counterpart), so that a verdict they carry shows what it rests on.
    found += [
        (text[start : start + length], start, usual, True) for start, length, usual in telling
    ]
    total = _PRIOR + lexicon_llr + grammar_llr + marker_llr
    score = round(1.0 / (1.0 + math.exp(-total)), 4)
    evidence = SpinEvidence(
        round(lexicon_llr, 3), round(marker_llr, 3), round(grammar_llr, 3), n_words, True, markers
    )
    phrases = _group_phrases(found)
    # No verdict without evidence to show: a score with no phrase behind it stays "original".
    verdict = verdict_for(score) if phrases else "original"
    return SpinResult(score, verdict, phrases, evidence)


def _group_phrases(found: list[tuple[str, int, str | None, bool]]) -> tuple[SpinPhrase, ...]:
    """One SpinPhrase per distinct surface text, at its first occurrence, in text order."""
    first: dict[str, SpinPhrase] = {}
    counts: Counter[str] = Counter()
    for surface, start, original, is_weak in sorted(found, key=lambda f: (f[1], f[0])):
        counts[surface] += 1
        first.setdefault(surface, SpinPhrase(surface, original, start, 1, is_weak))
    return tuple(
        SpinPhrase(p.text, p.likely_original, p.start, counts[p.text], p.is_weak)
        for p in first.values()
    )


def _match_lexicon(
    toks: list[str], lows: list[str], lexicon: SpinLexicon
) -> list[tuple[LexiconEntry, int, int]]:
    """Non-overlapping whole-token matches, longest phrase first at each position."""
    hits: list[tuple[LexiconEntry, int, int]] = []
    i, total = 0, len(toks)
    while i < total:
        step = 1
        for entry in lexicon.by_first.get(lows[i], ()):
            n = len(entry.tokens)
            if i + n > total:
                continue
            if entry.is_cased:
                ok = tuple(toks[i : i + n]) == entry.tokens
            else:
                # An all-lowercase phrase may start a sentence ("Court docket ..."), nothing more:
                # "Local Weather Service" in a heading is not "local weather".
                first = toks[i]
                ok = (first == entry.tokens[0] or first == entry.tokens[0].capitalize()) and tuple(
                    toks[i + 1 : i + n]
                ) == entry.tokens[1:]
            if ok:
                hits.append((entry, i, n))
                step = n
                break
        i += step
    return hits


def _poisson_llr(
    count: float, n_words: int, rates: tuple[float, float], clamp: tuple[float, float]
) -> float:
    """Log-likelihood ratio of `count` events in `n_words` under the spun vs the genuine rate."""
    spun, genuine = rates
    llr = count * math.log(spun / genuine) - (spun - genuine) * n_words / 1000
    return max(clamp[0], min(clamp[1], llr))


def _article_mismatches(
    text: str, spans: list[tuple[str, int]], lows: list[str]
) -> list[tuple[str, int]]:
    """'a' before a vowel sound or 'an' before a consonant: what a swapped noun leaves behind."""
    found: list[tuple[str, int]] = []
    for i in range(len(spans) - 1):
        low = lows[i]
        if low not in ("a", "an"):
            continue
        nxt, start = spans[i + 1]
        if not nxt[0].isalpha() or not nxt[0].islower() or nxt in _FUNCTION_WORDS:
            continue
        vowel = nxt[0] in "aeiou"
        if (low == "a" and vowel and not _A_BEFORE_VOWEL_OK.match(nxt)) or (
            low == "an" and not vowel and not _AN_BEFORE_CONSONANT_OK.match(nxt)
        ):
            pass
        else:
            continue
        begin = spans[i][1]
        found.append((text[begin : start + len(nxt)], begin))
    return found


def _is_sentence_start(text: str, start: int) -> bool:
    j = start - 1
    while j >= 0 and text[j] in " \t\"'“‘(":
        j -= 1
    return j < 0 or text[j] in ".!?\n:"


# "proceeds" after these, or before these, is the noun ("the proceeds of the sale"), not "proceed".
_PROCEEDS_NOUN_BEFORE = _word_set(
    "the its their his her our your my whose all any some no these those such net gross total "
    "sale sales auction cash ipo offering bond estimated expected of from with and"
)
_PROCEEDS_NOUN_AFTER = _word_set("of from were are will would went go have has had")


def _is_noun_proceeds(lows: list[str], i: int) -> bool:
    before = lows[i - 1] if i > 0 else ""
    after = lows[i + 1] if i + 1 < len(lows) else ""
    return before in _PROCEEDS_NOUN_BEFORE or after in _PROCEEDS_NOUN_AFTER


def _markers(
    norm: str, spans: list[tuple[str, int]], lows: list[str]
) -> tuple[tuple[MarkerCount, ...], float, list[tuple[int, int, str]]]:
    """Counts and summed log-likelihood ratio of the spinner-favoured / ordinary word pairs, and
    where the spinner-favoured words of the pairs that weigh towards spin stand: (start, length,
    usual counterpart) in the text."""
    unigrams = Counter(lows)
    unigrams["proceeds"] -= sum(
        1 for i, low in enumerate(lows) if low == "proceeds" and _is_noun_proceeds(lows, i)
    )
    joined = " " + " ".join(lows) + " "
    initial: Counter[str] = Counter()
    initial_at: list[int] = []  # token places of sentence-initial "However" without a comma
    for i, low in enumerate(lows):
        if low in ("however", "but") and _is_sentence_start(norm, spans[i][1]):
            follows_comma = i + 1 < len(lows) and lows[i + 1] == ","
            if low == "but" or not follows_comma:
                initial["^" + low] += 1
                if low == "however":
                    initial_at.append(i)
    # "nations" with a capital is the United Nations; "officers" in a police story are officers.
    unigrams["nations"] = sum(1 for t, _ in spans if t == "nations")
    is_police = any(w in _POLICE_CONTEXT for w in unigrams)

    def count(form: str) -> int:
        if form.startswith("^"):
            return initial[form]
        return joined.count(f" {form} ") if " " in form else unigrams[form]

    counts: list[MarkerCount] = []
    total = 0.0
    telling: dict[str, str] = {}  # spun form -> its usual counterpart, for the pairs that tell
    for marker in _MARKERS:
        if marker.spun == ("officers",) and is_police:
            continue
        spun = sum(count(f) for f in marker.spun)
        usual = sum(count(f) for f in marker.usual)
        if not spun and not usual:
            continue
        p0, p1 = marker.p_genuine, marker.p_spun
        llr = spun * math.log(p1 / p0) + usual * math.log((1 - p1) / (1 - p0))
        total += max(_MARKER_PAIR_CLAMP[0], min(_MARKER_PAIR_CLAMP[1], llr))
        if spun:
            counts.append(
                MarkerCount(marker.spun[0].lstrip("^"), marker.usual[0].lstrip("^"), spun, usual)
            )
            if llr > 0:
                telling.update({f: marker.usual[0].lstrip("^") for f in marker.spun})
    places = _marker_places(spans, lows, telling)
    if "^however" in telling:
        places += [(spans[i][1], len(spans[i][0]), "But") for i in initial_at]
    return tuple(counts), max(_MARKER_CLAMP[0], min(_MARKER_CLAMP[1], total)), places


def _marker_places(
    spans: list[tuple[str, int]], lows: list[str], telling: Mapping[str, str]
) -> list[tuple[int, int, str]]:
    """(start, length, usual form) of each occurrence of the telling spun forms, as counted
    ("officers" in a police story never tells: it is left out before)."""
    places: list[tuple[int, int, str]] = []
    phrases = [(tuple(f.split()), u) for f, u in telling.items() if " " in f]
    for i, low in enumerate(lows):
        usual = telling.get(low)
        is_noun = low == "proceeds" and _is_noun_proceeds(lows, i)
        is_name = low == "nations" and spans[i][0] != "nations"
        if usual is not None and not is_noun and not is_name:
            places.append((spans[i][1], len(spans[i][0]), usual))
        for words, usual in phrases:
            if tuple(lows[i : i + len(words)]) == words:
                last = spans[i + len(words) - 1]
                places.append((spans[i][1], last[1] + len(last[0]) - spans[i][1], usual))
    return places
