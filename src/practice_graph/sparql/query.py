"""Named SPARQL queries (the competency questions) and how to run them.

The embedded store is pyoxigraph's in-memory ``Store``, loaded from the built canonical
N-Triples. Parameters are never pasted into the query text: each value becomes an RDF term
(an IRI or a literal, serialised and escaped by pyoxigraph) in a trailing ``VALUES`` clause,
which the SPARQL algebra joins with the query's pattern, so a value can only ever be data.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from practice_graph.sparql.remote import remote_solutions
from practice_graph.sparql.store import oxigraph_store

QUERY_DIR = Path(__file__).resolve().parent / "queries"
ID_BASE = "https://w3id.org/practice-graph/id/"
PARAM_LINE = re.compile(r"^#\s*@param\s+(\w+)(?:\s+(\S+))?\s*$")


class QueryError(Exception):
    """A query that cannot be found, parsed, bound or run."""


@dataclass(frozen=True)
class NamedQuery:
    """A query file with its question (the opening comment) and its parameters."""

    name: str
    path: Path
    text: str
    question: str
    params: dict[str, str | None] = field(default_factory=dict)


def _read_query(path: Path, name: str) -> NamedQuery:
    text = path.read_text(encoding="utf-8")
    comment: list[str] = []
    params: dict[str, str | None] = {}
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        match = PARAM_LINE.match(line)
        if match:
            params[match.group(1)] = match.group(2)
        else:
            comment.append(line.lstrip("#").strip())
    question = " ".join(part for part in comment if part)
    return NamedQuery(name=name, path=path, text=text, question=question, params=params)


def named_queries() -> list[NamedQuery]:
    """Every query shipped with the package, by name."""
    return [_read_query(path, path.stem) for path in sorted(QUERY_DIR.glob("*.rq"))]


def find_query(name_or_path: str) -> NamedQuery:
    """A named query (``cq04``), a query file, or ``-`` for standard input."""
    if name_or_path == "-":
        text = sys.stdin.read()
        return NamedQuery(name="-", path=Path("-"), text=text, question="")
    named = QUERY_DIR / f"{name_or_path}.rq"
    if re.fullmatch(r"[A-Za-z0-9_-]+", name_or_path) and named.is_file():
        return _read_query(named, name_or_path)
    path = Path(name_or_path)
    if path.is_file():
        return _read_query(path, path.stem)
    known = ", ".join(query.name for query in named_queries())
    raise QueryError(f"no query named {name_or_path!r} and no such file (named queries: {known})")


def parse_term(value: str) -> ox.NamedNode | ox.Literal:
    """A parameter value as an RDF term: ``<IRI>``, an http(s) IRI, a graph id, or a literal."""
    if value.startswith("<") and value.endswith(">"):
        return ox.NamedNode(value[1:-1])
    if re.fullmatch(r"https?://\S+", value):
        return ox.NamedNode(value)
    if re.fullmatch(r"[a-z0-9][a-z0-9-]*(/[a-z0-9-]+)?", value):
        return ox.NamedNode(ID_BASE + value)
    return ox.Literal(value)


def bindings(query: NamedQuery, given: dict[str, str]) -> dict[ox.Variable, ox.NamedNode | ox.Literal]:
    """Substitutions for the engine: given values over the query's defaults."""
    values: dict[str, str] = {name: default for name, default in query.params.items() if default}
    values.update(given)
    missing = [name for name, default in query.params.items() if default is None and name not in values]
    if missing:
        raise QueryError(f"query {query.name!r} needs --param {missing[0]}=VALUE")
    return {ox.Variable(name): parse_term(value) for name, value in sorted(values.items())}


def open_store(ntriples: bytes) -> ox.Store:
    """An in-memory pyoxigraph store holding canonical N-Triples."""
    return oxigraph_store(ntriples)


def bound_text(query: NamedQuery, given: dict[str, str] | None = None) -> str:
    """The query text with its parameters bound in a trailing ``VALUES`` clause of escaped terms."""
    values = bindings(query, given or {})
    if not values:
        return query.text
    variables = " ".join(str(variable) for variable in values)
    terms = " ".join(str(term) for term in values.values())
    return f"{query.text.rstrip()}\nVALUES ({variables}) {{ ({terms}) }}\n"


def run_select(store: ox.Store, query: NamedQuery, given: dict[str, str] | None = None) -> ox.QuerySolutions:
    """Run a SELECT; returns the solutions object of pyoxigraph."""
    text = bound_text(query, given)
    try:
        result = store.query(text)
    except SyntaxError as error:
        raise QueryError(f"{query.path}: {error}") from None
    if not isinstance(result, ox.QuerySolutions):
        raise QueryError(f"{query.path}: not a SELECT query")
    return result


def term_text(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None) -> str:
    """A term as people read it: IRIs compacted to ``pgid:``, literals as their value."""
    if term is None:
        return ""
    if isinstance(term, ox.Triple):
        return str(term)
    value = term.value
    if isinstance(term, ox.NamedNode) and value.startswith(ID_BASE):
        return "pgid:" + value[len(ID_BASE):]
    return value


def rows(solutions: ox.QuerySolutions) -> tuple[list[str], list[list[str]]]:
    """Variables and rows of SELECT solutions as display strings."""
    variables = [variable.value for variable in solutions.variables]
    return variables, [[term_text(solution[name]) for name in variables] for solution in solutions]


def display_width(text: str) -> int:
    """Columns a string takes in a terminal (wide CJK characters count two)."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def format_table(variables: list[str], table: list[list[str]]) -> str:
    """A plain-text table, columns aligned by display width."""
    widths = [display_width(name) for name in variables]
    for row in table:
        widths = [max(width, display_width(cell)) for width, cell in zip(widths, row, strict=True)]

    def line(cells: list[str]) -> str:
        return "  ".join(cell + " " * (width - display_width(cell)) for cell, width in zip(cells, widths, strict=True))

    out = [line(variables), "  ".join("-" * width for width in widths)]
    out += [line(row) for row in table]
    out.append(f"({len(table)} row{'s' if len(table) != 1 else ''})")
    return "\n".join(text.rstrip() for text in out) + "\n"


def as_query(query: str | NamedQuery) -> NamedQuery:
    """A named query (``"cq04"``), a query file, ``-`` for standard input, or query text."""
    if isinstance(query, NamedQuery):
        return query
    if "{" in query or "\n" in query:
        return NamedQuery(name="(text)", path=Path("(text)"), text=query, question="")
    return find_query(query)


def solutions(query: str | NamedQuery, *, store: ox.Store | None = None, endpoint: str | None = None,
              params: dict[str, str] | None = None) -> ox.QuerySolutions:
    """The solutions of a SELECT on ``store`` (embedded) or a SPARQL 1.1 ``endpoint``, parameters bound."""
    named = as_query(query)
    if endpoint:
        return remote_solutions(endpoint, bound_text(named, params))
    if store is None:
        raise QueryError("a query needs a store or an endpoint")
    return run_select(store, named, params)


def select(query: str, *, store: ox.Store | None = None, endpoint: str | None = None,
           **params: str) -> list[dict[str, str]]:
    """Rows of a named query (``"cq04"``), a query file or query text, as dicts of display strings.

    Runs on ``store`` (an embedded pyoxigraph store) or on a SPARQL 1.1 ``endpoint``. Keyword
    arguments are bound as parameters, never pasted into the text. For the project's own built
    graph, use :func:`practice_graph.api.select`.
    """
    variables, table = rows(solutions(query, store=store, endpoint=endpoint, params=params))
    return [dict(zip(variables, row, strict=True)) for row in table]
