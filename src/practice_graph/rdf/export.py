"""Serialise the graph: Turtle, canonical sorted N-Triples, JSON-LD with a context.

Every output is produced in memory first (writing is :mod:`practice_graph.core.files`) and is
byte-for-byte deterministic: the triples are sorted before they are written, whatever order the
store holds them in. pyoxigraph writes the N-Triples and the Turtle (rdflib's Turtle writer took
seconds); rdflib writes the compacted JSON-LD, whose node list and value lists are then sorted.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from practice_graph.core.namespaces import PREFIXES
from practice_graph.core.paths import CONTEXT, JSONLD, NTRIPLES, TURTLE
from practice_graph.core.prefixes import NAMESPACES

RDF_TYPE = ox.NamedNode(NAMESPACES["rdf"] + "type")
# Escapes that RDF 1.2's canonical N-Triples (pyoxigraph) adds to RDF 1.1's (\t \b \f and \uXXXX
# for other control characters); a backslash always starts one escape, so reading them left to
# right never splits an escaped backslash.
ESCAPE = re.compile(r"\\(u[0-9A-F]{4}|.)")
RDF11_KEPT = frozenset('nr"\\')


def _ox_term(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    raise TypeError(f"not an RDF term: {term!r}")


def ox_triples(graph: Iterable[tuple[Node, Node, Node]]) -> list[ox.Triple]:
    """The triples of ``graph`` (an rdflib Graph, or rdflib triples) as pyoxigraph triples, in no particular order."""
    iris: dict[Node, ox.NamedNode] = {}  # IRIs recur: each converted once (a literal's hash costs more than itself)

    def term(node: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
        if type(node) is URIRef:
            found = iris.get(node)
            if found is None:
                found = iris[node] = ox.NamedNode(node)
            return found
        return _ox_term(node)

    return [ox.Triple(term(s), term(p), term(o)) for s, p, o in graph]  # type: ignore[arg-type]


def _rdf11_escapes(match: re.Match[str]) -> str:
    escape = match.group(1)
    if escape in RDF11_KEPT:
        return match.group(0)
    if escape.startswith("u"):
        return chr(int(escape[1:], 16))
    return {"t": "\t", "b": "\b", "f": "\f"}[escape]


def canonical_ntriples(graph: Graph | Iterable[ox.Triple]) -> str:
    """N-Triples with one triple a line, lines sorted (no blank nodes are used).

    RDF 1.1 canonical form: in literals only ``\\ " \\n \\r`` are escaped, a tab is written as it is.
    """
    triples = ox_triples(graph) if isinstance(graph, Graph) else graph
    text = (ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"").decode("utf-8")
    if "\\" in text:
        text = ESCAPE.sub(_rdf11_escapes, text)
    lines = sorted({line for line in text.split("\n") if line.strip()})
    return "\n".join(lines) + "\n"


def jsonld_context() -> dict[str, object]:
    """The JSON-LD context: the prefixes the graph uses."""
    return {"@context": {prefix: str(namespace) for prefix, namespace in sorted(PREFIXES.items())}}


def turtle(triples: Iterable[ox.Triple]) -> bytes:
    """Turtle with the project's prefixes (sorted), subjects in IRI order, each with its type first.

    A blank line ends each subject's block: pyoxigraph escapes line breaks inside literals, so a
    line ending in `` .`` always ends a statement.
    """
    ordered = sorted(triples, key=lambda t: (str(t.subject), t.predicate != RDF_TYPE, str(t.predicate), str(t.object)))
    prefixes = {prefix: str(namespace) for prefix, namespace in sorted(PREFIXES.items())}
    lines = (ox.serialize(ordered, format=ox.RdfFormat.TURTLE, prefixes=prefixes) or b"").decode("utf-8").split("\n")
    header = sorted(line for line in lines if line.startswith("@prefix "))
    body = [line + "\n" if line.endswith(" .") else line for line in lines[len(header):]]
    return ("\n".join(header) + "\n\n" + "\n".join(body).rstrip("\n") + "\n").encode("utf-8")


def _sorted_values(node: Any) -> Any:
    """A JSON-LD node with every value list sorted (RDF values are a set; ``@list`` keeps its order)."""
    if isinstance(node, dict):
        return {key: (value if key == "@list" else _sorted_values(value)) for key, value in node.items()}
    if isinstance(node, list):
        items = [_sorted_values(item) for item in node]
        return sorted(items, key=lambda item: json.dumps(item, ensure_ascii=False, sort_keys=True))
    return node


def jsonld(graph: Graph) -> str:
    """JSON-LD compacted with :func:`jsonld_context`, nodes by ``@id``, every list of values sorted."""
    context = jsonld_context()["@context"]
    document = json.loads(graph.serialize(format="json-ld", context=context, auto_compact=True))
    document = _sorted_values(document)
    return json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def rdf_files(triples: list[ox.Triple], ntriples: bytes | None = None) -> dict[str, bytes]:
    """The N-Triples (``ntriples`` when already written), Turtle and JSON-LD context of ``triples``."""
    return {
        NTRIPLES: ntriples if ntriples is not None else canonical_ntriples(triples).encode("utf-8"),
        TURTLE: turtle(triples),
        CONTEXT: (json.dumps(jsonld_context(), indent=1, sort_keys=True) + "\n").encode("utf-8"),
    }


def serialise(graph: Graph, with_jsonld: bool = True) -> dict[str, bytes]:
    """All RDF outputs by file name (the JSON-LD, the slowest, only ``with_jsonld``; its context always)."""
    files = rdf_files(ox_triples(graph))
    if with_jsonld:
        files[JSONLD] = jsonld(graph).encode("utf-8")
    return files
