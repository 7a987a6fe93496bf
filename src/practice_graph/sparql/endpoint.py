"""A read-only SPARQL 1.1 Protocol endpoint over the built graph, with an offline query page.

Every query is normalised (codepoint escapes processed, as SPARQL prescribes) and the same text
is checked and run. Updates (and ``LOAD``, ``CLEAR``, ``DROP`` ...) are refused with 403, a
query that uses ``SERVICE`` is refused with 400 (so the endpoint can never be made to fetch
another address), a malformed query gets 400 with the parser's message.

Everything a query costs is bounded. The HTTP side takes a bounded number of connections, served
by a fixed number of threads, each request read within a total deadline and a size cap (chunked
bodies included). Checking, parsing and running happen in worker processes that each hold the
graph in a pyoxigraph store (in memory, or an on-disk store each opens read-only): no lock in the
server process that one request could hold. A
worker runs under a time limit (past it, it is killed: 503), a memory limit (its share of
``Limits.memory_bytes``, by default half the machine's memory, enforced with ``RLIMIT_AS``:
past it, the worker stops: 503) and a result cap (507); a fresh worker takes the place of one
that stopped. On Linux each worker moves into a network namespace of its own with no interface
up, so even a query the check missed cannot open a connection; the server says at start-up when
that is not possible.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import functools
import io
import multiprocessing
import os
import queue
import re
import signal
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import IO, Any, cast
from urllib.parse import parse_qs, urlsplit

from practice_graph.core.limits import MIB, format_size, machine_memory
from practice_graph.core.web import accepted_media, content_security_policy, script_json

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
QUERY_FORMS = {"SelectQuery", "AskQuery", "ConstructQuery", "DescribeQuery"}
UPDATE_OPERATIONS = {
    "InsertData", "DeleteData", "DeleteWhere", "Modify", "Load", "Clear", "Drop", "Create", "Add", "Move", "Copy",
}
# A SERVICE clause needs the keyword spelt out in the (normalised) text: a text without these
# letters, in any case, cannot hold one, and goes to the engine without the slower rdflib check.
# (Python's case-insensitive match also takes look-alikes such as the long s, which only makes
# the check run more often.)
SERVICE_WORD = re.compile("service", re.IGNORECASE)
UPDATE_WORD = re.compile(r"insert|delete|load|clear|drop|create|add|move|copy|with", re.IGNORECASE)
ENGINE_POSITION = re.compile(r"^error at (\d+):(\d+):\s*")
# The least memory a worker must have free above what it holds once the graph is loaded.
WORKER_HEADROOM = 64 * MIB
# Deeply nested queries recurse in the engine's parser: a larger stack than the usual 8 MB lets
# tens of thousands of levels parse instead of crashing the worker (it still counts in its memory).
WORKER_STACK = 256 * MIB
# Seconds a fresh worker may take to start (import, load the graph) on a busy machine.
WORKER_START_S = 30.0
# how often the serving loop looks for a stop request (socketserver's default, 0.5 s, delays every stop)
SHUTDOWN_POLL_S = 0.05


@dataclass(frozen=True)
class Limits:
    """What one request, and all of them together, may cost."""

    timeout_s: float = 10.0
    max_body_bytes: int = 64 * 1024
    max_result_bytes: int = 16 * 1024 * 1024
    #: memory the query workers may use in total (address space); None: half the machine's memory
    memory_bytes: int | None = None
    #: seconds a client has to send one whole request (headers and body), however it trickles in
    request_timeout_s: float = 15.0
    #: threads serving connections, and connections that may wait for one before new ones get 503
    max_threads: int = 16
    max_pending: int = 64


# A page resolver: (percent-encoded path, Accept header) -> (status, headers, body), or None for "not mine".
# The CLI passes one in (the views layer's pages for every IRI); the endpoint only routes to it.
PageResolver = Callable[[str, str], "tuple[int, dict[str, str], bytes] | None"]


class Refused(Exception):
    """A request the endpoint will not run, with the HTTP status to answer."""

    def __init__(self, status: HTTPStatus, message: str) -> None:
        self.status, self.message = status, message
        super().__init__(message)


class EndpointError(Exception):
    """The endpoint cannot start (for example a memory limit too small to hold the graph)."""


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


TOO_DEEP = "malformed query: it nests too deeply to be checked"


def _is_update(text: str) -> bool:
    """Whether rdflib reads ``text`` as a SPARQL update with at least one operation."""
    from pyparsing import ParseException
    from rdflib.plugins.sparql.parser import parseUpdate

    try:
        update = parseUpdate(text)
    except (ParseException, RecursionError):
        return False
    return bool({getattr(node, "name", None) for node in _walk(update)} & UPDATE_OPERATIONS)


# Parsing a query with rdflib takes about 40 ms, far longer than running it: the answers of
# recent query texts are kept (a refusal raises, so only accepted queries are remembered).
# It runs in the worker processes (one thread each), under their time and memory limits.
@functools.lru_cache(maxsize=256)
def check_query(text: str) -> str:
    """The query form (SelectQuery, AskQuery, ConstructQuery, DescribeQuery) of a query safe to run.

    Raises :class:`Refused` for an update (403), a ``SERVICE`` clause (400), a syntax error or
    a query nested too deeply for the parser (400).
    """
    from pyparsing import ParseException
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        parsed = parseQuery(text)
    except RecursionError:
        raise Refused(HTTPStatus.BAD_REQUEST, TOO_DEEP) from None
    except ParseException as query_error:
        if _is_update(text):
            raise Refused(HTTPStatus.FORBIDDEN, "this endpoint is read-only: SPARQL updates are refused") from None
        raise Refused(HTTPStatus.BAD_REQUEST, f"malformed query: {query_error}") from None
    parsed_names = [getattr(node, "name", None) for node in _walk(parsed)]
    if "ServiceGraphPattern" in parsed_names:
        raise Refused(HTTPStatus.BAD_REQUEST, "SERVICE is refused: this endpoint never queries another address")
    form = str(getattr(parsed[1], "name", ""))
    if form not in QUERY_FORMS:
        raise Refused(HTTPStatus.BAD_REQUEST, "malformed query: not a SELECT, ASK, CONSTRUCT or DESCRIBE query")
    return form


def syntax_refusal(text: str, error: SyntaxError) -> Refused:
    """The refusal for a text the engine cannot parse as a query: 403 for an update, else 400."""
    if UPDATE_WORD.search(text) and _is_update(text):
        return Refused(HTTPStatus.FORBIDDEN, "this endpoint is read-only: SPARQL updates are refused")
    message = ENGINE_POSITION.sub(lambda m: f"line {m.group(1)}, column {m.group(2)}: ", str(error))
    return Refused(HTTPStatus.BAD_REQUEST, f"malformed query: {' '.join(message.split())[:500]}")


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
    for media in accepted_media(accept):
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


def _memory() -> tuple[int, int]:
    """Bytes of address space (what ``RLIMIT_AS`` counts) and resident memory of this process."""
    with open("/proc/self/statm", encoding="ascii") as statm:
        size, resident = statm.read().split()[:2]
    page = os.sysconf("SC_PAGE_SIZE")
    return int(size) * page, int(resident) * page


def _limit_memory(memory_bytes: int) -> str | None:
    """Cap this process's address space (and let its stack grow); None when done, else why not."""
    import resource

    try:
        _, stack_hard = resource.getrlimit(resource.RLIMIT_STACK)
        stack = WORKER_STACK if stack_hard == resource.RLIM_INFINITY else min(WORKER_STACK, stack_hard)
        resource.setrlimit(resource.RLIMIT_STACK, (stack, stack_hard))
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    except (ValueError, OSError, AttributeError) as error:
        return f"setrlimit: {error}"
    return None


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's malloc_trim, when this is glibc (find_library runs a subprocess: once only)."""
    name = ctypes.util.find_library("c")
    return getattr(ctypes.CDLL(name), "malloc_trim", None) if name else None


def _release_memory(resting: int) -> None:
    """Hand freed heap back to the system after a big query, so the worker does not keep its peak.

    (Only past ``resting`` bytes plus a margin: trimming after every query costs the next one
    its page faults.)
    """
    trim = _malloc_trim()
    if trim is not None and _memory()[1] > resting + WORKER_HEADROOM:
        trim(0)


def _serialise(result: Any, output: str, max_result_bytes: int) -> bytes:
    """A query result in one of the formats of FORMAT_MEDIA, capped in size."""
    import pyoxigraph as ox

    sink = CappedBuffer(max_result_bytes)
    if isinstance(result, ox.QuerySolutions | ox.QueryBoolean):
        result.serialize(cast(IO[bytes], sink), format=getattr(ox.QueryResultsFormat, output))
    else:
        ox.serialize(result, cast(IO[bytes], sink), format=getattr(ox.RdfFormat, output))
    return sink.getvalue()


def _answer(store: Any, request: tuple[Any, ...], max_result_bytes: int) -> tuple[str, bytes]:
    """(format, body) for one request: ("answer", text, accept, format) or, unchecked, ("run", text, format)."""
    import pyoxigraph as ox

    if request[0] == "run":
        _, text, output = request
        return output, _serialise(store.query(text), output, max_result_bytes)
    _, text, accept, requested = request
    if SERVICE_WORD.search(text):
        check_query(text)
    try:
        result = store.query(text)
    except SyntaxError as error:
        raise syntax_refusal(text, error) from None
    if isinstance(result, ox.QueryBoolean):
        form = "AskQuery"
    elif isinstance(result, ox.QuerySolutions):
        form = "SelectQuery"
    else:
        form = "ConstructQuery"
    output = negotiate(accept, form, requested)
    return output, _serialise(result, output, max_result_bytes)


def _worker_main(connection: Any, graph: bytes | Path, max_result_bytes: int, memory_bytes: int,
                 log_path: str) -> None:
    """Hold the graph (N-Triples, or the folder of an on-disk store) in a store; answer requests until
    the pipe closes."""
    # Ctrl-C reaches every process of the terminal's group: the server stops its workers itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    # What the engine prints when it fails (an allocation past the limit) goes to a file the
    # server reads to say why the worker stopped, not to the server's log.
    log = os.open(log_path, os.O_WRONLY | os.O_APPEND)
    os.dup2(log, 2)
    os.close(log)
    os.environ["RUST_BACKTRACE"] = "0"  # one line for a failed allocation, not a backtrace
    import pyoxigraph as ox

    not_isolated = isolate_from_network()
    if isinstance(graph, bytes):
        store = ox.Store()
        store.bulk_load(graph, format=ox.RdfFormat.N_TRIPLES)
    else:  # several processes may read an on-disk store at once
        store = ox.Store.read_only(str(graph))
    del graph
    check_query("ASK {}")  # rdflib's grammar, built now, counts in what the worker holds at rest
    held, resting = _memory()
    if memory_bytes < held + WORKER_HEADROOM:
        connection.send(("too-small", held + WORKER_HEADROOM))
        return
    not_limited = _limit_memory(memory_bytes)
    _malloc_trim()
    connection.send(("ready", (not_isolated, not_limited)))
    while True:
        try:
            request = connection.recv()
        except (EOFError, OSError):
            return
        out_of_memory = False
        try:
            reply: tuple[str, Any] = ("ok", _answer(store, request, max_result_bytes))
        except Refused as refused:
            reply = ("refused", (int(refused.status), refused.message))
        except SyntaxError as error:
            reply = ("refused", (int(HTTPStatus.BAD_REQUEST), f"malformed query: {error}"))
        except MemoryError:
            reply, out_of_memory = ("memory", None), True
        except RecursionError:
            reply = ("refused", (int(HTTPStatus.BAD_REQUEST), TOO_DEEP))
        except (ValueError, OSError, RuntimeError, TypeError):
            # The engine's own message can name addresses and connection errors: never echo it.
            reply = ("refused", (int(HTTPStatus.BAD_REQUEST), "the query failed during evaluation"))
        try:
            connection.send(reply)
        except (OSError, ValueError):
            return
        if out_of_memory:
            return  # a fresh worker takes this one's place, with its whole share free
        _release_memory(resting)


class Worker:
    """One worker process holding the graph; killed and replaced when a query runs too long."""

    def __init__(self, graph: bytes | Path, limits: Limits, memory_bytes: int) -> None:
        context = multiprocessing.get_context("spawn")
        self.memory_bytes = memory_bytes
        self.connection, child = context.Pipe()
        descriptor, self.log_path = tempfile.mkstemp(prefix="practice-graph-worker-", suffix=".log")
        os.close(descriptor)
        self.process = context.Process(
            target=_worker_main, args=(child, graph, limits.max_result_bytes, memory_bytes, self.log_path),
            daemon=True,
        )
        # The new process starts with SIGINT blocked (the mask is inherited), so a Ctrl-C while
        # it boots cannot print a traceback; it then ignores SIGINT for good.
        mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            self.process.start()
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        child.close()
        try:
            if not self.connection.poll(4 * WORKER_START_S):
                self.stop()
                raise EndpointError(f"a query worker did not start within {4 * WORKER_START_S:g} s")
            status, detail = self.connection.recv()
        except (EOFError, OSError):
            reason = self.why_stopped()
            self.stop()
            raise EndpointError(f"a query worker failed to start ({reason})") from None
        if status == "too-small":
            self.stop()
            raise EndpointError(f"the memory limit of {format_size(memory_bytes)} per worker is too small: "
                                f"a worker needs {format_size(detail)} to hold the graph and answer queries")
        self.not_isolated, self.not_limited = detail

    def call(self, request: tuple[Any, ...], timeout_s: float) -> tuple[str, Any]:
        """Send one request; ("timeout", None) when it did not answer in time, ("stopped", why) when it died."""
        try:
            self.connection.send(request)
            if not self.connection.poll(timeout_s):
                self.stop()
                return "timeout", None
            return self.connection.recv()
        except (EOFError, OSError):
            reason = self.why_stopped()
            self.stop()
            return "stopped", reason

    def why_stopped(self) -> str:
        """Why the process ended: "memory" when an allocation failed, else its exit code or signal."""
        self.process.join(timeout=5)
        try:
            with open(self.log_path, "rb") as log:
                log.seek(0, os.SEEK_END)
                log.seek(max(0, log.tell() - 65536))
                tail = log.read().decode("utf-8", errors="replace")
        except OSError:
            tail = ""
        if "memory allocation of" in tail or "MemoryError" in tail:
            return "memory"
        code = self.process.exitcode
        if code is not None and code < 0:
            return f"signal {signal.Signals(-code).name}"
        return f"exit code {code}"

    def alive(self) -> bool:
        return self.process.is_alive()

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)
        self.connection.close()
        with contextlib.suppress(OSError):
            os.unlink(self.log_path)


def worker_memory(limits: Limits, workers: int) -> int:
    """Each worker's share of the memory limit (half the machine's memory when none is given)."""
    total = limits.memory_bytes if limits.memory_bytes is not None else machine_memory() // 2
    return total // workers


class WorkerPool:
    """A fixed number of workers handed out one request at a time."""

    def __init__(self, graph: bytes | Path, limits: Limits, size: int = 2,
                 log: Callable[[str], None] | None = None) -> None:
        self.graph, self.limits, self.size = graph, limits, size
        self.memory_per_worker = worker_memory(limits, size)
        self.log = log or (lambda message: None)
        self.idle: queue.Queue[Worker] = queue.Queue()
        self.closing, self.closed = threading.Lock(), False
        workers: list[Worker] = []
        try:
            for _ in range(size):
                workers.append(Worker(graph, limits, self.memory_per_worker))
        except BaseException:
            for worker in workers:
                worker.stop()
            raise
        #: why the workers can reach the network, or None when they cannot (the normal case)
        self.not_isolated: str | None = next((w.not_isolated for w in workers if w.not_isolated), None)
        #: why the workers' memory is not limited, or None when it is
        self.not_limited: str | None = next((w.not_limited for w in workers if w.not_limited), None)
        for worker in workers:
            self.idle.put(worker)

    def run(self, text: str, output: str) -> bytes:
        """Run a query as it is, unchecked, in one format (for tests of the worker's own defences)."""
        return self._call(("run", text, output))[1]

    def answer(self, text: str, accept: str = "", requested: str | None = None) -> tuple[str, bytes]:
        """Check and run one normalised query; (format, body). Raises Refused on a refusal or a limit."""
        return self._call(("answer", text, accept, requested))

    def _call(self, request: tuple[Any, ...]) -> tuple[str, bytes]:
        try:
            # A request may wait for the running queries to end (or be stopped) and for a
            # stopped worker's replacement to start.
            worker = self.idle.get(timeout=self.limits.timeout_s + WORKER_START_S)
        except queue.Empty:
            raise Refused(HTTPStatus.SERVICE_UNAVAILABLE, "the endpoint is busy; try again") from None
        status, payload = "stopped", "not started"
        try:
            status, payload = worker.call(request, self.limits.timeout_s)
        finally:
            if status == "memory" or not worker.alive():
                worker.stop()
                self.log(f"query worker stopped ({payload if status == 'stopped' else status}); starting a fresh one")
                # Started beside the answer, so the client that stopped it is not kept waiting.
                threading.Thread(target=self.replace, daemon=True).start()
            else:
                self.idle.put(worker)
        if status == "ok":
            return payload
        if status == "timeout":
            limit = self.limits.timeout_s
            raise Refused(HTTPStatus.SERVICE_UNAVAILABLE, f"the query was stopped at the time limit of {limit:g} s")
        if status == "memory" or payload == "memory":
            raise Refused(HTTPStatus.SERVICE_UNAVAILABLE, "the query was stopped at the memory limit of "
                          f"{format_size(self.memory_per_worker)} per query")
        if status == "stopped":
            raise Refused(HTTPStatus.INTERNAL_SERVER_ERROR,
                          f"the query engine failed on this query ({payload}); a fresh worker took its place")
        code, message = payload
        raise Refused(HTTPStatus(code), message)

    def replace(self) -> None:
        """Start a worker in place of one that stopped (the pool stays smaller if that fails)."""
        try:
            worker = Worker(self.graph, self.limits, self.memory_per_worker)
        except EndpointError as error:
            self.log(f"error: {error}")
            return
        with self.closing:
            if self.closed:
                worker.stop()
            else:
                self.idle.put(worker)

    def close(self) -> None:
        with self.closing:
            self.closed = True
        while not self.idle.empty():
            self.idle.get_nowait().stop()


# --------------------------------------------------------------------------- HTTP


class DeadlineReader(socket.SocketIO):
    """Reads from a socket that end at the handler's deadline, however slowly the bytes arrive."""

    def __init__(self, sock: socket.socket, handler: SparqlHandler) -> None:
        super().__init__(sock, "rb")
        self.socket, self.handler = sock, handler

    def readinto(self, buffer: Any) -> int | None:
        remaining = self.handler.deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("the request did not arrive in time")
        self.socket.settimeout(remaining)
        return super().readinto(buffer)


CONTENT_LENGTH = re.compile(r"[0-9]{1,18}")
CHUNK_SIZE_LINE = re.compile(rb"([0-9A-Fa-f]{1,16})(;[^\r\n]*)?\r?\n")


class SparqlHandler(BaseHTTPRequestHandler):
    """SPARQL 1.1 Protocol (query operation only) and the query page."""

    server: SparqlServer
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; with Nagle's algorithm on, a keep-alive client's
    # delayed ACK held every small answer back by 40 ms.
    disable_nagle_algorithm = True
    server_version = "practice-graph"
    sys_version = ""
    deadline = 0.0
    head_only = False

    def setup(self) -> None:
        super().setup()
        # Every read gets only what is left of the request's total time (no slow-loris hold).
        self.rfile.close()
        self.rfile = io.BufferedReader(DeadlineReader(self.connection, self))

    def handle_one_request(self) -> None:
        self.deadline = time.monotonic() + self.server.limits.request_timeout_s
        self.head_only = False
        super().handle_one_request()

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.verbose:
            super().log_message(format, *args)

    def parse_request(self) -> bool:
        if not super().parse_request():
            return False
        if self.request_version == "HTTP/0.9":
            self.send_error(HTTPStatus.BAD_REQUEST, "HTTP/0.9 requests are not supported")
            return False
        return True

    def handle_expect_100(self) -> bool:
        """Ask for the body only when it is within the cap (else answer 413 at once)."""
        length = (self.headers.get("Content-Length") or "").strip()
        limit = self.server.limits.max_body_bytes
        if CONTENT_LENGTH.fullmatch(length) and int(length) > limit:
            self.send_error(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"the request body exceeds {limit:,} bytes")
            return False
        return super().handle_expect_100()

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Errors http.server finds itself (a bad request line or header), as plain text with a status line.

        (http.server answers them in HTML, and without any status line when the request line
        was not understood, as if the client spoke HTTP/0.9.)
        """
        self.close_connection = True
        if self.request_version == "HTTP/0.9":
            self.request_version = "HTTP/1.0"
        status = HTTPStatus(code)
        self.reply_error(status, " ".join((message or status.phrase).split())[:200])

    def do_HEAD(self) -> None:
        self.head_only = True
        self.do_GET()

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        if len(self.path) > self.server.limits.max_body_bytes:
            self.reply_error(HTTPStatus.REQUEST_URI_TOO_LONG, "the query string is too long")
            return
        if self.server.pages is not None and url.path not in {"/", SPARQL_PATH}:
            answer = self.server.pages(url.path, self.headers.get("Accept") or "")
            if answer is not None:
                status, headers, body = answer
                headers = dict(headers)
                self.reply(HTTPStatus(status), headers.pop("Content-Type"), body, headers)
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
        try:
            raw = self.read_body()
        except Refused as refused:
            self.close_connection = True
            self.reply_error(refused.status, refused.message)
            return
        if url.path != SPARQL_PATH:
            self.reply_error(HTTPStatus.NOT_FOUND, f"no such path; the endpoint is {SPARQL_PATH}")
            return
        body = raw.decode("utf-8", errors="replace")
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

    def read_body(self) -> bytes:
        """The request body, whatever its framing, never more than the cap; raises Refused."""
        limit = self.server.limits.max_body_bytes
        too_large = Refused(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"the request body exceeds {limit:,} bytes")
        encoding = (self.headers.get("Transfer-Encoding") or "").strip().lower()
        if encoding:
            if encoding != "chunked":
                raise Refused(HTTPStatus.NOT_IMPLEMENTED, f"Transfer-Encoding {encoding!r} is not supported")
            return self.read_chunked(limit, too_large)
        lengths = {value.strip() for value in self.headers.get_all("Content-Length") or []}
        if not lengths:
            raise Refused(HTTPStatus.LENGTH_REQUIRED, "give the body's Content-Length (or send it chunked)")
        length_text = lengths.pop()
        if lengths or not CONTENT_LENGTH.fullmatch(length_text):
            raise Refused(HTTPStatus.BAD_REQUEST, "bad Content-Length")
        if int(length_text) > limit:
            raise too_large
        body = self.rfile.read(int(length_text))
        if len(body) < int(length_text):
            raise Refused(HTTPStatus.BAD_REQUEST, "the body ended before its Content-Length")
        return body

    def read_chunked(self, limit: int, too_large: Refused) -> bytes:
        """A chunked body (RFC 9112 §7.1), refused as soon as it passes ``limit`` bytes."""
        bad = Refused(HTTPStatus.BAD_REQUEST, "bad chunked body")
        chunks: list[bytes] = []
        size = 0
        while True:
            match = CHUNK_SIZE_LINE.fullmatch(self.rfile.readline(1024))
            if match is None:
                raise bad
            chunk_size = int(match.group(1), 16)
            if chunk_size == 0:
                break
            size += chunk_size
            if size > limit:
                raise too_large
            chunk = self.rfile.read(chunk_size)
            if len(chunk) < chunk_size or self.rfile.readline(3) not in {b"\r\n", b"\n"}:
                raise bad
            chunks.append(chunk)
        for _ in range(32):  # trailer fields, then the empty line
            if self.rfile.readline(8192) in {b"\r\n", b"\n"}:
                return b"".join(chunks)
        raise bad

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
            if not text.strip():
                raise Refused(HTTPStatus.BAD_REQUEST, "no query given")
            given = params.get("format") or params.get("output")
            requested = given[0] if given else None
            output, body = self.server.pool.answer(text, self.headers.get("Accept") or "", requested)
        except Refused as refused:
            self.reply_error(refused.status, refused.message)
            return
        self.reply(HTTPStatus.OK, f"{FORMAT_MEDIA[output]}; charset=utf-8", body)

    def reply(self, status: HTTPStatus, content_type: str, body: bytes, headers: dict[str, str] | None = None) -> None:
        headers = headers or {}
        # Writing gets its own bound: a client that does not read cannot hold the thread.
        self.connection.settimeout(self.server.limits.request_timeout_s)
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Cache-Control", "no-store")
        for name, value in sorted(headers.items()):
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        if content_type.startswith("text/html") and "Content-Security-Policy" not in headers:
            self.send_header("Content-Security-Policy", content_security_policy(connect="'self'"))
        self.end_headers()
        if not self.head_only:
            self.wfile.write(body)

    def reply_error(self, status: HTTPStatus, message: str) -> None:
        self.reply(status, "text/plain; charset=utf-8", (message + "\n").encode("utf-8"))


BUSY_ANSWER = (b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"
               b"Content-Length: 32\r\nConnection: close\r\n\r\nthe endpoint is busy; try again\n")


class SparqlServer(HTTPServer):
    """The HTTP server with its worker pool, limits and query page.

    Connections wait in a bounded queue for one of ``limits.max_threads`` threads; when the
    queue is full, a new connection is answered 503 at once and closed.
    """

    def __init__(self, address: tuple[str, int], graph: bytes | Path, limits: Limits, workers: int = 2,
                 verbose: bool = False, pages: PageResolver | None = None) -> None:
        self.limits, self.verbose, self.pages = limits, verbose, pages
        self.pool = WorkerPool(graph, limits, size=workers, log=self.log)
        self.waiting: queue.Queue[tuple[socket.socket, Any] | None] = queue.Queue(maxsize=limits.max_pending)
        #: connections being served now (at most ``limits.max_threads``)
        self.serving = 0
        self.serving_lock = threading.Lock()
        try:
            super().__init__(address, SparqlHandler)
        except BaseException:
            self.pool.close()
            raise
        self.threads = [threading.Thread(target=self.serve_connections, daemon=True, name=f"sparql-{number}")
                        for number in range(limits.max_threads)]
        for thread in self.threads:
            thread.start()

    @property
    def page(self) -> bytes:
        """The query page, made on its first request (``serve`` starts without it)."""
        return _query_page_bytes()

    def log(self, message: str) -> None:
        if self.verbose:
            sys.stderr.write(f"{message}\n")

    def process_request(self, request: Any, client_address: Any) -> None:
        try:
            self.waiting.put_nowait((request, client_address))
        except queue.Full:
            try:
                request.setblocking(False)
                request.send(BUSY_ANSWER)
            except OSError:
                pass
            self.shutdown_request(request)

    def serve_connections(self) -> None:
        """One of the fixed threads: serve waiting connections until told to stop (None)."""
        while (item := self.waiting.get()) is not None:
            request, client_address = item
            with self.serving_lock:
                self.serving += 1
            try:
                self.finish_request(request, client_address)
            except Exception:
                self.handle_error(request, client_address)
            finally:
                self.shutdown_request(request)
                with self.serving_lock:
                    self.serving -= 1

    def handle_error(self, request: Any, client_address: Any) -> None:
        error = sys.exc_info()[1]
        if isinstance(error, ConnectionError | TimeoutError):
            # A client that went away or never finished: one line, not a traceback.
            self.log(f"{client_address[0]} - connection closed early ({type(error).__name__})")
            return
        super().handle_error(request, client_address)

    def server_close(self) -> None:
        super().server_close()
        while True:
            try:
                item = self.waiting.get_nowait()
            except queue.Empty:
                break
            if item is not None:
                self.shutdown_request(item[0])
        for _ in self.threads:
            try:
                self.waiting.put_nowait(None)
            except queue.Full:
                break
        self.pool.close()


@functools.cache
def _query_page_bytes() -> bytes:
    return query_page().encode("utf-8")


def query_page() -> str:
    """The query page: the YASQE editor (vendored, inlined), the named queries as examples with their
    questions in Chinese and English, results as a table linked to the entries' pages."""
    from importlib.resources import files

    from practice_graph.model.schema import load_model
    from practice_graph.sparql.query import named_queries

    static = files("practice_graph.sparql").joinpath("static")
    examples = [{"name": q.name, "zh": q.questions[0], "en": q.questions[1], "text": q.text} for q in named_queries()]
    prefixes = {name: prefix.iri for name, prefix in sorted(load_model().prefixes.items())}
    editor = static.joinpath("yasqe")
    # the source maps are not shipped: drop the comments that name them
    script = editor.joinpath("yasqe.min.js").read_text(encoding="utf-8")
    script = re.sub(r"\n//# sourceMappingURL=\S+\s*$", "\n", script)
    style = re.sub(r"/\*# sourceMappingURL=\S+ \*/", "", editor.joinpath("yasqe.min.css").read_text(encoding="utf-8"))
    if re.search(r"</?script", script, re.IGNORECASE) or "</style" in style.lower():
        raise EndpointError("the vendored editor would end its own <script> or <style> element")
    page = static.joinpath("query.html").read_text(encoding="utf-8")
    for marker, text in (("/*YASQE_CSS*/", style), ("/*EXAMPLES*/[]", script_json(examples, sort_keys=False)),
                         ("/*PREFIXES*/{}", script_json(prefixes)), ("/*YASQE_JS*/", script)):
        head, found, tail = page.partition(marker)
        if not found:
            raise EndpointError(f"query.html has no {marker}")
        page = head + text + tail
    return page


def serve_until_stopped(server: SparqlServer) -> str:
    """Serve until SIGINT (Ctrl-C) or SIGTERM, then stop the workers; the signal's name.

    Call from the main thread. The signal only asks the server to shut down: nothing is raised
    in the middle of a request, and no traceback is printed.
    """
    received: list[str] = []

    def stop(number: int, frame: Any) -> None:
        if not received:
            received.append(signal.Signals(number).name)
            threading.Thread(target=server.shutdown, daemon=True).start()

    previous = {number: signal.signal(number, stop) for number in (signal.SIGINT, signal.SIGTERM)}
    try:
        server.serve_forever(poll_interval=SHUTDOWN_POLL_S)
    finally:
        server.server_close()
        for number, handler in previous.items():
            signal.signal(number, handler)
    return received[0] if received else "shutdown"

