"""The build pipeline as one call, and the built graph ready to use.

``build`` loads, validates, builds the RDF, checks SHACL and serialises, stamping the result with
the hashes of the data, ontology and code it was made from (``core.stamp``). ``built_ntriples`` is
the graph every other command reads: looked up in the cache of built graphs (``core.cache``) by the
stamp of the current data, ontology and code, whatever the current folder. A missing or stale
build is made once, with a one-line notice on standard error, and kept there.
"""

from __future__ import annotations

import hashlib
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from practice_graph.core.cache import cached_ntriples, latest_stamp, store_ntriples
from practice_graph.core.collector import fewer_collections
from practice_graph.core.paths import (
    ANALYSIS_DIR,
    DEFAULT_DATA,
    DEFAULT_ONTOLOGY,
    JSONLD,
    NTRIPLES,
    ONTOLOGY_FILE,
    PACKAGE_DIR,
    SHAPES_FILE,
    STAMP,
    VIEWER_FILE,
)
from practice_graph.core.progress import Phases, start
from practice_graph.core.renders import cached_render, keep_render, libraries_state, matplotlib_settings
from practice_graph.core.stamp import BuildStamp, current_stamp, tree_hash

if TYPE_CHECKING:  # heavy imports stay out of the CLI's start-up
    import pyoxigraph as ox
    from rdflib import Graph

    from practice_graph.curation.load import Dataset
    from practice_graph.rdf.build import Triple
    from practice_graph.views.read import Source


# The phases of the long commands, in order, as their progress bar names them (``core.progress.Phases``).
VALIDATE_PHASES = ("load the data", "build the RDF", "SHACL")
BUILD_PHASES = (*VALIDATE_PHASES, "serialise", "JSON-LD", "analysis", "viewer", "write")
ANALYZE_PHASES = ("read the graph", "analysis", "write")


class BuildFailed(Exception):
    """The data or the built graph broke a rule; ``problems`` lists each one."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s)")


@dataclass
class Built:
    """A validated dataset, its graph's triples, the serialised outputs and the stamp of what it was made from.

    ``graph``, the triples as an rdflib Graph, is made when first read (a build from kept renders and
    a kept SHACL verdict never needs it).
    """

    dataset: Dataset
    triples: set[Triple]
    files: dict[str, bytes]
    stamp: BuildStamp
    ox_triples: list[ox.Triple] = field(default_factory=list, repr=False)

    @cached_property
    def graph(self) -> Graph:
        """The graph as an rdflib Graph, with the model's prefixes bound."""
        from practice_graph.rdf.build import as_graph  # start-up time: rdflib

        return as_graph(self.triples, self.dataset.model)


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


def checked(data_dir: Path = DEFAULT_DATA, ontology_dir: Path = DEFAULT_ONTOLOGY, shacl: bool = True,
            reuse: bool = True, phases: Phases | None = None) -> Built:
    """Load, validate, build the triples and their canonical N-Triples, check with SHACL: a Built whose
    only file is the N-Triples. SHACL's verdict on the same graph, shapes and engines is read from the
    cache of renders with ``reuse`` (see ``rdf.shacl.checked_problems``)."""
    start(phases, "load the data")  # importing the stages is part of it
    # start-up time: rdflib and pyshacl load only when a build runs
    from practice_graph.rdf.build import build_triples
    from practice_graph.rdf.export import canonical_ntriples, ox_triples
    from practice_graph.rdf.shacl import checked_problems

    stamp = current_stamp(data_dir, ontology_dir)  # hashed before reading: a later edit makes it stale
    dataset = load_valid(data_dir)
    start(phases, "build the RDF")
    triples = build_triples(dataset)
    converted = ox_triples(triples)
    ntriples = canonical_ntriples(converted).encode("utf-8")
    built = Built(dataset, triples, {NTRIPLES: ntriples}, stamp.with_ntriples(ntriples), converted)
    if shacl:
        start(phases, "SHACL")
        for required in (ontology_dir / ONTOLOGY_FILE, ontology_dir / SHAPES_FILE):
            if not required.is_file():
                raise BuildFailed([f"{required}: (file): file not found"])
        problems = checked_problems(ntriples, lambda: built.graph, ontology_dir, reuse=reuse)
        if problems:
            raise BuildFailed(problems)
    return built


def checked_graph(data_dir: Path = DEFAULT_DATA, ontology_dir: Path = DEFAULT_ONTOLOGY,
                  shacl: bool = True) -> tuple[Dataset, Graph]:
    """Load, validate, build and check with SHACL, nothing serialised: the dataset and its graph."""
    built = checked(data_dir, ontology_dir, shacl)
    return built.dataset, built.graph


@fewer_collections()
def build(data_dir: Path = DEFAULT_DATA, ontology_dir: Path = DEFAULT_ONTOLOGY, shacl: bool = True,
          reuse: bool = True, phases: Phases | None = None) -> Built:
    """Everything up to writing: load, validate, build, SHACL, serialise, stamp.

    The JSON-LD is read from the cache of renders when this graph was serialised before by the
    same code and libraries (``reuse``; see :func:`render_key`), else written and kept there; so is
    SHACL's verdict (see :func:`checked`).
    """
    from practice_graph.rdf.export import jsonld, rdf_files  # start-up time: rdflib

    built = checked(data_dir, ontology_dir, shacl, reuse, phases)
    start(phases, "serialise")
    files = rdf_files(built.ox_triples, built.files[NTRIPLES])
    start(phases, "JSON-LD")
    key = render_key(files[NTRIPLES])
    kept = cached_render(key, "jsonld") if reuse else None
    if kept is None:
        kept = {JSONLD: jsonld(built.graph).encode("utf-8")}
        keep_render(key, "jsonld", kept)
    files[JSONLD] = kept[JSONLD]
    files[STAMP] = built.stamp.to_json()
    built.files = files
    return built


# What a render reads besides the graph and the package: these libraries (by version: every one the
# views import, a test checks, and what pyvis and matplotlib write with) and, for the charts,
# matplotlib's configuration files and environment, and the font it finds.
RENDER_LIBRARIES = ("rdflib", "pyoxigraph", "networkx", "numpy", "scipy", "matplotlib", "adjustText", "pillow",
                    "pyvis", "jinja2", "jsonpickle", "markdown-it-py", "orjson", "noto-cjk-sans-otc")


@lru_cache(maxsize=1)
def _render_environment() -> str:
    from practice_graph import __version__

    parts = [f"practice-graph {__version__}", f"package {tree_hash(PACKAGE_DIR)}"]  # every file: queries, assets too
    return "\n".join([*parts, *libraries_state(RENDER_LIBRARIES), *matplotlib_settings()])


def render_key(ntriples: bytes) -> str:
    """The key of what renders of the graph ``ntriples`` are made from, save the chart font: the graph,
    the package's files, the libraries' versions, matplotlib's configuration files and environment."""
    return hashlib.sha256(f"{_render_environment()}\n{hashlib.sha256(ntriples).hexdigest()}".encode()).hexdigest()


def _chart_font_files_loaded() -> list[str] | None:
    from practice_graph.views.charts import chart_font_files  # start-up time: the views load matplotlib

    return chart_font_files()


def _kept_charts(key: str, name: str) -> dict[str, bytes] | None:
    """A kept render holding charts; when matplotlib is loaded in this process, its current font must match."""
    if "matplotlib" in sys.modules:  # a notebook or a test may have changed matplotlib's fonts since
        read = _chart_font_files_loaded()
        return None if read is None else cached_render(key, name, read=read)
    return cached_render(key, name)


def analysis_files(source: Source | Callable[[], Source], key: str | None = None,
                   reuse: bool = True) -> dict[str, bytes]:
    """Every analysis file (see ``views.report.render_analysis``) of ``source`` (or of the source a
    function opens, only when the files are drawn). With the ``key`` of the graph (:func:`render_key`)
    the render is kept in the cache of renders and, with ``reuse``, read from it."""
    kept = _kept_charts(key, "analysis") if key and reuse else None
    if kept is not None:
        return kept
    from practice_graph.views.report import render_analysis  # start-up time: networkx, matplotlib

    files = render_analysis(source() if callable(source) else source, reuse)  # reuse: its charts too
    font_files = _chart_font_files_loaded() if key else None
    if key and font_files is not None:
        keep_render(key, "analysis", files, font_files)
    return files


@fewer_collections()
def render_outputs(built: Built, reuse: bool = True, phases: Phases | None = None) -> dict[str, bytes]:
    """Every file of ``dist/``, rendered in memory: the RDF serialisations, the analysis and the viewer.

    The analysis and the viewer read the built N-Triples through their view queries on an embedded
    store. They are kept in the cache of renders (:func:`render_key`) and, with ``reuse``, read from
    it when the same graph was rendered before by the same code and libraries. Nothing is written
    until all of it has rendered, so a failure leaves earlier outputs as they were.
    """
    key = render_key(built.files[NTRIPLES])
    files = dict(built.files)
    opened: list[Source] = []

    def source() -> Source:  # one Source, opened when something is drawn: each view query runs once
        # start-up time: pyoxigraph, networkx, matplotlib and pyvis load only when outputs are drawn
        from practice_graph.sparql.store import oxigraph_store
        from practice_graph.views.read import Source

        if not opened:
            opened.append(Source(store=oxigraph_store(built.files[NTRIPLES])))
        return opened[0]

    start(phases, "analysis")
    for name, content in analysis_files(source, key, reuse).items():
        files[f"{ANALYSIS_DIR}/{name}"] = content
    start(phases, "viewer")
    viewer = cached_render(key, "viewer") if reuse else None
    if viewer is None:
        from practice_graph.views.dataset import embed_dataset_jsonld  # start-up time: pyvis
        from practice_graph.views.viewer import render_html, viewer_data

        page = embed_dataset_jsonld(render_html(viewer_data(source())), source())
        viewer = {VIEWER_FILE: page.encode("utf-8")}
        keep_render(key, "viewer", viewer)
    files.update(viewer)
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
        ntriples = checked(data_dir, ontology_dir, shacl=False).files[NTRIPLES]
    except BaseException:
        print("failed", file=sys.stderr, flush=True)
        raise
    try:
        store_ntriples(stamp, ntriples)
        kept = ""
    except OSError:
        kept = " (not kept: the cache folder cannot be written)"
    print(f"done in {time.perf_counter() - started:.1f} s{kept}", file=sys.stderr, flush=True)
    return ntriples


def load_graph(data_dir: Path = DEFAULT_DATA, ontology_dir: Path = DEFAULT_ONTOLOGY) -> Graph:
    """The built graph as an rdflib Graph (see :func:`built_ntriples`)."""
    from practice_graph.sparql.store import rdflib_graph  # start-up time: rdflib

    return rdflib_graph(built_ntriples(data_dir, ontology_dir))
