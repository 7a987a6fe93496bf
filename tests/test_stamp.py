"""The build stamp and the cache of built graphs: a build is current exactly when its inputs hash the same."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from practice_graph.core import cache
from practice_graph.core.paths import NTRIPLES, STAMP
from practice_graph.core.stamp import BuildStamp, current_stamp, tree_hash
from practice_graph.pipeline import Built
from tests.conftest import DATA, ONTOLOGY


def test_tree_hash_follows_content_not_file_times(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("id: a\n", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.yaml").write_text("id: b\n", encoding="utf-8")
    first = tree_hash(tmp_path)
    os.utime(tmp_path / "a.yaml", (1, 1))
    (tmp_path / ".a.yaml.swp").write_bytes(b"editor state")
    (tmp_path / "__pycache__").mkdir()
    (tmp_path / "__pycache__" / "x.pyc").write_bytes(b"compiled")
    assert tree_hash(tmp_path) == first
    (tmp_path / "sub" / "b.yaml").write_text("id: c\n", encoding="utf-8")
    assert tree_hash(tmp_path) != first
    (tmp_path / "sub" / "b.yaml").write_text("id: b\n", encoding="utf-8")
    (tmp_path / "sub" / "b.yaml").rename(tmp_path / "b.yaml")  # same bytes, another place
    assert tree_hash(tmp_path) != first


def test_the_session_build_carries_the_stamp_of_its_inputs(built: Built) -> None:
    stamp = BuildStamp.from_json(built.files[STAMP])
    assert stamp is not None and stamp == built.stamp
    assert stamp.key == current_stamp(DATA, ONTOLOGY).key
    assert stamp.ntriples == hashlib.sha256(built.files[NTRIPLES]).hexdigest()
    assert b"/" not in built.files[STAMP]  # no paths, no times: two builds give the same bytes


def test_a_stamp_file_that_cannot_be_trusted_is_ignored(built: Built) -> None:
    good = built.files[STAMP]
    assert BuildStamp.from_json(good) == built.stamp
    assert BuildStamp.from_json(good.replace(built.stamp.data.encode(), b"0" * 64)) is None  # key no longer matches
    assert BuildStamp.from_json(good.replace(b'"format": 1', b'"format": 99')) is None
    for garbage in (b"", b"[]", b"{", b'{"format": 1}', "\ud800".encode("utf-8", "surrogatepass")):
        assert BuildStamp.from_json(garbage) is None


def test_changed_since_names_what_changed() -> None:
    old = BuildStamp("0.1.0", "code", "data", "ontology")
    assert BuildStamp("0.1.0", "code", "new", "ontology").changed_since(old) == ["data"]
    assert BuildStamp("0.2.0", "code", "new", "new").changed_since(old) == ["data", "ontology", "code"]


def test_cache_gives_back_only_an_intact_entry_of_the_same_inputs(tmp_path: Path) -> None:
    stamp = BuildStamp("0.1.0", "c", "d", "o")
    assert cache.cached_ntriples(stamp, tmp_path) is None
    folder = cache.store_ntriples(stamp, b"<a> <b> <c> .\n", tmp_path)
    assert cache.cached_ntriples(stamp, tmp_path) == b"<a> <b> <c> .\n"
    assert cache.cached_ntriples(BuildStamp("0.1.0", "c", "other", "o"), tmp_path) is None
    assert cache.latest_stamp(tmp_path) == stamp.with_ntriples(b"<a> <b> <c> .\n")
    (folder / NTRIPLES).write_bytes(b"<a> <b> <d> .\n")  # damaged after it was written
    assert cache.cached_ntriples(stamp, tmp_path) is None


def test_cache_keeps_the_most_recently_used_entries(tmp_path: Path) -> None:
    stamps = [BuildStamp("0.1.0", "c", f"data {n}", "o") for n in range(cache.KEEP + 2)]
    for age, stamp in enumerate(stamps):
        folder = cache.store_ntriples(stamp, b"", tmp_path)
        os.utime(folder / STAMP, (age, age))  # each older than the next
    kept = [stamp for stamp in stamps if cache.cached_ntriples(stamp, tmp_path) is not None]
    assert kept == stamps[-cache.KEEP:]


def test_cache_folder_is_the_environment_variable_or_the_user_cache(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path))
    assert cache.cache_dir() == tmp_path.resolve()
    monkeypatch.delenv(cache.CACHE_ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache.cache_dir() == tmp_path / "xdg" / "practice-graph" / "graphs"


def test_the_notebook_api_opens_the_current_build_once(seeded_cache: Path, capsys) -> None:
    from practice_graph import api

    # The source list: five work tasks (一 to 五), sixteen measures, forty-seven numbered practices.
    assert api.select("cq01") == [{"tasks": "5", "measures": "16", "practices": "47"}]
    assert api.default_store() is api.default_store()
    assert capsys.readouterr().err == ""  # read from the cache: no build, no notice
