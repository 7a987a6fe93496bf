"""Time the read side on the real graph: from the built N-Triples to the analysis and the viewer data,
step by step (median of runs), every analysis file drawn (and with its two charts kept by their tables,
as for a changed graph whose charts did not change), and the whole ``practice-graph analyze`` process
(drawing every file once, then reading the analysis kept in the cache of renders).

Run: ``PYTHONPATH=src python3 benchmarks/analysis_timing.py [--runs 5] [--process-runs 3]`` (about a
minute on a 2-core machine). Prints seconds per step.

The views read the graph through their view queries (``views/queries/*.rq``) on an embedded
pyoxigraph store. Before that change (main at e9eace0) they parsed the N-Triples into rdflib and
walked the triples; ``benchmarks/README.md`` has both sets of figures.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from practice_graph.core.cache import CACHE_ENV, store_ntriples
from practice_graph.core.paths import DEFAULT_DATA, DEFAULT_ONTOLOGY
from practice_graph.core.stamp import current_stamp
from practice_graph.pipeline import built_ntriples
from practice_graph.sparql.store import oxigraph_store
from practice_graph.views import analysis, charts, viewer
from practice_graph.views.report import render_analysis

SRC = Path(__file__).resolve().parent.parent / "src"


def timed(name: str, function: Callable[..., Any], *args: Any, runs: int = 5) -> Any:
    """Run ``function`` ``runs`` times; print the median wall time, its range and the median CPU time
    (the work, whatever else the machine runs); return the last result."""
    times, cpu_times = [], []
    for _ in range(runs):
        start, cpu_start = time.perf_counter(), time.process_time()
        result = function(*args)
        times.append(time.perf_counter() - start)
        cpu_times.append(time.process_time() - cpu_start)
    print(f"{name:<36}{statistics.median(times):8.3f} s   (min {min(times):.3f}, max {max(times):.3f}, {runs} runs; "
          f"CPU {statistics.median(cpu_times):.3f} s)")
    return result


def whole_process(runs: int) -> None:
    """``practice-graph analyze`` in a fresh process on a current build: once with an empty cache of
    renders (every file drawn), then the median of ``runs`` reading the kept analysis."""
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        cache = work / "cache"
        environment = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(SRC), os.environ.get(
            "PYTHONPATH", "")])), CACHE_ENV: str(cache)}
        store_ntriples(current_stamp(DEFAULT_DATA, DEFAULT_ONTOLOGY), built_ntriples(), cache)  # a current build
        command = [sys.executable, "-m", "practice_graph.cli", "analyze", "--out", str(work / "out")]
        times, cpu_times = [], []
        for _ in range(runs + 1):
            start, cpu_start = time.perf_counter(), _children_cpu()
            subprocess.run(command, cwd=work, env=environment, check=True, capture_output=True)
            times.append(time.perf_counter() - start)
            cpu_times.append(_children_cpu() - cpu_start)
            shutil.rmtree(work / "out")
    first, kept = times[0], times[1:]
    print(f"{'practice-graph analyze (process, drawn)':<36}{first:8.3f} s   (the first, every file drawn; "
          f"CPU {cpu_times[0]:.3f} s)")
    print(f"{'practice-graph analyze (process)':<36}{statistics.median(kept):8.3f} s   "
          f"(min {min(kept):.3f}, max {max(kept):.3f}, {runs} runs reading the kept analysis; "
          f"CPU {statistics.median(cpu_times[1:]):.3f} s)")


def _children_cpu() -> float:
    """CPU seconds (user and system) of the finished child processes so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs of each in-process step")
    parser.add_argument("--process-runs", type=int, default=3, help="runs of the whole analyze process (0: skip)")
    arguments = parser.parse_args()
    runs = arguments.runs

    ntriples = built_ntriples()
    triples = ntriples.count(b"\n")
    print(f"{'triples':<36}{triples:8d}")
    store = timed("open store (N-Triples -> pyoxigraph)", oxigraph_store, ntriples, runs=runs)
    data = timed("read practice data (view queries)", analysis.read_practice_data, store, runs=runs)
    timed("N-Triples -> practice data", lambda: analysis.read_practice_data(oxigraph_store(ntriples)), runs=runs)
    timed("analyse (networkx)", analysis.analyse, data, runs=runs)
    timed("typed multigraph", analysis.typed_multigraph, store, runs=runs)
    view = timed("viewer data (view queries)", viewer.viewer_data, store, runs=runs)
    timed("N-Triples -> viewer data", lambda: viewer.viewer_data(oxigraph_store(ntriples)), runs=runs)
    timed("viewer page (pyvis)", viewer.render_html, view, runs=runs)
    network = analysis.co_participation_graph(data)
    timed("the two charts (matplotlib)", lambda: (charts.heatmap_png(data), charts.network_png(network)),
          runs=max(1, runs // 2))
    files = timed("render every analysis file", lambda: render_analysis(store, reuse=False), runs=max(1, runs // 2))
    print(f"{'files / bytes':<36}{len(files):8d} / {sum(map(len, files.values())):,}")
    configured = os.environ.get(CACHE_ENV)
    with tempfile.TemporaryDirectory() as folder:  # a changed graph whose charts' tables did not change
        os.environ[CACHE_ENV] = folder
        render_analysis(store)  # keeps the two charts by their tables
        timed("render every file, charts kept", render_analysis, store, runs=max(1, runs // 2))
    os.environ.pop(CACHE_ENV)
    if configured is not None:
        os.environ[CACHE_ENV] = configured
    if arguments.process_runs:
        whole_process(arguments.process_runs)


if __name__ == "__main__":
    main()
