"""Isolation: whatever one input or record raises becomes one Problem line, never a crash.

Used at the per-input boundary of every stage (read, clean, extract, annotate, write at ingest;
load at build). An ArticleError is the expected, explained refusal and keeps its own line. Any
other exception is a bug met on one input: it gets one line too (path, stage, what, and that the
traceback is in .build/last-build.log), the traceback travels with the Problem (worker processes
return it; only the main process writes the log), and the run goes on with the next input.
"""

from __future__ import annotations

import re
import time
import traceback
from pathlib import Path

from generator.errors import ArticleError, GeneratorError, Problem, readable_path

LOG_NAME = "last-build.log"
_SPACES = re.compile(r"\s+")


class InputStage:
    """The stage an input is in, so that an unexpected error names it."""

    __slots__ = ("current",)

    def __init__(self, first: str) -> None:
        self.current = first

    def enter(self, stage: str) -> None:
        self.current = stage


def problem_of(exc: BaseException, source: Path | str, stage: str, log_path: Path) -> Problem:
    """The one line for what `exc` (raised while `source` was at `stage`) did; an unexpected
    error carries its traceback for the log. Call from the `except` block that caught it."""
    if isinstance(exc, ArticleError):
        return Problem.from_error(exc)
    if isinstance(exc, GeneratorError):
        return Problem(str(source), stage, _one_line(str(exc)))
    what = _one_line(f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)
    return Problem(
        str(source),
        stage,
        f"internal error {what}. The input was skipped and the rest of the archive built; the "
        f"traceback is in {log_path} (please report it with the input)",
        detail=traceback.format_exc(),
    )


def _one_line(text: str, most: int = 200) -> str:
    text = _SPACES.sub(" ", text).strip()
    return text if len(text) <= most else text[: most - 1] + "…"


class BuildLog:
    """.build/last-build.log: the tracebacks of this run's unexpected errors. The first one a
    run writes replaces what an earlier run left."""

    def __init__(self, build_dir: Path) -> None:
        self.path = build_dir / LOG_NAME
        self._started = False

    def write(self, problems: list[Problem]) -> None:
        entries = [p for p in problems if p.detail]
        if not entries:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            mode = "a" if self._started else "w"
            with self.path.open(mode, encoding="utf-8", errors="backslashreplace") as handle:
                for problem in entries:
                    stamp = time.strftime("%Y-%m-%d %H:%M:%S")
                    source = readable_path(problem.source)
                    handle.write(f"--- {stamp} {source} ({problem.stage})\n{problem.detail}\n")
            self._started = True
        except OSError:
            pass  # the problem lines were printed; a log we cannot write must not end the run
