from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from generator.errors import ArticleError
from generator.ingest.read import read_document

MB = 1024 * 1024


def _read(tmp_path: Path, name: str, data: bytes) -> object:
    path = tmp_path / name
    path.write_bytes(data)
    return read_document(path, tmp_path, 20 * MB)


def test_empty_file_is_rejected_with_a_clear_message(tmp_path: Path) -> None:
    with pytest.raises(ArticleError) as info:
        _read(tmp_path, "empty.txt", b"  \n\t\n")
    assert str(info.value) == (
        f"{tmp_path / 'empty.txt'}: read: file is empty or whitespace only. Add the article text or delete the file"
    )


def test_binary_file_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(ArticleError, match="looks binary"):
        _read(tmp_path, "photo.txt", bytes(range(256)) * 64)


def test_oversized_file_is_rejected_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_bytes(b"word " * (MB // 4))
    with pytest.raises(ArticleError, match="over the 1 MB limit"):
        read_document(path, tmp_path, MB)


def test_unsupported_extension_is_named(tmp_path: Path) -> None:
    with pytest.raises(ArticleError, match=r"unsupported file type '\.pdf'"):
        _read(tmp_path, "scan.pdf", b"%PDF-1.4")


def test_utf16_with_bom_and_latin1_are_decoded(tmp_path: Path) -> None:
    text = "Señora Müller said the café would reopen on Tuesday after repairs."
    doc16 = _read(tmp_path, "a.txt", codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    latin = _read(tmp_path, "b.txt", text.encode("latin-1"))
    assert doc16.text == text  # type: ignore[attr-defined]
    assert latin.text == text  # type: ignore[attr-defined]


def test_mojibake_is_repaired_and_curly_quotes_kept(tmp_path: Path) -> None:
    clean = "‘We’re ready,’ said José Núñez — the café’s owner."
    broken = clean.encode("utf-8").decode("cp1252").encode("utf-8")
    doc = _read(tmp_path, "m.txt", broken)
    assert doc.text == clean  # type: ignore[attr-defined]
    assert doc.repairs  # type: ignore[attr-defined]
    untouched = _read(tmp_path, "c.txt", clean.encode("utf-8"))
    assert untouched.text == clean and not untouched.repairs  # type: ignore[attr-defined]


def test_sidecar_metadata_is_read_and_checked(tmp_path: Path) -> None:
    (tmp_path / "story.json").write_text(
        '{"url": "https://example.org/s", "date": "2023-11-30", "authors": ["Ann Lee"]}'
    )
    doc = _read(tmp_path, "story.txt", b"Headline\n\nBody text of the story goes here.")
    assert doc.sidecar.url == "https://example.org/s"  # type: ignore[attr-defined]
    assert doc.sidecar.date == "2023-11-30"  # type: ignore[attr-defined]
    assert doc.sidecar.authors == ("Ann Lee",)  # type: ignore[attr-defined]
    (tmp_path / "bad.yaml").write_text("url: [unclosed\n")
    with pytest.raises(ArticleError, match=r"bad\.yaml: read: sidecar is not valid YAML"):
        _read(tmp_path, "bad.txt", b"Some text for the article body.")
