"""Isolation: whatever one input raises, at any stage, is one line; the run and the site go on.

Faults are injected into one stage for one file only (every other input goes through the real
code); the run must name the file and the stage in one line, put the traceback in
.build/last-build.log, build the rest and exit 1. Worker processes end with the run that
started them, also when it is interrupted.
"""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from generator.cli import main
from generator.ingest import write

pytestmark = pytest.mark.slow
STORY = (
    "The council voted on Tuesday to extend the library's opening hours through the summer, "
    "after residents asked for more evening access to the reading rooms and the computers."
)
# stage -> (module, attribute) of the function that runs it
STAGES = {
    "read": ("generator.pipeline", "read_document"),
    "clean": ("generator.ingest.clean", "clean_text"),
    "extract": ("generator.ingest.extract", "extract_article"),
    "annotate": ("generator.annotate.records", "with_spin"),
    "write": ("generator.ingest.write", "write_record"),
}


def _archive(tmp_path: Path, names: list[str]) -> Path:
    root = tmp_path / "archive"
    assert main(["init", str(root)], out=io.StringIO()) == 0
    for name in names:
        title = name.removesuffix(".txt").replace("-", " ").title()
        (root / "content" / "raw" / name).write_text(f"{title}\n\n{STORY}\n", encoding="utf-8")
    return root


def _faulty(original: Any, name: str) -> Any:
    """`original`, raising for the input called `name` (found among its arguments)."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        for arg in (*args, *kwargs.values()):
            source = getattr(arg, "source_file", None) or getattr(arg, "source", None) or arg
            if isinstance(source, Path | str) and Path(str(source)).name == name:
                raise RuntimeError(f"injected fault\nin {name}")
        return original(*args, **kwargs)

    return wrapper


@pytest.mark.parametrize("stage", list(STAGES))
def test_an_error_at_any_stage_of_one_input_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stage: str
) -> None:
    root = _archive(tmp_path, ["first-story.txt", "boom.txt", "last-story.txt"])
    module, attribute = STAGES[stage]
    target = sys.modules[module] if module in sys.modules else __import__(module, fromlist=["x"])
    monkeypatch.setattr(target, attribute, _faulty(getattr(target, attribute), "boom.txt"))
    out, err = io.StringIO(), io.StringIO()
    code = main(["--root", str(root), "build"], out=out, err=err)
    assert code == 1
    lines = err.getvalue().strip().splitlines()
    log = root / ".build" / "last-build.log"
    assert lines == [
        f"{root / 'content' / 'raw' / 'boom.txt'}: {stage}: internal error RuntimeError: injected "
        f"fault in boom.txt. The input was skipped and the rest of the archive built; the "
        f"traceback is in {log} (please report it with the input)"
    ]
    text = log.read_text(encoding="utf-8")
    assert f"boom.txt ({stage})" in text and "Traceback (most recent call last)" in text
    assert "RuntimeError: injected fault" in text
    for slug in ("first-story", "last-story"):
        assert (root / "site" / "articles" / slug / "index.html").is_file()
    assert "2 articles built" in out.getvalue()


def test_an_error_loading_one_record_is_one_line_with_its_traceback_logged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from generator.render import catalog

    root = _archive(tmp_path, ["first-story.txt"])
    (root / "content" / "articles" / "boom.md").write_text("---\ntitle: Boom\n---\nBody.\n")
    monkeypatch.setattr(catalog, "analyze_article", _faulty(catalog.analyze_article, "boom.md"))
    err = io.StringIO()
    assert main(["--root", str(root), "build"], out=io.StringIO(), err=err) == 1
    (line,) = err.getvalue().strip().splitlines()
    assert line.startswith(f"{root / 'content' / 'articles' / 'boom.md'}: load: internal error ")
    assert "Traceback" in (root / ".build" / "last-build.log").read_text(encoding="utf-8")
    assert (root / "site" / "articles" / "first-story" / "index.html").is_file()


def test_each_run_starts_its_own_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _archive(tmp_path, ["boom.txt"])
    monkeypatch.setattr(write, "write_record", _faulty(write.write_record, "boom.txt"))
    for _ in range(2):
        main(["--root", str(root), "ingest"], out=io.StringIO(), err=io.StringIO())
    log = (root / ".build" / "last-build.log").read_text(encoding="utf-8")
    assert log.count("Traceback (most recent call last)") == 1


# stage -> (module, attribute) of the function that runs it for a web archive's page
WEB_STAGES = {
    "read": ("generator.ingest.webunit", "read_unit"),
    "clean": ("generator.ingest.clean", "clean_text"),
    "extract": ("generator.ingest.extract", "extract_article"),
    "annotate": ("generator.annotate.records", "with_spin"),
    "write": ("generator.ingest.write", "write_record"),
}
BOOM_URL = "https://news.example.org/boom-story"


def _crawl(root: Path) -> tuple[Path, int]:
    """A WARC of three pages in content/raw/; returns it and the offset of the middle one."""
    from tests.ingest.warcs import Archive, article_html, record_offsets

    warc = Archive()
    for slug in ("first-story", "boom-story", "last-story"):
        title = slug.replace("-", " ").title()
        warc.page(f"https://news.example.org/{slug}", article_html(title, f"{title}: {STORY}"))
    path = root / "content" / "raw" / "crawl.warc.gz"
    path.write_bytes(warc.data())
    return path, record_offsets(warc.data())[1]


def _faulty_page(original: Any) -> Any:
    """`original`, raising for the web page whose address or text names the boom story (web
    pages share one source file, so the page is told by its content)."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if any("boom-story" in repr(arg) or "Boom Story" in repr(arg) for arg in args):
            raise RuntimeError("injected fault")
        return original(*args, **kwargs)

    return wrapper


@pytest.mark.parametrize("stage", list(WEB_STAGES))
def test_an_error_at_any_stage_of_one_web_archive_page_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stage: str
) -> None:
    root = _archive(tmp_path, ["loose-story.txt"])
    warc, offset = _crawl(root)
    module, attribute = WEB_STAGES[stage]
    target = sys.modules[module] if module in sys.modules else __import__(module, fromlist=["x"])
    monkeypatch.setattr(target, attribute, _faulty_page(getattr(target, attribute)))
    out, err = io.StringIO(), io.StringIO()
    assert main(["--root", str(root), "build"], out=out, err=err) == 1
    log = root / ".build" / "last-build.log"
    assert err.getvalue().strip().splitlines() == [
        f"{warc}: {stage}: record at offset {offset} ({BOOM_URL}): internal error RuntimeError: "
        "injected fault. The input was skipped and the rest of the archive built; the traceback "
        f"is in {log} (please report it with the input)"
    ]
    assert "RuntimeError: injected fault" in log.read_text(encoding="utf-8")
    for slug in ("first-story", "last-story", "loose-story"):
        assert (root / "site" / "articles" / slug / "index.html").is_file()
    assert "3 articles built" in out.getvalue()


def test_an_error_scanning_one_web_archive_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from generator.ingest import webarchives

    root = _archive(tmp_path, ["loose-story.txt"])
    warc, _ = _crawl(root)
    original = webarchives.WebArchives.pages

    def pages(self: Any, path: str, rel: str) -> Any:
        pending = original(self, path, rel)
        yield next(pending)  # the first page is handed on, then the scan fails
        raise RuntimeError("injected scan fault")

    monkeypatch.setattr(webarchives.WebArchives, "pages", pages)
    err = io.StringIO()
    assert main(["--root", str(root), "build"], out=io.StringIO(), err=err) == 1
    (line,) = err.getvalue().strip().splitlines()
    assert line.startswith(f"{warc}: read: internal error RuntimeError: injected scan fault. ")
    for slug in ("first-story", "loose-story"):
        assert (root / "site" / "articles" / slug / "index.html").is_file()


def _children(pid: int) -> list[int]:
    """Live descendants of pid (from /proc)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            fields = stat[stat.rindex(")") + 2 :].split()
            if fields[0] != "Z":
                parents[int(entry.name)] = int(fields[1])
    found, todo = [], [pid]
    while todo:
        parent = todo.pop()
        kids = [p for p, pp in parents.items() if pp == parent]
        found.extend(kids)
        todo.extend(kids)
    return found


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads processes from /proc")
def test_an_interrupted_ingest_leaves_no_worker_running(tmp_path: Path) -> None:
    # Enough inputs that the pool has minutes of queued work when the run is interrupted.
    root = _archive(tmp_path, [])
    body = " ".join([STORY] * 40)
    for n in range(600):
        (root / "content" / "raw" / f"page-{n}.html").write_text(
            f"<html><head><title>Story {n}</title></head><body><article><h1>Story {n}</h1>"
            f"<p>{body}</p><p>{body}</p></article><aside class='comments'>{body}</aside>"
            "</body></html>",
            encoding="utf-8",
        )
    run = subprocess.Popen(
        [sys.executable, "-m", "generator", "--root", str(root), "ingest"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while not _children(run.pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _children(run.pid), "the pool started"
        time.sleep(2)  # the workers are busy with the queue
        run.send_signal(signal.SIGINT)
        run.wait(timeout=10)  # before: it waited for every queued page to be done
        time.sleep(1)
        assert not _running(str(root)), "workers of the interrupted run still run"
    finally:
        if run.poll() is None:
            run.kill()
            run.wait()


def _running(marker: str) -> list[int]:
    """Processes (not zombies) whose command line names `marker`."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            try:
                command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
                state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
            except (OSError, IndexError):
                continue
            if marker in command and state != "Z":
                found.append(int(entry.name))
    return found
