"""Scale: the on-disk store at about 1M and 10M synthetic triples, against the in-memory store and rdflib.

For one scale (``--copies`` of the real graph, or ``--triples`` to reach), this writes the
synthetic N-Triples (``synthetic.py``) to a temporary folder and measures, each in a fresh
process so that its peak resident memory (``ru_maxrss``) is its own:

- ``load``: ``practice_graph.sparql.ondisk.load_files`` into a new on-disk store (the code path of
  ``practice-graph load``): seconds, triples/s, peak RSS;
- ``disk``: every named query ``--runs`` times on that store opened read-only (as ``query --store``
  and ``serve --store`` do): p50, p95, peak RSS;
- ``memory``: the same on pyoxigraph's in-memory store (``bulk_load``), with its peak RSS;
- ``raw_load`` (``--raw-load``): Oxigraph's bulk loader alone, ``bulk_load(path=...)`` into a new
  store (Rust reading the file, no progress bar, no compaction), and parsing alone; with the CPU
  time of the busiest thread, which bounds the load's wall time on an idle machine;
- ``rdflib``: rdflib's memory store, each query once, stopped at ``--rdflib-cap`` seconds (skipped
  with ``--no-rdflib``, and above ``--rdflib-max`` triples, where loading alone takes minutes).

Then the goals of issue 12 with PASS/FAIL and a JSON summary (``--json FILE``). Wall-clock times
are noisy on a shared machine: the load average is printed beside each figure::

    PYTHONPATH=src python3 benchmarks/scale.py --copies 74 --runs 20          # ~1M triples
    PYTHONPATH=src python3 benchmarks/scale.py --triples 10000000 --runs 5 --no-rdflib
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import synthetic  # noqa: E402  (the sibling module, found through sys.path)

PARAMS = {"evidence": {"node": "henan"}}
LOAD_GOAL = 250_000  # triples/s
P95_GOALS = ((9_000_000, 2.0), (900_000, 0.5))  # (at least this many triples, seconds)
MEMORY_GOAL_GB_PER_M = 0.5
DISK_GOAL_GB = 2.0  # the 10M on-disk store
BYTES_PER_TRIPLE = 170  # synthetic N-Triples, for the disk-space check


class Capped(Exception):
    """A query stopped at its time limit."""


def _on_alarm(signum, frame):  # pragma: no cover - signal handler
    raise Capped


def load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def named() -> list[tuple[str, str]]:
    from practice_graph.sparql.query import bound_text, named_queries

    return [(query.name, bound_text(query, PARAMS.get(query.name))) for query in named_queries()]


def time_queries(store, runs: int, cap_s: float | None = None, budget_s: float = 30.0,
                 only: str | None = None) -> dict[str, dict]:
    """Each named query ``runs`` times (fewer once its runs took ``budget_s``), every row read:
    p50, p95 and max in seconds, and rows. ``cap_s`` stops a query between rows (rdflib)."""
    timings = {}
    if cap_s:
        signal.signal(signal.SIGALRM, _on_alarm)
    for name, text in named():
        if only and name != only:
            continue
        times: list[float] = []
        cpus: list[float] = []
        rows, capped = None, False
        for _ in range(runs):
            if cap_s:
                signal.setitimer(signal.ITIMER_REAL, cap_s)
            started, cpu = time.perf_counter(), time.process_time()
            try:
                rows = sum(1 for _ in store.query(text))
            except Capped:
                capped = True
                break
            finally:
                if cap_s:
                    signal.setitimer(signal.ITIMER_REAL, 0)
            times.append(time.perf_counter() - started)
            cpus.append(time.process_time() - cpu)
            if sum(times) > budget_s:
                break
        ordered = sorted(times)
        timings[name] = {
            "p50": statistics.median(ordered) if ordered else None,
            "p95": ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)] if ordered else None,
            "max": ordered[-1] if ordered else None, "runs": len(ordered), "rows": rows, "capped": capped,
            "cpu_p50": statistics.median(cpus) if cpus else None,
        }
    return timings


# --------------------------------------------------------------------------- child processes


class ThreadClock:
    """CPU seconds per thread of this process, sampled from /proc (Linux) until stopped: the
    busiest thread bounds a pipelined load's wall time however idle the machine."""

    def __init__(self, every_s: float = 0.2) -> None:
        self.every_s, self.seen = every_s, {}
        self.tick = os.sysconf("SC_CLK_TCK")
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> ThreadClock:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.done.set()
        self.thread.join()
        self._sample()

    def _run(self) -> None:
        while not self.done.wait(self.every_s):
            self._sample()

    def _sample(self) -> None:
        tasks = Path("/proc/self/task")
        if not tasks.is_dir():
            return
        for task in tasks.iterdir():
            try:
                stat = (task / "stat").read_text()
            except OSError:  # the thread ended meanwhile
                continue
            fields = stat[stat.rindex(")") + 2:].split()
            self.seen[task.name] = (int(fields[11]) + int(fields[12])) / self.tick

    @property
    def busiest_s(self) -> float:
        return max(self.seen.values(), default=0.0)


def child_load(path: Path, store_dir: Path) -> dict:
    from practice_graph.sparql.ondisk import load_files

    cpu = time.process_time()
    with ThreadClock() as clock:
        loaded = load_files(store_dir, [path])
    cpu = time.process_time() - cpu
    return {"triples": loaded.after, "load_s": loaded.seconds, "rate": loaded.rate, "cpu_s": cpu,
            "compact_s": loaded.compact_seconds, "peak_mb": peak_mb(), "load": load_average(),
            "busiest_thread_s": clock.busiest_s}


def child_raw_load(path: Path, store_dir: Path) -> dict:
    """Oxigraph's bulk loader alone: ``bulk_load(path=...)`` into a new store, Rust reading the file,
    no progress, no compaction; then parsing alone (every triple read, nothing stored)."""
    import pyoxigraph as ox

    store = ox.Store(str(store_dir))
    started, cpu = time.perf_counter(), time.process_time()
    with ThreadClock() as clock:
        store.bulk_load(path=str(path), format=ox.RdfFormat.N_TRIPLES)
    load_s, load_cpu = time.perf_counter() - started, time.process_time() - cpu
    triples = len(store)
    del store
    shutil.rmtree(store_dir, ignore_errors=True)
    cpu = time.process_time()
    parsed = sum(1 for _ in ox.parse(path=str(path), format=ox.RdfFormat.N_TRIPLES))
    parse_cpu = time.process_time() - cpu
    return {"triples": triples, "load_s": load_s, "cpu_s": load_cpu, "busiest_thread_s": clock.busiest_s,
            "parsed": parsed, "parse_cpu_s": parse_cpu, "load": load_average()}


def child_disk_query(store_dir: Path, name: str, runs: int) -> dict:
    from practice_graph.sparql.ondisk import open_read_only

    store = open_read_only(store_dir)
    return {"timing": time_queries(store, runs, only=name)[name], "peak_mb": peak_mb()}


def disk_queries(store_dir: Path, runs: int, cap_s: float) -> dict:
    """Every named query on the on-disk store, each in a process of its own stopped at ``cap_s``."""
    queries, peak = {}, 0.0
    for name, _ in named():
        try:
            figures = run_child("disk-query", str(store_dir), name, str(runs), timeout_s=cap_s)
        except subprocess.TimeoutExpired:
            queries[name] = {"p50": None, "p95": None, "max": None, "runs": 0, "rows": None, "capped": True}
            continue
        queries[name] = figures["timing"]
        peak = max(peak, figures["peak_mb"])
    return {"queries": queries, "peak_mb": peak, "load": load_average()}


def child_memory(path: Path, runs: int) -> dict:
    import pyoxigraph as ox

    baseline = peak_mb()
    store = ox.Store()
    started = time.perf_counter()
    store.bulk_load(path=str(path), format=ox.RdfFormat.N_TRIPLES)
    load_s = time.perf_counter() - started
    loaded_mb = peak_mb()
    queries = time_queries(store, runs)
    return {"triples": len(store), "load_s": load_s, "baseline_mb": baseline, "loaded_mb": loaded_mb,
            "peak_mb": peak_mb(), "queries": queries, "load": load_average()}


def child_rdflib(path: Path, cap_s: float) -> dict:
    from rdflib import Graph

    graph = Graph()
    started = time.perf_counter()
    graph.parse(str(path), format="nt")
    load_s = time.perf_counter() - started
    queries = time_queries(graph, 1, cap_s)
    return {"triples": len(graph), "load_s": load_s, "peak_mb": peak_mb(), "queries": queries,
            "load": load_average()}


def run_child(*args: str, timeout_s: float = 3600) -> dict:
    command = [sys.executable, str(Path(__file__).resolve()), "--child", *args]
    done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=timeout_s)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------- report


def _ms(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds * 1000:,.1f}"


def goals(result: dict) -> list[tuple[str, bool, str]]:
    """PASS/FAIL lines for the scale goals of issue 12 that this scale can judge."""
    checks = []
    triples = result["triples"]
    millions = triples / 1e6
    load = result["disk_load"]
    checks.append((f"load into the on-disk store >= {LOAD_GOAL:,} triples/s at {triples:,} triples",
                   load["rate"] >= LOAD_GOAL, f"{load['rate']:,.0f} triples/s"))
    for at_least, goal_s in P95_GOALS:
        if triples >= at_least:
            for store in ("disk", "memory"):
                if store not in result:
                    continue
                queries = result[store]["queries"]
                slowest = max(queries, key=lambda name: queries[name]["p95"] or math.inf)
                p95 = queries[slowest]["p95"]
                over = sorted(name for name, timing in queries.items() if (timing["p95"] or math.inf) > goal_s)
                shown = f"p95 {_ms(p95)} ms" if p95 is not None else "stopped at the cap"
                checks.append((f"every question p95 <= {goal_s:g} s at {triples:,} triples ({store} store)",
                               not over, f"slowest {slowest}: {shown}; over the goal: {', '.join(over) or 'none'}"))
            break
    if "memory" in result and triples >= 900_000:  # below, the process itself (~100 MB) dominates
        memory = result["memory"]
        per_million = memory["peak_mb"] / 1024 / millions
        checks.append((f"peak RSS <= {MEMORY_GOAL_GB_PER_M} GB per million triples in memory",
                       per_million <= MEMORY_GOAL_GB_PER_M,
                       f"{memory['peak_mb']:,.0f} MB at {triples:,} triples = {per_million:.2f} GB/M "
                       f"(process baseline {memory['baseline_mb']:.0f} MB)"))
    if triples >= 9_000_000:
        peak = max(result["disk_load"]["peak_mb"], result["disk"]["peak_mb"])
        checks.append((f"peak RSS <= {DISK_GOAL_GB:g} GB for the {millions:.0f}M on-disk store",
                       peak / 1024 <= DISK_GOAL_GB,
                       f"load {result['disk_load']['peak_mb']:,.0f} MB, queries {result['disk']['peak_mb']:,.0f} MB"))
    return checks


def print_report(result: dict) -> None:
    triples = result["triples"]
    load = result["disk_load"]
    print(f"\n## {triples:,} triples ({result['copies']} copies), N-Triples {result['file_mb']:,.0f} MB, "
          f"store on disk {result['store_mb']:,.0f} MB")
    print(f"load, on-disk store: {load['load_s']:.1f} s, {load['rate']:,.0f} triples/s, then compaction "
          f"{load['compact_s']:.1f} s; CPU {load['cpu_s']:.1f} s for both ({triples / load['cpu_s']:,.0f} triples "
          f"per CPU-second); peak RSS {load['peak_mb']:,.0f} MB (load average {load['load']})")
    if load.get("busiest_thread_s"):
        print(f"  busiest thread {load['busiest_thread_s']:.1f} s of CPU: on an idle machine the load takes at least "
              f"that long ({triples / load['busiest_thread_s']:,.0f} triples/s at most)")
    if "raw_load" in result:
        raw = result["raw_load"]
        print(f"Oxigraph's loader alone (bulk_load(path=...), no progress, no compaction): {raw['load_s']:.1f} s, "
              f"{raw['triples'] / raw['load_s']:,.0f} triples/s, CPU {raw['cpu_s']:.1f} s "
              f"({raw['triples'] / raw['cpu_s']:,.0f} per CPU-second), busiest thread {raw['busiest_thread_s']:.1f} s "
              f"({raw['triples'] / raw['busiest_thread_s']:,.0f} triples/s at most); parsing alone "
              f"{raw['parse_cpu_s']:.1f} s of CPU ({raw['parsed'] / raw['parse_cpu_s']:,.0f} triples per CPU-second) "
              f"(load average {raw['load']})")
    if "memory" in result:
        memory = result["memory"]
        print(f"load, in-memory store: {memory['load_s']:.1f} s, peak RSS {memory['peak_mb']:,.0f} MB")
    if "rdflib" in result:
        print(f"load, rdflib memory store: {result['rdflib']['load_s']:.1f} s, "
              f"peak RSS {result['rdflib']['peak_mb']:,.0f} MB")
    stores = [name for name in ("disk", "memory", "rdflib") if name in result]
    print("peak RSS of the query process: "
          + ", ".join(f"{name} {result[name]['peak_mb']:,.0f} MB" for name in stores))
    header = f"{'query (ms)':12}" + "".join(f"{name + ' p50':>13}{name + ' p95':>13}{name + ' cpu':>13}"
                                            for name in stores[:2])
    if "rdflib" in result:
        header += f"{'rdflib':>12}{'rdflib/disk':>13}{'rdflib/mem':>12}"
    print(header)
    for query in result["disk"]["queries"]:
        line = f"{query:12}"
        for name in stores[:2]:
            timing = result[name]["queries"][query]
            missing = "capped" if timing["capped"] else "-"
            for key in ("p50", "p95", "cpu_p50"):
                line += f"{_ms(timing.get(key)) if timing.get(key) else missing:>13}"
        if "rdflib" in result:
            theirs = result["rdflib"]["queries"][query]
            if theirs["capped"]:
                line += f"{'> ' + format(result['rdflib_cap'], 'g') + ' s':>12}{'-':>13}{'-':>12}"
            else:
                disk = result["disk"]["queries"][query]["p50"]
                memory = result["memory"]["queries"][query]["p50"] if "memory" in result else None
                line += f"{_ms(theirs['p50']):>12}"
                line += f"{theirs['p50'] / disk:>12,.1f}x" if disk else f"{'-':>13}"
                line += f"{theirs['p50'] / memory:>11,.0f}x" if memory else f"{'-':>12}"
        print(line)
    print(f"(median of {result['runs']} runs or as many as fit in 30 s, p95 of the same runs, cpu: median CPU "
          f"time of the query process; rdflib one run, stopped at "
          f"{result.get('rdflib_cap', 0):g} s; load average at the end {result['disk']['load']})")


def measure(real: bytes, copies: int, runs: int, rdflib: bool, rdflib_cap: float, memory: bool,
            folder: Path, disk_cap: float, raw_load: bool = False) -> dict:
    triples = synthetic.split(real).triples(copies)
    needed = triples * BYTES_PER_TRIPLE * 2.5
    free = shutil.disk_usage(folder).free
    if free < needed:
        raise SystemExit(f"not enough disk space in {folder}: {free / 1e9:.1f} GB free, {needed / 1e9:.1f} GB needed")
    path = folder / f"synthetic-{copies}.nt"
    print(f"  writing {triples:,} triples to {path} ...", file=sys.stderr, flush=True)
    synthetic.write_file(real, copies, path, progress=sys.stderr.isatty())
    store_dir = folder / f"store-{copies}"
    result: dict = {"copies": copies, "triples": triples, "runs": runs, "file_mb": path.stat().st_size / 2**20}
    print(f"  loading the on-disk store (load average {load_average()}) ...", file=sys.stderr, flush=True)
    result["disk_load"] = run_child("load", str(path), str(store_dir))
    result["store_mb"] = sum(p.stat().st_size for p in store_dir.rglob("*") if p.is_file()) / 2**20
    if raw_load:
        print(f"  Oxigraph's loader alone (load average {load_average()}) ...", file=sys.stderr, flush=True)
        result["raw_load"] = run_child("raw-load", str(path), str(folder / f"raw-{copies}"))
    print("  querying the on-disk store ...", file=sys.stderr, flush=True)
    result["disk"] = disk_queries(store_dir, runs, cap_s=disk_cap)
    if memory:
        print("  in-memory store ...", file=sys.stderr, flush=True)
        result["memory"] = run_child("memory", str(path), str(runs))
    if rdflib:
        print("  rdflib ...", file=sys.stderr, flush=True)
        result["rdflib_cap"] = rdflib_cap
        result["rdflib"] = run_child("rdflib", str(path), str(rdflib_cap), timeout_s=rdflib_cap * 20 + 1800)
    path.unlink()
    shutil.rmtree(store_dir, ignore_errors=True)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="The on-disk store at scale: load rate, query p95, peak memory.")
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--copies", type=int, help="Copies of the real graph (74: about 1M triples)")
    size.add_argument("--triples", type=int, help="Smallest number of triples to reach (copies are computed)")
    parser.add_argument("--runs", type=int, default=20, help="Runs per query (p50 and p95 of these)")
    parser.add_argument("--no-rdflib", action="store_true", help="Skip rdflib's memory store")
    parser.add_argument("--rdflib-cap", type=float, default=10.0, help="Seconds one rdflib query may take")
    parser.add_argument("--rdflib-max", type=int, default=2_000_000, help="Largest graph rdflib is tried on")
    parser.add_argument("--no-memory", action="store_true", help="Skip the in-memory store")
    parser.add_argument("--disk-cap", type=float, default=120.0, help="Seconds one on-disk query process may run")
    parser.add_argument("--raw-load", action="store_true",
                        help="Also time Oxigraph's bulk loader alone (bulk_load(path=...)) and parsing alone")
    parser.add_argument("--folder", type=Path, default=None, help="Where to write the files (default: a temp folder)")
    parser.add_argument("--json", type=Path, help="Also write the figures to this JSON file")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        kind, *rest = args.child
        if kind == "load":
            figures = child_load(Path(rest[0]), Path(rest[1]))
        elif kind == "raw-load":
            figures = child_raw_load(Path(rest[0]), Path(rest[1]))
        elif kind == "disk-query":
            figures = child_disk_query(Path(rest[0]), rest[1], int(rest[2]))
        elif kind == "memory":
            figures = child_memory(Path(rest[0]), int(rest[1]))
        else:
            figures = child_rdflib(Path(rest[0]), float(rest[1]))
        print(json.dumps(figures))
        return 0

    real = synthetic.real_ntriples()
    split = synthetic.split(real)
    if args.triples:
        copies = max(1, math.ceil((args.triples - split.shared_triples) / split.instance_triples))
    else:
        copies = args.copies or 74
    triples = split.triples(copies)
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, load average {load_average()}; "
          f"{copies} copies = {triples:,} triples; {args.runs} runs per query")
    rdflib = not args.no_rdflib and triples <= args.rdflib_max
    with tempfile.TemporaryDirectory(prefix="pg-scale-", dir=args.folder) as folder:
        result = measure(real, copies, args.runs, rdflib, args.rdflib_cap, not args.no_memory, Path(folder),
                         args.disk_cap, args.raw_load)
    result["load_average_end"] = load_average()
    print_report(result)
    print("\n## goals")
    checks = goals(result)
    for label, passed, detail in checks:
        print(f"{'PASS' if passed else 'FAIL'}  {label} ({detail})")
    result["goals"] = [{"goal": label, "pass": passed, "figure": detail} for label, passed, detail in checks]
    if args.json:
        args.json.write_text(json.dumps(result, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return 0 if all(passed for _, passed, _ in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
