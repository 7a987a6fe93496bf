"""Dated releases: the data's version in the graph's dataset description (DCAT, VoID), schema.org
JSON-LD in the HTML outputs, and ``practice-graph diff`` between two built graphs."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import OWL, RDF, XSD, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, VOID

from practice_graph import __version__
from practice_graph.cli import main
from practice_graph.core.paths import NTRIPLES
from practice_graph.pipeline import BuildFailed, build, checked
from practice_graph.views import diff as diffing
from practice_graph.views.dataset import jsonld_script, schema_org_dataset

ROOT = Path(__file__).resolve().parent.parent


def dataset_node(graph: Graph) -> URIRef:
    (node,) = set(graph.subjects(RDF.type, DCAT.Dataset))
    return node


# ------------------------------------------------------------------------------ the dataset description
def test_the_graph_records_the_data_release(built) -> None:
    # data/release.yaml says: date: 2026-11-30
    assert "date: 2026-11-30" in (ROOT / "data" / "release.yaml").read_text(encoding="utf-8")
    graph = built.graph
    node = dataset_node(graph)
    assert graph.value(node, DCTERMS.issued) == Literal("2026-11-30", datatype=XSD.date)
    assert graph.value(node, OWL.versionInfo) == Literal(f"{__version__}+data.2026-11-30")
    assert graph.value(node, URIRef(str(DCAT) + "version")) == Literal(f"{__version__}+data.2026-11-30")
    assert graph.value(node, DCTERMS.license) == URIRef("https://creativecommons.org/licenses/by/4.0/")
    assert (node, RDF.type, VOID.Dataset) in graph


def test_void_statistics_count_the_graph(built) -> None:
    graph = built.graph
    node = dataset_node(graph)
    statistics = {p: int(graph.value(node, p)) for p in (VOID.triples, VOID.entities, VOID.classes,
                                                          VOID.properties, VOID.distinctSubjects)}
    assert statistics[VOID.triples] == len(graph) - 6  # counted before its six statistics were added
    assert statistics[VOID.entities] == len(set(graph.subjects(DCTERMS.identifier)))
    assert statistics[VOID.classes] == len(set(graph.objects(None, RDF.type)))
    # 47 practices, 16 measures and 5 work tasks are records among the entities.
    assert statistics[VOID.entities] > 47 + 16 + 5


def test_a_malformed_release_file_is_one_located_problem(data_copy) -> None:
    data = data_copy(("release.yaml", "date: 2026-11-30", "date: 2026-13-01"))
    with pytest.raises(BuildFailed) as failure:
        build(data, ROOT / "ontology", shacl=False)
    (problem,) = failure.value.problems
    assert problem == f"{data / 'release.yaml'}:3: date: expected a date YYYY-MM-DD, got '2026-13-01'"


def test_unreleased_data_builds_without_a_release(data_copy) -> None:
    data = data_copy()
    (data / "release.yaml").unlink()
    triples = checked(data, ROOT / "ontology", shacl=False).triples  # the triples of a build, nothing serialised
    (node,) = {s for s, p, o in triples if p == RDF.type and o == DCAT.Dataset}
    assert not {(p, o) for s, p, o in triples if s == node and p in (DCTERMS.issued, OWL.versionInfo)}


def test_html_outputs_carry_schema_org_dataset_jsonld(built, rendered_analysis) -> None:
    from practice_graph.pipeline import render_outputs

    files = render_outputs(built)  # the analysis from the session's render, kept in the cache of renders
    for name in ("practice-graph.html", "analysis/report.html"):
        page = files[name].decode("utf-8")
        found = re.findall(r'<script type="application/ld\+json">\n(.*?)\n</script>', page, re.DOTALL)
        assert len(found) == 1, name
        description = json.loads(found[0])
        assert description["@type"] == "Dataset" and description["datePublished"] == "2026-11-30"
        assert description["version"] == f"{__version__}+data.2026-11-30"
        assert description["isBasedOn"]["name"] == "培育新时代建筑产业工人可复制经验做法清单（第一批）"
        assert page.index("application/ld+json") < page.index("</head>")


def test_jsonld_cannot_close_its_script_element(built) -> None:
    graph = Graph()
    for triple in built.graph:
        graph.add(triple)
    node = dataset_node(graph)
    graph.set((node, OWL.versionInfo, Literal('1</script><script>alert(1)</script>&')))
    script = jsonld_script(graph)
    assert script.count("</script>") == 1 and "<script>alert" not in script
    assert json.loads(script.split("\n", 1)[1].rsplit("\n", 1)[0])["version"] == schema_org_dataset(graph)["version"]


# ------------------------------------------------------------------------------ diff
PILOT = "印发培育新时代建筑企业自有工人试点工作方案"  # 1.(一)1, Chongqing: "印发培育新时代建筑企业自有工人试点工作方案"


@pytest.fixture(scope="module")
def edited(tmp_path_factory, built) -> tuple[Path, Path]:
    """The real graph and a build of edited data: p-1-1-1 loses one mechanism, Henan a new English label."""
    import shutil

    root = tmp_path_factory.mktemp("diff")
    data = root / "data"
    shutil.copytree(ROOT / "data", data)
    skeleton = data / "skeleton.yaml"
    text = skeleton.read_text(encoding="utf-8")
    line = (f'      - {{id: pilot-programme, use: adopts, quote: "{PILOT}", rz: demand-pilots, nato: organisation, '
            'instrument_note: "default (adopts)"}\n')
    assert text.count(line) == 1
    skeleton.write_text(text.replace(line, ""), encoding="utf-8")
    regions = data / "regions.yaml"
    regions.write_text(regions.read_text(encoding="utf-8").replace(
        'label: {zh: 河南省, en: "Henan Province"}', 'label: {zh: 河南省, en: "Henan"}', 1), encoding="utf-8")
    (root / "old.nt").write_bytes(built.files[NTRIPLES])
    (root / "new").mkdir()
    # the N-Triples a build writes (checked: nothing else serialised)
    (root / "new" / NTRIPLES).write_bytes(checked(data, ROOT / "ontology", shacl=False).files[NTRIPLES])
    return root / "old.nt", root / "new"


@pytest.fixture(scope="module")
def snapshot(built) -> diffing.Snapshot:
    """The real graph as the diff reads it (each test compares it with another graph)."""
    return diffing.read_snapshot(built.files[NTRIPLES])


def test_diff_of_a_graph_with_itself_is_empty(snapshot) -> None:
    result = diffing.compare(snapshot, snapshot)
    assert result["summary"] == {} and "No record or relation differs." in diffing.diff_markdown(result)


def test_diff_ignores_iris(built, snapshot) -> None:
    # The same graph with every instance IRI moved to another base compares equal: ids are read, not IRIs.
    text = built.files[NTRIPLES].decode("utf-8")
    moved = text.replace("<https://w3id.org/practice-graph/id/", "<https://example.org/elsewhere/")
    result = diffing.compare(snapshot, diffing.read_snapshot(moved.encode()))
    assert result["summary"] == {}


def test_diff_reports_removed_relation_and_changed_label_with_quotes(edited) -> None:
    old, new = edited
    result = diffing.diff_files(old, new)
    # the use is a node of its own (pg:MechanismUse, codebook MODEL-7), shown as its practice's
    # pg:usesMechanism with its quote, its use and instrument codes; it is not a record
    removed = [r for r in result["relations"]["removed"] if r["kind"] == "pg:usesMechanism"]
    assert [(r["subject"], r["object"], r["quotes"]) for r in removed] == [("p-1-1-1", "pilot-programme", [PILOT])]
    assert removed[0]["subject_zh"] == "重庆市鼓励建筑企业培育“自有工人”"
    assert {(name, label) for name, _, label in removed[0]["qualifiers"]} >= {
        ("use", "Adopts"), ("rz", "Pilots and demonstrations"), ("nato", "Organisation")}
    (henan,) = [c for c in result["records"]["changed"] if c["id"] == "henan"]
    assert henan["kind"] == "pg:Region"
    assert {"field": "rdfs:label", "old": ["Henan Province@en", "河南省@zh"],
            "new": ["Henan@en", "河南省@zh"]} in henan["changes"]
    assert result["records"]["added"] == [] and result["records"]["removed"] == []
    # the relations the build derives from the use (pg:adopts) are not listed: the use says it; the
    # dataset description's statistics (void:triples ...) change with any edit
    assert {kind: count for kind, count in result["summary"].items() if kind != "records: dcat:Dataset"} == {
        "relations: pg:usesMechanism": {"added": 0, "removed": 1, "changed": 0},
        "records: pg:Region": {"added": 0, "removed": 0, "changed": 1}}


def test_diff_shows_a_participation_as_a_relation_with_its_role(built, snapshot) -> None:
    # 「建立人社部门牵头、住房城乡建设部门负责实施、财政和税务等部门提供政策支持的协同推进机制」 (4.(一)1): the
    # HRSS department leads; a graph where it only implements differs in that participant's role, nothing else.
    text = built.files[NTRIPLES].decode("utf-8")
    lead = ("<https://w3id.org/practice-graph/id/henan-coordination-mechanism/member/henan-hrss-department> "
            "<http://www.w3.org/ns/org#role> <https://w3id.org/practice-graph/id/roles/lead> .")
    assert lead in text
    edited = text.replace(lead, lead.replace("roles/lead", "roles/implement"))
    result = diffing.compare(snapshot, diffing.read_snapshot(edited.encode()))
    (changed,) = result["relations"]["changed"]
    assert (changed["kind"], changed["subject"], changed["object"]) == (
        "participant", "henan-coordination-mechanism", "henan-hrss-department")
    assert ["role", "roles/lead", "Lead"] in changed["old_qualifiers"]
    assert ["role", "roles/implement", "Implement"] in changed["qualifiers"]
    line = "  - ~ participant → `henan-hrss-department` 人社部门: role: Lead → Implement"
    assert line in diffing.diff_markdown(result).splitlines()


def test_cli_diff_prints_markdown_and_writes_both_forms(edited, tmp_path) -> None:
    old, new = edited
    result = CliRunner().invoke(main, ["diff", str(old), str(new), "--out", str(tmp_path / "notes")])
    assert result.exit_code == 0, result.output
    assert "## Practice (`pg:Practice`)" in result.output and f"「{PILOT}」" in result.output
    assert "  - − pg:usesMechanism → `pilot-programme`" in result.output
    assert "| records: pg:Region | 0 | 0 | 1 |" in result.output
    written = json.loads((tmp_path / "notes" / "diff.json").read_text(encoding="utf-8"))
    uses = [r for r in written["relations"]["removed"] if r["kind"] == "pg:usesMechanism"]
    assert [r["quotes"] for r in uses] == [[PILOT]]
    assert (tmp_path / "notes" / "diff.md").read_text(encoding="utf-8") in result.output


def test_cli_diff_of_something_that_is_no_graph(tmp_path) -> None:
    bad = tmp_path / "bad.nt"
    bad.write_text("not n-triples <", encoding="utf-8")
    result = CliRunner().invoke(main, ["diff", str(bad), str(bad)])
    assert result.exit_code == 2
    assert result.output.startswith(f"error: {bad}: not readable as N-Triples") and "Traceback" not in result.output
    result = CliRunner().invoke(main, ["diff", str(tmp_path), str(bad)])
    assert result.exit_code == 2 and "no built graph here" in result.output


def test_citation_cff_names_this_release() -> None:
    import yaml

    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    release = yaml.safe_load((ROOT / "data" / "release.yaml").read_text(encoding="utf-8"))
    assert citation["cff-version"] == "1.2.0" and citation["authors"] and citation["title"]
    assert str(citation["date-released"]) == str(release["date"])
    assert citation["version"] == f"{__version__}+data.{release['date']}"
