"""The floor under each goal of issue 12 that ``goals.py`` reports as FAIL: what this machine and the
libraries take before practice-graph does any work of its own, printed beside the goal.

- **CPUs.** The speedup of two processes over one on the same CPU-bound loop: 2.0 on two cores, about
  1.3 on two hyperthreads of one core. The test suite on two workers (``-n auto``) can take no less
  than its one-process time divided by this, so the 90 s goal needs a one-process suite of at most
  90 s times the speedup; with ``--suite`` the suite runs in one process (minutes) and its floor on
  two workers is printed.
- **Notebooks (5 s each).** A Jupyter kernel started, one cell run and the kernel shut down (nbclient,
  as ``goals.py`` runs each notebook), and a fresh process importing pandas (every notebook's tables)
  and ``matplotlib.pyplot`` (the charts notebooks 02 and 03 draw).
- **The analysis drawn from scratch (1 s).** A fresh process importing what the charts need
  (``matplotlib.figure`` and the Agg canvas), and the region x mechanism heatmap's labels alone, as
  text on an empty figure of the heatmap's size (the same font, sizes and rotation), drawn by
  matplotlib: the part of the heatmap no layout change removes.
- **Loading into the on-disk store (250,000 triples/s).** Oxigraph's loader per CPU-second is measured
  by ``query_bounds.py`` and recorded in ``benchmarks/README.md``; this script does not repeat it.

Each figure is the median of ``--runs``::

    PYTHONPATH=src python3 benchmarks/floors.py [--runs 3] [--suite]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

LOOP = 4_000_000  # iterations of the CPU-bound loop: about a second on one CPU


def spin(_: int = 0) -> float:
    """A CPU-bound loop in pure Python; its wall seconds."""
    started = time.perf_counter()
    total = 0
    for value in range(LOOP):
        total += value * value % 7
    return time.perf_counter() - started


def parallel_speedup(runs: int) -> tuple[float, float, float]:
    """Seconds of the loop in one process, seconds of two loops in two processes at once, and the speedup
    (two loops' work over the wall time of the pair, in units of one loop's time)."""
    context = multiprocessing.get_context("spawn")
    with context.Pool(2) as pool:
        pool.map(spin, range(2))  # both workers started and warm
        one = statistics.median(pool.apply(spin) for _ in range(runs))
        pairs = []
        for _ in range(runs):
            started = time.perf_counter()
            pool.map(spin, range(2), chunksize=1)
            pairs.append(time.perf_counter() - started)
    pair = statistics.median(pairs)
    return one, pair, 2 * one / pair


def process_seconds(code: str, runs: int) -> float:
    """Median wall seconds of a fresh ``python -c code`` (interpreter start-up included)."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def suite_in_one_process() -> tuple[float, float, str]:
    """Wall and CPU seconds (the children's user and system) of ``pytest -n 0 -m "not slow"``, and its summary."""
    project = Path(__file__).resolve().parent.parent
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "pytest", "-n", "0", "-q", "-m", "not slow", "-p", "no:cacheprovider"],
                          cwd=project, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    lines = done.stdout.strip().splitlines()
    return wall, cpu, lines[-1] if lines else "no output"


def kernel_seconds(runs: int) -> float:
    """Median wall seconds of a notebook of one cell run by nbclient (kernel start and shutdown included)."""
    import nbformat
    from nbclient import NotebookClient

    times = []
    for _ in range(runs + 1):  # the first start also warms the disk cache: left out
        notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 + 1")])
        started = time.perf_counter()
        NotebookClient(notebook, timeout=120, kernel_name="python3").execute()
        times.append(time.perf_counter() - started)
    return statistics.median(times[1:])


def heatmap_labels_seconds(runs: int) -> tuple[float, int]:
    """Median seconds to draw the real heatmap's labels alone (text artists on an empty figure of the
    heatmap's size, the charts' font and sizes), and how many labels."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from practice_graph.pipeline import built_ntriples
    from practice_graph.sparql.store import oxigraph_store
    from practice_graph.views import analysis, charts

    table = charts.heatmap_table(analysis.read_practice_data(oxigraph_store(built_ntriples())))
    labels = [(text, charts.REGION_LABEL_SIZE, 0) for text in table.regions]
    labels += [(text, charts.MECHANISM_LABEL_SIZE, 90) for text in table.mechanisms]
    labels += [(charts.HEATMAP_TITLE, 12, 0), *((axis, 10, 0) for axis in charts.HEATMAP_AXES)]

    def draw() -> None:
        with charts._drawing():
            figure = Figure(figsize=(25, 18), dpi=charts.DPI)
            canvas = FigureCanvasAgg(figure)
            for number, (text, size, rotation) in enumerate(labels):
                figure.text((number % 10) / 10, (number // 10) / 12, text, fontsize=size, rotation=rotation)
            canvas.draw()

    draw()  # the font opened and its glyphs cached, as in a process that draws both charts
    return _median(draw, runs), len(labels)


def _median(function: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs of each figure (median)")
    parser.add_argument("--suite", action="store_true", help="run the tests in one process too (minutes)")
    arguments = parser.parse_args()
    runs = arguments.runs
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average "
          + " ".join(f"{value:.2f}" for value in os.getloadavg()))

    one, pair, speedup = parallel_speedup(runs)
    print(f"CPUs: one loop {one:.2f} s, two at once {pair:.2f} s: speedup {speedup:.2f} of 2")
    print(f"  2. suite <= 90 s on two workers needs a one-process suite of at most {90 * speedup:.0f} s")
    if arguments.suite:
        wall, cpu, summary = suite_in_one_process()
        print(f"     in one process: {wall:.0f} s, {cpu:.0f} s of CPU ({summary}): at least {wall / speedup:.0f} s "
              "on two workers")

    bare = process_seconds("pass", runs)
    imports = process_seconds("import pandas, matplotlib.pyplot", runs) - bare
    kernel = kernel_seconds(runs)
    print(f"  3. notebook <= 5 s: kernel start, one cell, shutdown {kernel:.2f} s; import pandas and "
          f"matplotlib.pyplot {imports:.2f} s: {kernel + imports:.2f} s before a notebook's own work (its graph, "
          "tables, charts, viewer)")

    charts_import = process_seconds("import matplotlib.figure, matplotlib.backends.backend_agg", runs) - bare
    labels, count = heatmap_labels_seconds(runs)
    print(f"  3. analysis drawn <= 1 s: Python start-up {bare:.2f} s; matplotlib's figure and canvas imported "
          f"{charts_import:.2f} s; the heatmap's {count} labels alone drawn {labels:.2f} s: "
          f"{bare + charts_import + labels:.2f} s before the two charts' cells, nodes and edges, the Gephi "
          "files and the report")


if __name__ == "__main__":
    main()
