from __future__ import annotations

from pathlib import Path

import pytest

from generator.config import load_config
from generator.errors import ConfigError


def test_defaults_resolve_relative_to_the_archive(tmp_path: Path) -> None:
    config = load_config(tmp_path)
    assert config.raw_dir == tmp_path / "content" / "raw"
    assert config.site_dir == tmp_path / "site"
    assert config.base_url.endswith("/")


def test_every_problem_is_reported_at_once_with_did_you_mean(tmp_path: Path) -> None:
    (tmp_path / "newsarchive.toml").write_text(
        'titel = "x"\nper_page = 0\nbase_url = "example.org"\nsite_dir = "content/raw/site"\n'
        'markdown_extensions = ["no_such_ext"]\n'
    )
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path)
    problems = info.value.problems
    assert "titel: unknown key (did you mean 'title'?)" in problems
    assert "per_page: must be a whole number of at least 1 (got 0)" in problems
    assert "base_url: must be an absolute http(s) URL (got 'example.org')" in problems
    assert "markdown_extensions: unknown Markdown extension(s) no_such_ext" in problems
    assert any(p.startswith("site_dir: ") and "must not overlap" in p for p in problems)
    assert len(problems) == 5


def test_invalid_toml_is_one_clear_error(tmp_path: Path) -> None:
    (tmp_path / "newsarchive.toml").write_text("title = \n")
    with pytest.raises(ConfigError, match=r"newsarchive\.toml: not valid TOML"):
        load_config(tmp_path)
