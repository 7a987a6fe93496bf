"""The namespaces of the graph and the prefixes every output binds (declared in the model, see
:mod:`practice_graph.core.vocab`); ``PG`` is closed: a term the model does not declare fails."""

from __future__ import annotations

from rdflib import Namespace

from practice_graph.core.vocab import BOUND, NAMESPACES, PG

BASE = "https://w3id.org/practice-graph/"
ID = Namespace(NAMESPACES["pgid"])
ORG = Namespace(NAMESPACES["org"])
OA = Namespace(NAMESPACES["oa"])
ELI = Namespace(NAMESPACES["eli"])
SCHEMA = Namespace(NAMESPACES["schema"])

PREFIXES = {name: PG if name == "pg" else Namespace(NAMESPACES[name]) for name in BOUND}

__all__ = ["BASE", "ELI", "ID", "OA", "ORG", "PG", "PREFIXES", "SCHEMA"]
