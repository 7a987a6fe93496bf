"""Where things are: the package's own folders, the default data and outputs, output file names.

From a checkout, the curated data and the ontology are the checkout's ``data/`` and ``ontology/``
(where curators edit them); from an installed wheel, the copies it ships as package resources
(``practice_graph/resources/``, see ``[tool.hatch.build]`` in pyproject.toml).
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent.parent
PROJECT_DIR = PACKAGE_DIR.parent.parent
RESOURCES_DIR = PACKAGE_DIR / "resources"
IN_CHECKOUT = PACKAGE_DIR.parent.name == "src" and (PROJECT_DIR / "data").is_dir()  # src/ layout beside data/
DEFAULT_DATA = (PROJECT_DIR if IN_CHECKOUT else RESOURCES_DIR) / "data"
DEFAULT_ONTOLOGY = (PROJECT_DIR if IN_CHECKOUT else RESOURCES_DIR) / "ontology"
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
