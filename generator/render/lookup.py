"""Stage render (inputs): where the articles a page references are read from.

StoreLookup reads slim cards and analyses from the build store by the digests the catalog holds,
keeping the most recently used ones (the same articles appear in many listings); MemoryLookup
serves records held in memory, analysing them on demand (tests, the preview's quick pass).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from generator.models import Article
from generator.render.analysis import ArticleAnalysis, analyze_article, slim
from generator.render.bodies import make_markdown
from generator.render.store import Store

if TYPE_CHECKING:
    import markdown

    from generator.render.catalog import Entry

_CARDS = 20_000  # cards a lookup keeps (a few MB per thousand)
_ANALYSES = 256


class _Recent(OrderedDict[str, Any]):
    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def keep(self, key: str, value: Any) -> None:
        self[key] = value
        self.move_to_end(key)
        if len(self) > self.limit:
            self.popitem(last=False)


class StoreLookup:
    """Cards and analyses of the catalog's entries, from the build store."""

    def __init__(self, store: Store, entries: Mapping[str, Entry], version: str) -> None:
        self.store = store
        self.entries = entries
        self.version = version
        self._cards = _Recent(_CARDS)
        self._analyses = _Recent(_ANALYSES)

    def _get(self, slugs: Iterable[str], table: str, cache: _Recent) -> dict[str, Any]:
        found: dict[str, Any] = {}
        keys: dict[str, str] = {}
        for slug in slugs:
            entry = self.entries.get(slug)
            if entry is None:
                continue
            key = entry.card if table == "card" else entry.store_key(self.version)
            if key in cache:
                found[slug] = cache[key]
            else:
                keys[key] = slug
        if keys:
            for key, value in self.store.get_many(table, keys).items():
                cache.keep(key, value)
                found[keys[key]] = value
        return found

    def cards(self, slugs: Iterable[str]) -> dict[str, Article]:
        return self._get(slugs, "card", self._cards)

    def analyses(self, slugs: Iterable[str]) -> dict[str, ArticleAnalysis]:
        return self._get(slugs, "analysis", self._analyses)


class MemoryLookup:
    """Records held in memory; analyses made when first asked for. `md`: a converter to use
    (made with the same extensions) instead of a new one (the preview's quick pass keeps one:
    making it is half the pass)."""

    def __init__(
        self,
        articles: Sequence[Article],
        markdown_extensions: tuple[str, ...] = ("sane_lists", "tables"),
        base_url: str = "http://127.0.0.1:8000/",
        md: markdown.Markdown | None = None,
    ) -> None:
        self.articles = {a.slug: a for a in articles}
        self.md = md or make_markdown(markdown_extensions)
        self.base_url = base_url
        self._analyses: dict[str, ArticleAnalysis] = {}

    def cards(self, slugs: Iterable[str]) -> dict[str, Article]:
        return {s: slim(self.articles[s]) for s in slugs if s in self.articles}

    def analyses(self, slugs: Iterable[str]) -> dict[str, ArticleAnalysis]:
        out = {}
        for slug in slugs:
            if slug in self.articles:
                if slug not in self._analyses:
                    self._analyses[slug] = analyze_article(
                        self.articles[slug], self.md, self.base_url
                    )
                out[slug] = self._analyses[slug]
        return out


class ChainLookup:
    """The first lookup that has an article wins (the preview: the edited record, then the store)."""

    def __init__(self, *lookups: Any) -> None:
        self.lookups = lookups

    def _get(self, slugs: Iterable[str], method: str) -> dict[str, Any]:
        wanted = set(slugs)
        found: dict[str, Any] = {}
        for lookup in self.lookups:
            if not wanted:
                break
            got = getattr(lookup, method)(wanted)
            found.update(got)
            wanted -= got.keys()
        return found

    def cards(self, slugs: Iterable[str]) -> dict[str, Article]:
        return self._get(slugs, "cards")

    def analyses(self, slugs: Iterable[str]) -> dict[str, ArticleAnalysis]:
        return self._get(slugs, "analyses")
