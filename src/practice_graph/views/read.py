"""The read side of every view: named SPARQL view queries, turned into plain dataclasses.

Analysis, report, viewer and ``stats`` read the graph here and nowhere else. The queries are the
files of ``views/queries/*.rq``. They run on the embedded pyoxigraph store, with parameters bound
by the engine (``substitutions``), or on any SPARQL 1.1 endpoint, with parameters bound in a
trailing ``VALUES`` clause of escaped terms; either way the rows are the same, and everything built
from them is sorted, so the same graph gives the same objects wherever it is held.

Facts come from the graph's own statements: ids from ``dcterms:identifier`` (records, concept
schemes, memberships) and ``skos:notation`` (concepts), numbers from ``pg:number``, offsets from
``oa:start``/``oa:end``. IRIs are keys, compared and sorted, never taken apart.

>>> source = Source(store=store)                      # doctest: +SKIP
>>> read_practice_data(source).regions["henan"].level  # doctest: +SKIP
'province'
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from practice_graph.core.prefixes import NAMESPACES
from practice_graph.model.schema import load_model
from practice_graph.sparql.query import with_values
from practice_graph.sparql.remote import remote_query, remote_solutions
from practice_graph.sparql.store import oxigraph_store

VIEW_DIR = Path(__file__).resolve().parent / "queries"
RDF_NS = NAMESPACES["rdf"]
XSD_NS = NAMESPACES["xsd"]
INTEGER_TYPES = frozenset(XSD_NS + name for name in (
    "integer", "nonNegativeInteger", "positiveInteger", "nonPositiveInteger", "negativeInteger", "long", "int",
    "short", "byte", "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte"))
BOOLEAN = XSD_NS + "boolean"
CHINESE_NUMERALS = "〇一二三四五六七八九十"
REGION_KIND = "region"
REGION_KIND_LABEL = ("地区（未具名机构）", "Region (acting body not named)")
OTHER_KIND = "other"
OTHER_KIND_LABEL = ("其他", "Other")
# Compact names of classes and predicates: the prefixes every output binds (the model's, read here without
# rdflib) and rdf: (bound by rdflib by default).
_BOUND = {name: prefix.iri for name, prefix in load_model().prefixes.items() if prefix.bind}
COMPACT_PREFIXES = sorted(((iri, prefix) for prefix, iri in {**_BOUND, "rdf": RDF_NS}.items()),
                          key=lambda item: -len(item[0]))
NAME_END = frozenset("/#?:")


# ---------------------------------------------------------------------------------------- the engine
@cache
def view_text(view: str) -> str:
    """The text of a named view query (``views/queries/{view}.rq``)."""
    return (VIEW_DIR / f"{view}.rq").read_text(encoding="utf-8")


def view_names() -> list[str]:
    """Every view query shipped with the package."""
    return sorted(path.stem for path in VIEW_DIR.glob("*.rq"))


def _value(term: Any) -> Any:
    """A result term as a Python value: IRIs as ``str``, integers as ``int``, booleans as ``bool``."""
    if term is None:
        return None
    kind = term.__class__
    if kind is ox.Literal:
        datatype = term.datatype.value
        if datatype in INTEGER_TYPES:
            return int(term.value)
        if datatype == BOOLEAN:
            return term.value in ("true", "1")
        return term.value
    if kind is ox.BlankNode:
        return f"_:{term.value}"
    return term.value


@dataclass(frozen=True)
class Source:
    """Where the views read the graph: an embedded pyoxigraph ``store`` or a SPARQL 1.1 ``endpoint``.

    A Source remembers the rows it has read, so views rendered together (the analysis, its Gephi
    files, the viewer) run each query once: make a new Source after changing the store.
    """

    store: ox.Store | None = None
    endpoint: str | None = None
    _read: dict[tuple[str, tuple[tuple[str, str], ...]], list[dict[str, Any]]] = field(
        default_factory=dict, init=False, repr=False, compare=False)

    def rows(self, view: str, **params: str) -> list[dict[str, Any]]:
        """The solutions of a named view query as dicts of Python values (``None`` where unbound);
        ``params`` are bound as string literals. Do not change the rows: they are shared."""
        key = (view, tuple(sorted(params.items())))
        if key not in self._read:
            self._read[key] = self._run(view, params)
        return self._read[key]

    def _run(self, view: str, params: dict[str, str]) -> list[dict[str, Any]]:
        text = view_text(view)
        substitutions: dict[ox.Variable, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple] = {
            ox.Variable(name): ox.Literal(value) for name, value in sorted(params.items())}
        if self.endpoint:
            solutions = remote_solutions(self.endpoint, with_values(text, substitutions))
        elif self.store is not None:
            result = self.store.query(text, substitutions=substitutions)
            assert isinstance(result, ox.QuerySolutions), f"view {view} is not a SELECT"
            solutions = result
        else:
            raise ValueError("a Source needs a store or an endpoint")
        names = [variable.value for variable in solutions.variables]
        return [dict(zip(names, map(_value, solution), strict=True)) for solution in solutions]

    def triples(self, view: str) -> list[ox.Triple]:
        """The triples of a named CONSTRUCT view query (no parameters), sorted."""
        text = view_text(view)
        if self.endpoint:
            result: Any = remote_query(self.endpoint, text)
        elif self.store is not None:
            result = self.store.query(text)
        else:
            raise ValueError("a Source needs a store or an endpoint")
        if not isinstance(result, (ox.QueryTriples, list)):
            raise ValueError(f"view {view} is not a CONSTRUCT")
        return sorted(set(result), key=str)


GraphLike = Any  # a Source, a pyoxigraph Store, or an rdflib Graph


def as_source(graph: GraphLike) -> Source:
    """A Source for a Source, a pyoxigraph Store or an rdflib Graph (copied into an embedded store)."""
    if isinstance(graph, Source):
        return graph
    if isinstance(graph, ox.Store):
        return Source(store=graph)
    if hasattr(graph, "serialize") and hasattr(graph, "triples"):  # an rdflib Graph
        return Source(store=oxigraph_store(graph.serialize(format="nt", encoding="utf-8")))
    raise TypeError(f"cannot read a graph from {type(graph).__name__}")


@cache
def compact(iri: str) -> str:
    """The compact name of a class or predicate (``pg:Region``, ``rdf:type``), ``<iri>`` without a prefix."""
    for namespace, prefix in COMPACT_PREFIXES:
        if iri.startswith(namespace):
            name = iri[len(namespace):]
            if name and not NAME_END & set(name):
                return f"{prefix}:{name}"
    return f"<{iri}>"


# ---------------------------------------------------------------------------------------- shared facts
@dataclass(frozen=True, order=True)
class Label:
    """A Chinese label as written in the source and the curators' English translation."""

    zh: str
    en: str


@dataclass(frozen=True, order=True)
class Quote:
    """A verbatim quote of the source, its practice and its character offsets (end exclusive; -1 when
    the graph states none)."""

    practice: str
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Names:
    """A node's labels as the graph states them (``None`` where it states none)."""

    zh: str | None = None
    en: str | None = None

    def label(self, fallback: str) -> Label:
        """Both languages, each falling back to the other and then to ``fallback``."""
        return Label(self.zh or self.en or fallback, self.en or self.zh or fallback)


def read_labels(source: Source) -> dict[str, Names]:
    """Every labelled node's Chinese and English label, by IRI."""
    found: dict[str, dict[str, str]] = defaultdict(dict)
    for row in source.rows("labels"):
        found[row["node"]][row["lang"]] = row["text"]
    return {node: Names(texts.get("zh"), texts.get("en")) for node, texts in found.items()}


def read_quotes(source: Source) -> dict[str, tuple[Quote, ...]]:
    """Every node's quotes (distinct, sorted), by the IRI of the node that holds them."""
    evidence: dict[str, dict[str, set[Any]]] = defaultdict(lambda: defaultdict(set))
    holders: dict[str, set[str]] = defaultdict(set)
    for row in source.rows("quotes"):
        holders[row["holder"]].add(row["evidence"])
        facts = evidence[row["evidence"]]
        for name in ("exact", "label", "start", "end", "practice"):
            if row[name] is not None:
                facts[name].add(row[name])
    quotes: dict[str, Quote] = {}
    for node, facts in evidence.items():
        texts = facts["exact"] or facts["label"]
        if texts:
            quotes[node] = Quote(min(facts["practice"], default=""), min(facts["start"], default=-1),
                                 min(facts["end"], default=-1), min(texts))
    return {holder: tuple(sorted({quotes[e] for e in nodes if e in quotes})) for holder, nodes in holders.items()}


def _one(values: Iterable[Any]) -> Any:
    """The least of the values a row set gives for a field (``None`` when there is none)."""
    present = [value for value in values if value is not None]
    return min(present) if present else None


# ---------------------------------------------------------------------------------------- analysis
@dataclass(frozen=True)
class Region:
    id: str
    label: Label
    level: str
    parent: str | None
    province: str


@dataclass(frozen=True)
class Practice:
    id: str
    ref: str  # the source's numbering, e.g. 四(一)1
    label: Label
    region: str
    mechanisms: tuple[str, ...]
    quotes: tuple[Quote, ...]
    numbers: tuple[int, int, int] = (0, 0, 0)  # work task, measure, practice: the source's order


@dataclass(frozen=True)
class Mechanism:
    id: str
    label: Label
    category: str | None


@dataclass(frozen=True)
class Participant:
    id: str
    label: Label
    kind: str
    role: str | None
    quotes: tuple[Quote, ...]


@dataclass(frozen=True)
class Arrangement:
    """A joint arrangement with its participants (the n-ary org:Membership pattern)."""

    id: str
    label: Label
    kind: str
    region: str
    practice: str
    participants: tuple[Participant, ...]
    quotes: tuple[Quote, ...]

    @property
    def kinds(self) -> tuple[str, ...]:
        """The signature: the set of participant kinds, sorted."""
        return tuple(sorted({p.kind for p in self.participants}))

    @property
    def lead_kinds(self) -> tuple[str, ...]:
        """The participant kinds that lead (role ``lead``), sorted."""
        return tuple(sorted({p.kind for p in self.participants if p.role == "lead"}))

    @property
    def convener_kinds(self) -> tuple[str, ...]:
        """The participant kinds that convene the others (role ``convener``: the subject of 会同, 联合X,
        组织X, 协调X, 依托X), sorted."""
        return tuple(sorted({p.kind for p in self.participants if p.role == "convener"}))


@dataclass(frozen=True)
class MechanismUse:
    """A region uses a mechanism: the practices behind it and their quotes."""

    region: str
    mechanism: str
    practices: tuple[str, ...]
    quotes: tuple[Quote, ...]


@dataclass
class PracticeData:
    """What the analysis reads from the graph, indexed by id."""

    regions: dict[str, Region]
    practices: dict[str, Practice]
    mechanisms: dict[str, Mechanism]
    kinds: dict[str, Label]
    arrangement_kinds: dict[str, Label]
    roles: dict[str, Label]
    arrangements: dict[str, Arrangement]
    uses: dict[tuple[str, str], MechanismUse] = field(default_factory=dict)
    categories: dict[str, Label] = field(default_factory=dict)  # mechanism categories

    def region_label(self, region: str) -> Label:
        return self.regions[region].label if region in self.regions else Label(region, region)


def _grouped(rows: Iterable[dict[str, Any]], key: str) -> dict[Any, list[dict[str, Any]]]:
    found: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        found[row[key]].append(row)
    return found


def _regions(source: Source, labels: dict[str, Names]) -> dict[str, Region]:
    found = {}
    for node, rows in _grouped(source.rows("regions"), "node").items():
        region_id = _one(r["id"] for r in rows)
        found[region_id] = Region(
            id=region_id,
            label=labels.get(node, Names()).label(region_id),
            level=_one(r["level"] for r in rows) or "",
            parent=_one(r["parent"] for r in rows),
            province=_one(r["province"] for r in rows) or region_id,
        )
    return dict(sorted(found.items()))


def _numeral(number: int) -> str:
    return CHINESE_NUMERALS[number] if 0 < number <= 10 else str(number)


def _practices(source: Source, labels: dict[str, Names], quotes: dict[str, tuple[Quote, ...]]
               ) -> tuple[dict[str, Practice], dict[tuple[str, str], MechanismUse]]:
    used: dict[str, dict[str, set[Quote]]] = defaultdict(lambda: defaultdict(set))
    for row in source.rows("practice-mechanisms"):
        used[row["practice"]][row["mechanism"]].update(quotes.get(row["statement"], ()))
    practices = {}
    for node, rows in _grouped(source.rows("practices"), "node").items():
        practice_id = _one(r["id"] for r in rows)
        has_task = any(r["task"] is not None for r in rows)
        task = (_one(r["taskNumber"] for r in rows) or 0) if has_task else 0
        measure = (_one(r["measureNumber"] for r in rows) or 0) if has_task else 0
        number = _one(r["number"] for r in rows) or 0
        practices[practice_id] = Practice(
            id=practice_id,
            ref=f"{_numeral(task)}({_numeral(measure)}){number}",
            label=labels.get(node, Names()).label(practice_id),
            region=_one(r["region"] for r in rows),
            mechanisms=tuple(sorted(used.get(practice_id, ()))),
            quotes=quotes.get(node, ()),
            numbers=(task, measure, number),
        )
    by_use: dict[tuple[str, str], tuple[set[str], set[Quote]]] = {}
    for practice in practices.values():
        for mechanism, statement_quotes in used.get(practice.id, {}).items():
            ids, texts = by_use.setdefault((practice.region, mechanism), (set(), set()))
            ids.add(practice.id)
            texts.update(statement_quotes or practice.quotes[:1])
    uses = {key: MechanismUse(key[0], key[1], tuple(sorted(ids)), tuple(sorted(texts)))
            for key, (ids, texts) in sorted(by_use.items())}
    return dict(sorted(practices.items())), uses


def _mechanisms(source: Source, labels: dict[str, Names]) -> tuple[dict[str, Mechanism], dict[str, Label]]:
    mechanisms, categories = {}, {}
    for node, rows in _grouped(source.rows("mechanisms"), "node").items():
        mechanism_id = _one(r["id"] for r in rows)
        category = _one(r["category"] for r in rows)
        mechanisms[mechanism_id] = Mechanism(mechanism_id, labels.get(node, Names()).label(mechanism_id), category)
        for row in rows:
            if row["category"] is not None:
                categories[row["category"]] = labels.get(row["categoryNode"], Names()).label(row["category"])
    return dict(sorted(mechanisms.items())), dict(sorted(categories.items()))


@dataclass(frozen=True)
class Membership:
    """A participation in a joint arrangement (org:Membership): the member, its role and its kind.

    A member's kind is ``region`` for a region (acting through a body the text does not name),
    ``{scheme}/{notation}`` of its classification (a department type, an organisation kind), or ``other``.
    """

    iri: str
    arrangement: str  # IRI
    member: str  # IRI
    member_id: str
    role: str | None  # the role's notation (lead, implement, support, partner)
    role_node: str | None
    kind: str
    kind_label: Label
    quotes: tuple[Quote, ...]


def read_memberships(source: Source, labels: dict[str, Names] | None = None,
                     quotes: dict[str, tuple[Quote, ...]] | None = None) -> list[Membership]:
    """Every participation in a joint arrangement, sorted by IRI."""
    labels = read_labels(source) if labels is None else labels
    quotes = read_quotes(source) if quotes is None else quotes
    found = []
    for membership, rows in sorted(_grouped(source.rows("memberships"), "membership").items()):
        member = _one(r["member"] for r in rows)
        if any(r["isRegion"] for r in rows):
            kind, kind_label = REGION_KIND, Label(*REGION_KIND_LABEL)
        else:
            classified = sorted((r["scheme"], r["notation"], r["kindNode"]) for r in rows
                                if r["scheme"] is not None and r["notation"] is not None)
            if classified:
                scheme, notation, node = classified[0]
                kind = f"{scheme}/{notation}"
                kind_label = labels.get(node, Names()).label(kind)
            else:
                kind, kind_label = OTHER_KIND, Label(*OTHER_KIND_LABEL)
        found.append(Membership(
            iri=membership,
            arrangement=_one(r["arrangement"] for r in rows),
            member=member,
            member_id=_one(r["memberId"] for r in rows) or member,
            role=_one(r["role"] for r in rows),
            role_node=_one(r["roleNode"] for r in rows),
            kind=kind,
            kind_label=kind_label,
            quotes=quotes.get(membership, ()),
        ))
    return found


def _arrangements(source: Source, labels: dict[str, Names], quotes: dict[str, tuple[Quote, ...]]
                  ) -> tuple[dict[str, Arrangement], dict[str, Label]]:
    participants: dict[str, list[Participant]] = defaultdict(list)
    kind_labels: dict[str, Label] = {}
    for membership in read_memberships(source, labels, quotes):
        kind_labels[membership.kind] = membership.kind_label
        participants[membership.arrangement].append(Participant(
            id=membership.member_id,
            label=labels.get(membership.member, Names()).label(membership.member_id),
            kind=membership.kind,
            role=membership.role,
            quotes=membership.quotes,
        ))
    found = {}
    for node, rows in _grouped(source.rows("arrangements"), "node").items():
        arrangement_id = _one(r["id"] for r in rows)
        members = tuple(sorted(participants.get(node, ()), key=lambda p: (p.kind, p.id, p.role or "")))
        found[arrangement_id] = Arrangement(
            id=arrangement_id,
            label=labels.get(node, Names()).label(arrangement_id),
            kind=_one(r["kind"] for r in rows) or OTHER_KIND,
            region=_one(r["region"] for r in rows) or "",
            practice=_one(r["practice"] for r in rows) or "",
            participants=members,
            quotes=quotes.get(node, ()),
        )
    kinds = {p.kind for a in found.values() for p in a.participants}
    return dict(sorted(found.items())), {kind: kind_labels[kind] for kind in sorted(kinds)}


def read_concepts(source: Source, scheme: str, labels: dict[str, Names] | None = None) -> dict[str, Label]:
    """The labels of the concepts of one scheme (``roles``, ``arrangement-kinds``...), by notation."""
    labels = read_labels(source) if labels is None else labels
    return {row["notation"]: labels.get(row["node"], Names()).label(row["notation"])
            for row in sorted(source.rows("concepts", scheme=scheme), key=lambda r: (r["notation"], r["node"]))}


def read_practice_data(graph: GraphLike) -> PracticeData:
    """Regions, practices, mechanisms and joint arrangements, read through the view queries."""
    source = as_source(graph)
    labels = read_labels(source)
    quotes = read_quotes(source)
    practices, uses = _practices(source, labels, quotes)
    mechanisms, categories = _mechanisms(source, labels)
    arrangements, kinds = _arrangements(source, labels, quotes)
    return PracticeData(
        regions=_regions(source, labels),
        practices=practices,
        mechanisms=mechanisms,
        kinds=kinds,
        arrangement_kinds=read_concepts(source, "arrangement-kinds", labels),
        roles=read_concepts(source, "roles", labels),
        arrangements=arrangements,
        uses=uses,
        categories=categories,
    )


# ---------------------------------------------------------------------------------------- the whole graph
@dataclass(frozen=True)
class Node:
    """A node named by an IRI that has a class, as the graph states it (``None`` where it does not)."""

    iri: str
    classes: tuple[str, ...]  # class IRIs, sorted
    id: str | None
    number: int | None
    names: Names


@dataclass(frozen=True, order=True)
class Link:
    """A relation between two nodes named by IRIs; ``statement`` is the reified statement quoting it."""

    subject: str
    predicate: str
    object: str
    statement: str | None = None


def read_nodes(source: Source, labels: dict[str, Names] | None = None) -> dict[str, Node]:
    """Every node with a class, by IRI (sorted)."""
    labels = read_labels(source) if labels is None else labels
    classes: dict[str, set[str]] = defaultdict(set)
    ids: dict[str, set[str]] = defaultdict(set)
    numbers: dict[str, set[int]] = defaultdict(set)
    for row in source.rows("nodes"):
        node = row["node"]
        classes[node].add(row["class"])
        if row["id"] is not None:
            ids[node].add(row["id"])
        if row["number"] is not None:
            numbers[node].add(row["number"])
    no_names = Names()
    return {node: Node(node, tuple(sorted(classes[node])), min(ids[node]) if node in ids else None,
                       min(numbers[node]) if node in numbers else None, labels.get(node, no_names))
            for node in sorted(classes)}


def read_links(source: Source, view: str = "links") -> list[Link]:
    """Relations between IRIs, sorted, one per triple (with the least statement): every one (view
    ``links``), those between records, nodes with a ``dcterms:identifier`` (``record-links``), or those
    between nodes that are not provenance (``links-without-provenance``)."""
    found: dict[tuple[str, str, str], str | None] = {}
    for row in source.rows(view):
        key = (row["subject"], row["predicate"], row["object"])
        statement = row.get("statement")
        if key not in found or (statement is not None and (found[key] is None or statement < found[key])):
            found[key] = statement
    return [Link(*key, found[key]) for key in sorted(found)]


@dataclass(frozen=True)
class Scope:
    """The work tasks and province-level units a node belongs to (IRIs)."""

    tasks: frozenset[str]
    provinces: frozenset[str]


def read_scopes(source: Source) -> dict[str, Scope]:
    """For each node: the tasks and lead provinces of the practices it is part of, and its own province."""
    tasks: dict[str, set[str]] = defaultdict(set)
    provinces: dict[str, set[str]] = defaultdict(set)
    for row in source.rows("viewer-scopes"):
        if row["task"] is not None:
            tasks[row["node"]].add(row["task"])
        if row["province"] is not None:
            provinces[row["node"]].add(row["province"])
    return {node: Scope(frozenset(tasks.get(node, ())), frozenset(provinces.get(node, ())))
            for node in sorted(set(tasks) | set(provinces))}


# ---------------------------------------------------------------------------------------- counts
@dataclass(frozen=True)
class Counts:
    """Triples, instances per class and triples per predicate (compact names)."""

    triples: int
    classes: Counter[str]
    predicates: Counter[str]


def read_counts(graph: GraphLike) -> Counts:
    """How many triples, instances per class and triples per predicate the graph holds."""
    source = as_source(graph)
    classes: Counter[str] = Counter()
    for row in source.rows("class-counts"):
        classes[compact(row["class"])] += row["instances"]
    predicates: Counter[str] = Counter()
    for row in source.rows("predicate-counts"):
        predicates[compact(row["predicate"])] += row["triples"]
    return Counts(sum(predicates.values()), classes, predicates)
