"""Search (index of record), one-off processes: what `newsarchive search` sets up before it
imports the search code, so that a query answered in 20 ms does not wait on start-up.

A new process spends most of its time importing (measured at 10,000 articles: ~150 ms of
imports for a 20 ms query). Two of those costs buy a one-off search nothing:

- numpy's OpenBLAS starts a thread per core at import, for linear algebra a search does not do
  (its numpy work is element-wise): one thread saves ~70 ms of CPU on two cores.
- Importing Whoosh loads modules it never uses while searching: whoosh.compat imports
  `urlretrieve` from urllib.request (a Python 2 shim, never called here), and with it
  http.client, email and ssl (~20 ms); cached_property, on which whoosh.reading builds, imports
  asyncio (~15 ms) to ask, on first use of a cached property, whether it is a coroutine
  function, which Whoosh's never are. While the search code is imported, those two names are
  stand-ins that import the real module at first use, and answer that one question as asyncio
  does without it, so nothing behaves differently: the cost moves to a use that never comes.

The preview server and the build import the search code as they are (they start once).
"""

from __future__ import annotations

import contextlib
import importlib
import inspect
import os
import sys
import types
from collections.abc import Callable, Iterator
from typing import Any


def _iscoroutinefunction(function: Any) -> bool:
    """asyncio.iscoroutinefunction, importing asyncio only when the answer may be yes: it is yes
    for what inspect says is a coroutine function and for functions marked `_is_coroutine`."""
    if inspect.iscoroutinefunction(function) or hasattr(function, "_is_coroutine"):
        return bool(_real("asyncio").iscoroutinefunction(function))
    return False


# Module -> the functions its stand-in holds: those imported by `from module import name`
# (which reads them at once) and those called early; None forwards to the real module.
_DEFERRED: dict[str, dict[str, Callable[..., Any] | None]] = {
    "urllib.request": {"urlretrieve": None},
    "asyncio": {"iscoroutinefunction": _iscoroutinefunction},
}


class _StandIn(types.ModuleType):
    """A module that imports the real module of its name when an attribute is first read, and
    from then on answers every attribute from it."""

    def __getattr__(self, attribute: str) -> Any:
        if attribute.startswith("__"):  # the import system probing (__path__, __file__...)
            raise AttributeError(attribute)
        return getattr(_real(self.__name__), attribute)


def _real(name: str) -> types.ModuleType:
    if isinstance(sys.modules.get(name), _StandIn):
        del sys.modules[name]
    return importlib.import_module(name)


def _forward(module: str, function: str) -> Callable[..., Any]:
    def call(*args: Any, **kwargs: Any) -> Any:
        return getattr(_real(module), function)(*args, **kwargs)

    call.__name__ = function
    return call


@contextlib.contextmanager
def lean_imports() -> Iterator[None]:
    """Within the block, import the search code as a one-off process needs it (module
    docstring). The environment keeps OPENBLAS_NUM_THREADS when the user has set it."""
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    placed: dict[str, _StandIn] = {}
    for name, functions in _DEFERRED.items():
        if name in sys.modules:  # already imported: nothing to save
            continue
        stand_in = _StandIn(name)
        for function, answer in functions.items():
            setattr(stand_in, function, answer or _forward(name, function))
        placed[name] = sys.modules[name] = stand_in
    try:
        yield
    finally:
        # Later imports of these names get the real modules; the modules imported in the
        # block keep their stand-in, which forwards to the real module.
        for name, stand_in in placed.items():
            if sys.modules.get(name) is stand_in:
                del sys.modules[name]
