"""The interactive viewer: one offline, bilingual, searchable HTML page (pyvis / vis-network).

What is shown: the main entity classes (work tasks, measures, practices, regions, agencies,
organisations, platforms, documents, brands, events, indicators, mechanisms, joint arrangements),
one node each, labelled in Chinese; relations between them as edges labelled by relation. Evidence,
selectors, reified statements and concepts are not nodes: their quotes go into tooltips, and each
``org:Membership`` of a joint arrangement is folded into an edge from the arrangement to the member
labelled by its role.

Safety: every label, tooltip and quote is data. Node ids are opaque (``n0``, ``n1``...), titles
are plain strings (vis-network shows them with ``innerText``), the data is embedded as JSON with
``<``, ``>`` and ``&`` escaped, and the page's own script builds its controls with ``textContent``.
A Content-Security-Policy forbids every request, so the page works offline and leaks nothing.

Layout: every node's position is computed here (a seeded force layout, :func:`layout`) and the page
runs no physics, so the browser draws the graph as soon as it has read it.

The page is byte-for-byte deterministic: nodes and edges sorted, layout seeded, JSON with sorted keys.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from practice_graph.core.web import content_security_policy, script_json
from practice_graph.model.schema import Model, load_model
from practice_graph.views.read import (
    GraphLike,
    Link,
    Names,
    Quote,
    Scope,
    as_source,
    read_labels,
    read_links,
    read_memberships,
    read_nodes,
    read_quotes,
    read_scopes,
)

VIEWER_FILE = "practice-graph.html"
LARGE_GRAPH = 1000  # above this many nodes: a compact layout, no edge labels, straight edges
RANDOM_SEED = 7
MAX_QUOTES = 6


def _iri(curie: str) -> str:
    """The IRI of a term the model declares, from the model (the viewer reads strings: no rdflib)."""
    return load_model().expand(curie)


@dataclass(frozen=True)
class NodeType:
    """How one class of node looks: names, colour, vis shape and a legend symbol (from the model)."""

    key: str
    zh: str
    en: str
    colour: str
    shape: str
    symbol: str
    size: int
    iri: str


@dataclass(frozen=True)
class Relations:
    """The relations drawn as edges, by predicate IRI, with their names; ``weak`` ones only where
    nothing else links the pair; ``member``: the name of a participation that states no role."""

    names: dict[str, tuple[str, str]]
    weak: frozenset[str]
    member: tuple[str, str]


def node_types(model: Model | None = None) -> tuple[NodeType, ...]:
    """The node types of the viewer: every record class the model gives viewer hints."""
    model = model or load_model()
    return tuple(NodeType(cls.name, cls.label.zh, cls.label.en, cls.viewer.colour, cls.viewer.shape,
                          cls.viewer.symbol, cls.viewer.size, model.expand(cls.uri))  # type: ignore[arg-type]
                 for cls in model.records() if cls.viewer is not None)


def relations(model: Model | None = None) -> Relations:
    """The relations between records that the viewer draws, named as the model names them."""
    model = model or load_model()
    names: dict[str, tuple[str, str]] = {}
    weak = set()
    for cls in model.records():
        for slot in cls.slots:
            if slot.uri and slot.edge is not False and model.is_reference(slot):
                predicate = model.expand(slot.uri)
                names.setdefault(predicate, (slot.label.zh, slot.label.en))
                if slot.edge == "weak":
                    weak.add(predicate)
    member = ("成员", "member")
    for cls in model.classes.values():
        if cls.edge is not None:
            target = cls.slot(cls.edge.target)
            member = (target.label.zh, target.label.en)
    return Relations(names, frozenset(weak), member)


NODE_TYPES = node_types()
TYPE_BY_KEY = {node_type.key: node_type for node_type in NODE_TYPES}
RELATIONS = relations().names  # relations drawn as edges (subject -> object) and their names


@dataclass
class ViewerNode:
    """One node of the viewer: the record's IRI and id (its ``dcterms:identifier``), its type and the text shown."""

    iri: str
    type_key: str
    record_id: str
    zh: str
    en: str
    tooltip: str
    tasks: set[str] = field(default_factory=set)
    provinces: set[str] = field(default_factory=set)
    number: int | None = None  # pg:number (work tasks, measures, practices)
    parent: str | None = None  # a practice's measure, a measure's work task
    lead: str | None = None  # a practice's lead region
    aliases: tuple[str, ...] = ()  # other names it is found by (河南 for 河南省, Henan for Henan Province)


@dataclass
class ViewerEdge:
    """One edge: source and target IRIs, relation labels and a tooltip."""

    source: str
    target: str
    zh: str
    en: str
    tooltip: str


@dataclass
class ViewerData:
    """What the page shows, computed from the graph (tests compare the browser's counts to it)."""

    nodes: list[ViewerNode]
    edges: list[ViewerEdge]
    tasks: list[ViewerNode]
    provinces: list[ViewerNode]
    types: tuple[NodeType, ...] = NODE_TYPES
    selected: bool = False  # a selection (--focus, --types, --task): the page opens on it, not on the overview
    name: str = ""  # what was selected, as a file name part ("henan", "t-3", "practice-region")

    @property
    def large(self) -> bool:
        return len(self.nodes) > LARGE_GRAPH


class SelectionError(ValueError):
    """A --focus, --types or --task value that names nothing in the graph."""


# ---------------------------------------------------------------------------- reading the graph
def _in_source_order(quotes: Iterable[Quote]) -> list[Quote]:
    return sorted(quotes, key=lambda q: (q.start, q.end, q.text, q.practice))


def _quote_lines(quotes: list[Quote], practice_names: dict[str, str]) -> list[str]:
    lines = []
    for quote in quotes[:MAX_QUOTES]:
        lines.append(f"「{quote.text}」")
        if quote.practice:
            lines.append(f"    — 经验做法 Practice {quote.practice} {practice_names.get(quote.practice, '')}")
    if len(quotes) > MAX_QUOTES:
        lines.append(f"… 另有 {len(quotes) - MAX_QUOTES} 条 / {len(quotes) - MAX_QUOTES} more")
    return lines


def _node_tooltip(node_type: NodeType, record_id: str, zh: str, en: str, quotes: list[Quote],
                  practice_names: dict[str, str]) -> str:
    lines = [zh, en, f"{node_type.zh} {node_type.en} · {record_id}"]
    if quotes:
        lines += ["", "原文 Source:", *_quote_lines(quotes, practice_names)]
    return "\n".join(lines)


def _edge_tooltip(names: tuple[str, str], source: ViewerNode, target: ViewerNode, quotes: list[Quote],
                  practice_names: dict[str, str]) -> str:
    lines = [f"{names[0]} {names[1]}", f"{source.zh} → {target.zh}", f"{source.en} → {target.en}"]
    if quotes:
        lines += ["", "原文 Source:", *_quote_lines(quotes, practice_names)]
    return "\n".join(lines)


def viewer_data(graph: GraphLike, model: Model | None = None) -> ViewerData:
    """Nodes, edges and the filter lists of the whole graph, read through the view queries
    (:mod:`practice_graph.views.read`), in a deterministic order. Relations are drawn between
    records: nodes with a ``dcterms:identifier``, as every entity of the graph has.

    ``graph``: a pyoxigraph Store, a :class:`~practice_graph.views.read.Source` (a store or a SPARQL
    endpoint) or an rdflib Graph. Classes and relations are drawn as ``model`` declares them
    (default: the package's model).
    """
    types = node_types(model) if model is not None else NODE_TYPES
    drawn = relations(model) if model is not None else relations()
    source = as_source(graph)
    labels = read_labels(source)
    graph_nodes = read_nodes(source, labels)
    quotes = read_quotes(source)
    links = read_links(source, "record-links")
    practice_class = _iri("pg:Practice")
    practice_names = {n.id: n.names.zh or "" for n in graph_nodes.values() if n.id and practice_class in n.classes}

    nodes: dict[str, ViewerNode] = {}
    for node_type in types:
        for node in graph_nodes.values():
            if node_type.iri not in node.classes or node.iri in nodes:
                continue
            zh, en, record_id = node.names.zh or "", node.names.en or "", node.id or ""
            tooltip = _node_tooltip(node_type, record_id, zh, en, _in_source_order(quotes.get(node.iri, ())),
                                    practice_names)
            nodes[node.iri] = ViewerNode(node.iri, node_type.key, record_id, zh, en, tooltip, number=node.number)

    by_predicate: dict[str, list[Link]] = defaultdict(list)
    for link in links:
        by_predicate[link.predicate].append(link)
    edges: list[ViewerEdge] = []
    linked: set[frozenset[str]] = set()

    def add_edge(source_iri: str, target: str, names: tuple[str, str], holder: str | None) -> None:
        quoted = _in_source_order(quotes.get(holder, ())) if holder is not None else []
        edges.append(ViewerEdge(source_iri, target, *names, _edge_tooltip(
            names, nodes[source_iri], nodes[target], quoted, practice_names)))

    for predicate, names in drawn.names.items():
        if predicate in drawn.weak:
            continue
        for link in by_predicate.get(predicate, ()):  # sorted by subject and object
            if link.subject in nodes and link.object in nodes and link.subject != link.object:
                add_edge(link.subject, link.object, names, link.statement)
                linked.add(frozenset((link.subject, link.object)))
    for membership in read_memberships(source, labels, quotes):
        if membership.arrangement not in nodes or membership.member not in nodes:
            continue
        if membership.role_node is None:
            names = drawn.member
        else:
            role = labels.get(membership.role_node, Names())
            names = (role.zh or "", role.en or "")
        add_edge(membership.arrangement, membership.member, names, membership.iri)
        linked.add(frozenset((membership.arrangement, membership.member)))
    for predicate in sorted(drawn.weak):  # only where nothing says more
        for link in by_predicate.get(predicate, ()):
            if link.subject in nodes and link.object in nodes and frozenset((link.subject, link.object)) not in linked:
                add_edge(link.subject, link.object, drawn.names[predicate], None)

    _assign_tasks_and_provinces(nodes, read_scopes(source), links)
    _assign_outline(nodes, by_predicate)
    for viewer_node in nodes.values():
        viewer_node.aliases = _aliases(viewer_node, quotes.get(viewer_node.iri, ()))
    tasks = sorted((n for n in nodes.values() if n.type_key == "WorkTask"),
                   key=lambda n: (str(n.number).zfill(4), n.iri))
    province_iris = {link.object for link in by_predicate.get(_iri("pg:withinProvince"), ()) if link.object in nodes}
    provinces = sorted((nodes[p] for p in province_iris), key=lambda n: n.record_id)
    return ViewerData(list(nodes.values()), edges, tasks, provinces, types)


def _assign_tasks_and_provinces(nodes: dict[str, ViewerNode], scopes: dict[str, Scope], links: list[Link]) -> None:
    """Tie each node to work tasks and provinces: its own region's province, and the tasks and lead
    provinces of the practices it belongs to (quoted in, mentioned by, used by, under)."""
    for node, viewer_node in nodes.items():
        scope = scopes.get(node)
        if scope is not None:
            viewer_node.tasks |= scope.tasks
            viewer_node.provinces |= scope.provinces
        if viewer_node.type_key == "WorkTask":
            viewer_node.tasks.add(node)
    # nodes the source ties to no practice (categories, unnamed parent regions) inherit from below
    hierarchy = {_iri("skos:broader"), _iri("schema:containedInPlace")}
    narrower = [(link.subject, link.object) for link in links if link.predicate in hierarchy]
    for _ in range(4):
        for child, parent in narrower:
            if child in nodes and parent in nodes:
                nodes[parent].tasks |= nodes[child].tasks
                if nodes[parent].type_key != "Region":
                    nodes[parent].provinces |= nodes[child].provinces


def _assign_outline(nodes: dict[str, ViewerNode], by_predicate: dict[str, list[Link]]) -> None:
    """The list's outline: each practice's measure and lead region, each measure's work task."""
    for predicate, attribute in (("pg:measure", "parent"), ("pg:task", "parent"), ("pg:leadRegion", "lead")):
        for link in by_predicate.get(_iri(predicate), ()):
            if link.subject in nodes and link.object in nodes and getattr(nodes[link.subject], attribute) is None:
                setattr(nodes[link.subject], attribute, link.object)


# Generic words that end the official name of a region: 河南省 is also called 河南, Henan Province Henan.
_ZH_REGION_SUFFIXES = ("特别行政区", "壮族自治区", "回族自治区", "维吾尔自治区", "自治区", "自治州", "自治县",
                       "省", "市", "县", "区", "镇", "乡", "州", "盟", "旗")
_EN_REGION_SUFFIXES = (" Autonomous Prefecture", " Autonomous Region", " Municipality", " Province", " Prefecture",
                       " County", " District", " City", " Town")
MAX_ALIAS = 12  # a region's quotes this short are the source's names for it (四川阿坝)


def _aliases(node: ViewerNode, quotes: Iterable[Quote]) -> tuple[str, ...]:
    """Other names of a region: its names without the generic word that ends them, a qualifier in
    brackets dropped (Taizhou (Jiangsu)), and the short quotes that name it in the source."""
    if node.type_key != "Region":
        return ()
    found: list[str] = []
    zh = node.zh
    for suffix in _ZH_REGION_SUFFIXES:
        if zh.endswith(suffix) and len(zh) - len(suffix) >= 2:
            found.append(zh[: -len(suffix)])
            break
    en = re.sub(r"\s*\([^)]*\)$", "", node.en)
    if en != node.en:
        found.append(en)
    for suffix in _EN_REGION_SUFFIXES:
        if en.endswith(suffix) and len(en) - len(suffix) >= 3:
            found.append(en[: -len(suffix)])
            break
    found += sorted({q.text for q in quotes if len(q.text) <= MAX_ALIAS})
    names = {node.zh, node.en}
    return tuple(dict.fromkeys(a for a in found if a and a not in names))


# ---------------------------------------------------------------------------- finding nodes by name
def _normal(text: str) -> str:
    return " ".join(text.split()).casefold()


def match_rank(node: ViewerNode, query: str) -> int | None:
    """How well ``query`` names ``node``: 0 its id or name exactly (zh or en, any case), 1 one of its
    aliases exactly, 2 the start of a name or alias, 3 the start of a word of one, 4 anywhere in one;
    None when it does not match. The page's search ranks the same way."""
    q = _normal(query)
    if not q:
        return None
    names = [_normal(n) for n in (node.zh, node.en) if n]
    aliases = [_normal(a) for a in node.aliases]
    if q == node.record_id.casefold() or q in names:
        return 0
    if q in aliases:
        return 1
    every = names + aliases
    if any(n.startswith(q) for n in every):
        return 2
    if any(re.search(r"(^|[\s,(“\"'-])" + re.escape(q), n) for n in every):
        return 3
    if any(q in n for n in every):
        return 4
    return None


def find_nodes(nodes: Iterable[ViewerNode], query: str, best: int = 4) -> list[ViewerNode]:
    """The nodes ``query`` names, best first: by :func:`match_rank` (up to ``best``), then the shorter
    name (a province before a practice that names it), then the order of the node types."""
    order = {t.key: i for i, t in enumerate(NODE_TYPES)}
    ranked = []
    for index, node in enumerate(nodes):
        rank = match_rank(node, query)
        if rank is not None and rank <= best:
            length = min(len(n) for n in (node.zh, node.en, *node.aliases) if n) if (node.zh or node.en) else 0
            ranked.append(((rank, length, order.get(node.type_key, len(order)), index), node))
    return [node for _, node in sorted(ranked, key=lambda pair: pair[0])]


def close_names(nodes: Iterable[ViewerNode], query: str, limit: int = 5) -> list[ViewerNode]:
    """Nodes whose id or a name is close to ``query``: containing it or contained in it, then spelled alike."""
    import difflib

    candidates = list(nodes)
    found = find_nodes(candidates, query)
    q = _normal(query)
    spelled: dict[str, list[ViewerNode]] = defaultdict(list)
    for node in candidates:
        for name in (node.record_id, node.zh, node.en, *node.aliases):
            if name:
                spelled[_normal(name)].append(node)
                if len(_normal(name)) >= 2 and _normal(name) in q:
                    found.append(node)
    for name in difflib.get_close_matches(q, list(spelled), n=limit, cutoff=0.6):
        found += spelled[name]
    unique = {id(node): node for node in reversed(found)}  # the first place of each
    return sorted(unique.values(), key=lambda node: found.index(node))[:limit]


def describe(node: ViewerNode) -> str:
    """A node in one line: id (中文 / English)."""
    names = " / ".join(n for n in (node.zh, node.en) if n)
    return f"{node.record_id} ({names})" if names else node.record_id


# ---------------------------------------------------------------------------- choosing a view
def select(data: ViewerData, focus: str | None = None, depth: int = 1, types: Iterable[str] = (),
           task: str | None = None) -> ViewerData:
    """Keep the chosen types, the nodes of one work task, and the neighbourhood of a focus node."""
    nodes = data.nodes
    parts: list[str] = []
    if types:
        wanted = {_type_key(name) for name in types}
        nodes = [n for n in nodes if n.type_key in wanted]
        parts += [t.key for t in data.types if t.key in wanted]
    if task:
        chosen = _find(data.tasks, task, "--task", "work task")
        nodes = [n for n in nodes if chosen.iri in n.tasks]
        parts.append(chosen.record_id)
    kept = {n.iri for n in nodes}
    edges = [e for e in data.edges if e.source in kept and e.target in kept]
    if focus:
        centre = _find(nodes, focus, "--focus", "node (after --types/--task)" if types or task else "node")
        parts.append(centre.record_id + ("" if depth == 1 else f"-depth{depth}"))
        neighbours: dict[str, set[str]] = defaultdict(set)
        for edge in edges:
            neighbours[edge.source].add(edge.target)
            neighbours[edge.target].add(edge.source)
        reached, frontier = {centre.iri}, {centre.iri}
        for _ in range(max(depth, 0)):
            frontier = {n for f in frontier for n in neighbours[f]} - reached
            reached |= frontier
        nodes = [n for n in nodes if n.iri in reached]
        edges = [e for e in edges if e.source in reached and e.target in reached]
    selected = bool(focus or types or task) or data.selected
    name = re.sub(r"[^a-z0-9]+", "-", "-".join(filter(None, [data.name, *parts])).lower()).strip("-")
    # the filters keep every task and province
    return ViewerData(nodes, edges, data.tasks, data.provinces, data.types, selected=selected, name=name)


def _type_key(name: str) -> str:
    wanted = name.strip().lower().replace(" ", "").replace("-", "").replace("_", "")
    for node_type in NODE_TYPES:
        if wanted in {node_type.key.lower(), node_type.zh}:
            return node_type.key
    known = ", ".join(t.key for t in NODE_TYPES)
    raise SelectionError(f"--types: unknown node type {name.strip()!r} (known: {known})")


def _find(nodes: Iterable[ViewerNode], name: str, option: str, what: str) -> ViewerNode:
    """The node ``name`` names: its id, IRI, Chinese or English name or an alias (a task also by its
    number), or the start of one name when no other node's name starts so; when several are named
    alike, the ids to choose from; when none, the close names."""
    name = name.strip()
    candidates = list(nodes)
    if option == "--task" and name.isdigit():
        numbered = [n for n in candidates if n.number == int(name)]
        if numbered:
            return numbered[0]
    by_iri = [n for n in candidates if n.iri == name]
    if by_iri:
        return by_iri[0]
    found = find_nodes(candidates, name, best=1)
    starting = find_nodes(candidates, name, best=2)
    if not found and len(starting) == 1:
        return starting[0]
    if found:
        best = match_rank(found[0], name)
        tied = [n for n in found if match_rank(n, name) == best]
        if len(tied) > 1 and best == 0 and not any(n.record_id == name for n in tied):
            choices = "; ".join(describe(n) for n in tied[:5])
            raise SelectionError(f"{option}: {len(tied)} nodes are named {name!r}: {choices}; give an id")
        return found[0]
    close = close_names(candidates, name)
    hint = ("; did you mean: " + "; ".join(describe(n) for n in close)) if close else (
        "; give an id (henan), a Chinese or English name (河南省, Henan Province) or a short name (河南, Henan)")
    raise SelectionError(f"{option}: no {what} with id or name {name!r}{hint}")


# ---------------------------------------------------------------------------- layout
@dataclass(frozen=True)
class LayoutSettings:
    """How :func:`precomputed_positions` lays a graph out: ``cutoff`` the distance (in ideal edge
    lengths) within which nodes repel, ``by_degree`` whether a node repels in proportion to the root
    of its degree (as vis-network's forceAtlas2Based does: hubs push harder, their leaves fan out),
    ``scale`` pixels per ideal edge length."""

    iterations: int = 90
    cutoff: float = 2.5
    by_degree: bool = False
    scale: float = 45.0


# up to LARGE_GRAPH nodes: room for labels, close to what vis-network's physics settled on before;
# above it: fast, spread so that the whole graph opens without labels (specks at that size) and
# they show, apart, once zoomed in
SMALL_LAYOUT = LayoutSettings(iterations=100, cutoff=6.0, by_degree=True, scale=90.0)
LARGE_LAYOUT = LayoutSettings(scale=150.0)


def precomputed_positions(count: int, pairs: list[tuple[int, int]], seed: int = RANDOM_SEED,
                          iterations: int | None = None, settings: LayoutSettings = LARGE_LAYOUT,
                          ) -> list[tuple[int, int]]:
    """A seeded Fruchterman-Reingold layout (pixel coordinates, rounded), fast for thousands of nodes:
    repulsion only between nodes closer than a cut-off (found by :func:`close_pairs` up to
    SWEEP_LIMIT nodes, else with scipy's k-d tree), as in the grid variant of the original algorithm,
    and a weak pull to the centre that keeps components together.
    Byte-for-byte the same for the same arguments (numpy's seeded generator, no parallel sums)."""
    import numpy as np

    if count == 0:
        return []
    rng = np.random.default_rng(seed)
    side = float(np.sqrt(count)) * 2.0
    pos = rng.random((count, 2)) * side
    source = np.array([p[0] for p in pairs], dtype=np.int64)
    target = np.array([p[1] for p in pairs], dtype=np.int64)
    strength = np.ones(count)
    if settings.by_degree:
        strength = np.sqrt(1.0 + np.bincount(source, minlength=count) + np.bincount(target, minlength=count))
    ideal, cutoff, temperature = 1.0, settings.cutoff, side / 8.0
    for _ in range(settings.iterations if iterations is None else iterations):
        displacement = np.zeros_like(pos)
        close = close_pairs(pos, cutoff) if count <= SWEEP_LIMIT else _tree_pairs(pos, cutoff)
        if len(close):
            delta = pos[close[:, 0]] - pos[close[:, 1]]
            distance2 = np.maximum((delta**2).sum(axis=1), 1e-4)
            push = delta * (ideal * ideal * strength[close[:, 0]] * strength[close[:, 1]] / distance2)[:, None]
            displacement += _scatter(close[:, 0], push, count) - _scatter(close[:, 1], push, count)
        if len(pairs):
            delta = pos[source] - pos[target]
            pull = delta * (np.sqrt((delta**2).sum(axis=1)) / ideal)[:, None]
            displacement += _scatter(target, pull, count) - _scatter(source, pull, count)
        displacement -= (pos - pos.mean(axis=0)) * 0.02
        length = np.maximum(np.sqrt((displacement**2).sum(axis=1)), 1e-9)
        pos += displacement * (np.minimum(length, temperature) / length)[:, None]
        temperature = max(temperature * 0.96, 0.05)
    pos = (pos - pos.mean(axis=0)) * settings.scale
    return [(round(float(x)), round(float(y))) for x, y in pos]


# Up to this many nodes the repelling pairs are found by a sweep in numpy (:func:`close_pairs`); above it
# by scipy's k-d tree, faster per step but about 0.5 s to import (a notebook's views are small).
SWEEP_LIMIT = 400


def close_pairs(points: Any, cutoff: float) -> Any:
    """Every pair of rows ``(i, j)``, ``i < j``, of the points (an n x 2 array) at most ``cutoff`` apart,
    sorted by ``i`` then ``j``: the points sorted by x, each compared with those that follow it
    within ``cutoff`` in x (a sweep; numpy only)."""
    import numpy as np

    count = len(points)
    order = np.argsort(points[:, 0], kind="stable")
    xs = points[order, 0]
    following = np.searchsorted(xs, xs + cutoff, side="right") - np.arange(1, count + 1)
    first = np.repeat(np.arange(count), following)
    second = first + 1 + np.arange(len(first)) - np.repeat(np.cumsum(following) - following, following)
    a, b = order[first], order[second]
    near = ((points[a] - points[b]) ** 2).sum(axis=1) <= cutoff * cutoff
    keys = np.minimum(a, b)[near] * count + np.maximum(a, b)[near]
    keys.sort()
    return np.stack([keys // count, keys % count], axis=1)


def _tree_pairs(points: Any, cutoff: float) -> Any:
    """The pairs of :func:`close_pairs` (in the k-d tree's order) from scipy's k-d tree."""
    from scipy.spatial import cKDTree  # start-up time: scipy only for large graphs

    return cKDTree(points).query_pairs(cutoff, output_type="ndarray")


def layout(data: ViewerData) -> list[tuple[int, int]]:
    """Every node's position (in ``data.nodes`` order), computed here so that the page draws its
    first frame at once instead of running physics in the browser."""
    index = {node.iri: i for i, node in enumerate(data.nodes)}
    return precomputed_positions(len(data.nodes), [(index[e.source], index[e.target]) for e in data.edges],
                                 settings=LARGE_LAYOUT if data.large else SMALL_LAYOUT)


def _scatter(index: Any, vectors: Any, count: int) -> Any:
    """Sum 2-D vectors by node index (a fast numpy.add.at)."""
    import numpy as np

    return np.stack([np.bincount(index, weights=vectors[:, axis], minlength=count) for axis in (0, 1)], axis=1)


# ---------------------------------------------------------------------------- the page
PAGE_TITLE = "practice-graph 实践知识图谱"
CSP = content_security_policy()
# pyvis's drawGraph: from the network's creation (then its click and stabilisation handlers) to its return
_NETWORK_CREATION = re.compile(r"network = new vis\.Network\(container, data, options\);(.*?)return network;",
                               re.DOTALL)
_EMPTY_DATA = re.compile(r"nodes = new vis\.DataSet\(\[\]\);\s*edges = new vis\.DataSet\(\[\]\);")
_CDN_TAG = re.compile(r"<(link|script)\b[^>]*\b(?:href|src)\s*=\s*\"https?://[^\"]*\"[^>]*>(?:\s*</script>)?",
                      re.IGNORECASE)


LABEL_SIZE = 14  # px, node labels
LABEL_MAX_WIDTH = 180  # px: a longer label wraps
WIDEST_CHARACTER = 1.4  # em: wider than a CJK ideograph (1 em), a Latin capital or an emoji


def _label_may_exceed(label: str) -> bool:
    """Whether ``label`` may be wider than :data:`LABEL_MAX_WIDTH` (then vis wraps it). Only those
    nodes carry the width constraint: vis splits and measures a constrained label again to find where
    to break it (once per character when it has no spaces), an unconstrained one once; most are short."""
    return len(label) * LABEL_SIZE * WIDEST_CHARACTER > LABEL_MAX_WIDTH


def _vis_options(large: bool, physics: bool = False) -> dict[str, Any]:
    options: dict[str, Any] = {
        "layout": {"randomSeed": RANDOM_SEED, "improvedLayout": False},
        # labels are drawn from a third of their size up (vis draws at drawThreshold - 1 = 5 px of 14):
        # below it they are specks that cost most of a frame
        # no widthConstraint here: only the nodes whose label may be wider carry it (_label_may_exceed)
        "nodes": {"font": {"face": "Noto Sans CJK SC, WenQuanYi Micro Hei, sans-serif", "size": LABEL_SIZE},
                  "scaling": {"label": {"drawThreshold": 6}}},
        "edges": {"arrows": {"to": {"enabled": True, "scaleFactor": 0.5}}, "color": {"inherit": False},
                  "font": {"size": 9, "color": "#555555", "strokeWidth": 2}, "width": 1,
                  "smooth": False if large else {"enabled": True, "type": "continuous"}},
        "interaction": {"hover": True, "tooltipDelay": 120, "hideEdgesOnDrag": large, "hideEdgesOnZoom": large,
                        "navigationButtons": False, "keyboard": False},
    }
    if not physics:
        options["physics"] = {"enabled": False}
    else:
        options["physics"] = {"enabled": True, "solver": "forceAtlas2Based",
                              "forceAtlas2Based": {"gravitationalConstant": -60, "springLength": 90,
                                                   "avoidOverlap": 0.2},
                              "stabilization": {"enabled": True, "iterations": 300, "updateInterval": 50,
                                                "fit": True}}
    return options


def render_html(data: ViewerData, title: str = PAGE_TITLE, precomputed: bool = True) -> str:
    """The whole offline page as text. ``precomputed`` (the default) lays the nodes out in Python
    (:func:`layout`) with physics off, so the page draws the graph at once; otherwise vis-network
    stabilises a seeded layout in the browser (seconds: kept to compare with)."""
    from practice_graph.views.pyvis_loader import pyvis_network_class  # start-up time: pyvis without IPython

    Network = pyvis_network_class()

    large = data.large

    ids = {node.iri: f"n{index}" for index, node in enumerate(data.nodes)}
    task_index = {task.iri: index for index, task in enumerate(data.tasks)}
    province_index = {province.iri: index for index, province in enumerate(data.provinces)}
    positions = layout(data) if precomputed else []

    nodes: list[dict[str, Any]] = []
    for i, node in enumerate(data.nodes):
        node_type = TYPE_BY_KEY[node.type_key]
        label = node.zh or node.en
        nodes.append({
            "id": ids[node.iri], "label": label, "shape": node_type.shape, "size": node_type.size,
            "color": {"background": node_type.colour, "border": node_type.colour,
                      "highlight": {"background": node_type.colour, "border": "#000000"}},
            "title": node.tooltip,  # a string: vis-network shows it as text
            "pgType": node.type_key, "pgEn": node.en, "pgRid": node.record_id, "pgAliases": list(node.aliases),
            "pgTasks": sorted(task_index[t] for t in node.tasks if t in task_index),
            "pgProvinces": sorted(province_index[p] for p in node.provinces if p in province_index),
            **({"x": positions[i][0], "y": positions[i][1]} if positions else {}),
            **({"widthConstraint": {"maximum": LABEL_MAX_WIDTH}} if _label_may_exceed(label) else {}),
        })
    edges: list[dict[str, Any]] = []
    for i, edge in enumerate(data.edges):
        # no "arrows" per edge as pyvis writes: the options draw them all, and vis parses each one
        edges.append({"id": f"e{i}", "from": ids[edge.source], "to": ids[edge.target],
                      "title": edge.tooltip, "pgRelation": edge.en,
                      # a large graph names relations in edge tooltips only: thousands of edge labels slow every frame
                      **({} if large else {"label": edge.zh})})
    # pyvis writes the page around no data: nodes and edges travel as JSON (_post_process), read by
    # JSON.parse (faster than a script literal), and skip pyvis's checks (quadratic in the edges);
    # pyvis would also switch every tooltip to innerHTML when a node's title says "href"
    network = Network(height="100vh", width="100%", directed=True, cdn_resources="in_line",
                      neighborhood_highlight=True, heading="")
    network.options = _vis_options(large, physics=not precomputed)
    network.templateEnv = _pyvis_templates(network.template_dir)  # its template compiled once per process
    page = network.generate_html(notebook=False)
    if "popup.innerHTML" in page:  # pragma: no cover - a pyvis template change
        raise RuntimeError("pyvis chose its innerHTML tooltip template")

    counts: dict[str, int] = defaultdict(int)
    for node in data.nodes:
        counts[node.type_key] += 1
    view = {
        "title": title,
        "physics": not precomputed,
        "types": [{"key": t.key, "zh": t.zh, "en": t.en, "colour": t.colour, "symbol": t.symbol,
                   "count": counts[t.key]} for t in data.types if counts[t.key]],
        "tasks": [{"zh": t.zh, "en": t.en, "rid": t.record_id} for t in data.tasks],
        "provinces": [{"zh": p.zh, "en": p.en, "rid": p.record_id} for p in data.provinces],
        "typeOrder": [t.key for t in data.types],
        "overview": None if data.selected else overview(data, ids),
    }
    return _post_process(page, view, nodes, edges)


OVERVIEW_COLUMNS = (("工作任务", "Work tasks"), ("主要举措", "Measures"),
                    ("经验做法（按牵头地区）", "Practices, by lead region"))


@lru_cache(maxsize=1)
def _pyvis_templates(folder: str) -> Any:
    """A Jinja environment for pyvis's templates kept for the process (pyvis makes one per network,
    and so compiles its page template again for every page: about 0.17 s)."""
    from jinja2 import Environment, FileSystemLoader

    return Environment(loader=FileSystemLoader(folder))


def overview(data: ViewerData, ids: dict[str, str]) -> dict[str, Any] | None:
    """The first screen: the list's outline, work tasks, their measures and, beside each measure,
    its practices named by their number and lead region (1. 重庆市), in the source's order, with
    Chinese and English labels; the page lays it out. None when no practice sits under a measure."""
    by_iri = {node.iri: node for node in data.nodes}
    children: dict[str, list[ViewerNode]] = defaultdict(list)
    for node in data.nodes:
        if node.parent in by_iri and node.type_key in ("Measure", "Practice"):
            children[node.parent].append(node)

    def numbered(nodes: Iterable[ViewerNode]) -> list[ViewerNode]:
        return sorted(nodes, key=lambda n: (n.number if n.number is not None else 1 << 30, n.record_id))

    def practice_names(practice: ViewerNode) -> dict[str, str]:
        lead = by_iri.get(practice.lead or "")
        number = f"{practice.number}. " if practice.number is not None else ""
        if lead is None:
            return {"zh": number + practice.zh, "en": number + practice.en}
        return {"zh": number + lead.zh, "en": number + lead.en}

    items: list[dict[str, Any]] = []
    for task in numbered(n for n in data.nodes if n.type_key == "WorkTask"):
        items.append({"id": ids[task.iri], "col": 0, "zh": task.zh, "en": task.en})
        for measure in numbered(n for n in children[task.iri] if n.type_key == "Measure"):
            items.append({"id": ids[measure.iri], "col": 1, "parent": ids[task.iri], "zh": measure.zh,
                          "en": measure.en})
            for practice in numbered(n for n in children[measure.iri] if n.type_key == "Practice"):
                items.append({"id": ids[practice.iri], "col": 2, "parent": ids[measure.iri],
                              **practice_names(practice)})
    if not any(item["col"] == 2 for item in items):
        return None
    return {"nodes": items, "columns": [{"zh": zh, "en": en} for zh, en in OVERVIEW_COLUMNS]}


def _post_process(page: str, view: dict[str, Any], nodes: list[dict[str, Any]], edges: list[dict[str, Any]]) -> str:
    """Drop CDN tags and the empty heading, add the CSP, our style, panel, data and script."""
    page = _CDN_TAG.sub("", page)
    page, filled = _EMPTY_DATA.subn(
        'nodes = new vis.DataSet(JSON.parse(document.getElementById("pg-nodes").textContent));\n'
        '                  edges = new vis.DataSet(JSON.parse(document.getElementById("pg-edges").textContent));', page)
    if filled != 1:  # pragma: no cover - a pyvis template change
        raise RuntimeError("the pyvis page does not fill its data sets as expected")
    # the whole graph is created when the page's script asks (after the first screen is drawn)
    page, created = _NETWORK_CREATION.subn(
        lambda m: "window.pgCreateNetwork = function () {\n  network = new vis.Network(container, data, options);"
                  f"{m.group(1)}return network;\n}};\nreturn network;", page)
    if created != 1:  # pragma: no cover - a pyvis template change
        raise RuntimeError("the pyvis page does not create its network as expected")
    page = re.sub(r"<!-- <link[^>]*node_modules.*?-->", "", page, flags=re.DOTALL)
    page = re.sub(r"\s*<center>\s*<h1>\s*</h1>\s*</center>", "", page)
    head = (f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{PAGE_TITLE}</title>\n<style>{_STYLE}</style>\n")
    page = page.replace('<meta charset="utf-8">', '<meta charset="utf-8">\n' + head, 1)
    page = "<!DOCTYPE html>\n" + page.replace("<html>", '<html lang="zh-Hans">', 1).lstrip()
    data_script = "".join(f'<script type="application/json" id="{name}">{script_json(value)}</script>\n'
                          for name, value in (("pg-view-data", view), ("pg-nodes", nodes), ("pg-edges", edges)))
    page = page.replace("<body>", "<body>\n" + _PANEL + data_script, 1)
    page = _replace_last(page, "</body>", f"<script>{_SCRIPT}</script>\n</body>")
    problems = offline_problems(page)
    if problems:  # pragma: no cover - a pyvis template change
        raise RuntimeError("viewer page is not offline: " + "; ".join(problems))
    return page


def _replace_last(text: str, old: str, new: str) -> str:
    head, sep, tail = text.rpartition(old)
    if not sep:
        raise RuntimeError(f"{old} not found in the pyvis page")
    return head + new + tail


def offline_problems(page: str) -> list[str]:
    """Attributes that would fetch from a host (src/href/srcset/action to http(s) or //)."""
    pattern = re.compile(r"""\b(src|href|srcset|action|poster|data)\s*=\s*["']?\s*(https?:|//)""", re.IGNORECASE)
    problems = [f"{m.group(0)!r} at {m.start()}" for m in pattern.finditer(page)]
    problems += [f"@import at {m.start()}" for m in re.finditer(r"@import\s+url\(\s*['\"]?https?:", page)]
    return problems


def write_viewer(graph: GraphLike, out_path: Path, focus: str | None = None, depth: int = 1,
                 types: Iterable[str] = (), task: str | None = None) -> Path:
    """Write the viewer of ``graph`` (optionally a selection) to ``out_path`` atomically, UTF-8."""
    from practice_graph.core.files import write_atomically

    data = select(viewer_data(graph), focus=focus, depth=depth, types=types, task=task)
    out_path = Path(out_path)
    write_atomically(out_path, render_html(data).encode("utf-8"))
    return out_path


def show_inline(graph: GraphLike | ViewerData, height: int = 720, **selection: Any) -> Any:
    """The viewer inline in Jupyter: an ``<iframe srcdoc>`` holding the offline page (of ``graph``, or of
    ``viewer_data`` read before, for several views of one graph)."""
    import html

    from IPython.display import HTML

    data = graph if isinstance(graph, ViewerData) else viewer_data(graph)
    page = render_html(select(data, **selection))
    frame_style = f"width:100%;height:{int(height)}px;border:1px solid #ddd"
    return HTML(f'<div class="practice-graph-viewer"><iframe srcdoc="{html.escape(page, quote=True)}" '
                f'style="{frame_style}" sandbox="allow-scripts"></iframe></div>')


_STYLE = """
html, body { margin: 0; padding: 0; height: 100%;
  font-family: "Noto Sans CJK SC", "WenQuanYi Micro Hei", system-ui, sans-serif; }
#pg-panel { position: fixed; top: 0; left: 0; bottom: 0; width: 290px; box-sizing: border-box;
  padding: 10px 12px; overflow-y: auto; background: #fafafa; border-right: 1px solid #ddd;
  font-size: 13px; z-index: 10; }
#pg-panel h1 { font-size: 16px; margin: 0 0 8px; }
#pg-panel label.pg-field { display: block; margin: 8px 0 2px; font-weight: 600; }
#pg-panel select, #pg-panel input[type=search] { width: 100%; box-sizing: border-box; font-size: 13px; }
#pg-search-form { display: flex; gap: 4px; }
#pg-search-form button { white-space: nowrap; }
#pg-search-status { min-height: 1.3em; margin: 4px 0; color: #333; overflow-wrap: anywhere; }
#pg-legend { margin: 8px 0 0; padding: 4px 6px; border: 1px solid #ddd; }
#pg-legend label { display: flex; align-items: center; gap: 4px; margin: 2px 0; cursor: pointer; }
.pg-symbol { width: 1.2em; text-align: center; font-size: 15px; }
.pg-count { margin-left: auto; color: #777; }
#pg-summary { margin-top: 8px; color: #555; }
#pg-mode { display: flex; gap: 4px; margin: 0 0 6px; }
#pg-mode button { flex: 1; font-size: 13px; padding: 3px 4px; }
#pg-mode button[aria-pressed=true] { background: #1565c0; color: #fff; border: 1px solid #1565c0; }
#pg-search-results { list-style: none; margin: 0; padding: 0; }
#pg-search-results button { display: block; width: 100%; text-align: left; font-size: 12px; margin: 1px 0;
  padding: 2px 4px; background: #fff; border: 1px solid #e0e0e0; cursor: pointer; overflow-wrap: anywhere; }
#pg-search-results button.pg-current { border-color: #1565c0; }
.pg-kind { color: #777; }
#pg-overview { position: fixed; top: 0; left: 290px; right: 0; bottom: 0; background: #fff; z-index: 5;
  display: flex; flex-direction: column; }
#pg-overview[hidden] { display: none; }
#pg-overview-bar { padding: 6px 12px; border-bottom: 1px solid #ddd; font-size: 13px; display: flex; gap: 10px;
  align-items: center; flex-wrap: wrap; }
#pg-overview-bar strong { font-size: 15px; }
#pg-overview-canvas { flex: 1; min-height: 0; visibility: hidden; }
#pg-overview-canvas.pg-placed { visibility: visible; }
div.card { margin-left: 290px; width: auto !important; }
#mynetwork { width: 100% !important; height: 100vh !important; float: none !important; border: 0 !important; }
div.vis-tooltip { white-space: pre-wrap !important; max-width: 380px; overflow-wrap: anywhere; font-size: 12px;
  line-height: 1.45;
  font-family: "Noto Sans CJK SC", "WenQuanYi Micro Hei", sans-serif; }
"""

_PANEL = """<aside id="pg-panel">
<h1 id="pg-title"></h1>
<div id="pg-mode" hidden>
<button id="pg-mode-overview" type="button" aria-pressed="true">概览 Overview</button>
<button id="pg-mode-graph" type="button" aria-pressed="false">全图 Full graph</button>
</div>
<label class="pg-field" for="pg-search">搜索 Search</label>
<form id="pg-search-form" autocomplete="off">
<input id="pg-search" type="search" list="pg-names" placeholder="中文或英文名称 / Chinese or English name">
<button id="pg-search-button" type="submit">查找</button>
</form>
<datalist id="pg-names"></datalist>
<div id="pg-search-status" role="status"></div>
<ul id="pg-search-results"></ul>
<label class="pg-field" for="pg-task">工作任务 Work task</label>
<select id="pg-task"></select>
<label class="pg-field" for="pg-province">省份 Province</label>
<select id="pg-province"></select>
<fieldset id="pg-legend"><legend>类型 Node types</legend></fieldset>
<div id="pg-summary"></div>
<p><button id="pg-reset" type="button">重置 Reset</button></p>
</aside>
<section id="pg-overview" hidden>
<div id="pg-overview-bar"><strong>概览 Overview</strong>
<span>清单一览 · the list at a glance</span>
<label>标签 Labels <select id="pg-overview-lang">
<option value="zh">中文</option><option value="en">English</option><option value="both">中文 + English</option>
</select></label>
<button id="pg-show-graph" type="button"></button></div>
<div id="pg-overview-canvas"></div>
</section>
"""

# The page's own script. It reads the data as JSON and writes text only through textContent,
# option.value/text and DataSet updates: never innerHTML.
_SCRIPT = r"""
var highlightActive = false;
var filterActive = false;
(function () {
  "use strict";
  var view = JSON.parse(document.getElementById("pg-view-data").textContent);
  var state = { types: {}, task: "", province: "" };
  var api = { network: null, nodes: nodes, edges: edges, stable: false, stableAt: null };
  window.pgViewer = api;
  document.title = view.title;
  document.getElementById("pg-title").textContent = view.title;

  function text(tag, value, className) {
    var element = document.createElement(tag);
    element.textContent = value;
    if (className) { element.className = className; }
    return element;
  }
  function addOption(select, value, label) {
    var option = document.createElement("option");
    option.value = value;
    option.textContent = label;
    select.appendChild(option);
  }

  // the first screen: the overview when the page has one, the whole graph one click away
  var overview = null;
  var mode = "graph";
  function setMode(next) {
    if (!overview) { next = "graph"; }
    if (next === "graph") { startGraph(); }
    mode = next;
    document.getElementById("pg-overview").hidden = next !== "overview";
    document.getElementById("pg-mode-overview").setAttribute("aria-pressed", String(next === "overview"));
    document.getElementById("pg-mode-graph").setAttribute("aria-pressed", String(next === "graph"));
    document.body.setAttribute("data-mode", next);
    api.mode = next;
  }
  api.setMode = setMode;

  var legend = document.getElementById("pg-legend");
  view.types.forEach(function (type) {
    state.types[type.key] = true;
    var label = document.createElement("label");
    var box = document.createElement("input");
    box.type = "checkbox";
    box.checked = true;
    box.value = type.key;
    box.setAttribute("data-type", type.key);
    box.addEventListener("change", function () {
      state.types[type.key] = box.checked; setMode("graph"); applyFilters();
    });
    var symbol = text("span", type.symbol, "pg-symbol");
    symbol.style.color = type.colour;
    label.appendChild(box);
    label.appendChild(symbol);
    label.appendChild(text("span", type.zh + " " + type.en));
    label.appendChild(text("span", String(type.count), "pg-count"));
    legend.appendChild(label);
  });

  var taskSelect = document.getElementById("pg-task");
  addOption(taskSelect, "", "全部 All");
  view.tasks.forEach(function (task, i) { addOption(taskSelect, String(i), task.zh + " / " + task.en); });
  taskSelect.addEventListener("change", function () {
    state.task = taskSelect.value; setMode("graph"); applyFilters();
  });
  var provinceSelect = document.getElementById("pg-province");
  addOption(provinceSelect, "", "全部 All");
  view.provinces.forEach(function (p, i) { addOption(provinceSelect, String(i), p.zh + " " + p.en); });
  provinceSelect.addEventListener("change", function () {
    state.province = provinceSelect.value; setMode("graph"); applyFilters();
  });

  function visible(node) {
    if (!state.types[node.pgType]) { return false; }
    if (state.task !== "" && node.pgTasks.indexOf(Number(state.task)) < 0) { return false; }
    if (state.province !== "" && node.pgProvinces.indexOf(Number(state.province)) < 0) { return false; }
    return true;
  }
  function applyFilters() {
    var changes = [];
    var shown = {};
    nodes.get().forEach(function (node) {
      var show = visible(node);
      shown[node.id] = show;
      if (Boolean(node.hidden) === show) { changes.push({ id: node.id, hidden: !show }); }
    });
    if (changes.length) { nodes.update(changes); }
    var edgeChanges = [];
    var edgeCount = 0;
    edges.get().forEach(function (edge) {
      var show = shown[edge.from] && shown[edge.to];
      if (show) { edgeCount += 1; }
      if (Boolean(edge.hidden) === show) { edgeChanges.push({ id: edge.id, hidden: !show }); }
    });
    if (edgeChanges.length) { edges.update(edgeChanges); }
    summarise(Object.keys(shown).filter(function (id) { return shown[id]; }).length, edgeCount);
  }
  api.applyFilters = applyFilters;
  function summarise(nodeCount, edgeCount) {
    document.getElementById("pg-summary").textContent =
      "显示 " + nodeCount + " / " + nodes.length + " 个节点, " + edgeCount + " / " + edges.length + " 条关系 " +
      "(shown: nodes, relations)";
  }

  // the names the search box suggests: filled when it is first used (thousands of options slow the load)
  var names = document.getElementById("pg-names");
  function suggestNames() {
    if (names.childElementCount) { return; }
    var seen = {};
    index.forEach(function (entry) {
      [entry.zh, entry.en].concat(entry.aliases).forEach(function (name) {
        if (!name || seen[name]) { return; }
        seen[name] = true;
        var option = document.createElement("option");
        option.value = name;
        names.appendChild(option);
      });
    });
  }
  api.suggestNames = suggestNames;
  document.getElementById("pg-search").addEventListener("focus", suggestNames);

  // names captured once: the neighbourhood highlight blanks the labels of greyed nodes
  var typeOrder = {};
  view.typeOrder.forEach(function (key, i) { typeOrder[key] = i; });
  var index = nodes.get().map(function (node, i) {
    var entry = { id: node.id, zh: node.label || "", en: node.pgEn || "", rid: node.pgRid || "",
                  aliases: node.pgAliases || [], type: node.pgType, order: i };
    var names = [entry.zh, entry.en].concat(entry.aliases).filter(Boolean);
    entry.length = names.length ? Math.min.apply(null, names.map(function (n) { return n.length; })) : 0;
    return entry;
  });
  var typeNames = {};
  view.types.forEach(function (type) { typeNames[type.key] = type.zh + " " + type.en; });
  function normal(value) { return value.split(/\s+/).filter(Boolean).join(" ").toLowerCase(); }
  function startsWord(name, q) {
    for (var at = name.indexOf(q); at >= 0; at = name.indexOf(q, at + 1)) {
      if (at === 0 || " ,(“\"'-".indexOf(name.charAt(at - 1)) >= 0) { return true; }
    }
    return false;
  }
  // the ranks of views.viewer.match_rank: 0 id or name, 1 alias, 2 start of a name, 3 start of a word, 4 anywhere
  function rank(entry, q) {
    var names = [entry.zh, entry.en].filter(Boolean).map(normal);
    var aliases = entry.aliases.map(normal);
    if (q === entry.rid.toLowerCase() || names.indexOf(q) >= 0) { return 0; }
    if (aliases.indexOf(q) >= 0) { return 1; }
    var every = names.concat(aliases);
    if (every.some(function (n) { return n.indexOf(q) === 0; })) { return 2; }
    if (every.some(function (n) { return startsWord(n, q); })) { return 3; }
    if (every.some(function (n) { return n.indexOf(q) >= 0; })) { return 4; }
    return null;
  }
  // best first: rank, shown before hidden by a filter, the shorter name (a province before a practice naming it), type
  function findAll(query) {
    var q = normal(query);
    if (!q) { return []; }
    var found = [];
    index.forEach(function (entry) {
      var r = rank(entry, q);
      if (r !== null) {
        found.push({ entry: entry, key: [r, nodes.get(entry.id).hidden ? 1 : 0, entry.length,
                                         typeOrder[entry.type], entry.order] });
      }
    });
    found.sort(function (a, b) {
      for (var i = 0; i < a.key.length; i += 1) { if (a.key[i] !== b.key[i]) { return a.key[i] - b.key[i]; } }
      return 0;
    });
    return found.map(function (item) { return item.entry; });
  }
  api.findAll = findAll;
  function focusNode(id) {
    network.selectNodes([id]);
    neighbourhoodHighlight({ nodes: [id] });
    network.focus(id, { scale: 1.4, animation: false });
  }
  var resultList = document.getElementById("pg-search-results");
  function show(entry) {
    var status = document.getElementById("pg-search-status");
    if (overview && mode === "overview" && overview.has(entry.id)) {
      overview.focus(entry.id);
    } else {
      setMode("graph");
      focusNode(entry.id);
    }
    status.textContent = "→ " + entry.zh + " / " + entry.en +
      (nodes.get(entry.id).hidden ? " (已被筛选隐藏 hidden by a filter)" : "");
    Array.prototype.forEach.call(resultList.querySelectorAll("button"), function (button) {
      button.className = button.getAttribute("data-id") === entry.id ? "pg-current" : "";
    });
  }
  function search(query) {
    var status = document.getElementById("pg-search-status");
    var found = findAll(query);
    resultList.replaceChildren();
    if (!found.length) { status.textContent = "未找到 Not found: " + query; return null; }
    found.slice(0, 8).forEach(function (entry) {
      var item = document.createElement("li");
      var button = document.createElement("button");
      button.type = "button";
      button.setAttribute("data-id", entry.id);
      button.appendChild(text("span", entry.zh + " " + entry.en + " "));
      button.appendChild(text("span", "· " + (typeNames[entry.type] || entry.type), "pg-kind"));
      button.addEventListener("click", function () { show(entry); });
      item.appendChild(button);
      resultList.appendChild(item);
    });
    show(found[0]);
    return found[0].id;
  }
  api.search = search;
  document.getElementById("pg-search-form").addEventListener("submit", function (event) {
    event.preventDefault();
    search(document.getElementById("pg-search").value);
  });
  document.getElementById("pg-reset").addEventListener("click", function () {
    Array.prototype.forEach.call(legend.querySelectorAll("input[type=checkbox]"), function (box) {
      box.checked = true; state.types[box.value] = true;
    });
    taskSelect.value = ""; provinceSelect.value = ""; state.task = ""; state.province = "";
    resultList.replaceChildren();
    document.getElementById("pg-search-status").textContent = "";
    network.unselectAll();
    neighbourhoodHighlight({ nodes: [] });
    applyFilters();
    network.fit();
  });

  function markStable() {
    if (api.stable) { return; }
    api.stable = true;
    api.stableAt = performance.now();
    var bar = document.getElementById("loadingBar");
    if (bar) { bar.style.display = "none"; }
    document.body.setAttribute("data-stable", "true");
  }
  // the whole graph: created once the first screen is drawn (its layout takes seconds), or at once
  function startGraph() {
    if (api.network) { return; }
    window.pgCreateNetwork();
    api.network = network;
    if (!view.physics) {
      network.once("afterDrawing", markStable);
    } else {
      network.once("stabilizationIterationsDone", function () {
        network.setOptions({ physics: { enabled: false } });
        markStable();
      });
    }
  }
  api.startGraph = startGraph;
  summarise(nodes.length, edges.length);  // everything is shown at first
  overview = buildOverview();
  if (overview) {
    document.getElementById("pg-mode").hidden = false;
    document.getElementById("pg-show-graph").textContent =
      "显示全图 Show the full graph (" + nodes.length + " 个节点 nodes)";
    document.getElementById("pg-show-graph").addEventListener("click", function () { setMode("graph"); });
    document.getElementById("pg-mode-graph").addEventListener("click", function () { setMode("graph"); });
    document.getElementById("pg-mode-overview").addEventListener("click", function () { setMode("overview"); });
    setMode("overview");
    overview.whenPlaced(function () { setTimeout(startGraph, 20); });
  } else {
    setMode("graph");
  }

  // The overview: work tasks, their measures and each measure's practices in a row, in the source's
  // order; the page measures the labels, then places the nodes (no physics).
  function buildOverview() {
    var spec = view.overview;
    if (!spec || typeof vis === "undefined") { return null; }
    var container = document.getElementById("pg-overview-canvas");
    document.getElementById("pg-overview").hidden = false;
    var colours = {};
    view.types.forEach(function (type) { colours[type.key] = type.colour; });
    function tint(hex, amount) {
      var channels = [1, 3, 5].map(function (i) { return parseInt(hex.slice(i, i + 2), 16); });
      return "rgb(" + channels.map(function (c) { return Math.round(c + (255 - c) * amount); }).join(",") + ")";
    }
    var FONT = "Noto Sans CJK SC, WenQuanYi Micro Hei, sans-serif";
    var WIDTH = [200, 230, 180];
    var members = {};
    function label(item, language) {
      if (language === "en") { return item.en || item.zh; }
      if (language === "both") { return item.zh + (item.en ? "\n" + item.en : ""); }
      return item.zh || item.en;
    }
    var items = spec.nodes.map(function (item) {
      var node = nodes.get(item.id);
      var colour = colours[node.pgType] || "#777777";
      var strong = item.col === 0;
      members[item.id] = item;
      return {
        id: item.id, label: label(item, "zh"), title: node.title, x: 0, y: 0, shape: "box",
        margin: { top: 4, bottom: 4, left: 7, right: 7 }, borderWidth: 1,
        widthConstraint: { maximum: WIDTH[item.col] },
        color: { background: strong ? colour : tint(colour, item.col === 2 ? 0.9 : 0.82), border: colour,
                 highlight: { background: strong ? colour : tint(colour, 0.6), border: "#000000" },
                 hover: { background: strong ? colour : tint(colour, 0.7), border: colour } },
        font: { face: FONT, size: item.col === 0 ? 15 : 14, color: strong ? "#ffffff" : "#1a1a1a" }
      };
    });
    spec.columns.forEach(function (column, i) {
      items.push({ id: "pg-column-" + i, label: column.zh + " " + column.en, shape: "text", x: 0, y: 0, chosen: false,
                   font: { face: FONT, size: 14, color: "#555555" } });
    });
    var links = [];
    spec.nodes.forEach(function (item) {
      if (item.parent && item.col === 1) { links.push({ from: item.parent, to: item.id }); }
    });
    var shown = { nodes: new vis.DataSet(items), edges: new vis.DataSet(links) };
    var graph = new vis.Network(container, shown, {
      physics: { enabled: false }, layout: { improvedLayout: false },
      interaction: { hover: true, tooltipDelay: 120, dragNodes: false, keyboard: false, navigationButtons: false },
      edges: { color: { color: "#b0b0b0", highlight: "#444444", hover: "#777777" }, width: 1.2, arrows: { to: false },
               smooth: { enabled: true, type: "cubicBezier", forceDirection: "horizontal", roundness: 0.5 } }
    });
    var waiting = [];
    var result = {
      network: graph, nodes: shown.nodes, edges: shown.edges, placed: false, language: "zh",
      whenPlaced: function (callback) { if (result.placed) { callback(); } else { waiting.push(callback); } },
      has: function (id) { return Boolean(members[id]); },
      focus: function (id) {
        graph.selectNodes([id]);
        graph.focus(id, { scale: Math.max(graph.getScale(), 1.1), animation: false });
      },
      relabel: function (language) {
        result.placed = false;
        result.language = language;
        shown.nodes.update(spec.nodes.map(function (item) { return { id: item.id, label: label(item, language) }; }));
        layoutWhenDrawn();
        graph.redraw();
      }
    };
    function markPlaced() {
      result.placed = true;
      result.placedAt = performance.now();
      waiting.splice(0).forEach(function (callback) { callback(); });
    }
    function layoutNow() {
      place(graph, shown.nodes, spec);
      graph.fit({ animation: false });
      container.className = "pg-placed";
    }
    // new labels are measured when drawn: placed once drawn
    function layoutWhenDrawn() {
      graph.once("afterDrawing", function () { layoutNow(); markPlaced(); });
    }
    api.overview = result;
    // at first, vis has measured every label to fit the view: placed before the first frame, which shows it
    layoutNow();
    graph.once("afterDrawing", markPlaced);
    graph.on("doubleClick", function (params) {
      if (params.nodes.length && members[params.nodes[0]]) {
        var id = params.nodes[0];
        setMode("graph");
        focusNode(id);
      }
    });
    var languages = document.getElementById("pg-overview-lang");
    languages.addEventListener("change", function () { result.relabel(languages.value); });
    return result;
  }

  function place(graph, shown, spec) {
    var ROW_GAP = 8, TASK_GAP = 22, COLUMN_GAP = 56, CHIP_GAP = 8;
    var size = {};
    var columns = spec.columns.map(function (c, i) { return { id: "pg-column-" + i }; });
    spec.nodes.concat(columns).forEach(function (item) {
      var box = graph.getBoundingBox(item.id);
      size[item.id] = { w: box.right - box.left, h: box.bottom - box.top };
    });
    var chips = {};
    spec.nodes.forEach(function (item) {
      if (item.col === 2) { (chips[item.parent] = chips[item.parent] || []).push(item.id); }
    });
    var widths = [0, 0, 0];
    spec.nodes.forEach(function (item) {
      if (item.col < 2) { widths[item.col] = Math.max(widths[item.col], size[item.id].w); }
    });
    var left = [0, widths[0] + COLUMN_GAP, widths[0] + widths[1] + 2 * COLUMN_GAP];
    var moves = [];
    var cursor = 0, lastTask = null, taskRows = {};
    // one row per measure: the measure, then its practices left to right; a task beside its measures
    spec.nodes.forEach(function (item) {
      if (item.col === 2) { return; }
      var task = item.col === 0 ? item.id : item.parent;
      var hasMeasures = item.col === 0 && spec.nodes.some(function (o) { return o.parent === item.id; });
      if (hasMeasures) { return; }
      if (lastTask !== null && task !== lastTask) { cursor += TASK_GAP; }
      lastTask = task;
      var row = chips[item.id] || [];
      var height = Math.max.apply(null, [size[item.id].h].concat(row.map(function (id) { return size[id].h; })));
      var y = cursor + height / 2;
      var w = size[item.id].w;
      moves.push({ id: item.id, x: left[item.col] + widths[item.col] - w / 2, y: y });
      var x = left[2];
      row.forEach(function (id) {
        moves.push({ id: id, x: x + size[id].w / 2, y: y });
        x += size[id].w + CHIP_GAP;
      });
      (taskRows[task] = taskRows[task] || []).push(y);
      cursor += height + ROW_GAP;
    });
    spec.nodes.forEach(function (item) {
      if (item.col !== 0 || !taskRows[item.id]) { return; }
      var rows = taskRows[item.id];
      var middle = rows.reduce(function (a, b) { return a + b; }, 0) / rows.length;
      moves.push({ id: item.id, x: left[0] + widths[0] - size[item.id].w / 2, y: middle });
    });
    var top = -Math.max.apply(null, columns.map(function (c) { return size[c.id].h; })) - ROW_GAP;
    columns.forEach(function (column, col) {
      var w = size[column.id].w;
      moves.push({ id: column.id, y: top, x: col < 2 ? left[col] + widths[col] - w / 2 : left[col] + w / 2 });
    });
    shown.update(moves);
  }
})();
"""
