"""The graph's dataset description as schema.org ``Dataset`` JSON-LD, for the HTML outputs.

Search engines and dataset indexes read ``<script type="application/ld+json">`` in a page. The
facts come from the graph's own DCAT/VoID description (written by :mod:`practice_graph.rdf.build`),
found by its type, never by its IRI.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox
from rdflib import RDF, RDFS
from rdflib.namespace import DCAT, DCTERMS, OWL, VOID

from practice_graph.views.read import GraphLike, as_source

if TYPE_CHECKING:
    from rdflib import Graph
    from rdflib.term import Node


def _text(graph: Graph, node: Node, predicate: Node, language: str | None = None) -> str | None:
    values = sorted(str(value) for value in graph.objects(node, predicate)
                    if language is None or getattr(value, "language", None) == language)
    return values[0] if values else None


def schema_org_dataset(graph: Graph) -> dict[str, Any] | None:
    """schema.org ``Dataset`` of the graph's ``dcat:Dataset``, or None when the graph has none."""
    datasets = sorted(graph.subjects(RDF.type, DCAT.Dataset), key=str)
    if not datasets:
        return None
    dataset = datasets[0]
    description: dict[str, Any] = {"@context": "https://schema.org", "@type": "Dataset"}
    name = _text(graph, dataset, DCTERMS.title, "en") or _text(graph, dataset, RDFS.label, "en")
    fields = {
        "name": name,
        "alternateName": _text(graph, dataset, DCTERMS.title, "zh"),
        "description": _text(graph, dataset, DCTERMS.description, "en"),
        "version": _text(graph, dataset, OWL.versionInfo),
        "datePublished": _text(graph, dataset, DCTERMS.issued),
        "license": _text(graph, dataset, DCTERMS.license),
    }
    description.update({key: value for key, value in fields.items() if value})
    languages = sorted(str(value) for value in graph.objects(dataset, DCTERMS.language))
    if languages:
        description["inLanguage"] = languages
    source = graph.value(dataset, DCTERMS.source)
    if source is not None:
        based_on = {"@type": "CreativeWork", "name": _text(graph, source, DCTERMS.title, "zh")}
        if _text(graph, source, DCTERMS.title, "en"):
            based_on["alternateName"] = _text(graph, source, DCTERMS.title, "en")
        description["isBasedOn"] = based_on
    triples = _text(graph, dataset, VOID.triples)
    if triples is not None:
        description["size"] = f"{int(triples):,} RDF triples"
    description["keywords"] = ["knowledge graph", "RDF", "construction industry workers", "建筑产业工人",
                               "replicable practices", "可复制经验做法"]
    return description


def description_graph(graph: GraphLike) -> Graph:
    """The dataset description of a graph (an rdflib Graph, a pyoxigraph Store, or a views Source on a
    store or an endpoint) as a small rdflib Graph."""
    from rdflib import Graph

    if isinstance(graph, Graph):
        return graph
    described = Graph()
    triples = as_source(graph).triples("graph-dataset")
    if triples:
        body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
        described.parse(data=body, format="nt")
    return described


def jsonld_script(graph: GraphLike) -> str:
    """``<script type="application/ld+json">`` with the description ("" when there is none); ``<``, ``>``
    and ``&`` are written as JSON escapes, so no text in it can close the element."""
    description = schema_org_dataset(description_graph(graph))
    if description is None:
        return ""
    text = json.dumps(description, ensure_ascii=False, indent=1, sort_keys=True)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return f'<script type="application/ld+json">\n{text}\n</script>'


def embed_dataset_jsonld(page: str, graph: GraphLike) -> str:
    """``page`` (an HTML document of ours) with the description inserted before its ``</head>``."""
    script = jsonld_script(graph)
    if not script or "</head>" not in page:
        return page
    return page.replace("</head>", script + "\n</head>", 1)
