"""What changed between two built graphs: records and relations added, removed and changed, by kind,
each with its verbatim quotes, as Markdown and JSON (the release notes of a release).

Both graphs are read through pyoxigraph SPARQL. IRIs stay opaque: a record is known by its
``dcterms:identifier``, a taxonomy concept by its scheme's label and its ``skos:notation``, a kind by
its ``rdf:type``, so two graphs whose IRIs differ still compare record by record.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from practice_graph.core.namespaces import PREFIXES
from practice_graph.core.paths import NTRIPLES
from practice_graph.views.report import md, md_code

if TYPE_CHECKING:
    import pyoxigraph

PREAMBLE = "\n".join(f"PREFIX {prefix}: <{namespace}>" for prefix, namespace in sorted(PREFIXES.items())) + """
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
"""
# A record: a node with an id; its kind is its type in the project's ontology.
RECORDS = PREAMBLE + """
SELECT ?node ?id ?kind ?zh ?en WHERE {
  ?node dcterms:identifier ?id .
  OPTIONAL { ?node a ?kind . FILTER(STRSTARTS(STR(?kind), STR(pg:))) }
  OPTIONAL { ?node rdfs:label ?zh . FILTER(LANG(?zh) = "zh") }
  OPTIONAL { ?node rdfs:label ?en . FILTER(LANG(?en) = "en") }
}"""
# A concept of a taxonomy: known by its scheme and its notation.
CONCEPTS = PREAMBLE + """
SELECT ?node ?scheme ?notation ?zh ?en WHERE {
  ?node a skos:Concept ; skos:notation ?notation ; skos:inScheme ?in .
  FILTER NOT EXISTS { ?node dcterms:identifier ?id }
  ?in rdfs:label ?scheme . FILTER(LANG(?scheme) = "en")
  OPTIONAL { ?node rdfs:label ?zh . FILTER(LANG(?zh) = "zh") }
  OPTIONAL { ?node rdfs:label ?en . FILTER(LANG(?en) = "en") }
}"""
FIELDS = PREAMBLE + """
SELECT ?node ?property ?value WHERE {
  ?node dcterms:identifier ?id ; ?property ?value .
  FILTER(isLiteral(?value) && ?property != dcterms:identifier)
}"""
QUOTES = PREAMBLE + """
SELECT ?node ?quote WHERE { ?node prov:wasDerivedFrom/oa:hasSelector/oa:exact ?quote }"""
LINKS = PREAMBLE + """
SELECT ?subject ?property ?object WHERE {
  ?subject ?property ?object .
  FILTER(isIRI(?object) && ?property != rdf:type && ?property != prov:wasDerivedFrom)
}"""
STATEMENT_QUOTES = PREAMBLE + """
SELECT ?subject ?property ?object ?quote WHERE {
  ?statement a rdf:Statement ; rdf:subject ?subject ; rdf:predicate ?property ; rdf:object ?object ;
             prov:wasDerivedFrom/oa:hasSelector/oa:exact ?quote .
}"""
PARTICIPATIONS = PREAMBLE + """
SELECT ?arrangement ?member ?role ?quote WHERE {
  ?participation org:organization ?arrangement ; org:member ?member .
  OPTIONAL { ?participation org:role ?role }
  OPTIONAL { ?participation prov:wasDerivedFrom/oa:hasSelector/oa:exact ?quote }
}"""
RELEASE = PREAMBLE + """
SELECT ?version ?issued WHERE {
  ?dataset a dcat:Dataset .
  OPTIONAL { ?dataset owl:versionInfo ?version }
  OPTIONAL { ?dataset dcterms:issued ?issued }
}"""


class DiffError(ValueError):
    """A graph to compare cannot be found or read."""


@dataclass(frozen=True)
class Entity:
    """A record or a taxonomy concept as the diff shows it."""

    key: str
    kind: str
    zh: str
    en: str


@dataclass
class Snapshot:
    """What one graph holds, keyed by ids (never by IRI)."""

    version: str = ""
    issued: str = ""
    triples: int = 0
    entities: dict[str, Entity] = field(default_factory=dict)
    fields: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)
    quotes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    relations: dict[tuple[str, str, str], tuple[str, ...]] = field(default_factory=dict)


def graph_file(path: Path) -> Path:
    """The N-Triples file of ``path``: the file itself, or a release or build folder's ``practice-graph.nt``."""
    path = Path(path)
    candidate = path / NTRIPLES if path.is_dir() else path
    if not candidate.is_file():
        raise DiffError(f"{path}: no built graph here (expected an N-Triples file or a folder with {NTRIPLES})")
    return candidate


def read_snapshot(ntriples: bytes, name: str = "graph") -> Snapshot:
    """Read the records, concepts, fields, quotes and relations of a built graph."""
    from practice_graph.sparql.store import oxigraph_store

    try:
        store = oxigraph_store(ntriples)
    except (SyntaxError, ValueError, OSError) as error:
        raise DiffError(f"{name}: not readable as N-Triples: {' '.join(str(error).split())[:300]}") from None
    snapshot = Snapshot()
    for row in _rows(store, RELEASE)[:1]:
        snapshot.version, snapshot.issued = row.get("version", ""), row.get("issued", "")
    snapshot.triples = len(store)
    keys: dict[str, str] = {}
    for row in _rows(store, RECORDS):
        key = row["id"]
        previous = snapshot.entities.get(key)
        kind = min(filter(None, [row.get("kind", ""), previous.kind if previous else ""]), default="")
        keys[row["node"]] = key
        snapshot.entities[key] = Entity(key, kind or "(untyped)", row.get("zh", ""), row.get("en", ""))
    for row in _rows(store, CONCEPTS):
        key = f"{row['scheme']}: {row['notation']}"
        keys[row["node"]] = key
        snapshot.entities[key] = Entity(key, f"concept of {row['scheme']}", row.get("zh", ""), row.get("en", ""))
    values: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for row in _rows(store, FIELDS):
        values[keys[row["node"]]][row["property"]].add(row["value"])
    snapshot.fields = {key: {p: tuple(sorted(v)) for p, v in sorted(props.items())} for key, props in values.items()}
    quotes: dict[str, set[str]] = defaultdict(set)
    for row in _rows(store, QUOTES):
        if row["node"] in keys:
            quotes[keys[row["node"]]].add(row["quote"])
    snapshot.quotes = {key: tuple(sorted(found)) for key, found in quotes.items()}
    relation_quotes: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for row in _rows(store, LINKS):
        if row["subject"] in keys and row["object"] in keys:
            relation_quotes[(keys[row["subject"]], row["property"], keys[row["object"]])] |= set()
    for row in _rows(store, STATEMENT_QUOTES):
        triple = (keys.get(row["subject"], ""), row["property"], keys.get(row["object"], ""))
        if triple in relation_quotes:
            relation_quotes[triple].add(row["quote"])
    for row in _rows(store, PARTICIPATIONS):
        if row["arrangement"] in keys and row["member"] in keys:
            role = keys.get(row.get("role", ""), "")
            relation = "participant" + (f" ({role.split(': ', 1)[-1]})" if role else "")
            triple = (keys[row["arrangement"]], relation, keys[row["member"]])
            relation_quotes[triple] |= {row["quote"]} if row.get("quote") else set()
    snapshot.relations = {triple: tuple(sorted(found)) for triple, found in sorted(relation_quotes.items())}
    return snapshot


def _rows(store: pyoxigraph.Store, query: str) -> list[dict[str, str]]:
    """Solutions as plain strings: IRIs in compact form when a project prefix fits, literals with @lang."""
    import pyoxigraph as ox

    results = store.query(query)
    assert isinstance(results, ox.QuerySolutions)  # every query here is a SELECT
    names = [variable.value for variable in results.variables]
    rows = []
    for solution in results:
        row = {}
        for name in names:
            term = solution[name]
            if term is None:
                continue
            if isinstance(term, ox.Literal):
                row[name] = term.value + (f"@{term.language}" if term.language and name == "value" else "")
            else:
                row[name] = _compact(term.value) if name in {"property", "kind"} else term.value
        rows.append(row)
    return rows


def _compact(iri: str) -> str:
    """A vocabulary term's compact name for display (``pg:usesMechanism``); instance IRIs are never shown."""
    for prefix, namespace in sorted(PREFIXES.items(), key=lambda item: -len(str(item[1]))):
        if iri.startswith(str(namespace)):
            return f"{prefix}:{iri[len(str(namespace)):]}"
    if iri.startswith("http://www.w3.org/1999/02/22-rdf-syntax-ns#"):
        return "rdf:" + iri.rsplit("#", 1)[1]
    return iri


# ------------------------------------------------------------------------------------ the comparison
def compare(old: Snapshot, new: Snapshot) -> dict[str, Any]:
    """The differences, as plain data (the JSON form); every list sorted."""
    def entity(snapshot: Snapshot, key: str) -> dict[str, Any]:
        found = snapshot.entities[key]
        return {"id": key, "kind": found.kind, "zh": found.zh, "en": found.en,
                "quotes": list(snapshot.quotes.get(key, ()))}

    added = sorted(set(new.entities) - set(old.entities))
    removed = sorted(set(old.entities) - set(new.entities))
    changed = []
    for key in sorted(set(old.entities) & set(new.entities)):
        changes = []
        if old.entities[key].kind != new.entities[key].kind:
            changes.append({"field": "rdf:type", "old": [old.entities[key].kind], "new": [new.entities[key].kind]})
        before, after = old.fields.get(key, {}), new.fields.get(key, {})
        for name in sorted(set(before) | set(after)):
            if before.get(name, ()) != after.get(name, ()):
                changes.append({"field": name, "old": list(before.get(name, ())), "new": list(after.get(name, ()))})
        if old.quotes.get(key, ()) != new.quotes.get(key, ()):
            changes.append({"field": "quotes", "old": list(old.quotes.get(key, ())),
                            "new": list(new.quotes.get(key, ()))})
        if changes:
            changed.append({**entity(new, key), "changes": changes})

    def relation(snapshot: Snapshot, triple: tuple[str, str, str]) -> dict[str, Any]:
        subject, name, target = triple
        return {"kind": name, "subject": subject, "subject_zh": _label(snapshot, subject), "object": target,
                "object_zh": _label(snapshot, target), "quotes": list(snapshot.relations[triple])}

    relations_added = [relation(new, t) for t in sorted(set(new.relations) - set(old.relations))]
    relations_removed = [relation(old, t) for t in sorted(set(old.relations) - set(new.relations))]
    relations_changed = [{**relation(new, t), "old_quotes": list(old.relations[t])}
                         for t in sorted(set(old.relations) & set(new.relations))
                         if old.relations[t] != new.relations[t]]
    summary: dict[str, dict[str, int]] = defaultdict(lambda: {"added": 0, "removed": 0, "changed": 0})
    for name, items, snapshot in (("added", added, new), ("removed", removed, old)):
        for key in items:
            summary[f"records: {snapshot.entities[key].kind}"][name] += 1
    for item in changed:
        summary[f"records: {item['kind']}"]["changed"] += 1
    for name, found in (("added", relations_added), ("removed", relations_removed), ("changed", relations_changed)):
        for item in found:
            summary[f"relations: {item['kind']}"][name] += 1
    return {
        "old": {"version": old.version, "issued": old.issued, "triples": old.triples,
                "records": len(old.entities), "relations": len(old.relations)},
        "new": {"version": new.version, "issued": new.issued, "triples": new.triples,
                "records": len(new.entities), "relations": len(new.relations)},
        "summary": {kind: summary[kind] for kind in sorted(summary)},
        "records": {"added": [entity(new, k) for k in added], "removed": [entity(old, k) for k in removed],
                    "changed": changed},
        "relations": {"added": relations_added, "removed": relations_removed, "changed": relations_changed},
    }


def _label(snapshot: Snapshot, key: str) -> str:
    found = snapshot.entities.get(key)
    return found.zh if found else ""


def diff_files(old: Path, new: Path) -> dict[str, Any]:
    """Compare two built graphs (N-Triples files or folders holding ``practice-graph.nt``)."""
    old_file, new_file = graph_file(old), graph_file(new)
    result = compare(read_snapshot(old_file.read_bytes(), str(old_file)),
                     read_snapshot(new_file.read_bytes(), str(new_file)))
    return {"old_file": str(old), "new_file": str(new), **result}


def diff_json(result: dict[str, Any]) -> str:
    """The diff as JSON (sorted keys, UTF-8 text)."""
    return json.dumps(result, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


# ------------------------------------------------------------------------------------ Markdown
def _quotes(quotes: list[str], limit: int = 2) -> str:
    shown = "；".join(f"「{md(q)}」" for q in quotes[:limit])
    more = f" (+{len(quotes) - limit})" if len(quotes) > limit else ""
    return f" — {shown}{more}" if shown else ""


def _values(values: list[str]) -> str:
    return "; ".join(md(value) for value in values) if values else "(none)"


def diff_markdown(result: dict[str, Any]) -> str:
    """The diff as Markdown: a summary by kind, then every record and relation with its quotes."""
    old, new = result["old"], result["new"]
    out = [f"# practice-graph: {md(old['version'] or 'unversioned')} → {md(new['version'] or 'unversioned')}", "",
           f"Old: {md_code(result.get('old_file', 'old'))}; new: {md_code(result.get('new_file', 'new'))}. Records "
           "are matched by id, concepts by scheme and notation, relations by their two ends and kind.", "",
           "| | old | new |", "|---|---|---|"]
    for name in ("version", "issued", "triples", "records", "relations"):
        out.append(f"| {name} | {md(str(old[name]) or '–')} | {md(str(new[name]) or '–')} |")
    out += ["", "## Summary by kind", ""]
    if not result["summary"]:
        out += ["No record or relation differs.", ""]
    else:
        out += ["| kind | added | removed | changed |", "|---|---|---|---|"]
        out += [f"| {md(kind)} | {c['added']} | {c['removed']} | {c['changed']} |"
                for kind, c in result["summary"].items()]
        out.append("")
    records = result["records"]
    for state in ("added", "removed", "changed"):
        if not records[state]:
            continue
        out += [f"## Records {state}", ""]
        for kind, items in _by_kind(records[state]):
            out += [f"### {md(kind)} ({len(items)})", ""]
            for item in items:
                line = f"- {md_code(item['id'])} {md(item['zh'])} · {md(item['en'])}"
                if state == "changed":
                    out.append(line)
                    out += [f"  - {md(c['field'])}: {_values(c['old'])} → {_values(c['new'])}" for c in item["changes"]]
                else:
                    out.append(line + _quotes(item["quotes"]))
            out.append("")
    relations = result["relations"]
    for state in ("added", "removed", "changed"):
        if not relations[state]:
            continue
        out += [f"## Relations {state}", ""]
        for kind, items in _by_kind(relations[state]):
            out += [f"### {md(kind)} ({len(items)})", ""]
            for item in items:
                line = (f"- {md_code(item['subject'])} {md(item['subject_zh'])} → {md_code(item['object'])} "
                        f"{md(item['object_zh'])}")
                if state == "changed":
                    line += f": quotes {_values(item['old_quotes'])} → {_values(item['quotes'])}"
                    out.append(line)
                else:
                    out.append(line + _quotes(item["quotes"]))
            out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def _by_kind(items: list[dict[str, Any]]) -> list[tuple[str, list[dict[str, Any]]]]:
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for item in items:
        groups[item["kind"]].append(item)
    return sorted(groups.items())

