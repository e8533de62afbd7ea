"""Web archive ingest at scale: a generated 1 GB WARC against the same pages as loose .html files.

    .venv/bin/python benchmarks/bench_warc.py [--size-mb 1024] [--html-share 0.5] [--work DIR]

Builds a crawl-like .warc.gz: real news pages (the 181 of ScrapingHub's article-extraction-benchmark
in ../shared/data, MIT licence; each copy at its own URL, so no two captures are the same page)
with request records and JPEG-sized images between them, until the file reaches --size-mb. Each
record is its own gzip member, as crawlers write them (compressed at level 1 here: warcio's
writer uses level 9, which would take minutes per GB to generate).
The same HTML pages are also written as loose .html files, each with a sidecar naming its URL
(the WARC's WARC-Target-URI). Then, one after the other, each folder
is ingested by `newsarchive ingest` in a fresh process, sampling the resident memory of that
process and of each of its workers from /proc every 50 ms, and CPU seconds from rusage. Last, the
WARC is ingested again unchanged (nothing should be read), then with a few records appended.
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import threading
import time
import zlib
from pathlib import Path
from typing import IO

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data"
SOURCES = (DATA / "article-extraction-benchmark" / "html",)


def _pages() -> list[bytes]:
    pages = [gzip.decompress(p.read_bytes()) for d in SOURCES for p in sorted(d.glob("*.html.gz"))]
    if not pages:
        sys.exit(f"no pages: this benchmark reads real pages from {DATA}")
    return pages


def _record(handle: IO[bytes], url: str, kind: str, body: bytes, http: StatusAndHeaders, date: str) -> None:
    """One record, written uncompressed by warcio, as a gzip member of its own."""
    plain = io.BytesIO()
    writer = WARCWriter(plain, gzip=False)
    record = writer.create_warc_record(
        url,
        kind,
        payload=io.BytesIO(body),
        length=len(body),
        http_headers=http,
        warc_headers_dict={"WARC-Date": date},
    )
    writer.write_record(record)
    member = zlib.compressobj(1, zlib.DEFLATED, 31)
    handle.write(member.compress(plain.getvalue()) + member.flush())


def generate(warc: Path, loose: Path, size: int, html_share: float) -> int:
    """Write the WARC and the loose copies of its pages; returns how many pages."""
    pages, rng = _pages(), random.Random(26)
    loose.mkdir(parents=True, exist_ok=True)
    html_bytes = image_bytes = count = 0
    with warc.open("wb") as handle:
        while handle.tell() < size:
            stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(1709640000 + count * 7))
            if html_bytes <= html_share * (html_bytes + image_bytes + 1):
                body = pages[count % len(pages)]
                url = f"https://news.example.org/{count // len(pages)}/{count % len(pages)}/"
                request = StatusAndHeaders(f"GET {url} HTTP/1.1", [("Host", "news.example.org")], is_http_request=True)
                _record(handle, url, "request", b"", request, stamp)
                http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
                _record(handle, url, "response", body, http, stamp)
                # The address goes with the loose copy too, in its sidecar, as the WARC gives it.
                (loose / f"page-{count:06d}.html").write_bytes(body)
                (loose / f"page-{count:06d}.json").write_text(json.dumps({"url": url}))
                html_bytes += len(body)
                count += 1
            else:
                body = rng.randbytes(rng.randrange(20_000, 400_000))  # JPEG-like: incompressible
                url = f"https://img.example.org/{image_bytes}.jpg"
                http = StatusAndHeaders("200 OK", [("Content-Type", "image/jpeg")], protocol="HTTP/1.1")
                _record(handle, url, "response", body, http, stamp)
                image_bytes += len(body)
    return count


def _descendants(pid: int) -> list[int]:
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = [], [pid]
    while frontier:
        parent = frontier.pop()
        for child, ppid in parents.items():
            if ppid == parent:
                found.append(child)
                frontier.append(child)
    return found


def _rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def ingest(root: Path) -> dict[str, float | str]:
    """`newsarchive ingest` in a fresh process: wall and CPU seconds, peak RSS of the main process
    and of the largest worker, and its summary line."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "generator", "--root", str(root), "ingest"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    peaks = {"main": 0.0, "worker": 0.0}
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            peaks["main"] = max(peaks["main"], _rss_mb(process.pid))
            for child in _descendants(process.pid):
                peaks["worker"] = max(peaks["worker"], _rss_mb(child))
            stop.wait(0.05)

    sampler = threading.Thread(target=sample)
    sampler.start()
    out, err = process.communicate()
    wall = time.perf_counter() - start
    stop.set()
    sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if process.returncode not in (0, 1):
        sys.exit(f"ingest of {root} failed:\n{err[-2000:]}")
    problems = len(err.splitlines())
    return {"wall": wall, "cpu": cpu, **peaks, "summary": out.strip(), "problems": problems}


def _fresh(root: Path) -> None:
    for name in ("content/articles", ".build"):
        shutil.rmtree(root / name, ignore_errors=True)
    (root / "content" / "raw").mkdir(parents=True, exist_ok=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=1024)
    parser.add_argument("--html-share", type=float, default=0.5, help="share of the bytes that are pages")
    parser.add_argument("--work", type=Path, default=Path("/tmp/bench-warc"))
    parser.add_argument("--keep", action="store_true", help="keep the generated WARC for the next run")
    args = parser.parse_args()
    warc_root, loose_root = args.work / "warc", args.work / "loose"
    warc = warc_root / "content" / "raw" / "crawl.warc.gz"
    marker = args.work / f"generated-{args.size_mb}-{args.html_share}"
    if not marker.is_file():
        shutil.rmtree(args.work, ignore_errors=True)
        (warc_root / "content" / "raw").mkdir(parents=True)
        began = time.perf_counter()
        count = generate(warc, loose_root / "content" / "raw", args.size_mb << 20, args.html_share)
        marker.write_text(str(count))
        print(f"generated {warc.stat().st_size / 1e6:,.0f} MB WARC, {count} pages in {time.perf_counter() - began:.0f} s")
    count = int(marker.read_text())
    print(f"{sys.platform}, {os.cpu_count()} cores; {count} pages; WARC {warc.stat().st_size / 1e6:,.0f} MB")
    rows = []
    for label, root in (("loose .html files", loose_root), (".warc.gz", warc_root)):
        _fresh(root)
        rows.append((label, ingest(root)))
    rows.append(("  .warc.gz again, unchanged", ingest(warc_root)))
    page = _pages()[0]
    http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
    size = warc.stat().st_size
    with warc.open("ab") as handle:
        _record(handle, "https://news.example.org/appended/", "response", page, http, "2024-03-06T00:00:00Z")
    rows.append(("  .warc.gz with one page appended", ingest(warc_root)))
    os.truncate(warc, size)  # as generated, for the next run with --keep
    print(f"{'input':34} {'wall s':>8} {'CPU s':>8} {'pages/s':>8} {'pages/CPU-s':>11} {'main MB':>8} {'worker MB':>9}")
    for label, row in rows:
        wall, cpu = float(row["wall"]), float(row["cpu"])
        rate = f"{count / wall:8.1f}" if not label.startswith(" ") else " " * 8
        per_cpu = f"{count / cpu:11.1f}" if not label.startswith(" ") else " " * 11
        print(f"{label:34} {wall:8.1f} {cpu:8.1f} {rate} {per_cpu} {row['main']:8.0f} {row['worker']:9.0f}")
        print(f"{'':34} {row['summary']}" + (f"; {row['problems']} problem lines" if row["problems"] else ""))
    loose, web = rows[0][1], rows[1][1]
    print(
        f"WARC vs loose files, same run: {float(loose['wall']) / float(web['wall']):.2f}x the speed (wall), "
        f"{float(loose['cpu']) / float(web['cpu']):.2f}x (CPU)"
    )
    if not args.keep:
        shutil.rmtree(args.work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
