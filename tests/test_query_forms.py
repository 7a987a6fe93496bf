"""Every query form in every format, embedded and through an endpoint, in the API and the CLI (issue 15, defect 9).

Expectations are read off the source: 河南省 is a region of the list ("1. 河南省固始县..."), the
list holds five work tasks, sixteen measures and forty-seven practices.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ElementTree

import pytest
from click.testing import CliRunner

from practice_graph.cli import main
from practice_graph.core.paths import NTRIPLES
from practice_graph.sparql.query import QueryError, open_store, run_query

HENAN = "https://w3id.org/practice-graph/id/henan"
ASK_REGION = f"ASK {{ <{HENAN}> a <https://w3id.org/practice-graph/ontology#Region> }}"
CONSTRUCT_LABEL = ("PREFIX pgid: <https://w3id.org/practice-graph/id/>\n"
                   "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
                   "CONSTRUCT { pgid:henan rdfs:label ?label } WHERE { pgid:henan rdfs:label ?label "
                   'FILTER(LANG(?label) = "zh") }')
DESCRIBE = f"DESCRIBE <{HENAN}>"
CASES = [("cq01", f) for f in ("table", "json", "csv", "tsv", "xml")] + \
        [(ASK_REGION, f) for f in ("table", "json", "csv", "tsv", "xml")] + \
        [(q, f) for q in (CONSTRUCT_LABEL, DESCRIBE) for f in ("turtle", "ntriples", "jsonld")]


@pytest.fixture(scope="module")
def store(built):
    return open_store(built.files[NTRIPLES])


@pytest.fixture
def endpoint(session_endpoint: str) -> str:
    """The session's endpoint (conftest), which these tests only read through."""
    return session_endpoint


def test_select_in_every_format(store) -> None:
    assert run_query(store, "cq01").decode().splitlines()[2].split() == ["5", "16", "47"]
    assert run_query(store, "cq01", output="csv") == b"tasks,measures,practices\r\n5,16,47\r\n"
    assert run_query(store, "cq01", output="tsv").decode().splitlines()[1].split("\t") == ["5", "16", "47"]
    document = run_query(store, "cq01", output="json")
    assert document.endswith(b"}\n")
    assert json.loads(document)["results"]["bindings"][0]["practices"]["value"] == "47"
    xml = ElementTree.fromstring(run_query(store, "cq01", output="xml"))
    assert [e.text for e in xml.iter("{http://www.w3.org/2005/sparql-results#}literal")] == ["5", "16", "47"]


def test_ask_in_every_format(store) -> None:
    assert run_query(store, ASK_REGION) == b"true\n"
    assert run_query(store, ASK_REGION.replace("henan", "nowhere")) == b"false\n"
    assert run_query(store, ASK_REGION, output="json") == b'{"head":{},"boolean":true}\n'
    assert run_query(store, ASK_REGION, output="csv") == b"true\n"
    assert b"<boolean>true</boolean>" in run_query(store, ASK_REGION, output="xml")


def test_construct_and_describe_in_every_graph_format(store) -> None:
    turtle = run_query(store, CONSTRUCT_LABEL).decode()  # Turtle by default, with the query's prefixes
    assert 'pgid:henan rdfs:label "河南省"@zh .' in turtle
    assert run_query(store, CONSTRUCT_LABEL, output="ntriples") == (
        f'<{HENAN}> <http://www.w3.org/2000/01/rdf-schema#label> "河南省"@zh .\n'.encode())
    document = json.loads(run_query(store, CONSTRUCT_LABEL, output="jsonld"))
    assert document[0]["@id"] == HENAN
    described = run_query(store, DESCRIBE, output="nt").decode()
    assert f"<{HENAN}> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> " \
           "<https://w3id.org/practice-graph/ontology#Region> ." in described.splitlines()
    assert described.splitlines() == sorted(described.splitlines())  # one order, whatever the engine's


def test_format_names_ignore_case_and_take_the_usual_aliases(store) -> None:
    assert run_query(store, "cq01", output="JSON") == run_query(store, "cq01", output="json")
    assert run_query(store, "cq01", output="Csv") == run_query(store, "cq01", output="csv")
    for alias, name in (("TTL", "turtle"), ("nt", "ntriples"), ("N-Triples", "ntriples"), ("JSON-LD", "jsonld")):
        assert run_query(store, CONSTRUCT_LABEL, output=alias) == run_query(store, CONSTRUCT_LABEL, output=name)


def test_a_format_the_form_does_not_have_is_a_query_error(store) -> None:
    with pytest.raises(QueryError, match="format 'turtle' is for CONSTRUCT and DESCRIBE; an ASK query gives table"):
        run_query(store, ASK_REGION, output="turtle")
    with pytest.raises(QueryError, match="format 'csv' is for SELECT and ASK"):
        run_query(store, DESCRIBE, output="csv")
    with pytest.raises(QueryError, match="unknown format 'yaml'"):
        run_query(store, "cq01", output="yaml")


@pytest.mark.parametrize(("query", "output"), CASES)
def test_an_endpoint_gives_the_same_bytes_as_the_embedded_store(store, endpoint, query, output) -> None:
    assert run_query(endpoint, query, output=output) == run_query(store, query, output=output)


@pytest.fixture
def seeded(seeded_cache) -> None:
    """The CLI finds the session's build in the tests' cache."""


def cli(*args: str, stdin: str | bytes | None = None):
    return CliRunner().invoke(main, list(args), input=stdin)


def test_cli_runs_every_form_from_standard_input(seeded) -> None:
    result = cli("query", "-", stdin="ASK {?s ?p ?o}")
    assert (result.exit_code, result.stdout) == (0, "true\n"), result.output
    result = cli("query", "-", "--format", "JSON", stdin=ASK_REGION)
    assert (result.exit_code, result.stdout) == (0, '{"head":{},"boolean":true}\n')
    result = cli("query", "-", stdin=CONSTRUCT_LABEL)
    assert result.exit_code == 0 and 'pgid:henan rdfs:label "河南省"@zh .' in result.stdout
    result = cli("query", "-", "--format", "nt", stdin=DESCRIBE)
    assert result.exit_code == 0 and result.stdout.startswith(f"<{HENAN}> ")
    result = cli("query", "cq01", "--format", "Json")
    assert result.exit_code == 0 and result.stdout.endswith("}\n")
    result = cli("query", "cq01", "--format", "xml")
    assert result.exit_code == 0 and ElementTree.fromstring(result.stdout)


def test_cli_refuses_what_it_cannot_run_in_one_line(seeded, tmp_path) -> None:
    result = cli("query", "-", "--format", "json", stdin=DESCRIBE)
    assert result.exit_code == 2 and result.stderr.startswith("error: format 'json' is for SELECT and ASK")
    binary = tmp_path / "binary.rq"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe")
    result = cli("query", str(binary))
    assert result.exit_code == 2 and result.stderr == f"error: {binary}: not a UTF-8 text file (byte 0)\n"
    result = cli("query", "-", stdin=b"ASK {\xff}")
    assert result.exit_code == 2 and result.stderr == "error: standard input: not UTF-8 text (byte 5)\n"
    result = cli("query", "-", stdin="")
    assert result.exit_code == 2 and result.stderr == "error: -: empty query\n"


# ------------------------------------------------------------------------------ parameters as a VALUES block
BOUND = {"x": "<https://example.org/a>"}


@pytest.mark.parametrize("text, opens", [
    ("SELECT ?x WHERE { ?x ?p ?o }", "SELECT ?x WHERE {\n  VALUES (?x) { (<https://example.org/a>) } ?x ?p ?o }"),
    ("ask{ ?x ?p ?o }", "ask{\n  VALUES (?x) { (<https://example.org/a>) } ?x ?p ?o }"),
    # braces in a comment, an IRI and a string, a less-than sign, a prefix and a variable named like forms
    ('PREFIX construct: <https://example.org/{> # a { comment\nSELECT ?x ("{" AS ?b) (?c < ?d AS ?e) ?select\n'
     'WHERE { ?x construct:p """{""" }',
     'PREFIX construct: <https://example.org/{> # a { comment\nSELECT ?x ("{" AS ?b) (?c < ?d AS ?e) ?select\n'
     'WHERE {\n  VALUES (?x) { (<https://example.org/a>) } ?x construct:p """{""" }'),
])
def test_parameters_open_the_where_group(text: str, opens: str) -> None:
    from practice_graph.sparql.query import with_values

    assert with_values(text, BOUND) == opens


@pytest.mark.parametrize("text", ["CONSTRUCT { ?x ?p ?o } WHERE { ?x ?p ?o }", "DESCRIBE ?x"])
def test_other_forms_get_a_trailing_values_clause(text: str) -> None:
    from practice_graph.sparql.query import with_values

    assert with_values(text, BOUND) == f"{text}\nVALUES (?x) {{ (<https://example.org/a>) }}\n"


def test_evidence_bound_first_gives_the_rows_of_a_trailing_values_clause(store) -> None:
    """The same rows whichever way the node is bound, for every node that has evidence."""
    import pyoxigraph as ox

    from practice_graph.sparql.query import find_query, with_values

    text = find_query("evidence").text
    nodes = [row["node"] for row in store.query(
        "SELECT DISTINCT ?node WHERE { ?node <http://www.w3.org/ns/prov#wasDerivedFrom> ?e } ORDER BY ?node LIMIT 40")]
    assert len(nodes) == 40
    for node in nodes:
        bound = {ox.Variable("node"): node}
        trailing = f"{text.rstrip()}\nVALUES (?node) {{ ({node}) }}\n"
        assert [list(row) for row in store.query(with_values(text, bound))] == [
            list(row) for row in store.query(trailing)], node
