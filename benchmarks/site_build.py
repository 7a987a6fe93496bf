"""How long ``practice-graph site`` takes, stage by stage, and whether two builds are identical.

Builds the graph in memory once (as a current ``dist/`` would give it), then renders the site
``--runs`` times in this process and prints, per stage, the median wall time and CPU time (on a
shared machine the CPU time is the steadier figure), the total against the goal (at most 10 s),
the number and size of the files, and whether every run gave byte-identical files::

    PYTHONPATH=src python3 benchmarks/site_build.py [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from practice_graph.core.paths import DEFAULT_DATA, DEFAULT_ONTOLOGY, DEFAULT_OUT, NTRIPLES, ONTOLOGY_FILE
from practice_graph.pipeline import build
from practice_graph.views import site
from practice_graph.views.map import render_map
from practice_graph.views.pages import pages_store, read_view, render_entity
from practice_graph.views.reader import render_reader

GOAL_S = 10.0


def timed(results: dict[str, list[tuple[float, float]]], name: str, work: Callable[[], Any]) -> Any:
    wall, cpu = time.perf_counter(), time.process_time()
    value = work()
    results.setdefault(name, []).append((time.perf_counter() - wall, time.process_time() - cpu))
    return value


def one_run(results: dict[str, list[tuple[float, float]]], ntriples: bytes, analysis_dir: Path) -> dict[str, bytes]:
    """One build of the site, then each stage again on its own (where the time goes)."""
    inputs = timed(results, "inputs (source, analysis)", lambda: site.site_inputs(
        ntriples, DEFAULT_DATA, DEFAULT_ONTOLOGY / ONTOLOGY_FILE, analysis_dir))
    files = timed(results, "whole site (render_site)", lambda: site.render_site(inputs))
    store = timed(results, "  store + view queries", lambda: pages_store(ntriples, inputs.ontology))
    view = timed(results, "  store + view queries", lambda: read_view(store))
    timed(results, "  entry pages", lambda: [render_entity(view, node) for node in view.nodes.values()])
    timed(results, "  source reader", lambda: render_reader(view, inputs.source_text or ""))
    timed(results, "  map", lambda: render_map(view, store))
    timed(results, "  query examples", lambda: site.render_queries(view, ntriples))
    if inputs.viewer is not None:
        timed(results, "  viewer", inputs.viewer)
    return files


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    ntriples = build(DEFAULT_DATA, DEFAULT_ONTOLOGY, shacl=False).files[NTRIPLES]
    analysis_dir = DEFAULT_OUT / "analysis"
    results: dict[str, list[tuple[float, float]]] = {}
    outputs = []
    for _ in range(args.runs):
        outputs.append(one_run(results, ntriples, analysis_dir))
    print(f"practice-graph site: {len(outputs[0])} files, {sum(map(len, outputs[0].values())):,} bytes, "
          f"{args.runs} runs, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    print(f"{'stage':28} {'wall s':>8} {'cpu s':>8}")
    for name, samples in results.items():
        wall = statistics.median(sample[0] for sample in samples)
        cpu = statistics.median(sample[1] for sample in samples)
        print(f"{name:28} {wall:8.2f} {cpu:8.2f}")
    whole = statistics.median(a[0] + b[0] for a, b in zip(results["inputs (source, analysis)"],
                                                          results["whole site (render_site)"], strict=True))
    print(f"goal <= {GOAL_S:g} s for one build: {'PASS' if whole <= GOAL_S else 'FAIL'} ({whole:.2f} s wall)")
    identical = all(files == outputs[0] for files in outputs[1:])
    print(f"runs byte-identical: {identical}")
    if analysis_dir.is_dir():
        print(f"(analysis read from {Path(analysis_dir).resolve()})")


if __name__ == "__main__":
    main()
