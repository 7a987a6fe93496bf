"""Pattern analysis over the RDF graph: networkx views, arrangement signatures, similarity, replication.

Everything here is computed from an rdflib ``Graph`` (the built graph from
:func:`practice_graph.api.load_graph`, or the same triples pulled from any SPARQL endpoint),
never from the YAML. Results are plain dataclasses, lists and dicts; every figure carries the
practice ids and the verbatim quotes it rests on, so a reader can trace it to the source.

Definitions used throughout:

- a region *uses* a mechanism when a practice it leads (``pg:leadRegion``) uses it
  (``pg:usesMechanism``);
- a region *brings together* a participant kind when a joint arrangement of that region
  (``pg:region``) has a participant of that kind. A participant's kind is its department type
  (agencies), its organisation kind (organisations), or ``region`` (a region acting through a
  body the text does not name);
- a practice rolls up to every region above its leading region (``schema:containedInPlace``),
  up to the province-level unit (``pg:withinProvince``).

>>> from practice_graph.api import load_graph
>>> data = read_practice_data(load_graph())          # doctest: +SKIP
>>> [c.kinds for c in recurring_combinations(data)][:1]  # doctest: +SKIP
[('department-types/housing', 'department-types/hrss')]
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import combinations
from typing import TYPE_CHECKING, Any

from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import PROV, SKOS

from practice_graph.core.namespaces import ID, OA, ORG, PG, SCHEMA

if TYPE_CHECKING:
    import networkx as nx

REGION_KIND = "region"
REGION_KIND_LABEL = ("地区（未具名机构）", "Region (acting body not named)")
OTHER_KIND = "other"
CHINESE_NUMERALS = "〇一二三四五六七八九十"
PROVENANCE_TYPES = (PG.Evidence, OA.TextQuoteSelector, OA.TextPositionSelector, RDF.Statement)
DECIMALS = 6


# ---------------------------------------------------------------------------------------- records
@dataclass(frozen=True, order=True)
class Label:
    """A Chinese label as written in the source and the curators' English translation."""

    zh: str
    en: str


@dataclass(frozen=True, order=True)
class Quote:
    """A verbatim quote of the source, its practice and its character offsets (end exclusive)."""

    practice: str
    start: int
    end: int
    text: str


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
    """What the analysis reads from the RDF graph, indexed by id."""

    regions: dict[str, Region]
    practices: dict[str, Practice]
    mechanisms: dict[str, Mechanism]
    kinds: dict[str, Label]
    arrangement_kinds: dict[str, Label]
    roles: dict[str, Label]
    arrangements: dict[str, Arrangement]
    uses: dict[tuple[str, str], MechanismUse] = field(default_factory=dict)

    def region_label(self, region: str) -> Label:
        return self.regions[region].label if region in self.regions else Label(region, region)


# ------------------------------------------------------------------------------- reading the RDF
def local_id(node: Any) -> str:
    """The id of a node of the graph's id namespace (``henan``, ``department-types/hrss``)."""
    return str(node).removeprefix(str(ID))


def node_label(graph: Graph, node: Any) -> Label:
    """A node's ``rdfs:label`` in Chinese and English (the id where one is missing)."""
    texts: dict[str, str] = {}
    for literal in sorted(graph.objects(node, RDFS.label), key=str):
        if isinstance(literal, Literal) and literal.language in ("zh", "en"):
            texts.setdefault(literal.language, str(literal))
    fallback = local_id(node)
    return Label(texts.get("zh", texts.get("en", fallback)), texts.get("en", texts.get("zh", fallback)))


class _Reader:
    """Reads the analysis records out of an rdflib Graph with plain triple lookups."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self._quote_cache: dict[URIRef, Quote | None] = {}
        self.statements: dict[tuple[Any, Any, Any], list[Any]] = defaultdict(list)
        for statement in graph.subjects(RDF.type, RDF.Statement):
            key = (graph.value(statement, RDF.subject), graph.value(statement, RDF.predicate),
                   graph.value(statement, RDF.object))
            self.statements[key].extend(graph.objects(statement, PROV.wasDerivedFrom))

    def label(self, node: Any) -> Label:
        return node_label(self.graph, node)

    def quote(self, evidence: Any) -> Quote | None:
        if evidence in self._quote_cache:
            return self._quote_cache[evidence]
        graph = self.graph
        text, start, end = None, -1, -1
        for selector in graph.objects(evidence, OA.hasSelector):
            if (selector, RDF.type, OA.TextQuoteSelector) in graph:
                text = graph.value(selector, OA.exact)
            elif (selector, RDF.type, OA.TextPositionSelector) in graph:
                start, end = int(graph.value(selector, OA.start)), int(graph.value(selector, OA.end))
        if text is None:
            text = graph.value(evidence, RDFS.label)
        practice = graph.value(evidence, PG.inPractice)
        quote = None if text is None else Quote(local_id(practice) if practice else "", start, end, str(text))
        self._quote_cache[evidence] = quote
        return quote

    def quotes(self, evidence_nodes: Iterable[Any]) -> tuple[Quote, ...]:
        return tuple(sorted({q for q in (self.quote(e) for e in evidence_nodes) if q is not None}))

    def node_quotes(self, node: Any) -> tuple[Quote, ...]:
        return self.quotes(self.graph.objects(node, PROV.wasDerivedFrom))

    def number(self, node: Any) -> int:
        value = self.graph.value(node, PG.number)
        return int(value) if value is not None else 0

    def regions(self) -> dict[str, Region]:
        graph = self.graph
        found = {}
        for node in graph.subjects(RDF.type, PG.Region):
            parent = graph.value(node, SCHEMA.containedInPlace)
            province = graph.value(node, PG.withinProvince)
            level = graph.value(node, PG.adminLevel)
            found[local_id(node)] = Region(
                id=local_id(node),
                label=self.label(node),
                level=local_id(level).rsplit("/", 1)[-1] if level else "",
                parent=local_id(parent) if parent else None,
                province=local_id(province) if province else local_id(node),
            )
        return dict(sorted(found.items()))

    def practice_ref(self, node: Any) -> str:
        measure = self.graph.value(node, PG.measure)
        task = self.graph.value(measure, PG.task) if measure is not None else None
        numbers = [self.number(task), self.number(measure)] if task is not None else [0, 0]
        task_n, measure_n = (CHINESE_NUMERALS[n] if 0 < n <= 10 else str(n) for n in numbers)
        return f"{task_n}({measure_n}){self.number(node)}"

    def practices(self) -> tuple[dict[str, Practice], dict[tuple[str, str], MechanismUse]]:
        graph = self.graph
        practices = {}
        by_use: dict[tuple[str, str], tuple[set[str], set[Quote]]] = {}
        for node in graph.subjects(RDF.type, PG.Practice):
            region = graph.value(node, PG.leadRegion)
            if region is None:
                continue
            mechanisms = sorted(local_id(m) for m in graph.objects(node, PG.usesMechanism))
            practice = Practice(local_id(node), self.practice_ref(node), self.label(node), local_id(region),
                                tuple(mechanisms), self.node_quotes(node))
            practices[practice.id] = practice
            for mechanism in graph.objects(node, PG.usesMechanism):
                quotes = self.quotes(self.statements.get((node, PG.usesMechanism, mechanism), ()))
                ids, texts = by_use.setdefault((practice.region, local_id(mechanism)), (set(), set()))
                ids.add(practice.id)
                texts.update(quotes or practice.quotes[:1])
        uses = {
            key: MechanismUse(key[0], key[1], tuple(sorted(ids)), tuple(sorted(texts)))
            for key, (ids, texts) in sorted(by_use.items())
        }
        return dict(sorted(practices.items())), uses

    def mechanisms(self) -> dict[str, Mechanism]:
        found = {}
        for node in self.graph.subjects(RDF.type, PG.Mechanism):
            category = self.graph.value(node, SKOS.broader)
            found[local_id(node)] = Mechanism(local_id(node), self.label(node),
                                              local_id(category) if category else None)
        return dict(sorted(found.items()))

    def participant_kind(self, member: Any) -> str:
        graph = self.graph
        if (member, RDF.type, PG.Region) in graph:
            return REGION_KIND
        classification = graph.value(member, ORG.classification)
        return local_id(classification) if classification is not None else OTHER_KIND

    def arrangements(self) -> dict[str, Arrangement]:
        graph = self.graph
        found = {}
        for node in graph.subjects(RDF.type, PG.JointArrangement):
            participants = []
            for membership in graph.objects(node, ORG.hasMembership):
                member = graph.value(membership, ORG.member)
                if member is None:
                    continue
                role = graph.value(membership, ORG.role)
                participants.append(Participant(
                    id=local_id(member),
                    label=self.label(member),
                    kind=self.participant_kind(member),
                    role=local_id(role).rsplit("/", 1)[-1] if role is not None else None,
                    quotes=self.node_quotes(membership),
                ))
            region, practice, kind = (graph.value(node, p) for p in (PG.region, PG.practice, PG.arrangementKind))
            found[local_id(node)] = Arrangement(
                id=local_id(node),
                label=self.label(node),
                kind=local_id(kind).rsplit("/", 1)[-1] if kind is not None else OTHER_KIND,
                region=local_id(region) if region is not None else "",
                practice=local_id(practice) if practice is not None else "",
                participants=tuple(sorted(participants, key=lambda p: (p.kind, p.id))),
                quotes=self.node_quotes(node),
            )
        return dict(sorted(found.items()))

    def concept_labels(self, scheme: str) -> dict[str, Label]:
        found = {}
        for node in self.graph.subjects(SKOS.inScheme, ID[scheme]):
            found[local_id(node).rsplit("/", 1)[-1]] = self.label(node)
        return dict(sorted(found.items()))

    def kind_labels(self, arrangements: Mapping[str, Arrangement]) -> dict[str, Label]:
        kinds = {p.kind for a in arrangements.values() for p in a.participants}
        labels = {}
        for kind in sorted(kinds):
            if kind == REGION_KIND:
                labels[kind] = Label(*REGION_KIND_LABEL)
            elif kind == OTHER_KIND:
                labels[kind] = Label("其他", "Other")
            else:
                labels[kind] = self.label(ID[kind])
        return labels


def read_practice_data(graph: Graph) -> PracticeData:
    """Read regions, practices, mechanisms and joint arrangements out of an RDF graph."""
    reader = _Reader(graph)
    practices, uses = reader.practices()
    arrangements = reader.arrangements()
    return PracticeData(
        regions=reader.regions(),
        practices=practices,
        mechanisms=reader.mechanisms(),
        kinds=reader.kind_labels(arrangements),
        arrangement_kinds=reader.concept_labels("arrangement-kinds"),
        roles=reader.concept_labels("roles"),
        arrangements=arrangements,
        uses=uses,
    )


def as_data(source: Graph | PracticeData) -> PracticeData:
    """Accept either an rdflib Graph or data already read from one."""
    return source if isinstance(source, PracticeData) else read_practice_data(source)


# ------------------------------------------------------------------------------- networkx views
def typed_multigraph(graph: Graph, provenance: bool = False) -> nx.MultiDiGraph:
    """The whole graph as a networkx MultiDiGraph: one node per IRI, one edge per IRI-to-IRI triple.

    Nodes carry ``type`` (the classes' prefixed names), ``label`` / ``label_zh`` / ``label_en``;
    edges are keyed by the predicate's prefixed name. Evidence, quote selectors and reified
    statements are left out unless ``provenance`` is true. Insertion order is sorted, so
    serialisations are deterministic.
    """
    import networkx as nx

    names = graph.namespace_manager

    def qname(node: URIRef) -> str:
        try:
            return names.normalizeUri(node)
        except Exception:  # pragma: no cover - an IRI with no usable prefix
            return str(node)

    skipped = set() if provenance else {s for t in PROVENANCE_TYPES for s in graph.subjects(RDF.type, t)}
    types: dict[URIRef, list[str]] = defaultdict(list)
    edges = []
    for subject, predicate, obj in graph:
        if not isinstance(subject, URIRef) or subject in skipped:
            continue
        if predicate == RDF.type:
            types[subject].append(qname(obj))
        elif isinstance(obj, URIRef) and obj not in skipped:
            edges.append((str(subject), str(obj), qname(predicate)))
    nodes = {str(n) for n in types} | {s for s, _, _ in edges} | {o for _, o, _ in edges}
    multigraph = nx.MultiDiGraph()
    for node in sorted(nodes):
        iri = URIRef(node)
        label = node_label(graph, iri)
        node_types = sorted(types.get(iri, []), key=lambda t: (not t.startswith("pg:"), t))
        multigraph.add_node(node, type=node_types[0] if node_types else "", types=" ".join(node_types),
                            label=label.zh, label_zh=label.zh, label_en=label.en)
    for source, target, predicate in sorted(set(edges)):
        multigraph.add_edge(source, target, key=predicate, predicate=predicate)
    return multigraph


def region_mechanism_graph(source: Graph | PracticeData) -> nx.Graph:
    """Bipartite projection: regions and the mechanisms their practices use (weight = practices)."""
    import networkx as nx

    data = as_data(source)
    projection = nx.Graph()
    for region in sorted({use.region for use in data.uses.values()}):
        label = data.region_label(region)
        projection.add_node(region, part="region", label=label.zh, label_zh=label.zh, label_en=label.en)
    for mechanism in sorted({use.mechanism for use in data.uses.values()}):
        label = data.mechanisms[mechanism].label if mechanism in data.mechanisms else Label(mechanism, mechanism)
        projection.add_node(mechanism, part="mechanism", label=label.zh, label_zh=label.zh, label_en=label.en)
    for (region, mechanism), use in sorted(data.uses.items()):
        projection.add_edge(region, mechanism, weight=len(use.practices), practices=";".join(use.practices))
    return projection


def region_kind_graph(source: Graph | PracticeData) -> nx.Graph:
    """Bipartite projection: regions and the participant kinds their joint arrangements bring together
    (weight = arrangements)."""
    import networkx as nx

    data = as_data(source)
    links: dict[tuple[str, str], set[str]] = defaultdict(set)
    for arrangement in data.arrangements.values():
        for kind in arrangement.kinds:
            links[(arrangement.region, kind)].add(arrangement.id)
    projection = nx.Graph()
    for region in sorted({r for r, _ in links}):
        label = data.region_label(region)
        projection.add_node(region, part="region", label=label.zh, label_zh=label.zh, label_en=label.en)
    for kind in sorted({k for _, k in links}):
        label = data.kinds[kind]
        projection.add_node(kind, part="kind", label=label.zh, label_zh=label.zh, label_en=label.en)
    for (region, kind), ids in sorted(links.items()):
        projection.add_edge(region, kind, weight=len(ids), arrangements=";".join(sorted(ids)))
    return projection


def co_participation_graph(source: Graph | PracticeData) -> nx.Graph:
    """Participant kinds linked when they take part in the same joint arrangement.

    Edge ``weight`` is the number of arrangements; ``arrangements``, ``regions`` and
    ``practices`` list them. Node ``arrangements`` counts the arrangements a kind takes part in.
    """
    import networkx as nx

    data = as_data(source)
    together: dict[tuple[str, str], list[Arrangement]] = defaultdict(list)
    taking_part: dict[str, int] = Counter()
    for arrangement in data.arrangements.values():
        for kind in arrangement.kinds:
            taking_part[kind] += 1
        for pair in combinations(arrangement.kinds, 2):
            together[pair].append(arrangement)
    network = nx.Graph()
    for kind in sorted(taking_part):
        label = data.kinds[kind]
        network.add_node(kind, label=label.zh, label_zh=label.zh, label_en=label.en, arrangements=taking_part[kind])
    for (a, b), arrangements in sorted(together.items()):
        network.add_edge(a, b, weight=len(arrangements),
                         arrangements=";".join(x.id for x in arrangements),
                         regions=";".join(sorted({x.region for x in arrangements})),
                         practices=";".join(sorted({x.practice for x in arrangements})))
    return network


# ------------------------------------------------------------------------------------- roll-ups
@dataclass(frozen=True)
class RollUp:
    """The practices of a region and of every region below it."""

    region: str
    label: Label
    level: str
    own: tuple[str, ...]
    practices: tuple[str, ...]
    by_region: dict[str, tuple[str, ...]]


def region_rollups(source: Graph | PracticeData) -> list[RollUp]:
    """For every region with practices at or below it: its own practices and the rolled-up ones."""
    data = as_data(source)
    led: dict[str, list[str]] = defaultdict(list)
    for practice in data.practices.values():
        led[practice.region].append(practice.id)
    below: dict[str, dict[str, tuple[str, ...]]] = defaultdict(dict)
    for region, ids in led.items():
        current: str | None = region
        seen = set()
        while current is not None and current not in seen:
            seen.add(current)
            below[current][region] = tuple(sorted(ids))
            current = data.regions[current].parent if current in data.regions else None
        if region in data.regions:
            province = data.regions[region].province
            below[province][region] = tuple(sorted(ids))
    rollups = []
    for region, by_region in below.items():
        info = data.regions.get(region)
        rollups.append(RollUp(
            region=region,
            label=data.region_label(region),
            level=info.level if info else "",
            own=tuple(sorted(led.get(region, ()))),
            practices=tuple(sorted({p for ids in by_region.values() for p in ids})),
            by_region=dict(sorted(by_region.items())),
        ))
    return sorted(rollups, key=lambda r: (-len(r.practices), r.region))


def province_rollups(source: Graph | PracticeData) -> list[RollUp]:
    """Practices per province-level unit, counting those of its cities and counties."""
    data = as_data(source)
    provinces = {r.province for r in data.regions.values()}
    return [r for r in region_rollups(data) if r.region in provinces]


# ------------------------------------------------------------------------ arrangement signatures
@dataclass(frozen=True)
class Combination:
    """A combination of participant kinds that occurs together in ``support`` arrangements."""

    kinds: tuple[str, ...]
    support: int
    arrangements: tuple[str, ...]
    regions: tuple[str, ...]
    practices: tuple[str, ...]
    quotes: tuple[Quote, ...]


def recurring_combinations(source: Graph | PracticeData, min_size: int = 2,
                           min_support: int = 2) -> list[Combination]:
    """Every combination of ``min_size`` or more participant kinds found in ``min_support`` or more
    arrangements, with the regions and practices behind it (most frequent and largest first)."""
    data = as_data(source)
    found: dict[tuple[str, ...], list[Arrangement]] = defaultdict(list)
    for arrangement in data.arrangements.values():
        kinds = arrangement.kinds
        for size in range(min_size, len(kinds) + 1):
            for combination in combinations(kinds, size):
                found[combination].append(arrangement)
    result = []
    for kinds, arrangements in found.items():
        if len(arrangements) < min_support:
            continue
        quotes = {q for a in arrangements for p in a.participants if p.kind in kinds for q in p.quotes}
        result.append(Combination(
            kinds=kinds,
            support=len(arrangements),
            arrangements=tuple(a.id for a in arrangements),
            regions=tuple(sorted({a.region for a in arrangements})),
            practices=tuple(sorted({a.practice for a in arrangements})),
            quotes=tuple(sorted(quotes)),
        ))
    return sorted(result, key=lambda c: (-c.support, -len(c.kinds), c.kinds))


def arrangements_with(source: Graph | PracticeData, kinds: Iterable[str]) -> list[Arrangement]:
    """The arrangements whose participants include every one of ``kinds``."""
    wanted = set(kinds)
    return [a for a in as_data(source).arrangements.values() if wanted <= set(a.kinds)]


def regions_by_arrangement_kind(source: Graph | PracticeData) -> dict[str, dict[str, tuple[str, ...]]]:
    """For each arrangement kind (coordination mechanism, joint event...): region -> arrangement ids."""
    found: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for arrangement in as_data(source).arrangements.values():
        found[arrangement.kind][arrangement.region].append(arrangement.id)
    return {kind: {region: tuple(sorted(ids)) for region, ids in sorted(regions.items())}
            for kind, regions in sorted(found.items())}


def lead_of(source: Graph | PracticeData, arrangement: str) -> list[Participant]:
    """The participants that lead an arrangement."""
    return [p for p in as_data(source).arrangements[arrangement].participants if p.role == "lead"]


# ------------------------------------------------------------------------------ similarity
@dataclass(frozen=True)
class Similarity:
    """Jaccard similarity of two regions' sets (mechanisms or participant kinds)."""

    a: str
    b: str
    jaccard: float
    shared: tuple[str, ...]
    union: int


def region_mechanisms(source: Graph | PracticeData) -> dict[str, set[str]]:
    """Region -> the mechanisms its practices use."""
    found: dict[str, set[str]] = defaultdict(set)
    for region, mechanism in as_data(source).uses:
        found[region].add(mechanism)
    return dict(sorted(found.items()))


def region_kinds(source: Graph | PracticeData) -> dict[str, set[str]]:
    """Region -> the participant kinds its joint arrangements bring together."""
    found: dict[str, set[str]] = defaultdict(set)
    for arrangement in as_data(source).arrangements.values():
        found[arrangement.region].update(arrangement.kinds)
    return dict(sorted(found.items()))


def jaccard_similarities(sets: Mapping[str, set[str]]) -> list[Similarity]:
    """Every pair of keys with a positive Jaccard similarity, most alike first."""
    result = []
    for a, b in combinations(sorted(sets), 2):
        shared = sets[a] & sets[b]
        if not shared:
            continue
        union = len(sets[a] | sets[b])
        result.append(Similarity(a, b, round(len(shared) / union, DECIMALS), tuple(sorted(shared)), union))
    return sorted(result, key=lambda s: (-s.jaccard, s.a, s.b))


def nearest(similarities: Iterable[Similarity], k: int = 3) -> dict[str, list[tuple[str, float]]]:
    """Each key's ``k`` most similar others (ties broken by id)."""
    found: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for s in similarities:
        found[s.a].append((s.b, s.jaccard))
        found[s.b].append((s.a, s.jaccard))
    return {key: sorted(items, key=lambda item: (-item[1], item[0]))[:k] for key, items in sorted(found.items())}


@dataclass(frozen=True)
class Community:
    """A group of regions found by Louvain modularity on the mechanism-similarity graph."""

    number: int
    regions: tuple[str, ...]
    shared_mechanisms: tuple[tuple[str, int], ...]  # mechanisms used by two or more members, with counts


def communities(source: Graph | PracticeData, seed: int = 7, resolution: float = 1.0) -> list[Community]:
    """Communities of regions alike by mechanisms (seeded Louvain: the same graph, the same result)."""
    import networkx as nx

    data = as_data(source)
    sets = region_mechanisms(data)
    similarity = nx.Graph()
    similarity.add_nodes_from(sorted(sets))
    for s in jaccard_similarities(sets):
        similarity.add_edge(s.a, s.b, weight=s.jaccard)
    groups = nx.community.louvain_communities(similarity, weight="weight", resolution=resolution, seed=seed)
    ordered = sorted((tuple(sorted(g)) for g in groups), key=lambda g: (-len(g), g))
    result = []
    for number, regions in enumerate(ordered, start=1):
        counts = Counter(m for r in regions for m in sets[r])
        shared = tuple(sorted(((m, n) for m, n in counts.items() if n >= 2), key=lambda x: (-x[1], x[0])))
        result.append(Community(number, regions, shared))
    return result


@dataclass(frozen=True)
class Candidate:
    """A mechanism a region does not use though some of its nearest regions do."""

    region: str
    mechanism: str
    score: float  # sum of the Jaccard similarities of the nearest regions that use it
    used_by_nearest: tuple[tuple[str, float], ...]
    regions_using: int
    practices: tuple[str, ...]
    quotes: tuple[Quote, ...]


def replication_candidates(source: Graph | PracticeData, k: int = 3, min_regions: int = 2) -> list[Candidate]:
    """Mechanisms used by ``min_regions`` or more regions, missing in a region whose ``k`` nearest
    regions (by mechanism Jaccard) use them; with the neighbours' practices and quotes as evidence."""
    data = as_data(source)
    sets = region_mechanisms(data)
    users: dict[str, set[str]] = defaultdict(set)
    for region, mechanisms in sets.items():
        for mechanism in mechanisms:
            users[mechanism].add(region)
    spread = {m for m, rs in users.items() if len(rs) >= min_regions}
    result = []
    for region, neighbours in nearest(jaccard_similarities(sets), k).items():
        for mechanism in sorted(spread - sets[region]):
            using = tuple((n, s) for n, s in neighbours if mechanism in sets[n])
            if not using:
                continue
            evidence = [data.uses[(n, mechanism)] for n, _ in using]
            result.append(Candidate(
                region=region,
                mechanism=mechanism,
                score=round(sum(s for _, s in using), DECIMALS),
                used_by_nearest=using,
                regions_using=len(users[mechanism]),
                practices=tuple(sorted({p for use in evidence for p in use.practices})),
                quotes=tuple(sorted({q for use in evidence for q in use.quotes})),
            ))
    return sorted(result, key=lambda c: (c.region, -c.score, -c.regions_using, c.mechanism))


# ------------------------------------------------------------------------------ centrality
@dataclass(frozen=True)
class Centrality:
    """A participant kind's position in the co-participation network."""

    kind: str
    label: Label
    arrangements: int
    degree: int  # distinct partner kinds
    strength: int  # arrangements shared with partners, summed over partners
    betweenness: float
    closeness: float
    brokers: tuple[tuple[str, str], ...]  # unlinked pairs whose every shortest path runs through it


def centrality(source: Graph | PracticeData) -> list[Centrality]:
    """Degree, strength, betweenness and closeness of participant kinds in the co-participation
    network, with the pairs each one brokers between (most between first)."""
    import networkx as nx

    data = as_data(source)
    network = co_participation_graph(data)
    betweenness = nx.betweenness_centrality(network, normalized=True)
    closeness = nx.closeness_centrality(network)
    brokers: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for component in nx.connected_components(network):
        for a, b in combinations(sorted(component), 2):
            if network.has_edge(a, b):
                continue
            paths = list(nx.all_shortest_paths(network, a, b))
            for middle in set.intersection(*(set(path[1:-1]) for path in paths)):
                brokers[middle].append((a, b))
    result = [
        Centrality(
            kind=kind,
            label=data.kinds[kind],
            arrangements=network.nodes[kind]["arrangements"],
            degree=network.degree(kind),
            strength=int(network.degree(kind, weight="weight")),
            betweenness=round(betweenness[kind], DECIMALS),
            closeness=round(closeness[kind], DECIMALS),
            brokers=tuple(sorted(brokers.get(kind, ()))),
        )
        for kind in network.nodes
    ]
    return sorted(result, key=lambda c: (-c.betweenness, -c.strength, c.kind))


# ------------------------------------------------------------------------------ everything
@dataclass
class Analysis:
    """Every result of the analysis, computed once from one graph."""

    data: PracticeData
    rollups: list[RollUp]
    combinations: list[Combination]
    by_arrangement_kind: dict[str, dict[str, tuple[str, ...]]]
    mechanism_similarity: list[Similarity]
    kind_similarity: list[Similarity]
    nearest_by_mechanisms: dict[str, list[tuple[str, float]]]
    nearest_by_kinds: dict[str, list[tuple[str, float]]]
    communities: list[Community]
    candidates: list[Candidate]
    centrality: list[Centrality]


def analyse(source: Graph | PracticeData, k: int = 3, seed: int = 7) -> Analysis:
    """Run the whole analysis (``k`` nearest regions, ``seed`` for the community detection)."""
    data = as_data(source)
    mechanism_similarity = jaccard_similarities(region_mechanisms(data))
    kind_similarity = jaccard_similarities(region_kinds(data))
    return Analysis(
        data=data,
        rollups=region_rollups(data),
        combinations=recurring_combinations(data),
        by_arrangement_kind=regions_by_arrangement_kind(data),
        mechanism_similarity=mechanism_similarity,
        kind_similarity=kind_similarity,
        nearest_by_mechanisms=nearest(mechanism_similarity, k),
        nearest_by_kinds=nearest(kind_similarity, k),
        communities=communities(data, seed=seed),
        candidates=replication_candidates(data, k=k),
        centrality=centrality(data),
    )
