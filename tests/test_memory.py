"""Memory during a build: collector thresholds raised inside and restored after; large blocks
given back to the system when freed; the policy applied around the stages a build runs."""

from __future__ import annotations

import gc
import subprocess
import sys
from pathlib import Path

import pytest

from generator.memory import (
    BUILD_THRESHOLD,
    OWN_MAPPINGS_WHILE,
    TRIMMED_AFTER,
    MemoryPolicy,
    fewer_collections,
)


def test_thresholds_are_raised_inside_and_restored_after() -> None:
    before = gc.get_threshold()
    with fewer_collections():
        assert gc.get_threshold() == BUILD_THRESHOLD
        assert gc.get_threshold()[0] > before[0]
    assert gc.get_threshold() == before


def test_thresholds_are_restored_when_the_block_raises() -> None:
    before = gc.get_threshold()
    with pytest.raises(RuntimeError), fewer_collections():
        raise RuntimeError("build failed")
    assert gc.get_threshold() == before


def test_nested_blocks_restore_the_outer_setting() -> None:
    before = gc.get_threshold()
    with fewer_collections():
        with fewer_collections():
            pass
        assert gc.get_threshold() == BUILD_THRESHOLD
    assert gc.get_threshold() == before


def _run_script(script: str, *args: str) -> str:
    """What a Python script prints, run in a fresh process from the repository root (what glibc
    does with freed memory depends on the process's history)."""
    return subprocess.run(
        [sys.executable, "-c", script, *args],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[1],
    ).stdout


def _rss_mb() -> float:
    with Path("/proc/self/status").open(encoding="ascii") as status:
        return next(int(line.split()[1]) / 1024 for line in status if line.startswith("VmRSS"))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt")
def test_freed_large_blocks_leave_the_process() -> None:
    # In a fresh process: the threshold glibc raises after a freed mapping is per process.
    script = """
import numpy as np, sys
import contextlib
from generator.memory import large_blocks_returned
from tests.test_memory import _rss_mb
scope = large_blocks_returned() if sys.argv[1] == "mapped" else contextlib.nullcontext(True)
applied = scope.__enter__()
assert applied
big = np.ones(8 << 20, dtype=np.uint8); del big  # raises glibc's threshold to 8 MB
before = _rss_mb()
# 200 MB in 4 MB blocks, each followed by a small block that stays (as a build's records do)
parts, kept = [], []
for _ in range(50):
    parts.append(np.ones(4 << 20, dtype=np.uint8))
    kept.append(np.ones(1000, dtype=np.uint8))
del parts
print(_rss_mb() - before)
"""
    kept = {mode: float(_run_script(script, mode)) for mode in ("default", "mapped")}
    assert kept["default"] > 150  # glibc kept the freed blocks in the heap
    assert kept["mapped"] < 20


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc_trim")
def test_free_heap_pages_go_back_to_the_system() -> None:
    # Many objects freed but one in 64 kept (as a build keeps its records among what it drops):
    # glibc keeps the free pages between them until told to return them.
    script = """
import sys
from generator.memory import free_pages_returned
from tests.test_memory import _rss_mb
before = _rss_mb()
made = [bytearray(1000) for _ in range(250_000)]  # past pymalloc's 512 bytes: glibc's heap
kept = made[::64]
del made
freed = _rss_mb()
assert free_pages_returned()
print(freed - before, _rss_mb() - before)
"""
    kept, trimmed = map(float, _run_script(script).split())
    assert kept > 150  # about 250 MB freed, still counted to the process
    assert trimmed < kept / 3  # what the kept objects hold, and their pages


def test_the_policy_raises_thresholds_once_for_the_whole_build() -> None:
    before = gc.get_threshold()
    with pytest.raises(RuntimeError), MemoryPolicy() as policy:
        assert gc.get_threshold() == BUILD_THRESHOLD
        with policy.stage("load"):
            assert gc.get_threshold() == BUILD_THRESHOLD
        raise RuntimeError("build failed")
    assert gc.get_threshold() == before


def test_the_policy_names_only_stages_a_build_runs(tmp_path: Path) -> None:
    # Imported here: the scripts above import this module, and a heavier import changes how
    # glibc's heap looks when they measure it.
    from generator.config import load_config
    from generator.pipeline import run_build

    from .conftest import copy_sample_archive

    report = run_build(load_config(copy_sample_archive(tmp_path)), workers=1)
    assert set(report.timings) >= TRIMMED_AFTER | OWN_MAPPINGS_WHILE


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc_trim")
def test_free_pages_go_back_after_the_stages_the_policy_names() -> None:
    script = """
import sys
from generator.memory import MemoryPolicy
from tests.test_memory import _rss_mb
with MemoryPolicy() as policy:
    before = _rss_mb()
    with policy.stage(sys.argv[1]):
        made = [bytearray(1000) for _ in range(250_000)]
        kept = made[::64]
        del made
    print(_rss_mb() - before)
"""
    kept = {stage: float(_run_script(script, stage)) for stage in ("annotate", "write")}
    assert "annotate" in TRIMMED_AFTER and "write" not in TRIMMED_AFTER
    assert kept["write"] > 150  # about 250 MB freed, still counted to the process
    assert kept["annotate"] < kept["write"] / 3
