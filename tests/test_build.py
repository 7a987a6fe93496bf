"""The built graph: deterministic, round-trips, conforms to SHACL, labelled in two languages."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import RDF, RDFS, Graph, Namespace

from practice_graph.core.paths import CONTEXT, JSONLD, NTRIPLES, TURTLE
from practice_graph.pipeline import Built, build

from .conftest import DATA, ONTOLOGY

PG = Namespace("https://w3id.org/practice-graph/ontology#")
MAIN_CLASSES = [
    "WorkTask", "Measure", "Practice", "Region", "Agency", "Organization", "Platform", "PolicyDocument",
    "Brand", "Event", "Indicator", "Mechanism", "JointArrangement",
]


def test_two_builds_are_byte_identical(built: Built) -> None:
    again = build(DATA, ONTOLOGY, shacl=False)
    assert again.files == built.files


@pytest.mark.slow  # two whole builds drawing every output: about 40 s
def test_builds_in_separate_processes_are_byte_identical(tmp_path: Path) -> None:
    outputs = []
    for seed in ("1", "2"):
        out = tmp_path / f"out{seed}"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run(
            [sys.executable, "-m", "practice_graph.cli", "build", "--fresh", "--out", str(out)],  # both render
            check=True, env=env, capture_output=True,
        )
        outputs.append({path.relative_to(out).as_posix(): path.read_bytes()
                        for path in sorted(out.rglob("*")) if path.is_file()})
    assert outputs[0] == outputs[1]
    assert {TURTLE, NTRIPLES, JSONLD, CONTEXT, "analysis/report.md", "analysis/co_participation.png",
            "practice-graph.html"} <= set(outputs[0])
    assert not [name for name in outputs[0] if name.endswith(".tmp")]


def test_ntriples_are_sorted_lines(built: Built) -> None:
    lines = built.files[NTRIPLES].decode("utf-8").splitlines()
    assert lines == sorted(lines)
    assert "_:" not in built.files[NTRIPLES].decode("utf-8")  # no blank nodes: stable IRIs only


def test_turtle_ntriples_and_jsonld_hold_the_same_graph(built: Built) -> None:
    # Each file read by Oxigraph's parsers (rdflib reads the Turtle back below), not by the code that wrote it.
    from_nt = set(ox.parse(built.files[NTRIPLES], format=ox.RdfFormat.N_TRIPLES))
    from_ttl = set(ox.parse(built.files[TURTLE], format=ox.RdfFormat.TURTLE))
    from_jsonld = set(ox.parse(built.files[JSONLD], format=ox.RdfFormat.JSON_LD))
    assert len(from_nt) == len(built.graph)
    # the graph has no blank node (test_ntriples_are_sorted_lines): isomorphic is equal, triple for triple
    assert from_nt == from_ttl
    assert from_nt == from_jsonld
    # and back: Turtle read by rdflib and re-serialised as N-Triples gives the same sorted lines
    again = sorted(line for line in Graph().parse(data=built.files[TURTLE], format="turtle").serialize(format="nt")
                   .splitlines() if line)
    assert "\n".join(again) + "\n" == built.files[NTRIPLES].decode("utf-8")


def test_graph_conforms_to_shacl(shacl_lines: list[str]) -> None:
    assert shacl_lines == []


def test_shacl_catches_a_practice_without_a_region(built: Built) -> None:
    from practice_graph.rdf.shacl import ontology_graph, shacl_problems

    # A small graph (SHACL's reference engine explains a failing graph, slowly on the whole one):
    # one practice without its region, and the types of the nodes it points to.
    practice = next(built.graph.subjects(RDF.type, PG.Practice))
    broken = Graph()
    for _, predicate, value in built.graph.triples((practice, None, None)):
        if predicate != PG.leadRegion:
            broken.add((practice, predicate, value))
            broken += [(value, RDF.type, kind) for kind in built.graph.objects(value, RDF.type)]
    problems = shacl_problems(broken, ONTOLOGY / "shapes.ttl", ontology=ontology_graph(ONTOLOGY))
    assert any(str(practice) in problem and "leadRegion" in problem for problem in problems), problems


def test_every_entity_has_a_chinese_and_an_english_label(built: Built) -> None:
    for name in MAIN_CLASSES:
        entities = set(built.graph.subjects(RDF.type, PG[name]))
        assert entities, name
        for entity in entities:
            languages = {label.language for label in built.graph.objects(entity, RDFS.label)}
            assert {"zh", "en"} <= languages, entity


def test_every_ontology_term_used_is_declared(built: Built) -> None:
    ontology = Graph().parse(ONTOLOGY / "practice-graph.ttl")
    declared = {str(s) for s in ontology.subjects()}
    used = {str(p) for p in built.graph.predicates()} | {str(o) for o in built.graph.objects(None, RDF.type)}
    missing = sorted(term for term in used if term.startswith(str(PG)) and term not in declared)
    assert missing == []
