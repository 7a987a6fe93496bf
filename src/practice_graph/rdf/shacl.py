"""SHACL: the shapes run over a built graph, and the ontology they are checked with.

Two engines read the same shapes. pyshacl-turbo (Rust, pySHACL's API) decides whether the graph
conforms: 0.3 s on the real graph. When it does not, pyshacl (the reference implementation) is
run too and its report gives the lines people read, because its default messages say what is
wrong ("Value is not Literal with datatype xsd:string") where pyshacl-turbo's only name the
constraint. ``tests/test_shacl.py`` checks on a corpus of broken graphs that both engines report
the same violations: same focus node, path, constraint and value.

A graph found to conform is remembered in the cache of renders (``core.renders``) under the key of
everything the verdict depends on (:func:`shacl_key`): the graph's canonical N-Triples, the shapes, the
ontology, the engines' and rdflib's versions and this module. A later check of the same graph with the
same shapes and engines gives the same verdict without running an engine; any change runs them again.
Only conforming verdicts are kept: a graph that does not conform is checked, and explained, each time.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from practice_graph.core.paths import DEFAULT_ONTOLOGY, ONTOLOGY_FILE, SHAPES_FILE
from practice_graph.core.renders import cached_render, keep_render

if TYPE_CHECKING:
    from rdflib import Graph

FAST_ENGINE = "pyshacl-turbo"
REFERENCE_ENGINE = "pyshacl"
ENGINES = (FAST_ENGINE, REFERENCE_ENGINE)
VERDICT_LIBRARIES = (FAST_ENGINE, REFERENCE_ENGINE, "rdflib")  # the engines, and the parser of shapes and graph
VERDICT = "shacl-verdict"  # the name of a kept verdict in the cache of renders
CONFORMS = {"verdict.txt": b"conforms\n"}


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


@lru_cache(maxsize=1)
def _engines() -> str:
    from importlib.metadata import PackageNotFoundError, version

    def installed(name: str) -> str:
        try:
            return version(name)
        except PackageNotFoundError:
            return "-"

    return "\n".join(f"{name} {installed(name)}" for name in VERDICT_LIBRARIES)


def shacl_key(ntriples: bytes, ontology_dir: Path) -> str:
    """The key of a SHACL verdict: the graph (canonical N-Triples), the shapes and the ontology checked
    with it (their bytes), the versions of the engines and of rdflib, and this module."""
    parts = [ntriples, (ontology_dir / SHAPES_FILE).read_bytes(), (ontology_dir / ONTOLOGY_FILE).read_bytes(),
             Path(__file__).read_bytes(), _engines().encode()]
    return hashlib.sha256(b"".join(hashlib.sha256(part).digest() for part in parts)).hexdigest()


def checked_problems(ntriples: bytes, graph: Callable[[], Graph], ontology_dir: Path = DEFAULT_ONTOLOGY,
                     reuse: bool = True) -> list[str]:
    """:func:`shacl_problems` of a built graph with the ontology of ``ontology_dir``: none when the same
    graph (``ntriples``, its canonical N-Triples) was found to conform with the same shapes, ontology and
    engines (``reuse``); else the engines run on ``graph()`` (the same graph as an rdflib Graph) and a
    conforming verdict is kept. Raises OSError when the shapes or the ontology cannot be read."""
    key = shacl_key(ntriples, ontology_dir)
    if reuse and cached_render(key, VERDICT) == CONFORMS:
        return []
    problems = shacl_problems(graph(), ontology_dir / SHAPES_FILE, ontology=ontology_graph(ontology_dir))
    if not problems:
        keep_render(key, VERDICT, CONFORMS)
    return problems


def ontology_graph(ontology_dir: Path = DEFAULT_ONTOLOGY) -> Graph:
    """The ontology (classes and properties) as an rdflib Graph."""
    from rdflib import Graph

    return Graph().parse(ontology_dir / ONTOLOGY_FILE, format="turtle")
