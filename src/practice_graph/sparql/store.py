"""Stores holding a built graph: pyoxigraph for queries, rdflib where a Graph is needed."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

if TYPE_CHECKING:
    from rdflib import Graph


def oxigraph_store(ntriples: bytes) -> ox.Store:
    """An in-memory pyoxigraph store holding the N-Triples (the fast query path)."""
    store = ox.Store()
    store.bulk_load(ntriples, format=ox.RdfFormat.N_TRIPLES)
    return store


def rdflib_graph(ntriples: bytes) -> Graph:
    """An rdflib Graph holding the N-Triples, with the project's prefixes bound."""
    # start-up time: rdflib takes 0.15 s; the query path needs only pyoxigraph
    from rdflib import Graph

    from practice_graph.core.namespaces import PREFIXES

    graph = Graph()
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    graph.parse(data=ntriples, format="nt")
    return graph


ENTITY_DECLARATION = b"<!ENTITY"  # pyoxigraph's RDF/XML parser (UTF-8 only) expands declared entities
READ_CHUNK = 1 << 20


def declares_xml_entities(source: bytes | Path) -> bool:
    """Whether RDF/XML (bytes, or a file read in chunks) declares an XML entity.

    pyoxigraph expands internal entities without a bound, so 700 bytes of nested declarations
    ("billion laughs") take all memory and time: such input is refused before it is parsed.
    """
    if isinstance(source, bytes):
        return ENTITY_DECLARATION in source
    with open(source, "rb") as stream:
        tail = b""
        while chunk := stream.read(READ_CHUNK):
            if ENTITY_DECLARATION in tail + chunk:
                return True
            tail = chunk[1 - len(ENTITY_DECLARATION):]
    return False
