"""SERVICE can never make the endpoint open a connection: obfuscations, escapes and a net-less worker.

A loopback listener stands in for an internal service; every hostile query below names it, and
the listener must receive nothing, whatever the endpoint answers.
"""

from __future__ import annotations

import os
import urllib.parse

import pytest

from practice_graph.core.paths import NTRIPLES
from practice_graph.sparql.endpoint import (
    Limits,
    Refused,
    WorkerPool,
    check_query,
    normalise_query,
)
from tests.test_endpoint import post_query, request


@pytest.fixture
def endpoint(session_endpoint: str) -> str:
    """The session's endpoint (conftest): none of these queries stops a worker or meets a limit."""
    return session_endpoint


# Each names the listener as {url} (http://127.0.0.1:PORT/) or {port}. All SERVICE forms must be
# refused; the others (FROM, GRAPH, IRI functions, DESCRIBE) may run, but never reach the address.
SERVICE_FORMS = [
    "SELECT * WHERE { SERVICE <{url}x> { ?s ?p ?o } }",
    "select * where { service <{url}x> { ?s ?p ?o } }",
    "SELECT * WHERE { SERVICE SILENT <{url}x> { ?s ?p ?o } }",
    # The reported bypass: \u0022 ends the string for one reader and not for the other.
    'SELECT * WHERE { BIND("A\\u0022 AS ?z) # " AS ?y) SERVICE <{url}x> { ?x ?q ?r } }',
    "SELECT * WHERE { \\u0053ERVICE <{url}x> { ?s ?p ?o } }",
    "SELECT * WHERE { \\U00000053ERVICE <{url}x> { ?s ?p ?o } }",
    "SELECT * WHERE { SERV\\u0049CE <{url}x> { ?s ?p ?o } }",
    "SELECT * WHERE { SERVICE <http://127.0.0.1:{port}/\\u0078> { ?s ?p ?o } }",
    "SELECT * WHERE { SERVICE # a comment\n <{url}x> { ?s ?p ?o } }",
    "SELECT * WHERE { SERVICE\n\t<{url}x>\n{ ?s ?p ?o } }",
    "PREFIX x: <{url}> SELECT * WHERE { SERVICE x:sparql { ?s ?p ?o } }",
    "BASE <{url}> SELECT * WHERE { SERVICE <sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { VALUES ?e { <{url}x> } SERVICE ?e { ?s ?p ?o } }",
    "SELECT * WHERE { BIND(<{url}x> AS ?e) SERVICE ?e { ?s ?p ?o } }",
    "SELECT * WHERE { { SELECT ?s WHERE { SERVICE <{url}x> { ?s ?p ?o } } } }",
    "SELECT * WHERE { ?a ?b ?c OPTIONAL { SERVICE <{url}x> { ?s ?p ?o } } } LIMIT 1",
    "SELECT * WHERE { { ?a ?b ?c } UNION { SERVICE <{url}x> { ?s ?p ?o } } } LIMIT 1",
    "SELECT * WHERE { ?a ?b ?c MINUS { SERVICE <{url}x> { ?a ?b ?c } } } LIMIT 1",
    "SELECT * WHERE { ?a ?b ?c FILTER EXISTS { SERVICE <{url}x> { ?s ?p ?o } } } LIMIT 1",
    "ASK { SERVICE <{url}x> { ?s ?p ?o } }",
    "CONSTRUCT { ?s ?p ?o } WHERE { SERVICE <{url}x> { ?s ?p ?o } }",
    "DESCRIBE ?s WHERE { SERVICE <{url}x> { ?s ?p ?o } }",
    "SELECT * WHERE { GRAPH ?g { SERVICE <{url}x> { ?s ?p ?o } } }",
    "SELECT * WHERE { BIND('''a\\u0027''' AS ?z) SERVICE <{url}x> { ?s ?p ?o } }",
]
REFUSED_ESCAPES = [
    # An escape that makes another escape: the two readers could disagree, so neither runs it.
    'SELECT * WHERE { BIND("A\\u005Cu0022 AS ?z) # " AS ?y) SERVICE <{url}x> { ?x ?q ?r } }',
    "SELECT * WHERE { BIND(\"\\uD800\" AS ?z) }",
    "SELECT * WHERE { BIND(\"\\U00110000\" AS ?z) }",
]
OTHER_REMOTE_READS = [
    "SELECT * FROM <{url}data> WHERE { ?s ?p ?o } LIMIT 1",
    "SELECT * FROM NAMED <{url}data> WHERE { GRAPH ?g { ?s ?p ?o } } LIMIT 1",
    "SELECT * WHERE { GRAPH <{url}data> { ?s ?p ?o } } LIMIT 1",
    'SELECT ?i WHERE { BIND(IRI("{url}x") AS ?i) }',
    'SELECT ?i WHERE { BIND(URI(CONCAT("{url}", "x")) AS ?i) }',
    "DESCRIBE <{url}x>",
    "ASK { <{url}x> ?p ?o }",
]
UPDATES = [
    "LOAD <{url}data>",
    "LOAD SILENT <{url}data> INTO GRAPH <urn:g>",
]


def fill(template: str, port: int) -> str:
    return template.replace("{url}", f"http://127.0.0.1:{port}/").replace("{port}", str(port))


def send_both_ways(endpoint: str, query: str) -> list[tuple[int, bytes]]:
    posted = post_query(endpoint, query)
    got = request(endpoint + "?" + urllib.parse.urlencode({"query": query}),
                  headers={"Accept": "application/sparql-results+json"})
    return [(posted[0], posted[2]), (got[0], got[2])]


@pytest.mark.parametrize("template", SERVICE_FORMS)
def test_every_service_form_is_refused_and_reaches_nothing(endpoint, listener, template) -> None:
    query = fill(template, listener.port)
    for status, body in send_both_ways(endpoint, query):
        assert status == 400, (query, status, body)
        assert b"SERVICE is refused" in body or b"malformed query" in body
        assert str(listener.port).encode() not in body
    assert listener.connections == 0


@pytest.mark.parametrize("template", REFUSED_ESCAPES)
def test_ambiguous_escapes_are_refused(endpoint, listener, template) -> None:
    query = fill(template, listener.port)
    for status, body in send_both_ways(endpoint, query):
        assert status == 400, (query, status, body)
        assert b"malformed query" in body
    assert listener.connections == 0


@pytest.mark.parametrize("template", OTHER_REMOTE_READS + UPDATES)
def test_iris_naming_an_address_are_only_data(endpoint, listener, template) -> None:
    query = fill(template, listener.port)
    for status, body in send_both_ways(endpoint, query):
        assert status in {200, 400, 403, 406}, (query, status, body)
        assert str(listener.port).encode() not in body or status == 200
    assert listener.connections == 0


def test_normalising_processes_escapes_once_for_check_and_run() -> None:
    assert normalise_query('SELECT ("\\u0041" AS ?a) {}') == 'SELECT ("A" AS ?a) {}'
    # The reported bypass becomes a plain string, after which the SERVICE clause is visible.
    hidden = 'SELECT * WHERE { BIND("A\\u0022 AS ?z) # " AS ?y) SERVICE <http://127.0.0.1:1/x> { ?x ?q ?r } }'
    with pytest.raises(Refused, match="malformed query"):  # the comment now runs to the end of the line
        check_query(normalise_query(hidden))
    visible = 'SELECT * WHERE { BIND("A\\u0022 AS ?z) SERVICE <http://127.0.0.1:1/x> { ?x ?q ?r } BIND("b" AS ?y) }'
    with pytest.raises(Refused, match="SERVICE is refused"):
        check_query(normalise_query(visible))
    with pytest.raises(Refused, match="another escape"):
        normalise_query('"\\u005Cu0022"')


def test_a_worker_cannot_open_connections_even_when_the_check_is_bypassed(built, listener) -> None:
    """The last line of defence: the engine itself runs in a network namespace with no interface."""
    pool = WorkerPool(built.files[NTRIPLES], Limits(timeout_s=10), size=1)
    try:
        if pool.not_isolated and os.environ.get("CI") != "true":
            pytest.skip(f"workers cannot be isolated here: {pool.not_isolated}")
        assert pool.not_isolated is None
        query = f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{listener.port}/x> {{ ?s ?p ?o }} }}"
        with pytest.raises(Refused) as refused:
            pool.run(query, "JSON")  # straight to the worker, no check
        assert refused.value.message == "the query failed during evaluation"
        assert listener.connections == 0
    finally:
        pool.close()
