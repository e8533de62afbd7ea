"""Check (links): a built site folder -> every internal link that names no file, or a fragment
(#q-3, #note-1) that no element of its page carries."""

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
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in {"href", "src"} and value:
                self.links.append(value)
            elif name == "id" and value:
                self.ids.add(value)
            elif name == "name" and value and tag == "a":
                self.ids.add(value)  # an old-style <a name> anchor is a fragment target too


def page_links(html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    return parser.links


def _parse(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8", errors="replace"))
    return parser


def broken_links(site: Path) -> Iterator[tuple[str, str, str]]:
    """(page, link, what is wrong) for every internal link that names no file in the site, or whose fragment
    names no element of the page it leads to (`#top` and an empty fragment always resolve, as
    in browsers). 404.html is skipped: it links from the site root by design, whatever the
    address it is served at."""
    pages = sorted(site.rglob("*.html"))
    parsed: dict[str, _Links] = {}
    for page in pages:
        rel = page.relative_to(site).as_posix()
        if rel == "404.html" or rel.startswith(("pagefind/", "pagefind-delta/")):
            continue
        parsed[rel] = _parse(page)
    for rel, parser in parsed.items():
        for link in parser.links:
            url = urlsplit(urljoin(_HOST + rel, link))
            if f"{url.scheme}://{url.netloc}/" != _HOST or url.scheme not in {"http", "https"}:
                continue
            path = unquote(url.path).lstrip("/")
            target = f"{path}index.html" if url.path.endswith("/") else path
            if not (site / target).is_file():
                yield rel, link, "broken internal link"
                continue
            fragment = unquote(url.fragment)
            if not fragment or fragment == "top" or not target.endswith(".html"):
                continue
            ids = parsed[target].ids if target in parsed else _parse(site / target).ids
            if fragment not in ids:
                yield rel, link, "link to an anchor its page lacks"
