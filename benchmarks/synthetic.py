"""A synthetic graph of the real graph's shape, k times as large.

The real built graph (canonical N-Triples) is replicated k times. Every node under
``https://w3id.org/practice-graph/id/`` that is an *instance* (regions, practices, measures,
agencies, organisations, arrangements and their participations, platforms, documents,
brands, events, indicators, reified statements, evidence and its selectors) gets a per-copy
suffix: copy 0 keeps the real IRIs, copy i > 0 appends ``~i`` (``.../id/henan~3``). The
*shared* nodes stay as they are in every copy, so the competency questions keep their
meaning: the concept schemes and their concepts (department types, administrative levels,
roles, kinds ..., and the mechanisms with their categories), the dataset description and the
source document. An instance's ``dcterms:identifier`` gets the same suffix, so each copy's
records have ids of their own. Anything outside the id namespace (the ontology, external
vocabularies) is never rewritten.

A triple that mentions no instance is *shared* and written once; every other triple is written
once per copy. So the synthetic graph holds exactly ``S + k * (N - S)`` triples, where N is
the real graph's size and S its shared part (:func:`split`).

Output is canonical N-Triples (the real graph's lines, rewritten at the text level), in a
deterministic order: the shared triples, then copy 0 (the real graph's instance triples, in
their sorted order), copy 1, ... Run as a script::

    PYTHONPATH=src python3 benchmarks/synthetic.py 66 > /tmp/synthetic-66.nt
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

ID_BASE = "https://w3id.org/practice-graph/id/"
COPY_SEPARATOR = "~"
RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
IDENTIFIER = "<http://purl.org/dc/terms/identifier>"
SHARED_TYPES = frozenset({
    "<http://www.w3.org/2004/02/skos/core#ConceptScheme>",
    "<http://www.w3.org/2004/02/skos/core#Concept>",
    "<http://www.w3.org/ns/org#Role>",
    "<https://w3id.org/practice-graph/ontology#Mechanism>",
    "<https://w3id.org/practice-graph/ontology#MechanismCategory>",
    "<https://w3id.org/practice-graph/ontology#SourceDocument>",
    "<http://rdfs.org/ns/void#Dataset>",
    "<http://www.w3.org/ns/dcat#Dataset>",
})
# One N-Triples line: subject, predicate, object (IRI, blank node or literal).
TRIPLE_LINE = re.compile(r"^(<[^>]*>|_:\S+) (<[^>]*>) (.*) \.$")
MARK = "\x00"  # where a copy's suffix goes in the template (never in N-Triples text)


@dataclass(frozen=True)
class Split:
    """The real graph cut into what is written once and what is written per copy."""

    shared: str  # shared triples, N-Triples text
    template: str  # instance triples, with MARK where each copy's suffix goes
    shared_triples: int
    instance_triples: int
    shared_nodes: frozenset[str]

    def triples(self, copies: int) -> int:
        """The exact size of the synthetic graph with ``copies`` copies."""
        return self.shared_triples + copies * self.instance_triples


def _lines(ntriples: bytes) -> list[tuple[str, str, str]]:
    parsed = []
    for number, line in enumerate(ntriples.decode("utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        match = TRIPLE_LINE.match(line)
        if not match:
            raise ValueError(f"line {number}: not a canonical N-Triples line: {line[:80]!r}")
        parsed.append((match.group(1), match.group(2), match.group(3)))
    return parsed


def _is_instance(term: str, shared_nodes: frozenset[str]) -> bool:
    if term.startswith("_:"):
        return True
    return term.startswith("<" + ID_BASE) and term not in shared_nodes


def _rename(term: str, shared_nodes: frozenset[str]) -> str:
    if term.startswith("_:"):
        return term + MARK
    if _is_instance(term, shared_nodes):
        if COPY_SEPARATOR in term:
            raise ValueError(f"an id already holds the copy separator {COPY_SEPARATOR!r}: {term}")
        return term[:-1] + MARK + ">"
    return term


def split(ntriples: bytes) -> Split:
    """Cut the real graph's N-Triples into shared triples and a per-copy template."""
    triples = _lines(ntriples)
    shared_nodes = frozenset(
        subject for subject, predicate, obj in triples
        if predicate == RDF_TYPE and obj in SHARED_TYPES and subject.startswith("<" + ID_BASE)
    )
    shared: list[str] = []
    template: list[str] = []
    for subject, predicate, obj in triples:
        object_is_node = not obj.startswith('"')
        if _is_instance(subject, shared_nodes) or (object_is_node and _is_instance(obj, shared_nodes)):
            new_object = _rename(obj, shared_nodes) if object_is_node else obj
            if predicate == IDENTIFIER and obj.endswith('"'):  # a copy's records have their own ids
                new_object = obj[:-1] + MARK + '"'
            template.append(f"{_rename(subject, shared_nodes)} {predicate} {new_object} .\n")
        else:
            shared.append(f"{subject} {predicate} {obj} .\n")
    return Split("".join(shared), "".join(template), len(shared), len(template), shared_nodes)


def suffix(copy: int) -> str:
    """What copy ``copy`` appends to each instance id (copy 0 is the real graph)."""
    return f"{COPY_SEPARATOR}{copy}" if copy else ""


def chunks(ntriples: bytes, copies: int, progress: bool = False) -> Iterator[bytes]:
    """The synthetic graph as N-Triples, one chunk for the shared part and one per copy."""
    if copies < 1:
        raise ValueError(f"copies must be at least 1, got {copies}")
    parts = split(ntriples)
    yield parts.shared.encode("utf-8")
    template = parts.template.encode("utf-8")
    mark = MARK.encode("ascii")
    bar = _Progress(copies, "synthetic graph copies") if progress else None
    for copy in range(copies):
        yield template.replace(mark, suffix(copy).encode("ascii"))
        if bar:
            bar.update(copy + 1)
    if bar:
        bar.close()


def synthetic_ntriples(ntriples: bytes, copies: int) -> bytes:
    """The whole synthetic graph in memory (fine up to a few hundred MB)."""
    return b"".join(chunks(ntriples, copies))


def write(ntriples: bytes, copies: int, out: BinaryIO, progress: bool = False) -> int:
    """Stream the synthetic graph to ``out``; returns the bytes written."""
    written = 0
    for chunk in chunks(ntriples, copies, progress=progress):
        out.write(chunk)
        written += len(chunk)
    return written


def write_file(ntriples: bytes, copies: int, path: Path, progress: bool = False) -> int:
    """Write the synthetic graph to ``path`` atomically (temp file, then rename)."""
    temporary = path.with_name(path.name + ".tmp")
    with temporary.open("wb") as out:
        written = write(ntriples, copies, out, progress=progress)
    temporary.replace(path)
    return written


class _Progress:
    """A one-line progress bar on standard error."""

    def __init__(self, total: int, label: str, width: int = 30) -> None:
        self.total, self.label, self.width = total, label, width
        self.update(0)

    def update(self, done: int) -> None:
        filled = self.width * done // self.total
        sys.stderr.write(f"\r{self.label} [{'#' * filled}{'.' * (self.width - filled)}] {done}/{self.total}")
        sys.stderr.flush()

    def close(self) -> None:
        sys.stderr.write("\n")
        sys.stderr.flush()


def real_ntriples() -> bytes:
    """The real built graph (``dist/`` when current, else built in memory)."""
    from practice_graph.pipeline import built_ntriples

    return built_ntriples()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write a synthetic graph of the real graph's shape, k copies.")
    parser.add_argument("copies", type=int, help="k, the number of copies (66 gives about 1M triples)")
    parser.add_argument("--out", type=Path, help="File to write (default: standard output)")
    parser.add_argument("--no-progress", action="store_true", help="No progress bar on standard error")
    args = parser.parse_args(argv)
    if args.copies < 1:
        parser.error("copies must be at least 1")
    real = real_ntriples()
    parts = split(real)
    progress = not args.no_progress and args.copies >= 10
    if args.out:
        written = write_file(real, args.copies, args.out, progress=progress)
    else:
        written = write(real, args.copies, sys.stdout.buffer, progress=progress)
        sys.stdout.buffer.flush()
    print(f"{parts.triples(args.copies):,} triples ({parts.shared_triples:,} shared + {args.copies} x "
          f"{parts.instance_triples:,}), {written:,} bytes", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
