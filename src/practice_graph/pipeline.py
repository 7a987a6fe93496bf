"""The build pipeline as one call: load, validate, build RDF, SHACL, serialise, write.

Also the built graph, ready to use: analysis, the viewer, the query command and the endpoint
start from the canonical N-Triples of a build, read from ``dist/`` when current.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from practice_graph.core.paths import (
    ANALYSIS_DIR,
    DEFAULT_DATA,
    DEFAULT_ONTOLOGY,
    DEFAULT_OUT,
    NTRIPLES,
    ONTOLOGY_FILE,
    SHAPES_FILE,
    VIEWER_FILE,
)

if TYPE_CHECKING:  # heavy imports stay out of the CLI's start-up
    from rdflib import Graph

    from practice_graph.curation.load import Dataset



class BuildFailed(Exception):
    """The data or the built graph broke a rule; ``problems`` lists each one."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s)")


@dataclass
class Built:
    """A validated dataset, its graph, and the serialised outputs."""

    dataset: Dataset
    graph: Graph
    files: dict[str, bytes]


def load_valid(data_dir: Path) -> Dataset:
    """Load and check the curated data; raise BuildFailed with every problem found."""
    from practice_graph import __version__
    from practice_graph.curation.load import DataError, load_dataset
    from practice_graph.curation.release import read_release
    from practice_graph.curation.validate import validate_dataset

    try:
        dataset = load_dataset(data_dir)
        read_release(data_dir, __version__)  # a malformed data/release.yaml fails here, at its line
    except DataError as error:
        raise BuildFailed([str(error)]) from None
    problems = validate_dataset(dataset)
    if problems:
        raise BuildFailed([str(problem) for problem in problems])
    return dataset


def build(data_dir: Path = DEFAULT_DATA, ontology_dir: Path = DEFAULT_ONTOLOGY, shacl: bool = True) -> Built:
    """Everything up to writing: load, validate, build, SHACL, serialise."""
    from practice_graph.rdf.build import build_graph
    from practice_graph.rdf.export import serialise
    from practice_graph.rdf.shacl import ontology_graph, shacl_problems

    dataset = load_valid(data_dir)
    graph = build_graph(dataset)
    if shacl:
        for required in (ontology_dir / ONTOLOGY_FILE, ontology_dir / SHAPES_FILE):
            if not required.is_file():
                raise BuildFailed([f"{required}: (file): file not found"])
        problems = shacl_problems(graph + ontology_graph(ontology_dir), ontology_dir / SHAPES_FILE)
        if problems:
            raise BuildFailed(problems)
    return Built(dataset, graph, serialise(graph))


def render_outputs(built: Built) -> dict[str, bytes]:
    """Every file of ``dist/``, rendered in memory: the RDF serialisations, the analysis and the viewer.

    Nothing is written until all of it has rendered, so a failure leaves earlier outputs as they were.
    """
    from practice_graph.views.dataset import embed_dataset_jsonld
    from practice_graph.views.report import render_analysis
    from practice_graph.views.viewer import render_html, viewer_data

    files = dict(built.files)
    for name, content in render_analysis(built.graph).items():
        files[f"{ANALYSIS_DIR}/{name}"] = content
    files[VIEWER_FILE] = embed_dataset_jsonld(render_html(viewer_data(built.graph)), built.graph).encode("utf-8")
    return files


def class_counts(graph: Graph) -> Counter[str]:
    """Instances per class, by compact name."""
    from rdflib import RDF

    counts: Counter[str] = Counter()
    for _, rdf_class in graph.subject_objects(RDF.type):
        counts[graph.namespace_manager.normalizeUri(rdf_class)] += 1
    return counts


def predicate_counts(graph: Graph) -> Counter[str]:
    """Triples per predicate, by compact name."""
    counts: Counter[str] = Counter()
    for _, predicate, _ in graph:
        counts[graph.namespace_manager.normalizeUri(predicate)] += 1
    return counts


def _newest_mtime(*folders: Path) -> float:
    return max(
        (path.stat().st_mtime for folder in folders for path in folder.rglob("*") if path.is_file()),
        default=0.0,
    )


def built_ntriples(data_dir: Path = DEFAULT_DATA, ontology_dir: Path = DEFAULT_ONTOLOGY,
                   out_dir: Path = DEFAULT_OUT) -> bytes:
    """The graph as canonical N-Triples; raises ``BuildFailed`` when the data is broken."""
    built_file = out_dir / NTRIPLES
    if built_file.is_file() and built_file.stat().st_mtime >= _newest_mtime(data_dir, ontology_dir):
        return built_file.read_bytes()
    return build(data_dir, ontology_dir, shacl=False).files[NTRIPLES]


def load_graph(data_dir: Path = DEFAULT_DATA, ontology_dir: Path = DEFAULT_ONTOLOGY,
               out_dir: Path = DEFAULT_OUT) -> Graph:
    """The built graph as an rdflib Graph (see :func:`built_ntriples`)."""
    from practice_graph.sparql.store import rdflib_graph

    return rdflib_graph(built_ntriples(data_dir, ontology_dir, out_dir))
