"""A synthetic graph shaped like ours (regions in provinces, practices under measures and tasks,
agencies, organisations and mechanisms tied to practices), for viewer tests and benchmarks.

Nothing here is data: labels are generated (``地区17`` / ``Region 17``), never read as facts.
"""

from __future__ import annotations

import random

from rdflib import DCTERMS, RDF, RDFS, Graph, Literal

from practice_graph.core.namespaces import ID, PG, SCHEMA


def synthetic_graph(node_count: int = 3000, seed: int = 1) -> Graph:
    """About ``node_count`` viewer nodes of seven classes, with the relations the viewer draws."""
    rng = random.Random(seed)
    graph = Graph()

    def node(kind: str, index: int, zh: str, en: str) -> object:
        iri = ID[f"synthetic-{kind.lower()}-{index}"]
        graph.add((iri, RDF.type, PG[kind]))
        graph.add((iri, DCTERMS.identifier, Literal(f"synthetic-{kind.lower()}-{index}")))
        graph.add((iri, RDFS.label, Literal(f"{zh}{index}", lang="zh")))
        graph.add((iri, RDFS.label, Literal(f"{en} {index}", lang="en")))
        return iri

    tasks = [node("WorkTask", i, "任务", "Task") for i in range(5)]
    for i, task in enumerate(tasks):
        graph.add((task, PG.number, Literal(i + 1)))
    measures = [node("Measure", i, "举措", "Measure") for i in range(16)]
    for i, measure in enumerate(measures):
        graph.add((measure, PG.task, tasks[i % len(tasks)]))
    share = max(node_count - 21, 0)
    provinces = [node("Region", i, "省", "Province") for i in range(max(share // 60, 2))]
    regions = list(provinces)
    for province in provinces:
        graph.add((province, PG.withinProvince, province))
    for i in range(share // 8):
        region = node("Region", len(provinces) + i, "地区", "Region")
        parent = rng.choice(provinces)
        graph.add((region, SCHEMA.containedInPlace, parent))
        graph.add((region, PG.withinProvince, parent))
        regions.append(region)
    practices = [node("Practice", i, "做法", "Practice") for i in range(share // 6)]
    for practice in practices:
        graph.add((practice, PG.measure, rng.choice(measures)))
        graph.add((practice, PG.leadRegion, rng.choice(regions)))
    mechanisms = [node("Mechanism", i, "机制", "Mechanism") for i in range(share // 20)]
    made = len(tasks) + len(measures) + len(regions) + len(practices) + len(mechanisms)
    kinds = [("Agency", "部门", "Agency"), ("Organization", "机构", "Organization"), ("Indicator", "指标", "Indicator")]
    for i in range(max(node_count - made, 0)):
        kind, zh, en = kinds[i % len(kinds)]
        entity = node(kind, i, zh, en)
        graph.add((entity, PG.region, rng.choice(regions)))
        graph.add((rng.choice(practices), PG.mentions, entity))
    for practice in practices:
        for mechanism in rng.sample(mechanisms, k=min(3, len(mechanisms))):
            graph.add((practice, PG.usesMechanism, mechanism))
    return graph
