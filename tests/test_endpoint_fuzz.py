"""A bounded fuzz run against a live endpoint (issue 15, item 8).

Hypothesis (derandomised: the same cases on every run) mutates real queries, hostile SERVICE
forms and raw HTTP requests, and sends them to an endpoint on a loopback port. The endpoint
must answer every one with a proper status (never 500: that would be a worker the query
crashed), must never reach the loopback listener that every SERVICE form names, and must
answer a health query after every batch. The whole run stops sending after ``BUDGET_S``.
"""

from __future__ import annotations

import json
import socket
import string
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from practice_graph.core.paths import NTRIPLES
from practice_graph.sparql.endpoint import Limits, SparqlServer
from practice_graph.sparql.query import bound_text, named_queries
from tests.servers import Listener, endpoint_in_thread
from tests.test_endpoint import ASK_HENAN
from tests.test_endpoint_service import OTHER_REMOTE_READS, SERVICE_FORMS

BUDGET_S = 45.0
BATCH = 25
LIMITS = Limits(timeout_s=1.0, max_body_bytes=16 * 1024, max_result_bytes=1024 * 1024, memory_bytes=1 << 30,
                request_timeout_s=2.0, max_threads=8, max_pending=8)
ANSWERED = {200, 400, 403, 404, 405, 406, 411, 413, 414, 415, 501, 503, 505, 507}
SEEDS = [bound_text(query, {"node": "henan"} if "node" in query.params else None)
         for query in named_queries()] + SERVICE_FORMS + OTHER_REMOTE_READS + [ASK_HENAN, "DESCRIBE ?x WHERE {?x a ?c}"]
TOKENS = ["SERVICE", "service", "SERVICE SILENT", "ſervice", "\\u0053ERVICE", "\\u0022", "\\U00000053", "\\u005C",
          '"', "'", '"""', "#", "\n", "{", "}", "(", ")", "[", "]", "<", ">", ".", ";", ",", "?x", "$x", "*",
          "FILTER", "OPTIONAL", "UNION", "MINUS", "VALUES ?x { 1 }", "BIND(1 AS ?x)", "GRAPH ?g", "FROM <{url}>",
          "LOAD <{url}>", "INSERT DATA { <a:b> <a:b> 1 }", "DROP ALL", "<{url}x>", "{url}", "\\", "\x00", "\ud7ff",
          "SELECT", "ASK", "CONSTRUCT", "DESCRIBE", "PREFIX p: <{url}>", "BASE <{url}>", "p:x", "^^", "@zh", "1e999"]
STATE = {"deadline": 0.0, "queries": 0, "raw": 0, "skipped": 0, "health": 0}
# A fuzzer: 600 generated requests against a live endpoint, up to BUDGET_S of sending (about 20 s
# on 2 busy cores); CI runs it, `-m "not slow"` skips it.
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(built) -> Iterator[SparqlServer]:
    with endpoint_in_thread(built.files[NTRIPLES], LIMITS, workers=2) as endpoint:
        STATE["deadline"] = time.monotonic() + BUDGET_S
        yield endpoint


@st.composite
def mutated_queries(draw: st.DrawFn) -> str:
    """A real or hostile query with one to four insertions, deletions, duplications or replacements."""
    text = draw(st.sampled_from(SEEDS))
    for _ in range(draw(st.integers(1, 4))):
        position = draw(st.integers(0, len(text)))
        end = draw(st.integers(position, min(len(text), position + 24)))
        operation = draw(st.sampled_from(["insert", "delete", "duplicate", "replace"]))
        token = draw(st.one_of(st.sampled_from(TOKENS), st.text(max_size=6)))
        if operation == "insert":
            text = text[:position] + token + text[position:]
        elif operation == "delete":
            text = text[:position] + text[end:]
        elif operation == "duplicate":
            text = text[:end] + text[position:end] + text[end:]
        else:
            text = text[:position] + token + text[end:]
    return text


def chunked(data: bytes) -> bytes:
    return b"%x\r\n%s\r\n0\r\n\r\n" % (len(data), data)


HEADERS = [("Content-Type", "application/sparql-query"), ("Content-Type", "application/x-www-form-urlencoded"),
           ("Content-Type", "application/sparql-update"), ("Content-Type", "text/plain; charset=latin-1"),
           ("Content-Length", "-1"), ("Content-Length", "0"), ("Content-Length", "5"), ("Content-Length", "abc"),
           ("Content-Length", "99999999999999999999"), ("Content-Length", " 6 "), ("Transfer-Encoding", "chunked"),
           ("Transfer-Encoding", "gzip, chunked"), ("Transfer-Encoding", "identity"), ("Accept", "*/*"),
           ("Accept", "text/csv;q=abc, application/xml"), ("Accept", "image/png"), ("Expect", "100-continue"),
           ("Connection", "keep-alive"), ("Host", ""), ("X-" + "a" * 300, "b")]


@st.composite
def raw_requests(draw: st.DrawFn) -> bytes:
    """A request line, headers and a body, well-formed or not."""
    method = draw(st.one_of(st.sampled_from(["GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS", "PATCH", "GE\x00T"]),
                            st.text(alphabet=string.ascii_letters, min_size=1, max_size=8)))
    path = draw(st.one_of(st.sampled_from([
        "/sparql", "/", "/sparql?query=ASK%7B%7D", "/sparql?query=", "/sparql?update=DROP%20ALL", "//", "*",
        "/../../etc/passwd", "/sparql?query=%ZZ&query=ASK%7B%7D", "/index.html", "/sparql?format=csv&query=ASK%7B%7D",
        "/sparql?query=SELECT%20*%20WHERE%20%7B%3Fs%20%3Fp%20%3Fo%7D&output=xml", "/sparql?default-graph-uri=x&query=1",
    ]), st.text(alphabet=string.printable.strip(), max_size=40).map(lambda text: "/" + text)))
    version = draw(st.sampled_from(["HTTP/1.1", "HTTP/1.0", "HTTP/2.0", "HTTP/1.1 extra", "", "HTTP/x"]))
    headers = draw(st.lists(st.sampled_from(HEADERS), max_size=5))
    body = draw(st.one_of(st.binary(max_size=300), st.sampled_from(
        [chunked(ASK_HENAN.encode()), b"query=ASK%7B%7D", b"0\r\n\r\n", b"ffffffff\r\n", ASK_HENAN.encode()])))
    head = f"{method} {path} {version}".rstrip() + "\r\n" + "".join(f"{name}: {value}\r\n" for name, value in headers)
    return head.encode("latin-1", errors="replace") + b"Connection: close\r\n\r\n" + body


def within_budget() -> bool:
    if time.monotonic() > STATE["deadline"]:
        STATE["skipped"] += 1
        return False
    return True


def healthy(server: SparqlServer) -> bool:
    url = "http://{}:{}/sparql?".format(*server.server_address[:2]) + urllib.parse.urlencode({"query": ASK_HENAN})
    deadline = time.monotonic() + 30  # a worker stopped by the last query may still be restarting
    while True:
        try:
            with urllib.request.urlopen(url, timeout=30) as response:
                return json.loads(response.read())["boolean"] is True
        except urllib.error.HTTPError as error:
            if error.code != 503 or time.monotonic() > deadline:
                return False
            time.sleep(0.2)


def after_each(server: SparqlServer, listener: Listener, kind: str) -> None:
    STATE[kind] += 1
    assert listener.connections == 0, "a fuzzed request reached the loopback listener"
    if (STATE["queries"] + STATE["raw"]) % BATCH == 0:
        STATE["health"] += 1
        assert healthy(server), "the endpoint stopped answering"


def send_query(server: SparqlServer, query: str, how: str) -> int:
    url = "http://{}:{}/sparql".format(*server.server_address[:2])
    if how == "get":
        request = urllib.request.Request(url + "?" + urllib.parse.urlencode({"query": query}))
    elif how == "form":
        request = urllib.request.Request(url, urllib.parse.urlencode({"query": query}).encode(),
                                         {"Content-Type": "application/x-www-form-urlencoded"})
    else:
        request = urllib.request.Request(url, query.encode("utf-8", errors="surrogatepass"),
                                         {"Content-Type": "application/sparql-query"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        error.read()
        return error.code


FUZZ = settings(max_examples=300, deadline=None, derandomize=True, database=None, print_blob=True,
                suppress_health_check=list(HealthCheck))


@FUZZ
@given(query=mutated_queries(), how=st.sampled_from(["get", "post", "form"]))
def test_mutated_queries_get_answers_and_reach_nothing(server, listener, query, how) -> None:
    if not within_budget():
        return
    query = query.replace("{url}", f"http://127.0.0.1:{listener.port}/")
    status = send_query(server, query, how)
    assert status in ANSWERED, (status, query)
    after_each(server, listener, "queries")


@FUZZ
@given(data=raw_requests())
def test_raw_requests_get_answers(server, listener, data) -> None:
    if not within_budget():
        return
    with socket.create_connection(server.server_address[:2], timeout=30) as connection:
        try:
            connection.sendall(data)
            connection.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        answer = b""
        try:
            while chunk := connection.recv(65536):
                answer += chunk
        except ConnectionResetError:
            pass
    if answer.startswith(b"HTTP/1.1 100 Continue\r\n\r\n"):
        answer = answer.removeprefix(b"HTTP/1.1 100 Continue\r\n\r\n")
    if answer:  # (a request whose head never ends is closed at the deadline, unanswered)
        assert answer[:9] in {b"HTTP/1.1 ", b"HTTP/1.0 "}, answer[:200]
        assert int(answer[9:12]) in ANSWERED, answer[:200]
    after_each(server, listener, "raw")


def test_after_the_fuzz_run_the_endpoint_answers_and_nothing_was_reached(server, listener) -> None:
    assert healthy(server)
    assert listener.connections == 0
    print(f"fuzz: {STATE['queries']} queries, {STATE['raw']} raw requests, {STATE['health']} health checks, "
          f"{STATE['skipped']} cases past the {BUDGET_S:g} s budget")
    assert STATE["queries"] + STATE["raw"] >= 200
