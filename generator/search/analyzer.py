"""Search (index of record): text -> index terms. NewsAnalyzer, Whoosh's stemming chain fused
into one pass, shared by the index writer, the query side and highlighting.

Lives in its own importable module because Whoosh pickles the schema (and so this class) into
the index.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from whoosh.analysis import (
    STOP_WORDS,
    Analyzer,
    CharsetFilter,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
    Token,
)
from whoosh.lang.porter import stem
from whoosh.support.charset import accent_map

# Whoosh's default token pattern (RegexTokenizer), without its capturing group, so findall()
# returns whole words.
WORD = re.compile(r"[\w\*]+(?:\.?[\w\*]+)*")
_WORD_CACHE = 500_000  # distinct spellings remembered by an analyzer before it starts afresh


# Options only Whoosh's chain reads; the fused pass takes its defaults.
_CHAIN_ONLY = frozenset({"keeporiginal", "removestops", "tokenize", "no_morph"})


class NewsAnalyzer(Analyzer):  # type: ignore[misc]
    """The terms of NewsAnalyzer.reference() (words, lower-cased, stop words and one-letter words
    dropped but counted in positions, Porter-stemmed, then accent-folded), fused into one pass.

    Each distinct spelling is analysed once and remembered, so a word costs one dict lookup; one
    Token is yielded over and over, as Whoosh's tokenizers do. Calls with options the fused pass
    does not handle (keeporiginal, removestops=False, tokenize=False, no_morph) go to the Whoosh
    chain itself. Lives here, importable, because Whoosh pickles the schema into the index.
    """

    is_morph = True  # it stems, as the chain's StemFilter does

    def __init__(self) -> None:
        # spelling as written -> (index term, or None for a stop word; plain word for "did you mean")
        self._words: dict[str, tuple[str | None, str]] = {}
        self._chain: Any = None

    def __getstate__(self) -> dict[str, Any]:
        return {}  # nothing to configure: caches are rebuilt after unpickling

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__()  # type: ignore[misc]

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"

    @staticmethod
    def reference() -> Any:
        """The Whoosh analyzer this one reproduces: StemmingAnalyzer's chain, except that words
        keep their numbers (StopFilter renumber=False), so a phrase's common words hold their
        place, then accents folded."""
        return (
            RegexTokenizer()
            | LowercaseFilter()
            | StopFilter(stoplist=STOP_WORDS, minsize=2, renumber=False)
            | StemFilter()
            | CharsetFilter(accent_map)
        )

    def word(self, text: str) -> tuple[str | None, str]:
        """(index term or None, plain word) for one word as the tokenizer found it."""
        found = self._words.get(text)
        if found is None:
            lower = text.lower()
            term = (
                None if len(lower) < 2 or lower in STOP_WORDS else stem(lower).translate(accent_map)
            )
            found = self._words[text] = (term, lower.translate(accent_map))
        return found

    def _fresh(self) -> None:
        if len(self._words) > _WORD_CACHE:
            self._words.clear()

    def plain_words(self, *texts: str) -> set[str]:
        """The distinct unstemmed words (lower-case, accent-folded, stop words kept) of texts."""
        self._fresh()
        analyse = self.word
        return {analyse(spelling)[1] for text in texts for spelling in set(WORD.findall(text))}

    def __call__(self, value: str, **options: Any) -> Iterator[Token]:
        """Whoosh's analyzer protocol: tokens of value. Whoosh passes its options by keyword
        (positions, chars, keeporiginal, removestops, start_pos, start_char, tokenize, mode,
        no_morph, and Token attributes); the fused pass serves the options an index or query
        uses, Whoosh's own chain the others."""
        assert isinstance(value, str), f"{value!r} is not unicode"
        if (
            options.get("keeporiginal", False)
            or not options.get("removestops", True)
            or not options.get("tokenize", True)
            or options.get("no_morph", False)
        ):
            if self._chain is None:
                self._chain = self.reference()
            return self._chain(value, **options)  # type: ignore[no-any-return]
        known = ("positions", "chars", "start_pos", "start_char", "mode")
        rest = {k: v for k, v in options.items() if k not in known and k not in _CHAIN_ONLY}
        return self._tokens(
            value,
            bool(options.get("positions", False)),
            bool(options.get("chars", False)),
            int(options.get("start_pos", 0)),
            int(options.get("start_char", 0)),
            str(options.get("mode", "")),
            rest,
        )

    def _tokens(
        self,
        value: str,
        positions: bool,
        chars: bool,
        start_pos: int,
        start_char: int,
        mode: str,
        kwargs: dict[str, Any],
    ) -> Iterator[Token]:
        self._fresh()
        token = Token(positions, chars, removestops=True, mode=mode, **kwargs)
        known = self._words.get
        analyse = self.word
        for number, match in enumerate(WORD.finditer(value)):
            term = (known(match.group(0)) or analyse(match.group(0)))[0]
            if term is None:
                continue
            token.text = term
            token.boost = 1.0
            token.stopped = False
            if positions:  # the word's number: common words left out hold their place
                token.pos = start_pos + number
            if chars:
                token.startchar = start_char + match.start()
                token.endchar = start_char + match.end()
            yield token


ANALYZER = NewsAnalyzer()  # for documents prepared outside a Whoosh writer
