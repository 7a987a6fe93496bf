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
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from practice_graph.core.namespaces import PREFIXES
from practice_graph.core.paths import NTRIPLES
from practice_graph.core.prefixes import NAMESPACES
from practice_graph.model.schema import load_model
from practice_graph.views.report import md, md_code

if TYPE_CHECKING:
    import pyoxigraph

PREAMBLE = "\n".join(f"PREFIX {prefix}: <{namespace}>" for prefix, namespace in sorted(PREFIXES.items())) + """
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
"""
# A record: a node with an id; its kind is its type in the project's ontology, else the scheme it is a
# concept of (taxonomy concepts carry ids too), else concept scheme, else its other type (dcat:Dataset).
RECORDS = PREAMBLE + """
SELECT ?node ?id ?kind ?type ?scheme ?isScheme ?zh ?en WHERE {
  ?node dcterms:identifier ?id .
  OPTIONAL { ?node a ?kind . FILTER(STRSTARTS(STR(?kind), STR(pg:))) }
  OPTIONAL { ?node a ?type . FILTER(!STRSTARTS(STR(?type), STR(pg:))) }
  OPTIONAL { ?node skos:inScheme/rdfs:label ?scheme . FILTER(LANG(?scheme) = "en") }
  OPTIONAL { ?node a skos:ConceptScheme . BIND(true AS ?isScheme) }
  OPTIONAL { ?node rdfs:label ?zh . FILTER(LANG(?zh) = "zh") }
  OPTIONAL { ?node rdfs:label ?en . FILTER(LANG(?en) = "en") }
}"""
# A concept of a taxonomy without an id: known by its scheme and its notation.
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
RELEASE = PREAMBLE + """
SELECT ?version ?issued WHERE {
  ?dataset a dcat:Dataset .
  OPTIONAL { ?dataset owl:versionInfo ?version }
  OPTIONAL { ?dataset dcterms:issued ?issued }
}"""


@dataclass(frozen=True)
class ItemForm:
    """A node inside a record that the diff shows as a relation of its owner: ``owner -relation-> target``,
    its other values as qualifiers (a participation's role, a mechanism use's use and instrument codes)."""

    relation: str
    owner: str  # the predicate from the item to its owner record (compact)
    target: str  # the predicate from the item to the record it links its owner with


# A participation is its arrangement's participant; a mechanism use restates pg:usesMechanism with its
# use and instrument codes (codebook MODEL-7), so a graph built before mechanism uses compares with it.
ITEMS = {
    "pg:Participation": ItemForm("participant", "org:organization", "org:member"),
    "pg:MechanismUse": ItemForm("pg:usesMechanism", "pg:practice", "pg:mechanism"),
}
# SKOS bookkeeping the kind of a concept already says (its scheme) or that restates another triple.
BOOKKEEPING = frozenset({"skos:inScheme", "skos:topConceptOf", "skos:hasTopConcept", "skos:narrower"})


@lru_cache(maxsize=1)
def _model_names() -> tuple[frozenset[str], dict[str, str], dict[str, str]]:
    """From the model: the predicates the build derives (left out: they restate what is listed, except
    pg:usesMechanism, which mechanism uses state), class labels and slot keys by compact IRI."""
    model = load_model()
    derived = frozenset(slot.uri for slot in model.slots.values() if slot.derived and slot.uri)
    classes = {cls.uri: cls.label.en for cls in model.classes.values() if cls.uri}
    keys = {slot.uri: slot.key for slot in model.slots.values() if slot.uri}
    return derived - {form.relation for form in ITEMS.values()}, classes, keys


class DiffError(ValueError):
    """A graph to compare cannot be found or read."""


@dataclass(frozen=True)
class Entity:
    """A record or a taxonomy concept as the diff shows it."""

    key: str
    kind: str
    zh: str
    en: str


@dataclass(frozen=True)
class Relation:
    """A relation's quotes and, for a relation stated by an item, the item's other values."""

    quotes: tuple[str, ...] = ()
    qualifiers: tuple[tuple[str, str], ...] = ()


@dataclass
class Snapshot:
    """What one graph holds, keyed by ids (never by IRI)."""

    version: str = ""
    issued: str = ""
    triples: int = 0
    entities: dict[str, Entity] = field(default_factory=dict)
    fields: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)
    quotes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    relations: dict[tuple[str, str, str], Relation] = field(default_factory=dict)


def graph_file(path: Path) -> Path:
    """The N-Triples file of ``path``: the file itself, or a release or build folder's ``practice-graph.nt``."""
    path = Path(path)
    candidate = path / NTRIPLES if path.is_dir() else path
    if not candidate.is_file():
        raise DiffError(f"{path}: no built graph here (expected an N-Triples file or a folder with {NTRIPLES})")
    return candidate


def read_snapshot(ntriples: bytes, name: str = "graph") -> Snapshot:
    """Read the records, concepts, fields, quotes and relations of a built graph; participations and
    mechanism uses become relations of their arrangement or practice (:data:`ITEMS`)."""
    from practice_graph.sparql.store import oxigraph_store

    try:
        store = oxigraph_store(ntriples)
    except (SyntaxError, ValueError, OSError) as error:
        raise DiffError(f"{name}: not readable as N-Triples: {' '.join(str(error).split())[:300]}") from None
    derived, _, slot_keys = _model_names()
    snapshot = Snapshot()
    for row in _rows(store, RELEASE)[:1]:
        snapshot.version, snapshot.issued = row.get("version", ""), row.get("issued", "")
    snapshot.triples = len(store)
    keys: dict[str, str] = {}
    kinds: dict[str, set[str]] = defaultdict(set)
    for row in _rows(store, RECORDS):
        keys[row["node"]] = row["id"]
        kinds[row["id"]].add(row.get("kind") or (f"concept of {row['scheme']}" if row.get("scheme") else "")
                             or ("concept scheme" if row.get("isScheme") else "") or row.get("type", "(untyped)"))
        snapshot.entities[row["id"]] = Entity(row["id"], "", row.get("zh", ""), row.get("en", ""))
    for key, found in kinds.items():  # a node of several pg: types is shown by the first, in order
        entity = snapshot.entities[key]
        snapshot.entities[key] = Entity(key, min(found - {"(untyped)"} or found), entity.zh, entity.en)
    for row in _rows(store, CONCEPTS):
        key = f"{row['scheme']}: {row['notation']}"
        keys[row["node"]] = key
        snapshot.entities[key] = Entity(key, f"concept of {row['scheme']}", row.get("zh", ""), row.get("en", ""))
    items = {key for key, entity in snapshot.entities.items() if entity.kind in ITEMS}
    values: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for row in _rows(store, FIELDS):
        key = keys[row["node"]]
        values[key][row["property"]].add(row.get("plain", row["value"]) if key in items else row["value"])
    quotes: dict[str, set[str]] = defaultdict(set)
    for row in _rows(store, QUOTES):
        if row["node"] in keys:
            quotes[keys[row["node"]]].add(row["quote"])
    links: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    relation_quotes: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for row in _rows(store, LINKS):
        subject, target = keys.get(row["subject"]), keys.get(row["object"])
        if subject is None or target is None:
            continue
        if subject in items:
            links[subject][row["property"]].add(target)
        elif target not in items and row["property"] not in derived | BOOKKEEPING:
            relation_quotes[(subject, row["property"], target)] |= set()
    for row in _rows(store, STATEMENT_QUOTES):
        triple = (keys.get(row["subject"], ""), row["property"], keys.get(row["object"], ""))
        if triple in relation_quotes:
            relation_quotes[triple].add(row["quote"])
    relations = {triple: Relation(tuple(sorted(found))) for triple, found in relation_quotes.items()}
    for item in sorted(items):
        form = ITEMS[snapshot.entities[item].kind]
        owners, targets = links[item].get(form.owner, set()), links[item].get(form.target, set())
        if len(owners) != 1 or len(targets) != 1:
            continue  # not a whole item: SHACL refuses such a graph
        qualifiers = [(slot_keys.get(p, p), v) for p, found in values[item].items() for v in found]
        qualifiers += [(slot_keys.get(p, p), v) for p, found in links[item].items()
                       if p not in (form.owner, form.target) for v in found]
        triple = (min(owners), form.relation, min(targets))
        relations[triple] = Relation(tuple(sorted(set(relations.get(triple, Relation()).quotes)
                                                  | set(quotes.get(item, ())))), tuple(sorted(qualifiers)))
    for item in items:
        del snapshot.entities[item]
    snapshot.fields = {key: {p: tuple(sorted(v)) for p, v in sorted(props.items())}
                       for key, props in values.items() if key not in items}
    snapshot.quotes = {key: tuple(sorted(found)) for key, found in quotes.items() if key not in items}
    snapshot.relations = dict(sorted(relations.items()))
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
                if term.language and name == "value":
                    row["plain"] = term.value
            else:
                row[name] = _compact(term.value) if name in {"property", "kind", "type"} else term.value
        rows.append(row)
    return rows


def _compact(iri: str) -> str:
    """A vocabulary term's compact name for display (``pg:usesMechanism``); instance IRIs are never shown."""
    for prefix, namespace in sorted(PREFIXES.items(), key=lambda item: -len(str(item[1]))):
        if iri.startswith(str(namespace)):
            return f"{prefix}:{iri[len(str(namespace)):]}"
    if iri.startswith(NAMESPACES["rdf"]):
        return "rdf:" + iri[len(NAMESPACES["rdf"]):]
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
        found = snapshot.relations[triple]
        return {"kind": name, "subject": subject, "subject_zh": _label(snapshot, subject),
                "subject_kind": _kind(snapshot, subject), "object": target, "object_zh": _label(snapshot, target),
                "quotes": list(found.quotes), "qualifiers": _qualifiers(snapshot, found.qualifiers)}

    relations_added = [relation(new, t) for t in sorted(set(new.relations) - set(old.relations))]
    relations_removed = [relation(old, t) for t in sorted(set(old.relations) - set(new.relations))]
    relations_changed = [{**relation(new, t), "old_quotes": list(old.relations[t].quotes),
                          "old_qualifiers": _qualifiers(old, old.relations[t].qualifiers)}
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


def _qualifiers(snapshot: Snapshot, pairs: tuple[tuple[str, str], ...]) -> list[list[str]]:
    """[name, value, label]: a value that is a record or concept with its English label (else blank)."""
    found = [(name, value, snapshot.entities.get(value)) for name, value in pairs]
    return [[name, value, entity.en or entity.zh if entity else ""] for name, value, entity in found]


def _kind(snapshot: Snapshot, key: str) -> str:
    found = snapshot.entities.get(key)
    return found.kind if found else ""


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
COMMON = 5  # a field change shared by this many records of a kind is listed once for all of them
SIGNS = {"added": "+", "removed": "−", "changed": "~"}


def _quotes(quotes: list[str], limit: int = 2) -> str:
    shown = "；".join(f"「{md(q)}」" for q in quotes[:limit])
    more = f" (+{len(quotes) - limit})" if len(quotes) > limit else ""
    return f" — {shown}{more}" if shown else ""


def _values(values: list[str]) -> str:
    return "; ".join(md(value) for value in values) if values else "(none)"


QUALIFIER_ORDER = ("role", "use", "rz", "nato")  # shown first, the others after them by name


def _by_name(qualifiers: list[list[str]]) -> dict[str, str]:
    """A relation's qualifiers for people, by name in display order: concepts by their label, false flags
    left out."""
    found: dict[str, list[str]] = defaultdict(list)
    for name, value, label in qualifiers:
        if value != "false":
            found[name].append(label or value)
    order = sorted(found, key=lambda n: (QUALIFIER_ORDER.index(n) if n in QUALIFIER_ORDER else len(QUALIFIER_ORDER), n))
    return {name: ", ".join(sorted(found[name])) for name in order}


def _relation_line(item: dict[str, Any], state: str) -> str:
    line = f"  - {SIGNS[state]} {md(item['kind'])} → {md_code(item['object'])} {md(item['object_zh'])}"
    if state != "changed":
        shown = "; ".join(f"{md(n)}: {md(v)}" for n, v in _by_name(item["qualifiers"]).items())
        return line + (f" ({shown})" if shown else "") + _quotes(item["quotes"], 1)
    before, after = _by_name(item["old_qualifiers"]), _by_name(item["qualifiers"])
    changes = [f"{md(n)}: {md(before.get(n, '(none)'))} → {md(after.get(n, '(none)'))}"
               for n in [*after, *(n for n in before if n not in after)] if before.get(n) != after.get(n)]
    if changes:
        line += ": " + "; ".join(changes)
    if item["old_quotes"] != item["quotes"]:
        line += f"; quotes {_values(item['old_quotes'])} → {_values(item['quotes'])}"
    return line


def _field_lines(change: dict[str, Any]) -> list[str]:
    if change["field"] != "quotes":
        return [f"  - {md(change['field'])}: {_values(change['old'])} → {_values(change['new'])}"]
    old, new = set(change["old"]), set(change["new"])
    return ([f"  - + quote 「{md(q)}」" for q in sorted(new - old)]
            + [f"  - − quote 「{md(q)}」" for q in sorted(old - new)])


def _kind_order(kind: str) -> tuple[int, str]:
    """Records of the project's kinds first, then taxonomy concepts and schemes, then the rest."""
    return (0 if kind.startswith("pg:") else 1 if kind.startswith("concept") else 2, kind)


def _change_key(change: dict[str, Any]) -> str:
    return json.dumps(change, ensure_ascii=False, sort_keys=True)


def diff_markdown(result: dict[str, Any]) -> str:
    """The diff as Markdown: a summary, then one section per kind of record: the records added, removed
    and changed, each with its quotes and the relations it gains, loses or changes."""
    _, class_labels, _ = _model_names()
    old, new = result["old"], result["new"]
    out = [f"# practice-graph: {md(old['version'] or 'unversioned')} → {md(new['version'] or 'unversioned')}", "",
           f"Old: {md_code(result.get('old_file', 'old'))}; new: {md_code(result.get('new_file', 'new'))}. Records are "
           "matched by id, concepts by scheme and notation, relations by their two ends and kind. A participation is a "
           "relation of its arrangement (`participant`) and a mechanism use one of its practice "
           "(`pg:usesMechanism`), with their role, use and instrument codes as qualifiers. Relations the build "
           "derives (`pg:adopts` ..., `pg:mentions`, `pg:withinProvince`, `pg:mechanismCategory`) and SKOS "
           "bookkeeping (`skos:inScheme`, `skos:topConceptOf`) are left out. + added, − removed, ~ changed.", "",
           "| | old | new |", "|---|---|---|"]
    for name in ("version", "issued", "triples", "records", "relations"):
        out.append(f"| {name} | {md(str(old[name]) or '–')} | {md(str(new[name]) or '–')} |")
    out += ["", "## Summary by kind", ""]
    if not result["summary"]:
        return "\n".join([*out, "No record or relation differs."]) + "\n"
    out += ["| kind | added | removed | changed |", "|---|---|---|---|"]
    out += [f"| {md(kind)} | {c['added']} | {c['removed']} | {c['changed']} |"
            for kind, c in result["summary"].items()]
    out.append("")
    records, relations = result["records"], result["relations"]
    kind_of: dict[str, str] = {}
    lines: dict[str, list[str]] = defaultdict(list)  # a record's relation lines
    subject_zh: dict[str, str] = {}
    for state in ("added", "removed", "changed"):
        for item in sorted(relations[state], key=lambda r: (r["subject"], r["kind"], r["object"])):
            lines[item["subject"]].append(_relation_line(item, state))
            subject_zh[item["subject"]] = item["subject_zh"]
            kind_of.setdefault(item["subject"], item["subject_kind"])
    for state in ("added", "removed", "changed"):
        for item in records[state]:
            kind_of[item["id"]] = item["kind"]
    for kind in sorted(set(kind_of.values()), key=_kind_order):
        label = class_labels.get(kind, "")
        out += [f"## {md(label)} ({md_code(kind)})" if label else f"## {md(kind)}", ""]
        shown: set[str] = set()
        for state in ("added", "removed"):
            items = [item for item in records[state] if item["kind"] == kind]
            if items:
                out += [f"### {state.capitalize()} ({len(items)})", ""]
            for item in items:
                out.append(f"- {md_code(item['id'])} {md(item['zh'])} · {md(item['en'])}" + _quotes(item["quotes"]))
                out += lines[item["id"]]
                shown.add(item["id"])
            if items:
                out.append("")
        changed = {item["id"]: item for item in records["changed"] if item["kind"] == kind}
        counts: dict[str, int] = defaultdict(int)
        for item in changed.values():
            for change in item["changes"]:
                counts[_change_key(change)] += 1
        common = {key for key, count in counts.items() if count >= COMMON}
        rest = sorted({key for key, k in kind_of.items() if k == kind} - shown)
        entries = []
        for key in rest:
            item = changed.get(key)
            fields = [line for c in (item["changes"] if item else []) if _change_key(c) not in common
                      for line in _field_lines(c)]
            if not fields and not lines[key]:
                continue
            zh, en = (item["zh"], item["en"]) if item else (subject_zh.get(key, ""), "")
            entries += [f"- {md_code(key)} {md(zh)}" + (f" · {md(en)}" if en else ""), *fields, *lines[key]]
        if entries:
            out += [f"### Changed ({sum(entry.startswith('- ') for entry in entries)})", "", *entries, ""]
        if common:
            out += [f"### Changed the same way in {COMMON} or more records", ""]
            for key in sorted(common, key=lambda k: (-counts[k], k)):
                ids = sorted(i for i, item in changed.items() if key in {_change_key(c) for c in item["changes"]})
                out += [line.replace("  - ", f"- in {counts[key]} records: ", 1)
                        for line in _field_lines(json.loads(key))]
                out.append("  - " + ", ".join(md_code(i) for i in ids))
            out.append("")
    return "\n".join(out).rstrip("\n") + "\n"
