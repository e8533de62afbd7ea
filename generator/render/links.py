"""Check (links): a built site folder -> every internal href/src that does not resolve to a file."""

from __future__ import annotations

from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

_HOST = "http://site.invalid/"


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in {"href", "src"} and value:
                self.links.append(value)


def page_links(html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    return parser.links


def broken_links(site: Path) -> Iterator[tuple[str, str]]:
    """(page, link) for every internal link that names no file in the site. 404.html is skipped:
    it links from the site root by design, whatever the address it is served at."""
    for page in sorted(site.rglob("*.html")):
        rel = page.relative_to(site).as_posix()
        if rel == "404.html" or rel.startswith("pagefind/"):
            continue
        for link in page_links(page.read_text(encoding="utf-8")):
            url = urlsplit(urljoin(_HOST + rel, link))
            if f"{url.scheme}://{url.netloc}/" != _HOST or url.scheme not in {"http", "https"}:
                continue
            target = site / unquote(url.path).lstrip("/")
            exists = (
                (target / "index.html").is_file() if url.path.endswith("/") else target.is_file()
            )
            if not exists:
                yield rel, link
