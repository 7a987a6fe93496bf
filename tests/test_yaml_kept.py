"""Parsed YAML kept in the cache: read back equal to a fresh parse (values, their types, every line),
used only for the same bytes read by the same code, never kept for a file that does not parse."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from practice_graph.core.cache import CACHE_ENV
from practice_graph.curation import load
from practice_graph.curation.load import DataError, LineDict, LineList, read_yaml

from .conftest import DATA


@pytest.fixture(autouse=True)
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv(CACHE_ENV, str(folder))
    return folder


def assert_same(kept: Any, fresh: Any, where: str = "$") -> None:
    """Equal values of the same types, with the same lines for every mapping, key, list and item."""
    assert type(kept) is type(fresh), where
    if isinstance(fresh, LineDict):
        assert (kept.line, kept.key_lines, list(kept)) == (fresh.line, fresh.key_lines, list(fresh)), where
        for key in fresh:
            assert_same(kept[key], fresh[key], f"{where}.{key}")
    elif isinstance(fresh, LineList):
        assert (kept.line, kept.item_lines, len(kept)) == (fresh.line, fresh.item_lines, len(fresh)), where
        for number, (one, other) in enumerate(zip(kept, fresh, strict=True)):
            assert_same(one, other, f"{where}[{number}]")
    else:
        assert kept == fresh, where


def kept_files(cache: Path) -> list[Path]:
    return sorted((cache / "yaml").glob("*.json"))


@pytest.mark.parametrize("path", sorted(DATA.rglob("*.yaml")), ids=lambda path: path.name)
def test_every_data_file_reads_back_as_parsed(path: Path, own_cache: Path) -> None:
    fresh = read_yaml(path)
    assert len(kept_files(own_cache)) == 1
    assert_same(read_yaml(path), fresh)


def test_values_of_every_plain_type_and_odd_keys_come_back(tmp_path: Path, own_cache: Path) -> None:
    path = tmp_path / "odd.yaml"
    path.write_text('a: 1\nb: 1.5\nc: true\nd: null\ne: "2023-12-31"\n1: int key\n"1": str key\nf: []\ng: {}\n'
                    "h:\n  - x\n  - {y: [1, -0.0, .inf]}\n", encoding="utf-8")
    fresh = read_yaml(path)
    again = read_yaml(path)
    assert_same(again, fresh)
    assert again[1] == "int key" and again["1"] == "str key" and again["h"][1]["y"][2] == float("inf")


def test_other_bytes_are_parsed_again(tmp_path: Path, own_cache: Path) -> None:
    path = tmp_path / "data.yaml"
    path.write_text("a: 1\n", encoding="utf-8")
    assert read_yaml(path) == {"a": 1}
    path.write_text("a: 2\n", encoding="utf-8")
    assert read_yaml(path) == {"a": 2}
    assert len(kept_files(own_cache)) == 2


def test_a_file_that_does_not_parse_is_never_kept(tmp_path: Path, own_cache: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("a: 1\na: 2\n", encoding="utf-8")
    for _ in range(2):
        with pytest.raises(DataError, match="duplicate key"):
            read_yaml(path)
    assert kept_files(own_cache) == []


def test_a_damaged_kept_parse_is_parsed_again(tmp_path: Path, own_cache: Path) -> None:
    path = tmp_path / "data.yaml"
    path.write_text("a: [1, 2]\n", encoding="utf-8")
    read_yaml(path)
    kept_files(own_cache)[0].write_text('{"key": "another", "data": 1}', encoding="utf-8")
    assert read_yaml(path) == {"a": [1, 2]}
    kept_files(own_cache)[0].write_text("not json", encoding="utf-8")
    assert read_yaml(path) == {"a": [1, 2]}


def test_the_key_names_the_reader_and_pyyaml(monkeypatch: pytest.MonkeyPatch) -> None:
    before = load._parsed_key(b"a: 1\n", load._Loader)
    assert load._parsed_key(b"a: 1\n", load._PythonLoader) != before
    monkeypatch.setattr(load.yaml, "__version__", "99.0")
    assert load._parsed_key(b"a: 1\n", load._Loader) != before
