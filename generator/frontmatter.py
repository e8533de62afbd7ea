"""Front matter: the only place that parses and dumps YAML + Markdown article files (both halves use it)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import asdict
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import Composer, ComposerError
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.events import AliasEvent
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import Resolver
from yaml.scanner import Scanner

from generator.boundary import plain
from generator.errors import ArticleError
from generator.models import Article, Quote, Removal, SourceRef

MAX_FRONT_MATTER = 1024 * 1024
_GENERATED_BLOCK = re.compile(r"^generated:\n(?:  .*\n)+", re.M)
# Keys the Article record types itself; anything else travels in Article.extra.
TYPED_KEYS = (
    "title",
    "title_source",
    "slug",
    "date",
    "date_source",
    "dateline",
    "authors",
    "contributors",
    "photo_credits",
    "publisher",
    "url",
    "captured",
    "language",
    "summary",
    "word_count",
    "people",
    "organizations",
    "places",
    "quotes",
    "tags",
    "source",
    "removed",
)


class _Constructor(SafeConstructor):
    """SafeConstructor for plain data only: a timestamp stays the text it was written as when it
    names no real moment (2024-02-30; the stock constructor raises ValueError), else becomes
    its ISO text; binary, set and ordered-map values are refused (no JSON equivalent)."""

    def construct_yaml_timestamp(self, node: Any) -> Any:
        try:
            value = super().construct_yaml_timestamp(node)
        except (ValueError, OverflowError):
            return self.construct_scalar(node)
        return value.isoformat()

    def construct_refused(self, node: Any) -> Any:
        raise ConstructorError(
            None, None, f"values tagged {node.tag} are not allowed in front matter", node.start_mark
        )


_Constructor.add_constructor(  # type: ignore[type-var]  # the stubs want a Loader subclass
    "tag:yaml.org,2002:timestamp", _Constructor.construct_yaml_timestamp
)
for _tag in ("binary", "set", "omap", "pairs"):
    _Constructor.add_constructor(  # type: ignore[type-var]
        f"tag:yaml.org,2002:{_tag}", _Constructor.construct_refused
    )


class _NoAnchorComposer(Composer):
    """The composer that refuses anchors (&name) and aliases (*name) as it meets them: no node
    can be shared, so no 'billion laughs' document can be built, whatever the line breaks."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        event: Any = self.peek_event()  # type: ignore[attr-defined]  # the parser's method
        mark: Any = event.start_mark
        if isinstance(event, AliasEvent):
            raise ComposerError(
                None, None, "YAML aliases (*name) are not allowed in front matter", mark
            )
        if getattr(event, "anchor", None) is not None:
            raise ComposerError(
                None, None, "YAML anchors (&name) are not allowed in front matter", mark
            )
        return super().compose_node(parent, index)


def _loaders() -> tuple[Any, Any]:
    """(the loader refusing anchors, the libyaml loader for text that has none)."""
    try:
        from yaml._yaml import CParser  # libyaml: ~10x faster than the pure-Python parser
    except ImportError:  # pragma: no cover - PyYAML built without libyaml

        class Pure(Reader, Scanner, Parser, _NoAnchorComposer, _Constructor, Resolver):
            def __init__(self, stream: str) -> None:
                Reader.__init__(self, stream)
                Scanner.__init__(self)
                Parser.__init__(self)
                _NoAnchorComposer.__init__(self)
                _Constructor.__init__(self)
                Resolver.__init__(self)

        return Pure, Pure

    class Strict(CParser, _NoAnchorComposer, _Constructor, Resolver):
        """libyaml's scanner and parser, with the composer above in place of libyaml's."""

        get_single_node = _NoAnchorComposer.get_single_node
        get_node = _NoAnchorComposer.get_node
        check_node = _NoAnchorComposer.check_node

        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            _NoAnchorComposer.__init__(self)
            _Constructor.__init__(self)
            Resolver.__init__(self)

    class Libyaml(CParser, _Constructor, Resolver):
        """libyaml's own composer (a third faster than composing in Python): only for text
        with no '&' and no '*' at all, which therefore holds no anchor and no alias."""

        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            _Constructor.__init__(self)
            Resolver.__init__(self)

    return Strict, Libyaml


_STRICT_LOADER, _LIBYAML_LOADER = _loaders()


def load_yaml(text: str) -> Any:
    """Plain data from YAML text: no anchors or aliases, no tags beyond the JSON types,
    timestamps as text. Raises yaml.YAMLError (RecursionError for absurd nesting)."""
    loader = _LIBYAML_LOADER if "&" not in text and "*" not in text else _STRICT_LOADER
    return yaml.load(text, Loader=loader)


# libyaml's C emitter when PyYAML was built with it (the wheels are): ~10x faster than pure Python.
_BaseDumper: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class _Dumper(_BaseDumper):  # type: ignore[misc]
    """Block style lists, literal blocks for multi-line strings, no aliases."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _str_representer(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = (
        "|"
        if "\n" in value
        and not re.search(
            r"[ \t]\n|\n[ \t]|[\x00-\x08\x0b-\x1f\x7f\x85\u2028\u2029]|^\s|\s$", value
        )
        else None
    )
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str_representer)


_FENCED = re.compile(
    r"^---[ \t]*\r?\n(.*?)(?:\r?\n)?^(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S | re.M
)


def front_matter_end(text: str) -> int:
    """Where the body of a Markdown text starts (0 when it has no closed front matter)."""
    start = 1 if text.startswith("\ufeff") else 0
    if not text.startswith("---", start):
        return 0
    match = _FENCED.match(text[start:] if start else text)
    return start + match.end() if match else 0


def split_front_matter(
    text: str, source: Path, stage: str = "load"
) -> tuple[dict[str, Any], str, int]:
    """Split '---\\nYAML\\n---\\nbody'; returns (mapping, body, line where the body starts).

    Raises ArticleError when the YAML is malformed, uses tags or aliases, or is not a mapping.
    A file without front matter returns an empty mapping and the whole text as body.
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.startswith("---"):
        return {}, text, 1
    match = _FENCED.match(text)
    if match is None:
        raise ArticleError(
            source,
            stage,
            "front matter has no closing '---' line",
            "End the YAML block with a line '---'",
            line=1,
        )
    block = match.group(1)
    if len(block) > MAX_FRONT_MATTER:
        raise ArticleError(
            source, stage, "front matter is over 1 MB", "Move long text into the body"
        )
    try:
        data = plain(load_yaml(block))
    except RecursionError as exc:
        raise ArticleError(
            source, stage, "front matter is nested too deeply", "Flatten the YAML", line=1
        ) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ArticleError(
            source,
            stage,
            f"front matter is not valid YAML: {problem}",
            "Fix the YAML syntax",
            line=line,
        ) from exc
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ArticleError(
            source,
            stage,
            f"front matter must be a mapping of keys, not a {type(data).__name__}",
            "Write it as 'key: value' lines",
            line=2,
        )
    body_line = text[: match.end()].count("\n") + 1
    return {str(k): v for k, v in data.items()}, text[match.end() :], body_line


def dump_article_text(data: Mapping[str, Any], body: str) -> str:
    """Serialise front matter + body, deterministic (key order kept, unicode as is)."""
    yaml_text = yaml.dump(
        dict(data),
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=100,
        default_flow_style=False,
    )
    return f"---\n{yaml_text}---\n\n{body.strip()}\n"


def content_hash(text: str) -> str:
    """Hash of a generated file's text minus its 'generated' block, to detect hand edits."""
    return hashlib.sha256(_GENERATED_BLOCK.sub("", text, count=1).encode("utf-8")).hexdigest()


def with_generated(
    data: Mapping[str, Any], body: str, by: str, extra: Mapping[str, str] | None = None
) -> str:
    """The file text with a trailing 'generated' block holding the hash of everything else."""
    plain = {k: v for k, v in data.items() if k != "generated"}
    text = dump_article_text(plain, body)
    digest = content_hash(text)
    generated = {"by": by, **(extra or {}), "sha256": digest}
    block = yaml.dump(
        {"generated": generated}, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100
    )
    close = text.index("\n---\n\n") + 1  # YAML lines never start with '---', so this is the fence
    return f"{text[:close]}{block}{text[close:]}"


def is_hand_edited(text: str, data: Mapping[str, Any]) -> bool:
    """True when a generated file was changed by a person since the program wrote it."""
    generated = data.get("generated")
    if not isinstance(generated, Mapping) or not isinstance(generated.get("sha256"), str):
        return True
    return bool(content_hash(text) != generated["sha256"])


def article_to_mapping(article: Article) -> dict[str, Any]:
    """Front-matter mapping of an Article, in schema order, with extra keys after."""
    data: dict[str, Any] = {
        "title": article.title,
        "title_source": article.title_source,
        "slug": article.slug,
        "date": article.date,
        "date_source": article.date_source,
        "dateline": article.dateline,
        "authors": list(article.authors),
        "contributors": list(article.contributors),
        "photo_credits": list(article.photo_credits),
        "publisher": article.publisher,
        "url": article.url,
        "captured": article.captured,
        "language": article.language,
        "summary": article.summary,
        "word_count": article.word_count,
        "people": list(article.people),
        "organizations": list(article.organizations),
        "places": list(article.places),
        "quotes": [asdict(q) for q in article.quotes],
        "tags": list(article.tags),
        "source": _source_mapping(article.source),
        "removed": [asdict(r) for r in article.removed],
    }
    if data["source"] is None:
        del data["source"]
    for key in ("date_source", "publisher", "url", "captured", "language"):
        if data[key] is None:
            del data[key]
    data.update({k: v for k, v in article.extra.items() if k not in data})
    return data


def _source_mapping(source: SourceRef | None) -> dict[str, Any] | None:
    """A record's `source`: path, sha256, format, and a web archive page's record, offset and
    member only when it has them (a plain file's record stays as it always was)."""
    if source is None:
        return None
    return {k: v for k, v in asdict(source).items() if v is not None}


def _source_ref(src: Mapping[str, Any]) -> SourceRef:
    offset = src.get("offset")
    return SourceRef(
        path=src["path"],
        sha256=src["sha256"],
        format=src["format"],
        record=str(src["record"]) if src.get("record") is not None else None,
        offset=offset if isinstance(offset, int) and not isinstance(offset, bool) else None,
        member=str(src["member"]) if src.get("member") is not None else None,
    )


def _strings(value: Any, key: str, source: Path) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, list) or not all(isinstance(v, str | int | float) for v in value):
        raise ArticleError(
            source, "load", f"'{key}' must be a list of strings", f'Write it as {key}: ["a", "b"]'
        )
    return tuple(str(v) for v in value)


def mapping_to_article(
    data: Mapping[str, Any], body: str, source: Path, default_slug: str
) -> Article:
    """Article from validated front matter (defaults filled for hand-written files)."""
    src = data.get("source")
    quotes = tuple(
        Quote(text=str(q.get("text", "")), speaker=q.get("speaker"))
        for q in data.get("quotes") or ()
        if isinstance(q, Mapping)
    )
    removed = tuple(
        Removal(kind=str(r["kind"]), text=str(r["text"]), reason=str(r["reason"]))
        for r in data.get("removed") or ()
    )
    date = data.get("date")
    return Article(
        source_file=source,
        title=str(data["title"]),
        title_source=data.get("title_source") or "editor",
        slug=str(data.get("slug") or default_slug),
        body=body,
        date=str(date) if date is not None else None,
        date_source=data.get("date_source"),
        dateline=data.get("dateline"),
        authors=_strings(data.get("authors"), "authors", source),
        contributors=_strings(data.get("contributors"), "contributors", source),
        photo_credits=_strings(data.get("photo_credits"), "photo_credits", source),
        publisher=data.get("publisher"),
        url=data.get("url"),
        captured=str(data["captured"]) if data.get("captured") is not None else None,
        language=data.get("language"),
        summary=str(data.get("summary") or ""),
        word_count=int(data["word_count"])
        if data.get("word_count") is not None
        else len(body.split()),
        people=_strings(data.get("people"), "people", source),
        organizations=_strings(data.get("organizations"), "organizations", source),
        places=_strings(data.get("places"), "places", source),
        quotes=quotes,
        tags=_strings(data.get("tags"), "tags", source),
        source=_source_ref(src) if isinstance(src, Mapping) else None,
        removed=removed,
        extra={k: v for k, v in data.items() if k not in TYPED_KEYS},
    )
