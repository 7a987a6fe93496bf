"""Where things are: the package's own folders, the default data and outputs, output file names."""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent.parent
PROJECT_DIR = PACKAGE_DIR.parent.parent
DEFAULT_DATA = PROJECT_DIR / "data"
DEFAULT_ONTOLOGY = PROJECT_DIR / "ontology"
DEFAULT_OUT = Path("dist")  # outputs go where the user runs the command; the graph read is cached (core.cache)

ONTOLOGY_FILE = "practice-graph.ttl"
SHAPES_FILE = "shapes.ttl"
NTRIPLES = "practice-graph.nt"
TURTLE = "practice-graph.ttl"
JSONLD = "practice-graph.jsonld"
CONTEXT = "context.jsonld"
VIEWER_FILE = "practice-graph.html"
STAMP = "build-stamp.json"
ANALYSIS_DIR = "analysis"
