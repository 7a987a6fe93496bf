"""SHACL: the shapes run over a built graph, and the ontology they are checked with.

Two engines read the same shapes. pyshacl-turbo (Rust, pySHACL's API) decides whether the graph
conforms: 0.3 s on the real graph. When it does not, pyshacl (the reference implementation) is
run too and its report gives the lines people read, because its default messages say what is
wrong ("Value is not Literal with datatype xsd:string") where pyshacl-turbo's only name the
constraint. ``tests/test_shacl.py`` checks on a corpus of broken graphs that both engines report
the same violations: same focus node, path, constraint and value.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from practice_graph.core.paths import DEFAULT_ONTOLOGY, ONTOLOGY_FILE

if TYPE_CHECKING:
    from rdflib import Graph

FAST_ENGINE = "pyshacl-turbo"
REFERENCE_ENGINE = "pyshacl"
ENGINES = (FAST_ENGINE, REFERENCE_ENGINE)


@dataclass(frozen=True, order=True)
class Violation:
    """One SHACL validation result of severity Violation, its terms as N-Triples-free text."""

    focus: str
    path: str
    component: str
    value: str
    message: str

    @property
    def key(self) -> tuple[str, str, str, str]:
        """What the result is about, whatever the engine's wording: focus, path, constraint, value."""
        return self.focus, self.path, self.component, self.value

    def line(self, shapes_path: Path) -> str:
        """The problem line the build prints."""
        value = f" (value: {self.value})" if self.value else ""
        return f"{shapes_path}: SHACL: {self.focus} {self.path or None}: {self.message}{value}"


def _text(term: Any) -> str:
    return "" if term is None else str(term)


def validate(graph: Graph, shapes: Graph, engine: str = FAST_ENGINE) -> tuple[bool, list[Violation]]:
    """Whether ``graph`` (an rdflib Graph, ontology included) conforms, and every violation, sorted."""
    from rdflib.namespace import SH

    if engine == FAST_ENGINE:
        import pyshacl_turbo as validator
    elif engine == REFERENCE_ENGINE:
        import pyshacl as validator  # type: ignore[no-redef]
    else:
        raise ValueError(f"unknown SHACL engine {engine!r} (known: {', '.join(ENGINES)})")
    conforms, report, _ = validator.validate(graph, shacl_graph=shapes, inference="none")
    if conforms:
        return True, []
    found = []
    for result in report.subjects(SH.resultSeverity, SH.Violation):
        found.append(Violation(
            focus=_text(report.value(result, SH.focusNode)),
            path=_text(report.value(result, SH.resultPath)),
            component=_text(report.value(result, SH.sourceConstraintComponent)),
            value=_text(report.value(result, SH.value)),
            message=_text(report.value(result, SH.resultMessage)),
        ))
    return False, sorted(found)


def violations(graph: Graph, shapes: Graph, engine: str = FAST_ENGINE) -> list[Violation]:
    """Every violation the engine finds in ``graph``, sorted."""
    return validate(graph, shapes, engine)[1]


def shacl_problems(graph: Any, shapes_path: Path, ontology: Graph | None = None) -> list[str]:
    """Run the SHACL shapes over a built graph (an rdflib Graph); one message per violation.

    ``ontology``, when given, is checked with the graph (its triples are added to ``graph`` for
    the check and removed afterwards: copying the whole graph into a union took longer than the check).
    """
    from rdflib import Graph

    shapes = Graph().parse(shapes_path, format="turtle")
    with _joined(graph, ontology):
        conforms, found = validate(graph, shapes, FAST_ENGINE)
        if conforms:
            return []
        explained = violations(graph, shapes, REFERENCE_ENGINE) or found
    return sorted({violation.line(shapes_path) for violation in explained}) or ["SHACL: the graph does not conform"]


@contextmanager
def _joined(graph: Graph, ontology: Graph | None) -> Iterator[None]:
    """``graph`` holding the ontology's triples too, for the duration of the block."""
    added = [] if ontology is None else [triple for triple in ontology if triple not in graph]
    for triple in added:
        graph.add(triple)
    try:
        yield
    finally:
        for triple in added:
            graph.remove(triple)


def ontology_graph(ontology_dir: Path = DEFAULT_ONTOLOGY) -> Graph:
    """The ontology (classes and properties) as an rdflib Graph."""
    from rdflib import Graph

    return Graph().parse(ontology_dir / ONTOLOGY_FILE, format="turtle")
