"""Lighthouse scores of the reader's site: front, article and search pages, mobile and desktop.

    npm install --prefix benchmarks lighthouse       # once (benchmarks/node_modules is ignored)
    CHROME_PATH=/usr/bin/chromium .venv/bin/python benchmarks/lighthouse.py [--site DIR]
        [--lighthouse PATH] [--article articles/<slug>/] [--query bridge]

Builds the sample archive into a temporary folder (or takes a built --site), serves it with
`python -m http.server` on loopback, runs Lighthouse (performance, accessibility, best
practices, SEO) on each page in both form factors, and prints one line per run with the
scores and the search page's cumulative layout shift. Not part of the test suite: Lighthouse
is an npm package and its performance score depends on the machine's load.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))

CATEGORIES = ("performance", "accessibility", "best-practices", "seo")


def build_sample(root: Path) -> Path:
    from generator.cli import main

    shutil.copytree(REPO / "content" / "raw", root / "content" / "raw")
    err = io.StringIO()
    if main(["--root", str(root), "build"], out=io.StringIO(), err=err) != 0:
        sys.exit(f"build failed:\n{err.getvalue()}")
    return root / "site"


def lighthouse(binary: str, url: str, desktop: bool, out: Path) -> dict[str, float]:
    command = [
        binary,
        url,
        "--quiet",
        "--output=json",
        f"--output-path={out}",
        f"--only-categories={','.join(CATEGORIES)}",
        "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
    ]
    if desktop:
        command.append("--preset=desktop")
    subprocess.run(command, check=True, cwd=HERE)
    report = json.loads(out.read_text(encoding="utf-8"))
    scores = {c: round(report["categories"][c]["score"] * 100) for c in CATEGORIES}
    scores["cls"] = report["audits"]["cumulative-layout-shift"]["numericValue"]
    scores["lcp_ms"] = report["audits"]["largest-contentful-paint"]["numericValue"]
    return scores


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--site", type=Path, help="a built site folder (default: build the sample)")
    parser.add_argument(
        "--lighthouse",
        default=str(HERE / "node_modules" / ".bin" / "lighthouse"),
        help="the lighthouse command",
    )
    parser.add_argument(
        "--article", default="articles/riverside-bridge-reopens-after-two-years-of-upkeep/"
    )
    parser.add_argument("--query", default="bridge")
    args = parser.parse_args()
    if not shutil.which(args.lighthouse):
        sys.exit(f"{args.lighthouse} not found: npm install --prefix benchmarks lighthouse")
    os.environ.setdefault("CHROME_PATH", "/usr/bin/chromium")
    with tempfile.TemporaryDirectory() as work:
        site = args.site or build_sample(Path(work) / "archive")
        server = subprocess.Popen(
            [sys.executable, "-m", "http.server", "8791", "--bind", "127.0.0.1", "-d", str(site)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            time.sleep(0.5)
            base = "http://127.0.0.1:8791/"
            pages = {"front": "", "article": args.article, "search": f"search/?q={args.query}"}
            print(
                f"{'page':8} {'form':8} "
                + " ".join(f"{c[:13]:>13}" for c in CATEGORIES)
                + "      CLS  LCP ms"
            )
            for name, path in pages.items():
                for desktop in (False, True):
                    out = Path(work) / f"{name}-{desktop}.json"
                    s = lighthouse(args.lighthouse, base + path, desktop, out)
                    form = "desktop" if desktop else "mobile"
                    print(
                        f"{name:8} {form:8} "
                        + " ".join(f"{s[c]:>13}" for c in CATEGORIES)
                        + f" {s['cls']:8.3f} {s['lcp_ms']:7.0f}"
                    )
        finally:
            server.terminate()
            server.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
