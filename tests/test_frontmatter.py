from __future__ import annotations

from pathlib import Path

import pytest

from generator.errors import ArticleError
from generator.frontmatter import (
    article_to_mapping,
    dump_article_text,
    is_hand_edited,
    mapping_to_article,
    split_front_matter,
    with_generated,
)
from generator.models import Article, Quote, Removal, SourceRef

SOURCE = Path("a.md")


def _article() -> Article:
    return Article(
        source_file=SOURCE,
        title='Title with "quotes": & <tags>',
        slug="title",
        body="Para one.\n\nPara two.",
        date="2024-03-14",
        date_source="text",
        authors=("Ann Lee",),
        quotes=(Quote("We will.", None),),
        source=SourceRef("a.txt", "a" * 64, "txt"),
        removed=(
            Removal("spam", "line one\nline two", "spam"),
            Removal("byline", " leading space", "b"),
        ),
        extra={"annotations": [{"type": "note", "quote": {"exact": "Para"}, "body": "n"}]},
    )


def test_round_trip_keeps_every_field() -> None:
    article = _article()
    text = dump_article_text(article_to_mapping(article), article.body)
    data, body, line = split_front_matter(text, SOURCE)
    assert body.strip() == article.body
    assert mapping_to_article(data, body.strip(), SOURCE, "x") == article
    assert text.count("\n", 0, text.index(body)) + 1 == line


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("---\ntitle: [unclosed\n---\nbody", "front matter is not valid YAML"),
        (
            "---\ntitle: !!python/object/apply:os.system ['echo hi']\n---\n",
            "front matter is not valid YAML",
        ),
        ("---\na: &x [1, 2]\nb: [*x, *x]\n---\n", "YAML anchors (&name) are not allowed"),
        ("---\nb: [*x, *x]\n---\n", "YAML aliases (*name) are not allowed"),
        # Line breaks YAML 1.1 knows besides \n, and an anchor after a tag: the old guard, a
        # regex over the text, let these through to the alias-expanding loader.
        ("---\na: [x]\u2028b: &b [1]\u2028c: [*b, *b]\n---\n", "YAML anchors (&name)"),
        ("---\na: [x]\u0085- *b\n---\n", "YAML"),
        ("---\na: !!seq &a [x, x]\n---\n", "YAML anchors (&name) are not allowed"),
        ("---\na: !!binary aGk=\n---\n", "values tagged tag:yaml.org,2002:binary"),
        ("---\na: !!set {x}\n---\n", "values tagged tag:yaml.org,2002:set"),
        ("---\nb: '*'\na: " + "[" * 900 + "]" * 900 + "\n---\n", "nested too deeply"),
        ("---\na: " + "[" * 5000 + "]" * 5000 + "\n---\n", "maximum nesting depth"),
        ("---\n- just\n- a list\n---\n", "front matter must be a mapping"),
        ("---\ntitle: no end\n", "front matter has no closing '---' line"),
    ],
)
def test_malformed_and_hostile_front_matter_is_refused(text: str, message: str) -> None:
    with pytest.raises(
        ArticleError, match=message.replace("(", r"\(").replace(")", r"\)").replace("*", r"\*")
    ):
        split_front_matter(text, SOURCE)


def test_hand_edits_are_detected_by_hash() -> None:
    article = _article()
    text = with_generated(article_to_mapping(article), article.body, "newsarchive test")
    data, _, _ = split_front_matter(text, SOURCE)
    assert not is_hand_edited(text, data)
    edited = text.replace("Para two.", "Para two, corrected by an editor.")
    assert is_hand_edited(edited, data)
