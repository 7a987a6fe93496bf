"""The graph's dataset description as schema.org ``Dataset`` JSON-LD, for the HTML outputs.

Search engines and dataset indexes read ``<script type="application/ld+json">`` in a page. The
facts come from the graph's own DCAT/VoID description (written by :mod:`practice_graph.rdf.build`),
found by its type, never by its IRI.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import pyoxigraph as ox

from practice_graph.core.prefixes import NAMESPACES
from practice_graph.views.read import GraphLike, as_source

RDF_TYPE = NAMESPACES["rdf"] + "type"
RDFS_LABEL = NAMESPACES["rdfs"] + "label"
DCAT_DATASET = NAMESPACES["dcat"] + "Dataset"
OWL_VERSION_INFO = NAMESPACES["owl"] + "versionInfo"
VOID_TRIPLES = NAMESPACES["void"] + "triples"
DCTERMS = NAMESPACES["dcterms"]
# A statement of the description: subject, predicate, object (IRI, blank node id or literal text) and
# the object's language tag (None when it has none).
Statement = tuple[str, str, str, str | None]


class _Description:
    """The statements of a dataset description, by subject and predicate."""

    def __init__(self, statements: Iterable[Statement]) -> None:
        self.objects: dict[tuple[str, str], list[tuple[str, str | None]]] = {}
        for subject, predicate, value, language in statements:
            self.objects.setdefault((subject, predicate), []).append((value, language))

    def values(self, node: str, predicate: str) -> list[str]:
        return sorted(value for value, _ in self.objects.get((node, predicate), []))

    def text(self, node: str, predicate: str, language: str | None = None) -> str | None:
        values = sorted(value for value, tag in self.objects.get((node, predicate), [])
                        if language is None or tag == language)
        return values[0] if values else None

    def datasets(self) -> list[str]:
        return sorted(subject for (subject, predicate), objects in self.objects.items()
                      if predicate == RDF_TYPE and any(value == DCAT_DATASET for value, _ in objects))


def schema_org_dataset(graph: GraphLike) -> dict[str, Any] | None:
    """schema.org ``Dataset`` of the graph's ``dcat:Dataset``, or None when the graph has none."""
    description = _Description(description_statements(graph))
    datasets = description.datasets()
    if not datasets:
        return None
    dataset = datasets[0]
    text = description.text
    result: dict[str, Any] = {"@context": "https://schema.org", "@type": "Dataset"}
    name = text(dataset, DCTERMS + "title", "en") or text(dataset, RDFS_LABEL, "en")
    fields = {
        "name": name,
        "alternateName": text(dataset, DCTERMS + "title", "zh"),
        "description": text(dataset, DCTERMS + "description", "en"),
        "version": text(dataset, OWL_VERSION_INFO),
        "datePublished": text(dataset, DCTERMS + "issued"),
        "license": text(dataset, DCTERMS + "license"),
    }
    result.update({key: value for key, value in fields.items() if value})
    languages = description.values(dataset, DCTERMS + "language")
    if languages:
        result["inLanguage"] = languages
    source = text(dataset, DCTERMS + "source")
    if source is not None:
        based_on = {"@type": "CreativeWork", "name": text(source, DCTERMS + "title", "zh")}
        if text(source, DCTERMS + "title", "en"):
            based_on["alternateName"] = text(source, DCTERMS + "title", "en")
        result["isBasedOn"] = based_on
    triples = text(dataset, VOID_TRIPLES)
    if triples is not None:
        result["size"] = f"{int(triples):,} RDF triples"
    result["keywords"] = ["knowledge graph", "RDF", "construction industry workers", "建筑产业工人",
                          "replicable practices", "可复制经验做法"]
    return result


def description_statements(graph: GraphLike) -> list[Statement]:
    """The statements of a graph's dataset description: its ``graph-dataset`` view, read from a
    Source, a pyoxigraph Store or an rdflib Graph (``read.as_source``)."""
    return [(_term_text(triple.subject), triple.predicate.value, _term_text(triple.object),
             getattr(triple.object, "language", None))
            for triple in as_source(graph).triples("graph-dataset")]


def _term_text(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> str:
    """An IRI, a blank node's id or a literal's text (a quoted triple in N-Triples)."""
    return str(term) if isinstance(term, ox.Triple) else term.value


def jsonld_script(graph: GraphLike) -> str:
    """``<script type="application/ld+json">`` with the description ("" when there is none); ``<``, ``>``
    and ``&`` are written as JSON escapes, so no text in it can close the element."""
    description = schema_org_dataset(graph)
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
