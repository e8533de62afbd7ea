"""Stage render (bodies): a record's Markdown body -> sanitized HTML.

Python-Markdown with raw HTML treated as text, then nh3 (ammonia) allowing only Markdown's own
tags and http/https/mailto links: scraped text is data, never markup.
"""

from __future__ import annotations

import markdown
import nh3
from markupsafe import Markup

from generator.render.markdown_fast import install_fast_inline

# What a rendered article body may contain: Markdown's own output, nothing from a source.
_BODY_TAGS = {
    "p",
    "br",
    "hr",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "ul",
    "ol",
    "li",
    "em",
    "strong",
    "code",
    "pre",
    "a",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "sup",
    "sub",
    "del",
    "abbr",
}
_BODY_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}, "abbr": {"title"}}


def make_markdown(extensions: tuple[str, ...]) -> markdown.Markdown:
    """A Markdown converter that treats raw HTML in a body as text, never as markup."""
    md = markdown.Markdown(extensions=list(extensions), output_format="html")
    md.preprocessors.deregister("html_block")
    md.inlinePatterns.deregister("html")
    install_fast_inline(md)
    return md


def body_to_html(md: markdown.Markdown, body: str) -> Markup:
    """Render a Markdown body, then sanitize: only Markdown's tags, only safe link schemes."""
    md.reset()
    html = md.convert(body)
    clean = nh3.clean(
        html,
        tags=_BODY_TAGS,
        attributes=_BODY_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener noreferrer",
    )
    return Markup(clean)
