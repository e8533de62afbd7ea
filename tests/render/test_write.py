"""Writing into the site folder: no page path may leave it, however it is spelled."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.errors import WriteError
from generator.render.parallel import write_inside
from generator.render.write import inside


def test_paths_inside_the_folder_are_written(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    write_inside(site, "articles/a/index.html", b"<p>a</p>")
    write_inside(site, "articles/b/../c/index.html", b"<p>c</p>", site.resolve())
    assert (site / "articles/a/index.html").read_bytes() == b"<p>a</p>"
    assert (site / "articles/c/index.html").is_file()
    assert inside(site, "x/y.html", site.resolve()) == site.resolve() / "x" / "y.html"


@pytest.mark.parametrize("rel", ["../outside.html", "a/../../outside.html", "/etc/cron.d/x", "."])
def test_paths_leaving_the_folder_are_refused(tmp_path: Path, rel: str) -> None:
    site = tmp_path / "site"
    site.mkdir()
    for base in (None, site.resolve()):
        with pytest.raises(WriteError, match="outside the site folder"):
            inside(site, rel, base)
    assert not (tmp_path / "outside.html").exists()


def test_a_symlink_out_of_the_folder_is_refused(tmp_path: Path) -> None:
    site, elsewhere = tmp_path / "site", tmp_path / "elsewhere"
    site.mkdir()
    elsewhere.mkdir()
    (site / "articles").symlink_to(elsewhere, target_is_directory=True)
    with pytest.raises(WriteError, match="outside the site folder"):
        write_inside(site, "articles/a/index.html", b"x", site.resolve())
    assert not any(elsewhere.iterdir())
