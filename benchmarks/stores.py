"""Compare stores on the synthetic graph: load time, peak memory, each named query's time.

For each scale k (copies of the real graph, see ``synthetic.py``) and each store, a fresh
subprocess loads the synthetic N-Triples from a file, then runs every named query (median of
``--runs`` runs, results fully read), so the peak resident memory (``ru_maxrss``) it reports
belongs to that store and that scale alone. Stores:

- ``pyoxigraph``: pyoxigraph's in-memory ``Store`` (the project's embedded store), ``bulk_load``;
- ``rdflib``: rdflib's memory store and its SPARQL engine (only up to ``--rdflib-max-scale``,
  each query capped at ``--cap`` seconds);
- ``oxrdflib``: an rdflib ``Graph`` over the Oxigraph store (when ``oxrdflib`` is installed).

Prints a table per scale, the ratio rdflib / pyoxigraph per query, PASS/FAIL for the goals
(every question under 50 ms on the real graph, under 2 s at about 1M triples on the embedded
store) and a Markdown table to paste into the README::

    PYTHONPATH=src python3 benchmarks/stores.py [--scales 1,10,74] [--runs 5]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import synthetic  # noqa: E402  (the sibling module, found through sys.path)

STORES = ("pyoxigraph", "oxrdflib", "rdflib")
PARAMS = {"evidence": {"node": "henan"}}  # queries with a required parameter
REAL_GOAL_S = 0.050
MILLION_GOAL_S = 2.0
DEFAULT_SCALES = (1, 10, 74)  # 74 copies: 1,004,852 triples


class Capped(Exception):
    """A query run past the per-query cap."""


# --------------------------------------------------------------------------- child process


def _load(store_name: str, path: Path):
    if store_name == "pyoxigraph":
        import pyoxigraph as ox

        store = ox.Store()
        store.bulk_load(path=str(path), format=ox.RdfFormat.N_TRIPLES)
        return store, len(store)
    from rdflib import Graph

    if store_name == "oxrdflib":
        graph = Graph(store="Oxigraph")
        graph.parse(str(path), format="ox-nt")
    else:
        graph = Graph()
        graph.parse(str(path), format="nt")
    return graph, len(graph)


def _run_query(store, text: str) -> int:
    """Run a query and read every row; returns the number of rows."""
    return sum(1 for _ in store.query(text))


def _on_alarm(signum, frame):  # pragma: no cover - signal handler
    raise Capped


def child(store_name: str, path: Path, runs: int, cap_s: float) -> dict:
    """Load one store from ``path`` and time every named query; the figures as a dict."""
    from practice_graph.sparql.query import bound_text, named_queries

    queries = [(query.name, bound_text(query, PARAMS.get(query.name))) for query in named_queries()]
    baseline_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    store, triples = _load(store_name, path)
    load_s = time.perf_counter() - started
    load_peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    signal.signal(signal.SIGALRM, _on_alarm)
    timings: dict[str, dict] = {}
    for name, text in queries:
        times: list[float] = []
        rows = None
        capped = False
        for _ in range(runs):
            signal.setitimer(signal.ITIMER_REAL, cap_s)
            started = time.perf_counter()
            try:
                rows = _run_query(store, text)
            except Capped:
                capped = True
                break
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
            times.append(time.perf_counter() - started)
            if sum(times) > cap_s:  # a slow query: the runs so far are enough
                break
        timings[name] = {"median_s": statistics.median(times) if times else None, "runs": len(times),
                         "rows": rows, "capped": capped}
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"store": store_name, "triples": triples, "load_s": load_s, "peak_mb": peak_kb / 1024,
            "load_peak_mb": load_peak_kb / 1024, "baseline_mb": baseline_kb / 1024, "queries": timings}


# --------------------------------------------------------------------------- parent process


def available_stores() -> list[str]:
    names = ["pyoxigraph", "rdflib"]
    if importlib.util.find_spec("oxrdflib"):
        names.insert(1, "oxrdflib")
    return names


def measure(store_name: str, path: Path, runs: int, cap_s: float) -> dict:
    """Run :func:`child` in a fresh interpreter and read its JSON."""
    command = [sys.executable, str(Path(__file__).resolve()), "--child", store_name, str(path),
               "--runs", str(runs), "--cap", str(cap_s)]
    done = subprocess.run(command, capture_output=True, text=True, env=os.environ.copy(), check=False,
                          timeout=cap_s * 40 + 600)
    if done.returncode != 0:
        raise RuntimeError(f"{store_name} on {path.name} failed:\n{done.stderr}")
    return json.loads(done.stdout)


def _ms(seconds: float | None, capped: bool = False, cap_s: float = 0) -> str:
    if capped:
        return f"> {cap_s:g} s"
    if seconds is None:
        return "-"
    return f"{seconds * 1000:.1f}" if seconds < 10 else f"{seconds * 1000:,.0f}"


def print_scale(copies: int, results: dict[str, dict], cap_s: float) -> None:
    stores = list(results)
    first = results[stores[0]]
    print(f"\n## scale {copies}x: {first['triples']:,} triples")
    print(f"{'':14}" + "".join(f"{name:>16}" for name in stores))
    print(f"{'load (s)':14}" + "".join(f"{results[name]['load_s']:>16.2f}" for name in stores))
    print(f"{'RSS loaded MB':14}" + "".join(f"{results[name]['load_peak_mb']:>16.0f}" for name in stores))
    print(f"{'RSS peak MB':14}" + "".join(f"{results[name]['peak_mb']:>16.0f}" for name in stores))
    print("query times in ms (median):")
    for query in first["queries"]:
        cells = []
        for name in stores:
            timing = results[name]["queries"][query]
            cells.append(f"{_ms(timing['median_s'], timing['capped'], cap_s):>16}")
        line = f"{query:14}" + "".join(cells)
        if "rdflib" in results and "pyoxigraph" in results:
            ours = results["pyoxigraph"]["queries"][query]
            theirs = results["rdflib"]["queries"][query]
            if theirs["capped"]:
                line += f"   rdflib/pyoxigraph > {cap_s / ours['median_s']:,.0f}x"
            elif ours["median_s"] and theirs["median_s"]:
                line += f"   rdflib/pyoxigraph {theirs['median_s'] / ours['median_s']:,.0f}x"
            if not theirs["capped"] and theirs["rows"] != ours["rows"]:
                line += f"   (rows differ: {theirs['rows']} vs {ours['rows']})"
        print(line)


def _slowest(times: dict[str, dict]) -> tuple[str, float]:
    """The slowest query and its median (infinite when it was stopped at the cap)."""
    def seconds(name: str) -> float:
        timing = times[name]
        return float("inf") if timing["capped"] or timing["median_s"] is None else timing["median_s"]

    name = max(times, key=seconds)
    return name, seconds(name)


def goals(all_results: dict[int, dict[str, dict]], cap_s: float) -> list[tuple[str, bool, str]]:
    """PASS/FAIL lines for the two goals, on the embedded store."""
    checks = []
    targets = []
    if 1 in all_results:
        targets.append((1, REAL_GOAL_S, "the real graph"))
    big = [copies for copies in all_results if all_results[copies]["pyoxigraph"]["triples"] >= 900_000]
    if big:
        copies = min(big)
        targets.append((copies, MILLION_GOAL_S, f"{all_results[copies]['pyoxigraph']['triples']:,} triples"))
    for copies, goal_s, where in targets:
        name, seconds = _slowest(all_results[copies]["pyoxigraph"]["queries"])
        shown = f"> {cap_s:g} s" if seconds == float("inf") else f"{seconds * 1000:.1f} ms"
        checks.append((f"every question under {goal_s * 1000:g} ms on {where}", seconds < goal_s,
                       f"slowest {name}: {shown}"))
    return checks


def markdown(all_results: dict[int, dict[str, dict]], cap_s: float) -> str:
    """One Markdown table: a column per (store, scale), a row per figure and per query."""
    columns = [(copies, name) for copies in sorted(all_results) for name in all_results[copies]]
    header = "| | " + " | ".join(f"{name} {copies}x" for copies, name in columns) + " |"
    lines = [header, "|---" * (len(columns) + 1) + "|"]
    lines.append("| triples | " + " | ".join(f"{all_results[c][n]['triples']:,}" for c, n in columns) + " |")
    lines.append("| load (s) | " + " | ".join(f"{all_results[c][n]['load_s']:.2f}" for c, n in columns) + " |")
    lines.append("| peak RSS after load (MB) | "
                 + " | ".join(f"{all_results[c][n]['load_peak_mb']:.0f}" for c, n in columns) + " |")
    lines.append("| peak RSS after queries (MB) | "
                 + " | ".join(f"{all_results[c][n]['peak_mb']:.0f}" for c, n in columns) + " |")
    first = all_results[min(all_results)]["pyoxigraph"]["queries"]
    for query in first:
        cells = []
        for copies, name in columns:
            timing = all_results[copies][name]["queries"][query]
            cells.append(_ms(timing["median_s"], timing["capped"], cap_s))
        lines.append(f"| {query} (ms) | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Load time, peak memory and query times per store and scale.")
    parser.add_argument("--scales", default=",".join(map(str, DEFAULT_SCALES)),
                        help="Comma-separated numbers of copies of the real graph (default: %(default)s)")
    parser.add_argument("--stores", default=None, help="Comma-separated stores (default: all installed)")
    parser.add_argument("--runs", type=int, default=5, help="Runs per query; the median is reported")
    parser.add_argument("--cap", type=float, default=30.0, help="Seconds one query may take (rdflib)")
    parser.add_argument("--rdflib-max-scale", type=int, default=10, help="Largest scale rdflib is tried at")
    parser.add_argument("--child", nargs=2, metavar=("STORE", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child[0], Path(args.child[1]), args.runs, args.cap)))
        return 0

    scales = sorted({int(value) for value in args.scales.split(",") if value.strip()})
    stores = args.stores.split(",") if args.stores else available_stores()
    real = synthetic.real_ntriples()
    all_results: dict[int, dict[str, dict]] = {}
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores; median of {args.runs} runs per query; "
          f"rdflib up to {args.rdflib_max_scale}x, {args.cap:g} s cap per query")
    with tempfile.TemporaryDirectory(prefix="pg-bench-") as folder:
        for copies in scales:
            path = Path(folder) / f"synthetic-{copies}.nt"
            synthetic.write_file(real, copies, path, progress=copies >= 10)
            results = {}
            for name in stores:
                if name == "rdflib" and copies > args.rdflib_max_scale:
                    continue
                print(f"  measuring {name} at {copies}x ...", file=sys.stderr, flush=True)
                results[name] = measure(name, path, args.runs, args.cap)
            path.unlink()
            all_results[copies] = results
            print_scale(copies, results, args.cap)
    print("\n## goals (embedded store: pyoxigraph)")
    failed = False
    for label, passed, detail in goals(all_results, args.cap):
        failed |= not passed
        print(f"{'PASS' if passed else 'FAIL'}  {label} ({detail})")
    print("\n## markdown (times in ms, median of runs; peak RSS of a fresh process per store and scale)\n")
    print(markdown(all_results, args.cap))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
