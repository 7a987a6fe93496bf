"""RDF files given by users (``analyze --graph``) and RDF answered by an endpoint are read without
reaching out: no remote JSON-LD ``@context`` is fetched, no ``file://`` context is read, and RDF/XML
that declares XML entities (a 693-byte "billion laughs" expands to about 7 GB) is refused before
it is parsed, each as one line with exit 2.
"""

from __future__ import annotations

import http.server
import itertools
import json
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from practice_graph.cli import main
from practice_graph.sparql.remote import RemoteError, remote_query
from practice_graph.sparql.store import declares_xml_entities
from tests.servers import Listener

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
LEVELS = "abcdefghi"
# Nine levels of ten references each: 10^8 copies of a 70-byte string, about 7 GB once expanded.
BILLION_LAUGHS = "\n".join([
    '<?xml version="1.0"?>',
    "<!DOCTYPE rdf:RDF [",
    f' <!ENTITY a "{"a" * 70}">',
    *(f' <!ENTITY {name} "{f"&{below};" * 10}">' for below, name in itertools.pairwise(LEVELS)),
    "]>",
    f'<rdf:RDF xmlns:rdf="{RDF}" xmlns:ex="http://example.org/">',
    ' <rdf:Description rdf:about="http://example.org/s"><ex:p>&i;</ex:p></rdf:Description>',
    "</rdf:RDF>",
    "",
]).encode("utf-8")
EXTERNAL_ENTITY = (f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [ <!ENTITY x SYSTEM "file:///etc/passwd"> ]>\n'
                   f'<rdf:RDF xmlns:rdf="{RDF}" xmlns:ex="http://example.org/">\n'
                   ' <rdf:Description rdf:about="http://example.org/s"><ex:p>&x;</ex:p></rdf:Description>\n'
                   "</rdf:RDF>\n").encode()


def analyze(graph: Path, tmp_path: Path) -> list[str]:
    """``analyze --graph``, which must refuse: its stderr lines."""
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["analyze", "--graph", str(graph), "--out", str(out)])
    assert result.exit_code == 2, (result.output, result.exception)
    assert isinstance(result.exception, SystemExit)
    assert not out.exists()
    return result.stderr.splitlines()


def test_the_billion_laughs_is_under_a_kilobyte() -> None:
    assert len(BILLION_LAUGHS) < 1000 and declares_xml_entities(BILLION_LAUGHS)


@pytest.mark.parametrize("name, content", [("laughs.rdf", BILLION_LAUGHS), ("laughs.owl", BILLION_LAUGHS),
                                           ("external.rdf", EXTERNAL_ENTITY)])
def test_rdfxml_declaring_entities_is_refused_before_parsing(name: str, content: bytes, tmp_path: Path) -> None:
    graph = tmp_path / name
    graph.write_bytes(content)
    refused = f"error: {graph}: RDF/XML that declares XML entities (<!ENTITY ...>) is refused"
    assert analyze(graph, tmp_path) == [refused]


def test_an_entity_declaration_across_read_chunks_is_found(tmp_path: Path, monkeypatch) -> None:
    from practice_graph.sparql import store

    monkeypatch.setattr(store, "READ_CHUNK", 5)  # "<!ENTITY" falls across two reads
    graph = tmp_path / "laughs.rdf"
    graph.write_bytes(BILLION_LAUGHS)
    assert declares_xml_entities(graph)
    graph.write_bytes(BILLION_LAUGHS.replace(b"<!ENTITY", b"<!-- --->"))
    assert not declares_xml_entities(graph)


@pytest.mark.parametrize("context", [
    "http://127.0.0.1:{port}/context.jsonld",
    ["http://127.0.0.1:{port}/context.jsonld"],
    {"@import": "http://127.0.0.1:{port}/context.jsonld", "p": "http://example.org/p"},
])
def test_a_remote_jsonld_context_is_not_fetched(context, listener: Listener, tmp_path: Path) -> None:
    document = {"@context": json.loads(json.dumps(context).replace("{port}", str(listener.port))),
                "@id": "http://example.org/s", "p": "x"}
    graph = tmp_path / "remote-context.jsonld"
    graph.write_text(json.dumps(document), encoding="utf-8")
    [line] = analyze(graph, tmp_path)
    assert line.startswith(f"error: {graph}: not readable as RDF: ") and "remote contexts" in line
    assert listener.connections == 0


def test_a_file_jsonld_context_is_not_read(tmp_path: Path) -> None:
    # A context that would make the document readable, were it read.
    context = tmp_path / "context.jsonld"
    context.write_text(json.dumps({"@context": {"p": "http://example.org/p"}}), encoding="utf-8")
    graph = tmp_path / "file-context.jsonld"
    graph.write_text(json.dumps({"@context": context.as_uri(), "@id": "http://example.org/s", "p": "x"}),
                     encoding="utf-8")
    [line] = analyze(graph, tmp_path)
    assert line.startswith(f"error: {graph}: not readable as RDF: ") and "remote contexts" in line


class RdfXmlBomb(http.server.BaseHTTPRequestHandler):
    """An endpoint that answers every query with the billion laughs as RDF/XML."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(200)
        self.send_header("Content-Type", "application/rdf+xml")
        self.send_header("Content-Length", str(len(BILLION_LAUGHS)))
        self.end_headers()
        self.wfile.write(BILLION_LAUGHS)

    def log_message(self, *args: object) -> None:
        pass


def test_an_endpoint_answering_rdfxml_with_entities_is_refused() -> None:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), RdfXmlBomb)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/sparql"
        with pytest.raises(RemoteError, match="RDF/XML that declares XML entities is refused"):
            remote_query(url, "CONSTRUCT WHERE { ?s ?p ?o }", timeout=10)
    finally:
        server.shutdown()
        server.server_close()
