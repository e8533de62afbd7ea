"""Shared fixtures: temporary archives, validated configs, the team's seeds and gold expectations."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from generator.config import Config, load_config

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
SEEDS = SHARED / "seeds"
GOLD = SHARED / "gold" / "seeds.json"
SCHEMA = REPO / "generator" / "data" / "article.schema.json"


@pytest.fixture
def make_tree(tmp_path: Path) -> Callable[[dict[str, str | bytes]], Path]:
    """Write {relative path: text or bytes} under tmp_path and return tmp_path."""

    def make(files: dict[str, str | bytes]) -> Path:
        for rel, content in files.items():
            path = tmp_path / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
        (tmp_path / "content" / "raw").mkdir(parents=True, exist_ok=True)
        return tmp_path

    return make


@pytest.fixture
def config(tmp_path: Path) -> Config:
    (tmp_path / "content" / "raw").mkdir(parents=True, exist_ok=True)
    return load_config(tmp_path)


@pytest.fixture(scope="session")
def gold() -> dict[str, Any]:
    if not GOLD.is_file():
        pytest.skip("../shared/gold/seeds.json is not beside this checkout")
    return dict(json.loads(GOLD.read_text(encoding="utf-8"))["cases"])
