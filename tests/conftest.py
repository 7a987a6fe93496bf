"""Shared fixtures: the real data built once, and a way to make broken copies of it."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from practice_graph.core.paths import DEFAULT_DATA, DEFAULT_ONTOLOGY
from practice_graph.pipeline import Built, build

PROJECT = Path(__file__).resolve().parent.parent
DATA = PROJECT / "data"
ONTOLOGY = PROJECT / "ontology"
SOURCE = DATA / "source" / "000_434fdb7575b37628.txt"

assert DEFAULT_DATA == DATA and DEFAULT_ONTOLOGY == ONTOLOGY


@pytest.fixture(scope="session")
def built() -> Built:
    """The real data, validated, built and checked with SHACL."""
    return build(DATA, ONTOLOGY)


@pytest.fixture(scope="session")
def source_text() -> str:
    return SOURCE.read_text(encoding="utf-8")


@pytest.fixture
def data_copy(tmp_path: Path) -> Callable[..., Path]:
    """Copy the data folder; ``edit(file, old, new)`` pairs are applied to the copy."""

    def make(*edits: tuple[str, str, str]) -> Path:
        target = tmp_path / "data"
        shutil.copytree(DATA, target)
        for file_name, old, new in edits:
            path = target / file_name
            text = path.read_text(encoding="utf-8")
            assert old in text, f"{old!r} not in {file_name}"
            path.write_text(text.replace(old, new, 1), encoding="utf-8")
        return target

    return make
