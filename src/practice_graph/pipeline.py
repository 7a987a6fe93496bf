"""The build pipeline as one call: load, validate, build RDF, SHACL, serialise, write."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # heavy imports stay out of the CLI's start-up
    from rdflib import Graph

    from practice_graph.load import Dataset

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent.parent
DEFAULT_DATA = PROJECT_DIR / "data"
DEFAULT_ONTOLOGY = PROJECT_DIR / "ontology"
DEFAULT_OUT = Path("dist")
ONTOLOGY_FILE = "practice-graph.ttl"
SHAPES_FILE = "shapes.ttl"
NTRIPLES = "practice-graph.nt"
ANALYSIS_DIR = "analysis"


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
    from practice_graph.load import DataError, load_dataset
    from practice_graph.validate import validate_dataset

    try:
        dataset = load_dataset(data_dir)
    except DataError as error:
        raise BuildFailed([str(error)]) from None
    problems = validate_dataset(dataset)
    if problems:
        raise BuildFailed([str(problem) for problem in problems])
    return dataset


def build(data_dir: Path = DEFAULT_DATA, ontology_dir: Path = DEFAULT_ONTOLOGY, shacl: bool = True) -> Built:
    """Everything up to writing: load, validate, build, SHACL, serialise."""
    from practice_graph.build import build_graph
    from practice_graph.export import serialise
    from practice_graph.validate import shacl_problems

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
    from practice_graph.analysis_report import render_analysis
    from practice_graph.visualise import VIEWER_FILE, render_html, viewer_data

    files = dict(built.files)
    for name, content in render_analysis(built.graph).items():
        files[f"{ANALYSIS_DIR}/{name}"] = content
    files[VIEWER_FILE] = render_html(viewer_data(built.graph)).encode("utf-8")
    return files


def ontology_graph(ontology_dir: Path = DEFAULT_ONTOLOGY) -> Graph:
    """The ontology (classes and properties) as an rdflib Graph."""
    from rdflib import Graph

    return Graph().parse(ontology_dir / ONTOLOGY_FILE, format="turtle")


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
