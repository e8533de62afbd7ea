"""Stage annotate (per article): Article -> ArticleFeatures, all the archive-level stage reads of it.

Pure and independent of every other article, so it can run in render or ingest worker processes
and be cached by content (features_key): the dedupe Signature (both MinHash channels and their set
sizes) and the RelatedFeatures (hashed word stems with counts, folded entity names). The
archive-level half (archive.annotate_features) then needs nothing else of the article's text.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from generator.annotate.dedupe import Signature, signature, signature_version, text_tokens
from generator.annotate.related import (
    RelatedFeatures,
    article_related_features,
    related_version,
)
from generator.annotate.tokens import analyse
from generator.models import Article

_VERSION = 1  # bump when ArticleFeatures changes shape or what it is made from


@dataclass(frozen=True, slots=True)
class ArticleFeatures:
    """One article's features for dedupe and related articles (plain bytes, str and int: picklable)."""

    signature: Signature
    related: RelatedFeatures

    def __reduce__(self) -> tuple[object, tuple[object, ...]]:
        # One flat tuple: unpickling 10,000 of these is 5x faster than slots dataclasses' state.
        sig, rel = self.signature, self.related
        fields = (sig.text, sig.text_size, sig.names, sig.names_size)
        return _restore, (*fields, rel.stems, rel.counts, rel.entities)


def _restore(
    text: bytes,
    text_size: int,
    names: bytes,
    names_size: int,
    stems: bytes,
    counts: bytes,
    entities: tuple[str, ...],
) -> ArticleFeatures:
    return ArticleFeatures(
        Signature(text, text_size, names, names_size), RelatedFeatures(stems, counts, entities)
    )


@cache
def features_version() -> str:
    """Names how features are made: stored features made under another version must be remade."""
    return f"{_VERSION}.{signature_version()}.{related_version()}"


def entity_names(article: Article) -> tuple[str, ...]:
    """The names related articles are matched on: people, organizations, places and tags."""
    return (*article.people, *article.organizations, *article.places, *article.tags)


def article_features(body: str, title: str = "", entities: Iterable[str] = ()) -> ArticleFeatures:
    """The features of one article from its body, title and entity names; deterministic, no I/O.

    The signature reads the body; related articles read the title and the body.
    """
    analysis = analyse(body)
    return ArticleFeatures(
        signature(body, text_tokens(body, analysis)),
        article_related_features(title, body, analysis, entities),
    )


def features_of(article: Article) -> ArticleFeatures:
    """article_features of an Article record."""
    return article_features(article.body, article.title, entity_names(article))


def features_key(article: Article) -> str:
    """Digest of everything features_of reads, and of how features are made."""
    parts = (article.title, article.body, *entity_names(article))
    # The lengths make the parts' boundaries part of the digest; one encode, one update.
    head = f"{features_version()}:{[len(p) for p in parts]}:"
    data = (head + "".join(parts)).encode("utf-8", "surrogatepass")
    return hashlib.sha256(data).hexdigest()[:32]  # SHA extensions: hashlib's fastest here
