from __future__ import annotations

from pathlib import Path

from generator.config import Config
from generator.serve.watch import Debouncer, is_relevant


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_of_events_becomes_one_rebuild() -> None:
    fired: list[set[Path]] = []
    clock = _Clock()
    debouncer = Debouncer(fired.append, quiet=0.2, clock=clock)
    for i in range(100):
        debouncer.poke(Path(f"/a/{i % 3}.md"))
        clock.now += 0.01
        assert debouncer.due() is None  # still inside the burst
    clock.now += 0.25
    changed = debouncer.due()
    assert changed == {Path("/a/0.md"), Path("/a/1.md"), Path("/a/2.md")}
    assert debouncer.due() is None


def test_only_inputs_templates_and_config_count(config: Config) -> None:
    root = config.root
    (root / "templates").mkdir(exist_ok=True)
    assert is_relevant(root / "content" / "raw" / "a.txt", config)
    assert is_relevant(root / "content" / "articles" / "a.md", config)
    assert is_relevant(root / "templates" / "base.html", config)
    assert is_relevant(root / "newsarchive.toml", config)
    for ignored in (
        "site/index.html",
        ".build/whoosh/x.seg",
        "content/articles/.a.md.swp",
        "content/articles/a.md~",
        "content/articles/4913",
        "content/articles/a.md.new",
        ".site.staging-12/index.html",
        "notes.txt",
    ):
        assert not is_relevant(root / ignored, config), ignored
