"""Web archives through the command line: WARC and WACZ files of mixed records become exactly
their HTML pages; damaged records cost one line each; unchanged archives are not read again."""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator

from generator.cli import main
from generator.frontmatter import split_front_matter
from tests.ingest.warcs import Archive, article_html, record_offsets, wacz

CYRILLIC = "Городской совет утвердил новый бюджет на ремонт старого моста через реку."
GREEK = "Το δημοτικό συμβούλιο ενέκρινε τον προϋπολογισμό για την επισκευή της γέφυρας."


def _run(root: Path, *args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["--root", str(root), *args], out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def _records(root: Path) -> dict[str, tuple[dict[str, Any], str]]:
    """Records by URL: (front matter, body)."""
    found = {}
    for path in sorted((root / "content" / "articles").glob("*.md")):
        data, body, _ = split_front_matter(path.read_text(encoding="utf-8"), path)
        found[str(data.get("url"))] = (data, body)
    return found


def _archive(tmp_path: Path) -> Path:
    root = tmp_path / "archive"
    assert main(["init", str(root)], out=io.StringIO()) == 0
    return root


def _mixed() -> tuple[Archive, dict[str, str]]:
    """A crawl's worth of record kinds; returns the archive and the record id of each page."""
    warc = Archive()
    warc.warcinfo()
    ids = {}
    warc.request("https://news.example.org/bridge")
    ids["gzip"] = warc.page(
        "https://news.example.org/bridge",
        article_html("Bridge Repairs Approved", "The bridge will close for repairs in May."),
        gzip_encoded=True,
    )
    ids["chunked"] = warc.page(
        "https://news.example.org/library",
        article_html("Library Extends Hours", "The library will open on Sundays from June."),
        chunked=True,
        date="2024-03-05T12:05:00Z",
    )
    ids["http-charset"] = warc.response(
        "https://news.example.org/ru/budget",
        article_html("Бюджет утверждён", CYRILLIC).encode("cp1251"),
        content_type="text/html; charset=windows-1251",
    )
    ids["meta-charset"] = warc.response(
        "https://news.example.org/el/bridge",
        article_html(
            "Η γέφυρα", GREEK, head='<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-7">'
        ).encode("iso-8859-7"),
        content_type="text/html",
    )
    warc.response("https://news.example.org/report.pdf", b"%PDF-1.4 not a page", content_type="application/pdf")
    warc.response("https://news.example.org/logo.png", b"\x89PNG\r\n\x1a\n", content_type="image/png")
    warc.response(
        "https://news.example.org/old-bridge",
        b"",
        status="301 Moved Permanently",
        headers=[("Location", "https://news.example.org/bridge")],
    )
    warc.page("https://news.example.org/missing", article_html("Not Found", "No such page here."), status="404 Not Found")
    warc.revisit("https://news.example.org/bridge")
    warc.response("https://news.example.org/empty", b"")
    return warc, ids


def test_warc_of_mixed_records_ingests_exactly_its_html_pages(tmp_path: Path) -> None:
    root = _archive(tmp_path)
    warc, ids = _mixed()
    data = warc.data()
    # A crawler's file name carries the crawl's date: never the articles' publication date.
    name = "rec-20240305120000-crawler.warc.gz"
    (root / "content" / "raw" / name).write_bytes(data)

    code, out, err = _run(root, "ingest")

    assert (code, err) == (0, "")
    assert out.startswith("4 written, 0 unchanged, 0 kept (hand-edited), 0 skipped; ")
    assert "6 web archive captures not ingested (2 not HTML, 1 empty, 1 error status, 1 redirect, 1 revisit)" in out
    records = _records(root)
    assert set(records) == {
        "https://news.example.org/bridge",
        "https://news.example.org/library",
        "https://news.example.org/ru/budget",
        "https://news.example.org/el/bridge",
    }
    offsets = record_offsets(data)
    for url, (front, _body) in records.items():
        source = front["source"]
        assert source["path"] == name and source["format"] == "html"
        assert source["record"] in ids.values()
        # The offset is where the record is: warcio reads it back from there.
        assert source["offset"] in offsets
        stream = io.BytesIO(data)
        stream.seek(source["offset"])
        record = next(iter(ArchiveIterator(stream)))
        assert record.rec_headers.get_header("WARC-Record-ID") == source["record"]
        assert record.rec_headers.get_header("WARC-Target-URI") == url
        assert front["date"] is None  # the pages state none; the capture time is no substitute
        assert front["captured"].startswith("2024-03-05T12:0")
    assert records["https://news.example.org/library"][0]["captured"] == "2024-03-05T12:05:00Z"
    assert "open on Sundays" in records["https://news.example.org/library"][1]  # chunked
    assert "close for repairs in May" in records["https://news.example.org/bridge"][1]  # gzip
    assert CYRILLIC in records["https://news.example.org/ru/budget"][1]  # HTTP charset only
    assert GREEK in records["https://news.example.org/el/bridge"][1]  # <meta> charset


def test_wacz_ingests_the_pages_its_list_names(tmp_path: Path) -> None:
    root = _archive(tmp_path)
    warc = Archive()
    warc.response(
        "https://news.example.org/seed",
        b"",
        status="302 Found",
        headers=[("Location", "/bridge")],
    )
    warc.page("https://news.example.org/bridge", article_html("Bridge Repairs Approved", "The bridge will close in May."))
    warc.page("https://news.example.org/library", article_html("Library Extends Hours", "Open on Sundays from June."))
    # An embedded frame is an HTML capture too, but no page of the crawl.
    warc.page("https://ads.example.com/frame", article_html("Sponsored", "Buy a new car today at a low price."))
    warc.response("https://news.example.org/style.css", b"body{}", content_type="text/css")
    raw = root / "content" / "raw"
    pages = ["https://news.example.org/seed", "https://news.example.org/library#top"]
    wacz(raw / "crawl.wacz", {"data.warc.gz": warc.data()}, pages)
    wacz(raw / "deflated.wacz", {"data.warc.gz": warc.data()}, pages, stored=False)

    code, out, err = _run(root, "ingest")

    assert (code, err) == (0, "")
    assert "not in the pages list" in out and "redirect" in out
    found = {}
    for path in (root / "content" / "articles").glob("*.md"):
        front, _, _ = split_front_matter(path.read_text(encoding="utf-8"), path)
        found[(front["source"]["path"], front["url"])] = front["source"]
    # The same captures in two WACZs are the same text: each page once.
    assert sorted(url for _, url in found) == [
        "https://news.example.org/bridge",
        "https://news.example.org/library",
    ]
    assert all(source["member"] == "archive/data.warc.gz" for source in found.values())
    assert not list((root / ".build" / "cache" / "wacz-members").glob("*"))  # copies removed


def test_damaged_records_are_one_line_each_and_lose_nothing_else(tmp_path: Path) -> None:
    root = _archive(tmp_path)
    raw = root / "content" / "raw"
    plain = Archive(gzipped=False)
    plain.page("https://a.example.org/one", article_html("First Story Here", "The first story begins."))
    plain.page("https://a.example.org/two", article_html("Second Story Here", "The second story begins."))
    plain.page("https://a.example.org/three", article_html("Third Story Here", "The third story begins."))
    data = plain.data()
    second = record_offsets(data)[1]
    # The second record claims 40 more bytes than it has: it swallows the third's start.
    length_at = data.index(b"Content-Length: ", second)
    end = data.index(b"\r\n", length_at)
    stated = int(data[length_at + 16 : end])
    data = data[: length_at + 16] + str(stated + 40).encode() + data[end:]
    (raw / "corrupt.warc").write_bytes(data)
    cut = Archive()
    cut.page("https://b.example.org/four", article_html("Fourth Story Here", "The fourth story begins."))
    cut.page("https://b.example.org/five", article_html("Fifth Story Here", "The fifth story begins."))
    whole = cut.data()
    (raw / "cut.warc.gz").write_bytes(whole[:-60])  # a crawl stopped mid-record
    (raw / "not-a-zip.wacz").write_bytes(b"PK\x03\x04 and then nothing a zip reader knows")

    code, out, err = _run(root, "ingest")

    assert code == 1
    lines = err.splitlines()
    assert lines == [
        f"{raw / 'corrupt.warc'}: read: record at offset {second}: record length does not match "
        "its content; the rest of the archive is read",
        f"{raw / 'cut.warc.gz'}: read: record at offset {record_offsets(whole)[1]}: truncated record: "
        + lines[1].split("truncated record: ")[1],
        f"{raw / 'not-a-zip.wacz'}: read: cannot read the web archive (BadZipFile: File is not a zip file)",
    ]
    assert set(_records(root)) == {
        "https://a.example.org/one",
        "https://a.example.org/three",
        "https://b.example.org/four",
    }
    # Nothing changed: nothing is read again, and the damaged records are still reported.
    code, out, again = _run(root, "ingest")
    assert (code, again) == (1, err)
    assert out.startswith("0 written, 3 unchanged")


def test_unchanged_warc_is_not_read_and_a_grown_one_only_from_where_it_ended(
    tmp_path: Path,
) -> None:
    root = _archive(tmp_path)
    warc = Archive()
    for n in range(30):  # enough pages for the worker pool
        warc.page(
            f"https://news.example.org/story-{n}",
            article_html(f"Story Number {n} Of The Day", f"This is story {n} of the council series."),
        )
        warc.response(f"https://news.example.org/photo-{n}.jpg", b"\xff\xd8", content_type="image/jpeg")
    path = root / "content" / "raw" / "crawl.warc.gz"
    path.write_bytes(warc.data())
    code, out, _ = _run(root, "ingest")
    assert code == 0 and out.startswith("30 written, 0 unchanged") and "30 not HTML" in out

    # Same size, same modification time, other bytes: a run that read it would find no record.
    original, stat = path.read_bytes(), path.stat()
    with path.open("r+b") as handle:
        handle.write(b"\0" * len(original))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    code, out, err = _run(root, "ingest")
    assert (code, err) == (0, "")
    assert out == "0 written, 30 unchanged, 0 kept (hand-edited), 0 skipped\n"

    # The crawler appends a page and an image: only they are read.
    with path.open("r+b") as handle:
        handle.write(original)
    more = Archive()
    more.page("https://news.example.org/late", article_html("A Late Story Arrives", "This one came in late."))
    more.response("https://news.example.org/late.jpg", b"\xff\xd8", content_type="image/jpeg")
    with path.open("ab") as handle:
        handle.write(more.data())
    code, out, err = _run(root, "ingest")
    assert (code, err) == (0, "")
    assert out.startswith("1 written, 30 unchanged") and "1 web archive capture not ingested (1 not HTML)" in out
    assert len(_records(root)) == 31


@pytest.mark.slow
def test_same_capture_once_and_changed_captures_linked_as_versions(tmp_path: Path) -> None:
    root = _archive(tmp_path)
    warc = Archive()
    steady = article_html("Harbor Plan Unveiled", "The harbor plan was unveiled on Monday.")
    warc.page("https://news.example.org/harbor", steady, date="2024-03-01T08:00:00Z")
    # A day later: the same text in a page whose surroundings changed.
    warc.page(
        "https://news.example.org/harbor",
        steady.replace("<footer>", "<aside>Most read: weather</aside><footer>"),
        date="2024-03-02T08:00:00Z",
    )
    warc.page(
        "https://news.example.org/vote",
        article_html("Council Vote Delayed", "The vote was delayed by a week."),
        date="2024-03-01T09:00:00Z",
    )
    warc.page(
        "https://news.example.org/vote",
        article_html("Council Vote Held", "The vote was held on Thursday after all, and passed."),
        date="2024-03-08T09:00:00Z",
    )
    (root / "content" / "raw" / "crawl.warc.gz").write_bytes(warc.data())

    code, out, err = _run(root, "build")

    assert (code, err) == (0, "")
    assert "1 same text as another capture" in out
    by_title = {f["title"]: f for f, _ in map(_front, (root / "content" / "articles").glob("*.md"))}
    assert sorted(by_title) == ["Council Vote Delayed", "Council Vote Held", "Harbor Plan Unveiled"]
    later = (root / "site" / "articles" / by_title["Council Vote Held"]["slug"] / "index.html").read_text()
    earlier = (root / "site" / "articles" / by_title["Council Vote Delayed"]["slug"] / "index.html").read_text()
    assert "An earlier capture of this page is in the archive" in later
    assert f"articles/{by_title['Council Vote Delayed']['slug']}/" in later
    assert "March 1, 2024, 09:00 UTC" in later
    assert "A later capture of this page is in the archive" in earlier
    assert "earlier capture" not in earlier
    harbor = (root / "site" / "articles" / by_title["Harbor Plan Unveiled"]["slug"] / "index.html").read_text()
    assert "capture of this page" not in harbor


def _front(path: Path) -> tuple[dict[str, Any], str]:
    front, body, _ = split_front_matter(path.read_text(encoding="utf-8"), path)
    return front, body
