"""The read-only SPARQL endpoint over real HTTP: a real client, raw requests, hostile requests."""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator

import pytest

from practice_graph.core.paths import NTRIPLES
from practice_graph.sparql.endpoint import Limits
from practice_graph.sparql.query import bound_text, find_query, open_store, rows, run_select
from tests.servers import endpoint_in_thread, url_of

TIMEOUT_S = 1.0  # the time limit the cross product meets (what is checked is that it is kept)
MAX_BODY = 32 * 1024


@pytest.fixture(scope="module")
def endpoint(built) -> Iterator[str]:
    """A live endpoint on a free loopback port, with a short time limit."""
    limits = Limits(timeout_s=TIMEOUT_S, max_body_bytes=MAX_BODY, max_result_bytes=4 * 1024 * 1024)
    with endpoint_in_thread(built.files[NTRIPLES], limits, workers=2) as server:
        yield url_of(server)


def request(url: str, data: bytes | None = None, headers: dict[str, str] | None = None,
            method: str | None = None) -> tuple[int, dict[str, str], bytes]:
    """Status, headers and body of one raw HTTP request (errors included)."""
    req = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(req, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def get(endpoint: str, query: str, accept: str = "application/sparql-results+json"):
    return request(endpoint + "?" + urllib.parse.urlencode({"query": query}), headers={"Accept": accept})


def post_query(endpoint: str, query: str, accept: str = "application/sparql-results+json"):
    return request(endpoint, query.encode("utf-8"),
                   {"Content-Type": "application/sparql-query", "Accept": accept})


ASK_HENAN = "ASK { <https://w3id.org/practice-graph/id/henan> a <https://w3id.org/practice-graph/ontology#Region> }"


def test_sparqlwrapper_gets_the_same_rows_as_the_embedded_store(endpoint, built) -> None:
    from SPARQLWrapper import JSON, SPARQLWrapper

    named = find_query("cq11")
    client = SPARQLWrapper(endpoint)
    client.setQuery(bound_text(named))
    client.setReturnFormat(JSON)
    result = client.queryAndConvert()
    remote = [(b["body"]["value"], b["role"]["value"]) for b in result["results"]["bindings"]]
    variables, table = rows(run_select(open_store(built.files[NTRIPLES]), named))
    local = [(row[0].replace("pgid:", "https://w3id.org/practice-graph/id/"), row[2]) for row in table]
    assert result["head"]["vars"] == variables == ["body", "bodyLabel", "role"]
    assert remote == local
    # 建立人社部门牵头、住房城乡建设部门负责实施、财政和税务等部门提供政策支持的协同推进机制 (河南, 4-1-1):
    # the 人社部门, level unstated, is a record apart from the provincial 人社厅 of 4-2-2 (codebook BODY-4, LEVEL-4).
    assert ("https://w3id.org/practice-graph/id/henan-hrss-department", "lead") in remote


def test_get_and_post_forms_and_content_negotiation(endpoint) -> None:
    query = find_query("cq01").text
    for accept, media in [
        ("application/sparql-results+json", "application/sparql-results+json"),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        ("text/html;q=0.9, */*;q=0.1", "application/sparql-results+json"),
    ]:
        status, headers, body = get(endpoint, query, accept)
        assert status == 200, body
        assert headers["Content-Type"].startswith(media)
    status, _, body = get(endpoint, query, "text/csv")
    assert body.decode().splitlines() == ["tasks,measures,practices", "5,16,47"]
    status, _, body = post_query(endpoint, query)
    assert status == 200 and json.loads(body)["results"]["bindings"][0]["practices"]["value"] == "47"
    form = urllib.parse.urlencode({"query": query}).encode()
    status, _, body = request(endpoint, form, {"Content-Type": "application/x-www-form-urlencoded",
                                               "Accept": "text/csv"})
    assert status == 200 and body.decode().splitlines()[1] == "5,16,47"
    status, _, body = get(endpoint, ASK_HENAN)
    assert status == 200 and json.loads(body) == {"head": {}, "boolean": True}


def test_construct_and_describe_return_rdf(endpoint) -> None:
    construct = ("CONSTRUCT { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l } WHERE { "
                 "<https://w3id.org/practice-graph/id/henan> <http://www.w3.org/2000/01/rdf-schema#label> ?l "
                 "BIND(<https://w3id.org/practice-graph/id/henan> AS ?s) }")
    for accept, media, needle in [
        ("text/turtle", "text/turtle", "河南省"),
        ("application/n-triples", "application/n-triples", '"河南省"@zh'),
        ("application/ld+json", "application/ld+json", "河南省"),
    ]:
        status, headers, body = post_query(endpoint, construct, accept)
        assert status == 200, body
        assert headers["Content-Type"].startswith(media)
        assert needle in body.decode("utf-8")
    status, headers, body = post_query(endpoint, "DESCRIBE <https://w3id.org/practice-graph/id/henan>", "*/*")
    assert status == 200 and headers["Content-Type"].startswith("text/turtle") and "河南省" in body.decode()
    status, _, _ = post_query(endpoint, construct, "application/sparql-results+json")
    assert status == 406


@pytest.mark.parametrize("how", ["update-body", "update-form", "update-get", "insert-as-query", "drop-as-query"])
def test_updates_are_refused(endpoint, how) -> None:
    update = 'INSERT DATA { <urn:x> <urn:y> "z" }'
    if how == "update-body":
        status, _, body = request(endpoint, update.encode(), {"Content-Type": "application/sparql-update"})
    elif how == "update-form":
        status, _, body = request(endpoint, urllib.parse.urlencode({"update": update}).encode(),
                                  {"Content-Type": "application/x-www-form-urlencoded"})
    elif how == "update-get":
        status, _, body = request(endpoint + "?" + urllib.parse.urlencode({"update": update}))
    elif how == "insert-as-query":
        status, _, body = post_query(endpoint, update)
    else:
        status, _, body = post_query(endpoint, "DROP ALL")
    assert status == 403
    assert b"read-only" in body
    status, _, body = get(endpoint, "ASK { <urn:x> <urn:y> ?z }")
    assert json.loads(body)["boolean"] is False


@pytest.mark.parametrize("query", [
    "SELECT * WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }",
    "select * where { ?a ?b ?c . { SELECT ?s WHERE { service silent <http://127.0.0.1:1/> { ?s ?p ?o } } } }",
    "PREFIX x: <http://127.0.0.1:1/> ASK { OPTIONAL { SERVICE x:sparql { ?s ?p ?o } } }",
])
def test_service_is_refused_before_anything_runs(endpoint, query) -> None:
    started = time.monotonic()
    status, _, body = post_query(endpoint, query)
    assert status == 400
    assert b"SERVICE is refused" in body
    assert time.monotonic() - started < TIMEOUT_S


def test_a_cross_product_is_stopped_at_the_time_limit_and_the_endpoint_recovers(endpoint) -> None:
    started = time.monotonic()
    status, _, body = post_query(endpoint, "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }")
    elapsed = time.monotonic() - started
    assert status == 503
    assert b"time limit" in body
    assert TIMEOUT_S <= elapsed < TIMEOUT_S + 10
    status, _, body = get(endpoint, ASK_HENAN)
    assert status == 200 and json.loads(body)["boolean"] is True


def test_oversized_requests_are_refused(endpoint) -> None:
    padding = "#" + "x" * (MAX_BODY + 10) + "\n"
    status, _, body = post_query(endpoint, padding + ASK_HENAN)
    assert status == 413 and b"exceeds" in body
    status, _, _ = get(endpoint, padding + ASK_HENAN)
    assert status == 414


def test_an_oversized_result_is_refused(built) -> None:
    limits = Limits(timeout_s=10, max_body_bytes=MAX_BODY, max_result_bytes=2048)
    with endpoint_in_thread(built.files[NTRIPLES], limits) as server:
        url = url_of(server)
        status, _, body = post_query(url, "SELECT * WHERE { ?s ?p ?o }")
        assert status == 507 and b"exceeds 2,048 bytes" in body
        status, _, _ = get(url, ASK_HENAN)
        assert status == 200


def test_malformed_query_gets_400_with_the_parser_message(endpoint) -> None:
    status, headers, body = post_query(endpoint, "SELECT ?s WHERE { ?s ?p }")
    assert status == 400
    assert headers["Content-Type"].startswith("text/plain")
    assert body.startswith(b"malformed query:")
    assert b"line:1" in body.replace(b" ", b"").lower() or b"col" in body.lower()


def test_query_page_offers_named_queries_as_text(endpoint) -> None:
    status, headers, body = request(endpoint.removesuffix("/sparql") + "/")
    page = body.decode("utf-8")
    assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    assert "default-src 'none'" in headers["Content-Security-Policy"]
    assert "connect-src 'self'" in headers["Content-Security-Policy"]

    def element(element_id: str) -> str:
        return page.split(f'id="{element_id}">', 1)[1].split("</", 1)[0]

    examples = element("pg-examples")
    assert "<" not in examples and ">" not in examples  # data cannot close the script
    cq04 = next(e for e in json.loads(examples) if e["name"] == "cq04")
    assert "住房城乡建设部门" in cq04["zh"] and cq04["en"].startswith("In which regions do the housing")
    assert "innerHTML" not in element("pg-page")  # the page's own script writes text only
    # outside the scripts and styles, the page names no other host
    markup = re.sub(r"<(script|style)\b.*?</\1>", "", page, flags=re.DOTALL)
    assert "http://" not in markup and "https://" not in markup


def test_unknown_path_and_bad_content_type(endpoint) -> None:
    base = endpoint.removesuffix("/sparql")
    assert request(base + "/store")[0] == 404
    status, _, _ = request(endpoint, b"<x>", {"Content-Type": "application/xml"})
    assert status == 415
    assert request(endpoint, b"", {"Content-Type": "application/x-www-form-urlencoded"})[0] == 400


def test_the_word_service_inside_a_literal_is_only_data(endpoint) -> None:
    status, _, body = post_query(endpoint, 'SELECT ?x WHERE { BIND("SERVICE <http://127.0.0.1:1/>" AS ?x) }')
    assert status == 200
    assert json.loads(body)["results"]["bindings"][0]["x"]["value"].startswith("SERVICE")
