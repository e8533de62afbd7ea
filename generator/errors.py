"""Error tree and the Problem record every stage reports through (STYLE §6)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


class GeneratorError(Exception):
    """Base of every error the program expects and explains to the user."""


class ConfigError(GeneratorError):
    """The configuration file or the command line is wrong; lists every problem at once."""

    def __init__(self, source: Path | None, problems: list[str]) -> None:
        self.source = source
        self.problems = tuple(problems)
        where = f"{source}: " if source else ""
        super().__init__(where + "; ".join(problems))


class ArticleError(GeneratorError):
    """One input or article cannot be processed; the rest of the archive goes on."""

    def __init__(
        self,
        source: Path | str,
        stage: str,
        message: str,
        hint: str = "",
        line: int | None = None,
    ) -> None:
        self.source = Path(source)
        self.stage = stage
        self.message = message
        self.hint = hint
        self.line = line
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line else str(self.source)
        text = f"{where}: {self.stage}: {self.message}"
        if self.hint:
            text += f". {self.hint}"
        return text


class NoTextError(ArticleError):
    """Cleaning left no article text: a bad file, or in a web archive a page that is no article."""


class TemplateError(GeneratorError):
    """A template failed to load or render; names the template and line."""


class WriteError(GeneratorError):
    """The output could not be written (disk full, permissions, a file in the way)."""


class SearchError(GeneratorError):
    """The search index is missing, locked or the query cannot be parsed."""


class EmptyQueryError(SearchError):
    """A query with nothing to look for: empty, or only operators, punctuation or common words."""


@dataclass(frozen=True, slots=True)
class Problem:
    """One reported problem: printed once in the end-of-run summary."""

    source: str
    stage: str
    message: str
    is_warning: bool = False
    # The traceback of an unexpected error, for .build/last-build.log; never printed.
    detail: str = field(default="", compare=False, repr=False)

    def __str__(self) -> str:
        kind = "warning: " if self.is_warning else ""
        return f"{readable_path(self.source)}: {self.stage}: {kind}{self.message}"

    @classmethod
    def from_error(cls, error: ArticleError) -> Problem:
        text = error.message + (f". {error.hint}" if error.hint else "")
        where = f"{error.source}:{error.line}" if error.line else str(error.source)
        return cls(source=where, stage=error.stage, message=text)


class BuildSuperseded(GeneratorError):
    """A newer change arrived while a preview build ran; its output would be stale, so none is written."""


def readable_path(path: str) -> str:
    """A file path as text any terminal or file can show: a name that is not valid UTF-8 (a
    Latin-1 zip unpacked as is) keeps its undecodable bytes as \\xNN escapes."""
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        try:
            raw = path.encode("utf-8", "surrogateescape")
        except UnicodeEncodeError:  # a surrogate no file name decoding makes
            return path.encode("utf-8", "backslashreplace").decode("ascii")
        return raw.decode("utf-8", "backslashreplace")
    return path
