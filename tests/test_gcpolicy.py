"""Garbage collection thresholds around a build: raised inside, restored after, errors included."""

from __future__ import annotations

import gc

import pytest

from generator.gcpolicy import BUILD_THRESHOLD, fewer_collections


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
