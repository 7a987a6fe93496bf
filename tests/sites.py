"""The static site's inputs in the tests: the built graph with a small stand-in analysis, and a hostile graph."""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import RDFS
from rdflib.namespace import DCTERMS

from practice_graph.core.namespaces import ID, OA
from practice_graph.rdf.export import canonical_ntriples
from practice_graph.views import site
from tests.conftest import ONTOLOGY, SOURCE
from tests.test_visualise import HOSTILE, HOSTILE_EN

NTRIPLES = "practice-graph.nt"
REPORT = b"""# Report

<a id="p-1-2-1"></a>

### 1 \\<b\\>escaped\\</b\\>

See [the practice](#p-1-2-1) and [the table](region_rollup.csv).

![chart](chart.png)
"""
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")
ANALYSIS = {"report.md": REPORT, "region_rollup.csv": b"region,practices\n", "chart.png": PNG}


def site_inputs(ntriples: bytes, viewer: bool = False) -> site.SiteInputs:
    return site.SiteInputs(ntriples=ntriples, ontology=(ONTOLOGY / "practice-graph.ttl").read_bytes(),
                           source_text=SOURCE.read_text(encoding="utf-8"), analysis=ANALYSIS,
                           viewer=(lambda: site.render_viewer(ntriples)) if viewer else None)


def hostile(ntriples: bytes) -> bytes:
    """The graph (N-Triples) with an entry of every page kind labelled with markup, a hostile quote and id,
    as canonical N-Triples (read and written by Oxigraph: no rdflib Graph of the whole graph is made)."""
    label, exact, identifier = (ox.NamedNode(str(term)) for term in (RDFS.label, OA.exact, DCTERMS.identifier))
    targets = {ox.NamedNode(str(ID[name])) for name in (
        "henan", "p-1-2-1", "interdepartmental-coordination-mechanism", "henan-coordination-mechanism", "henan-hrss",
        "department-types/housing", "t-1", "gushi")}
    quote, anhui = ox.Literal("河南省固始县"), ox.NamedNode(str(ID["anhui"]))
    triples = []
    for triple in ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES):
        if triple.subject in targets and triple.predicate == label:
            continue
        if triple.predicate == exact and triple.object == quote:
            triple = ox.Triple(triple.subject, exact, ox.Literal(HOSTILE))
        elif triple.subject == anhui and triple.predicate == identifier:
            triple = ox.Triple(anhui, identifier, ox.Literal("../../" + HOSTILE))
        triples.append(triple)
    for node in targets:
        triples.append(ox.Triple(node, label, ox.Literal(HOSTILE, language="zh")))
        triples.append(ox.Triple(node, label, ox.Literal(HOSTILE_EN, language="en")))
    return canonical_ntriples(triples).encode("utf-8")
