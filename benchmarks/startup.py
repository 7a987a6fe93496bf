"""Wall time of the whole process ``practice-graph query cq04`` and where its start-up goes.

Uses a cache of built graphs of its own (``PRACTICE_GRAPH_CACHE`` set to a temporary folder) and
runs from that folder, not the project: the first run builds the graph once (with its notice),
then ``python -m practice_graph.cli query cq04`` from this worktree (``PYTHONPATH=src``) runs
``--runs`` times on the current build, and the script prints the median wall time against the
goal (at most 0.3 s), a bare interpreter's start-up for comparison, the phases of the command
timed in-process, and the slowest imports from ``python -X importtime``::

    PYTHONPATH=src python3 benchmarks/startup.py [--runs 10] [--query cq04]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
GOAL_S = 0.3
WORK = Path(tempfile.mkdtemp(prefix="practice-graph-startup-"))  # the cache, and the folder the runs start in


def environment() -> dict[str, str]:
    """This worktree's sources first on the path, whatever is installed; a cache of built graphs of our own."""
    env = os.environ.copy()
    env["PYTHONPATH"] = os.pathsep.join([str(PROJECT / "src"), *filter(None, [env.get("PYTHONPATH")])])
    env["PRACTICE_GRAPH_CACHE"] = str(WORK / "cache")
    return env


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "practice_graph.cli", *args]


def wall_times(command: list[str], runs: int) -> list[float]:
    """Wall time of ``runs`` runs of the command (after one warm-up run)."""
    subprocess.run(command, cwd=WORK, env=environment(), capture_output=True, check=True)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, cwd=WORK, env=environment(), capture_output=True, check=True)
        times.append(time.perf_counter() - started)
    return times


def import_times(command: list[str]) -> list[tuple[int, int, str]]:
    """(self µs, cumulative µs, module) for every import of one run."""
    done = subprocess.run([command[0], "-X", "importtime", *command[1:]], cwd=WORK, env=environment(),
                          capture_output=True, text=True, check=True)
    found = []
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        own, cumulative, name = line[len("import time:"):].split("|")
        found.append((int(own), int(cumulative), name.rstrip()[1:]))  # one space after "|"
    return found


PHASES = """
import time
started = time.perf_counter()
marks = []
def mark(label):
    marks.append((label, time.perf_counter()))
import click
mark("import click")
from practice_graph import cli
mark("import practice_graph.cli")
from practice_graph.sparql import query as queries
from practice_graph.pipeline import built_ntriples
mark("import query, store")
ntriples = built_ntriples()
mark("read the cached build (stamp: data, ontology and code hashed)")
store = queries.open_store(ntriples)
mark("import pyoxigraph + bulk load")
solutions = queries.run_select(store, queries.find_query("{query}"), {{}})
mark("run the query")
table = queries.format_table(*queries.rows(solutions))
mark("format the table")
previous = started
for label, at in marks:
    print(f"  {{(at - previous) * 1000:7.1f}} ms  {{label}}")
    previous = at
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Start-up time of `practice-graph query` as a whole process.")
    parser.add_argument("--runs", type=int, default=10, help="Timed runs (the median is reported)")
    parser.add_argument("--query", default="cq04", help="Named query to run")
    parser.add_argument("--top", type=int, default=15, help="How many imports to list")
    args = parser.parse_args(argv)

    first = subprocess.run(cli("query", args.query), cwd=WORK, env=environment(), capture_output=True, text=True,
                           check=True)
    print(f"first run, empty cache: {first.stderr.strip()}; {os.cpu_count()} cores, "
          f"python {sys.version.split()[0]}")

    bare = wall_times([sys.executable, "-c", "pass"], args.runs)
    command = cli("query", args.query)
    times = wall_times(command, args.runs)
    median = statistics.median(times)
    print(f"\nbare interpreter (python -c pass): median {statistics.median(bare) * 1000:.0f} ms")
    print(f"practice-graph query {args.query}: median {median * 1000:.0f} ms of {args.runs} runs "
          f"(min {min(times) * 1000:.0f}, max {max(times) * 1000:.0f})")

    print("\nphases, in-process (one run):")
    phases = subprocess.run([sys.executable, "-c", PHASES.format(query=args.query)], cwd=WORK,
                            env=environment(), capture_output=True, text=True, check=True)
    print(phases.stdout.rstrip())

    imports = import_times(command)
    print(f"\nslowest imports by cumulative time (python -X importtime; {len(imports)} modules, "
          f"{sum(own for own, _, _ in imports) / 1000:.0f} ms in all):")
    top_level = [entry for entry in imports if not entry[2].startswith(" ")]
    for own, cumulative, name in sorted(top_level, key=lambda entry: -entry[1])[: args.top]:
        print(f"  {cumulative / 1000:7.1f} ms  {name.strip()}  (self {own / 1000:.1f} ms)")
    print("by own time:")
    for own, _, name in sorted(imports, key=lambda entry: -entry[0])[: args.top]:
        print(f"  {own / 1000:7.1f} ms  {name.strip()}")

    passed = median <= GOAL_S
    print(f"\n{'PASS' if passed else 'FAIL'}  practice-graph query {args.query} as a whole process "
          f"<= {GOAL_S:g} s (median {median:.3f} s)")
    return 0 if passed else 1


if __name__ == "__main__":
    try:
        code = main()
    finally:
        shutil.rmtree(WORK, ignore_errors=True)
    sys.exit(code)
