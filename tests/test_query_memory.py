"""``practice-graph query`` runs the embedded store in a child process whose memory is capped: a
cross product that would take gigabytes stops at the limit with one error line (exit 1), and the
command's biggest process never holds much more than the limit plus what the command held before.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest
from click.testing import CliRunner

from practice_graph.cli import main
from practice_graph.core.limits import MIB, OutOfMemory, Stopped, can_limit, parse_size, run_limited

pytestmark = pytest.mark.skipif(not can_limit(), reason="no fork or RLIMIT_AS here")

# 15,742 triples squared: 248 million rows to sort; a worker of the endpoint took 4.2 GB in 10 s.
CROSS_PRODUCT = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f LIMIT 1"
LIMIT = "400M"


def run_measured(arguments: list[str], stdin: str) -> tuple[subprocess.CompletedProcess, int]:
    """The CLI as a process of its own, and the peak resident memory of its biggest process, in bytes."""
    script = textwrap.dedent(f"""
        import json, resource, subprocess, sys
        done = subprocess.run({[sys.executable, "-m", "practice_graph.cli", *arguments]!r}, input={stdin!r},
                              capture_output=True, text=True, timeout=300)
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
        print(json.dumps([done.returncode, done.stdout, done.stderr, peak]))
    """)
    measured = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=400)
    code, stdout, stderr, peak = json.loads(measured.stdout)
    return subprocess.CompletedProcess(arguments, code, stdout, stderr), peak


def test_a_cross_product_stops_at_the_memory_limit_with_one_line(seeded_cache) -> None:
    done, peak = run_measured(["query", "-", "--memory-limit", LIMIT], CROSS_PRODUCT)
    assert done.returncode == 1, done.stderr
    assert done.stderr == "error: the query needed more than 400 MiB of memory and was stopped (--memory-limit)\n"
    assert done.stdout == ""
    # the limit is what the query may add to what the command holds when it starts (about 70 MB)
    assert peak < parse_size(LIMIT) + 192 * MIB, f"peak {peak / MIB:.0f} MiB"
    print(f"peak resident memory under --memory-limit {LIMIT}: {peak / MIB:.0f} MiB")


def test_a_query_within_the_limit_answers(seeded_cache) -> None:
    result = CliRunner().invoke(main, ["query", "cq04", "--memory-limit", LIMIT, "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)["results"]["bindings"]
    # the source's four joint department arrangements that cq04 lists (see test_competency_questions)
    assert len(rows) == 4


def test_a_query_error_in_the_child_is_the_same_one_line(seeded_cache) -> None:
    result = CliRunner().invoke(main, ["query", "-", "--memory-limit", LIMIT],
                                input="SELECT * WHERE { ?s ?p ?o } ORDER BY xsd:nothing(?s)")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: -: ") and result.stderr.count("\n") == 1, result.stderr


def test_a_memory_limit_that_is_no_size_is_a_usage_error(seeded_cache) -> None:
    result = CliRunner().invoke(main, ["query", "cq04", "--memory-limit", "lots"])
    assert result.exit_code == 2 and "not a size: 'lots'" in result.stderr


def test_run_limited_passes_answers_errors_and_stops() -> None:
    assert run_limited(lambda: b"answer", 512 * MIB) == b"answer"

    def fails() -> bytes:
        raise KeyError("why")

    with pytest.raises(KeyError, match="why"):
        run_limited(fails, 512 * MIB, passed=(KeyError,))

    def grows() -> bytes:
        return b"x" * (1 << 30)  # a gigabyte, past the limit

    with pytest.raises(OutOfMemory, match="more than 256 MiB"):
        run_limited(grows, 256 * MIB)

    def crashes() -> bytes:
        import os
        import signal

        os.kill(os.getpid(), signal.SIGKILL)
        return b""

    with pytest.raises(Stopped, match="SIGKILL"):
        run_limited(crashes, 512 * MIB)
