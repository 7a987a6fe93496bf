"""How fast the two whole-graph questions (inventory, cq15) could be on Oxigraph: each beside
trivial queries that do only a part of its work, on one on-disk store.

Each line is a query run ``--runs`` times in this process, every row read as ``scale.py`` reads
it, with the CPU time (min and median: wall time on a shared machine is mostly waiting for a core)
and the rows. A trivial query that already takes about as long as the goal bounds the question:

- inventory: counting the typed entities (no term read), reading their IRIs, their IRIs and Chinese
  labels, and the question without its ORDER BY;
- cq15: its per-practice counts alone (the uses, their quotes and instruments, grouped per
  practice), its counts before labelling, and the question without its ORDER BY.

Make a store with ``synthetic.py`` and ``practice-graph load``::

    PYTHONPATH=src python3 benchmarks/synthetic.py 74 --out /tmp/syn.nt    # 1.17M triples
    practice-graph load --store /tmp/store /tmp/syn.nt
    PYTHONPATH=src python3 benchmarks/query_bounds.py --store /tmp/store [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

from practice_graph.sparql.ondisk import open_read_only
from practice_graph.sparql.query import find_query

PREFIXES = """PREFIX pg: <https://w3id.org/practice-graph/ontology#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""
CLASSES = """VALUES ?class { pg:WorkTask pg:Measure pg:Practice pg:Region pg:Agency pg:Organization
  pg:Platform pg:PolicyDocument pg:Brand pg:Event pg:Indicator pg:Mechanism pg:JointArrangement }"""
PRACTICE_COUNTS = """
SELECT ?practice ?scheme ?instrument (COUNT(DISTINCT ?use) AS ?practiceUses)
       (COUNT(DISTINCT ?evidence) AS ?practiceQuotes) WHERE {
  { SELECT ?practice ?use WHERE { ?practice pg:hasMechanismUse ?use } }
  { SELECT ?use ?evidence WHERE { ?use prov:wasDerivedFrom ?evidence } }
  {
    { SELECT ?use ?subType WHERE { ?use pg:rz ?subType } }
    { SELECT ?subType ?instrument WHERE { ?subType skos:broader ?instrument } }
    BIND("rz-type" AS ?scheme)
  } UNION {
    { SELECT ?use ?instrument WHERE { ?use pg:rz ?instrument } }
    BIND("rz" AS ?scheme)
  } UNION {
    { SELECT ?use ?instrument WHERE { ?use pg:nato ?instrument } }
    BIND("nato" AS ?scheme)
  }
}
GROUP BY ?practice ?scheme ?instrument"""


def unsorted(text: str) -> str:
    """A question's text without its final ORDER BY."""
    head, _, tail = text.rpartition("ORDER BY")
    assert head and "}" not in tail, "the question should end with its ORDER BY"
    return head


def counts_before_labelling(text: str) -> str:
    """cq15's aggregate sub-query (the first ``{ SELECT ... GROUP BY ... }`` of its body), counted."""
    body = text[text.index("WHERE {") + len("WHERE {"):]
    inner = body[:body.index("  # The labels")]
    return text[:text.index("SELECT")] + "SELECT (COUNT(*) AS ?rows) WHERE {" + inner + "}"


def cases() -> list[tuple[str, str]]:
    inventory = find_query("inventory").text
    cq15 = find_query("cq15").text
    return [
        ("inventory: count the typed entities (no term read)",
         PREFIXES + f"SELECT (COUNT(*) AS ?n) WHERE {{ {CLASSES} ?entity a ?class }}"),
        ("inventory: the typed entities' IRIs",
         PREFIXES + f"SELECT ?entity WHERE {{ {CLASSES} ?entity a ?class }}"),
        ("inventory: their IRIs and Chinese labels (one label scan, hashed)",
         PREFIXES + f"""SELECT ?entity ?label WHERE {{ {CLASSES} ?entity a ?class .
           {{ SELECT ?entity ?label WHERE {{ ?entity rdfs:label ?label . FILTER(LANG(?label) = "zh") }} }} }}"""),
        ("inventory without its ORDER BY", unsorted(inventory)),
        ("inventory", inventory),
        ("cq15: its per-practice counts alone", PREFIXES + PRACTICE_COUNTS),
        ("cq15: its counts before labelling (rows counted)", counts_before_labelling(cq15)),
        ("cq15 without its ORDER BY", unsorted(cq15)),
        ("cq15", cq15),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, required=True, help="An on-disk store folder (practice-graph load)")
    parser.add_argument("--runs", type=int, default=5, help="Runs per query")
    args = parser.parse_args()
    store = open_read_only(args.store)
    print(f"{len(store):,} triples in {args.store}; load average {os.getloadavg()[0]:.2f} at the start")
    print(f"{'query':68} {'rows':>7} {'CPU min':>8} {'CPU p50':>8} {'wall p50':>9}  (ms)")
    for name, text in cases():
        cpus, walls, rows = [], [], 0
        for _ in range(args.runs):
            started, cpu = time.perf_counter(), time.process_time()
            rows = sum(1 for _ in store.query(text))
            walls.append(time.perf_counter() - started)
            cpus.append(time.process_time() - cpu)
        print(f"{name:68} {rows:>7,} {min(cpus) * 1000:>8.0f} {statistics.median(cpus) * 1000:>8.0f} "
              f"{statistics.median(walls) * 1000:>9.0f}")
    print(f"load average {os.getloadavg()[0]:.2f} at the end")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
