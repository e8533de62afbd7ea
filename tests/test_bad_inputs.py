"""The bad-input corpus (tests/data/bad/): each file gets one clear line or builds correctly; nothing sinks the rest."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest

from generator.cli import main
from generator.frontmatter import split_front_matter

BAD = Path(__file__).parent / "data" / "bad"
HINT_BINARY = "Only text, HTML and Markdown can be ingested; move it out of content/raw/"
EXPECTED_LINES = {
    "empty.txt": "read: file is empty or whitespace only. Add the article text or delete the file",
    "whitespace.txt": "read: file is empty or whitespace only. Add the article text or delete the file",
    "random.txt": f"read: file looks binary, not text. {HINT_BINARY}",
    "front-matter-anchor-bomb.md:2": "read: front matter is not valid YAML: YAML anchors (&name) are not allowed in front matter. Fix the YAML syntax",
    "front-matter-python-tag.md:2": "read: front matter is not valid YAML: could not determine a constructor for the tag 'tag:yaml.org,2002:python/object/apply:os.system'. Fix the YAML syntax",
    "front-matter-unclosed.md:1": "read: front matter has no closing '---' line. End the YAML block with a line '---'",
    "front-matter-wrong-types.md": "read: date: '12' in the front matter is not a real date. Write it as YYYY-MM-DD, or remove the line for an undated article",
    "html-no-body.html": "clean: no article text found in the HTML page. Check the page has the article in it, or save it as .txt",
}
BUILT = {  # raw file -> (title, a phrase of the body)
    "truncated-utf8.txt": ("Café Owners Protest", "could not pay them"),
    "utf16-bom.txt": ("Señora García Wins", "won the mayoral race"),
    "latin1.txt": ("Müller Opens Bakery", "Hauptstraße, where the café used to be"),
    "nul-bytes.txt": ("Water Rates Rise", "The water rates rose"),
    "rtl-marks.txt": ("Council Vote", "extend the library hours"),
    "title-dotdot.txt": ("../../../../etc/passwd", "must not escape"),
    "dup-slug-a.txt": ("Same Title Twice", "first article"),
    "dup-slug-b.txt": ("Same Title Twice", "second article"),
    "emoji-only.txt": (None, "🔥🔥🔥"),
}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int, str, str]:
    root = tmp_path_factory.mktemp("bad")
    assert main(["init", str(root)], out=io.StringIO()) == 0
    raw = root / "content" / "raw"
    for path in BAD.iterdir():
        shutil.copy(path, raw / path.name)
    # Generated here rather than committed: a 50 MB file and a 5 MB single line.
    (raw / "huge.txt").write_bytes(b"Huge\n\n" + b"word " * (10 * 1024 * 1024))
    (raw / "one-line.txt").write_text("Long Line\n\n" + "a long run of words " * 260_000)
    before = {p.name: p.read_bytes() for p in raw.iterdir()}
    out, err = io.StringIO(), io.StringIO()
    code = main(["--root", str(root), "build"], out=out, err=err)
    after = {p.name: p.read_bytes() for p in raw.iterdir()}
    assert before == after  # raw inputs are never modified
    return root, code, out.getvalue(), err.getvalue()


def _records(root: Path) -> dict[str, tuple[dict[str, object], str]]:
    found = {}
    for path in (root / "content" / "articles").glob("*.md"):
        data, body, _ = split_front_matter(path.read_text(encoding="utf-8"), path)
        found[str(data["source"]["path"])] = (data, body)  # type: ignore[index]
    return found


def test_each_failure_is_one_line_naming_the_file(built: tuple[Path, int, str, str]) -> None:
    root, code, out, err = built
    raw = root / "content" / "raw"
    assert code == 1
    lines = err.strip().splitlines()
    for name, message in EXPECTED_LINES.items():
        assert f"{raw / name}: {message}" in lines, name
    assert (
        f"{raw / 'huge.txt'}: read: file is 50.0 MB, over the 20 MB limit. Split it, or raise max_input_mb in newsarchive.toml"
        in lines
    )
    skipped = len(EXPECTED_LINES) + 2  # + huge.txt and nested.html
    assert len(lines) == skipped, lines
    assert f"{skipped} skipped" in out


def test_deeply_nested_html_is_reported_not_crashed(built: tuple[Path, int, str, str]) -> None:
    root, _, _, err = built
    assert f"{root / 'content' / 'raw' / 'nested.html'}: clean: " in err


def test_odd_but_valid_inputs_build_correctly(built: tuple[Path, int, str, str]) -> None:
    root, _, _, _ = built
    records = _records(root)
    for name, (title, phrase) in BUILT.items():
        data, body = records[name]
        if title is not None:
            assert data["title"] == title, name
        assert phrase in body, name
        page = root / "site" / "articles" / str(data["slug"]) / "index.html"
        assert page.is_file(), name
    assert "NUL bytes removed" in records["nul-bytes.txt"][0]["repairs"]  # type: ignore[operator]
    assert "\u202e" not in str(records["rtl-marks.txt"][0]["title"])
    slugs = {records["dup-slug-a.txt"][0]["slug"], records["dup-slug-b.txt"][0]["slug"]}
    assert slugs == {"same-title-twice", "same-title-twice-2"}  # both survive
    assert "a long run of words" in records["one-line.txt"][1]


def test_no_output_escapes_the_site_folder(built: tuple[Path, int, str, str]) -> None:
    root, _, _, _ = built
    site = (root / "site").resolve()
    for path in site.rglob("*"):
        assert site in path.resolve().parents
    assert not (root / "etc").exists() and not (root.parent / "etc" / "passwd.md").exists()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("---\ntitle: [a, b]\n---\nBody.\n", "title: ['a', 'b'] is not of type 'string'"),
        ("---\ntitle: Fine\nslug: ../../x\n---\nBody.\n", "slug: '../../x' does not match"),
        ("---\ntitle: Fine\nauthors: 5\n---\nBody.\n", "authors: 5 is not of type 'array'"),
        ("---\ndate: 2024-01-01\n---\nBody.\n", "front matter has no 'title'"),
        ("---\ntitle: x\n  bad: indent\n---\n", "front matter is not valid YAML"),
    ],
)
def test_bad_hand_written_articles_are_skipped_with_the_field_named(
    tmp_path: Path, text: str, message: str
) -> None:
    assert main(["init", str(tmp_path)], out=io.StringIO()) == 0
    articles = tmp_path / "content" / "articles"
    (articles / "bad.md").write_text(text)
    (articles / "good.md").write_text("---\ntitle: Good one\ndate: 2024-02-02\n---\nA fine body.\n")
    err = io.StringIO()
    code = main(["--root", str(tmp_path), "build"], out=io.StringIO(), err=err)
    assert code == 1
    line = err.getvalue().strip()
    assert line.startswith(f"{articles / 'bad.md'}:") and ": load: " in line and message in line, (
        line
    )
    assert (tmp_path / "site" / "articles" / "good" / "index.html").is_file()
