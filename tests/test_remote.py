"""A real external triple store: the Oxigraph server from PyPI, started on a free loopback port.

``practice-graph push`` loads the built graph through the Graph Store Protocol, every named
query returns the same rows remotely (``query --endpoint``) as on the embedded store, and
``analyze --endpoint`` writes the same bytes as the embedded run.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from practice_graph.cli import main
from practice_graph.core.paths import NTRIPLES
from practice_graph.sparql.query import bound_text, named_queries, open_store, rows, run_select
from practice_graph.sparql.remote import RemoteError, push, remote_solutions

OXIGRAPH = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))
EVIDENCE_NODE = "henan-coordination-mechanism"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory) -> Iterator[str]:
    """An Oxigraph server on a free loopback port; stopped by its PID at the end."""
    if not Path(OXIGRAPH).is_file():
        if os.environ.get("CI"):
            pytest.fail("the oxigraph server (pip install oxigraph) is required in CI")
        pytest.skip("the oxigraph server is not installed (pip install oxigraph)")
    port = free_port()
    location = tmp_path_factory.mktemp("oxigraph")
    process = subprocess.Popen([OXIGRAPH, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(base + "/query?query=ASK%7B%7D", timeout=2).read()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"oxigraph did not start: {process.stderr.read().decode(errors='replace')}")
            time.sleep(0.1)
    yield base
    os.kill(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.kill(process.pid, signal.SIGKILL)
        process.wait()


@pytest.fixture(scope="module")
def pushed(oxigraph, built, seeded_cache) -> str:
    """The built graph pushed with the CLI into the server's default graph."""
    result = CliRunner().invoke(main, ["push", "--endpoint", oxigraph + "/store", "--no-progress"])
    assert result.exit_code == 0, result.output
    assert f"pushed {len(built.graph):,} triples" in result.output
    return oxigraph + "/query"


def test_the_store_holds_exactly_the_pushed_triples(pushed, built) -> None:
    _, table = rows(remote_solutions(pushed, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"))
    assert table == [[str(len(built.graph))]]


@pytest.mark.parametrize("named", named_queries(), ids=lambda named: named.name)
def test_every_named_query_returns_the_same_rows_remotely(pushed, built, named) -> None:
    given = {"node": EVIDENCE_NODE} if "node" in named.params else {}
    local = rows(run_select(open_store(built.files[NTRIPLES]), named, given))
    remote = rows(remote_solutions(pushed, bound_text(named, given)))
    assert remote == local
    assert local[1], f"{named.name} returned no rows"


def test_cli_query_endpoint_prints_the_same_json(pushed) -> None:
    runner = CliRunner()
    remote = runner.invoke(main, ["query", "cq12", "--format", "json", "--endpoint", pushed])
    local = runner.invoke(main, ["query", "cq12", "--format", "json"])
    assert remote.exit_code == 0 and local.exit_code == 0, remote.output + local.output
    assert json.loads(remote.output) == json.loads(local.output)
    # 河南省 leads 4-1-1 and its county 固始县 leads 1-2-1: Henan counts its county's practices.
    provinces = {b["provinceLabel"]["value"] for b in json.loads(remote.output)["results"]["bindings"]}
    assert "河南省" in provinces


def test_analyze_endpoint_gives_byte_identical_outputs(pushed, tmp_path) -> None:
    # The analysis reads the server through its view queries (no copy of the graph) and writes the
    # same bytes as the embedded run on the built graph (the session's build, from the tests' cache).
    runner = CliRunner()
    local = runner.invoke(main, ["analyze", "--out", str(tmp_path / "local")])
    remote = runner.invoke(main, ["analyze", "--endpoint", pushed, "--out", str(tmp_path / "remote")])
    assert local.exit_code == 0 and remote.exit_code == 0, local.output + remote.output
    written = {p.name: p.read_bytes() for p in (tmp_path / "local").iterdir()}
    assert {"report.md", "combinations.csv", "co_participation.png", "practice_graph.graphml"} <= set(written)
    assert {p.name: p.read_bytes() for p in (tmp_path / "remote").iterdir()} == written


def test_viewer_and_view_parameters_read_the_same_remotely(pushed, built) -> None:
    from practice_graph.views.read import Source
    from practice_graph.views.viewer import render_html, viewer_data

    local, remote = Source(store=open_store(built.files[NTRIPLES])), Source(endpoint=pushed)
    assert render_html(viewer_data(remote)) == render_html(viewer_data(local))
    # a parameter is bound by the engine locally and in a VALUES clause remotely: the same rows
    roles = remote.rows("concepts", scheme="roles")
    assert sorted(r["notation"] for r in roles) == ["assist", "convener", "implement", "lead", "partner", "support"]
    assert sorted(map(sorted, map(dict.items, roles))) == sorted(
        map(sorted, map(dict.items, local.rows("concepts", scheme="roles"))))
    assert remote.rows("concepts", scheme='roles" } } SELECT * WHERE { ?s ?p ?o } #') == []


def test_analyze_unreachable_endpoint_is_one_line(tmp_path) -> None:
    dead = f"http://127.0.0.1:{free_port()}/query"
    result = CliRunner().invoke(main, ["analyze", "--endpoint", dead, "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert result.output.startswith("error: cannot reach") and "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_push_into_a_named_graph(oxigraph, built) -> None:
    result = push(built.files[NTRIPLES], oxigraph + "/store", "https://w3id.org/practice-graph/graph/first-batch",
                  progress=False)
    assert result.status in (200, 201, 204)
    _, table = rows(remote_solutions(oxigraph + "/query", "SELECT (COUNT(*) AS ?n) WHERE { GRAPH "
                                     "<https://w3id.org/practice-graph/graph/first-batch> { ?s ?p ?o } }"))
    assert table == [[str(len(built.graph))]]


def test_unreachable_and_refusing_endpoints_give_one_clear_line(oxigraph) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(RemoteError, match="cannot reach"):
        rows(remote_solutions(dead + "/query", "ASK {}"))
    with pytest.raises(RemoteError, match="HTTP 400"):
        rows(remote_solutions(oxigraph + "/query", "SELECT ?s WHERE { ?s ?p }"))
    with pytest.raises(RemoteError, match="not an http"):
        push(b"", "file:///etc/passwd")
    result = CliRunner().invoke(main, ["query", "cq01", "--endpoint", dead + "/query"])
    assert result.exit_code == 1
    assert result.output.startswith("error: cannot reach") and "Traceback" not in result.output
