"""The graph beyond one machine: push it to a Graph Store, query any SPARQL 1.1 endpoint.

``push`` replaces a graph of a store that speaks the SPARQL 1.1 Graph Store HTTP Protocol
(Apache Jena Fuseki, GraphDB, Virtuoso, QLever, Oxigraph server at ``http://HOST:PORT/store``)
with an HTTP ``PUT`` of the canonical N-Triples, streamed in chunks with a progress bar.
``remote_query`` runs any query form on a SPARQL 1.1 Protocol endpoint, asking for SPARQL
results or RDF by content negotiation, and reads the answer with pyoxigraph, so rows, tables
and every output format are the same as on the embedded store (``practice_graph.sparql.query``).

Every exchange is bounded: one total deadline covers connecting, sending and reading (a server
that drips its answer a byte at a time is cut off at it), answers are read up to a size cap,
redirects are followed only to http(s) and never from https down to http, and every failure is
one :class:`RemoteError` line that names the URL.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import SplitResult, quote, urlencode, urljoin, urlsplit

import pyoxigraph as ox

from practice_graph.core.progress import progress as progress_bar
from practice_graph.sparql.store import declares_xml_entities

if TYPE_CHECKING:
    import http.client

NTRIPLES_TYPE = "application/n-triples"
CHUNK_SIZE = 1 << 20
MESSAGE_LIMIT = 300
#: the largest answer read from an endpoint or a store, in bytes
MAX_ANSWER_BYTES = 256 * (1 << 20)
#: the most of an error answer kept for its message
MAX_ERROR_BYTES = 64 * 1024
MAX_REDIRECTS = 3
REDIRECTS = {301, 302, 303, 307, 308}
# SPARQL results for SELECT and ASK, RDF for CONSTRUCT and DESCRIBE: the server picks.
QUERY_ACCEPT = ("application/sparql-results+json, application/sparql-results+xml;q=0.9, "
                "application/n-triples, text/turtle;q=0.9, application/ld+json;q=0.5")
RESULTS_MEDIA = {
    "application/sparql-results+json": "JSON",
    "application/json": "JSON",
    "application/sparql-results+xml": "XML",
    "application/xml": "XML",
    "text/csv": "CSV",
    "text/tab-separated-values": "TSV",
}
GRAPH_MEDIA = {
    "application/n-triples": "N_TRIPLES",
    "text/plain": "N_TRIPLES",
    "text/turtle": "TURTLE",
    "application/ld+json": "JSON_LD",
    "application/rdf+xml": "RDF_XML",
}


class RemoteError(Exception):
    """A remote store or endpoint that cannot be reached, refused the request or answered nonsense."""


@dataclass(frozen=True)
class PushResult:
    """What a push sent, where, and the store's answer."""

    url: str
    status: int
    size: int
    triples: int


@dataclass(frozen=True)
class Answer:
    """One HTTP answer, read whole (within the size cap)."""

    url: str
    status: int
    reason: str
    media: str
    body: bytes


def _one_line(text: str) -> str:
    """A server's message on one line, cut to a readable length."""
    line = " ".join(text.split())
    return line if len(line) <= MESSAGE_LIMIT else line[: MESSAGE_LIMIT - 1] + "…"


def _shown(url: str) -> str:
    """A URL as it can be printed on one line (control characters escaped)."""
    return url if url.isprintable() and " " not in url else repr(url)


def _check_url(url: str) -> SplitResult:
    """The parts of an http(s) URL; RemoteError for anything else (spaces, CR/LF, other schemes)."""
    if any(char.isspace() or not char.isprintable() for char in url):
        raise RemoteError(f"not a valid URL (it holds a space or a control character): {url!r}")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise RemoteError(f"not an http(s) URL: {url!r}")
    try:
        _ = parts.port  # a port that is not a number raises here
    except ValueError:
        raise RemoteError(f"not a valid URL (bad port): {url!r}") from None
    if not parts.hostname.isascii():
        raise RemoteError(f"not a valid URL (write the host name in ASCII, as punycode): {url!r}")
    return parts


def store_url(endpoint: str, graph_iri: str | None = None) -> str:
    """The Graph Store Protocol URL of the default graph (``?default``) or of a named graph."""
    _check_url(endpoint)
    separator = "&" if "?" in endpoint else "?"
    if graph_iri is None:
        return f"{endpoint}{separator}default"
    if not urlsplit(graph_iri).scheme:
        raise RemoteError(f"graph IRI must be absolute: {graph_iri!r}")
    return f"{endpoint}{separator}graph={quote(graph_iri, safe='')}"


def _chunks(data: bytes, show_progress: bool | None, label: str) -> Iterator[bytes]:
    """The body in chunks, advancing a progress bar on standard error as each one is sent (``show_progress``
    None: on a terminal, outside CI; see ``core.progress``)."""
    view = memoryview(data)
    with progress_bar(label, total=len(data), unit="B", enabled=show_progress) as bar:
        for start in range(0, len(data), CHUNK_SIZE):
            chunk = bytes(view[start:start + CHUNK_SIZE])
            yield chunk
            bar.update(len(chunk))


def _http_error_message(url: str, code: int, reason: str, body: bytes) -> str:
    text = _one_line(body.decode("utf-8", errors="replace"))
    return f"{_shown(url)}: HTTP {code} {reason}" + (f": {text}" if text else "")


def _connection(parts: SplitResult, timeout_s: float) -> tuple[http.client.HTTPConnection, str]:
    """A connection for ``parts`` (through the environment's proxy, if one applies) and the request target."""
    # http.client, ssl and urllib.request take longer to import than the rest of a `query`
    # command that never reaches an endpoint: imported here, when one is used.
    import http.client
    import ssl
    import urllib.request

    secure = parts.scheme == "https"
    host, port = parts.hostname or "", parts.port or (443 if secure else 80)
    target = quote(parts.path or "/", safe="/%:@!$&'()*+,;=~-._") + (
        "?" + quote(parts.query, safe="=&/%:@!$'()*+,;?~-._") if parts.query else "")
    proxy = urllib.request.getproxies().get(parts.scheme)
    if proxy and not urllib.request.proxy_bypass(host):
        proxy_parts = urlsplit(proxy if "://" in proxy else "http://" + proxy)
        proxy_host, proxy_port = proxy_parts.hostname or "", proxy_parts.port or 80
        if secure:
            tunnelled = http.client.HTTPSConnection(proxy_host, proxy_port, timeout=timeout_s,
                                                    context=ssl.create_default_context())
            tunnelled.set_tunnel(host, port)
            return tunnelled, target
        return http.client.HTTPConnection(proxy_host, proxy_port, timeout=timeout_s), f"http://{parts.netloc}{target}"
    if secure:
        return http.client.HTTPSConnection(host, port, timeout=timeout_s, context=ssl.create_default_context()), target
    return http.client.HTTPConnection(host, port, timeout=timeout_s), target


def _cut(sock: socket.socket, cut: threading.Event) -> None:
    """End every read and write on ``sock`` (the deadline passed)."""
    cut.set()
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


def _read_capped(response: http.client.HTTPResponse, url: str, max_bytes: int) -> bytes:
    declared = response.getheader("Content-Length") or ""
    if declared.isdigit() and int(declared) > max_bytes:
        raise RemoteError(f"{_shown(url)}: the answer is {int(declared):,} bytes, over the cap of {max_bytes:,}")
    parts: list[bytes] = []
    size = 0
    while chunk := response.read1(CHUNK_SIZE):
        size += len(chunk)
        if size > max_bytes:
            raise RemoteError(f"{_shown(url)}: the answer passes the cap of {max_bytes:,} bytes")
        parts.append(chunk)
    if response.length:  # the connection ended before the Content-Length did
        raise RemoteError(f"{_shown(url)}: the answer was cut off")
    return b"".join(parts)


def exchange(method: str, url: str, body: bytes | Iterable[bytes] | None = None,
             headers: dict[str, str] | None = None, *, timeout_s: float = 120.0,
             max_bytes: int = MAX_ANSWER_BYTES) -> Answer:
    """One HTTP request and its whole answer, within ``timeout_s`` in total; raises RemoteError.

    Redirects are followed (at most three) to http or https URLs, never from https to http; a
    303 (or a 301/302 answering a POST) turns a form POST into a GET of the same form.
    """
    deadline = time.monotonic() + timeout_s
    headers = dict(headers or {})
    for _ in range(MAX_REDIRECTS + 1):
        parts = _check_url(url)
        answer, location = _exchange_once(method, url, parts, body, headers, deadline, timeout_s, max_bytes)
        if location is None:
            return answer
        target = urljoin(url, location)
        target_scheme = urlsplit(target).scheme
        if target_scheme not in ("http", "https") or (parts.scheme == "https" and target_scheme == "http"):
            raise RemoteError(f"{_shown(url)}: redirected to {_shown(target)}: refused (only http(s), never "
                              "from https to http)")
        if answer.status in {301, 302, 303} and method == "POST" and isinstance(body, bytes):
            if headers.get("Content-Type") != "application/x-www-form-urlencoded":
                raise RemoteError(f"{_shown(url)}: redirected to {_shown(target)}; use that URL")
            separator = "&" if urlsplit(target).query else "?"
            target, method, body = target + separator + body.decode("ascii"), "GET", None
            headers.pop("Content-Type", None)
        elif not isinstance(body, bytes | None):
            raise RemoteError(f"{_shown(url)}: redirected to {_shown(target)}; use that URL")
        url = target
    raise RemoteError(f"{_shown(url)}: more than {MAX_REDIRECTS} redirects")


def _exchange_once(method: str, url: str, parts: SplitResult, body: Any, headers: dict[str, str],
                   deadline: float, timeout_s: float, max_bytes: int) -> tuple[Answer, str | None]:
    """One request to ``url``; the answer, and where it redirects to (or None)."""
    import http.client  # (start-up time, as in _connection)

    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise RemoteError(f"{_shown(url)}: no complete answer within {timeout_s:g} s")
    connection, target = _connection(parts, remaining)
    late = RemoteError(f"{_shown(url)}: no complete answer within {timeout_s:g} s")
    cut = threading.Event()
    watchdog: threading.Timer | None = None
    try:
        connection.connect()
        watchdog = threading.Timer(max(0.0, deadline - time.monotonic()), _cut, (connection.sock, cut))
        watchdog.daemon = True
        watchdog.start()
        connection.request(method, target, body=body, headers=headers)
        response = connection.getresponse()
        media = (response.getheader("Content-Type") or "").split(";")[0].strip().lower()
        location = response.getheader("Location")
        if response.status in REDIRECTS and location:
            result: tuple[Answer, str | None] = (Answer(url, response.status, response.reason, media, b""), location)
        elif response.status >= 400:
            error_body = response.read(MAX_ERROR_BYTES)
            if cut.is_set():
                raise late
            raise RemoteError(_http_error_message(url, response.status, response.reason, error_body))
        else:
            result = (Answer(url, response.status, response.reason, media, _read_capped(response, url, max_bytes)),
                      None)
    except RemoteError:
        if cut.is_set():
            raise late from None
        raise
    except (OSError, http.client.HTTPException, ValueError) as error:
        if cut.is_set() or time.monotonic() >= deadline:
            raise late from None
        raise RemoteError(_failure(url, error)) from None
    finally:
        if watchdog is not None:
            watchdog.cancel()
        connection.close()
    if cut.is_set():  # the answer ended because the deadline cut it short
        raise late
    return result


def _failure(url: str, error: Exception) -> str:
    """One line for a connection or protocol failure."""
    import http.client  # (start-up time, as in _connection)
    import ssl

    if isinstance(error, ssl.SSLError):
        return f"cannot reach {_shown(url)}: TLS: {error.reason or error}"
    if isinstance(error, http.client.RemoteDisconnected):
        return f"{_shown(url)}: the server closed the connection without an answer"
    if isinstance(error, http.client.IncompleteRead):
        return f"{_shown(url)}: the answer was cut off"
    if isinstance(error, http.client.HTTPException):
        return f"{_shown(url)}: not an HTTP answer ({_one_line(type(error).__name__ + ': ' + str(error))[:120]})"
    if isinstance(error, socket.gaierror):
        return f"cannot reach {_shown(url)}: unknown host"
    if isinstance(error, TimeoutError):
        return f"cannot reach {_shown(url)}: timed out"
    if isinstance(error, OSError):
        return f"cannot reach {_shown(url)}: {error.strerror or _one_line(str(error))}"
    return f"cannot reach {_shown(url)}: {_one_line(str(error))}"


def push(ntriples: bytes, endpoint: str, graph_iri: str | None = None, *, progress: bool | None = None,
         timeout: float = 600.0) -> PushResult:
    """Replace the default graph (or the named graph ``graph_iri``) of a Graph Store with ``ntriples``.

    ``endpoint`` is the store's Graph Store Protocol URL, for example ``http://127.0.0.1:7878/store``
    for Oxigraph server or ``http://HOST:3030/DATASET/data`` for Fuseki. ``timeout`` bounds the
    whole push. ``progress``: show a progress bar on standard error (None: when it is a terminal,
    outside CI). Raises RemoteError.
    """
    url = store_url(endpoint, graph_iri)
    triples = ntriples.count(b"\n")
    label = f"pushing {triples:,} triples ({len(ntriples):,} bytes)"
    answer = exchange("PUT", url, _chunks(ntriples, progress, label),
                      {"Content-Type": NTRIPLES_TYPE, "Content-Length": str(len(ntriples))},
                      timeout_s=timeout, max_bytes=MAX_ERROR_BYTES)
    return PushResult(url=url, status=answer.status, size=len(ntriples), triples=triples)


def remote_query(endpoint: str, query_text: str, *, timeout: float = 120.0,
                 max_bytes: int = MAX_ANSWER_BYTES) -> ox.QuerySolutions | ox.QueryBoolean | list[ox.Triple]:
    """Run any query on a SPARQL 1.1 endpoint: pyoxigraph QuerySolutions or QueryBoolean, or a list of Triples.

    Raises RemoteError for an endpoint that cannot be reached, refuses, answers past ``timeout``
    seconds or ``max_bytes`` bytes, or answers something that is not SPARQL results or RDF.
    """
    answer = exchange("POST", endpoint, urlencode({"query": query_text}).encode("ascii"),
                      {"Content-Type": "application/x-www-form-urlencoded", "Accept": QUERY_ACCEPT},
                      timeout_s=timeout, max_bytes=max_bytes)
    where = _shown(answer.url)
    if answer.media in RESULTS_MEDIA:
        name = RESULTS_MEDIA[answer.media]
        results_format = getattr(ox.QueryResultsFormat, name)
        try:
            # Solutions are parsed as they are read: read them all once, so that a truncated
            # answer fails here and not halfway through printing.
            results = ox.parse_query_results(answer.body, format=results_format)
            if isinstance(results, ox.QuerySolutions):
                list(results)
                results = ox.parse_query_results(answer.body, format=results_format)
        except (SyntaxError, ValueError) as error:
            # the half-read solutions stay referenced from this frame by the error's traceback: drop
            # them here (pyoxigraph's solutions must be freed on the thread that made them)
            results = None
            raise RemoteError(f"{where}: not SPARQL results {name}: {_one_line(str(error))}") from None
        return results
    if answer.media in GRAPH_MEDIA:
        name = GRAPH_MEDIA[answer.media]
        if name == "RDF_XML" and declares_xml_entities(answer.body):
            raise RemoteError(f"{where}: RDF/XML that declares XML entities is refused")
        try:
            return [quad.triple for quad in ox.parse(answer.body, format=getattr(ox.RdfFormat, name))]
        except (SyntaxError, ValueError) as error:
            raise RemoteError(f"{where}: not RDF ({name}): {_one_line(str(error))}") from None
    shown = answer.media or "no Content-Type"
    raise RemoteError(f"{where}: answered {_one_line(shown)[:80]}, not SPARQL results or RDF")


def remote_solutions(endpoint: str, query_text: str, *, timeout: float = 120.0) -> ox.QuerySolutions:
    """Run a SELECT on a SPARQL 1.1 endpoint; returns pyoxigraph QuerySolutions, as the embedded store does."""
    results = remote_query(endpoint, query_text, timeout=timeout)
    if not isinstance(results, ox.QuerySolutions):
        raise RemoteError(f"{_shown(endpoint)}: the query is not a SELECT")
    return results
