"""Everything a request can cost is bounded (issue 15, defects 3, 4 and 8): parsing, bodies, time, threads.

A live endpoint on a loopback port with small limits; raw sockets send what ordinary clients
would not (a negative Content-Length, a chunked body, a header a byte at a time).
"""

from __future__ import annotations

import json
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterator

import pytest

from practice_graph.core.paths import NTRIPLES
from practice_graph.sparql.endpoint import Limits, SparqlServer
from tests.servers import endpoint_in_thread
from tests.test_endpoint import ASK_HENAN, get, post_query, request

# The time limit and the request deadline are as short as the tests that wait for them allow (what they
# check is that each is enforced): a parse of a deep or long query still ends well within 2 s.
LIMITS = Limits(timeout_s=2.0, max_body_bytes=64 * 1024, max_result_bytes=4 * 1024 * 1024,
                request_timeout_s=1.0, max_threads=4, max_pending=2)


@pytest.fixture(scope="module")
def server(built) -> Iterator[SparqlServer]:
    with endpoint_in_thread(built.files[NTRIPLES], LIMITS, workers=2, verbose=True) as endpoint:
        yield endpoint


@pytest.fixture(scope="module")
def endpoint(server) -> str:
    return "http://{}:{}/sparql".format(*server.server_address[:2])


def raw(server: SparqlServer, data: bytes, *, shut_write: bool = False, timeout: float = 20.0) -> tuple[int, bytes]:
    """Send raw bytes; the status and the whole answer (the server closes, or Connection: close)."""
    with socket.create_connection(server.server_address[:2], timeout=timeout) as connection:
        try:
            connection.sendall(data)
            if shut_write:
                connection.shutdown(socket.SHUT_WR)
        except OSError:
            pass  # the server may answer and close before it has read everything
        answer = b""
        while chunk := receive(connection):
            answer += chunk
    status = int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/1.1 ") else 0
    return status, answer


def receive(connection: socket.socket) -> bytes:
    try:
        return connection.recv(65536)
    except ConnectionResetError:
        return b""


def healthy(endpoint: str) -> bool:
    status, _, body = get(endpoint, ASK_HENAN)
    return status == 200 and json.loads(body) == {"head": {}, "boolean": True}


POST_HEAD = (b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/sparql-query\r\n"
             b"Accept: application/sparql-results+json\r\nConnection: close\r\n")


# --------------------------------------------------------------------------- parsing (defect 3)


def test_a_slow_parse_holds_no_lock_an_unrelated_query_is_answered_meanwhile(endpoint) -> None:
    # rdflib needs seconds per kilobyte for a long argument list; "service" in a comment makes
    # the endpoint parse it with rdflib. It must run inside a worker's time limit, not under a
    # lock in the server that every other request waits for.
    hostile = "# service\nSELECT * WHERE { ?s ?p ?o FILTER(?o IN (" + ",".join(["1"] * 3000) + ")) }"
    finished: dict[str, tuple[float, int, bytes]] = {}

    def send_hostile() -> None:
        status, _, body = post_query(endpoint, hostile)
        finished["hostile"] = (time.monotonic(), status, body)

    sender = threading.Thread(target=send_hostile)
    sender.start()
    time.sleep(0.5)  # let the hostile query reach its worker first
    status, _, body = get(endpoint, ASK_HENAN)
    finished["unrelated"] = (time.monotonic(), status, body)
    sender.join(timeout=120)
    assert finished["unrelated"][1] == 200 and json.loads(finished["unrelated"][2])["boolean"] is True
    assert finished["unrelated"][0] < finished["hostile"][0], "the unrelated query waited for the hostile parse"
    assert finished["hostile"][1] == 503 and b"time limit" in finished["hostile"][2]


NESTED = "(" * 40 + "true" + ")" * 40


@pytest.mark.parametrize(("query", "expected"), [
    # rdflib's recursive-descent parser runs out of Python stack: an answer, not a dropped connection
    (f"# service\nASK {{ FILTER({NESTED}) }}", 400),
    ("# service\nSELECT * WHERE { " + " ".join(f"?s{i} ?p{i} ?o{i} ." for i in range(1500)) + " }", 400),
    # the engine's parser takes deep nesting in its worker's large stack
    (f"ASK {{ FILTER({NESTED}) }}", 200),
    ("ASK { " + "{" * 20000 + "}" * 20000 + " }", 200),
], ids=["parens-checked", "patterns-checked", "parens", "braces"])
def test_deep_and_long_queries_get_an_http_answer(endpoint, query, expected) -> None:
    status, _, body = post_query(endpoint, query)
    assert status == expected, body
    if expected == 400:
        assert body == b"malformed query: it nests too deeply to be checked\n"
    assert healthy(endpoint)


# --------------------------------------------------------------------------- bodies (defect 4)


def test_a_negative_content_length_is_refused_not_read_to_the_end(server, endpoint) -> None:
    body = ("#" + "x" * 200_000 + "\n" + ASK_HENAN).encode()  # past the cap, as the report sent it
    status, answer = raw(server, POST_HEAD + b"Content-Length: -1\r\n\r\n" + body, shut_write=True)
    assert status == 400 and answer.endswith(b"bad Content-Length\n")
    status, answer = raw(server, POST_HEAD + b"Content-Length: 1e3\r\n\r\n" + body[:1000])
    assert status == 400
    assert healthy(endpoint)


def test_a_body_without_a_length_is_refused(server) -> None:
    status, answer = raw(server, POST_HEAD + b"\r\n" + ASK_HENAN.encode(), shut_write=True)
    assert status == 411 and b"Content-Length" in answer


def chunked(data: bytes, size: int = 1000) -> bytes:
    parts = [b"%x\r\n%s\r\n" % (len(data[start:start + size]), data[start:start + size])
             for start in range(0, len(data), size)]
    return b"".join(parts) + b"0\r\n\r\n"


def test_a_chunked_body_is_read_and_capped(server) -> None:
    status, answer = raw(server, POST_HEAD + b"Transfer-Encoding: chunked\r\n\r\n" + chunked(ASK_HENAN.encode(), 7))
    assert status == 200 and answer.endswith(b'{"head":{},"boolean":true}')
    oversized = ("#" + "x" * 1_000_000 + "\n" + ASK_HENAN).encode()
    status, answer = raw(server, POST_HEAD + b"Transfer-Encoding: chunked\r\n\r\n" + chunked(oversized, 16384))
    assert status == 413 and b"exceeds 65,536 bytes" in answer
    status, _ = raw(server, POST_HEAD + b"Transfer-Encoding: chunked\r\n\r\nzz\r\nASK {}\r\n0\r\n\r\n")
    assert status == 400
    status, _ = raw(server, POST_HEAD + b"Transfer-Encoding: gzip\r\n\r\n")
    assert status == 501


def test_an_empty_body_is_no_query_not_an_update(endpoint) -> None:
    for content_type in ("application/sparql-query", "application/x-www-form-urlencoded"):
        status, _, body = request(endpoint, b"", {"Content-Type": content_type})
        assert (status, body) == (400, b"no query given\n")
    status, _, body = request(endpoint, b"  \n\t", {"Content-Type": "application/sparql-query"})
    assert (status, body) == (400, b"no query given\n")
    status, _, body = get(endpoint, "")
    assert (status, body) == (400, b"no query given\n")


def test_head_is_answered_without_a_body(server, endpoint) -> None:
    status, answer = raw(server, b"HEAD /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    head, _, rest = answer.partition(b"\r\n\r\n")
    assert status == 200 and b"Content-Type: application/sparql-results+json" in head and rest == b""
    status, answer = raw(server, b"HEAD / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert status == 200 and answer.endswith(b"\r\n\r\n") and b"text/html" in answer


# --------------------------------------------------------------------------- connections (defect 8)


def test_a_slow_client_is_cut_off_at_the_request_deadline(server, endpoint) -> None:
    # One header byte every quarter second: each receive succeeds, the request never ends.
    with socket.create_connection(server.server_address[:2]) as connection:
        connection.sendall(b"POST /sparql HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        connection.settimeout(0.25)
        started, closed = time.monotonic(), False
        while not closed and time.monotonic() - started < 20:
            try:
                connection.sendall(b"x")
                closed = connection.recv(100) == b""
            except TimeoutError:
                continue
            except OSError:
                closed = True
    assert closed, "the server kept a dripping connection open"
    assert healthy(endpoint)


def test_connections_past_the_threads_and_the_queue_get_503_at_once(built) -> None:
    # Its own server, whose idle connections keep their threads for the whole test however slow
    # the machine (with the module's 1 s request deadline they could be let go before the last one).
    limits = Limits(timeout_s=3.0, request_timeout_s=60.0, max_threads=2, max_pending=2)
    with endpoint_in_thread(built.files[NTRIPLES], limits) as busy:
        address = busy.server_address[:2]
        query = POST_HEAD + b"Content-Length: %d\r\n\r\n%s" % (len(ASK_HENAN), ASK_HENAN.encode())

        def settle(condition: Callable[[], bool]) -> None:
            deadline = time.monotonic() + 30
            while not condition() and time.monotonic() < deadline:
                time.sleep(0.02)

        # Idle clients fill the threads first, then the queue (in this order, however slow the machine).
        idle = [socket.create_connection(address) for _ in range(limits.max_threads)]
        settle(lambda: busy.serving == limits.max_threads)
        idle += [socket.create_connection(address) for _ in range(limits.max_pending)]
        settle(lambda: busy.waiting.full())
        try:
            status, answer = raw(busy, query, timeout=30)
            assert status == 503 and answer.endswith(b"the endpoint is busy; try again\n")
        finally:
            for connection in idle:
                connection.close()
        deadline = time.monotonic() + 30
        while (status := raw(busy, query, timeout=30)[0]) != 200 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert status == 200  # the threads are free again once the idle clients leave


def test_an_abandoned_socket_is_one_log_line_not_a_traceback(server, endpoint, capfd) -> None:
    capfd.readouterr()
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"  # stopped at the time limit
    for body in (slow.encode(), b"ASK {}"):
        connection = socket.create_connection(server.server_address[:2])
        length = len(body) + (0 if body == slow.encode() else 100)  # the second one never sends it all
        connection.sendall(POST_HEAD.replace(b"Connection: close\r\n", b"") + b"Content-Length: %d\r\n\r\n" % length
                           + body)
        connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        connection.close()  # reset: the server's answer goes nowhere
    time.sleep(LIMITS.timeout_s + 1)
    assert healthy(endpoint)
    logged = capfd.readouterr().err
    assert "Traceback" not in logged and "BrokenPipeError" not in logged.replace("(BrokenPipeError)", "")
    assert len([line for line in logged.splitlines() if "closed early" in line]) >= 1, logged
