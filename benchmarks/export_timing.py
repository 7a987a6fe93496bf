"""Serialising the real graph: rdflib's writers (before) against pyoxigraph's (``rdf/export.py``, after).

"Before" is what ``rdf/export.py`` did on main at 2c3fe37: rdflib's N-Triples, sorted, re-read into
a new rdflib graph, then rdflib's pretty Turtle and JSON-LD from it. "After" is
``practice_graph.rdf.export.serialise``. Prints the median CPU and wall time of each step over
``--runs``, and checks that the N-Triples are byte-identical and that the Turtle and JSON-LD
hold the same graph::

    PYTHONPATH=src python3 benchmarks/export_timing.py [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time

from rdflib import Graph
from rdflib.compare import isomorphic

from practice_graph.core.namespaces import PREFIXES
from practice_graph.core.paths import JSONLD, NTRIPLES, TURTLE
from practice_graph.pipeline import load_graph
from practice_graph.rdf import export


def before(graph: Graph) -> dict[str, bytes]:
    """The former rdflib path (main at 2c3fe37), step by step."""
    text = graph.serialize(format="nt", encoding="utf-8").decode("utf-8")
    ntriples = "\n".join(sorted({line for line in text.splitlines() if line.strip()})) + "\n"
    stable = Graph()
    for prefix, namespace in PREFIXES.items():
        stable.bind(prefix, namespace, override=True)
    stable.parse(data=ntriples, format="nt")
    turtle = stable.serialize(format="turtle", encoding="utf-8")
    context = export.jsonld_context()["@context"]
    document = json.loads(stable.serialize(format="json-ld", context=context, auto_compact=True))
    document.get("@graph", []).sort(key=lambda node: node.get("@id", ""))
    jsonld = json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    return {NTRIPLES: ntriples.encode("utf-8"), TURTLE: turtle, JSONLD: jsonld.encode("utf-8")}


def after_steps(graph: Graph) -> dict[str, bytes]:
    """The pyoxigraph path, as ``serialise`` runs it."""
    return export.serialise(graph)


def timed(function, graph: Graph, runs: int) -> tuple[float, float, dict[str, bytes]]:
    cpus, walls = [], []
    result: dict[str, bytes] = {}
    for _ in range(runs):
        cpu, wall = time.process_time(), time.perf_counter()
        result = function(graph)
        cpus.append(time.process_time() - cpu)
        walls.append(time.perf_counter() - wall)
    return statistics.median(cpus), statistics.median(walls), result


def step_times(graph: Graph, runs: int) -> list[tuple[str, float]]:
    """CPU time of each step of the pyoxigraph path (median)."""
    steps = []
    triples = export.ox_triples(graph)
    for name, call in (("rdflib terms to pyoxigraph", lambda: export.ox_triples(graph)),
                       ("N-Triples", lambda: export.canonical_ntriples(triples)),
                       ("Turtle", lambda: export.turtle(triples)),
                       ("JSON-LD (rdflib, lists sorted)", lambda: export.jsonld(graph))):
        cpus = []
        for _ in range(runs):
            cpu = time.process_time()
            call()
            cpus.append(time.process_time() - cpu)
        steps.append((name, statistics.median(cpus)))
    return steps


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="rdflib's writers against pyoxigraph's on the real graph.")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    graph = load_graph()
    print(f"{len(graph):,} triples; load average {' '.join(f'{v:.2f}' for v in os.getloadavg())}; "
          f"median of {args.runs} runs")
    old_cpu, old_wall, old = timed(before, graph, args.runs)
    new_cpu, new_wall, new = timed(after_steps, graph, args.runs)
    print(f"before (rdflib writers):    cpu {old_cpu:6.3f} s, wall {old_wall:6.3f} s")
    print(f"after (pyoxigraph writers): cpu {new_cpu:6.3f} s, wall {new_wall:6.3f} s "
          f"({old_cpu / new_cpu:.1f}x less CPU)")
    for name, cpu in step_times(graph, args.runs):
        print(f"    {name:32} cpu {cpu:6.3f} s")
    reference = Graph().parse(data=old[NTRIPLES], format="nt")
    checks = {
        "N-Triples byte-identical": new[NTRIPLES] == old[NTRIPLES],
        "Turtle holds the same graph": isomorphic(reference, Graph().parse(data=new[TURTLE], format="turtle")),
        "JSON-LD holds the same graph": isomorphic(reference, Graph().parse(data=new[JSONLD], format="json-ld")),
    }
    for name, passed in checks.items():
        print(f"{'yes' if passed else 'NO ':4} {name}")
    print(f"Turtle: {len(old[TURTLE]):,} bytes before, {len(new[TURTLE]):,} after")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
