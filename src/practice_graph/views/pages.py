"""Entity pages: one page per node of the graph, read only through SPARQL view queries.

A page shows the node's Chinese and English labels and type, every fact about it as a table grouped
by relation (linked values, the quotes behind each fact with their practice and a link to that place
in the source reader), the facts that point at it, the participants of a joint arrangement, the
practices of a region and of the regions below it, the regions using a mechanism, and a small
neighbourhood graph drawn as inline SVG.

The graph is read through the view queries in ``views/queries/page-*.rq`` on the embedded
pyoxigraph store; identifiers come from ``dcterms:identifier``, offsets from ``oa:start`` and
``oa:end``. No IRI is ever taken apart.
"""

from __future__ import annotations

import hashlib
import math
import posixpath
import re
from collections import defaultdict
from dataclasses import dataclass, field
from importlib.resources import files
from typing import Any
from urllib.parse import quote as url_quote

import pyoxigraph as ox

from practice_graph.core.namespaces import PG, PREFIXES
from practice_graph.sparql.store import oxigraph_store
from practice_graph.views.html import bilingual, page, relative, table, text

QUERIES = files("practice_graph.views").joinpath("queries")
STATIC = files("practice_graph.views").joinpath("static")
LABELS_GRAPH = ox.NamedNode("urn:x-practice-graph:term-labels")  # ontology and vocabulary labels, apart
SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*(?:/[A-Za-z0-9][A-Za-z0-9_-]*)*")
NEIGHBOURS_SHOWN = 24
OTHER_COLOUR = "#78909c"

# The colour of each class of the ontology (the viewer's palette), keyed by the class IRI.
TYPE_COLOURS = {
    PG.WorkTask: "#c62828", PG.Measure: "#ef6c00", PG.Practice: "#1565c0", PG.Region: "#2e7d32",
    PG.Agency: "#6a1b9a", PG.Organization: "#8d6e63", PG.Platform: "#00838f", PG.PolicyDocument: "#546e7a",
    PG.Brand: "#d81b60", PG.Event: "#9e9d24", PG.Indicator: "#607d8b", PG.Mechanism: "#43a047",
    PG.MechanismCategory: "#1b5e20", PG.JointArrangement: "#c2185b", PG.SourceDocument: "#37474f",
}
COLOURS = {str(ox.NamedNode(str(term))): colour for term, colour in TYPE_COLOURS.items()}
PG_LEAD = ox.NamedNode(str(PG.leadRegion))
PRACTICE = ox.NamedNode(str(PG.Practice))


def read_query(name: str) -> str:
    """The text of a view query shipped in ``views/queries``."""
    return QUERIES.joinpath(name).read_text(encoding="utf-8")


def pages_store(ntriples: bytes, ontology_turtle: bytes | None = None) -> ox.Store:
    """A store holding the graph, with the ontology's and reused vocabularies' labels in a graph apart."""
    store = oxigraph_store(ntriples)
    vocabulary = STATIC.joinpath("vocabulary-labels.ttl").read_bytes()
    for turtle in (ontology_turtle, vocabulary):
        if turtle:
            store.load(turtle, format=ox.RdfFormat.TURTLE, to_graph=LABELS_GRAPH)
    return store


def select(store: ox.Store, name: str, **bound: Any) -> list[dict[str, Any]]:
    """Rows of a view query as dicts of pyoxigraph terms (None when unbound); labels graph included."""
    substitutions = {ox.Variable(key): value for key, value in bound.items()}
    solutions = store.query(read_query(name), substitutions=substitutions, use_default_graph_as_union=True)
    assert isinstance(solutions, ox.QuerySolutions), f"view {name} is not a SELECT"
    names = [variable.value for variable in solutions.variables]
    return [dict(zip(names, solution, strict=True)) for solution in solutions]  # (a solution iterates its values)


def value_of(term: Any) -> str:
    return "" if term is None else term.value


def sort_key(term: Any) -> str:
    return "" if term is None else str(term)


# --------------------------------------------------------------------------- the graph, as pages see it


@dataclass
class Node:
    """A node with an identifier: one page."""

    term: Any
    id: str
    zh: str = ""
    en: str = ""
    types: list[Any] = field(default_factory=list)
    type: Any = None

    @property
    def label(self) -> str:
        return self.zh or self.en or self.id

    @property
    def path(self) -> str:
        """The page's path in the site (``id/henan.html``); ids that could escape the folder are hashed."""
        if SAFE_ID.fullmatch(self.id):
            return f"id/{self.id}.html"
        return f"id/_/{hashlib.sha256(self.id.encode('utf-8')).hexdigest()[:16]}.html"


@dataclass(frozen=True)
class Quote:
    """A verbatim quote of the source, where it stands, and the practice it comes from."""

    exact: str
    start: int | None
    end: int | None
    practice: Any = None

    @property
    def anchor(self) -> str | None:
        """The quote's anchor in the source reader, from its offsets."""
        return None if self.start is None or self.end is None else f"q-{self.start}-{self.end}"

    def key(self) -> tuple[int, int, str]:
        return (self.start if self.start is not None else -1, self.end or -1, self.exact)


@dataclass(frozen=True)
class Participation:
    """A participant's part in a joint arrangement."""

    arrangement: Any
    member: Any
    role: Any
    quotes: tuple[Quote, ...]


@dataclass
class Term:
    """A class or relation, named in both languages."""

    zh: str = ""
    en: str = ""
    definition: str = ""
    ontology_class: bool = False


@dataclass
class GraphView:
    """Everything the pages show, read once from the store through the view queries."""

    nodes: dict[Any, Node]
    terms: dict[Any, Term]
    facts: dict[Any, list[tuple[Any, Any]]]
    incoming: dict[Any, list[tuple[Any, Any]]]
    quotes: dict[Any, list[Quote]]
    fact_quotes: dict[tuple[Any, Any, Any], list[Quote]]
    participations: dict[Any, list[Participation]]
    memberships: dict[Any, list[Participation]]
    rollup: dict[Any, list[tuple[Any, Any]]]
    mechanism_regions: dict[Any, list[tuple[Any, Any]]]
    by_id: dict[str, Node] = field(default_factory=dict)
    # links to nodes' pages, made once per folder of the linking page: (folder, term, both) -> markup
    links: dict[tuple[str, Any, bool], str] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.by_id = {node.id: node for node in self.nodes.values()}

    def term(self, term: Any) -> Term:
        return self.terms.get(term) or Term(en=value_of(term))

    def ordered(self, terms: Any) -> list[Any]:
        """Nodes first by type, then by id; other terms after them."""
        return sorted(terms, key=lambda t: (t not in self.nodes, self.type_name(t), self.nodes[t].id
                                            if t in self.nodes else sort_key(t)))

    def type_name(self, term: Any) -> str:
        node = self.nodes.get(term)
        return self.term(node.type).en if node is not None and node.type is not None else ""


def read_view(store: ox.Store) -> GraphView:
    """Read every view query once and index the answers by node."""
    terms: dict[Any, Term] = {}
    for row in select(store, "page-terms.rq"):
        term = terms.setdefault(row["term"], Term())
        term.zh = min(filter(None, (term.zh, value_of(row["zh"]))), default="")
        term.en = min(filter(None, (term.en, value_of(row["en"]))), default="")
        term.definition = min(filter(None, (term.definition, value_of(row["definition"]))), default="")
        term.ontology_class = term.ontology_class or value_of(row["ontologyClass"]) == "true"

    nodes: dict[Any, Node] = {}
    for row in select(store, "page-nodes.rq"):
        node = nodes.get(row["node"])
        if node is None:
            node = nodes[row["node"]] = Node(row["node"], value_of(row["id"]))
        node.id = min(node.id, value_of(row["id"]))
        node.zh = min(filter(None, (node.zh, value_of(row["zh"]))), default="")
        node.en = min(filter(None, (node.en, value_of(row["en"]))), default="")
        if row["type"] is not None and row["type"] not in node.types:
            node.types.append(row["type"])
    for node in nodes.values():
        node.types.sort(key=lambda t: (not terms.get(t, Term()).ontology_class, not terms.get(t, Term()).en,
                                       terms.get(t, Term()).en, str(t)))
        node.type = node.types[0] if node.types else None

    facts: dict[Any, list[tuple[Any, Any]]] = defaultdict(list)
    incoming: dict[Any, list[tuple[Any, Any]]] = defaultdict(list)
    for row in select(store, "page-facts.rq"):
        facts[row["subject"]].append((row["predicate"], row["value"]))
        if row["value"] in nodes and row["value"] != row["subject"]:
            incoming[row["value"]].append((row["predicate"], row["subject"]))

    quotes: dict[Any, list[Quote]] = defaultdict(list)
    for row in select(store, "page-quotes.rq"):
        start, end = row["start"], row["end"]
        quote = Quote(value_of(row["exact"]), int(start.value) if start is not None else None,
                      int(end.value) if end is not None else None, row["practice"])
        if quote not in quotes[row["cited"]]:
            quotes[row["cited"]].append(quote)
    for cited in quotes.values():
        cited.sort(key=Quote.key)

    fact_quotes: dict[tuple[Any, Any, Any], list[Quote]] = defaultdict(list)
    for row in select(store, "page-statements.rq"):
        fact_quotes[(row["subject"], row["predicate"], row["value"])].extend(quotes.get(row["statement"], []))

    participations: dict[Any, list[Participation]] = defaultdict(list)
    memberships: dict[Any, list[Participation]] = defaultdict(list)
    for row in select(store, "page-participations.rq"):
        part = Participation(row["arrangement"], row["member"], row["role"],
                             tuple(quotes.get(row["participation"], [])))
        participations[row["arrangement"]].append(part)
        memberships[row["member"]].append(part)

    rollup: dict[Any, list[tuple[Any, Any]]] = defaultdict(list)
    for row in select(store, "page-rollup.rq"):
        rollup[row["region"]].append((row["practice"], row["lead"]))
    mechanism_regions: dict[Any, list[tuple[Any, Any]]] = defaultdict(list)
    for row in select(store, "page-mechanism-regions.rq"):
        mechanism_regions[row["mechanism"]].append((row["region"], row["practice"]))

    view = GraphView(nodes, terms, dict(facts), dict(incoming), dict(quotes), dict(fact_quotes),
                     dict(participations), dict(memberships), dict(rollup), dict(mechanism_regions))
    id_of = {term: node.id for term, node in nodes.items()}

    def by_node(term: Any) -> tuple[str, str]:
        return (id_of.get(term, ""), sort_key(term))

    for listing in (view.facts, view.incoming):
        for key in listing:
            listing[key] = sorted(set(listing[key]), key=lambda pair: (view.term(pair[0]).en, *by_node(pair[1])))
    for key, found in view.fact_quotes.items():
        view.fact_quotes[key] = sorted(set(found), key=Quote.key)
    for mapping in (view.participations, view.memberships):
        for key in mapping:
            mapping[key].sort(key=lambda p: (by_node(p.arrangement), by_node(p.member)))
    for pairs in (view.rollup, view.mechanism_regions):
        for key in pairs:
            pairs[key] = sorted(set(pairs[key]), key=lambda pair: (by_node(pair[0]), by_node(pair[1])))
    return view


# --------------------------------------------------------------------------- pieces of a page


def type_badge(view: GraphView, type_term: Any) -> str:
    term = view.term(type_term)
    colour = COLOURS.get(str(type_term), OTHER_COLOUR)
    return f'<span class="type" style="background:{colour}">{text(term.zh or term.en)} · {text(term.en)}</span>'


def node_link(view: GraphView, from_path: str, term: Any, *, both: bool = True) -> str:
    """A link to a node's page showing its labels, or the term as text when it has no page."""
    node = view.nodes.get(term)
    if node is None:
        if isinstance(term, ox.Literal):
            language = term.language
            attribute = f' lang="{text(language)}"' if language else ""
            return f"<span{attribute}>{text(term.value)}</span>"
        return f"<code>{text(value_of(term))}</code>"
    key = (posixpath.dirname(from_path), term, both)
    link = view.links.get(key)
    if link is None:
        labels = bilingual(node.zh or node.id, node.en) if both else text(node.label)
        link = view.links[key] = f'<a class="value" href="{page_href(from_path, node)}">{labels}</a>'
    return link


def page_href(from_path: str, node: Node) -> str:
    """The escaped link from a page to a node's page."""
    return text(url_quote(relative(from_path, node.path), safe="/#:."))


def relation_name(view: GraphView, predicate: Any) -> str:
    term = view.term(predicate)
    return bilingual(term.zh, term.en or value_of(predicate))


def quote_items(view: GraphView, from_path: str, quotes: list[Quote] | tuple[Quote, ...]) -> str:
    """The quotes as a list: the text, its practice, and a link to that place in the source reader."""
    if not quotes:
        return ""
    items = []
    for quote in quotes:
        parts = [f'<q lang="zh">{text(quote.exact)}</q>']
        if quote.practice is not None and quote.practice in view.nodes:
            parts.append(f"— {node_link(view, from_path, quote.practice, both=False)}")
        if quote.anchor:
            href = text(relative(from_path, f"source.html#{quote.anchor}"))
            parts.append(f'<a href="{href}" title="{text(f"offsets {quote.start}-{quote.end}")}">原文 · in source</a>')
        items.append(f"<li>{' '.join(parts)}</li>")
    return f'<ul class="quotes">{"".join(items)}</ul>'


def facts_section(view: GraphView, node: Node) -> str:
    grouped: dict[Any, list[Any]] = defaultdict(list)
    for predicate, value in view.facts.get(node.term, []):
        grouped[predicate].append(value)
    if not grouped:
        return ""
    rows = []
    for predicate, values in grouped.items():
        cells = []
        for value in values:
            quotes = view.fact_quotes.get((node.term, predicate, value)) or [
                # a practice's mention of an entry: the entry's quotes from that practice
                quote for quote in view.quotes.get(value, []) if quote.practice == node.term]
            cells.append(f"<li>{node_link(view, node.path, value)}{quote_items(view, node.path, quotes)}</li>")
        rows.append((relation_name(view, predicate), f'<ul class="values">{"".join(cells)}</ul>'))
    return ('<h2>事实 <span class="en">Facts</span></h2>\n'
            + table(["关系 · Relation", "值与出处 · Values and their quotes"], rows, "facts"))


def incoming_section(view: GraphView, node: Node) -> str:
    grouped: dict[Any, list[Any]] = defaultdict(list)
    for predicate, subject in view.incoming.get(node.term, []):
        grouped[predicate].append(subject)
    if not grouped:
        return ""
    rows = []
    for predicate, subjects in grouped.items():
        links = "".join(f"<li>{node_link(view, node.path, subject)}</li>" for subject in subjects)
        rows.append((relation_name(view, predicate), f"{len(subjects)}", f'<ul class="values">{links}</ul>'))
    return ('<h2>指向本条目的关系 <span class="en">Incoming relations</span></h2>\n'
            + table(["关系 · Relation", "数量 · Count", "来自 · From"], rows, "incoming"))


def quotes_section(view: GraphView, node: Node) -> str:
    quotes = view.quotes.get(node.term, [])
    if not quotes:
        return ""
    return ('<h2>出处 <span class="en">Quotes behind this entry</span></h2>\n'
            + quote_items(view, node.path, quotes))


def participants_section(view: GraphView, node: Node) -> str:
    parts = view.participations.get(node.term, [])
    if not parts:
        return ""
    rows = []
    for part in parts:
        member = view.nodes.get(part.member)
        kind = type_badge(view, member.type) if member is not None and member.type is not None else ""
        role = node_link(view, node.path, part.role) if part.role is not None else '<span class="muted">—</span>'
        rows.append((node_link(view, node.path, part.member), kind, role, quote_items(view, node.path, part.quotes)))
    return ('<h2>参与方与角色 <span class="en">Participants and roles</span></h2>\n'
            + table(["参与方 · Participant", "类型 · Type", "角色 · Role", "出处 · Quote"], rows, "participants"))


def memberships_section(view: GraphView, node: Node) -> str:
    parts = view.memberships.get(node.term, [])
    if not parts:
        return ""
    rows = []
    for part in parts:
        role = node_link(view, node.path, part.role) if part.role is not None else '<span class="muted">—</span>'
        rows.append((node_link(view, node.path, part.arrangement), role, quote_items(view, node.path, part.quotes)))
    return ('<h2>参与的联合安排 <span class="en">Joint arrangements taken part in</span></h2>\n'
            + table(["联合安排 · Arrangement", "角色 · Role", "出处 · Quote"], rows, "memberships"))


def region_section(view: GraphView, node: Node) -> str:
    led = sorted({subject for predicate, subject in view.incoming.get(node.term, []) if predicate == PG_LEAD},
                 key=lambda term: view.nodes[term].id)
    below = view.rollup.get(node.term, [])
    if not led and not below:
        return ""
    rows = [(node_link(view, node.path, practice), node_link(view, node.path, node.term)) for practice in led]
    rows += [(node_link(view, node.path, practice), node_link(view, node.path, lead)) for practice, lead in below]
    total = len(set(led) | {practice for practice, _ in below})
    summary = (f'<p>本地区牵头 {len(led)} 项，下级地区牵头 {len(below)} 项，合计 {total} 项。'
               f' <span class="en">{len(led)} practice(s) led here, {len(below)} by regions below, '
               f"{total} in all.</span></p>")
    return ('<h2>经验做法（含下级地区） <span class="en">Practices, with those of the regions below</span></h2>\n'
            + summary + table(["经验做法 · Practice", "牵头地区 · Lead region"], rows, "rollup"))


def mechanism_section(view: GraphView, node: Node) -> str:
    pairs = view.mechanism_regions.get(node.term, [])
    if not pairs:
        return ""
    by_region: dict[Any, list[Any]] = defaultdict(list)
    for region, practice in pairs:
        by_region[region].append(practice)
    rows = [(node_link(view, node.path, region),
             " ".join(node_link(view, node.path, practice, both=False) for practice in practices))
            for region, practices in by_region.items()]
    return (f'<h2>采用地区 <span class="en">Regions using it</span> ({len(by_region)})</h2>\n'
            + table(["地区 · Region", "经验做法 · Practices"], rows, "mechanism-regions"))


# --------------------------------------------------------------------------- the neighbourhood graph


def neighbours(view: GraphView, node: Node) -> list[tuple[Any, str]]:
    """The nodes linked to this one (out, in, through participations), each with how it is linked."""
    found: dict[Any, list[str]] = defaultdict(list)
    for predicate, value in view.facts.get(node.term, []):
        if value in view.nodes and value != node.term:
            found[value].append(f"→ {view.term(predicate).en or value_of(predicate)}")
    for predicate, subject in view.incoming.get(node.term, []):
        found[subject].append(f"← {view.term(predicate).en or value_of(predicate)}")
    for part in view.participations.get(node.term, []):
        if part.member in view.nodes:
            found[part.member].append("→ participant")
    for part in view.memberships.get(node.term, []):
        if part.arrangement in view.nodes:
            found[part.arrangement].append("← participant")
    outgoing = [term for term, how in found.items() if any(h.startswith("→") for h in how)]
    ordered = view.ordered(outgoing) + view.ordered(term for term in found if term not in outgoing)
    return [(term, "; ".join(sorted(set(found[term])))) for term in ordered]


def shorten(label: str, limit: int = 12) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def neighbourhood_svg(view: GraphView, node: Node) -> str:
    """The node and its neighbours on a circle, in a fixed order: the same drawing every time."""
    linked = neighbours(view, node)
    if not linked:
        return ""
    shown, hidden = linked[:NEIGHBOURS_SHOWN], len(linked) - NEIGHBOURS_SHOWN
    width, height = 820, 470
    cx, cy, rx, ry = width / 2, height / 2, 230, 175
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
             f'height="{height}" role="img" aria-label="neighbourhood graph" class="neighbourhood">']
    points = []
    for index, (term, how) in enumerate(shown):
        angle = -math.pi / 2 + 2 * math.pi * index / len(shown)
        x, y = cx + rx * math.cos(angle), cy + ry * math.sin(angle)
        points.append((term, how, round(x, 1), round(y, 1)))
        parts.append(f'<line x1="{cx}" y1="{cy}" x2="{x:.1f}" y2="{y:.1f}" stroke="#b0bec5" stroke-width="1.2">'
                     f"<title>{text(how)}</title></line>")
    for term, how, x, y in points:
        other = view.nodes[term]
        colour = COLOURS.get(str(other.type), OTHER_COLOUR)
        href = page_href(node.path, other)
        anchor = "start" if x > cx + 5 else "end" if x < cx - 5 else "middle"
        dx = 9 if anchor == "start" else -9 if anchor == "end" else 0
        dy = 4 if anchor != "middle" else (-11 if y < cy else 18)
        tip = f"{other.zh} {other.en} ({how})"
        parts.append(f'<a href="{href}"><title>{text(tip)}</title>'
                     f'<circle cx="{x}" cy="{y}" r="7" fill="{colour}"/>'
                     f'<text x="{x + dx}" y="{y + dy}" text-anchor="{anchor}" font-size="12">'
                     f"{text(shorten(other.label))}</text></a>")
    colour = COLOURS.get(str(node.type), OTHER_COLOUR)
    parts.append(f'<circle cx="{cx}" cy="{cy}" r="12" fill="{colour}" stroke="#263238" stroke-width="2"/>'
                 f'<text x="{cx}" y="{cy + 30}" text-anchor="middle" font-size="14" font-weight="700">'
                 f"{text(shorten(node.label, 18))}</text>")
    parts.append("</svg>")
    more = (f'<p class="muted">另有 {hidden} 个相邻条目见上表。 <span class="en">{hidden} more neighbours are '
            "listed in the tables above.</span></p>") if hidden > 0 else ""
    return ('<h2>邻域 <span class="en">Neighbourhood</span></h2>\n'
            '<p class="muted">点击节点打开其页面；悬停显示关系。 <span class="en">Click a node to open its page; '
            "hover for the relation.</span></p>\n" + "".join(parts) + more)


# --------------------------------------------------------------------------- the page


def entity_body(view: GraphView, node: Node, *, rdf_links: bool = False) -> str:
    types = " ".join(type_badge(view, type_term) for type_term in node.types)
    header = [f"<h1>{bilingual(node.zh or node.id, node.en)}</h1>",
              f'<p>{types} <span class="muted">id</span> <code>{text(node.id)}</code></p>',
              f'<p class="muted">IRI <code>{text(value_of(node.term))}</code></p>']
    if rdf_links:
        stem = node.path.removesuffix(".html")
        links = " · ".join(f'<a href="{text(relative(node.path, f"{stem}.{extension}"))}">{name}</a>'
                           for extension, name in (("ttl", "Turtle"), ("nt", "N-Triples"), ("jsonld", "JSON-LD")))
        header.append(f'<p class="muted">RDF: {links}</p>')
    if PRACTICE in node.types:
        href = text(relative(node.path, f"source.html#practice-{node.id}"))
        header.append(f'<p><a href="{href}">在原文中阅读 · Read it in the source</a></p>')
    sections = [
        "\n".join(header),
        participants_section(view, node),
        region_section(view, node),
        mechanism_section(view, node),
        facts_section(view, node),
        quotes_section(view, node),
        memberships_section(view, node),
        incoming_section(view, node),
        neighbourhood_svg(view, node),
    ]
    return "\n".join(section for section in sections if section)


def render_entity(view: GraphView, node: Node, *, rdf_links: bool = False) -> bytes:
    """The HTML page of one node."""
    type_en = view.term(node.type).en if node.type is not None else ""
    return page(node.path, node.zh or node.id, node.en or type_en, entity_body(view, node, rdf_links=rdf_links))


# --------------------------------------------------------------------------- RDF for one node

RDF_FORMATS = {
    "ttl": (ox.RdfFormat.TURTLE, "text/turtle"),
    "nt": (ox.RdfFormat.N_TRIPLES, "application/n-triples"),
    "jsonld": (ox.RdfFormat.JSON_LD, "application/ld+json"),
}


def describe(store: ox.Store, term: Any, extension: str) -> bytes:
    """The node's RDF (a DESCRIBE-like CONSTRUCT) in a format named by its file extension, sorted."""
    rdf_format, _ = RDF_FORMATS[extension]
    # pyoxigraph joins substitutions after evaluating the pattern (a BIND inside it does not see them), so
    # the node is bound by a VALUES clause of its serialised, escaped term instead.
    query = f"{read_query('page-describe.rq').rstrip()}\nVALUES ?node {{ {term} }}\n"
    triples = store.query(query)
    assert isinstance(triples, ox.QueryTriples), "page-describe.rq is not a CONSTRUCT"
    ordered = sorted(set(triples), key=str)
    prefixes = {prefix: str(namespace) for prefix, namespace in PREFIXES.items()}
    if rdf_format == ox.RdfFormat.N_TRIPLES:
        body = ox.serialize(ordered, format=rdf_format)
    else:
        body = ox.serialize(ordered, format=rdf_format, prefixes=prefixes)
    assert body is not None  # no output stream given: the bytes are returned
    return body
