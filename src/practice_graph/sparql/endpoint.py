"""A read-only SPARQL 1.1 Protocol endpoint over the built graph, with an offline query page.

Every query is normalised (codepoint escapes processed, as SPARQL prescribes) and the same text
is checked and run. Updates (and ``LOAD``, ``CLEAR``, ``DROP`` ...) are
refused with 403, a query that uses ``SERVICE`` is refused with 400 (so the endpoint can never be
made to fetch another address), a malformed query gets 400 with the parser's message. Queries
run in worker processes that each hold the graph in a pyoxigraph store; a query past the time
limit has its worker killed (503) and a fresh one takes its place. On Linux each worker moves
into a network namespace of its own with no interface up, so even a query the check missed
cannot open a connection; the server says at start-up when that is not possible. Request bodies, query strings
and results are capped in size.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import functools
import io
import multiprocessing
import os
import queue
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import IO, Any, cast
from urllib.parse import parse_qs, urlsplit

from practice_graph.core.web import content_security_policy, script_json
from practice_graph.sparql.ondisk import open_read_only

SPARQL_PATH = "/sparql"
RESULTS_TYPES = {
    "application/sparql-results+json": "JSON",
    "application/json": "JSON",
    "application/sparql-results+xml": "XML",
    "application/xml": "XML",
    "text/csv": "CSV",
    "text/tab-separated-values": "TSV",
}
GRAPH_TYPES = {
    "text/turtle": "TURTLE",
    "application/n-triples": "N_TRIPLES",
    "text/plain": "N_TRIPLES",
    "application/ld+json": "JSON_LD",
}
FORMAT_MEDIA = {
    "JSON": "application/sparql-results+json",
    "XML": "application/sparql-results+xml",
    "CSV": "text/csv",
    "TSV": "text/tab-separated-values",
    "TURTLE": "text/turtle",
    "N_TRIPLES": "application/n-triples",
    "JSON_LD": "application/ld+json",
}
# rdflib's SPARQL grammar (pyparsing) is not thread-safe: concurrent first parses broke its
# parse actions for good ("Param.postParse2() missing 1 required positional argument") and
# every later request failed. The request threads take turns to parse (it holds the GIL anyway).
PARSE_LOCK = threading.Lock()
QUERY_FORMS = {"SelectQuery", "AskQuery", "ConstructQuery", "DescribeQuery"}
UPDATE_OPERATIONS = {
    "InsertData", "DeleteData", "DeleteWhere", "Modify", "Load", "Clear", "Drop", "Create", "Add", "Move", "Copy",
}


@dataclass(frozen=True)
class Limits:
    """What one request may cost."""

    timeout_s: float = 10.0
    max_body_bytes: int = 64 * 1024
    max_result_bytes: int = 16 * 1024 * 1024


class Refused(Exception):
    """A request the endpoint will not run, with the HTTP status to answer."""

    def __init__(self, status: HTTPStatus, message: str) -> None:
        self.status, self.message = status, message
        super().__init__(message)


# --------------------------------------------------------------------------- checking queries

# SPARQL 1.1 §19.2: \uXXXX and \UXXXXXXXX codepoint escapes are processed over the whole query
# text *before* parsing. rdflib expands them everywhere, Oxigraph only inside strings and IRIs:
# a query checked by one and run by the other could hide a SERVICE clause inside an escaped
# quote. So the endpoint expands them once, itself, and both the check and the engine see the
# same expanded text.
CODEPOINT_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def normalise_query(text: str) -> str:
    """The query text with its codepoint escapes processed, as SPARQL 1.1 §19.2 prescribes.

    Raises :class:`Refused` (400) for an escape that names no character (a surrogate or a value
    past U+10FFFF) and for an escape that produces another escape (``\\u005Cu0022``), which two
    readers could expand differently.
    """

    def expand(match: re.Match[str]) -> str:
        codepoint = int(match.group(1) or match.group(2), 16)
        if codepoint > 0x10FFFF or 0xD800 <= codepoint <= 0xDFFF:
            raise Refused(HTTPStatus.BAD_REQUEST, f"malformed query: {match.group(0)} names no character")
        return chr(codepoint)

    expanded = CODEPOINT_ESCAPE.sub(expand, text)
    if CODEPOINT_ESCAPE.search(expanded):
        raise Refused(HTTPStatus.BAD_REQUEST, "malformed query: a codepoint escape produces another escape")
    return expanded



def _walk(node: Any) -> Iterable[Any]:
    """Every node of an rdflib parse tree (ParseResults, CompValues, lists, dicts)."""
    from pyparsing import ParseResults

    stack = [node]
    seen: set[int] = set()
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        if isinstance(current, dict):
            stack.extend(current.values())
        elif isinstance(current, list | tuple | ParseResults):
            stack.extend(current)


# Parsing a query with rdflib takes about 40 ms, far longer than running it: the answers of
# recent query texts are kept (a refusal raises, so only accepted queries are remembered).
@functools.lru_cache(maxsize=256)
def check_query(text: str) -> str:
    """The query form (SelectQuery, AskQuery, ConstructQuery, DescribeQuery) of a query safe to run.

    Raises :class:`Refused` for an update (403), a ``SERVICE`` clause (400) or a syntax error (400).
    """
    from pyparsing import ParseException
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

    try:
        with PARSE_LOCK:
            parsed = parseQuery(text)
    except ParseException as query_error:
        try:
            with PARSE_LOCK:
                update = parseUpdate(text)
        except ParseException:
            raise Refused(HTTPStatus.BAD_REQUEST, f"malformed query: {query_error}") from None
        names = {getattr(node, "name", None) for node in _walk(update)}
        if names & UPDATE_OPERATIONS or "Update" in names:
            raise Refused(HTTPStatus.FORBIDDEN, "this endpoint is read-only: SPARQL updates are refused") from None
        raise Refused(HTTPStatus.BAD_REQUEST, f"malformed query: {query_error}") from None
    parsed_names = [getattr(node, "name", None) for node in _walk(parsed)]
    if "ServiceGraphPattern" in parsed_names:
        raise Refused(HTTPStatus.BAD_REQUEST, "SERVICE is refused: this endpoint never queries another address")
    form = str(getattr(parsed[1], "name", ""))
    if form not in QUERY_FORMS:
        raise Refused(HTTPStatus.BAD_REQUEST, "malformed query: not a SELECT, ASK, CONSTRUCT or DESCRIBE query")
    return form


def negotiate(accept: str, form: str, requested: str | None = None) -> str:
    """The output format for an Accept header (or an explicit ``format`` parameter)."""
    table = GRAPH_TYPES if form in {"ConstructQuery", "DescribeQuery"} else RESULTS_TYPES
    default = "TURTLE" if table is GRAPH_TYPES else "JSON"
    if requested:
        short = {"json": "JSON", "xml": "XML", "csv": "CSV", "tsv": "TSV", "turtle": "TURTLE", "ttl": "TURTLE",
                 "nt": "N_TRIPLES", "ntriples": "N_TRIPLES", "jsonld": "JSON_LD", "json-ld": "JSON_LD"}
        chosen = short.get(requested.lower()) or table.get(requested.lower())
        if chosen is None or chosen not in table.values():
            raise Refused(HTTPStatus.NOT_ACCEPTABLE, f"format {requested!r} is not offered for this query form")
        return chosen
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate(accept.split(",")):
        media, *params = (piece.strip() for piece in part.split(";"))
        weight = 1.0
        for param in params:
            if param.startswith("q="):
                try:
                    weight = float(param[2:])
                except ValueError:
                    weight = 0.0
        ranked.append((-weight, index, media.lower()))
    for negative_weight, _, media in sorted(ranked):
        if negative_weight == 0:
            continue
        if media in table:
            return table[media]
        if media in {"*/*", "application/*", "text/*", ""}:
            return default
    if not accept.strip():
        return default
    raise Refused(HTTPStatus.NOT_ACCEPTABLE, f"none of the accepted types ({accept}) is offered for this query form")


# --------------------------------------------------------------------------- worker processes


class CappedBuffer(io.RawIOBase):
    """A binary sink that refuses to grow past ``limit`` bytes (stops a serialiser early)."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit, self.size = limit, 0
        self.parts: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self.size += len(data)
        if self.size > self.limit:
            raise Refused(HTTPStatus.INSUFFICIENT_STORAGE, f"the result exceeds {self.limit:,} bytes")
        self.parts.append(bytes(data))
        return len(data)

    def getvalue(self) -> bytes:
        return b"".join(self.parts)


CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000


def isolate_from_network() -> str | None:
    """Move this process into a network namespace of its own, where no interface is up.

    Afterwards no connection can be opened, loopback included: whatever a query asks for, the
    engine cannot reach another address. Returns ``None`` when isolated, else why not.
    """
    import socket
    import sys

    if not sys.platform.startswith("linux"):
        return f"network namespaces need Linux (this is {sys.platform})"
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    reason = "unshare failed"
    for flags in (CLONE_NEWNET, CLONE_NEWUSER | CLONE_NEWNET):
        if libc.unshare(flags) == 0:
            break
        reason = f"unshare: {os.strerror(ctypes.get_errno())}"
    else:
        return reason
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(1)
        if probe.connect_ex(("127.0.0.1", 9)) not in {errno.ENETUNREACH, errno.EADDRNOTAVAIL}:
            return "the new network namespace still reaches loopback"
    return None


def _worker_main(connection: Any, ntriples: bytes | Path, max_result_bytes: int) -> None:
    """Hold the graph in a store and answer (query, format) requests until the pipe closes.

    ``ntriples`` is the graph as N-Triples, loaded into memory, or the folder of an on-disk store.
    """
    import pyoxigraph as ox

    not_isolated = isolate_from_network()
    if isinstance(ntriples, Path):
        store = open_read_only(ntriples)
    else:
        store = ox.Store()
        store.bulk_load(ntriples, format=ox.RdfFormat.N_TRIPLES)
    connection.send(("ready", not_isolated))
    while True:
        try:
            text, output = connection.recv()
        except EOFError:
            return
        try:
            result = store.query(text)
            sink = CappedBuffer(max_result_bytes)
            if isinstance(result, ox.QuerySolutions | ox.QueryBoolean):
                result.serialize(cast(IO[bytes], sink), format=getattr(ox.QueryResultsFormat, output))
            else:
                ox.serialize(result, cast(IO[bytes], sink), format=getattr(ox.RdfFormat, output))
            connection.send(("ok", sink.getvalue()))
        except Refused as refused:
            connection.send(("refused", (int(refused.status), refused.message)))
        except SyntaxError as error:
            connection.send(("refused", (int(HTTPStatus.BAD_REQUEST), f"malformed query: {error}")))
        except (ValueError, OSError, RuntimeError):
            # The engine's own message can name addresses and connection errors: never echo it.
            connection.send(("refused", (int(HTTPStatus.BAD_REQUEST), "the query failed during evaluation")))


class Worker:
    """One worker process holding the graph; killed and replaced when a query runs too long."""

    def __init__(self, ntriples: bytes | Path, limits: Limits) -> None:
        context = multiprocessing.get_context("spawn")
        self.connection, child = context.Pipe()
        self.process = context.Process(
            target=_worker_main, args=(child, ntriples, limits.max_result_bytes), daemon=True
        )
        self.process.start()
        child.close()
        status, self.not_isolated = self.connection.recv()
        assert status == "ready"

    def run(self, text: str, output: str, timeout_s: float) -> tuple[str, Any]:
        """Send one query; ("timeout", None) when it did not answer in time (the worker is then dead)."""
        self.connection.send((text, output))
        if self.connection.poll(timeout_s):
            return self.connection.recv()
        self.stop()
        return "timeout", None

    def alive(self) -> bool:
        return self.process.is_alive()

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)
        self.connection.close()


class WorkerPool:
    """A fixed number of workers handed out one request at a time."""

    def __init__(self, ntriples: bytes | Path, limits: Limits, size: int = 2) -> None:
        self.ntriples, self.limits = ntriples, limits
        self.idle: queue.Queue[Worker] = queue.Queue()
        self.size = size
        workers = [Worker(ntriples, limits) for _ in range(size)]
        #: why the workers can reach the network, or None when they cannot (the normal case)
        self.not_isolated: str | None = next((w.not_isolated for w in workers if w.not_isolated), None)
        for worker in workers:
            self.idle.put(worker)

    def run(self, text: str, output: str) -> bytes:
        """Run one query on a free worker; raises Refused on a refusal or a time-out."""
        try:
            worker = self.idle.get(timeout=self.limits.timeout_s)
        except queue.Empty:
            raise Refused(HTTPStatus.SERVICE_UNAVAILABLE, "the endpoint is busy; try again") from None
        try:
            status, payload = worker.run(text, output, self.limits.timeout_s)
        except (EOFError, OSError, BrokenPipeError):
            status, payload = "timeout", None
            worker.stop()
        finally:
            if not worker.alive():
                worker = Worker(self.ntriples, self.limits)
            self.idle.put(worker)
        if status == "ok":
            return payload
        if status == "timeout":
            limit = self.limits.timeout_s
            raise Refused(HTTPStatus.SERVICE_UNAVAILABLE, f"the query was stopped at the time limit of {limit:g} s")
        code, message = payload
        raise Refused(HTTPStatus(code), message)

    def close(self) -> None:
        while not self.idle.empty():
            self.idle.get_nowait().stop()


# --------------------------------------------------------------------------- HTTP


class SparqlHandler(BaseHTTPRequestHandler):
    """SPARQL 1.1 Protocol (query operation only) and the query page."""

    server: SparqlServer
    protocol_version = "HTTP/1.1"
    timeout = 30  # seconds a client may take to send its request (no slow-loris hold on a thread)
    # Headers and body go out in two writes; with Nagle's algorithm on, a keep-alive client's
    # delayed ACK held every small answer back by 40 ms.
    disable_nagle_algorithm = True
    server_version = "practice-graph"
    sys_version = ""

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.verbose:
            super().log_message(format, *args)

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        if len(self.path) > self.server.limits.max_body_bytes:
            self.reply_error(HTTPStatus.REQUEST_URI_TOO_LONG, "the query string is too long")
            return
        if url.path in {"/", "/index.html"}:
            self.reply(HTTPStatus.OK, "text/html; charset=utf-8", self.server.page)
            return
        if url.path != SPARQL_PATH:
            self.reply_error(HTTPStatus.NOT_FOUND, f"no such path; the endpoint is {SPARQL_PATH}")
            return
        params = parse_qs(url.query, keep_blank_values=True)
        if "update" in params:
            self.reply_error(HTTPStatus.FORBIDDEN, "this endpoint is read-only: SPARQL updates are refused")
            return
        if "query" not in params:
            self.reply(HTTPStatus.OK, "text/html; charset=utf-8", self.server.page)
            return
        self.answer(params)

    def do_POST(self) -> None:
        url = urlsplit(self.path)
        if url.path != SPARQL_PATH:
            self.reply_error(HTTPStatus.NOT_FOUND, f"no such path; the endpoint is {SPARQL_PATH}")
            return
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            self.reply_error(HTTPStatus.BAD_REQUEST, "bad Content-Length")
            return
        if length > self.server.limits.max_body_bytes:
            self.close_connection = True
            self.reply_error(
                HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                f"the request body exceeds {self.server.limits.max_body_bytes:,} bytes",
            )
            return
        body = self.rfile.read(length).decode("utf-8", errors="replace")
        content_type = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        params = parse_qs(url.query, keep_blank_values=True)
        if content_type == "application/sparql-update":
            self.reply_error(HTTPStatus.FORBIDDEN, "this endpoint is read-only: SPARQL updates are refused")
            return
        if content_type == "application/sparql-query":
            params["query"] = [body]
        elif content_type in {"application/x-www-form-urlencoded", ""}:
            params.update(parse_qs(body, keep_blank_values=True))
        else:
            self.reply_error(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, f"unsupported Content-Type {content_type!r}")
            return
        if "update" in params:
            self.reply_error(HTTPStatus.FORBIDDEN, "this endpoint is read-only: SPARQL updates are refused")
            return
        if "query" not in params:
            self.reply_error(HTTPStatus.BAD_REQUEST, "no query given")
            return
        self.answer(params)

    def answer(self, params: dict[str, list[str]]) -> None:
        """Check, run and return one query."""
        queries = params["query"]
        if len(queries) != 1:
            self.reply_error(HTTPStatus.BAD_REQUEST, "give exactly one query")
            return
        if params.get("default-graph-uri") or params.get("named-graph-uri"):
            self.reply_error(HTTPStatus.BAD_REQUEST, "this endpoint holds one default graph; no dataset parameters")
            return
        try:
            text = normalise_query(queries[0])
            form = check_query(text)
            given = params.get("format") or params.get("output")
            requested = given[0] if given else None
            output = negotiate(self.headers.get("Accept") or "", form, requested)
            body = self.server.pool.run(text, output)
        except Refused as refused:
            self.reply_error(refused.status, refused.message)
            return
        self.reply(HTTPStatus.OK, f"{FORMAT_MEDIA[output]}; charset=utf-8", body)

    def reply(self, status: HTTPStatus, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Cache-Control", "no-store")
        if content_type.startswith("text/html"):
            self.send_header("Content-Security-Policy", content_security_policy(connect="'self'"))
        self.end_headers()
        self.wfile.write(body)

    def reply_error(self, status: HTTPStatus, message: str) -> None:
        self.reply(status, "text/plain; charset=utf-8", (message + "\n").encode("utf-8"))


class SparqlServer(ThreadingHTTPServer):
    """The HTTP server with its worker pool, limits and query page."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], ntriples: bytes | Path, limits: Limits, workers: int = 2,
                 verbose: bool = False) -> None:
        self.limits, self.verbose = limits, verbose
        self.pool = WorkerPool(ntriples, limits, size=workers)
        self.page = query_page().encode("utf-8")
        super().__init__(address, SparqlHandler)

    def server_close(self) -> None:
        super().server_close()
        self.pool.close()


def query_page() -> str:
    """The offline query page: an editor, the named queries as examples, results as a table."""
    from importlib.resources import files

    from practice_graph.sparql.query import named_queries

    examples = [{"name": q.name, "question": q.question, "text": q.text} for q in named_queries()]
    data = script_json(examples, sort_keys=False, compact=False)
    template = files("practice_graph.sparql").joinpath("static/query.html").read_text(encoding="utf-8")
    return template.replace("/*EXAMPLES*/[]", data)

