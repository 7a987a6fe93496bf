"""Serialisations written with pyoxigraph: the same canonical N-Triples as rdflib's writer, and
Turtle and JSON-LD that hold the same graph, whatever order the graph was filled in."""

from __future__ import annotations

import random

from rdflib import RDF, XSD, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from practice_graph.core.paths import JSONLD, NTRIPLES, TURTLE
from practice_graph.pipeline import Built
from practice_graph.rdf.export import canonical_ntriples, serialise

EX = "https://example.org/"
AWKWARD_TEXTS = [
    "tab\there", "two\t\ttabs", "line\nbreak", "carriage\rreturn", 'a "quote"', "back\\slash",
    "a backslash then t: \\t", "\\\\t", "bell\x07 and nul\x00", "form\ffeed and back\bspace", "del\x7f",
    "next line\x85, line separator\u2028, paragraph separator\u2029, file separator\x1c",
    "中文，全角标点。", "emoji 🏗", "<b>markup</b> & entities &amp;", "", " ",
]


def rdflib_ntriples(graph: Graph) -> str:
    """The N-Triples the build wrote before (rdflib's writer, lines sorted): RDF 1.1 canonical form.

    Split at line feeds only: the former code's ``splitlines()`` also split inside literals at a
    form feed, U+0085 or U+2028 and sorted the pieces apart.
    """
    text = graph.serialize(format="nt", encoding="utf-8").decode("utf-8")
    return "\n".join(sorted({line for line in text.split("\n") if line.strip()})) + "\n"


def awkward_graph() -> Graph:
    graph = Graph()
    for number, text in enumerate(AWKWARD_TEXTS):
        subject = URIRef(f"{EX}s{number}")
        graph.add((subject, RDF.type, URIRef(EX + "Thing")))
        graph.add((subject, URIRef(EX + "plain"), Literal(text)))
        graph.add((subject, URIRef(EX + "tagged"), Literal(text, lang="zh")))
        graph.add((subject, URIRef(EX + "typed"), Literal(text, datatype=URIRef(EX + "type"))))
    graph.add((URIRef(EX + "n"), URIRef(EX + "count"), Literal(3)))
    graph.add((URIRef(EX + "n"), URIRef(EX + "flag"), Literal(True)))
    graph.add((URIRef(EX + "n"), URIRef(EX + "ratio"), Literal("1.50", datatype=XSD.decimal)))
    return graph


def shuffled(graph: Graph, seed: int) -> Graph:
    triples = list(graph)
    random.Random(seed).shuffle(triples)
    again = Graph()
    for triple in triples:
        again.add(triple)
    return again


def test_ntriples_are_byte_identical_to_rdflibs_on_the_real_graph(built: Built) -> None:
    assert built.files[NTRIPLES].decode("utf-8") == rdflib_ntriples(built.graph)


def test_ntriples_are_byte_identical_to_rdflibs_on_awkward_literals() -> None:
    graph = awkward_graph()
    written = canonical_ntriples(graph)
    assert written == rdflib_ntriples(graph)
    assert '"tab\there"' in written  # RDF 1.1 canonical: a tab is not escaped
    assert '"a backslash then t: \\\\t"' in written
    assert isomorphic(Graph().parse(data=written, format="nt"), graph)


def test_every_output_is_the_same_whatever_order_the_graph_was_filled_in() -> None:
    graph = awkward_graph()
    assert serialise(shuffled(graph, 1)) == serialise(shuffled(graph, 2)) == serialise(graph)


def test_turtle_and_jsonld_hold_the_same_graph_as_the_ntriples() -> None:
    graph = awkward_graph()
    files = serialise(graph)
    assert isomorphic(Graph().parse(data=files[TURTLE], format="turtle"), graph)
    assert isomorphic(Graph().parse(data=files[JSONLD], format="json-ld"), graph)


def test_turtle_is_grouped_by_subject_with_sorted_prefixes(built: Built) -> None:
    text = built.files[TURTLE].decode("utf-8")
    header, _, body = text.partition("\n\n")
    prefixes = header.splitlines()
    assert prefixes == sorted(prefixes) and all(line.startswith("@prefix ") for line in prefixes)
    assert "pgid:" in header and "pg:" in header
    blocks = body.rstrip("\n").split("\n\n")
    subjects = [block.split(" ", 1)[0] for block in blocks]
    assert len(subjects) == len(set(subjects)) == len(set(built.graph.subjects()))
    henan = next(block for block in blocks if block.startswith("pgid:henan "))
    assert henan.startswith("pgid:henan a pg:Region ;")
