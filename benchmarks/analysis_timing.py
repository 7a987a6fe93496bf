"""Time the analysis stage on the real graph: reading the RDF, the computations, and every output.

Run: ``PYTHONPATH=src python3 benchmarks/analysis_timing.py`` (prints seconds per step).
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from practice_graph.pipeline import load_graph
from practice_graph.views import analysis, charts
from practice_graph.views.report import csv_tables, render_analysis, write_analysis


def timed(name: str, function, *args):
    start = time.perf_counter()
    result = function(*args)
    print(f"{name:<28}{time.perf_counter() - start:8.3f} s")
    return result


def main() -> None:
    graph = timed("load graph", load_graph)
    print(f"{'triples':<28}{len(graph):8d}")
    data = timed("read practice data", analysis.read_practice_data, graph)
    result = timed("analyse", analysis.analyse, data)
    timed("typed multigraph", analysis.typed_multigraph, graph)
    timed("csv tables", csv_tables, result)
    timed("heatmap png", charts.heatmap_png, data)
    timed("network png", charts.network_png, analysis.co_participation_graph(data))
    files = timed("render all outputs", render_analysis, graph)
    print(f"{'files / bytes':<28}{len(files):8d} / {sum(map(len, files.values())):,}")
    with tempfile.TemporaryDirectory() as folder:
        timed("write_analysis", write_analysis, graph, Path(folder))


if __name__ == "__main__":
    main()
