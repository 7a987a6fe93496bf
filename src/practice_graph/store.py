"""The built graph, ready to use: from ``dist/`` when it is current, else built in memory.

Analysis, the viewer, the query command and the endpoint all start from the canonical
N-Triples of a build. They read ``OUT/practice-graph.nt`` when it is newer than every file of
the data and the ontology (so a query does not rebuild the graph from YAML every time), and
otherwise build the graph in memory without writing anything.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from practice_graph.pipeline import DEFAULT_DATA, DEFAULT_ONTOLOGY, DEFAULT_OUT, NTRIPLES

if TYPE_CHECKING:
    import pyoxigraph
    from rdflib import Graph


def _newest_mtime(*folders: Path) -> float:
    return max(
        (path.stat().st_mtime for folder in folders for path in folder.rglob("*") if path.is_file()),
        default=0.0,
    )


def built_ntriples(data_dir: Path = DEFAULT_DATA, ontology_dir: Path = DEFAULT_ONTOLOGY,
                   out_dir: Path = DEFAULT_OUT) -> bytes:
    """The graph as canonical N-Triples; raises ``BuildFailed`` when the data is broken."""
    built_file = out_dir / NTRIPLES
    if built_file.is_file() and built_file.stat().st_mtime >= _newest_mtime(data_dir, ontology_dir):
        return built_file.read_bytes()
    from practice_graph.pipeline import build

    return build(data_dir, ontology_dir, shacl=False).files[NTRIPLES]


def oxigraph_store(ntriples: bytes) -> pyoxigraph.Store:
    """An in-memory pyoxigraph store holding the N-Triples (the fast query path)."""
    import pyoxigraph as ox

    store = ox.Store()
    store.bulk_load(ntriples, format=ox.RdfFormat.N_TRIPLES)
    return store


def rdflib_graph(ntriples: bytes) -> Graph:
    """An rdflib Graph holding the N-Triples, with the project's prefixes bound."""
    from rdflib import Graph

    from practice_graph.build import PREFIXES

    graph = Graph()
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    graph.parse(data=ntriples, format="nt")
    return graph


def load_graph(data_dir: Path = DEFAULT_DATA, ontology_dir: Path = DEFAULT_ONTOLOGY,
               out_dir: Path = DEFAULT_OUT) -> Graph:
    """The built graph as an rdflib Graph (see :func:`built_ntriples`)."""
    return rdflib_graph(built_ntriples(data_dir, ontology_dir, out_dir))
