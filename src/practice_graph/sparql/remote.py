"""The graph beyond one machine: push it to a Graph Store, query any SPARQL 1.1 endpoint.

``push`` replaces a graph of a store that speaks the SPARQL 1.1 Graph Store HTTP Protocol
(Apache Jena Fuseki, GraphDB, Virtuoso, QLever, Oxigraph server at ``http://HOST:PORT/store``)
with an HTTP ``PUT`` of the canonical N-Triples, streamed in chunks with a progress bar.
``remote_solutions`` runs a SELECT on any SPARQL 1.1 Protocol endpoint through SPARQLWrapper and
reads the standard results JSON with pyoxigraph, so rows, tables and JSON/CSV/TSV output are
the same as on the embedded store (``practice_graph.sparql.query``).
"""

from __future__ import annotations

import ast
import sys
import urllib.error
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

import click
import pyoxigraph as ox

NTRIPLES_TYPE = "application/n-triples"
CHUNK_SIZE = 1 << 20
MESSAGE_LIMIT = 300


class RemoteError(Exception):
    """A remote store or endpoint that cannot be reached or that refused the request."""


@dataclass(frozen=True)
class PushResult:
    """What a push sent, where, and the store's answer."""

    url: str
    status: int
    size: int
    triples: int


def _one_line(text: str) -> str:
    """A server's message on one line, cut to a readable length."""
    line = " ".join(text.split())
    return line if len(line) <= MESSAGE_LIMIT else line[: MESSAGE_LIMIT - 1] + "…"


def _check_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise RemoteError(f"not an http(s) URL: {url!r}")


def store_url(endpoint: str, graph_iri: str | None = None) -> str:
    """The Graph Store Protocol URL of the default graph (``?default``) or of a named graph."""
    _check_url(endpoint)
    separator = "&" if "?" in endpoint else "?"
    if graph_iri is None:
        return f"{endpoint}{separator}default"
    if not urlsplit(graph_iri).scheme:
        raise RemoteError(f"graph IRI must be absolute: {graph_iri!r}")
    return f"{endpoint}{separator}graph={quote(graph_iri, safe='')}"


def _chunks(data: bytes, progress: bool, label: str) -> Iterator[bytes]:
    """The body in chunks, advancing a progress bar on standard error as each one is sent."""
    view = memoryview(data)
    starts = range(0, len(data), CHUNK_SIZE)
    if not progress:
        for start in starts:
            yield bytes(view[start:start + CHUNK_SIZE])
        return
    with click.progressbar(length=len(data), label=label, file=sys.stderr, show_eta=True, width=30) as bar:
        for start in starts:
            chunk = bytes(view[start:start + CHUNK_SIZE])
            yield chunk
            bar.update(len(chunk))


def _http_error_message(url: str, code: int, reason: str, body: bytes) -> str:
    text = _one_line(body.decode("utf-8", errors="replace"))
    return f"{url}: HTTP {code} {reason}" + (f": {text}" if text else "")


@contextmanager
def _http_errors(url: str, action: str) -> Iterator[None]:
    """Turn urllib's and the socket's errors into one-line RemoteErrors naming ``url``."""
    try:
        yield
    except urllib.error.HTTPError as error:
        raise RemoteError(_http_error_message(url, error.code, error.reason, error.read())) from None
    except urllib.error.URLError as error:
        reason = getattr(error.reason, "strerror", None) or str(error.reason)
        raise RemoteError(f"cannot reach {url}: {reason}") from None
    except (OSError, ValueError) as error:
        raise RemoteError(f"cannot {action} {url}: {error}") from None


def push(ntriples: bytes, endpoint: str, graph_iri: str | None = None, *, progress: bool = True,
         timeout: float = 600.0) -> PushResult:
    """Replace the default graph (or the named graph ``graph_iri``) of a Graph Store with ``ntriples``.

    ``endpoint`` is the store's Graph Store Protocol URL, for example ``http://127.0.0.1:7878/store``
    for Oxigraph server or ``http://HOST:3030/DATASET/data`` for Fuseki. Raises RemoteError.
    """
    import urllib.request  # start-up time: 0.15 s (ssl, http), needed only to push

    url = store_url(endpoint, graph_iri)
    triples = ntriples.count(b"\n")
    label = f"pushing {triples:,} triples ({len(ntriples):,} bytes)"
    request = urllib.request.Request(
        url, data=_chunks(ntriples, progress, label), method="PUT",
        headers={"Content-Type": NTRIPLES_TYPE, "Content-Length": str(len(ntriples))},
    )
    with _http_errors(url, "push to"), urllib.request.urlopen(request, timeout=timeout) as response:
        return PushResult(url=url, status=response.status, size=len(ntriples), triples=triples)


def _sparqlwrapper_error(endpoint: str, error: Exception) -> str:
    """One line from a SPARQLWrapper exception: the HTTP status and the server's own message."""
    context = error.__context__
    code = getattr(context, "code", None)
    reason = getattr(context, "reason", "")
    message = str(error)
    body = b""
    if "Response:\n" in message:
        try:
            body = ast.literal_eval(message.split("Response:\n", 1)[1])
        except (ValueError, SyntaxError):
            body = message.split("Response:\n", 1)[1].encode("utf-8")
    if code is None:
        return f"{endpoint}: {_one_line(message)}"
    return _http_error_message(endpoint, code, reason, body if isinstance(body, bytes) else str(body).encode())


def remote_solutions(endpoint: str, query_text: str, *, timeout: int = 120) -> ox.QuerySolutions:
    """Run a SELECT on a SPARQL 1.1 endpoint; returns pyoxigraph QuerySolutions, as the embedded store does."""
    # start-up time: SPARQLWrapper and urllib.request take 0.2 s, needed only with an endpoint
    from SPARQLWrapper import JSON, POST, SPARQLWrapper
    from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

    _check_url(endpoint)
    client = SPARQLWrapper(endpoint)
    client.setQuery(query_text)
    client.setMethod(POST)
    client.setReturnFormat(JSON)
    client.setOnlyConneg(True)
    client.setTimeout(timeout)
    with _http_errors(endpoint, "query"):
        try:
            body = client.query().response.read()
        except SPARQLWrapperException as error:
            raise RemoteError(_sparqlwrapper_error(endpoint, error)) from None
    try:
        results = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
    except (SyntaxError, ValueError) as error:
        raise RemoteError(f"{endpoint}: not SPARQL results JSON: {_one_line(str(error))}") from None
    if not isinstance(results, ox.QuerySolutions):
        raise RemoteError(f"{endpoint}: the query is not a SELECT")
    return results
