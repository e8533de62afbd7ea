from __future__ import annotations

from pathlib import Path

from generator.config import Config
from generator.serve.watch import (
    BULK,
    BULK_WINDOW,
    GONE,
    WHOLE,
    WRITING,
    Debouncer,
    SavedRecords,
    is_relevant,
)


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


def _saved(clock: _Clock) -> tuple[SavedRecords, list[dict[Path, int]]]:
    handed: list[dict[Path, int]] = []
    saved = SavedRecords(lambda ready, generation: handed.append(ready), settle=0.25, clock=clock)
    return saved, handed


def test_a_record_is_handed_over_the_moment_it_is_whole_and_not_before() -> None:
    clock = _Clock()
    saved, handed = _saved(clock)
    record = Path("/a/x.md")
    saved.event(record, WHOLE)  # renamed into place: handed over in the reporting thread
    assert handed == [{record: 1}]
    saved.event(record, WRITING)  # truncated: a writer has it open
    saved.event(record, WRITING)
    assert saved.due() == ({}, 0.25)
    saved.event(record, WHOLE)  # closed after writing
    assert handed == [{record: 1}, {record: 4}]
    assert saved.due() == ({}, None)


def test_a_file_still_being_written_waits_for_stillness_and_a_gone_one_is_dropped() -> None:
    clock = _Clock()
    saved, _ = _saved(clock)
    kept, gone = Path("/a/kept.md"), Path("/a/gone.md")
    saved.event(kept, WRITING)
    saved.event(gone, WRITING)
    saved.event(gone, GONE)  # renamed away (a backup): its next event brings it back
    clock.now += 0.2
    assert saved.due()[0] == {}
    saved.event(kept, WRITING)  # written again: stillness starts over
    clock.now += 0.2
    assert saved.due()[0] == {}
    clock.now += 0.06
    assert saved.due()[0] == {kept: 2}
    assert saved.generation(gone) == 2


def test_a_bulk_change_is_left_to_the_full_pass() -> None:
    clock = _Clock()
    saved, handed = _saved(clock)
    for i in range(BULK + 3):
        saved.event(Path(f"/a/{i}.md"), WHOLE)
        clock.now += 0.01
    assert sum(len(h) for h in handed) == BULK  # the first ones at once; then a bulk change
    clock.now += BULK_WINDOW
    saved.event(Path("/a/later.md"), WHOLE)
    assert handed[-1] == {Path("/a/later.md"): 1}
