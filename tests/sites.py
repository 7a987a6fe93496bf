"""The static site's inputs in the tests: the built graph with a small stand-in analysis, and a hostile graph."""

from __future__ import annotations

from rdflib import RDFS, Graph, Literal
from rdflib.namespace import DCTERMS

from practice_graph.core.namespaces import ID, OA
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


def hostile(graph: Graph) -> Graph:
    """The graph with an entry of every page kind labelled with markup, a hostile quote and id."""
    copy = Graph()
    targets = {ID[name] for name in ("henan", "p-1-2-1", "interdepartmental-coordination-mechanism",
                                     "henan-coordination-mechanism", "henan-hrss", "department-types/housing", "t-1",
                                     "gushi")}
    for triple in graph:
        if triple[0] in targets and triple[1] == RDFS.label:
            continue
        copy.add(triple)
    for node in targets:
        copy.add((node, RDFS.label, Literal(HOSTILE, lang="zh")))
        copy.add((node, RDFS.label, Literal(HOSTILE_EN, lang="en")))
    for selector in graph.subjects(OA.exact, Literal("河南省固始县")):
        copy.set((selector, OA.exact, Literal(HOSTILE)))
    copy.set((ID["anhui"], DCTERMS.identifier, Literal("../../" + HOSTILE)))
    return copy
