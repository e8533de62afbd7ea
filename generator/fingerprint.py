"""Stable content digests: what lets a build reuse work from the last one.

A fingerprint changes exactly when something a stage reads changes: the values it is given, the
code that runs (`code_digest`), and for pages the templates they use.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

_PACKAGE = Path(__file__).resolve().parent


@cache
def code_digest() -> str:
    """Hash of the generator's own source and data files: a code change invalidates every cache."""
    digest = hashlib.blake2b(digest_size=16)
    for path in sorted(_PACKAGE.rglob("*")):
        if path.suffix in {".py", ".txt", ".json", ".js"} and "__pycache__" not in path.parts:
            digest.update(path.relative_to(_PACKAGE).as_posix().encode() + b"\x00")
            digest.update(path.read_bytes())
    return digest.hexdigest()


_ATOMS = (str, int, float, bool, type(None), Path)


def fingerprint(value: Any, known: Callable[[Any], bytes | None] | None = None) -> str:
    """Digest of a value made of atoms, tuples, lists, mappings and dataclasses.

    `known(value)` may return a precomputed digest for an object (an Article, say), which is then
    used in place of walking it. Mappings are taken in their own order, which is deterministic
    for everything a plan builds.
    """
    digest = hashlib.blake2b(digest_size=16)
    update = digest.update

    def walk(item: Any) -> None:
        if isinstance(item, _ATOMS):
            update(repr(item).encode("utf-8", "surrogatepass") + b"\x00")
            return
        if known is not None:
            precomputed = known(item)
            if precomputed is not None:
                update(b"#" + precomputed)
                return
        if isinstance(item, tuple | list):
            update(b"(")
            for element in item:
                walk(element)
            update(b")")
        elif isinstance(item, Mapping):
            update(b"{")
            for key, element in item.items():
                walk(key)
                walk(element)
            update(b"}")
        elif dataclasses.is_dataclass(item) and not isinstance(item, type):
            update(type(item).__qualname__.encode() + b"<")
            for field in dataclasses.fields(item):
                walk(getattr(item, field.name))
            update(b">")
        elif isinstance(item, set | frozenset):
            walk(sorted(item, key=repr))
        else:
            update(repr(item).encode("utf-8", "surrogatepass") + b"\x00")

    walk(value)
    return digest.hexdigest()
