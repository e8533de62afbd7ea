"""Build manifest: each output file -> a fingerprint of everything it was made from.

A page's fingerprint covers the generator's code, the config, the page's template with every
template it extends, includes or imports, and the page's context (articles by content digest).
Equal fingerprints mean equal bytes, so a build rewrites only the files whose fingerprint moved.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
from jinja2 import meta

from generator.config import Config
from generator.errors import TemplateError
from generator.fingerprint import code_digest, fingerprint
from generator.fsutil import atomic_write_text
from generator.models import Page
from generator.render.plan import AnalysisRef, ArticleRef

if TYPE_CHECKING:
    from generator.render.catalog import Entry

MANIFEST_NAME = "manifest.json"
_FORMAT = 2


@dataclass(slots=True)
class Manifest:
    """What the site folder identified by `site_id` holds, file by file."""

    site_id: tuple[int, int, int] | None
    files: dict[str, str] = field(default_factory=dict)
    plan: int = 0  # the generation of the stored plan (render/pagedb.py) these files come from


def site_identity(site_dir: Path) -> tuple[int, int, int] | None:
    """(device, inode, ctime) of the site folder. A swap, a folder made anew or a file added to
    or removed from its top level by anyone else gives another one; a build that changes the
    folder itself records the new identity with its manifest."""
    try:
        st = site_dir.stat()
    except OSError:
        return None
    return (st.st_dev, st.st_ino, st.st_ctime_ns)


def load_manifest(path: Path) -> Manifest | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("format") != [_FORMAT, code_digest()]:
        return None
    site_id = data.get("site_id")
    files = data.get("files")
    if not isinstance(files, dict):
        return None
    return Manifest(
        (site_id[0], site_id[1], site_id[2])
        if isinstance(site_id, list) and len(site_id) == 3
        else None,
        {str(k): str(v) for k, v in files.items()},
        int(data.get("plan") or 0),
    )


def save_manifest(path: Path, manifest: Manifest) -> None:
    data = {
        "format": [_FORMAT, code_digest()],
        "site_id": list(manifest.site_id) if manifest.site_id else None,
        "plan": manifest.plan,
        "files": manifest.files,
    }
    atomic_write_text(path, json.dumps(data, sort_keys=True, indent=0) + "\n")


def template_error(exc: jinja2.TemplateSyntaxError) -> TemplateError:
    return TemplateError(
        f"{exc.filename or exc.name}:{exc.lineno}: template syntax error: {exc.message}"
    )


def template_digests(env: jinja2.Environment) -> dict[str, str]:
    """Each template's digest, including every template it extends, includes or imports.

    The first theme folder that has a name wins, as in the loader. A template that names another
    through a variable depends on all of them. Raises TemplateError on a syntax error.
    """
    assert env.loader is not None
    names = env.loader.list_templates()
    own: dict[str, str] = {}
    refs: dict[str, set[str]] = {}
    for name in names:
        source, filename, _ = env.loader.get_source(env, name)
        own[name] = hashlib.blake2b(
            f"{filename}\x00{source}".encode("utf-8", "surrogatepass"), digest_size=16
        ).hexdigest()
        if not name.endswith((".html", ".xml", ".txt", ".json", ".jsonld")):
            refs[name] = set()
            continue
        try:
            found = list(meta.find_referenced_templates(env.parse(source, name, filename)))
        except jinja2.TemplateSyntaxError as exc:
            raise template_error(exc) from exc
        refs[name] = set(names) if None in found else {str(r) for r in found}
    digests: dict[str, str] = {}
    for name in names:
        seen: set[str] = set()
        todo = [name]
        while todo:
            current = todo.pop()
            if current in seen:
                continue
            seen.add(current)
            todo.extend(refs.get(current, ()))
        digests[name] = fingerprint(sorted((n, own.get(n, "missing")) for n in seen))
    return digests


def page_fingerprints(
    pages: Sequence[Page],
    entries: Mapping[str, Entry],
    env: jinja2.Environment,
    config: Config,
    templates: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """output path -> fingerprint, for every page of a plan. A referenced article counts by its
    card digest (what listings show), an analysis by its whole record's digest. `templates`:
    template_digests(env), when the caller has them."""
    templates = template_digests(env) if templates is None else templates
    base = fingerprint((code_digest(), config)).encode()
    encode = _Encoder(entries)
    out: dict[str, str] = {}
    for page in pages:
        parts = [
            base,
            page.url.encode(),
            page.template.encode(),
            templates.get(page.template, "").encode(),
        ]
        encode(page.context, parts)
        out[page.output_path] = hashlib.blake2b(b"\x00".join(parts), digest_size=16).hexdigest()
    return out


class _Encoder:
    """Writes a page context as bytes for hashing: the same walk as fingerprint(), with article
    references by digest and the dataclasses many pages share (entity references, links)
    encoded once per build."""

    def __init__(self, entries: Mapping[str, Entry]) -> None:
        self.entries = entries
        self.memo: dict[int, tuple[Any, bytes]] = {}

    def __call__(self, value: Any, parts: list[bytes]) -> None:
        if isinstance(value, str):
            parts.append(b"s" + value.encode("utf-8", "surrogatepass"))
        elif isinstance(value, ArticleRef):
            parts.append(b"r" + self.entries[value.slug].card.encode())
        elif isinstance(value, AnalysisRef):
            parts.append(b"@" + self.entries[value.slug].record.encode())
        elif isinstance(value, tuple | list):
            if value and all(type(v) is ArticleRef for v in value):
                entries = self.entries
                parts.append(b"R" + "".join(entries[v.slug].card for v in value).encode())
                return
            parts.append(b"(")
            for item in value:
                self(item, parts)
            parts.append(b")")
        elif isinstance(value, Mapping):
            parts.append(b"{")
            for key, item in value.items():
                self(key, parts)
                self(item, parts)
            parts.append(b"}")
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            hit = self.memo.get(id(value))
            if hit is None or hit[0] is not value:
                inner: list[bytes] = [type(value).__qualname__.encode()]
                for f in dataclasses.fields(value):
                    self(getattr(value, f.name), inner)
                hit = (value, b"<" + b"\x00".join(inner) + b">")
                self.memo[id(value)] = hit  # the value is kept alive with its id
            parts.append(hit[1])
        else:
            parts.append(repr(value).encode("utf-8", "surrogatepass"))
