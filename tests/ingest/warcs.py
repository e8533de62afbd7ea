"""Web archives made at test time with warcio (no binary fixtures): pages, encodings, records."""

from __future__ import annotations

import gzip
import io
import json
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

_SENTENCES = (
    "The council met on Tuesday evening to weigh the proposal, which drew a crowd of residents.",
    "Officials said the plan would cost about four million dollars over the next three years.",
    "Several speakers urged the members to delay the vote until the public had seen the figures.",
    "The mayor told reporters that the city had little choice given the state of the old bridge.",
    "A final decision is expected next month, after engineers deliver a report on the repairs.",
)


def article_html(title: str, lede: str, *, head: str = "", extra: str = "") -> str:
    """A news page as a crawler saves it: navigation, the article, a footer."""
    paragraphs = "".join(f"<p>{s}</p>" for s in (lede, *_SENTENCES))
    return (
        f"<!DOCTYPE html><html><head>{head}<title>{title}</title></head><body>"
        '<nav><a href="/">Home</a> <a href="/news">News</a></nav>'
        f"<article><h1>{title}</h1>{paragraphs}</article>{extra}"
        "<footer>Copyright the Riverside Gazette</footer></body></html>"
    )


class Archive:
    """A WARC being written: each method appends one record."""

    def __init__(self, *, gzipped: bool = True) -> None:
        self.out = io.BytesIO()
        self.writer = WARCWriter(self.out, gzip=gzipped)

    def response(
        self,
        url: str,
        body: bytes,
        *,
        status: str = "200 OK",
        content_type: str | None = "text/html; charset=utf-8",
        headers: Sequence[tuple[str, str]] = (),
        date: str = "2024-03-05T12:00:00Z",
        chunked: bool = False,
        gzip_encoded: bool = False,
    ) -> str:
        """Append an HTTP response record; returns its WARC-Record-ID."""
        fields = [("Content-Type", content_type)] if content_type else []
        fields += list(headers)
        if gzip_encoded:
            body = gzip.compress(body)
            fields.append(("Content-Encoding", "gzip"))
        if chunked:
            fields.append(("Transfer-Encoding", "chunked"))
            body = b"".join(
                b"%x\r\n%s\r\n" % (len(body[i : i + 100]), body[i : i + 100])
                for i in range(0, len(body), 100)
            ) + b"0\r\n\r\n"
        http = StatusAndHeaders(status, fields, protocol="HTTP/1.1")
        record = self.writer.create_warc_record(
            url,
            "response",
            payload=io.BytesIO(body),
            length=len(body),  # else warcio buffers it in a temporary file it never closes
            http_headers=http,
            warc_headers_dict={"WARC-Date": date},
        )
        self.writer.write_record(record)
        return str(record.rec_headers.get_header("WARC-Record-ID"))

    def page(self, url: str, html: str, **options: object) -> str:
        return self.response(url, html.encode("utf-8"), **options)  # type: ignore[arg-type]

    def revisit(self, url: str, date: str = "2024-03-06T12:00:00Z") -> None:
        record = self.writer.create_revisit_record(
            url,
            digest="sha1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            refers_to_uri=url,
            refers_to_date="2024-03-05T12:00:00Z",
            warc_headers_dict={"WARC-Date": date},
        )
        self.writer.write_record(record)

    def request(self, url: str) -> None:
        http = StatusAndHeaders(f"GET {url} HTTP/1.1", [("Host", "example.org")], is_http_request=True)
        record = self.writer.create_warc_record(
            url, "request", payload=io.BytesIO(b""), length=0, http_headers=http
        )
        self.writer.write_record(record)

    def warcinfo(self) -> None:
        self.writer.write_record(
            self.writer.create_warcinfo_record("crawl.warc.gz", {"software": "tests"})
        )

    def data(self) -> bytes:
        return self.out.getvalue()


def record_offsets(data: bytes) -> list[int]:
    """Where each record starts, as warcio's own index tells it."""
    from warcio.archiveiterator import ArchiveIterator

    offsets = []
    iterator = ArchiveIterator(io.BytesIO(data))
    for _ in iterator:
        offsets.append(iterator.get_record_offset())
    return offsets


def wacz(
    path: Path,
    warcs: dict[str, bytes],
    pages: Iterable[str],
    *,
    stored: bool = True,
) -> None:
    """A WACZ: the WARCs under archive/ (stored, as the specification asks, or deflated), the
    pages list, a datapackage.json."""
    listed = [json.dumps({"format": "json-pages-1.0", "id": "pages", "title": "All Pages"})]
    listed += [json.dumps({"url": url, "ts": "2024-03-05T12:00:00Z"}) for url in pages]
    method = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in warcs.items():
            archive.writestr(f"archive/{name}", data, compress_type=method)
        archive.writestr("pages/pages.jsonl", "\n".join(listed) + "\n", zipfile.ZIP_DEFLATED)
        archive.writestr("indexes/index.cdx", "", zipfile.ZIP_DEFLATED)
        archive.writestr(
            "datapackage.json", json.dumps({"profile": "wacz", "resources": []}), zipfile.ZIP_DEFLATED
        )
