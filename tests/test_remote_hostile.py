"""The remote client against endpoints that misbehave (issue 15, defects 7 and 8).

A small loopback server answers each path in its own bad way: garbage, truncated JSON, a huge
literal, a slow drip, redirects to other schemes. Every case must end in one RemoteError line
(exit 1 in the CLI, no traceback), within the deadline, and a redirect must never be followed to
ftp:// or file:// (the loopback listener named as the target receives nothing).
"""

from __future__ import annotations

import socketserver
import threading
import time
from collections.abc import Iterator

import pytest
from click.testing import CliRunner

from practice_graph.cli import main
from practice_graph.sparql.query import QueryError, run_query
from practice_graph.sparql.remote import RemoteError, push, remote_query

ASK_TRUE = b'{"head":{},"boolean":true}'
RESULTS = b'{"head":{"vars":["n"]},"results":{"bindings":[{"n":{"type":"literal","value":"1"}},{"n":{"type":"lit'


def answer(status: str, media: str, body: bytes, *, length: int | None = None) -> bytes:
    size = len(body) if length is None else length
    return (f"HTTP/1.1 {status}\r\nContent-Type: {media}\r\nContent-Length: {size}\r\nConnection: close\r\n\r\n"
            .encode() + body)


class Hostile(socketserver.ThreadingTCPServer):
    """A loopback server whose paths each misbehave; counts the requests it got."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, listener_port: int) -> None:
        self.listener_port, self.requests = listener_port, []
        super().__init__(("127.0.0.1", 0), HostileHandler)


class HostileHandler(socketserver.StreamRequestHandler):
    server: Hostile

    def handle(self) -> None:
        head = b""
        while not head.endswith(b"\r\n\r\n"):
            byte = self.rfile.read(1)
            if not byte:
                return
            head += byte
        method, target = head.split(b" ", 2)[:2]
        length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                       if line.lower().startswith(b"content-length:")), 0)
        self.rfile.read(length)
        self.server.requests.append((method.decode(), target.decode()))
        path = target.decode().split("?")[0]
        port = self.server.listener_port
        replies = {
            "/ok": answer("200 OK", "application/sparql-results+json", ASK_TRUE),
            "/garbage": answer("200 OK", "application/sparql-results+json", b"<html><body>It works!</body></html>"),
            "/not-http": b"SSH-2.0-OpenSSH_9.2\r\n",
            "/truncated": answer("200 OK", "application/sparql-results+json", RESULTS),
            "/cut": answer("200 OK", "application/sparql-results+json", ASK_TRUE[:10], length=1000),
            "/declared-huge": answer("200 OK", "application/sparql-results+json", b"", length=10**10),
            "/html": answer("200 OK", "text/html", b"<p>hello</p>"),
            "/error": answer("500 Internal Server Error", "text/plain", b"boom\n" * 200_000),
            "/redirect-ftp": answer("302 Found", "text/plain", b"", length=0).replace(
                b"Connection:", f"Location: ftp://127.0.0.1:{port}/x\r\nConnection:".encode()),
            "/redirect-file": answer("307 Temporary Redirect", "text/plain", b"").replace(
                b"Connection:", b"Location: file:///etc/passwd\r\nConnection:"),
            "/redirect-ok": answer("307 Temporary Redirect", "text/plain", b"").replace(
                b"Connection:", b"Location: /ok\r\nConnection:"),
            "/see-other": answer("303 See Other", "text/plain", b"").replace(
                b"Connection:", b"Location: /ok-get\r\nConnection:"),
            "/loop": answer("302 Found", "text/plain", b"").replace(b"Connection:", b"Location: /loop\r\nConnection:"),
            "/construct": answer("200 OK", "application/n-triples",
                                 b'<urn:b> <urn:p> "b" .\n<urn:a> <urn:p> "a" .\n'),
        }
        if path == "/ok-get":
            ok = method == b"GET" and "query=ASK" in target.decode()
            self.wfile.write(answer("200 OK", "application/sparql-results+json", ASK_TRUE) if ok else
                             answer("400 Bad Request", "text/plain", b"expected a GET with the query"))
        elif path == "/huge":  # one literal that never ends, sent as fast as it is read
            self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\n"
                             b"Connection: close\r\n\r\n" + RESULTS[:-5] + b'"literal","value":"')
            try:
                for _ in range(2000):
                    self.wfile.write(b"x" * 65536)
            except OSError:
                return
        elif path in {"/drip", "/drip-head"}:  # a byte at a time, for as long as the client listens
            data = (b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\n\r\n" if path == "/drip"
                    else b"") + ASK_TRUE * 1000
            for index in range(len(data)):
                try:
                    self.wfile.write(data[index:index + 1])
                    self.wfile.flush()
                except OSError:
                    return
                time.sleep(0.05)
        else:
            self.wfile.write(replies[path])


# A drip never completes: any deadline shows that it is kept (the other answers get 1.5 s to arrive).
DRIP_DEADLINE_S = 0.5


@pytest.fixture(scope="module")
def hostile(listener) -> Iterator[str]:
    server = Hostile(listener.port)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize(("path", "message"), [
    ("/garbage", "not SPARQL results JSON: Parser error at line 1 column 1"),
    ("/not-http", "not an HTTP answer"),
    ("/truncated", "not SPARQL results JSON"),
    ("/cut", "the answer was cut off"),
    ("/declared-huge", "the answer is 10,000,000,000 bytes, over the cap of 1,048,576"),
    ("/huge", "the answer passes the cap of 1,048,576 bytes"),
    ("/html", "answered text/html, not SPARQL results or RDF"),
    ("/error", "HTTP 500 Internal Server Error: boom boom"),
    ("/drip", f"no complete answer within {DRIP_DEADLINE_S:g} s"),
    ("/drip-head", f"no complete answer within {DRIP_DEADLINE_S:g} s"),
    ("/redirect-ftp", "refused (only http(s), never from https to http)"),
    ("/redirect-file", "redirected to file:///etc/passwd: refused"),
    ("/loop", "more than 3 redirects"),
])
def test_a_misbehaving_endpoint_is_one_line_within_the_deadline(hostile, listener, path, message) -> None:
    started = time.monotonic()
    with pytest.raises(RemoteError) as raised:
        remote_query(hostile + path, "ASK {}", timeout=DRIP_DEADLINE_S if path.startswith("/drip") else 1.5,
                     max_bytes=1 << 20)
    text = str(raised.value)
    assert message in text and "\n" not in text and len(text) < 500, text
    assert time.monotonic() - started < 10
    assert listener.connections == 0


def test_redirects_within_http_are_followed(hostile) -> None:
    assert bool(remote_query(hostile + "/redirect-ok", "ASK {}")) is True  # 307: the same POST again
    assert bool(remote_query(hostile + "/see-other", "ASK {}")) is True  # 303: the form as a GET


@pytest.mark.parametrize("url", ["http://127.0.0.1:{port}/sp arql", "http://127.0.0.1:{port}/x\r\nX-Injected: 1",
                                 "http://127.0.0.1:{port}/x\n", "ftp://127.0.0.1:{port}/x", "file:///etc/passwd",
                                 "http://127.0.0.1:notaport/x", "http:///x"])
def test_bad_urls_are_refused_before_any_connection(listener, url) -> None:
    url = url.replace("{port}", str(listener.port))
    for call in (lambda: remote_query(url, "ASK {}"), lambda: push(b"", url, progress=False)):
        with pytest.raises(RemoteError, match=r"not a valid URL|not an http") as raised:
            call()
        assert "\n" not in str(raised.value) and "\r" not in str(raised.value)
    assert listener.connections == 0


def test_push_to_a_dripping_store_stops_at_its_deadline(hostile) -> None:
    started = time.monotonic()
    with pytest.raises(RemoteError, match=f"no complete answer within {DRIP_DEADLINE_S:g} s"):
        push(b"<urn:a> <urn:b> <urn:c> .\n", hostile + "/drip-head", progress=False, timeout=DRIP_DEADLINE_S)
    assert time.monotonic() - started < 10


def test_every_query_form_is_read_from_an_endpoint(hostile) -> None:
    assert run_query(hostile + "/ok", "ASK {}") == b"true\n"
    assert run_query(hostile + "/construct", "CONSTRUCT WHERE { ?s ?p ?o }", output="nt") == (
        b'<urn:a> <urn:p> "a" .\n<urn:b> <urn:p> "b" .\n')
    with pytest.raises(QueryError, match="format 'csv' is for SELECT and ASK"):
        run_query(hostile + "/construct", "CONSTRUCT WHERE { ?s ?p ?o }", output="csv")


@pytest.mark.parametrize("path", ["/garbage", "/truncated", "/cut", "/html", "/redirect-ftp", "/error", "/not-http"])
def test_cli_query_against_a_misbehaving_endpoint_is_one_line(hostile, path) -> None:
    result = CliRunner().invoke(main, ["query", "cq01", "--endpoint", hostile + path])
    assert result.exit_code == 1, result.output
    assert result.stdout == "" and result.stderr.startswith("error: ") and len(result.stderr.splitlines()) == 1


def test_cli_query_with_a_url_holding_crlf_is_one_line() -> None:
    result = CliRunner().invoke(main, ["query", "cq01", "--endpoint", "http://127.0.0.1:9/x\r\nHost: evil"])
    assert result.exit_code == 1
    assert result.stderr.startswith("error: not a valid URL") and len(result.stderr.splitlines()) == 1
