"""Serialise the graph: Turtle, canonical sorted N-Triples, JSON-LD with a context.

Every output is produced in memory first (writing is :mod:`practice_graph.core.files`).
Outputs are byte-for-byte deterministic: N-Triples lines are sorted, and Turtle and JSON-LD are
serialised from a graph re-read from those sorted lines.
"""

from __future__ import annotations

import json

from rdflib import Graph

from practice_graph.core.namespaces import PREFIXES
from practice_graph.core.paths import CONTEXT, JSONLD, NTRIPLES, TURTLE


def canonical_ntriples(graph: Graph) -> str:
    """N-Triples with one triple a line, lines sorted (no blank nodes are used)."""
    text = graph.serialize(format="nt", encoding="utf-8").decode("utf-8")
    lines = sorted({line for line in text.splitlines() if line.strip()})
    return "\n".join(lines) + "\n"


def jsonld_context() -> dict[str, object]:
    """The JSON-LD context: the prefixes the graph uses."""
    return {"@context": {prefix: str(namespace) for prefix, namespace in sorted(PREFIXES.items())}}


def _sorted_graph(ntriples: str) -> Graph:
    graph = Graph()
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True)
    graph.parse(data=ntriples, format="nt")
    return graph


def _jsonld(graph: Graph) -> str:
    context = jsonld_context()["@context"]
    text = graph.serialize(format="json-ld", context=context, auto_compact=True)
    document = json.loads(text)
    nodes = document.get("@graph", [])
    nodes.sort(key=lambda node: node.get("@id", ""))
    return json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def serialise(graph: Graph) -> dict[str, bytes]:
    """All RDF outputs by file name."""
    ntriples = canonical_ntriples(graph)
    stable = _sorted_graph(ntriples)
    turtle = stable.serialize(format="turtle", encoding="utf-8")
    return {
        NTRIPLES: ntriples.encode("utf-8"),
        TURTLE: turtle,
        JSONLD: _jsonld(stable).encode("utf-8"),
        CONTEXT: (json.dumps(jsonld_context(), indent=1, sort_keys=True) + "\n").encode("utf-8"),
    }
