"""The README's counts of the coding (arrangements, roles, mechanisms, uses) are those of the built graph.

The README states them in prose for readers; a person wrote them off the data. This test reads
the figures from the README's paragraph and counts the same things in the session's graph, so a
change of the data that leaves the README behind fails here instead of misleading a reader.
"""

from __future__ import annotations

import re
from collections import Counter

import pyoxigraph as ox
import pytest

from practice_graph.core.paths import NTRIPLES
from practice_graph.pipeline import Built

from .conftest import PROJECT

PREFIXES = """PREFIX pg: <https://w3id.org/practice-graph/ontology#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""


@pytest.fixture(scope="module")
def store(built: Built) -> ox.Store:
    graph = ox.Store()
    graph.bulk_load(built.files[NTRIPLES], format=ox.RdfFormat.N_TRIPLES)
    return graph


@pytest.fixture(scope="module")
def paragraph() -> str:
    text = (PROJECT / "README.md").read_text("utf-8")
    start = text.index("The whole list is coded under")
    return " ".join(text[start:text.index("\n\n", start)].split())


def count(store: ox.Store, where: str) -> int:
    solutions = store.query(PREFIXES + f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}")
    assert isinstance(solutions, ox.QuerySolutions)
    return int(next(iter(solutions))["n"].value)


def tally(store: ox.Store, where: str) -> Counter[str]:
    """Counts by the English label of ?value (``none`` where the node has no ?value)."""
    solutions = store.query(PREFIXES + f"SELECT ?label WHERE {{ {where} }}")
    assert isinstance(solutions, ox.QuerySolutions)
    return Counter(row["label"].value.lower() if row["label"] else "none" for row in solutions)


def figure(paragraph: str, pattern: str) -> int:
    found = re.search(pattern, paragraph)
    assert found, f"the README no longer says {pattern!r}: {paragraph}"
    return int(found.group(1).replace(",", ""))


def test_arrangement_participation_and_mechanism_counts(store: ox.Store, paragraph: str) -> None:
    assert figure(paragraph, r"(\d+) joint arrangements") == count(store, "?a a pg:JointArrangement")
    assert figure(paragraph, r"(\d+) participations") == count(store, "?p a pg:Participation")
    assert figure(paragraph, r"carry (\d+) mechanism uses") == count(store, "?a pg:carries ?use")
    assert figure(paragraph, r"(\d+) mechanisms under") == count(store, "?m a pg:Mechanism")
    assert figure(paragraph, r"under (\d+) categories") == count(store, "?c a pg:MechanismCategory")
    assert figure(paragraph, r"; (\d+) mechanism uses") == count(store, "?u a pg:MechanismUse")


def test_role_counts(store: ox.Store, paragraph: str) -> None:
    roles = tally(store, """?p a pg:Participation .
        OPTIONAL { ?p org:role ?role . ?role rdfs:label ?label FILTER(LANG(?label) = "en") }""")
    stated = {role: figure(paragraph, rf"(\d+) {role}\b") for role in roles if role != "none"}
    stated["none"] = figure(paragraph, r"(\d+) with no role")
    assert stated == dict(roles)


def test_use_counts(store: ox.Store, paragraph: str) -> None:
    uses = tally(store, '?u a pg:MechanismUse ; pg:use ?kind . ?kind rdfs:label ?label FILTER(LANG(?label) = "en")')
    assert {use: figure(paragraph, rf"(\d+) {use}\b") for use in uses} == dict(uses)
    assert sum(uses.values()) == count(store, "?u a pg:MechanismUse")
