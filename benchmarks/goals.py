"""Every goal of issue 12 with its figure and PASS/FAIL, from the benchmark scripts beside this one.

Runs, each as the user would (whole processes, warm cache, this checkout's sources):

1. ``practice-graph build`` (every output; warm: a first build has kept the JSON-LD, analysis and
   viewer in the cache of renders, and ``build --fresh`` drawing them all is printed beside it) and
   ``practice-graph validate``: median wall time of ``--runs``, with the CPU time of the same runs
   (the work, whatever else the machine runs);
2. the test suite without the tests marked slow (``python3 -m pytest -n auto -q -m "not slow"``; CI runs
   them all) when ``--suite`` is given, else the figure recorded in ``results/suite.json``;
3. the analysis of the real graph (``analysis_timing.py``: N-Triples to the analysis data, every
   analysis file drawn, the whole ``analyze`` process drawing them, then reading them kept) and each
   notebook (nbclient, kernel start included, the built graph and its analysis current in the cache);
4. scale (``scale.py``): about 1M triples measured now (unless ``--recorded``), 10M from
   ``results/scale-10m.json`` (heavy: ``scale.py --triples 10000000 --json ...`` runs it);
5. the viewer to stable (``viewer_load.py``: the real graph, a synthetic 3,000-node graph);
6. progress: ``practice-graph load`` on a pseudo-terminal shows triples/s, ``build``, ``validate``,
   ``analyze`` and ``ingest`` their phases, ``push`` its bytes (to a local Graph Store stand-in); each
   is silent on stderr in a pipe.

The machine is shared: the load average is printed with each figure. Goals whose code has not
merged yet print their figure anyway::

    PYTHONPATH=src python3 benchmarks/goals.py [--runs 3] [--suite] [--recorded]
"""

from __future__ import annotations

import argparse
import contextlib
import http.server
import json
import os
import pty
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent
RESULTS = HERE / "results"
ENV = {**os.environ, "PYTHONPATH": str(PROJECT / "src") + os.pathsep + os.environ.get("PYTHONPATH", "")}
CLI = [sys.executable, "-m", "practice_graph.cli"]
Line = tuple[str, str, bool | None]  # goal, figure, passed (None: no verdict)


def load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def timed_runs(command: list[str], runs: int, cwd: Path = PROJECT) -> tuple[float, float]:
    """Median wall seconds and median CPU seconds (user + system of the child) of ``runs`` runs."""
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        subprocess.run(command, cwd=cwd, env=ENV, check=True, capture_output=True)
        walls.append(time.perf_counter() - started)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(walls), statistics.median(cpus)


def script(name: str, *args: str, timeout_s: float = 3600) -> str:
    done = subprocess.run([sys.executable, str(HERE / name), *args], cwd=PROJECT, env=ENV, capture_output=True,
                          text=True, timeout=timeout_s, check=False)
    return done.stdout + done.stderr


def build_goals(runs: int) -> list[Line]:
    """``build`` warm (the graph's JSON-LD, analysis and viewer kept in the cache of renders by a first
    build) and, for comparison, ``build --fresh`` (every output drawn again); ``validate``."""
    with tempfile.TemporaryDirectory() as folder:
        fresh_wall, fresh_cpu = timed_runs([*CLI, "build", "--fresh", "--out", folder], 1)
        build_wall, build_cpu = timed_runs([*CLI, "build", "--out", folder], runs)
    validate_wall, validate_cpu = timed_runs([*CLI, "validate"], runs)
    where = f"median of {runs}, load average {load_average()}"
    return [
        ("1. build <= 3 s, every output, whole process, warm cache",
         f"{build_wall:.2f} s wall, {build_cpu:.2f} s CPU ({where})", build_wall <= 3.0),
        ("1. build --fresh (every output drawn again; no goal)",
         f"{fresh_wall:.2f} s wall, {fresh_cpu:.2f} s CPU (one run)", None),
        ("1. validate <= 2 s, whole process", f"{validate_wall:.2f} s wall, {validate_cpu:.2f} s CPU ({where})",
         validate_wall <= 2.0),
    ]


def suite_goal(run: bool) -> list[Line]:
    if run:
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "pytest", "-n", "auto", "-q", "-m", "not slow",
                               "-p", "no:cacheprovider"],
                              cwd=PROJECT, env=ENV, capture_output=True, text=True, check=False)
        seconds = time.perf_counter() - started
        summary = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else "no output"
        figure = f"{seconds:.0f} s ({summary}; load average {load_average()})"
    else:
        recorded = RESULTS / "suite.json"
        if not recorded.is_file():
            return [("2. test suite <= 90 s (-m 'not slow')", "not measured (run with --suite)", None)]
        data = json.loads(recorded.read_text(encoding="utf-8"))
        seconds, figure = data["seconds"], f"{data['seconds']:.0f} s (recorded: {data['note']})"
    return [("2. test suite <= 90 s (-m 'not slow'; CI runs the slow tests too)", figure, seconds <= 90)]


def analysis_goals() -> list[Line]:
    output = script("analysis_timing.py", "--runs", "3", "--process-runs", "3")
    lines: list[Line] = []
    for label, what in (("N-Triples -> practice data", "N-Triples to the analysis data (view queries)"),
                        ("render every analysis file", "every analysis file drawn, charts included (in-process)"),
                        ("practice-graph analyze (process, drawn)", "practice-graph analyze, whole process, drawn"),
                        ("practice-graph analyze (process)",
                         "practice-graph analyze, whole process, the analysis kept in the cache of renders")):
        match = re.search(re.escape(label) + r"\s+([\d.]+) s", output)
        figure = f"{match.group(1)} s (load average {load_average()})" if match else "not measured"
        lines.append((f"3. analysis <= 1 s on the real graph: {what}", figure,
                      float(match.group(1)) <= 1.0 if match else None))
    import nbformat  # only this section needs Jupyter's packages (the test extra)
    from nbclient import NotebookClient

    # The kernels run in notebooks/: this checkout's src by its absolute path, and the built graph and
    # its analysis current in the cache (as after a build), so that no notebook builds or draws them.
    os.environ["PYTHONPATH"] = ENV["PYTHONPATH"]
    with tempfile.TemporaryDirectory() as folder:
        subprocess.run([*CLI, "analyze", "--out", folder], cwd=PROJECT, env=ENV, check=True, capture_output=True)
    for notebook in sorted((PROJECT / "notebooks").glob("*.ipynb")):
        document = nbformat.read(notebook, as_version=4)
        started = time.perf_counter()
        NotebookClient(document, timeout=600, kernel_name="python3",
                       resources={"metadata": {"path": str(notebook.parent)}}).execute()
        seconds = time.perf_counter() - started
        lines.append((f"3. notebook {notebook.name} <= 5 s", f"{seconds:.1f} s (kernel start included)", seconds <= 5))
    return lines


def scale_goals(recorded: bool) -> list[Line]:
    lines: list[Line] = []
    one_million = RESULTS / "scale-1m.json"
    if not recorded:
        with tempfile.TemporaryDirectory() as folder:
            fresh = Path(folder) / "scale-1m.json"
            script("scale.py", "--copies", "74", "--runs", "10", "--json", str(fresh))
            if fresh.is_file():
                one_million = fresh
                lines += _recorded_goals(fresh, "measured now")
    if recorded or not lines:
        lines += _recorded_goals(one_million, "recorded")
    lines += _recorded_goals(RESULTS / "scale-10m.json", "recorded, run once")
    return lines


def _recorded_goals(path: Path, how: str) -> list[Line]:
    if not path.is_file():
        return [(f"4. scale ({path.name})", "not measured (see scale.py)", None)]
    data = json.loads(path.read_text(encoding="utf-8"))
    note = f"{how}; load average at the end {data.get('load_average_end', '?')}"
    return [(f"4. {goal['goal']}", f"{goal['figure']} ({note})", goal["pass"]) for goal in data["goals"]]


def viewer_goals() -> list[Line]:
    output = script("viewer_load.py")
    lines: list[Line] = []
    for label, name, goal in (("real graph", "the real graph", 2.0), ("synthetic", "3,000 nodes", 1.5)):
        row = next((line for line in output.splitlines() if line.startswith(label)), None)
        if row is None:
            lines.append((f"5. viewer to stable, {name} <= {goal:g} s", f"not measured: {output[-200:]!r}", None))
            continue
        stable, cpu = (float(value) for value in row.split()[-3:-1])  # ... stable s, cpu s, redraw ms
        lines.append((f"5. viewer to stable, {name} <= {goal:g} s",
                      f"{stable:.2f} s (headless Chromium; main thread CPU {cpu:.2f} s)", stable <= goal))
    return lines


def progress_goals() -> list[Line]:
    """``load`` on a pseudo-terminal and in a pipe, on the real graph's N-Triples; then the phases of
    ``build``, ``validate``, ``analyze`` and ``ingest`` and the bytes of ``push``, on a terminal and in a pipe."""
    from practice_graph.pipeline import built_ntriples  # the runner itself imports no stage

    env = {key: value for key, value in ENV.items() if key != "CI"}
    with tempfile.TemporaryDirectory() as folder:
        graph = Path(folder) / "graph.nt"
        graph.write_bytes(built_ntriples())
        command = [*CLI, "load", "--store", str(Path(folder) / "tty"), str(graph)]
        shown = _on_terminal(command, env)
        piped = subprocess.run([*CLI, "load", "--store", str(Path(folder) / "pipe"), str(graph)], env=env,
                               capture_output=True, text=True, check=True).stderr
        on_terminal = "triples/s" in shown
        lines: list[Line] = [
            ("6. progress: load shows triples/s on a terminal, nothing in a pipe",
             f"terminal: {'bar with triples/s' if on_terminal else 'nothing'}; pipe: {len(piped)} characters on stderr",
             on_terminal and piped == ""),
        ]
        source = next((PROJECT / "data" / "source").glob("*.txt"))
        with _graph_store() as store:
            commands = {
                "build": (["build", "--out", str(Path(folder) / "dist")], "build: 8/8"),
                "validate": (["validate"], "validate: 3/3"),
                "analyze": (["analyze", "--out", str(Path(folder) / "analysis")], "analyze: 3/3"),
                "ingest": (["ingest", str(source), "--out", str(Path(folder) / "drafts")], "ingest: 5/5"),
                "push": (["push", "--endpoint", store], "B/s"),
            }
            for name, (arguments, mark) in commands.items():
                started = time.perf_counter()
                shown = _on_terminal([*CLI, *arguments], env)
                seconds = time.perf_counter() - started
                quiet = subprocess.run([*CLI, *arguments], env=env, capture_output=True, text=True, check=False)
                lines.append((f"6. progress: {name} shows {'its bytes' if name == 'push' else 'its phases'} "
                              "on a terminal, nothing in a pipe",
                              f"terminal ({seconds:.1f} s): {'shown' if mark in shown else 'nothing'}; "
                              f"pipe: {len(quiet.stderr)} characters on stderr (exit {quiet.returncode})",
                              mark in shown and quiet.stderr == "" and quiet.returncode == 0))
    return lines


@contextlib.contextmanager
def _graph_store() -> Iterator[str]:
    """A local stand-in for a Graph Store: accepts any PUT (reading its body) with 204; its URL."""
    class Store(http.server.BaseHTTPRequestHandler):
        def do_PUT(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Store)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/store"
    finally:
        server.shutdown()
        server.server_close()


def _on_terminal(command: list[str], env: dict[str, str]) -> str:
    """Everything a command writes to a pseudo-terminal (its stdout and stderr)."""
    master, child_end = pty.openpty()
    process = subprocess.Popen(command, stdin=child_end, stdout=child_end, stderr=child_end, env=env, cwd=PROJECT)
    os.close(child_end)
    output = bytearray()
    while True:
        try:
            data = os.read(master, 4096)
        except OSError:  # EIO: the command has ended and closed the terminal
            break
        if not data:
            break
        output.extend(data)
    process.wait()
    os.close(master)
    return output.decode("utf-8", "replace")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Every goal of issue 12 with its figure and PASS/FAIL.")
    parser.add_argument("--runs", type=int, default=3, help="Runs of build and validate (median)")
    parser.add_argument("--suite", action="store_true", help="Run the whole test suite (minutes)")
    parser.add_argument("--recorded", action="store_true", help="Take the 1M scale figures from results/")
    parser.add_argument("--only", help="Comma-separated sections: build,suite,analysis,scale,viewer,progress")
    args = parser.parse_args(argv)
    sections = {
        "build": lambda: build_goals(args.runs), "suite": lambda: suite_goal(args.suite),
        "analysis": analysis_goals, "scale": lambda: scale_goals(args.recorded), "viewer": viewer_goals,
        "progress": progress_goals,
    }
    chosen = args.only.split(",") if args.only else list(sections)
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, load average {load_average()}")
    failed = False
    for name in chosen:
        try:
            lines = sections[name]()
        except Exception as error:  # one broken section must not hide the others
            lines = [(f"{name}", f"could not be measured: {type(error).__name__}: {error}", False)]
        for goal, figure, passed in lines:
            verdict = "----" if passed is None else "PASS" if passed else "FAIL"
            failed |= passed is False
            print(f"{verdict}  {goal}: {figure}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
