"""Pattern analysis over the RDF graph: networkx views, arrangement signatures, similarity, replication.

Everything here is computed from the graph as the view queries of :mod:`practice_graph.views.read`
read it (the built graph in the embedded store, :func:`practice_graph.api.default_store`, or any
SPARQL endpoint holding the same triples), never from the YAML. Results are plain dataclasses, lists
and dicts; every figure carries the practice ids and the verbatim quotes it rests on, so a reader
can trace it to the source.

Definitions used throughout:

- a region *uses* a mechanism when a practice it leads (``pg:leadRegion``) uses it
  (``pg:usesMechanism``);
- a region *brings together* a participant kind when a joint arrangement of that region
  (``pg:region``) has a participant of that kind. A participant's kind is its department type
  (agencies), its organisation kind (organisations), or ``region`` (a region acting through a
  body the text does not name);
- a practice rolls up to every region above its leading region (``schema:containedInPlace``),
  up to the province-level unit (``pg:withinProvince``).

>>> from practice_graph.api import default_store
>>> data = read_practice_data(default_store())       # doctest: +SKIP
>>> [c.kinds for c in recurring_combinations(data)][:1]  # doctest: +SKIP
[('department-types/housing', 'department-types/hrss')]
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import combinations
from typing import TYPE_CHECKING, Any

from practice_graph.model.schema import load_model
from practice_graph.views.read import (
    OTHER_KIND,
    RDF_NS,
    REGION_KIND,
    REGION_KIND_LABEL,
    Arrangement,
    GraphLike,
    Label,
    Mechanism,
    MechanismUse,
    Names,
    Participant,
    Practice,
    PracticeData,
    Quote,
    Region,
    as_source,
    compact,
    read_labels,
    read_links,
    read_nodes,
    read_practice_data,
)

if TYPE_CHECKING:
    import networkx as nx

__all__ = [
    "OTHER_KIND", "REGION_KIND", "REGION_KIND_LABEL", "Analysis", "Arrangement", "Candidate",
    "Centrality", "Combination", "Community", "Label", "Mechanism", "MechanismUse", "Participant", "Practice",
    "PracticeData", "Quote", "Region", "RollUp", "Similarity", "analyse", "arrangements_with", "as_data",
    "centrality", "co_participation_graph", "communities", "jaccard_similarities", "lead_of", "nearest",
    "province_rollups", "read_practice_data", "recurring_combinations", "region_kind_graph", "region_kinds",
    "region_mechanism_graph", "region_mechanisms", "region_rollups", "regions_by_arrangement_kind",
    "replication_candidates", "typed_multigraph",
]

PROVENANCE_TYPES = frozenset(load_model().expand(term)
                             for term in ("pg:Evidence", "oa:TextQuoteSelector", "oa:TextPositionSelector"))
PROVENANCE_TYPES |= {RDF_NS + "Statement"}
DECIMALS = 6


def __getattr__(name: str) -> Any:
    """``ID`` and ``PG`` (rdflib namespaces), kept here for scripts that import them from the analysis."""
    if name in {"ID", "PG"}:
        # start-up time: rdflib loads only when they are used (the analysis itself reads strings)
        from practice_graph.core import namespaces

        return getattr(namespaces, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


DataSource = GraphLike | PracticeData


def as_data(source: DataSource) -> PracticeData:
    """Accept data already read, or anything :func:`read_practice_data` reads (a pyoxigraph Store, a
    :class:`~practice_graph.views.read.Source` on a store or an endpoint, an rdflib Graph)."""
    return source if isinstance(source, PracticeData) else read_practice_data(source)


# ------------------------------------------------------------------------------- networkx views
def typed_multigraph(graph: GraphLike, provenance: bool = False) -> nx.MultiDiGraph:
    """The whole graph as a networkx MultiDiGraph: one node per IRI, one edge per IRI-to-IRI triple.

    Nodes carry ``type`` (the classes' prefixed names), ``label`` / ``label_zh`` / ``label_en``;
    edges are keyed by the predicate's prefixed name. Evidence, quote selectors and reified
    statements are left out unless ``provenance`` is true. Insertion order is sorted, so
    serialisations are deterministic.
    """
    import networkx as nx

    source = as_source(graph)
    labels = read_labels(source)
    nodes = read_nodes(source, labels)
    skipped = set() if provenance else {n.iri for n in nodes.values() if PROVENANCE_TYPES & set(n.classes)}
    links = read_links(source, "links" if provenance else "links-without-provenance")
    edges = {(link.subject, link.object, compact(link.predicate)) for link in links
             if link.subject not in skipped and link.object not in skipped}
    shown = {iri for iri in nodes if iri not in skipped} | {s for s, _, _ in edges} | {o for _, o, _ in edges}
    multigraph = nx.MultiDiGraph()
    for iri in sorted(shown):
        node = nodes.get(iri)
        names = node.names if node else labels.get(iri, Names())
        label = names.label(node.id if node and node.id else iri)
        node_types = sorted((compact(c) for c in node.classes) if node else (),
                            key=lambda t: (not t.startswith("pg:"), t))
        multigraph.add_node(iri, type=node_types[0] if node_types else "", types=" ".join(node_types),
                            label=label.zh, label_zh=label.zh, label_en=label.en)
    for source_iri, target, predicate in sorted(edges):
        multigraph.add_edge(source_iri, target, key=predicate, predicate=predicate)
    return multigraph


def region_mechanism_graph(source: DataSource) -> nx.Graph:
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


def region_kind_graph(source: DataSource) -> nx.Graph:
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


def co_participation_graph(source: DataSource) -> nx.Graph:
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


def region_rollups(source: DataSource) -> list[RollUp]:
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


def province_rollups(source: DataSource) -> list[RollUp]:
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


def recurring_combinations(source: DataSource, min_size: int = 2,
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


def arrangements_with(source: DataSource, kinds: Iterable[str]) -> list[Arrangement]:
    """The arrangements whose participants include every one of ``kinds``."""
    wanted = set(kinds)
    return [a for a in as_data(source).arrangements.values() if wanted <= set(a.kinds)]


def regions_by_arrangement_kind(source: DataSource) -> dict[str, dict[str, tuple[str, ...]]]:
    """For each arrangement kind (coordination mechanism, joint event...): region -> arrangement ids."""
    found: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for arrangement in as_data(source).arrangements.values():
        found[arrangement.kind][arrangement.region].append(arrangement.id)
    return {kind: {region: tuple(sorted(ids)) for region, ids in sorted(regions.items())}
            for kind, regions in sorted(found.items())}


def lead_of(source: DataSource, arrangement: str) -> list[Participant]:
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


def region_mechanisms(source: DataSource) -> dict[str, set[str]]:
    """Region -> the mechanisms its practices use."""
    found: dict[str, set[str]] = defaultdict(set)
    for region, mechanism in as_data(source).uses:
        found[region].add(mechanism)
    return dict(sorted(found.items()))


def region_kinds(source: DataSource) -> dict[str, set[str]]:
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


def communities(source: DataSource, seed: int = 7, resolution: float = 1.0) -> list[Community]:
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


def replication_candidates(source: DataSource, k: int = 3, min_regions: int = 2) -> list[Candidate]:
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


def centrality(source: DataSource) -> list[Centrality]:
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


def analyse(source: DataSource, k: int = 3, seed: int = 7) -> Analysis:
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
