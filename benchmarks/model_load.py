"""What the declared model costs: reading schema.yaml, deriving the record classes, and whether the
query path touches it at all.

Each figure is the median of ``--runs`` fresh processes (``PYTHONPATH=src``)::

    PYTHONPATH=src python3 benchmarks/model_load.py [--runs 5]

Prints, per process: a bare interpreter, importing the model's loader, ``load_model()`` (YAML
parse and checks), ``record_classes()`` (pydantic ``create_model`` for every class), loading the
curated data, building the RDF graph; then the modules ``practice-graph query cq04`` imports from
the model, pydantic, PyYAML and rdflib (the goal: none).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent

PHASES = """
import json, time
marks = [("start", time.perf_counter())]
from practice_graph.model.schema import load_model
marks.append(("import the model's loader", time.perf_counter()))
model = load_model()
marks.append(("load_model(): read and check schema.yaml", time.perf_counter()))
from practice_graph.curation.records import record_classes
marks.append(("import pydantic and the record factory", time.perf_counter()))
record_classes(model)
marks.append(("record_classes(): a pydantic class per model class", time.perf_counter()))
from practice_graph.core.paths import DEFAULT_DATA
from practice_graph.curation.load import load_dataset
dataset = load_dataset(DEFAULT_DATA)
marks.append(("load_dataset(): the curated data", time.perf_counter()))
from practice_graph.rdf.build import build_graph
marks.append(("import rdflib and the builder", time.perf_counter()))
build_graph(dataset)
marks.append(("build_graph(): the RDF graph", time.perf_counter()))
print(json.dumps([(name, round((t - marks[i][1]) * 1000, 1)) for i, (name, t) in enumerate(marks[1:])]))
"""

QUERY_MODULES = """
import runpy, sys
sys.argv = ["practice-graph", "query", "cq04", "--format", "csv"]
try:
    runpy.run_module("practice_graph.cli", run_name="__main__")
except SystemExit:
    pass
print([m for m in sorted(sys.modules) if m.split(".")[0] in {"pydantic", "yaml", "rdflib"}
       or m.startswith("practice_graph.model") or m.startswith("practice_graph.curation")], file=sys.stderr)
"""


def environment() -> dict[str, str]:
    env = os.environ.copy()
    env["PYTHONPATH"] = os.pathsep.join([str(PROJECT / "src"), *filter(None, [env.get("PYTHONPATH")])])
    return env


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    bare, phases = [], []
    for _ in range(args.runs):
        begin = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        bare.append((time.perf_counter() - begin) * 1000)
        done = subprocess.run([sys.executable, "-c", PHASES], cwd=PROJECT, env=environment(),
                              capture_output=True, text=True, check=True)
        phases.append(json.loads(done.stdout))
    print(f"{os.cpu_count()} cores, python {sys.version.split()[0]}, median of {args.runs} processes; "
          f"load average {os.getloadavg()[0]:.1f}")
    print(f"  {statistics.median(bare):8.1f} ms  bare interpreter (python -c pass)")
    for index, (name, _) in enumerate(phases[0]):
        print(f"  {statistics.median(run[index][1] for run in phases):8.1f} ms  {name}")
    if (PROJECT / "dist" / "practice-graph.nt").is_file():
        done = subprocess.run([sys.executable, "-c", QUERY_MODULES], cwd=PROJECT, env=environment(),
                              capture_output=True, text=True, check=True)
        print(f"modules of the model, curation, pydantic, PyYAML, rdflib that `query cq04` imports: "
              f"{done.stderr.strip().splitlines()[-1]}")
    else:
        print("no dist/: run `practice-graph build` first to check the query path")


if __name__ == "__main__":
    main()
