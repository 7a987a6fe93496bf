"""The analysis stage: facts read off the source by a person (each cites its sentence), traceability,
determinism, Chinese glyphs in the charts, and the ``analyze`` command."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph

from practice_graph.cli import main
from practice_graph.core.paths import NTRIPLES
from practice_graph.sparql.store import oxigraph_store
from practice_graph.views import analysis, charts, instruments, read
from practice_graph.views.report import md, render_analysis, write_analysis
from tests.opaque import opaque_iris

HOUSING = "department-types/housing"
HRSS = "department-types/hrss"
TRADE_UNION = "department-types/trade-union"
COURT = "department-types/court"
FINANCE = "department-types/finance"
TAX = "department-types/tax"


@pytest.fixture(scope="module")
def graph(built) -> Graph:
    return built.graph


@pytest.fixture(scope="module")
def store(built):
    """The built graph in an embedded pyoxigraph store, as the analysis reads it."""
    return oxigraph_store(built.files[NTRIPLES])


@pytest.fixture(scope="module")
def data(store) -> analysis.PracticeData:
    return analysis.read_practice_data(store)


@pytest.fixture(scope="module")
def rendered(rendered_analysis) -> dict[str, bytes]:
    return rendered_analysis  # the session's render of the built graph's analysis (conftest)


# ------------------------------------------------------------------------------ facts from the source
def test_housing_hrss_and_trade_union_act_together(data) -> None:
    # 重庆 一(一)1 "加强住房城乡建设、发展改革、人力资源社会保障、总工会等部门联动";
    # 成都 三(三)2 "市住房城乡建设局会同市人社局、市总工会";
    # 内江 三(三)3 "市住房城乡建设局联合人社局、总工会、建筑业协会";
    # 广州 四(一)2 "市住房城乡建设局联合人社、工会等职能部门".
    together = analysis.arrangements_with(data, [HOUSING, HRSS, TRADE_UNION])
    assert {a.region for a in together} == {"chongqing", "chengdu", "neijiang", "guangzhou"}
    assert {a.practice for a in together} == {"p-1-1-1", "p-3-3-2", "p-3-3-3", "p-4-1-2"}
    combination = next(c for c in analysis.recurring_combinations(data) if c.kinds == (HOUSING, HRSS, TRADE_UNION))
    assert combination.regions == ("chengdu", "chongqing", "guangzhou", "neijiang")
    assert combination.support == 4


def test_lead_of_henan_coordination_mechanism(data) -> None:
    # 河南 四(一)1 "建立人社部门牵头、住房城乡建设部门负责实施、财政和税务等部门提供政策支持的协同推进机制"
    mechanism = next(a for a in data.arrangements.values()
                     if a.region == "henan" and "人社部门牵头" in a.label.zh)
    assert mechanism.practice == "p-4-1-1"
    assert mechanism.lead_kinds == (HRSS,)
    leads = analysis.lead_of(data, mechanism.id)
    assert [q.text for lead in leads for q in lead.quotes] == ["人社部门牵头"]
    roles = {p.kind: p.role for p in mechanism.participants}
    assert roles[HOUSING] == "implement" and roles[FINANCE] == "support" and roles[TAX] == "support"
    assert {FINANCE, HOUSING, HRSS, TAX} <= set(mechanism.kinds)


def test_province_roll_up_henan_and_sichuan(data) -> None:
    # Read off the headings of the practices led by Henan and its cities and counties:
    # 一(二)1 "河南省固始县大力发展专业作业企业"; 二(二)2 "河南省平顶山市强化项目管理人员到岗履职监督";
    # 三(一)1 "河南省林州市不断推动建筑产业工人培育基地建设"; 三(二)2 "河南省漯河市双随机巡查技能工人配备情况";
    # 四(一)1 "河南省建立多方联动工作机制"; 四(一)4 "河南省固始县一体推进建筑劳务企业培育和建筑工人技能提升";
    # 四(二)2 "河南省实行“一试双证”".
    rollups = {r.region: r for r in analysis.province_rollups(data)}
    henan = rollups["henan"]
    assert henan.practices == ("p-1-2-1", "p-2-2-2", "p-3-1-1", "p-3-2-2", "p-4-1-1", "p-4-1-4", "p-4-2-2")
    assert henan.own == ("p-4-1-1", "p-4-2-2")
    assert henan.by_region["gushi"] == ("p-1-2-1", "p-4-1-4")
    # 四川: 一(三)3 "四川省叙永县..."; 三(一)2 "四川省自贡市..."; 三(三)2 "四川省成都市举办职业技能人才大赛";
    # 三(三)3 "四川省内江市常态化举办职业技能大赛"; 四(一)3 "四川省内江市多部门共同打造“甜都建工”特色劳务品牌".
    assert len(rollups["sichuan"].practices) == 5
    assert rollups["sichuan"].by_region["neijiang"] == ("p-3-3-3", "p-4-1-3")
    # A county's practices also count for its prefecture: 固始县 belongs to 信阳市 (not named in the list).
    prefecture = {r.region: r for r in analysis.region_rollups(data)}[data.regions["gushi"].parent]
    assert prefecture.practices == ("p-1-2-1", "p-4-1-4")


def test_court_arrangements_share_a_combination_with_the_region(data) -> None:
    # 福建 五(一)1 "与省高院建立住房城乡建设领域执法司法联动制度" and 江西 五(二)1 "与各级法院、仲裁机构建立“诉调对接”
    # “裁调对接”联动机制": neither clause has a subject, so the court's partner is the practice region itself,
    # not an assumed housing department (codebook GEN-3, JA-5).
    combination = next(c for c in analysis.recurring_combinations(data) if c.kinds == (COURT, analysis.REGION_KIND))
    assert set(combination.regions) == {"fujian", "jiangxi"}
    # 佛山 五(二)2 "由市中院、住房城乡建设局、人社局和市建筑业协会联合设立": the only court with a housing bureau.
    network = analysis.co_participation_graph(data)
    assert network.edges[COURT, HOUSING]["regions"].split(";") == ["foshan"]


def test_housing_and_hrss_co_participate(data) -> None:
    # 重庆 一(一)1, 成都 三(三)2, 内江 三(三)3, 广州 四(一)2 (above); 河南 四(一)1 "人社部门牵头、住房城乡建设部门
    # 负责实施"; 河南 四(二)2 "省住房城乡建设厅、人社厅联合印发"; 佛山 五(二)2 "由市中院、住房城乡建设局、人社局…";
    # 芜湖 五(一)3 "住房城乡建设、人社部门根据预警信息督促项目责任单位限期整改".
    network = analysis.co_participation_graph(data)
    edge = network.edges[HOUSING, HRSS]
    regions = set(edge["regions"].split(";"))
    assert {"chongqing", "chengdu", "neijiang", "guangzhou", "henan", "foshan", "wuhu"} <= regions
    assert edge["weight"] == len(edge["arrangements"].split(";"))
    region_kinds = analysis.region_kind_graph(data)
    assert region_kinds.has_edge("wuhu", HRSS) and region_kinds.has_edge("wuhu", HOUSING)


def test_typed_multigraph_keeps_types_and_relations(store) -> None:
    # 四(一)1 "河南省建立多方联动工作机制": the practice is led by Henan.
    multigraph = analysis.typed_multigraph(store)
    practice, henan = str(analysis.ID["p-4-1-1"]), str(analysis.ID["henan"])
    assert multigraph.nodes[henan]["type"] == "pg:Region"
    assert multigraph.nodes[henan]["label_zh"] == "河南省"
    assert multigraph.has_edge(practice, henan, key="pg:leadRegion")
    assert not any(data["type"] == "pg:Evidence" for _, data in multigraph.nodes(data=True))
    with_provenance = analysis.typed_multigraph(store, provenance=True)
    assert with_provenance.number_of_nodes() > multigraph.number_of_nodes()


def test_ids_numbers_and_offsets_come_from_the_graph(data, source_text) -> None:
    # 四(一)1 "河南省建立多方联动工作机制": task 四, measure (一), practice 1 (pg:number), led by 河南省, a province.
    practice = data.practices["p-4-1-1"]
    assert (practice.ref, practice.numbers, practice.region) == ("四(一)1", (4, 1, 1), "henan")
    assert data.regions["henan"].level == "province" and data.regions["henan"].province == "henan"
    # 河南省固始县: a county whose province-level unit is 河南省
    assert data.regions["gushi"].level == "county" and data.regions["gushi"].province == "henan"
    # "建立人社部门牵头…的协同推进机制": a coordination mechanism whose lead role is 牵头
    assert data.arrangements["henan-coordination-mechanism"].kind == "coordination-mechanism"
    assert data.roles["lead"].zh == "牵头"
    quote = next(q for q in practice.quotes if q.text == "河南省建立多方联动工作机制")
    assert source_text[quote.start:quote.end] == quote.text


@pytest.mark.slow  # a second analysis drawn, charts included: about 15 s
def test_iris_are_opaque_to_the_analysis(built, data, rendered) -> None:
    # The same triples with every record's IRI replaced by a hash: the same data and the same files
    # (all but the whole-graph Gephi files, whose node ids are the IRIs).
    store = oxigraph_store(opaque_iris(built.files[NTRIPLES]))
    assert analysis.read_practice_data(store) == data
    files = render_analysis(store)
    assert {k: v for k, v in files.items() if not k.startswith("practice_graph.")} == {
        k: v for k, v in rendered.items() if not k.startswith("practice_graph.")}


def test_every_view_query_runs_on_the_built_graph(store) -> None:
    source = read.Source(store=store)
    for view in read.view_names():
        if view.startswith(("page-", "site-")):  # the site's own views read the ontology and the source too
            continue
        if view == "graph-dataset":  # a CONSTRUCT: the dataset description
            assert source.triples(view), view
            continue
        params = {"scheme": "roles"} if view == "concepts" else {}
        assert source.rows(view, **params), view


# ------------------------------------------------------------------------------ traceability
def test_every_quote_is_verbatim_at_its_offsets(data, source_text) -> None:
    quotes = [q for use in data.uses.values() for q in use.quotes]
    quotes += [q for a in data.arrangements.values() for p in a.participants for q in p.quotes]
    assert quotes
    for quote in quotes:
        assert source_text[quote.start:quote.end] == quote.text, quote
    for use in data.uses.values():
        assert use.practices and use.quotes
        assert {q.practice for q in use.quotes} <= set(use.practices)
        assert all(data.practices[p].region == use.region for p in use.practices)


def test_combinations_are_traceable(data) -> None:
    for combination in analysis.recurring_combinations(data):
        assert len(combination.kinds) >= 2 and combination.support >= 2
        assert combination.support == len(combination.arrangements)
        for arrangement_id in combination.arrangements:
            arrangement = data.arrangements[arrangement_id]
            assert set(combination.kinds) <= set(arrangement.kinds)
            assert arrangement.practice in combination.practices
        assert combination.quotes


def test_similarity_and_nearest() -> None:
    sets = {"a": {"x", "y"}, "b": {"y", "z"}, "c": {"x", "y"}, "d": {"w"}}
    similarities = analysis.jaccard_similarities(sets)
    assert [(s.a, s.b, s.jaccard) for s in similarities] == [
        ("a", "c", 1.0), ("a", "b", round(1 / 3, 6)), ("b", "c", round(1 / 3, 6))]
    assert analysis.nearest(similarities, k=1) == {"a": [("c", 1.0)], "b": [("a", round(1 / 3, 6))],
                                                   "c": [("a", 1.0)]}


def test_replication_candidates_rest_on_nearest_regions(data) -> None:
    uses = analysis.region_mechanisms(data)
    candidates = analysis.replication_candidates(data)
    assert candidates
    nearest = analysis.nearest(analysis.jaccard_similarities(uses), 3)
    for candidate in candidates:
        assert candidate.mechanism not in uses[candidate.region]
        assert candidate.regions_using >= 2
        neighbours = dict(nearest[candidate.region])
        for region, score in candidate.used_by_nearest:
            assert neighbours[region] == score and candidate.mechanism in uses[region]
        assert candidate.quotes and {q.practice for q in candidate.quotes} <= set(candidate.practices)


def test_communities_are_seeded_and_cover_the_regions(data) -> None:
    first, second = analysis.communities(data), analysis.communities(data)
    assert first == second
    members = [r for c in first for r in c.regions]
    assert sorted(members) == sorted(analysis.region_mechanisms(data))


def test_centrality_lists_brokers(data) -> None:
    found = {c.kind: c for c in analysis.centrality(data)}
    network = analysis.co_participation_graph(data)
    assert set(found) == set(network.nodes)
    for kind, row in found.items():
        assert row.degree == network.degree(kind)
        for a, b in row.brokers:
            assert not network.has_edge(a, b) and kind not in (a, b)


def test_analysis_reads_any_rdf_graph_the_same(built, graph) -> None:
    # A graph pulled from an endpoint: the same triples through Oxigraph's CONSTRUCT, re-parsed.
    import pyoxigraph as ox

    store = ox.Store()
    store.bulk_load(built.files[NTRIPLES], format=ox.RdfFormat.N_TRIPLES)  # the triples of ``graph``
    triples = store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
    pulled = Graph()
    pulled.parse(data=triples.serialize(format=ox.RdfFormat.N_TRIPLES).decode("utf-8"), format="nt")
    for prefix, namespace in graph.namespaces():
        pulled.bind(prefix, namespace, override=True)
    assert analysis.analyse(pulled) == analysis.analyse(graph)


# ------------------------------------------------------------------------------ outputs
def test_same_graph_gives_byte_identical_outputs(graph, rendered, tmp_path) -> None:
    written = {p.name: p.read_bytes() for p in write_analysis(graph, tmp_path / "one")}  # an rdflib Graph
    assert written == rendered
    assert not list((tmp_path / "one").glob(".*.tmp"))


def test_outputs_are_complete(rendered) -> None:
    names = set(rendered)
    assert {"report.md", "region_mechanism_heatmap.png", "co_participation.png", "combinations.csv",
            "centrality.csv", "replication_candidates.csv", "region_rollup.csv", "instrument_mix.csv"} <= names
    for stem in ("practice_graph", "co_participation", "region_mechanism"):
        assert rendered[f"{stem}.graphml"].startswith(b"<?xml")
        assert b"<gexf" in rendered[f"{stem}.gexf"] and b"lastmodifieddate" not in rendered[f"{stem}.gexf"]
    for name in ("region_mechanism_heatmap.png", "co_participation.png"):
        assert rendered[name].startswith(b"\x89PNG") and b"Software" not in rendered[name]
    report = rendered["report.md"].decode("utf-8")
    assert '<a id="p-4-1-1"></a>' in report and "(#p-4-1-1)" in report
    assert "「人社部门牵头」" in report


def test_the_report_shows_the_instrument_mix(graph, rendered) -> None:
    # Money (NATO treasure) is spent only in task 四: 四(一)1 「充分利用就业补助、财政补贴和地方人才经费」,
    # 「减免相应税费」; 四(一)3 「补贴标准」; 四(一)4 「落实个人所得税年度核算和专项扣除」, 「给予财政补贴」 (the
    # subsidy and the provincial campaign it pays for share the quote); 四(二)3 「使用建安劳保费结余资金补贴」;
    # 四(二)4 「补贴 200 元」 (the subsidy and the certificates it pays for share the quote); 四(三)1 「给予 100
    # 万元资金支持」: 10 uses, 8 counting a shared quote once (INS-6), in 6 practices.
    mix = instruments.instrument_mix(graph)
    treasure = [r for r in mix if (r.dimension, r.scheme, r.instrument) == ("task", "nato", "treasure")]
    assert [(r.group, r.uses, r.instrument_uses, r.practices) for r in treasure] == [("t-4", 10, 8, 6)]
    lines = rendered["instrument_mix.csv"].decode("utf-8-sig").splitlines()
    assert len(lines) == len(mix) + 1 and "task,t-4,加强统筹协作和政策支持," in "\n".join(lines)
    report = rendered["report.md"].decode("utf-8")
    assert "## 6. 政策工具组合 · Policy instrument mix" in report
    # task 五 (保障建筑工人合法权益) pays no money: its row has no treasure use
    row = next(line for line in report.splitlines() if line.startswith("| 保障建筑工人合法权益 |"))
    assert row.split(" | ")[-2] == "0"


def test_gephi_files_read_back(rendered, tmp_path) -> None:
    import networkx as nx

    (tmp_path / "c.graphml").write_bytes(rendered["co_participation.graphml"])
    (tmp_path / "c.gexf").write_bytes(rendered["co_participation.gexf"])
    from_graphml = nx.read_graphml(tmp_path / "c.graphml")
    from_gexf = nx.read_gexf(tmp_path / "c.gexf")
    assert from_graphml.nodes[HOUSING]["label_zh"] == "住房和城乡建设"
    assert from_graphml.number_of_edges() == from_gexf.number_of_edges() > 0


def test_markdown_escapes_labels() -> None:
    assert md("a|b*c_[d]<e>") == "a\\|b\\*c\\_\\[d\\]\\<e\\>"
    assert md("两行\n文字") == "两行 文字"


def test_chosen_font_has_every_glyph_the_charts_draw(data) -> None:
    name, path = charts.cjk_font()
    assert Path(path).is_file() and name in charts.CJK_FONTS
    texts = charts.chart_texts(data, analysis.co_participation_graph(data))
    assert "住房和城乡建设" in texts
    assert charts.missing_glyphs(texts) == []
    assert charts.missing_glyphs(["住"], font_path=str(Path(__import__("matplotlib").get_data_path())
                                                     / "fonts/ttf/DejaVuSans.ttf")) == ["住"]


def test_charts_render_without_missing_glyph_warnings(rendered) -> None:
    # the session's render treats a missing-glyph warning as an error (conftest.rendered_analysis)
    assert rendered["region_mechanism_heatmap.png"].startswith(b"\x89PNG")
    assert rendered["co_participation.png"].startswith(b"\x89PNG")


def test_cli_analyze_writes_the_files(seeded_cache, tmp_path) -> None:
    result = CliRunner().invoke(main, ["analyze", "--out", str(tmp_path / "analysis")])
    assert result.exit_code == 0, result.output
    written = {p.name for p in (tmp_path / "analysis").iterdir()}
    assert {"report.md", "region_mechanism_heatmap.png", "co_participation.png", "practice_graph.graphml",
            "practice_graph.gexf", "combinations.csv"} <= written
    assert "wrote" in result.output


def test_cli_analyze_reads_an_rdf_file(graph, rendered, tmp_path) -> None:
    nt = tmp_path / "graph.nt"
    nt.write_bytes(graph.serialize(format="nt", encoding="utf-8"))
    result = CliRunner().invoke(main, ["analyze", "--graph", str(nt), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "combinations.csv").read_bytes() == rendered["combinations.csv"]


def test_cli_analyze_bad_rdf_file(tmp_path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text("this is not turtle <", encoding="utf-8")
    result = CliRunner().invoke(main, ["analyze", "--graph", str(bad), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line]
    assert len(lines) == 1 and lines[0].startswith(f"error: {bad}:") and "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_a_partial_graph_still_analyses(built) -> None:
    # A graph pulled from an endpoint may lack parts: here, no joint arrangements (the built graph
    # without its rdf:type pg:JointArrangement triples).
    import pyoxigraph as ox
    from rdflib import RDF

    partial = oxigraph_store(built.files[NTRIPLES])
    typed = ox.NamedNode(str(RDF.type)), ox.NamedNode(str(analysis.PG.JointArrangement))
    removed = list(partial.quads_for_pattern(None, *typed))
    assert removed
    for quad in removed:
        partial.remove(quad)
    files = render_analysis(partial)
    assert files["combinations.csv"].decode("utf-8").count("\n") == 1
    assert files["co_participation.png"].startswith(b"\x89PNG")
    assert b"p-4-1-1" in files["region_mechanism.csv"]


def test_cli_analyze_graph_without_practices(tmp_path) -> None:
    empty = tmp_path / "empty.ttl"
    empty.write_text("", encoding="utf-8")
    result = CliRunner().invoke(main, ["analyze", "--graph", str(empty), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "nothing to analyse" in result.output and "Traceback" not in result.output


def test_the_analysis_reads_the_graph_without_rdflib(built) -> None:
    """Notebooks import the analysis and its read side: rdflib (about 0.15 s of CPU, and more at the kernel's
    exit) loads only when a script asks for ``analysis.PG`` or ``analysis.ID``, which still work."""
    import os
    import subprocess
    import sys

    script = ("import sys\nfrom practice_graph.sparql.query import open_store\n"
              "from practice_graph.views.analysis import analyse, read_practice_data\n"
              "result = analyse(read_practice_data(open_store(sys.stdin.buffer.read())))\n"
              "print(len(result.communities) > 0, 'rdflib' in sys.modules)\n"
              "from practice_graph.views import analysis\n"
              "print(analysis.PG.Practice == analysis.PG['Practice'], 'rdflib' in sys.modules)\n")
    src = Path(__file__).resolve().parents[1] / "src"
    done = subprocess.run([sys.executable, "-c", script], input=built.files[NTRIPLES], capture_output=True,
                          check=True, env={**os.environ, "PYTHONPATH": str(src)})
    assert done.stdout.decode().splitlines() == ["True False", "True True"]
