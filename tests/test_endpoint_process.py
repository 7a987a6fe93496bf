"""``practice-graph serve`` as a real process: memory bounded per query and in total, clean stops.

Issue 15, defects 2 and 10: a cross product took a worker to 4.2 GB; Ctrl-C printed worker
tracebacks. Here the whole process tree is measured from /proc while hostile queries run, and
signals are sent as a terminal and a service manager would send them.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from practice_graph.cli import main
from tests import servers
from tests.servers import Served, children, resident, serve_environment, workers_of
from tests.test_endpoint import ASK_HENAN

MIB = 1 << 20
MEMORY_LIMIT = 512 * MIB
CROSS_PRODUCT = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f LIMIT 1"
# Each BIND doubles a 32-byte string: ?s25 would be 1 GiB.
CONCAT_DOUBLING = ('SELECT (STRLEN(?s25) AS ?n) WHERE { BIND("0123456789abcdef0123456789abcdef" AS ?s0) '
                   + " ".join(f"BIND(CONCAT(?s{i}, ?s{i}) AS ?s{i + 1})" for i in range(25)) + " }")


pytestmark = pytest.mark.usefixtures("seeded_cache")  # serve finds the session's build in the tests' cache


def start_serve(*options: str) -> Served:
    try:
        return servers.start_serve(*options)
    except servers.ServeDidNotStart as error:
        pytest.fail(str(error))


@pytest.fixture
def serving() -> Iterator[list[Served]]:
    """The processes a test starts, stopped (by their PIDs) when it ends."""
    started: list[Served] = []
    yield started
    for served in started:
        served.stop()


def post(url: str, query: str, timeout: float = 180) -> tuple[int, bytes]:
    request = urllib.request.Request(url, query.encode(), {"Content-Type": "application/sparql-query",
                                                           "Accept": "application/sparql-results+json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_hostile_queries_are_stopped_at_the_memory_limit_and_the_tree_stays_under_it(serving) -> None:
    served = start_serve("--memory-limit", "512M", "--workers", "2", "--timeout", "120")
    serving.append(served)
    peaks = {"workers": 0, "tree": 0}
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            workers = sum(resident(pid) for pid in workers_of(served.process.pid))
            tree = sum(resident(pid) for pid in [served.process.pid, *children(served.process.pid)])
            peaks["workers"], peaks["tree"] = max(peaks["workers"], workers), max(peaks["tree"], tree)
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    answers: dict[str, tuple[int, bytes]] = {}

    def send(name: str, query: str) -> None:
        answers[name] = post(served.url, query)

    senders = [threading.Thread(target=send, args=pair)
               for pair in (("cross product", CROSS_PRODUCT), ("concat doubling", CONCAT_DOUBLING))]
    for sender in senders:
        sender.start()
    for sender in senders:
        sender.join(timeout=300)
    status, body = post(served.url, ASK_HENAN)
    done.set()
    sampler.join()
    for name, (code, message) in answers.items():
        assert code == 503, (name, code, message)
        assert message == b"the query was stopped at the memory limit of 256 MiB per query\n"
    assert status == 200 and json.loads(body)["boolean"] is True
    print(f"peak RSS: workers {peaks['workers'] / MIB:.0f} MiB, whole tree {peaks['tree'] / MIB:.0f} MiB "
          f"(limit {MEMORY_LIMIT / MIB:.0f} MiB for the workers)")
    assert 0 < peaks["workers"] <= MEMORY_LIMIT
    assert peaks["tree"] <= MEMORY_LIMIT + 256 * MIB  # the server process holds the graph text and the page


def test_a_memory_limit_too_small_for_the_graph_is_one_line() -> None:
    env = serve_environment()
    done = subprocess.run([sys.executable, "-m", "practice_graph.cli", "serve", "--port", "0", "--memory-limit", "40M"],
                          capture_output=True, text=True, env=env, timeout=180)
    assert done.returncode == 2
    assert done.stderr.startswith("error: the memory limit of 20 MiB per worker is too small")
    assert len(done.stderr.splitlines()) == 1
    # an option that is not a size is refused before anything starts: in this process, no exception escaping
    refused = CliRunner().invoke(main, ["serve", "--memory-limit", "lots"])
    assert refused.exit_code == 2 and "not a size: 'lots'" in refused.stderr and "Traceback" not in refused.stderr
    assert isinstance(refused.exception, SystemExit)


def test_pages_that_cannot_be_made_stop_serve_and_its_workers_with_one_line(monkeypatch) -> None:
    """The pages' inputs are read while the workers start: when they fail, one line, exit 2, no worker left."""
    import multiprocessing

    from practice_graph.views import site

    def unreadable(store: object, data_dir: Path) -> str:
        raise site.SiteError("data/source/list.txt: cannot read the source text: Permission denied")

    monkeypatch.setattr(site, "read_source", unreadable)
    before = set(multiprocessing.active_children())  # another test file's session endpoint may be running
    result = CliRunner().invoke(main, ["serve", "--port", "0", "--workers", "1"])
    assert result.exit_code == 2, result.output
    assert result.stderr.splitlines() == ["error: data/source/list.txt: cannot read the source text: Permission denied"]
    assert set(multiprocessing.active_children()) == before


@pytest.mark.parametrize("how", ["ctrl-c", "sigterm"])
def test_a_signal_stops_serve_and_its_workers_with_one_line(serving, how) -> None:
    served = start_serve("--workers", "2")
    serving.append(served)
    status, _ = post(served.url, ASK_HENAN)
    assert status == 200
    workers = workers_of(served.process.pid)
    assert len(workers) == 2
    if how == "ctrl-c":  # a terminal sends SIGINT to the whole foreground group, workers included
        os.killpg(served.process.pid, signal.SIGINT)
    else:
        os.kill(served.process.pid, signal.SIGTERM)
    assert served.process.wait(timeout=60) == 0
    time.sleep(0.2)  # the reader thread takes the last lines
    log = served.stderr()
    assert "Traceback" not in log and "KeyboardInterrupt" not in log and "Process SpawnProcess" not in log, log
    assert log.splitlines()[-1] == ("stopped (SIGINT)" if how == "ctrl-c" else "stopped (SIGTERM)")
    assert not [pid for pid in workers if Path(f"/proc/{pid}").exists()]
