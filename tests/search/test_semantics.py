"""What a reader gets from `newsarchive search` on an archive built by `newsarchive build`: soft
AND, phrases, exclusions, what is indexed, highlighting, "did you mean", folded filters, empty
queries. One test per defect of issue 24, each on the path a user runs."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from generator.cli import main
from generator.errors import EmptyQueryError
from generator.search.query_syntax import parse_query
from generator.search.searching import search

ARTICLES = {
    "policy.md": """---
title: Council Debates Housing Policy
date: 2024-05-02
authors: [Ingrid Solberg]
people: [María López]
places: [Zürich]
---

The housing policy of the ruling party was debated on Monday. The library board and
several economy experts spoke, and a [full transcript](https://example.org/transcript-2024)
was published.

The airport expansion and the social housing plan were set aside for another week.
""",
    "harbour.md": """---
title: Harbour Wall Opens
date: 2024-05-03
authors: [Tomas Berg]
places: [Bergen]
---

The harbour wall opened on Thursday, officials said. The new border post at the port is
staffed around the clock, and the ferry timetable is unchanged.
""",
    "border.md": """---
title: Border Crossing Reopens After Repairs
date: 2024-05-04
authors: [Anna Holm]
---

Traffic resumed at the crossing. The border agency said the bridge repairs took two years,
and the former customs building will become a social centre. The report was borrowed by
a borrower from the local archive. The local paper and the local radio covered it, as
local people and local shops hoped.
""",
    "borders.md": """---
title: Wall of Silence
date: 2024-05-05
summary: Fishermen describe a quiet season.
---

Fishermen in the north describe a quiet season, the third in a row. Nets stay dry, and the
local cooperative is selling two of its boats. A local report names a former skipper.
""",
}


def built_archive(root: Path, articles: dict[str, str]) -> Path:
    """An archive at root of records written by hand (front matter as given), built."""
    assert main(["init", str(root)], out=io.StringIO()) == 0
    for name, text in articles.items():
        (root / "content" / "articles" / name).write_text(text, encoding="utf-8")
    assert main(["--root", str(root), "build"], out=io.StringIO(), err=io.StringIO()) == 0
    return root


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return built_archive(tmp_path_factory.mktemp("semantics"), ARTICLES)


def _cli(root: Path, *args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["--root", str(root), "search", *args], out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def _titles(root: Path, text: str, **kw: object) -> list[str]:
    return [h.title for h in search(root / ".build" / "whoosh", text, **kw).hits]  # type: ignore[arg-type]


def test_a_sentence_finds_the_articles_with_most_of_its_words(archive: Path) -> None:
    # Every word required (the old behaviour) found nothing: no article has "tunnel".
    titles = _titles(archive, "border crossing tunnel repairs")
    assert titles[0] == "Border Crossing Reopens After Repairs"
    assert "Harbour Wall Opens" in titles  # it has "border" only: still found, below
    result = search(archive / ".build" / "whoosh", "border crossing tunnel repairs")
    assert result.complete == 0 and result.unknown == ("tunnel",)


def test_articles_with_all_the_words_of_a_short_query_come_first(archive: Path) -> None:
    # "local" is all over one article, which also has "report": the two with both words come
    # first, though "local" alone would score the third higher than one of them.
    result = search(archive / ".build" / "whoosh", "local report")
    assert result.complete == 2
    first_two = {h.title for h in result.hits[:2]}
    assert first_two == {"Wall of Silence", "Border Crossing Reopens After Repairs"}


def test_phrases_and_exclusions(archive: Path) -> None:
    assert _titles(archive, '"border post"') == ["Harbour Wall Opens"]
    assert _titles(archive, '"border post" repairs') == ["Harbour Wall Opens"]
    assert _titles(archive, '"housing policy" social') == ["Council Debates Housing Policy"]
    assert "Harbour Wall Opens" not in _titles(archive, "border -harbour")
    assert _titles(archive, "border NOT harbour") == _titles(archive, "border -harbour")
    assert _titles(archive, 'wall -"harbour wall"') == ["Wall of Silence"]
    assert _titles(archive, '"the harbour wall"') == ["Harbour Wall Opens"]
    # Common words inside a phrase count: no article has this one (see the next test).
    assert search(archive / ".build" / "whoosh", '"the ferry wall"').loosened == ("the ferry wall",)


def test_a_phrase_no_article_has_is_searched_as_words_and_said_so(archive: Path) -> None:
    # A reader's pasted request with words in quotes: nothing has the phrase, so its words are
    # searched (soft AND, with the rest of the query) rather than nothing answered.
    index = archive / ".build" / "whoosh"
    result = search(index, '"post border" ferry')
    assert result.loosened == ("post border",)
    assert result.hits[0].title == "Harbour Wall Opens"  # border, post and ferry
    assert result.complete == 1
    assert search(index, '"border post"').loosened == ()  # a phrase an article has stays one
    # Phrases each in some article but in none together: all are searched as words.
    both = search(index, '"housing policy" "border post"')
    assert both.loosened == ("housing policy", "border post") and both.total >= 2
    assert search(index, '"harbour wall" "border post"').loosened == ()  # one article has both
    assert search(index, '"zebra crossing" "harbour wall"').loosened == ("zebra crossing",)
    assert search(index, '"training" harbour').loosened == ("training",)
    assert _titles(archive, '"training" harbour') == ["Harbour Wall Opens"]
    code, out, _ = _cli(archive, '"post border"')
    assert code == 0 and 'no article has "post border": searched without the quotes' in out
    assert "Harbour Wall Opens" in out
    code, out, _ = _cli(archive, '"post border"', "--json")
    assert json.loads(out)["loosened"] == ["post border"]
    code, out, _ = _cli(archive, '"housing policy" "border post"')
    assert 'no article has "housing policy", "border post" together: searched' in out


def test_the_text_indexed_is_what_a_reader_sees(archive: Path) -> None:
    # Markdown link targets are not text: `https` and the URL's words find nothing.
    assert _titles(archive, "https") == []
    assert _titles(archive, "transcript") == ["Council Debates Housing Policy"]
    snippet = search(archive / ".build" / "whoosh", "transcript").hits[0].snippet_html
    assert "full <mark>transcript</mark> was published" in snippet and "](" not in snippet
    # Bylines and names are searchable, and count more than a passing mention.
    assert _titles(archive, "Solberg") == ["Council Debates Housing Policy"]
    assert _titles(archive, "Tomas Berg")[0] == "Harbour Wall Opens"
    assert _titles(archive, "Maria Lopez") == ["Council Debates Housing Policy"]


def test_highlighting_uses_the_analyzer_not_stem_prefixes(archive: Path) -> None:
    snippet = search(archive / ".build" / "whoosh", "policy party library economy").hits[0]
    marked = {m.split("</mark>")[0] for m in snippet.snippet_html.split("<mark>")[1:]}
    assert {"policy", "party", "library", "economy"} <= marked, snippet.snippet_html


def test_a_hit_in_the_title_only_shows_the_summary_or_the_lede(archive: Path) -> None:
    hits = search(archive / ".build" / "whoosh", "silence").hits
    assert [h.snippet_text for h in hits] == ["Fishermen describe a quiet season."]
    hits = search(archive / ".build" / "whoosh", "reopens").hits
    assert hits[0].snippet_text.startswith("Traffic resumed at the crossing.")


@pytest.mark.parametrize(
    ("typed", "suggestion"),
    [
        ("soical", "social"),  # two letters swapped: one edit ("local" is two)
        ("borrer", "border"),  # one letter changed ("former" and "borrower" are two edits)
        ("ariport", "airport"),  # not "report"
        ("harbour soical", "harbour social"),
    ],
)
def test_did_you_mean_is_the_nearest_word(archive: Path, typed: str, suggestion: str) -> None:
    assert search(archive / ".build" / "whoosh", typed).suggestion == suggestion


def test_a_request_typed_as_a_paragraph_is_answered(archive: Path) -> None:
    # Readers paste requests as paragraphs (half of CISI's librarians' requests are over 460
    # characters); a bound of 256 characters refused them with exit 2.
    request = (
        "I am looking for reports on the border crossing that reopened after the repairs to "
        "the bridge. What did the border agency say about how long the repairs took, and what "
        "will become of the former customs building? Any coverage by the local paper or the "
        "local radio of what local people and shops expected is welcome too."
    )
    assert len(request) > 256
    code, out, err = _cli(archive, request, "--json")
    assert code == 0, err
    assert json.loads(out)["hits"][0]["title"] == "Border Crossing Reopens After Repairs"


def test_did_you_mean_corrects_only_what_can_be_a_typo(archive: Path) -> None:
    index = archive / ".build" / "whoosh"
    assert search(index, "soical qzxv").suggestion == "social qzxv"
    # A query of many unknown words is no typo: only the first eight unknown words (each an
    # automaton over the word list) are looked at, and a run of letters too long to be a word
    # is never.
    many = "harbour qzxv qzxw qzxy qzyv qzyw qzyx qvxz qwxz soical"
    assert search(index, many).suggestion is None
    assert search(index, "x" * 40 + " soical").suggestion == "x" * 40 + " social"


def test_did_you_mean_never_rewrites_operators(archive: Path) -> None:
    index = archive / ".build" / "whoosh"
    assert search(index, "harbour NOT").suggestion is None
    assert search(index, "title: harbour").suggestion is None
    assert search(index, 'border -"harbuor wall"').suggestion is None


def test_cli_json_has_the_suggestion_and_the_unknown_words(archive: Path) -> None:
    code, out, _ = _cli(archive, "harbour soical", "--json")
    data = json.loads(out)
    assert code == 0 and data["suggestion"] == "harbour social"
    assert data["unknown"] == ["soical"] and data["total"] == 1


def test_facet_filters_ignore_case_and_accents(archive: Path) -> None:
    code, out, _ = _cli(archive, "housing", "--person", "maria lopez", "--json")
    assert code == 0 and json.loads(out)["total"] == 1
    code, out, _ = _cli(archive, "housing", "--place", "Zurich", "--json")
    assert code == 0 and json.loads(out)["total"] == 1
    code, out, _ = _cli(archive, "housing", "--place", "Bergen", "--json")
    assert json.loads(out)["total"] == 0


@pytest.mark.parametrize("typed", ["", "   ", "*", "the", "-harbour", "NOT OR AND"])
def test_an_empty_query_is_a_usage_error(archive: Path, typed: str) -> None:
    assert parse_query(typed).is_empty
    with pytest.raises(EmptyQueryError):
        search(archive / ".build" / "whoosh", typed)
    code, out, err = _cli(archive, typed)
    assert code == 2 and out == "" and "nothing to search for" in err


def test_a_leading_minus_is_part_of_the_query_not_an_option(archive: Path) -> None:
    code, out, err = _cli(archive, "border", "-harbour", "--json")
    assert code == 0, err
    titles = [h["title"] for h in json.loads(out)["hits"]]
    assert titles and "Harbour Wall Opens" not in titles
    code, out, _ = _cli(archive, "-harbour", "border")
    assert code == 0 and "Harbour Wall Opens" not in out
