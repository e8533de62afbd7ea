"""Stage plan (entity views): Articles -> per-person/organization/place/tag listings with co-mentions."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from generator.ingest.extract import slugify
from generator.models import Article

KINDS = ("people", "organizations", "places", "tags")
KIND_LABELS = {
    "people": "People",
    "organizations": "Organizations",
    "places": "Places",
    "tags": "Tags",
}


@dataclass(frozen=True, slots=True)
class EntityRef:
    """A link to an entity page: what it is called and where its page is."""

    kind: str
    name: str
    url: str
    count: int


@dataclass(frozen=True, slots=True)
class EntityView:
    ref: EntityRef
    articles: tuple[Article, ...]
    related: tuple[EntityRef, ...]


@dataclass(frozen=True, slots=True)
class EntityIndex:
    """Every entity of the archive by kind, with stable, unique URLs."""

    views: dict[str, tuple[EntityView, ...]]
    refs: dict[tuple[str, str], EntityRef]

    def ref(self, kind: str, name: str) -> EntityRef | None:
        return self.refs.get((kind, name))


def _names(article: Article, kind: str) -> tuple[str, ...]:
    values: tuple[str, ...] = getattr(article, kind)
    return tuple(dict.fromkeys(v for v in values if v.strip()))


def build_entity_index(articles: Iterable[Article], related_limit: int = 12) -> EntityIndex:
    """Group articles (already newest first) by each entity they name; count co-mentions."""
    articles = tuple(articles)
    members: dict[tuple[str, str], list[Article]] = defaultdict(list)
    for article in articles:
        for kind in KINDS:
            for name in _names(article, kind):
                members[(kind, name)].append(article)
    refs: dict[tuple[str, str], EntityRef] = {}
    for kind in KINDS:
        taken: set[str] = set()
        # Most-mentioned first gets the plain slug, so the common name keeps the short URL.
        for k, name in sorted(
            (key for key in members if key[0] == kind), key=lambda key: (-len(members[key]), key[1])
        ):
            base = slugify(name, max_length=60)
            slug, n = base, 2
            while slug in taken:
                slug, n = f"{base}-{n}", n + 1
            taken.add(slug)
            refs[(k, name)] = EntityRef(kind, name, f"{kind}/{slug}/", len(members[(k, name)]))
    views: dict[str, tuple[EntityView, ...]] = {}
    for kind in KINDS:
        items = []
        for key in sorted(
            (key for key in members if key[0] == kind), key=lambda key: key[1].casefold()
        ):
            together: Counter[tuple[str, str]] = Counter()
            for article in members[key]:
                for other_kind in KINDS:
                    for name in _names(article, other_kind):
                        if (other_kind, name) != key:
                            together[(other_kind, name)] += 1
            related = tuple(
                refs[k]
                for k, _ in sorted(together.items(), key=lambda kv: (-kv[1], kv[0]))[:related_limit]
            )
            items.append(EntityView(refs[key], tuple(members[key]), related))
        views[kind] = tuple(items)
    return EntityIndex(views, refs)
