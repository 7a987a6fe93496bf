"""Specific facts of the built graph, each read off the source by a person (the sentence is cited).

These look nodes up by what the source says (labels, printed figures), not by curated ids, so a
renamed id does not hide a wrong fact.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from rdflib import RDF, RDFS, Graph, Literal, Namespace, URIRef
from rdflib.namespace import PROV, SKOS

from practice_graph.pipeline import Built

PG = Namespace("https://w3id.org/practice-graph/ontology#")
ID = Namespace("https://w3id.org/practice-graph/id/")
ORG = Namespace("http://www.w3.org/ns/org#")
OA = Namespace("http://www.w3.org/ns/oa#")
ELI = Namespace("http://data.europa.eu/eli/ontology#")
SCHEMA = Namespace("https://schema.org/")


@pytest.fixture(scope="module")
def graph(built: Built) -> Graph:
    return built.graph


def by_label(graph: Graph, rdf_class: URIRef, label: str) -> list[URIRef]:
    return sorted(s for s in graph.subjects(RDFS.label, Literal(label, lang="zh")) if (s, RDF.type, rdf_class) in graph)


def zh(graph: Graph, node: URIRef) -> str:
    return next(str(label) for label in graph.objects(node, RDFS.label) if label.language == "zh")


def notation(graph: Graph, node: URIRef, predicate: URIRef) -> str:
    return str(graph.value(graph.value(node, predicate), SKOS.notation))


def test_source_determined_counts(graph: Graph) -> None:
    # 一 to 五; (一)-(四), (一)-(三), (一)-(四), (一)-(三), (一)-(二); 2+2+3+2, 4+3+5, 3+2+3+3, 4+4+2, 3+2.
    counts = {name: len(set(graph.subjects(RDF.type, PG[name]))) for name in ("WorkTask", "Measure", "Practice")}
    assert counts == {"WorkTask": 5, "Measure": 16, "Practice": 47}


def test_a_county_reaches_its_province_through_its_prefecture(graph: Graph) -> None:
    # "1. 河南省固始县大力发展专业作业企业": 固始县 is a county of 信阳市 (not named in the source) in 河南省.
    [gushi] = by_label(graph, PG.Region, "固始县")
    prefecture = graph.value(gushi, SCHEMA.containedInPlace)
    assert zh(graph, prefecture) == "信阳市"
    assert graph.value(prefecture, PG.namedInSource) == Literal(False)
    assert zh(graph, graph.value(prefecture, SCHEMA.containedInPlace)) == "河南省"
    assert zh(graph, graph.value(gushi, PG.withinProvince)) == "河南省"
    assert notation(graph, gushi, PG.adminLevel) == "county"


def test_document_number_is_kept_as_printed_and_normalised(graph: Graph) -> None:
    # 四(二)2 "《关于进一步健全住房和城乡建设行业培训评价体系的通知》（豫建人教〔2022〕132 号）"
    [document] = by_label(graph, PG.PolicyDocument, "关于进一步健全住房和城乡建设行业培训评价体系的通知")
    assert graph.value(document, ELI.id_local) == Literal("豫建人教〔2022〕132 号")
    assert graph.value(document, PG.documentNumber) == Literal("豫建人教〔2022〕132号")
    # "省住房城乡建设厅、人社厅联合印发": two issuers, both of Henan
    issuers = set(graph.objects(document, URIRef("http://purl.org/dc/terms/creator")))
    assert {notation(graph, issuer, ORG.classification) for issuer in issuers} == {"housing", "hrss"}
    assert {zh(graph, graph.value(issuer, PG.region)) for issuer in issuers} == {"河南省"}


def test_a_figure_in_ten_thousands(graph: Graph) -> None:
    # 一(三)3 "截至 2023 年底，叙永县建筑产业工人达到 6.75 万人"
    [indicator] = [s for s in graph.subjects(PG.verbatim, Literal("6.75 万人"))]
    assert Decimal(str(graph.value(indicator, SCHEMA.value))) == Decimal(67500)
    assert str(graph.value(indicator, PG.asOf)) == "2023-12-31"
    assert graph.value(indicator, PG.asOfVerbatim) == Literal("截至 2023 年底")
    assert zh(graph, graph.value(indicator, PG.region)) == "叙永县"


def test_one_node_per_body(graph: Graph) -> None:
    # 三(三)2 成都 and 三(三)3 内江 both write "市住房城乡建设局": two bodies, one per city.
    bodies = by_label(graph, PG.Agency, "市住房城乡建设局")
    regions = {zh(graph, graph.value(body, PG.region)) for body in bodies}
    assert {"成都市", "内江市"} <= regions
    assert len(bodies) == len(regions)


def test_an_unnamed_subject_is_the_practice_region(graph: Graph) -> None:
    # 二(三)4 杭州 "将实名认证人员基本信息和考勤数据推送至公安部门": the clause names no sender, so the sender is the
    # practice subject 杭州市 itself, not an assumed department (codebook GEN-3, JA-5, MODEL-3); the police
    # receive the data and act on it ("由公安部门对符合办理条件人员线上办理临时居住证").
    [arrangement] = [a for a in graph.subjects(RDF.type, PG.JointArrangement)
                     if zh(graph, a) == "将实名认证人员基本信息和考勤数据推送至公安部门"]
    members = {graph.value(m, ORG.member): m for m in graph.objects(arrangement, ORG.hasMembership)}
    [hangzhou] = [m for m in members if (m, RDF.type, PG.Region) in graph]
    assert zh(graph, hangzhou) == "杭州市"
    assert graph.value(members[hangzhou], PG.asSubject) == Literal(True)
    [police] = [m for m in members if (m, RDF.type, PG.Agency) in graph]
    assert notation(graph, police, ORG.classification) == "public-security"
    assert zh(graph, graph.value(police, PG.region)) == "杭州市"
    assert notation(graph, police, PG.adminLevel) == "unstated"  # 公安部门: no prefix (LEVEL-4)
    # a push is one-way: neither side has a role (ROLE-1)
    assert all(graph.value(m, ORG.role) is None for m in members.values())


def test_henan_coordination_roles(graph: Graph) -> None:
    # 四(一)1 "建立人社部门牵头、住房城乡建设部门负责实施、财政和税务等部门提供政策支持的协同推进机制"
    [arrangement] = [
        a for a in graph.subjects(RDF.type, PG.JointArrangement) if "人社部门牵头" in zh(graph, a)
    ]
    roles = {
        notation(graph, membership, ORG.role): notation(graph, graph.value(membership, ORG.member), ORG.classification)
        for membership in graph.objects(arrangement, ORG.hasMembership)
        if notation(graph, membership, ORG.role) != "support"
    }
    assert roles == {"lead": "hrss", "implement": "housing"}


def test_the_workstation_set_up_by_a_court_and_three_others(graph: Graph) -> None:
    # 五(二)2 "由市中院、住房城乡建设局、人社局和市建筑业协会联合设立佛山市房屋建筑工程领域农民工工资纠纷诉源治理工作站"
    [station] = by_label(graph, PG.Organization, "佛山市房屋建筑工程领域农民工工资纠纷诉源治理工作站")
    assert notation(graph, station, ORG.classification) == "workstation"
    [court] = [a for a in graph.subjects(ORG.classification, ID["department-types/court"]) if "中院" in zh(graph, a)]
    assert zh(graph, graph.value(court, PG.region)) == "佛山市"


def test_platforms_and_their_kinds(graph: Graph) -> None:
    # 二(一)1 "开发“云建宝”平台"; 二(二)3 "在穗好办 App 的“穗建实名”服务完成人脸认证后方能进场"
    [yunjianbao] = by_label(graph, PG.Platform, "云建宝")
    assert notation(graph, yunjianbao, PG.platformKind) == "platform"
    assert zh(graph, graph.value(yunjianbao, PG.region)) == "云南省"
    [service] = by_label(graph, PG.Platform, "穗建实名")
    assert notation(graph, service, PG.platformKind) == "app-service"


def test_every_quote_sits_at_its_offsets(graph: Graph, source_text: str) -> None:
    checked = 0
    for evidence in graph.subjects(RDF.type, PG.Evidence):
        selectors = list(graph.objects(evidence, OA.hasSelector))
        exact = next(graph.value(s, OA.exact) for s in selectors if graph.value(s, OA.exact) is not None)
        start = next(graph.value(s, OA.start) for s in selectors if graph.value(s, OA.start) is not None)
        end = next(graph.value(s, OA.end) for s in selectors if graph.value(s, OA.end) is not None)
        assert source_text[int(start) : int(end)] == str(exact)
        checked += 1
    assert checked > 400  # hundreds of quoted spans, every one checked


def test_every_entity_is_derived_from_a_quote(graph: Graph) -> None:
    for name in ("Practice", "Agency", "Organization", "Platform", "PolicyDocument", "Brand", "Event", "Indicator",
                 "JointArrangement"):
        for entity in graph.subjects(RDF.type, PG[name]):
            assert graph.value(entity, PROV.wasDerivedFrom) is not None, entity
