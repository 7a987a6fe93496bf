"""The build pipeline as one call, and the built graph ready to use.

``build`` loads, validates, builds the RDF, checks SHACL and serialises, stamping the result with
the hashes of the data, ontology and code it was made from (``core.stamp``). ``built_ntriples`` is
the graph every other command reads: looked up in the cache of built graphs (``core.cache``) by the
stamp of the current data, ontology and code, whatever the current folder. A missing or stale
build is made once, with a one-line notice on standard error, and kept there.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from practice_graph.core.cache import cached_ntriples, latest_stamp, store_ntriples
from practice_graph.core.paths import (
    ANALYSIS_DIR,
    DEFAULT_DATA,
    DEFAULT_ONTOLOGY,
    NTRIPLES,
    ONTOLOGY_FILE,
    SHAPES_FILE,
    STAMP,
    VIEWER_FILE,
)
from practice_graph.core.stamp import BuildStamp, current_stamp

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
    """A validated dataset, its graph, the serialised outputs and the stamp of what it was made from."""

    dataset: Dataset
    graph: Graph
    files: dict[str, bytes]
    stamp: BuildStamp


def load_valid(data_dir: Path) -> Dataset:
    """Load and check the curated data; raise BuildFailed with every problem found."""
    # Stages are imported when used: `practice-graph query` on a current build never needs them
    # (pydantic, YAML and rdflib cost most of the 0.3 s start-up budget).
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
    """Everything up to writing: load, validate, build, SHACL, serialise, stamp."""
    # start-up time: rdflib and pyshacl load only when a build runs
    from practice_graph.rdf.build import build_graph
    from practice_graph.rdf.export import serialise
    from practice_graph.rdf.shacl import ontology_graph, shacl_problems

    stamp = current_stamp(data_dir, ontology_dir)  # hashed before reading: a later edit makes it stale
    dataset = load_valid(data_dir)
    graph = build_graph(dataset)
    if shacl:
        for required in (ontology_dir / ONTOLOGY_FILE, ontology_dir / SHAPES_FILE):
            if not required.is_file():
                raise BuildFailed([f"{required}: (file): file not found"])
        problems = shacl_problems(graph + ontology_graph(ontology_dir), ontology_dir / SHAPES_FILE)
        if problems:
            raise BuildFailed(problems)
    files = serialise(graph)
    stamp = stamp.with_ntriples(files[NTRIPLES])
    files[STAMP] = stamp.to_json()
    return Built(dataset, graph, files, stamp)


def render_outputs(built: Built) -> dict[str, bytes]:
    """Every file of ``dist/``, rendered in memory: the RDF serialisations, the analysis and the viewer.

    The analysis and the viewer read the built N-Triples through their view queries on an embedded
    store. Nothing is written until all of it has rendered, so a failure leaves earlier outputs as they were.
    """
    # start-up time: pyoxigraph, networkx, matplotlib and pyvis load only when outputs are rendered
    from practice_graph.sparql.store import oxigraph_store
    from practice_graph.views.dataset import embed_dataset_jsonld
    from practice_graph.views.read import Source
    from practice_graph.views.report import render_analysis
    from practice_graph.views.viewer import render_html, viewer_data

    files = dict(built.files)
    source = Source(store=oxigraph_store(built.files[NTRIPLES]))  # one Source: each view query runs once
    for name, content in render_analysis(source).items():
        files[f"{ANALYSIS_DIR}/{name}"] = content
    files[VIEWER_FILE] = embed_dataset_jsonld(render_html(viewer_data(source)), built.graph).encode("utf-8")
    return files


def keep(built: Built) -> bool:
    """Keep a build's N-Triples in the cache of built graphs; False when the cache cannot be written."""
    try:
        store_ntriples(built.stamp, built.files[NTRIPLES])
    except OSError:
        return False
    return True


_last_read: dict[str, bytes] = {}  # the graph this process read last, by stamp key


def built_ntriples(data_dir: Path = DEFAULT_DATA, ontology_dir: Path = DEFAULT_ONTOLOGY) -> bytes:
    """The graph of ``data_dir`` and ``ontology_dir`` as canonical N-Triples, current with the code.

    Read from the cache of built graphs when a build of the same data, ontology and code is there;
    otherwise built (without SHACL) once, with a one-line notice on standard error, and kept in the
    cache. Raises ``BuildFailed`` when the data is broken.
    """
    return current_build(data_dir, ontology_dir)[1]


def current_build(data_dir: Path = DEFAULT_DATA, ontology_dir: Path = DEFAULT_ONTOLOGY) -> tuple[str, bytes]:
    """The key of the current build's stamp and its N-Triples (see :func:`built_ntriples`)."""
    stamp = current_stamp(data_dir, ontology_dir)
    if stamp.key not in _last_read:
        ntriples = cached_ntriples(stamp)
        if ntriples is None:
            ntriples = _build_and_keep(stamp, data_dir, ontology_dir)
        _last_read.clear()
        _last_read[stamp.key] = ntriples
    return stamp.key, _last_read[stamp.key]


def _build_and_keep(stamp: BuildStamp, data_dir: Path, ontology_dir: Path) -> bytes:
    previous = latest_stamp()
    changed = stamp.changed_since(previous) if previous else []
    reason = f"{', '.join(changed)} changed" if changed else "no build yet" if previous is None else "cache damaged"
    print(f"building the graph ({reason}) ... ", end="", file=sys.stderr, flush=True)
    started = time.perf_counter()
    try:
        built = build(data_dir, ontology_dir, shacl=False)
    except BaseException:
        print("failed", file=sys.stderr, flush=True)
        raise
    kept = "" if keep(built) else " (not kept: the cache folder cannot be written)"
    print(f"done in {time.perf_counter() - started:.1f} s{kept}", file=sys.stderr, flush=True)
    return built.files[NTRIPLES]


def load_graph(data_dir: Path = DEFAULT_DATA, ontology_dir: Path = DEFAULT_ONTOLOGY) -> Graph:
    """The built graph as an rdflib Graph (see :func:`built_ntriples`)."""
    from practice_graph.sparql.store import rdflib_graph  # start-up time: rdflib

    return rdflib_graph(built_ntriples(data_dir, ontology_dir))
