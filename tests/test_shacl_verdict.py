"""SHACL's kept verdict: a graph found to conform is not checked again while nothing the verdict
depends on changed (the graph's N-Triples, the shapes, the ontology, the engines), and is checked
again as soon as one of them did. A graph that does not conform is never kept."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from rdflib import RDF, Graph, Literal, URIRef

from practice_graph.core.cache import CACHE_ENV
from practice_graph.core.namespaces import PG
from practice_graph.core.renders import cached_render
from practice_graph.pipeline import Built
from practice_graph.rdf import shacl
from practice_graph.rdf.export import canonical_ntriples

from .conftest import ONTOLOGY

# A graph no shape targets: it conforms, and checking it is quick.
PLAIN = Graph()
PLAIN.add((URIRef("urn:example:a"), URIRef("urn:example:says"), Literal("hello")))


@pytest.fixture(autouse=True)
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test keeps its verdicts in a cache of its own."""
    folder = tmp_path / "cache"
    monkeypatch.setenv(CACHE_ENV, str(folder))
    return folder


def ntriples(graph: Graph) -> bytes:
    return canonical_ntriples(graph).encode("utf-8")


def counted(graph: Graph) -> tuple[Callable[[], Graph], list[int]]:
    """A function giving ``graph``, and the list of its calls (one per run of the engines)."""
    calls: list[int] = []

    def give() -> Graph:
        calls.append(1)
        return graph

    return give, calls


def never() -> Graph:
    raise AssertionError("the engines ran although the verdict was kept")


def test_the_real_graph_conforms_and_its_verdict_is_read_back(built: Built) -> None:
    give, calls = counted(built.graph)
    assert shacl.checked_problems(built.files["practice-graph.nt"], give, ONTOLOGY) == []
    assert calls == [1]
    assert shacl.checked_problems(built.files["practice-graph.nt"], never, ONTOLOGY) == []


def test_without_reuse_the_engines_run_again() -> None:
    give, calls = counted(PLAIN)
    shacl.checked_problems(ntriples(PLAIN), give, ONTOLOGY)
    shacl.checked_problems(ntriples(PLAIN), give, ONTOLOGY, reuse=False)
    assert calls == [1, 1]


def test_another_graph_is_checked_again() -> None:
    shacl.checked_problems(ntriples(PLAIN), counted(PLAIN)[0], ONTOLOGY)
    other = Graph() + PLAIN
    other.add((URIRef("urn:example:a"), URIRef("urn:example:says"), Literal("hello again")))
    give, calls = counted(other)
    assert shacl.checked_problems(ntriples(other), give, ONTOLOGY) == []
    assert calls == [1]
    assert shacl.shacl_key(ntriples(other), ONTOLOGY) != shacl.shacl_key(ntriples(PLAIN), ONTOLOGY)


@pytest.mark.parametrize("edited", ["shapes.ttl", "practice-graph.ttl"])
def test_edited_shapes_or_ontology_check_again(edited: str, tmp_path: Path) -> None:
    ontology = tmp_path / "ontology"
    shutil.copytree(ONTOLOGY, ontology)
    shacl.checked_problems(ntriples(PLAIN), counted(PLAIN)[0], ontology)
    with (ontology / edited).open("a", encoding="utf-8") as stream:
        stream.write("\n# edited\n")  # the same triples, other bytes: checked again all the same
    give, calls = counted(PLAIN)
    assert shacl.checked_problems(ntriples(PLAIN), give, ontology) == []
    assert calls == [1]


def test_another_engine_version_checks_again(monkeypatch: pytest.MonkeyPatch) -> None:
    shacl.checked_problems(ntriples(PLAIN), counted(PLAIN)[0], ONTOLOGY)
    before = shacl.shacl_key(ntriples(PLAIN), ONTOLOGY)
    monkeypatch.setattr(shacl, "_engines", lambda: "pyshacl-turbo 99.0\npyshacl 0.40.1\nrdflib 7.6.0")
    assert shacl.shacl_key(ntriples(PLAIN), ONTOLOGY) != before
    give, calls = counted(PLAIN)
    shacl.checked_problems(ntriples(PLAIN), give, ONTOLOGY)
    assert calls == [1]


def test_the_key_names_each_engine_and_rdflib() -> None:
    assert [line.split()[0] for line in shacl._engines().splitlines()] == ["pyshacl-turbo", "pyshacl", "rdflib"]


def test_a_graph_that_does_not_conform_is_checked_and_explained_each_time(built: Built) -> None:
    # one practice without its label, region or anything else its shape requires
    practice = next(built.graph.subjects(RDF.type, PG.Practice))
    broken = Graph()
    broken.add((practice, RDF.type, PG.Practice))
    give, calls = counted(broken)
    first = shacl.checked_problems(ntriples(broken), give, ONTOLOGY)
    assert any(str(practice) in problem and "leadRegion" in problem for problem in first), first
    assert shacl.checked_problems(ntriples(broken), give, ONTOLOGY) == first
    assert calls == [1, 1]
    assert cached_render(shacl.shacl_key(ntriples(broken), ONTOLOGY), shacl.VERDICT) is None
