"""SHACL on broken graphs: the fast engine and the reference report the same violations, the expected ones.

The corpus (``tests/shacl_corpus.py``) breaks every rule the shapes state, each on nodes of its
own, in one graph; the expectations were written from the shapes, one per edit.
"""

from __future__ import annotations

import pytest
from rdflib import Graph

from practice_graph.pipeline import Built
from practice_graph.rdf import shacl
from practice_graph.rdf.shacl import FAST_ENGINE, REFERENCE_ENGINE, Violation, ontology_graph, shacl_problems, validate

from .conftest import ONTOLOGY
from .shacl_corpus import CASES, COMBINED_OUT, all_broken_graph

SHAPES = ONTOLOGY / "shapes.ttl"
REGION_QUOTE = "a region named in the source needs a quote"
POSITION_ORDER = "a text position ends after it starts"
# The two rules that were SPARQL-based constraints, as the SPARQL they were (focus nodes: ?this).
SPARQL_RULES = {
    REGION_QUOTE: """
        PREFIX pg: <https://w3id.org/practice-graph/ontology#>
        PREFIX prov: <http://www.w3.org/ns/prov#>
        SELECT ?this WHERE {
          ?this a pg:Region ; pg:namedInSource true .
          FILTER NOT EXISTS { ?this prov:wasDerivedFrom ?evidence }
        }""",
    POSITION_ORDER: """
        PREFIX oa: <http://www.w3.org/ns/oa#>
        SELECT ?this WHERE {
          ?this a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end . FILTER (?end <= ?start)
        }""",
}


@pytest.fixture(scope="module")
def corpus(built: Built):
    """The broken graph, what each case expects, what each engine found and the problem lines the build
    prints: ``shacl_problems`` runs the fast engine, then the reference one to explain; each engine's
    violations are recorded as it returns them (each engine runs once on the graph)."""
    graph, expected = all_broken_graph(built.graph + ontology_graph(ONTOLOGY), in_place=True)  # (a new graph)
    found: dict[str, list[Violation]] = {}

    def recorded(graph: Graph, shapes: Graph, engine: str = FAST_ENGINE) -> tuple[bool, list[Violation]]:
        conforms, violations = validate(graph, shapes, engine)
        found[engine] = violations
        return conforms, violations

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(shacl, "validate", recorded)
        problems = shacl_problems(graph, SHAPES)
    assert sorted(found) == sorted([FAST_ENGINE, REFERENCE_ENGINE])
    return graph, expected, found, problems


def test_the_corpus_breaks_each_rule_on_nodes_of_its_own() -> None:
    assert len(CASES) - len(COMBINED_OUT) >= 35


def test_both_engines_report_the_same_violations(corpus) -> None:
    _, _, found, _ = corpus
    fast = [violation.key for violation in found[FAST_ENGINE]]
    reference = [violation.key for violation in found[REFERENCE_ENGINE]]
    assert fast == reference
    # messages the shapes state are passed through unchanged by both
    stated = {REGION_QUOTE, POSITION_ORDER, "a quote is plain text, never markup"}
    assert ({(v.key, v.message) for v in found[FAST_ENGINE] if v.message in stated}
            == {(v.key, v.message) for v in found[REFERENCE_ENGINE] if v.message in stated})


@pytest.mark.parametrize("case", [case.name for case in CASES if case.name not in COMBINED_OUT])
def test_each_case_is_reported_as_expected(corpus, case: str) -> None:
    _, expected, found, _ = corpus
    lines_by_focus: dict[str, list[str]] = {}
    for violation in found[REFERENCE_ENGINE]:
        lines_by_focus.setdefault(violation.focus, []).append(violation.line(SHAPES))
    for focus, fragment in expected[case]:
        lines = lines_by_focus.get(str(focus), [])
        assert any(fragment in line for line in lines), (focus, fragment, lines)


def test_nothing_else_is_reported(corpus) -> None:
    _, expected, found, _ = corpus
    expected_foci = {str(focus) for pairs in expected.values() for focus, _ in pairs}
    assert {violation.focus for violation in found[FAST_ENGINE]} == expected_foci


def test_the_core_rewrites_find_what_the_sparql_constraints_found(corpus) -> None:
    """Same focus nodes as the former SPARQL constraints, run as pyshacl ran them (rdflib's engine).

    A start that is not a number (``position-start-as-text``) is among them: ``sh:lessThan`` fails
    values it cannot compare, and rdflib's ``FILTER (?end <= ?start)`` compared it all the same
    (a SPARQL engine that follows the specification would have skipped it).
    """
    graph, expected, found, _ = corpus
    not_a_number = {str(focus) for focus, _ in expected["position-start-as-text"]}
    for message, query in SPARQL_RULES.items():
        by_sparql = {str(row[0]) for row in graph.query(query)}
        by_core = {violation.focus for violation in found[REFERENCE_ENGINE] if violation.message == message}
        assert by_sparql, message
        assert by_core == by_sparql, message
        if message == POSITION_ORDER:
            assert not_a_number <= by_core


def test_shacl_problems_print_the_reference_engines_lines(corpus) -> None:
    _, _, found, problems = corpus  # (problems: what shacl_problems printed for the graph)
    assert problems == sorted({violation.line(SHAPES) for violation in found[REFERENCE_ENGINE]})
    assert any("Value is not Literal with datatype xsd:string" in line for line in problems)
