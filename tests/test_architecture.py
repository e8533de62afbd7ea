"""The code stays walkable: ARCHITECTURE.md's code map names every package and module under
generator/ (and nothing that is gone), no folder is named like build output, no module is over
600 lines, no function takes more than 8 parameters, and imports keep to the invariants that
ARCHITECTURE.md states."""

from __future__ import annotations

import ast
import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PACKAGE = REPO / "generator"
MAX_LINES = 600
MAX_PARAMETERS = 8
# Over a limit today, each split by the engineer of its issue (their branches land before the
# one that brought this test). An entry that no longer applies fails the test: remove it then.
KNOWN_OVER: dict[str, str] = {}
STAGES = ("ingest", "annotate", "render", "search", "serve")
# What each part must not import (ARCHITECTURE.md, "What may import what"); the core modules
# (generator/*.py) are the ones every stage may use, so they import no stage.
FORBIDDEN = {
    "ingest": ("annotate", "render", "search", "serve", "pipeline", "cli"),
    "annotate": ("ingest", "render", "search", "serve", "pipeline", "cli"),
    "render": ("serve", "pipeline", "cli"),
    "search": ("serve", "pipeline", "cli"),
    "serve": ("cli",),
    "core": (*STAGES, "pipeline", "cli"),
}
ENTRY_POINTS = ("cli.py", "pipeline.py", "__main__.py")  # core modules that call the stages
# Third-party engines and the only package that may import them (type hints aside).
ENGINES = {"whoosh": "search", "trafilatura": "ingest", "jinja2": "render"}


def _modules(root: Path = PACKAGE) -> list[str]:
    """Every Python module under root (generator/), relative to it (render/output.py)."""
    return sorted(
        p.relative_to(root).as_posix() for p in root.rglob("*.py") if "__pycache__" not in p.parts
    )


def _packages() -> list[str]:
    """Every package under generator/, relative to it, with a trailing slash (render/)."""
    return sorted(
        p.parent.relative_to(PACKAGE).as_posix() + "/"
        for p in PACKAGE.rglob("__init__.py")
        if p.parent != PACKAGE and "__pycache__" not in p.parts
    )


def _code_map() -> set[str]:
    """The modules and packages ARCHITECTURE.md's code map names, relative to generator/: a
    heading names a package (### `render/`, or `generator/` for the core) and each list item under
    it one module (- `output.py`: ...)."""
    text = (REPO / "ARCHITECTURE.md").read_text(encoding="utf-8")
    start = text.index("\n## Code map")
    end = text.find("\n## ", start + 1)
    named: set[str] = set()
    package: str | None = None
    for line in text[start : end if end > 0 else len(text)].splitlines():
        heading = re.match(r"### `([\w/]+/)`", line)
        if heading:
            package = "" if heading.group(1) == "generator/" else heading.group(1)
            if package:
                named.add(package)
        elif line.startswith("### "):
            package = None  # a section about what is outside generator/
        elif package is not None and (item := re.match(r"- `(\w+\.py)`", line)):
            named.add(package + item.group(1))
    return named


def test_the_code_map_names_every_package_and_module_and_nothing_else() -> None:
    named = _code_map()
    wanted = {m for m in _modules() if not m.endswith("__init__.py")} | set(_packages())
    missing = sorted(wanted - named)
    assert not missing, (
        f"ARCHITECTURE.md's code map does not name {missing}: add a line for each, "
        "under its package's heading"
    )
    gone = sorted(n for n in named if not (PACKAGE / n).exists())
    assert not gone, f"ARCHITECTURE.md's code map names {gone}, which no longer exist"


def test_no_folder_under_generator_is_named_like_build_output() -> None:
    folders = [p for p in PACKAGE.rglob("*") if p.is_dir() and p.name in {"build", "dist", "site"}]
    assert folders == []


def _over_limits(root: Path = PACKAGE) -> dict[str, list[str]]:
    """module -> what is over a limit in it."""
    found: dict[str, list[str]] = {}
    for rel in _modules(root):
        source = (root / rel).read_text(encoding="utf-8")
        lines = source.count("\n") + (not source.endswith("\n") and bool(source))
        if lines > MAX_LINES:
            found.setdefault(rel, []).append(f"{lines} lines")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                args = node.args
                names = [a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)]
                count = len([n for n in names if n not in {"self", "cls"}])
                if count > MAX_PARAMETERS:
                    found.setdefault(rel, []).append(
                        f"{node.name}() at line {node.lineno} takes {count} parameters"
                    )
    return found


def test_no_module_is_over_600_lines_and_no_function_takes_more_than_8_parameters() -> None:
    over = _over_limits()
    unexpected = {rel: what for rel, what in over.items() if rel not in KNOWN_OVER}
    assert not unexpected, (
        f"split these modules (at most {MAX_LINES} lines) or give these functions a parameter "
        f"object (at most {MAX_PARAMETERS} parameters, self not counted): {unexpected}"
    )
    stale = sorted(set(KNOWN_OVER) - set(over))
    assert not stale, f"{stale} are within the limits now: remove them from KNOWN_OVER"


def test_the_limits_are_measured_as_stated(tmp_path: Path) -> None:
    (tmp_path / "stage").mkdir()
    (tmp_path / "stage" / "long.py").write_text("x = 1\n" * 601)
    (tmp_path / "stage" / "full.py").write_text("x = 1\n" * 600)
    (tmp_path / "wide.py").write_text(
        "class A:\n"
        "    def eight(self, a, b, c, d, e, f, g, h, *rest, **more): pass\n"
        "    async def nine(self, a, b, /, c, d, e, f, g, *, h, i=1): pass\n"
    )
    assert _over_limits(tmp_path) == {
        "stage/long.py": ["601 lines"],
        "wide.py": ["nine() at line 3 takes 9 parameters"],
    }


def _imports(tree: ast.Module) -> list[tuple[str, bool]]:
    """(imported module, whether only for type hints) for every import in a module."""
    hints = [
        range(node.body[0].lineno, (node.body[-1].end_lineno or node.lineno) + 1)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
    ]
    found: list[tuple[str, bool]] = []
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
            if node.module == "generator":  # from generator import pipeline
                names += [f"generator.{alias.name}" for alias in node.names]
        typing_only = any(node.lineno in lines for lines in hints) if names else False
        found.extend((name, typing_only) for name in names)
    return found


def _import_violations(root: Path = PACKAGE) -> list[str]:
    found = []
    for rel in _modules(root):
        part = rel.split("/")[0] if "/" in rel else "core"
        if part == "core" and rel in ENTRY_POINTS:
            continue
        for name, typing_only in _imports(ast.parse((root / rel).read_text(encoding="utf-8"))):
            pieces = name.split(".")
            if pieces[0] == "generator" and len(pieces) > 1 and pieces[1] in FORBIDDEN[part]:
                found.append(f"{rel} imports {name}")
            home = ENGINES.get(pieces[0])
            if home is not None and part != home and not typing_only:
                found.append(f"{rel} imports {name} (only {home}/ may)")
    return found


def test_imports_keep_to_the_stated_invariants() -> None:
    assert _import_violations() == []


def test_the_import_check_finds_what_it_should(tmp_path: Path) -> None:
    (tmp_path / "ingest").mkdir()
    (tmp_path / "render").mkdir()
    (tmp_path / "ingest" / "bad.py").write_text(
        "from generator.render.plan import ref\n"
        "def f():\n    import whoosh\n    from generator import pipeline\n"
    )
    (tmp_path / "render" / "fine.py").write_text(
        "from typing import TYPE_CHECKING\nimport jinja2\nfrom generator.annotate import links\n"
        "if TYPE_CHECKING:\n    import whoosh\n"
    )
    (tmp_path / "models.py").write_text("from generator.ingest.extract import slugify\n")
    assert sorted(_import_violations(tmp_path)) == [
        "ingest/bad.py imports generator.pipeline",
        "ingest/bad.py imports generator.render.plan",
        "ingest/bad.py imports whoosh (only search/ may)",
        "models.py imports generator.ingest.extract",
    ]
