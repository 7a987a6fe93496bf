"""The on-disk store: ``load`` bulk-loads N-Triples and Turtle; ``query``, ``serve`` and ``analyze`` read it."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from practice_graph.cli import main
from practice_graph.core.paths import NTRIPLES, TURTLE
from practice_graph.core.progress import progress, progress_wanted
from practice_graph.pipeline import Built
from practice_graph.sparql.ondisk import load_files

from .conftest import PROJECT

# The source lists five work tasks (一 to 五), sixteen measures and forty-seven practices.
COUNTS = ["5", "16", "47"]


@pytest.fixture(scope="module")
def graph_files(built: Built, tmp_path_factory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("graph")
    (folder / "graph.nt").write_bytes(built.files[NTRIPLES])
    (folder / "graph.ttl").write_bytes(built.files[TURTLE])
    return folder / "graph.nt", folder / "graph.ttl"


@pytest.fixture(scope="module")
def store(graph_files, tmp_path_factory) -> Path:
    store_dir = tmp_path_factory.mktemp("store") / "db"
    result = CliRunner().invoke(main, ["load", "--store", str(store_dir), str(graph_files[0])])
    assert result.exit_code == 0, result.output
    assert result.stderr == ""  # not a terminal: no progress
    return store_dir


def test_load_without_files_loads_the_built_graph(built: Built, seeded_cache: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["load", "--store", str(tmp_path / "db")])
    assert result.exit_code == 0, result.output
    triples = len(built.files[NTRIPLES].splitlines())
    assert f"loaded {triples:,} triples" in result.stdout and f"holds {triples:,} triples" in result.stdout


def test_query_on_the_store_answers_like_the_source(store) -> None:
    result = CliRunner().invoke(main, ["query", "--store", str(store), "cq01", "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[1].split(",") == COUNTS


def test_turtle_loads_the_same_graph_and_loading_again_adds_nothing(graph_files, tmp_path: Path) -> None:
    nt, ttl = graph_files
    from_turtle = load_files(tmp_path / "ttl", [ttl], show_progress=False)
    assert from_turtle.after == len(nt.read_bytes().splitlines())
    again = load_files(tmp_path / "ttl", [nt], show_progress=False)
    assert again.before == again.after == from_turtle.after


def test_a_missing_store_is_one_line_and_exit_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["query", "--store", str(tmp_path / "none"), "cq01"])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [f"error: {tmp_path / 'none'}: no store here "
                                          f"(make one with: practice-graph load --store {tmp_path / 'none'} FILE)"]


def test_a_broken_file_is_one_line_exit_2_and_leaves_no_new_store(tmp_path: Path) -> None:
    broken = tmp_path / "broken.nt"
    broken.write_text("<https://example.org/a> <https://example.org/b> .\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["load", "--store", str(tmp_path / "db"), str(broken)])
    assert result.exit_code == 2
    assert len(result.stderr.splitlines()) == 1 and result.stderr.startswith(f"error: {broken}: ")
    assert not (tmp_path / "db").exists()
    other = tmp_path / "graph.rdf"
    other.write_text("<rdf:RDF/>", encoding="utf-8")
    result = CliRunner().invoke(main, ["load", "--store", str(tmp_path / "db"), str(other)])
    assert result.exit_code == 2 and "not N-Triples (.nt) or Turtle (.ttl)" in result.stderr


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_shows_on_a_terminal_only_and_never_in_ci(monkeypatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    assert progress_wanted(Terminal()) and not progress_wanted(io.StringIO())
    monkeypatch.setenv("CI", "true")
    assert not progress_wanted(Terminal())


def test_progress_counts_triples_with_a_rate(graph_files, tmp_path: Path, capsys) -> None:
    load_files(tmp_path / "db", [graph_files[0]], show_progress=True)
    shown = capsys.readouterr().err
    assert "load graph.nt" in shown and "triples/s" in shown
    with progress("quiet", total=3, enabled=False) as bar:
        bar.update(3)
    assert capsys.readouterr().err == ""


def test_serve_answers_from_the_store(store, tmp_path: Path) -> None:
    """``serve --store``: the workers open the store read-only (while the test's own query has it open too)."""
    env = {**os.environ, "PYTHONPATH": str(PROJECT / "src")}
    command = [sys.executable, "-m", "practice_graph.cli", "serve", "--port", "0", "--workers", "2",
               "--store", str(store), "--data", str(tmp_path / "no-data")]  # the built graph is not read
    process = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        lines = []
        while not any(line.startswith("SPARQL endpoint:") for line in lines):
            line = process.stderr.readline()  # type: ignore[union-attr]
            assert line, f"serve stopped: {''.join(lines)}"
            lines.append(line)
        url = next(line for line in lines if line.startswith("SPARQL endpoint:")).split()[2]
        assert f"store: {store} (read-only; no entry pages)" in process.stderr.readline()  # type: ignore[union-attr]
        query = CliRunner().invoke(main, ["query", "cq01", "--endpoint", url, "--format", "csv"])
        assert query.exit_code == 0, query.output
        assert query.stdout.splitlines()[1].split(",") == COUNTS
        request = urllib.request.Request(url, b"INSERT DATA { <urn:a> <urn:b> <urn:c> }",
                                         {"Content-Type": "application/sparql-update"})
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=30)
        assert refused.value.code == 403
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def test_serve_without_a_store_is_one_line_and_exit_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["serve", "--port", "0", "--store", str(tmp_path / "none")])
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1].startswith(f"error: {tmp_path / 'none'}: no store here")


def test_analyze_reads_the_store_as_the_built_graph(store, seeded_cache: Path, tmp_path: Path) -> None:
    from practice_graph.api import analysis_file

    result = CliRunner().invoke(main, ["analyze", "--store", str(store), "--out", str(tmp_path / "analysis")])
    assert result.exit_code == 0, result.output
    written = {path.name: path.read_bytes() for path in (tmp_path / "analysis").iterdir()}
    assert "region_rollup.csv" in written and "co_participation.gexf" in written
    for name, content in written.items():
        assert content == analysis_file(name), name
    both = CliRunner().invoke(main, ["analyze", "--store", str(store), "--endpoint", "http://127.0.0.1:9/sparql"])
    assert both.exit_code == 2 and "give one of --graph, --endpoint and --store" in both.output
