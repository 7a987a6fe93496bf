"""Named SPARQL queries (the competency questions), their typed parameters, and every query form.

A query runs on an embedded pyoxigraph ``Store`` (loaded from the built canonical N-Triples) or
on a SPARQL 1.1 endpoint given by its URL; either way :func:`run_query` returns the answer as
bytes in any format its form allows: SELECT and ASK as a table, JSON, CSV, TSV or XML, CONSTRUCT
and DESCRIBE as Turtle, N-Triples or JSON-LD.

Each named query declares its parameters on ``# @param NAME TYPE [DEFAULT]`` lines, where TYPE
is ``iri`` (any node of the graph), ``literal``, ``number``, or a class (``pg:Region``: an
instance of it). A value is checked against the graph before the query runs: an unknown name, a
value of the wrong type or a node the graph does not hold is a :class:`QueryError` that lists
what is accepted and suggests close matches. A node can be given by its id (``henan``), as the
table output prints it (``pgid:henan``), by its IRI or by one of its labels (``河南省``).
Values are never pasted into the query text: each becomes an RDF term that the engine binds
(pyoxigraph substitutions when the query projects the variable; otherwise, and on endpoints,
a ``VALUES`` block of terms serialised by pyoxigraph, first in the query's WHERE group).
"""

from __future__ import annotations

import difflib
import json
import re
import sys
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeAlias

import pyoxigraph as ox

from practice_graph.core.prefixes import NAMESPACES
from practice_graph.sparql.remote import remote_query
from practice_graph.sparql.store import oxigraph_store

#: where a query runs: an embedded store, or the URL of a SPARQL 1.1 endpoint
Target: TypeAlias = "ox.Store | str"
#: a value bound to a variable (parameters are IRIs and literals)
Term: TypeAlias = "ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple"
Result: TypeAlias = "ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples | list[ox.Triple]"

QUERY_DIR = Path(__file__).resolve().parent / "queries"
ID_BASE = "https://w3id.org/practice-graph/id/"
ID_PREFIX = "pgid:"
PARAM_LINE = re.compile(r"^#\s*@param\b(.*)$")
PREFIX_DECLARATION = re.compile(r"PREFIX\s+([A-Za-z][\w.-]*)?:\s*<([^<>\s]*)>", re.IGNORECASE)
PREFIXED_NAME = re.compile(r"([A-Za-z][\w.-]*)?:([\w.-]+(?:/[\w.-]+)*)")
BARE_ID = re.compile(r"[A-Za-z0-9][\w.~-]*(?:/[\w.~-]+)*")
SCALAR_KINDS = ("iri", "literal", "number")
XSD = NAMESPACES["xsd"]
RDFS_LABEL = NAMESPACES["rdfs"] + "label"
SKOS_PREF_LABEL = NAMESPACES["skos"] + "prefLabel"
RDF_TYPE = NAMESPACES["rdf"] + "type"

LANGUAGES = ("zh", "en", "both")
LIST_SEPARATOR = "、"  # how the named queries join grouped Chinese labels (cq10)
EN_LIST_SEPARATOR = "; "  # and their English translations
SOLUTION_FORMATS = ("table", "json", "csv", "tsv", "xml")
GRAPH_FORMATS = ("turtle", "ntriples", "jsonld")
FORMATS = SOLUTION_FORMATS + GRAPH_FORMATS
FORMAT_ALIASES = {"ttl": "turtle", "nt": "ntriples", "n-triples": "ntriples", "json-ld": "jsonld"}


class QueryError(Exception):
    """A query that cannot be found, parsed, bound or run (one line, for ``error: ...``)."""


@dataclass(frozen=True)
class Param:
    """A declared parameter: its name, its type as written, the class IRI (for a class type), a default."""

    name: str
    type: str
    class_iri: str | None = None
    default: str | None = None

    @property
    def kind(self) -> str:
        """``iri``, ``literal``, ``number`` or ``class``."""
        return "class" if self.class_iri else self.type


@dataclass(frozen=True)
class NamedQuery:
    """A query file with its question (the opening comment) and its parameters."""

    name: str
    path: Path
    text: str
    question: str
    params: dict[str, Param] = field(default_factory=dict)

    @property
    def prefixes(self) -> dict[str, str]:
        """The query's PREFIX declarations (prefix -> namespace)."""
        return {prefix or "": namespace for prefix, namespace in PREFIX_DECLARATION.findall(self.text)}

    @property
    def questions(self) -> tuple[str, str]:
        """The question in Chinese and in English, from the opening comment: ``# name: 中文`` then
        indented lines in English, or ``# name: 中文 / English`` on one line."""
        lines = []
        for line in self.text.splitlines():
            if not line.startswith("#"):
                break
            lines.append(line)
        if not lines:
            return "", ""
        first = re.sub(r"^#\s*" + re.escape(self.name) + r"\s*:\s*", "", lines[0]).lstrip("#").strip()
        if " / " in first:
            zh, en = first.split(" / ", 1)
            return zh.strip(), en.strip()
        english = []
        for line in lines[1:]:
            if not re.match(r"#\s{2,}\S", line) or PARAM_LINE.match(line):
                break
            english.append(line[1:].strip())
        return first, " ".join(english)


def _parse_param(path: Path, number: int, declaration: str, prefixes: dict[str, str]) -> Param:
    """A ``# @param NAME TYPE [DEFAULT]`` line."""
    where = f"{path}:{number}"
    words = declaration.split()
    usage = "write # @param NAME TYPE [DEFAULT], TYPE one of iri, literal, number or a class such as pg:Region"
    if len(words) not in (2, 3) or not re.fullmatch(r"\w+", words[0]):
        raise QueryError(f"{where}: bad @param line: {usage}")
    name, type_text, default = words[0], words[1], (words[2] if len(words) == 3 else None)
    if type_text in SCALAR_KINDS:
        return Param(name, type_text, None, default)
    if type_text.startswith("<") and type_text.endswith(">"):
        return Param(name, type_text, type_text[1:-1], default)
    match = PREFIXED_NAME.fullmatch(type_text)
    if match and (match.group(1) or "") in prefixes:
        return Param(name, type_text, prefixes[match.group(1) or ""] + match.group(2), default)
    raise QueryError(f"{where}: @param {name}: unknown type {type_text!r} ({usage}, its prefix declared)")


def parse_query_text(text: str, name: str, path: Path) -> NamedQuery:
    """A query's question and parameters from its opening comment lines."""
    comment: list[str] = []
    params: dict[str, Param] = {}
    prefixes = {prefix or "": namespace for prefix, namespace in PREFIX_DECLARATION.findall(text)}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.startswith("#"):
            break
        match = PARAM_LINE.match(line)
        if match:
            param = _parse_param(path, number, match.group(1), prefixes)
            params[param.name] = param
        else:
            comment.append(line.lstrip("#").strip())
    question = " ".join(part for part in comment if part)
    return NamedQuery(name=name, path=path, text=text, question=question, params=params)


def _read_query(path: Path, name: str) -> NamedQuery:
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as error:
        raise QueryError(f"{path}: not a UTF-8 text file (byte {error.start})") from None
    except OSError as error:
        raise QueryError(f"{path}: cannot read: {error.strerror or error}") from None
    return parse_query_text(text, name, path)


def named_queries() -> list[NamedQuery]:
    """Every query shipped with the package, by name."""
    return [_read_query(path, path.stem) for path in sorted(QUERY_DIR.glob("*.rq"))]


def find_query(name_or_path: str) -> NamedQuery:
    """A named query (``cq04``), a query file, or ``-`` for standard input."""
    if name_or_path == "-":
        stream = getattr(sys.stdin, "buffer", None)
        try:
            text = stream.read().decode("utf-8") if stream is not None else sys.stdin.read()
        except UnicodeDecodeError as error:
            raise QueryError(f"standard input: not UTF-8 text (byte {error.start})") from None
        return parse_query_text(text, "-", Path("-"))
    named = QUERY_DIR / f"{name_or_path}.rq"
    if re.fullmatch(r"[A-Za-z0-9_-]+", name_or_path) and named.is_file():
        return _read_query(named, name_or_path)
    path = Path(name_or_path)
    if path.is_file():
        return _read_query(path, path.stem)
    known = [query.name for query in named_queries()]
    close = difflib.get_close_matches(name_or_path, known, n=1)
    hint = f"; did you mean {close[0]}?" if close else ""
    raise QueryError(f"no query named {name_or_path!r} and no such file{hint} (named queries: {', '.join(known)})")


def as_query(query: str | NamedQuery) -> NamedQuery:
    """A NamedQuery from itself, a name, a file, ``-``, or query text (it holds ``{``, a line break or a space)."""
    if isinstance(query, NamedQuery):
        return query
    if "{" in query or "\n" in query:
        return parse_query_text(query, "(text)", Path("(text)"))
    if query == "-" or re.fullmatch(r"[A-Za-z0-9_-]+", query):
        return find_query(query)
    try:
        is_file = Path(query).is_file()
    except (OSError, ValueError):
        is_file = False
    if is_file or not any(char.isspace() for char in query):
        return find_query(query)
    return parse_query_text(query, "(text)", Path("(text)"))


def open_store(ntriples: bytes) -> ox.Store:
    """An in-memory pyoxigraph store holding canonical N-Triples."""
    return oxigraph_store(ntriples)


# --------------------------------------------------------------------------- parameters


def term_text(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None) -> str:
    """A term as people read it: IRIs compacted to ``pgid:``, literals as their value."""
    if term is None:
        return ""
    if isinstance(term, ox.Triple):
        return str(term)
    value = term.value
    if isinstance(term, ox.NamedNode) and value.startswith(ID_BASE):
        return ID_PREFIX + value[len(ID_BASE):]
    return value


def _accepted(named: NamedQuery) -> str:
    if not named.params:
        return f"query {named.name} takes no parameters"
    listed = ", ".join(f"{param.name} ({param.type}" + (f", default {param.default})" if param.default else ")")
                       for param in named.params.values())
    return f"query {named.name} takes: {listed}"


def _ask(target: Target, text: str, bound: dict[str, Term]) -> Any:
    """Run a look-up query (ours, not the user's) on the target with ``bound`` variables."""
    substitutions = {ox.Variable(name): term for name, term in bound.items()}
    if isinstance(target, str):
        return remote_query(target, with_values(text, substitutions))
    return target.query(text, substitutions=substitutions)


def _iri_candidates(value: str, prefixes: dict[str, str]) -> list[str]:
    """The IRIs a value can name: ``<IRI>``, an absolute IRI, ``prefix:name``, or a bare id."""
    if value.startswith("<") and value.endswith(">"):
        return [value[1:-1]]
    if re.fullmatch(r"[A-Za-z][\w+.-]*://\S+", value):
        return [value]
    candidates = []
    match = PREFIXED_NAME.fullmatch(value)
    if match:
        prefix = match.group(1) or ""
        namespace = {"pgid": ID_BASE, **prefixes}.get(prefix)
        if namespace:
            candidates.append(namespace + match.group(2))
    if BARE_ID.fullmatch(value):
        candidates.append(ID_BASE + value)
    return candidates


def _resolve_node(target: Target | None, named: NamedQuery, param: Param, value: str) -> ox.NamedNode:
    """The node a value names, checked against the graph (its id, pgid:id, IRI or label)."""
    where = f"query {named.name}: {param.name}={value!r}"
    of_type = f"a {param.type}" if param.kind == "class" else "a node"
    typed = ""
    if param.class_iri:
        try:
            typed = f"?node a {ox.NamedNode(param.class_iri)} ."
        except ValueError:
            raise QueryError(f"{named.path}: @param {param.name}: {param.type} is not a valid IRI") from None
    for iri in _iri_candidates(value, named.prefixes):
        try:
            node = ox.NamedNode(iri)
        except ValueError:
            raise QueryError(f"{where}: not a valid IRI") from None
        if target is None or bool(_ask(target, f"ASK {{ {typed or '?node ?p ?o .'} }}", {"node": node})):
            return node
    if target is None:
        raise QueryError(f"{where}: give {of_type} as an id (such as henan), pgid:id or an IRI")
    labelled = f"SELECT DISTINCT ?node ?label WHERE {{ {typed} ?node <{RDFS_LABEL}>|<{SKOS_PREF_LABEL}> ?label }}"
    labels: dict[str, list[str]] = {}
    for solution in _ask(target, labelled, {}):
        labels.setdefault(solution["node"].value, []).append(solution["label"].value)
    wanted = unicodedata.normalize("NFC", value).casefold()
    found = sorted(node for node, names in labels.items()
                   if any(unicodedata.normalize("NFC", name).casefold() == wanted for name in names))
    if len(found) == 1:
        return ox.NamedNode(found[0])
    if found:
        shown = ", ".join(_described(node, labels) for node in found[:5])
        raise QueryError(f"{where}: the label names {len(found)} nodes ({shown}); give one by its id")
    raise QueryError(f"{where}: not {of_type} in the graph{_suggestions(value, labels)}; "
                     f"give its id (such as henan), pgid:id, its IRI or its label")


def _described(node: str, labels: dict[str, list[str]]) -> str:
    """``pgid:henan (河南省 / Henan Province)``: a node as the table prints it, with its labels."""
    names = sorted(set(labels.get(node, [])), key=lambda name: (name.isascii(), name))[:2]
    return term_text_of(node) + (f" ({' / '.join(names)})" if names else "")


def term_text_of(iri: str) -> str:
    """An IRI as the table output prints it (``pgid:henan``)."""
    return ID_PREFIX + iri[len(ID_BASE):] if iri.startswith(ID_BASE) else f"<{iri}>"


def _suggestions(value: str, labels: dict[str, list[str]]) -> str:
    """``; close matches: pgid:henan (河南省), ...`` from ids and labels like ``value``."""
    keys: dict[str, str] = {}
    for node in sorted(labels):
        keys.setdefault(term_text_of(node).removeprefix(ID_PREFIX), node)
        for name in labels[node]:
            keys.setdefault(name, node)
    close = difflib.get_close_matches(value.removeprefix(ID_PREFIX), list(keys), n=6, cutoff=0.5)
    nodes = list(dict.fromkeys(keys[key] for key in close))[:3]
    return "; close matches: " + ", ".join(_described(node, labels) for node in nodes) if nodes else ""


def _resolve_value(target: Target | None, named: NamedQuery, param: Param, value: str) -> Term:
    if param.kind == "literal":
        return ox.Literal(value)
    if param.kind == "number":
        if re.fullmatch(r"[+-]?[0-9]+", value):
            return ox.Literal(value, datatype=ox.NamedNode(XSD + "integer"))
        if re.fullmatch(r"[+-]?([0-9]+\.[0-9]*|\.[0-9]+)", value):
            return ox.Literal(value, datatype=ox.NamedNode(XSD + "decimal"))
        raise QueryError(f"query {named.name}: {param.name}={value!r}: not a number")
    return _resolve_node(target, named, param, value)


def _values(named: NamedQuery, given: Mapping[str, str] | None) -> dict[str, str]:
    """Given values over defaults, by parameter; QueryError for an unknown name or a missing value."""
    given = dict(given or {})
    for name in given:
        if name not in named.params:
            close = difflib.get_close_matches(name, list(named.params), n=1)
            hint = f"; did you mean {close[0]}?" if close else ""
            raise QueryError(f"query {named.name}: no parameter {name!r}{hint} ({_accepted(named)})")
    values: dict[str, str] = {}
    for name, param in named.params.items():
        value = given.get(name, param.default)
        if value is None:
            raise QueryError(f"query {named.name} needs --param {name}=VALUE ({param.type})")
        values[name] = value
    return values


def resolve_params(target: Target | None, named: NamedQuery, given: Mapping[str, str] | None) -> dict[str, Term]:
    """Terms for the query's parameters: given values over defaults, each checked against ``target``.

    ``target`` is a pyoxigraph Store, an endpoint URL, or None (forms are checked, not the graph).
    Raises QueryError for an unknown name, a missing value, a value of the wrong type or a node
    the graph does not hold.
    """
    return {name: _resolve_value(target, named, named.params[name], value)
            for name, value in _values(named, given).items()}


def check_params(query: str | NamedQuery, given: Mapping[str, str] | None) -> None:
    """What can be checked before the graph is at hand (names, missing values, numbers); raises QueryError."""
    named = as_query(query)
    for name, value in _values(named, given).items():
        if named.params[name].kind == "number":
            _resolve_value(None, named, named.params[name], value)


QUERY_FORMS = frozenset({"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"})
# What may hide a brace or a keyword before a query's WHERE group (comments, IRIs, strings), the
# words that name the query form, and the brace itself; ``_where_brace`` reads the text with it.
_TOKEN = re.compile(r"""
    \#[^\n]*                                        # a comment
  | <[^<>"{}|^`\\\x00-\x20]*>                       # an IRI (a less-than sign is no IRI: it has a space)
  | \"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\" | '\'\'(?:[^'\\]|\\.|'(?!''))*'\'\'
  | "(?:[^"\\\n]|\\.)*" | '(?:[^'\\\n]|\\.)*'         # strings
  | (?<![?$:\w])(?P<word>[A-Za-z]+)(?![:\w]) | (?P<brace>\{)   # a keyword (no variable, prefix or name)
""", re.VERBOSE | re.DOTALL)


def _where_brace(text: str) -> int | None:
    """Where the WHERE group of a SELECT or ASK query opens (the index after its brace), else None."""
    form = None
    for token in _TOKEN.finditer(text):
        if token.group("word") and form is None and token.group("word").upper() in QUERY_FORMS:
            form = token.group("word").upper()
            if form not in ("SELECT", "ASK"):
                return None  # a CONSTRUCT's first group is its template; a DESCRIBE may have no group
        elif token.group("brace") and form is not None:
            return token.end()
    return None


def with_values(text: str, terms: Mapping[Any, Any]) -> str:
    """``text`` with ``terms`` (variables or names to terms) bound by a VALUES block.

    The block opens the WHERE group of a SELECT or ASK query, where Oxigraph 0.5 joins it before
    anything else (a trailing VALUES clause it joins last: the ``evidence`` question for one node
    took 3 s on a million triples on disk, 0.6 s with the block first); any other query gets a
    trailing VALUES clause.
    """
    if not terms:
        return text
    variables = " ".join(f"?{getattr(variable, 'value', variable)}" for variable in terms)
    values = " ".join(str(term) for term in terms.values())
    block = f"VALUES ({variables}) {{ ({values}) }}"
    where = _where_brace(text)
    if where is None:
        return f"{text.rstrip()}\n{block}\n"
    return f"{text[:where]}\n  {block}{text[where:]}"


def bound_text(query: str | NamedQuery, given: Mapping[str, str] | None = None, target: Target | None = None) -> str:
    """The query text with its parameters bound in a trailing ``VALUES`` clause of escaped terms.

    With ``target`` (a Store or an endpoint URL) the values are checked against that graph too.
    """
    named = as_query(query)
    return with_values(named.text, resolve_params(target, named, given))


# --------------------------------------------------------------------------- running


def execute(target: Target | None, query: str | NamedQuery, params: Mapping[str, str] | None = None) -> Result:
    """The result of a query on a Store or an endpoint URL: QuerySolutions, QueryBoolean, or triples.

    Raises QueryError (bad query, bad parameter) or RemoteError (an endpoint that fails).
    """
    named = as_query(query)
    if not named.text.strip():
        raise QueryError(f"{named.path}: empty query")
    terms = resolve_params(target, named, params)
    if isinstance(target, str):
        return remote_query(target, with_values(named.text, terms))
    if target is None:
        raise QueryError("give a store or an endpoint to run the query on")
    substitutions = {ox.Variable(name): term for name, term in terms.items()}
    try:
        try:
            return target.query(named.text, substitutions=substitutions)
        except RuntimeError:
            if not terms:
                raise
            # pyoxigraph substitutes only variables the query projects; a parameter used only in
            # the pattern is bound by a trailing VALUES clause of the same terms.
            return target.query(with_values(named.text, terms))
    except SyntaxError as error:
        raise QueryError(f"{named.path}: {' '.join(str(error).split())}") from None
    except (OSError, ValueError, RuntimeError) as error:
        raise QueryError(f"{named.path}: the query failed: {' '.join(str(error).split())[:300]}") from None


def run_select(store: ox.Store, query: str | NamedQuery, given: Mapping[str, str] | None = None) -> ox.QuerySolutions:
    """Run a SELECT on a store; returns the solutions object of pyoxigraph."""
    named = as_query(query)
    result = execute(store, named, given)
    if not isinstance(result, ox.QuerySolutions):
        raise QueryError(f"{named.path}: not a SELECT query (run_query runs every form)")
    return result


def solutions(query: str | NamedQuery, *, store: ox.Store | None = None, endpoint: str | None = None,
              params: Mapping[str, str] | None = None) -> ox.QuerySolutions:
    """The solutions of a SELECT on ``store`` (embedded) or a SPARQL 1.1 ``endpoint``, parameters checked and bound."""
    named = as_query(query)
    result = execute(endpoint or store, named, params)
    if not isinstance(result, ox.QuerySolutions):
        raise QueryError(f"{named.path}: not a SELECT query (run_query runs every form)")
    return result


def format_name(name: str | None) -> str | None:
    """A format name in canonical form (case and aliases ignored); QueryError when unknown."""
    if name is None:
        return None
    canonical = FORMAT_ALIASES.get(name.strip().lower(), name.strip().lower())
    if canonical not in FORMATS:
        raise QueryError(f"unknown format {name!r} (formats: {', '.join(FORMATS)})")
    return canonical


def format_result(result: Result, output: str | None = None, prefixes: Mapping[str, str] | None = None) -> bytes:
    """A query result as bytes ending with a line break; ``output`` None is table or Turtle by the form."""
    chosen = format_name(output)
    if isinstance(result, ox.QuerySolutions | ox.QueryBoolean):
        form = "an ASK" if isinstance(result, ox.QueryBoolean) else "a SELECT"
        chosen = chosen or "table"
        if chosen not in SOLUTION_FORMATS:
            raise QueryError(f"format {chosen!r} is for CONSTRUCT and DESCRIBE; {form} query gives "
                             f"{', '.join(SOLUTION_FORMATS)}")
        if chosen == "table":
            data = (f"{str(bool(result)).lower()}\n".encode() if isinstance(result, ox.QueryBoolean)
                    else format_table(*rows(result)).encode("utf-8"))
        else:
            data = result.serialize(format=getattr(ox.QueryResultsFormat, chosen.upper())) or b""
    else:
        chosen = chosen or "turtle"
        if chosen not in GRAPH_FORMATS:
            raise QueryError(f"format {chosen!r} is for SELECT and ASK; a CONSTRUCT or DESCRIBE query gives "
                             f"{', '.join(GRAPH_FORMATS)}")
        rdf_format = {"turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES,
                      "jsonld": ox.RdfFormat.JSON_LD}[chosen]
        triples = sorted(result, key=str)  # one order, whatever the engine's
        used = dict(prefixes or {}) if chosen == "turtle" else {}
        data = ox.serialize(triples, format=rdf_format, prefixes=used or None) or b""
    return data if data.endswith(b"\n") else data + b"\n"


def run_query(target: Target, query: str | NamedQuery, params: Mapping[str, str] | None = None,
              output: str | None = None, lang: str = "zh") -> bytes:
    """Run any query form on a Store or an endpoint URL; the answer in ``output`` format, as bytes.

    ``query`` is a name (``cq04``), a file, ``-`` or query text. ``output`` is one of
    :data:`FORMATS` (any case; ``ttl``, ``nt``, ``json-ld`` accepted), or None for a table
    (SELECT, ASK) or Turtle (CONSTRUCT, DESCRIBE). ``lang`` is the language of the labels in
    SELECT rows (see :func:`in_language`). Raises QueryError or RemoteError.
    """
    named = as_query(query)
    format_name(output)
    if lang not in LANGUAGES:
        raise QueryError(f"unknown label language {lang!r} (languages: {', '.join(LANGUAGES)})")
    result = execute(target, named, params)
    try:
        if isinstance(result, ox.QuerySolutions) and lang != "zh":
            result = in_language(target, result, lang)
        return format_result(result, output, named.prefixes)
    except (OSError, ValueError, RuntimeError) as error:  # an engine error met while reading the solutions
        raise QueryError(f"{named.path}: the query failed: {' '.join(str(error).split())[:300]}") from None


# --------------------------------------------------------------------------- labels in another language

_LABELS_OF = """SELECT ?node ?label WHERE {
  VALUES ?node { %s }
  { ?node <http://www.w3.org/2000/01/rdf-schema#label> ?label } UNION
  { ?node <http://www.w3.org/2004/02/skos/core#prefLabel> ?label }
}"""


def _labels_of(target: Target, iris: list[str], chunk: int = 400) -> dict[str, dict[str, set[str]]]:
    """The rdfs:label and skos:prefLabel values of ``iris``, by IRI and language tag."""
    found: dict[str, dict[str, set[str]]] = {}
    for start in range(0, len(iris), chunk):
        values = " ".join(str(ox.NamedNode(iri)) for iri in iris[start:start + chunk])
        text = _LABELS_OF % values
        answer = remote_query(target, text) if isinstance(target, str) else target.query(text)
        assert isinstance(answer, ox.QuerySolutions)
        for solution in answer:
            node, label = solution["node"], solution["label"]
            if isinstance(node, ox.NamedNode) and isinstance(label, ox.Literal) and label.language:
                found.setdefault(node.value, {}).setdefault(label.language, set()).add(label.value)
    return found


def _json_term(term: Any) -> dict[str, str]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    literal: dict[str, str] = {"type": "literal", "value": term.value}
    if term.language:
        literal["xml:lang"] = term.language
    elif term.datatype.value != XSD + "string":
        literal["datatype"] = term.datatype.value
    return literal


def in_language(target: Target, solutions: ox.QuerySolutions, lang: str) -> ox.QuerySolutions:
    """SELECT solutions with their Chinese labels in ``lang``: ``en`` puts the English label in place
    of the Chinese one, ``both`` keeps the Chinese and adds a column ``NAME_en`` after it.

    A column is a label column when each of its Chinese values is a label (``rdfs:label`` or
    ``skos:prefLabel``) of the node in another column of the same row (the first such column whose
    name starts its name, else the first); the English comes from that node, read from ``target``.
    A column of grouped labels (cq10's ``regionLabels``) is translated label by label, joined with
    ``EN_LIST_SEPARATOR``, when every label in it has one English label in the graph.
    Other values (quotes, figures, nodes) are kept as they are; a node with no English label keeps
    its Chinese one.
    """
    variables = [variable.value for variable in solutions.variables]
    table = [{name: solution[name] for name in variables} for solution in solutions]
    if lang == "zh" or any(isinstance(term, ox.Triple) for row in table for term in row.values()):
        return _solutions(variables, table)
    iris = sorted({term.value for row in table for term in row.values() if isinstance(term, ox.NamedNode)})
    labels = _labels_of(target, iris) if iris else {}

    def labels_column(name: str, node: str) -> bool:
        pairs = [(row[node], row[name]) for row in table
                 if isinstance(row[name], ox.Literal) and row[name].language == "zh"]
        return bool(pairs) and all(isinstance(n, ox.NamedNode) and label.value in labels.get(n.value, {}).get("zh", ())
                                   for n, label in pairs)

    pairs: dict[str, str] = {}
    for name in variables:
        nodes = sorted((other for other in variables if other != name and labels_column(name, other)),
                       key=lambda other: (not name.startswith(other), variables.index(other)))
        if nodes:
            pairs[name] = nodes[0]

    lists = _label_lists(target, table, [name for name in variables if name not in pairs])

    def english(row: dict[str, Any], name: str) -> Any:
        label = row[name]
        if name in lists:
            if not (isinstance(label, ox.Literal) and label.language == "zh"):
                return label
            parts = [lists[name].get(part) for part in label.value.split(LIST_SEPARATOR)]
            if all(parts):
                return ox.Literal(EN_LIST_SEPARATOR.join(part for part in parts if part), language="en")
            return label if lang == "en" else None
        node = row[pairs[name]]
        if not (isinstance(label, ox.Literal) and label.language == "zh" and isinstance(node, ox.NamedNode)):
            return label
        names = sorted(labels.get(node.value, {}).get("en", ()))
        return ox.Literal(names[0], language="en") if names else (label if lang == "en" else None)

    translated = set(pairs) | set(lists)

    out_variables = []
    for name in variables:
        out_variables.append(name)
        if lang == "both" and name in translated:
            out_variables.append(f"{name}_en")
    out_rows = []
    for row in table:
        out: dict[str, Any] = {}
        for name in variables:
            if name in translated and lang == "en":
                out[name] = english(row, name)
            else:
                out[name] = row[name]
                if name in translated:
                    out[f"{name}_en"] = english(row, name)
        out_rows.append(out)
    return _solutions(out_variables, out_rows)


_NODES_LABELLED = """SELECT ?label ?english WHERE {
  VALUES ?label { %s }
  { ?node <http://www.w3.org/2000/01/rdf-schema#label> ?label } UNION
  { ?node <http://www.w3.org/2004/02/skos/core#prefLabel> ?label }
  OPTIONAL {
    { ?node <http://www.w3.org/2000/01/rdf-schema#label> ?english } UNION
    { ?node <http://www.w3.org/2004/02/skos/core#prefLabel> ?english }
    FILTER(LANG(?english) = "en")
  }
}"""


def _label_lists(target: Target, table: list[dict[str, Any]], candidates: list[str],
                 chunk: int = 400) -> dict[str, dict[str, str]]:
    """Columns of grouped labels (the named queries join them with ``LIST_SEPARATOR``, as cq10 does):
    each column whose every Chinese value is a list of labels, each a label of nodes whose English
    labels agree on one; mapped to that English label by Chinese label."""
    values = {name: [row[name] for row in table if isinstance(row[name], ox.Literal)] for name in candidates}
    values = {name: found for name, found in values.items()
              if found and all(value.language == "zh" for value in found)}
    parts = sorted({part for found in values.values() for value in found
                    for part in value.value.split(LIST_SEPARATOR)})
    english: dict[str, set[str]] = {}
    for start in range(0, len(parts), chunk):
        text = _NODES_LABELLED % " ".join(str(ox.Literal(part, language="zh")) for part in parts[start:start + chunk])
        answer = remote_query(target, text) if isinstance(target, str) else target.query(text)
        assert isinstance(answer, ox.QuerySolutions)
        for solution in answer:
            if isinstance(solution["english"], ox.Literal):  # nodes without English (evidence) do not vote
                english.setdefault(solution["label"].value, set()).add(solution["english"].value)
    unique = {label: name for label, names in english.items() if len(names) == 1 for name in names}
    return {name: unique for name, found in values.items()
            if all(part in unique for value in found for part in value.value.split(LIST_SEPARATOR))}


def _solutions(variables: list[str], table: list[dict[str, Any]]) -> ox.QuerySolutions:
    """Solutions made from rows of terms (through the SPARQL results JSON format)."""
    document = {"head": {"vars": variables},
                "results": {"bindings": [{name: _json_term(term) for name, term in row.items() if term is not None}
                                         for row in table]}}
    result = ox.parse_query_results(json.dumps(document).encode("utf-8"), format=ox.QueryResultsFormat.JSON)
    assert isinstance(result, ox.QuerySolutions)
    return result


# --------------------------------------------------------------------------- rows and tables


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


def select(query: str, *, store: ox.Store | None = None, endpoint: str | None = None,
           **params: str) -> list[dict[str, str]]:
    """Rows of a named query (``"cq04"``), a query file or query text, as dicts of display strings.

    Runs on ``store`` (an embedded pyoxigraph store) or on a SPARQL 1.1 ``endpoint``. Keyword
    arguments are parameters, checked against the graph and bound, never pasted into the text.
    For the project's own built graph, use :func:`practice_graph.api.select`.
    """
    target = endpoint or store
    if target is None:
        raise QueryError("select needs a store or an endpoint")
    named = as_query(query)
    result = execute(target, named, params)
    if not isinstance(result, ox.QuerySolutions):
        raise QueryError(f"{named.name}: select returns the rows of a SELECT query; use run_query for other forms")
    variables, table = rows(result)
    return [dict(zip(variables, row, strict=True)) for row in table]
