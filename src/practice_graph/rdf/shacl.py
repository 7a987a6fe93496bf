"""SHACL: the shapes run over a built graph, and the ontology they are checked with."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from practice_graph.core.paths import DEFAULT_ONTOLOGY, ONTOLOGY_FILE

if TYPE_CHECKING:
    from rdflib import Graph


def shacl_problems(graph: Any, shapes_path: Path) -> list[str]:
    """Run the SHACL shapes over a built graph (an rdflib Graph); one message per violation."""
    import pyshacl
    from rdflib import Graph
    from rdflib.namespace import SH

    shapes = Graph().parse(shapes_path, format="turtle")
    conforms, report, _ = pyshacl.validate(graph, shacl_graph=shapes, inference="none", advanced=True)
    if conforms:
        return []
    messages = []
    for result in report.subjects(SH.resultSeverity, SH.Violation):
        focus = report.value(result, SH.focusNode)
        path = report.value(result, SH.resultPath)
        message = report.value(result, SH.resultMessage)
        value = report.value(result, SH.value)
        messages.append(f"{shapes_path}: SHACL: {focus} {path}: {message}" + (f" (value: {value})" if value else ""))
    return sorted(messages) or ["SHACL: the graph does not conform"]


def ontology_graph(ontology_dir: Path = DEFAULT_ONTOLOGY) -> Graph:
    """The ontology (classes and properties) as an rdflib Graph."""
    from rdflib import Graph

    return Graph().parse(ontology_dir / ONTOLOGY_FILE, format="turtle")
