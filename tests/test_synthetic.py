"""The benchmark's synthetic graph generator: exact sizes and shape (a correctness test, no timing)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from practice_graph.core.paths import NTRIPLES

GENERATOR = Path(__file__).resolve().parent.parent / "benchmarks" / "synthetic.py"
SHARED_CLASSES = """
  <http://www.w3.org/2004/02/skos/core#ConceptScheme> <http://www.w3.org/2004/02/skos/core#Concept>
  <http://www.w3.org/ns/org#Role> <https://w3id.org/practice-graph/ontology#Mechanism>
  <https://w3id.org/practice-graph/ontology#MechanismCategory>
  <https://w3id.org/practice-graph/ontology#SourceDocument> <http://rdfs.org/ns/void#Dataset>
  <http://www.w3.org/ns/dcat#Dataset>
"""
# The shared part: triples about a shared node (taxonomies, mechanisms, dataset, source)
# whose object is a literal, a node outside the id namespace, or another shared node.
SHARED_TRIPLES = f"""
SELECT (COUNT(*) AS ?n) WHERE {{
  ?s ?p ?o .
  FILTER EXISTS {{ VALUES ?class {{ {SHARED_CLASSES} }} ?s a ?class }}
  FILTER(!isIRI(?o) || !STRSTARTS(STR(?o), "https://w3id.org/practice-graph/id/")
         || EXISTS {{ VALUES ?class {{ {SHARED_CLASSES} }} ?o a ?class }})
}}
"""
PG = "https://w3id.org/practice-graph/ontology#"


@pytest.fixture(scope="module")
def synthetic():
    spec = importlib.util.spec_from_file_location("synthetic", GENERATOR)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["synthetic"] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


def _store(ntriples: bytes) -> ox.Store:
    store = ox.Store()
    store.bulk_load(ntriples, format=ox.RdfFormat.N_TRIPLES)
    return store


def _count(store: ox.Store, query: str) -> int:
    return int(next(iter(store.query(query)))[0].value)


def _instances(store: ox.Store, class_iri: str) -> int:
    return _count(store, f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x a <{class_iri}> }}")


def test_one_copy_is_the_real_graph(built, synthetic):
    real = built.files[NTRIPLES]
    assert sorted(synthetic.synthetic_ntriples(real, 1).splitlines()) == sorted(real.splitlines())


def test_two_copies_hold_twice_the_instances_and_the_shared_part_once(built, synthetic):
    real = built.files[NTRIPLES]
    real_store = _store(real)
    total = len(real_store)
    shared = _count(real_store, SHARED_TRIPLES)
    assert 0 < shared < total

    doubled = _store(synthetic.synthetic_ntriples(real, 2))
    assert len(doubled) == 2 * total - shared
    assert synthetic.split(real).triples(2) == 2 * total - shared
    for instance_class in ("Practice", "Region", "Agency", "JointArrangement", "Participation", "Evidence"):
        assert _instances(doubled, PG + instance_class) == 2 * _instances(real_store, PG + instance_class)
    for shared_class in ("http://www.w3.org/2004/02/skos/core#Concept", PG + "Mechanism"):
        assert _instances(doubled, shared_class) == _instances(real_store, shared_class)
