"""SHACL engines on the same shapes: time, CPU time, SPARQL parses, and agreement on broken graphs.

Configurations (each in a fresh process, ``--runs`` validations of the real graph, median):

- ``pyshacl/before``: pyshacl on the shapes of main at 2c3fe37 (two SPARQL-based constraints,
  ``benchmarks/shapes-before.ttl``): the figure before this change;
- ``pyshacl/core``: pyshacl on ``ontology/shapes.ttl`` (those two rewritten in SHACL Core);
- ``pyshacl-turbo/core`` and ``pyshacl-turbo/before``: pyshacl-turbo (Rust, pySHACL's API);
- ``pyrudof/core``: rudof (Rust), given the graph as N-Triples text (its parse included).

CPU time counts the work whatever else the machine runs; wall time is printed with the load
average beside it. SPARQL parses are counted at rdflib's parser. Then, on one graph with every
rule of the broken-data corpus (``tests/shacl_corpus.py``) broken, each engine's violations
(focus node, path, constraint, value) are compared with pyshacl's on the same shapes, and the
former SPARQL constraints' focus nodes with the Core rewrite's::

    PYTHONPATH=src python3 benchmarks/shacl_engines.py [--runs 5] [--skip-before]
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

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent
BEFORE_SHAPES = HERE / "shapes-before.ttl"
CORE_SHAPES = PROJECT / "ontology" / "shapes.ttl"
CONFIGS = {
    "pyshacl/before": ("pyshacl", BEFORE_SHAPES),
    "pyshacl/core": ("pyshacl", CORE_SHAPES),
    "pyshacl-turbo/before": ("pyshacl-turbo", BEFORE_SHAPES),
    "pyshacl-turbo/core": ("pyshacl-turbo", CORE_SHAPES),
    "pyrudof/core": ("pyrudof", CORE_SHAPES),
}


def load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def data_graph():
    """The real graph plus the ontology, as the build validates it."""
    from practice_graph.pipeline import load_graph
    from practice_graph.rdf.shacl import ontology_graph

    return load_graph() + ontology_graph()


def rudof_violations(graph, shapes_path: Path) -> list[tuple[str, str, str, str]]:
    """rudof's violations as (focus, path, constraint, value), values read back as rdflib terms."""
    import pyrudof
    from rdflib.util import from_n3

    rudof = pyrudof.Rudof(pyrudof.RudofConfig())
    rudof.read_data(graph.serialize(format="nt"), format=pyrudof.RDFFormat.NTriples)
    rudof.read_shacl(str(shapes_path))
    found = []
    for result in rudof.validate_shacl():
        value = result.value
        if value is not None and value.startswith('"'):
            value = str(from_n3(value))
        found.append((result.focus_node, result.path or "", result.constraint_component, value or ""))
    return sorted(found)


def engine_keys(engine: str, graph, shapes_path: Path) -> list[tuple[str, str, str, str]]:
    from rdflib import Graph

    from practice_graph.rdf.shacl import violations

    if engine == "pyrudof":
        return rudof_violations(graph, shapes_path)
    return [violation.key for violation in violations(graph, Graph().parse(shapes_path), engine)]


def child(config: str, runs: int) -> dict:
    """Validate the real graph ``runs`` times with one configuration; figures as a dict."""
    import rdflib.plugins.sparql.processor as processor

    parses = 0
    original = processor.parseQuery

    def counting(*args, **kwargs):
        nonlocal parses
        parses += 1
        return original(*args, **kwargs)

    processor.parseQuery = counting
    engine, shapes_path = CONFIGS[config]
    graph = data_graph()
    walls, cpus, counts = [], [], []
    for _ in range(runs):
        parses = 0
        wall, cpu = time.perf_counter(), time.process_time()
        found = engine_keys(engine, graph, shapes_path)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
        counts.append(parses)
        assert not found, found[:3]
    return {"config": config, "triples": len(graph), "wall_s": statistics.median(walls),
            "cpu_s": statistics.median(cpus), "parses": statistics.median(counts), "runs": runs,
            "load": load_average()}


def measure(config: str, runs: int) -> dict:
    command = [sys.executable, str(Path(__file__).resolve()), "--child", config, "--runs", str(runs)]
    done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=3600)
    if done.returncode != 0:
        raise RuntimeError(f"{config} failed:\n{done.stderr}")
    return json.loads(done.stdout)


def agreement() -> list[str]:
    """Each engine against pyshacl on the corpus graph (every rule broken at once)."""
    sys.path.insert(0, str(PROJECT))
    from rdflib import Graph

    from practice_graph.rdf.shacl import violations
    from tests.shacl_corpus import all_broken_graph

    graph, expected = all_broken_graph(data_graph())
    reference = engine_keys("pyshacl", graph, CORE_SHAPES)
    lines = [f"corpus graph: {len(expected)} cases, {len(graph):,} triples; pyshacl/core reports "
             f"{len(reference)} violations on {len({key[0] for key in reference})} focus nodes"]
    for engine in ("pyshacl-turbo", "pyrudof"):
        keys = engine_keys(engine, graph, CORE_SHAPES)
        same = keys == reference
        detail = "" if same else (f" ({len(set(keys) - set(reference))} extra, "
                                  f"{len(set(reference) - set(keys))} missing, {len(keys)} results)")
        lines.append(f"{'SAME' if same else 'DIFFERENT':9} {engine}/core vs pyshacl/core{detail}")
    before = violations(graph, Graph().parse(BEFORE_SHAPES), "pyshacl")
    core = violations(graph, Graph().parse(CORE_SHAPES), "pyshacl")
    pairs_before = {(v.focus, v.message) for v in before}
    pairs_core = {(v.focus, v.message) for v in core}
    lines.append(f"pyshacl/before vs pyshacl/core, (focus, message) pairs: {len(pairs_before)} vs {len(pairs_core)}; "
                 f"only before: {sorted(pairs_before - pairs_core)}; only core: {sorted(pairs_core - pairs_before)}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="SHACL engines on the same shapes and the broken-data corpus.")
    parser.add_argument("--runs", type=int, default=5, help="Validations per configuration (median)")
    parser.add_argument("--skip-before", action="store_true", help="Skip pyshacl on the SPARQL shapes (slow)")
    parser.add_argument("--skip-agreement", action="store_true", help="Skip the corpus comparison")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, args.runs)))
        return 0
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, load average {load_average()}")
    print(f"{'configuration':22}{'wall s':>9}{'cpu s':>9}{'parses':>8}  load at end")
    for config in CONFIGS:
        if args.skip_before and config == "pyshacl/before":
            continue
        runs = 1 if config == "pyshacl/before" else args.runs
        result = measure(config, runs)
        print(f"{config:22}{result['wall_s']:9.2f}{result['cpu_s']:9.2f}{result['parses']:8.0f}  "
              f"{result['load']}  (median of {runs}, {result['triples']:,} triples)", flush=True)
    if not args.skip_agreement:
        for line in agreement():
            print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
