"""Viewer load-to-stable times in headless Chromium: the real graph and a synthetic ~3,000-node graph.

Run from the project root:  PYTHONPATH=src python3 benchmarks/viewer_load.py [--nodes 3000] [--runs 3] [--physics-too]

For each page it prints: Python time to build the page, its size, and in Debian's Chromium (headless,
software rendering) the time from navigation start to the ``load`` event, to the first screen (the
overview laid out; the graph itself when the page has no overview), and to "stable" (physics
stabilised and stopped, or the first frame drawn when positions are precomputed), then the mean time
of one full redraw once stable (a proxy for how usable panning and zooming are), and the CPU time
of the page's main thread from navigation to stable (Chromium's ``ThreadTime`` metric, through the
DevTools protocol, polling included: the work itself, which a busy machine inflates far less than
the wall-clock times; on 2 shared cores the wall time to stable is 1.5 to 2.5 times it): the median of
``--runs`` loads of each page, taken in turn (so that a busy machine slows every page alike). Pages lay their
nodes out in Python (the default); ``--physics-too`` also times the real graph with in-browser
physics (seeded, stabilised, then stopped: the viewer before issue 12).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))
sys.path.insert(0, str(PROJECT / "src"))

from practice_graph.views import viewer as visualise  # noqa: E402
from tests.synthetic import synthetic_graph  # noqa: E402

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
REDRAWS = 10


def measure(context, path: Path, timeout: float = 900.0) -> dict[str, float]:
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    devtools = context.new_cdp_session(page)
    devtools.send("Performance.enable")

    def main_thread_seconds() -> float:
        metrics = devtools.send("Performance.getMetrics")["metrics"]
        return next(metric["value"] for metric in metrics if metric["name"] == "ThreadTime")

    cpu_before = main_thread_seconds()
    page.goto(path.as_uri())
    deadline = time.monotonic() + timeout
    while not page.evaluate("Boolean(window.pgViewer && window.pgViewer.stable && "
                            "(!pgViewer.overview || pgViewer.overview.placed))"):
        if time.monotonic() > deadline:
            raise TimeoutError(f"{path.name}: not stable after {timeout:.0f} s")
        time.sleep(0.05)
    cpu = main_thread_seconds() - cpu_before
    timing = page.evaluate("""redraws => {
        const start = performance.now();
        for (let i = 0; i < redraws; i++) { network.redraw(); }
        const redraw = (performance.now() - start) / redraws;
        const navigation = performance.getEntriesByType('navigation')[0];
        const first = pgViewer.overview ? pgViewer.overview.placedAt : pgViewer.stableAt;
        return {load: navigation.loadEventEnd, first: first, stable: pgViewer.stableAt, redraw: redraw};
    }""", REDRAWS)
    page.close()
    if errors:
        raise RuntimeError(f"{path.name}: page errors: {errors}")
    return {**timing, "cpu": cpu * 1000}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=3000, help="size of the synthetic graph")
    parser.add_argument("--runs", type=int, default=3, help="loads of each page (the median is printed)")
    parser.add_argument("--physics-too", action="store_true", help="also time the real graph with in-browser physics")
    arguments = parser.parse_args()

    from playwright.sync_api import sync_playwright

    from practice_graph.api import default_store
    from practice_graph.sparql.store import oxigraph_store

    chromium = shutil.which("chromium")
    if chromium is None:
        sys.exit("Debian's chromium is needed (apt-get install chromium)")
    pages = []
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        synthetic = oxigraph_store(synthetic_graph(arguments.nodes).serialize(format="nt", encoding="utf-8"))
        cases = [("real graph", default_store(), True), (f"synthetic {arguments.nodes}", synthetic, True)]
        if arguments.physics_too:
            cases.append(("physics: real graph", cases[0][1], False))
        for index, (name, graph, precomputed) in enumerate(cases):
            started = time.perf_counter()
            data = visualise.viewer_data(graph)
            html = visualise.render_html(data, precomputed=precomputed)
            seconds = time.perf_counter() - started
            path = out / f"page-{index}.html"
            path.write_text(html, encoding="utf-8")
            pages.append((name, data, path, seconds, "precomputed layout" if precomputed else "seeded physics"))
        with sync_playwright() as playwright:
            context = playwright.chromium.launch_persistent_context(
                str(out / "profile"), executable_path=chromium, headless=True, args=CHROMIUM_ARGS,
                viewport={"width": 1400, "height": 900})
            timings: list[list[dict[str, float]]] = [[] for _ in pages]
            for _ in range(max(arguments.runs, 1)):
                for index, (_name, _data, path, _seconds, _mode) in enumerate(pages):
                    timings[index].append(measure(context, path))
            context.close()
        print(f"{'page':<28} {'nodes':>6} {'edges':>6} {'mode':<19} {'python s':>8} {'MB':>5} "
              f"{'load s':>7} {'first s':>7} {'stable s':>8} {'cpu s':>6} {'redraw ms':>9}")
        for (name, data, path, seconds, mode), runs in zip(pages, timings, strict=True):
            timing = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
            print(f"{name:<28} {len(data.nodes):>6} {len(data.edges):>6} {mode:<19} {seconds:>8.2f} "
                  f"{path.stat().st_size / 1e6:>5.1f} {timing['load'] / 1000:>7.2f} {timing['first'] / 1000:>7.2f} "
                  f"{timing['stable'] / 1000:>8.2f} {timing['cpu'] / 1000:>6.2f} {timing['redraw']:>9.1f}", flush=True)
        print(f"median of {max(arguments.runs, 1)} loads each; load average {os.getloadavg()[0]:.1f} "
              f"(runnable processes on {os.cpu_count()} cores)")


if __name__ == "__main__":
    main()
