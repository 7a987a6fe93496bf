"""The viewer page without a browser: what it shows, offline-ness, determinism, escaping, the CLI."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import DCTERMS, RDF, RDFS, Graph, Literal, URIRef

from practice_graph.cli import main
from practice_graph.core.namespaces import ID, OA, PG
from practice_graph.core.paths import NTRIPLES
from practice_graph.rdf.build import PROV
from practice_graph.rdf.shacl import ontology_graph
from practice_graph.sparql.store import oxigraph_store
from practice_graph.views import viewer as visualise
from tests.opaque import opaque_iris
from tests.synthetic import synthetic_graph

HOSTILE = "<img src=x onerror=alert(1)>"
HOSTILE_EN = '</script><script>window.pgPwned=1</script><a href="https://example.org">x</a>'


def nodes_json(page: str) -> list[dict]:
    """The node list embedded in the page (the JSON the page's vis DataSet is made from)."""
    match = re.search(r'<script type="application/json" id="pg-nodes">(.*?)</script>', page)
    assert match, "no node data in the page"
    return json.loads(match.group(1))


def edges_json(page: str) -> list[dict]:
    match = re.search(r'<script type="application/json" id="pg-edges">(.*?)</script>', page)
    assert match, "no edge data in the page"
    return json.loads(match.group(1))


def hostile_graph(graph: Graph, practice: URIRef = ID["p-1-1-1"]) -> Graph:
    """A copy of the graph with a region whose labels and quote are markup, quoted in and mentioned by ``practice``."""
    copy = Graph()
    for triple in graph:
        copy.add(triple)
    node, evidence, selector = ID["hostile"], ID["evidence/hostile"], ID["evidence/hostile/quote"]
    copy.add((node, RDF.type, PG.Region))
    copy.add((node, DCTERMS.identifier, Literal("hostile")))
    copy.add((node, RDFS.label, Literal(HOSTILE, lang="zh")))
    copy.add((node, RDFS.label, Literal(HOSTILE_EN, lang="en")))
    copy.add((node, PG.withinProvince, node))
    copy.add((node, PROV.wasDerivedFrom, evidence))
    copy.add((evidence, OA.hasSelector, selector))
    copy.add((evidence, PG.inPractice, practice))
    copy.add((selector, OA.exact, Literal(HOSTILE + " href")))
    copy.add((practice, PG.mentions, node))
    return copy


@pytest.fixture(scope="module")
def store(built):
    """The built graph in an embedded pyoxigraph store, as the viewer reads it."""
    return oxigraph_store(built.files[NTRIPLES])


@pytest.fixture(scope="module")
def data(store) -> visualise.ViewerData:
    return visualise.viewer_data(store)


@pytest.fixture(scope="module")
def page(data) -> str:
    return visualise.render_html(data)


# ---------------------------------------------------------------------------- what is shown
def test_one_node_per_entity_of_the_main_classes(built, data) -> None:
    graph = built.graph
    expected = {str(s) for t in visualise.NODE_TYPES for s in graph.subjects(RDF.type, PG[t.key])}
    assert {n.iri for n in data.nodes} == expected
    assert len(data.nodes) == len(expected)
    shown = {n.iri for n in data.nodes}
    for hidden_class in (PG.Evidence, PG.Participation, RDF.Statement, OA.TextQuoteSelector):
        assert not shown & {str(s) for s in graph.subjects(RDF.type, hidden_class)}, hidden_class
    # ids are the graph's dcterms:identifier
    assert all(n.record_id == str(graph.value(URIRef(n.iri), DCTERMS.identifier)) for n in data.nodes)


def test_every_participation_is_an_edge_labelled_by_its_role(built, data) -> None:
    graph = built.graph
    from practice_graph.core.namespaces import ORG

    memberships = list(graph.subjects(RDF.type, PG.Participation))
    pairs = {(e.source, e.target) for e in data.edges}
    for membership in memberships:
        assert (str(graph.value(membership, ORG.organization)), str(graph.value(membership, ORG.member))) in pairs
    # 市住房城乡建设局会同市人社局、市总工会 (p-3-3-2): the housing bureau, subject of 会同, convenes the
    # competition's organisation; no 牵头 or 主导 is written, so it does not lead (codebook ROLE-3).
    convener = [e for e in data.edges if e.source == str(ID["chengdu-skills-competition-organisation"])
                and e.target == str(ID["chengdu-housing"])]
    assert [e.en for e in convener] == ["Convener"]
    assert "市住房城乡建设局会同市人社局、市总工会" in convener[0].tooltip


def test_every_drawn_relation_is_in_the_graph(built, data) -> None:
    from practice_graph.core.namespaces import ORG

    graph = built.graph
    members = {(str(graph.value(m, ORG.organization)), str(graph.value(m, ORG.member)))
               for m in graph.subjects(RDF.type, PG.Participation)}
    for edge in data.edges:
        predicates = {p for p, names in visualise.RELATIONS.items() if names == (edge.zh, edge.en)}
        direct = any((URIRef(edge.source), URIRef(predicate), URIRef(edge.target)) in graph for predicate in predicates)
        assert direct or (edge.source, edge.target) in members, edge


def test_tooltip_has_both_labels_and_quotes_with_their_practice(data) -> None:
    # 1. 重庆市鼓励建筑企业培育“自有工人”。 (the heading of practice 1 under measure (一) of task 一)
    practice = next(n for n in data.nodes if n.record_id == "p-1-1-1")
    assert practice.zh == "重庆市鼓励建筑企业培育“自有工人”"
    lines = practice.tooltip.splitlines()
    assert lines[0] == practice.zh and lines[1] == practice.en
    assert "「重庆市鼓励建筑企业培育“自有工人”」" in lines
    assert any(line.strip().startswith("— 经验做法 Practice p-1-1-1") for line in lines)
    # 六是压责任，…在危大工程中全面推行自有工人施工: the city adopts own workers there, so that clause, not the
    # heading's 鼓励 (promotes), is the quote of the relation to the mechanism (codebook MU-3: adopts first)
    edge = next(e for e in data.edges if e.source == practice.iri and e.target == str(ID["enterprise-own-workers"]))
    assert edge.en == "uses mechanism" and "「在危大工程中全面推行自有工人施工」" in edge.tooltip


def test_tasks_and_provinces_come_from_the_graph(built, data) -> None:
    graph = built.graph
    assert [t.iri for t in data.tasks] == [str(t) for t in sorted(graph.subjects(RDF.type, PG.WorkTask),
                                                                  key=lambda t: int(graph.value(t, PG.number)))]
    assert {p.iri for p in data.provinces} == {str(p) for p in graph.objects(None, PG.withinProvince)}
    by_id = {n.record_id: n for n in data.nodes}
    # 1. 重庆市鼓励建筑企业培育“自有工人” sits under task 一, led by Chongqing
    assert by_id["p-1-1-1"].tasks == {str(ID["t-1"])}
    assert by_id["p-1-1-1"].provinces == {str(ID["chongqing"])}
    assert str(ID["henan"]) in by_id["henan-housing"].provinces
    assert all(node.tasks for node in data.nodes)


def test_names_match_the_ontology() -> None:
    ontology = ontology_graph()

    def label(term: URIRef, language: str) -> str:
        return next(str(v) for v in ontology.objects(URIRef(term), RDFS.label) if v.language == language)

    for node_type in visualise.NODE_TYPES:
        assert (node_type.zh, node_type.en) == (label(PG[node_type.key], "zh"), label(PG[node_type.key], "en"))
    for predicate, names in visualise.RELATIONS.items():
        if str(predicate).startswith(str(PG)):
            assert names == (label(predicate, "zh"), label(predicate, "en")), predicate


def test_iris_are_opaque_to_the_viewer(built, data) -> None:
    # The same triples with every record's IRI replaced by a hash: the same nodes, texts, edges and filters.
    opaque = visualise.viewer_data(oxigraph_store(opaque_iris(built.files[NTRIPLES])))

    def shown(view: visualise.ViewerData) -> tuple[list, list, list, list]:
        rid = {n.iri: n.record_id for n in view.nodes}
        nodes = sorted((n.record_id, n.type_key, n.zh, n.en, n.tooltip, sorted(rid[t] for t in n.tasks),
                        sorted(rid[p] for p in n.provinces)) for n in view.nodes)
        edges = sorted((rid[e.source], rid[e.target], e.zh, e.en, e.tooltip) for e in view.edges)
        return nodes, edges, [t.record_id for t in view.tasks], [p.record_id for p in view.provinces]

    assert shown(opaque) == shown(data)


# ---------------------------------------------------------------------------- selections
def test_select_focus_depth_types_task(data) -> None:
    henan = visualise.select(data, focus="henan", depth=1)
    ids = {n.record_id for n in henan.nodes}
    henan_iri, by_iri = str(ID["henan"]), {n.iri: n for n in data.nodes}
    neighbours = {e.target for e in data.edges if e.source == henan_iri} | {
        e.source for e in data.edges if e.target == henan_iri}
    assert ids == {"henan"} | {by_iri[n].record_id for n in neighbours}
    assert visualise.select(data, focus="河南省", depth=0).nodes[0].record_id == "henan"
    assert visualise.select(data, focus="Henan Province", depth=0).nodes[0].record_id == "henan"
    practices = visualise.select(data, types=["practice", "WorkTask"])
    assert {n.type_key for n in practices.nodes} == {"Practice", "WorkTask"}
    kept = {n.iri for n in practices.nodes}
    assert all(e.source in kept and e.target in kept for e in practices.edges)
    task_two = visualise.select(data, task="2")
    assert task_two.nodes and all(str(ID["t-2"]) in n.tasks for n in task_two.nodes)
    assert visualise.select(data, task="t-2").nodes == task_two.nodes


def test_select_refuses_unknown_names(data) -> None:
    with pytest.raises(visualise.SelectionError, match="--types: unknown node type 'Planet'"):
        visualise.select(data, types=["Planet"])
    with pytest.raises(visualise.SelectionError, match="--focus: no node"):
        visualise.select(data, focus="atlantis")
    with pytest.raises(visualise.SelectionError, match="--task: no work task"):
        visualise.select(data, task="t-9")


def test_focus_takes_short_names_and_suggests_close_ones(data) -> None:
    # data/regions.yaml: henan 河南省 Henan Province, aba 阿坝藏族羌族自治州, taizhou "Taizhou (Jiangsu)"
    for name in ("henan", "Henan", "河南", "河南省", "Henan Province", " henan province "):
        assert visualise.select(data, focus=name, depth=0).nodes[0].record_id == "henan", name
    assert visualise.select(data, focus="阿坝", depth=0).nodes[0].record_id == "aba"  # the only name starting so
    assert visualise.select(data, focus="Taizhou", depth=0).nodes[0].record_id == "taizhou"
    with pytest.raises(visualise.SelectionError) as miss:
        visualise.select(data, focus="Hennan")
    message = str(miss.value)
    assert "\n" not in message
    assert message.startswith("--focus: no node with id or name 'Hennan'; did you mean: henan (河南省 / Henan")
    # data/agencies.yaml: Foshan's and Neijiang's bureaus are both labelled 人社局
    with pytest.raises(visualise.SelectionError, match=r"2 nodes are named '人社局': foshan-hrss .*neijiang-hrss"):
        visualise.select(data, focus="人社局")
    assert visualise.select(data, focus="foshan-hrss", depth=0).nodes[0].record_id == "foshan-hrss"


def test_search_ranks_names_before_mentions(data) -> None:
    # "Henan" is the province's id and short name; practices and agencies only begin with it
    assert [n.record_id for n in visualise.find_nodes(data.nodes, "Henan")[:1]] == ["henan"]
    assert visualise.find_nodes(data.nodes, "河南")[0].record_id == "henan"
    found = visualise.find_nodes(data.nodes, "河南")
    assert "p-4-1-1" in {n.record_id for n in found}  # 河南省建立多方联动工作机制 comes later
    assert [n.type_key for n in found].index("Practice") > 0
    assert visualise.find_nodes(data.nodes, "Guangzhou")[0].record_id == "guangzhou"
    henan = next(n for n in data.nodes if n.record_id == "henan")
    assert (visualise.match_rank(henan, "HENAN"), visualise.match_rank(henan, "河南"),
            visualise.match_rank(henan, "Hen"), visualise.match_rank(henan, "Province"),
            visualise.match_rank(henan, "nan Prov"), visualise.match_rank(henan, "Hubei")) == (0, 1, 2, 3, 4, None)


def test_overview_is_the_list_outline_with_lead_regions(data) -> None:
    ids = {node.iri: f"n{i}" for i, node in enumerate(data.nodes)}
    by_id = {ids[node.iri]: node for node in data.nodes}
    outline = visualise.overview(data, ids)
    assert outline is not None
    columns = [[item for item in outline["nodes"] if item["col"] == col] for col in range(3)]
    assert [len(c) for c in columns] == [5, 16, 47]
    # the source's order: 一 (一) 1. 重庆市..., 2. 陕西省...; (二) 1. 河南省固始县...
    practices = [(by_id[item["id"]].record_id, item["zh"], item["en"]) for item in columns[2]]
    assert practices[:3] == [("p-1-1-1", "1. 重庆市", "1. Chongqing Municipality"),
                             ("p-1-1-2", "2. 陕西省", "2. Shaanxi Province"),
                             ("p-1-2-1", "1. 固始县", "1. Gushi County")]
    assert practices[-1] == ("p-5-2-2", "2. 佛山市", "2. Foshan")
    assert [by_id[item["id"]].record_id for item in columns[0]] == ["t-1", "t-2", "t-3", "t-4", "t-5"]
    parents = {by_id[item["id"]].record_id: by_id[item["parent"]].record_id for item in columns[1] + columns[2]}
    assert parents["m-1-2"] == "t-1" and parents["p-1-2-1"] == "m-1-2" and parents["p-5-2-2"] == "m-5-2"



def view_json(page: str) -> dict:
    match = re.search(r'<script type="application/json" id="pg-view-data">(.*?)</script>', page, re.DOTALL)
    assert match, "no view data in the page"
    return json.loads(match.group(1))


def test_the_whole_graph_opens_on_the_overview_a_selection_on_itself(data, page) -> None:
    assert view_json(page)["overview"]["nodes"]
    focused = visualise.render_html(visualise.select(data, focus="henan"))
    assert view_json(focused)["overview"] is None


# ---------------------------------------------------------------------------- the page
def test_page_is_offline_and_declares_utf8(page) -> None:
    assert page.startswith("<!DOCTYPE html>")
    assert '<meta charset="utf-8">' in page
    assert visualise.offline_problems(page) == []
    assert "bootstrap" not in page.lower()
    assert not re.search(r"<script[^>]*\bsrc\s*=", page, re.IGNORECASE)
    assert not re.search(r"<link\b", page, re.IGNORECASE)
    assert not re.search(r"""\b(?:src|href)\s*=\s*["']?(?:https?:)?//""", page, re.IGNORECASE)
    assert "Content-Security-Policy" in page and "default-src 'none'" in page


def test_offline_check_catches_remote_attributes() -> None:
    assert visualise.offline_problems('<script src="https://cdn.example/x.js"></script>')
    assert visualise.offline_problems("<link href='//cdn.example/x.css'>")
    assert visualise.offline_problems("<style>@import url('https://x/y.css')</style>")
    assert not visualise.offline_problems('var s = "https://example.org";')


def test_page_holds_the_computed_nodes_and_edges(data, page) -> None:
    nodes, edges = nodes_json(page), edges_json(page)
    assert len(nodes) == len(data.nodes) and len(edges) == len(data.edges)
    assert [n["id"] for n in nodes] == [f"n{i}" for i in range(len(nodes))]  # opaque ids
    assert [n["label"] for n in nodes] == [n.zh for n in data.nodes]
    assert [n["title"] for n in nodes] == [n.tooltip for n in data.nodes]
    page_id = {node.iri: page_node["id"] for node, page_node in zip(data.nodes, nodes, strict=True)}
    assert [(e["from"], e["to"], e["title"]) for e in edges] == [
        (page_id[e.source], page_id[e.target], e.tooltip) for e in data.edges]
    options = json.loads(re.search(r"var options = (\{.*?\});\n", page).group(1))
    assert options["physics"] == {"enabled": False}  # laid out in Python: the page draws at once


def test_every_node_has_a_position_laid_out_in_python(data, page) -> None:
    nodes = nodes_json(page)
    assert all(isinstance(n["x"], int) and isinstance(n["y"], int) for n in nodes)
    assert [(n["x"], n["y"]) for n in nodes] == visualise.layout(data)
    assert len({(n["x"], n["y"]) for n in nodes}) == len(nodes)  # no two nodes on one spot
    # room for labels: a node's nearest neighbour is rarely closer than a label is high
    positions = [(n["x"], n["y"]) for n in nodes]
    nearest = sorted(min((x - u) ** 2 + (y - v) ** 2 for j, (u, v) in enumerate(positions) if j != i) ** 0.5
                     for i, (x, y) in enumerate(positions))
    assert nearest[len(nearest) // 10] >= 20, nearest[:10]
    # a hub's neighbours sit around it, not on it: a work task's edges are longer than a label's height
    index = {node.iri: i for i, node in enumerate(data.nodes)}
    task = index[data.tasks[0].iri]
    ends = [index[e.target if index[e.source] == task else e.source] for e in data.edges if task in
            (index[e.source], index[e.target])]
    assert ends and min(((positions[task][0] - positions[e][0]) ** 2 + (positions[task][1] - positions[e][1]) ** 2)
                        ** 0.5 for e in ends) >= 20


def test_positions_are_the_same_in_another_process() -> None:
    pairs = [(i, (i * 7 + 3) % 300) for i in range(300)] + [(i, i + 1) for i in range(299)]
    script = ("import json, sys; from practice_graph.views.viewer import precomputed_positions, SMALL_LAYOUT; "
              "pairs = json.load(sys.stdin); print(json.dumps(precomputed_positions(300, [tuple(p) for p in pairs], "
              "settings=SMALL_LAYOUT)))")
    other = subprocess.run([sys.executable, "-c", script], input=json.dumps(pairs), capture_output=True,
                           text=True, check=True, env={**os.environ, "PYTHONHASHSEED": "123"})
    here = visualise.precomputed_positions(300, pairs, settings=visualise.SMALL_LAYOUT)
    assert [tuple(p) for p in json.loads(other.stdout)] == here
    assert len(set(here)) == 300


def test_close_pairs_are_every_pair_within_the_cutoff_in_order() -> None:
    import numpy as np
    from scipy.spatial import cKDTree

    # worked by hand: 0-1 are 1 apart, 0-3 exactly 2.5 (kept), 1-2 are 2; 0-2 are 3, 1-3 about 2.69, 2-3 about 3.9
    points = np.array([(0.0, 0.0), (1.0, 0.0), (3.0, 0.0), (0.0, 2.5)])
    assert visualise.close_pairs(points, 2.5).tolist() == [[0, 1], [0, 3], [1, 2]]
    assert visualise.close_pairs(points[:1], 2.5).shape == (0, 2)
    # the same pairs as scipy's k-d tree finds (the large graphs' search), sorted
    points = np.random.default_rng(3).random((250, 2)) * 30
    found = [tuple(pair) for pair in visualise.close_pairs(points, 6.0).tolist()]
    assert found == sorted(found) and len(found) > 1000
    assert set(found) == {tuple(pair) for pair in cKDTree(points).query_pairs(6.0)}


def test_small_layouts_do_not_import_scipy() -> None:
    # scipy takes about 0.5 s to import: a notebook's views (up to SWEEP_LIMIT nodes) go without it
    script = ("import sys; from practice_graph.views.viewer import precomputed_positions, SMALL_LAYOUT, SWEEP_LIMIT; "
              "pairs = [(i, (i * 7 + 3) % SWEEP_LIMIT) for i in range(SWEEP_LIMIT)]; "
              "assert len(set(precomputed_positions(SWEEP_LIMIT, pairs, settings=SMALL_LAYOUT))) == SWEEP_LIMIT; "
              "print('scipy' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_page_is_deterministic(built, page, tmp_path: Path) -> None:
    # the module's page (read from the store of the build's N-Triples) and, written by write_viewer, the
    # page of the same triples read from an rdflib Graph
    written = visualise.write_viewer(built.graph, tmp_path / "viewer" / visualise.VIEWER_FILE)
    assert written.read_bytes() == page.encode("utf-8")
    assert sorted(p.name for p in written.parent.iterdir()) == [visualise.VIEWER_FILE]  # no temporary left


def test_hostile_text_is_data_not_markup() -> None:
    # A small graph (the label is the point, not the size): 120 synthetic nodes, then the same with the hostile region.
    base = synthetic_graph(120)
    clean = visualise.render_html(visualise.viewer_data(base))
    page = visualise.render_html(visualise.viewer_data(hostile_graph(base, practice=ID["synthetic-practice-0"])))
    assert HOSTILE not in page and "<img" not in page
    for tag in ("<script", "</script", "<a ", "<img"):  # the data adds no element
        assert page.count(tag) == clean.count(tag), tag
    assert visualise.offline_problems(page) == []  # and no link to a host
    assert "popup.innerHTML" not in page  # pyvis's HTML tooltips stay off although a quote says href
    node = next(n for n in nodes_json(page) if n["label"] == HOSTILE)
    assert node["pgEn"] == HOSTILE_EN  # round-trips exactly: not HTML-escaped, so vis shows it as typed
    assert HOSTILE in node["title"] and "&lt;" not in node["title"]
    view = json.loads(re.search(r'id="pg-view-data">(.*?)</script>', page).group(1))
    assert {"zh": HOSTILE, "en": HOSTILE_EN, "rid": "hostile"} in view["provinces"]


def test_large_graphs_get_precomputed_positions_and_no_physics(large_viewer) -> None:
    data, page = large_viewer  # a synthetic graph's viewer data and page (conftest; the browser opens it too)
    assert data.large and len(data.nodes) == 1500
    nodes = nodes_json(page)
    assert all(isinstance(n["x"], int) and isinstance(n["y"], int) for n in nodes)
    assert len({(n["x"], n["y"]) for n in nodes}) > 1400
    options = json.loads(re.search(r"var options = (\{.*?\});\n", page).group(1))
    assert options["physics"] == {"enabled": False} and options["edges"]["smooth"] is False
    assert visualise.precomputed_positions(50, [(0, 1)]) == visualise.precomputed_positions(50, [(0, 1)])


def test_only_labels_that_may_be_too_wide_carry_the_width_constraint() -> None:
    # 14 px glyphs: 9 characters (at most 9 x 14 x 1.4 = 176 px) always fit in 180 px, 10 may not
    assert not visualise._label_may_exceed("部门117") and not visualise._label_may_exceed("九个字的名字九个字")
    assert visualise._label_may_exceed("十个字的名字十个字的") and visualise._label_may_exceed("Henan Province")
    page = visualise.render_html(visualise.viewer_data(synthetic_graph(120)))
    options = json.loads(re.search(r"var options = (\{.*?\});\n", page).group(1))
    assert "widthConstraint" not in options["nodes"]
    for node in nodes_json(page):
        constrained = node.get("widthConstraint") == {"maximum": 180}
        assert constrained == (len(node["label"]) > 9), node["label"]


def test_show_inline_wraps_the_page_in_srcdoc(data) -> None:
    shown = visualise.show_inline(data, focus="henan")  # the module's viewer data (test_api gives it a store)
    markup = shown.data
    assert markup.startswith('<div class="practice-graph-viewer"><iframe srcdoc="&lt;!DOCTYPE html&gt;')
    assert "<script" not in markup and '"' not in markup[markup.index('srcdoc="') + 8:markup.index('" style=')]


# ---------------------------------------------------------------------------- command line
def test_viz_command(seeded_cache: Path, tmp_path: Path) -> None:
    out = tmp_path / "viewer.html"
    result = CliRunner().invoke(main, ["viz", "--focus", "henan", "--depth", "1", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"wrote {out} (")
    assert visualise.offline_problems(out.read_text(encoding="utf-8")) == []
    result = CliRunner().invoke(main, ["viz", "--types", "Practice,Planet", "--out", str(tmp_path / "x.html")])
    assert result.exit_code == 2
    assert result.output.strip().splitlines()[-1].startswith("error: --types: unknown node type 'Planet'")
    assert not (tmp_path / "x.html").exists()


def test_viz_suggests_close_names_and_never_replaces_the_whole_viewer(seeded_cache: Path, tmp_path: Path,
                                                                      monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    miss = CliRunner().invoke(main, ["viz", "--focus", "Hennan"])
    assert miss.exit_code == 2
    assert miss.output.strip().splitlines() == [miss.output.strip()]  # one line
    assert miss.output.startswith("error: --focus: no node with id or name 'Hennan'; did you mean: henan (河南省")
    assert not (tmp_path / "dist").exists()
    whole = CliRunner().invoke(main, ["viz"])
    assert whole.exit_code == 0 and whole.output.startswith("wrote dist/practice-graph.html (")
    before = (tmp_path / "dist" / "practice-graph.html").read_bytes()
    focused = CliRunner().invoke(main, ["viz", "--focus", "河南", "--depth", "2"])
    assert focused.exit_code == 0 and focused.output.startswith("wrote dist/practice-graph-henan-depth2.html (")
    typed = CliRunner().invoke(main, ["viz", "--types", "Region,Practice", "--task", "3"])
    assert typed.output.startswith("wrote dist/practice-graph-practice-region-t-3.html (")
    assert (tmp_path / "dist" / "practice-graph.html").read_bytes() == before
