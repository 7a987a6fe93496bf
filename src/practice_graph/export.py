"""Serialise the graph: Turtle, canonical sorted N-Triples, JSON-LD with a context.

Every output is produced in memory first and then written atomically (a temporary file in the
same folder, renamed over the target), so a failed build leaves earlier outputs as they were.
Outputs are byte-for-byte deterministic: N-Triples lines are sorted, and Turtle and JSON-LD are
serialised from a graph re-read from those sorted lines.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

from rdflib import Graph

from practice_graph.build import PREFIXES
from practice_graph.pipeline import NTRIPLES

TURTLE = "practice-graph.ttl"
JSONLD = "practice-graph.jsonld"
CONTEXT = "context.jsonld"
__all__ = ["CONTEXT", "JSONLD", "NTRIPLES", "TURTLE", "serialise", "write_atomically", "write_outputs"]


def canonical_ntriples(graph: Graph) -> str:
    """N-Triples with one triple a line, lines sorted (no blank nodes are used)."""
    text = graph.serialize(format="nt", encoding="utf-8").decode("utf-8")
    lines = sorted({line for line in text.splitlines() if line.strip()})
    return "\n".join(lines) + "\n"


def jsonld_context() -> dict[str, object]:
    """The JSON-LD context: the prefixes the graph uses."""
    return {"@context": {prefix: str(namespace) for prefix, namespace in sorted(PREFIXES.items())}}


def _sorted_graph(ntriples: str) -> Graph:
    graph = Graph()
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True)
    graph.parse(data=ntriples, format="nt")
    return graph


def _jsonld(graph: Graph) -> str:
    context = jsonld_context()["@context"]
    text = graph.serialize(format="json-ld", context=context, auto_compact=True)
    document = json.loads(text)
    nodes = document.get("@graph", [])
    nodes.sort(key=lambda node: node.get("@id", ""))
    return json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def serialise(graph: Graph) -> dict[str, bytes]:
    """All RDF outputs by file name."""
    ntriples = canonical_ntriples(graph)
    stable = _sorted_graph(ntriples)
    turtle = stable.serialize(format="turtle", encoding="utf-8")
    return {
        NTRIPLES: ntriples.encode("utf-8"),
        TURTLE: turtle,
        JSONLD: _jsonld(stable).encode("utf-8"),
        CONTEXT: (json.dumps(jsonld_context(), indent=1, sort_keys=True) + "\n").encode("utf-8"),
    }


def write_atomically(path: Path, content: bytes) -> None:
    """Write ``content`` to ``path`` through a temporary file renamed over it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(content)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_outputs(out_dir: Path, files: Mapping[str, bytes]) -> list[Path]:
    """Write every prepared output atomically; returns the paths written."""
    written = []
    for name in sorted(files):
        target = out_dir / name
        write_atomically(target, files[name])
        written.append(target)
    return written
