"""Stage read: a file in content/raw/ -> RawDocument (decoded once, repaired, NFC), or ArticleError."""

from __future__ import annotations

import codecs
import hashlib
import json
import re
import unicodedata
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml

from generator.errors import ArticleError, readable_path
from generator.frontmatter import front_matter_end, load_yaml
from generator.fsutil import tree_files
from generator.models import RawDocument, SourceFormat, SourceMeta

FORMATS: Mapping[str, SourceFormat] = {
    ".txt": "txt",
    ".text": "txt",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".md": "md",
    ".markdown": "md",
}
SIDECAR_SUFFIXES = (".json", ".yaml", ".yml")
# Web archives (ISO 28500 WARC, its predecessor ARC, gzipped or not, and WACZ): each holds many
# pages, read by ingest/webarchives.py.
# A WACZ is a zip of such WARC/ARC files (ingest/wacz.py reads the ones under archive/).
WARC_SUFFIXES = (".warc", ".warc.gz", ".arc", ".arc.gz")
WEB_ARCHIVE_SUFFIXES = (*WARC_SUFFIXES, ".wacz")
_SIDECAR_KEYS = {"title", "date", "url", "publisher", "authors", "author", "language", "tags"}
_META_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)|<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""",
    re.I,
)
# Control characters other than tab/newline/CR/form feed: a few are tolerated, many mean binary.
_BINARY = "file looks binary, not text"
_BINARY_HINT = "Only text, HTML and Markdown can be ingested; move it out of content/raw/"
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)


def find_inputs(
    raw_dir: Path, listing: list[tuple[tuple[str, ...], str]] | None = None
) -> Iterator[str]:
    """Yield the path of every input file under raw_dir in a stable order (hidden files and
    sidecars skipped); `listing` is tree_files(raw_dir) when the caller has it. Paths are str:
    a scan of a large archive makes one per file."""
    for parts, name in tree_files(raw_dir) if listing is None else listing:
        if any(part.startswith((".", "_")) for part in parts):
            continue
        stem, dot, extension = parts[-1].rpartition(".")
        suffix = f".{extension.lower()}" if dot and stem else ""
        if suffix in FORMATS or is_web_archive(parts[-1]):
            yield name
        elif suffix not in SIDECAR_SUFFIXES and not parts[-1].startswith("README"):
            yield name  # reported as unsupported by read_document, never silently ignored


def is_web_archive(name: str) -> bool:
    return name.lower().endswith(WEB_ARCHIVE_SUFFIXES)


def read_document(path: Path, raw_dir: Path, max_bytes: int) -> RawDocument:
    """Read and decode one raw input.

    Raises ArticleError when the file is empty, binary, too large, undecodable or of an
    unsupported type, or when its sidecar is malformed.
    """
    rel = readable_path(path.relative_to(raw_dir).as_posix())
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise ArticleError(
            path,
            "read",
            f"unsupported file type {path.suffix or '(none)'!r}",
            "Use .txt, .html, .md or a web archive (.warc, .warc.gz, .arc, .wacz), or move the file out of content/raw/",
        )
    check_inside(path, raw_dir)
    size = path.stat().st_size
    if size > max_bytes:
        raise ArticleError(
            path,
            "read",
            f"file is {size / 1048576:.1f} MB, over the {max_bytes / 1048576:.0f} MB limit",
            "Split it, or raise max_input_mb in newsarchive.toml",
        )
    return document_from_bytes(path.read_bytes(), path, rel, fmt, read_sidecar(path))


def document_from_bytes(
    data: bytes,
    source: Path,
    rel: str,
    fmt: SourceFormat,
    sidecar: SourceMeta | None = None,
    *,
    declared: str | None = None,
    captured: str | None = None,
) -> RawDocument:
    """Decode and repair one input's bytes (a file's, or a web archive record's payload).

    `declared` is a charset stated outside the bytes (an HTTP Content-Type header); `captured`
    the time a crawler fetched them. Raises ArticleError when the bytes are binary or empty.
    """
    text, encoding = decode_bytes(data, source, is_html=fmt == "html", declared=declared)
    if not text.strip():
        raise ArticleError(
            source,
            "read",
            "file is empty or whitespace only",
            "Add the article text or delete the file",
        )
    repairs: tuple[str, ...] = ()
    if fmt == "html":
        # Mojibake repair runs on the text the page keeps (ingest/html.py): over the whole
        # markup, scripts and styles it cost more than all the rest of ingest together.
        fixed = text
    else:
        fixed = _repaired(text, fmt)
        plain = _CONTROL.sub("", text.replace("\f", "\n").replace("\v", "\n"))
        if _visible(fixed) != _visible(plain):
            repairs += ("mojibake repaired by ftfy",)
    if "\x00" in text:
        repairs += ("NUL bytes removed",)
    if _BIDI_CONTROLS.search(fixed):
        # Overrides and isolates can make a title read backwards on screen (spoofing); they are
        # formatting, not text, so they go.
        repairs += ("bidirectional control characters removed",)
    if encoding.endswith("(invalid bytes replaced)"):
        repairs += ("invalid UTF-8 bytes replaced with U+FFFD",)
    fixed = unicodedata.normalize("NFC", _BIDI_CONTROLS.sub("", fixed.replace("\x00", "")))
    return RawDocument(
        source=source,
        rel_path=rel,
        format=fmt,
        text=fixed,
        sha256=hashlib.sha256(data).hexdigest(),
        encoding=encoding,
        repairs=repairs,
        sidecar=sidecar or SourceMeta(),
        captured=captured,
    )


def _repaired(text: str, fmt: SourceFormat) -> str:
    """ftfy over the text an input's author wrote, never over a Markdown file's front matter:
    ftfy reads '&#39;' in "title: 'Mayor&#39;s budget'" as an apostrophe and breaks the YAML.
    Full-width letters are text, not mojibake, and stay; in Markdown, entities are syntax and
    stay too. A form feed or vertical tab (a page break) becomes a line break."""
    import ftfy  # here: 0.15 s to import, and only changed inputs are read

    head_end = front_matter_end(text) if fmt == "md" else 0
    head, body = text[:head_end], text[head_end:]
    body = ftfy.fix_text(
        body.replace("\f", "\n").replace("\v", "\n"),
        uncurl_quotes=False,
        fix_line_breaks=True,
        fix_character_width=False,
        unescape_html=False if fmt == "md" else "auto",
        normalization="NFC",
    )
    return unicodedata.normalize("NFC", head) + body


def check_inside(path: Path, raw_dir: Path) -> None:
    """Raises ArticleError unless path is a regular file inside raw_dir once symbolic links are
    followed: a link in an unpacked scrape folder must not publish /etc/passwd."""
    if not path.is_symlink():
        return
    target = path.resolve()
    if raw_dir.resolve() not in target.parents:
        raise ArticleError(
            path,
            "read",
            f"is a symbolic link to {readable_path(str(target))}, outside {readable_path(str(raw_dir))}",
            "Copy the file into the folder instead of linking to it",
        )
    if not target.is_file():
        raise ArticleError(path, "read", "is a symbolic link to something that is not a file")


def _visible(text: str) -> str:
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))


def decode_bytes(
    data: bytes, path: Path, *, is_html: bool = False, declared: str | None = None
) -> tuple[str, str]:
    """Decode bytes exactly once: BOM, then strict UTF-8, then declared charset, then detection.

    `declared` (an HTTP header's charset) goes before the page's own <meta charset>, as in a
    browser. Raises ArticleError when the bytes look binary.
    """
    for bom, name in (  # UTF-32 first: its little-endian BOM starts with UTF-16's
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return _reject_binary(data.decode(name), path), name
            except UnicodeDecodeError:
                break
    head = data[:8192]
    if head.count(b"\x00") > max(8, len(head) // 100):
        raise ArticleError(path, "read", _BINARY, _BINARY_HINT)
    try:
        return _reject_binary(data.decode("utf-8"), path), "utf-8"
    except UnicodeDecodeError:
        pass
    # UTF-8 with a handful of broken bytes (a truncated download, a bad splice) is still UTF-8;
    # without one well-formed multi-byte sequence it is a single-byte file ('£' in Latin-1).
    loose = data.decode("utf-8", errors="replace")
    if loose.count("\ufffd") <= max(2, len(data) // 2000) and _UTF8_SEQUENCE.search(data):
        return _reject_binary(loose, path), "utf-8 (invalid bytes replaced)"
    stated = [declared] if declared else []
    if is_html and (m := _META_CHARSET.search(data[:4096])):
        stated.append((m.group(1) or m.group(2)).decode("ascii", "replace"))
    for charset in stated:
        try:
            return _reject_binary(data.decode(charset), path), charset.lower()
        except (LookupError, UnicodeDecodeError):
            pass
    western = _western_single_byte(data)
    if western is not None:
        return _reject_binary(western, path), "cp1252"
    import charset_normalizer

    best = charset_normalizer.from_bytes(data).best()
    if best is None:
        raise ArticleError(path, "read", _BINARY, _BINARY_HINT)
    return _reject_binary(str(best), path), best.encoding


def _western_single_byte(data: bytes) -> str | None:
    """Windows-1252 text (the web's usual non-UTF-8 encoding) when it reads as accented Latin.

    Accepted only when almost every non-ASCII letter sits inside an otherwise ASCII word, as in
    'café' or 'Müller': Cyrillic or Greek text decoded this way gives whole words of accents.
    """
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        return None
    letters = [m.start() for m in re.finditer(r"[^\x00-\x7f]", text) if text[m.start()].isalpha()]
    if not letters:
        return text
    inside = sum(
        1
        for i in letters
        if (i > 0 and text[i - 1].isascii() and text[i - 1].isalpha())
        or (i + 1 < len(text) and text[i + 1].isascii() and text[i + 1].isalpha())
    )
    return text if inside / len(letters) >= 0.9 else None


def _reject_binary(text: str, path: Path) -> str:
    sample = text[:20000]
    if sample and len(_CONTROL.findall(sample)) > max(8, len(sample) // 200):
        raise ArticleError(path, "read", _BINARY, _BINARY_HINT)
    return text


def read_sidecar(path: Path) -> SourceMeta:
    """Read name.json / name.yaml next to a raw file into SourceMeta (empty when there is none).

    Raises ArticleError when the sidecar cannot be parsed or has wrong types.
    """
    for suffix in SIDECAR_SUFFIXES:
        side = path.with_suffix(suffix)
        if not side.is_file():
            continue
        try:
            text = side.read_text(encoding="utf-8")
            data = json.loads(text) if suffix == ".json" else load_yaml(text)
        except (ValueError, yaml.YAMLError, UnicodeDecodeError, RecursionError) as exc:
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise ArticleError(
                side,
                "read",
                f"sidecar is not valid {suffix[1:].upper()}: {first}",
                "Fix or remove the sidecar",
            ) from exc
        if data is None:
            return SourceMeta()
        if not isinstance(data, dict):
            raise ArticleError(
                side,
                "read",
                "sidecar must be a mapping of keys to values",
                'Write it as {"url": ..., "date": ...}',
            )
        return sidecar_meta(data, side)
    return SourceMeta()


def sidecar_meta(data: Mapping[str, Any], where: Path) -> SourceMeta:
    """Turn a sidecar mapping into SourceMeta, checking types. Raises ArticleError on bad values."""
    unknown = sorted(set(map(str, data)) - _SIDECAR_KEYS)
    if unknown:
        raise ArticleError(
            where,
            "read",
            f"unknown sidecar key(s) {', '.join(unknown)}",
            f"Known keys: {', '.join(sorted(_SIDECAR_KEYS))}",
        )

    def text(key: str) -> str | None:
        value = data.get(key)
        if value is None:
            return None
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            if key == "date" and hasattr(value, "isoformat"):
                return str(value.isoformat())
            raise ArticleError(
                where, "read", f"sidecar {key!r} must be text (got {type(value).__name__})"
            )
        return str(value).strip() or None

    def names(*keys: str) -> tuple[str, ...]:
        out: list[str] = []
        for key in keys:
            value = data.get(key)
            if value is None:
                continue
            items = [value] if isinstance(value, str) else value
            if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
                raise ArticleError(
                    where, "read", f"sidecar {key!r} must be a name or a list of names"
                )
            out.extend(i.strip() for i in items if i.strip())
        return tuple(dict.fromkeys(out))

    date = text("date")
    return SourceMeta(
        title=text("title"),
        date=date,
        date_source="sidecar" if date else None,
        authors=names("authors", "author"),
        url=text("url"),
        publisher=text("publisher"),
        language=text("language"),
        tags=names("tags"),
    )
