"""The model (src/practice_graph/model/schema.yaml) is the one place a class, slot, enum or label
is declared: the generated files match it, the ontology and shapes say what it says, and a new
kind of record needs a model edit and data, no Python."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from rdflib import OWL, RDF, RDFS, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH, SKOS

from practice_graph.core.namespaces import ID, PG
from practice_graph.curation.load import DataError, load_dataset
from practice_graph.curation.validate import validate_dataset
from practice_graph.model import generate
from practice_graph.model.schema import SCHEMA_FILE, ModelError, load_model
from practice_graph.rdf.build import build_graph
from practice_graph.views import viewer

from .conftest import DATA, ONTOLOGY

PGS = Namespace("https://w3id.org/practice-graph/shapes#")


# ---------------------------------------------------------------------------- generated files
def test_generated_files_are_current() -> None:
    stale = generate.stale_files(generate.generated_files())
    assert stale == [], f"run `python -m practice_graph.model.generate`: stale {[str(p) for p in stale]}"


def test_check_mode_names_a_stale_file(tmp_path: Path) -> None:
    files = {tmp_path / "shapes.ttl": "current\n"}
    (tmp_path / "shapes.ttl").write_text("edited by hand\n", encoding="utf-8")
    assert generate.stale_files(files) == [tmp_path / "shapes.ttl"]
    (tmp_path / "shapes.ttl").write_text("current\n", encoding="utf-8")
    assert generate.stale_files(files) == []


# ---------------------------------------------------------------------------- ontology and shapes
def _labels(graph: Graph, term: URIRef) -> tuple[str, str]:
    by_language = {value.language: str(value) for value in graph.objects(term, RDFS.label)}
    return by_language.get("zh", ""), by_language.get("en", "")


def test_ontology_declares_exactly_the_models_classes_and_properties() -> None:
    model = load_model()
    ontology = Graph().parse(ONTOLOGY / "practice-graph.ttl")
    classes = {URIRef(model.expand(c.uri)): c for c in model.classes.values() if model.own(c.uri)}
    slots = {URIRef(model.expand(s.uri)): s for s in model.slots.values() if model.own(s.uri)}
    assert set(ontology.subjects(RDF.type, OWL.Class)) == set(classes)
    declared_properties = set(ontology.subjects(RDF.type, OWL.ObjectProperty))
    declared_properties |= set(ontology.subjects(RDF.type, OWL.DatatypeProperty))
    assert declared_properties == set(slots)
    for term, declared in [*classes.items(), *slots.items()]:
        assert _labels(ontology, term) == (declared.label.zh, declared.label.en), term
        assert ontology.value(term, SKOS.definition) == Literal(declared.definition, lang="en"), term
    # every pg: term the ontology mentions is one of them
    mentioned = {t for triple in ontology for t in triple if isinstance(t, URIRef) and str(t).startswith(str(PG))}
    assert mentioned <= set(classes) | set(slots)


def test_ontology_enumerations_are_the_models_enums() -> None:
    model = load_model()
    ontology = Graph().parse(ONTOLOGY / "practice-graph.ttl")
    found = {}
    for prop, data_range in ontology.subject_objects(RDFS.range):
        one_of = ontology.value(data_range, OWL.oneOf)
        if one_of is not None:
            found[prop] = tuple(str(v) for v in Collection(ontology, one_of))
    expected = {URIRef(model.expand(s.uri)): model.enums[s.range[0]].permissible
                for s in model.slots.values() if s.range and s.range[0] in model.enums}
    assert found == expected
    assert expected[PG.qualifier] == ("approximate", "at-least", "more-than", "at-most")


def test_shapes_check_every_slot_of_every_class_and_nothing_else() -> None:
    model = load_model()
    shapes = Graph().parse(ONTOLOGY / "shapes.ttl")
    extra = Graph().parse(ONTOLOGY / generate.EXTRA_SHAPES_FILE)
    generated = shapes - extra
    expected = {(URIRef(model.expand(cls.uri)), URIRef(model.expand(predicate)))
                for cls in generate.shaped_classes(model) for slot in cls.slots for predicate in slot.predicates}
    expected |= {(URIRef(model.expand(cls.uri)), SKOS.inScheme) for cls in model.classes.values() if cls.in_scheme}
    found = {(target, generated.value(prop, SH.path))
             for node in generated.subjects(RDF.type, SH.NodeShape)
             for target in generated.objects(node, SH.targetClass)
             for prop in generated.objects(node, SH.property)}
    assert found == expected
    # every pg: term the shapes name (hand-written ones too) is declared in the model
    declared = {URIRef(model.expand(c)) for c in
                [*(c.uri for c in model.classes.values() if c.uri), *(s.uri for s in model.slots.values() if s.uri)]}
    mentioned = {t for triple in shapes for t in triple if isinstance(t, URIRef) and str(t).startswith(str(PG))}
    assert mentioned <= declared


def test_shapes_say_what_the_model_says_about_a_slot() -> None:
    shapes = Graph().parse(ONTOLOGY / "shapes.ttl")
    # Practice.lead_region: required, one value, a Region, with the model's message
    lead = PGS["Practice-lead_region"]
    assert shapes.value(lead, SH.path) == PG.leadRegion
    assert (shapes.value(lead, SH.minCount), shapes.value(lead, SH.maxCount)) == (Literal(1), Literal(1))
    assert shapes.value(lead, SH["class"]) == PG.Region
    assert str(shapes.value(lead, SH.message)) == "a practice is led by exactly one region"
    # Indicator.qualifier: an enum, so sh:in its values
    qualifier = shapes.value(PGS["Indicator-qualifier"], SH["in"])
    assert [str(v) for v in Collection(shapes, qualifier)] == ["approximate", "at-least", "more-than", "at-most"]
    # JointArrangement.participants: at least two
    assert shapes.value(PGS["JointArrangement-participants"], SH.minCount) == Literal(2)


def test_pg_namespace_is_closed() -> None:
    assert PG.Region == URIRef("https://w3id.org/practice-graph/ontology#Region")
    with pytest.raises(AttributeError):
        _ = PG.Regoin
    model = load_model()
    for cls in model.classes.values():
        if model.own(cls.uri):
            assert getattr(PG, cls.uri.split(":")[1]) == URIRef(model.expand(cls.uri))


# ---------------------------------------------------------------------------- the model file
@pytest.mark.parametrize(("edit", "message"), [
    (("    slots: [brand_kind, region]\n", "    slots: [brand_kind, regoin]\n"),
     r"classes\.Brand\.slots: unknown slot 'regoin'"),
    (("    range: MechanismCategory\n", "    range: MechanismCategroy\n"), r"unknown range 'MechanismCategroy'"),
    (("  Brand:\n    is_a: Record\n", "  Brand:\n    is_a: Record\n    colour: red\n"), r"classes\.Brand: unknown key"),
    (("    uri: pg:Brand\n", "    uri: pgx:Brand\n"), r"unknown prefix in 'pgx:Brand'"),
])
def test_a_broken_model_is_refused_with_its_place(edit: tuple[str, str], message: str, tmp_path: Path) -> None:
    text = SCHEMA_FILE.read_text(encoding="utf-8")
    assert edit[0] in text
    broken = tmp_path / "schema.yaml"
    broken.write_text(text.replace(edit[0], edit[1], 1), encoding="utf-8")
    with pytest.raises(ModelError, match=message):
        load_model(broken)


def test_a_value_outside_an_enum_is_refused_at_its_line(data_copy) -> None:
    # the qualifier ingest used to draft, which no model value allows
    data = data_copy(("indicators.yaml", "  qualifier: more-than\n", "  qualifier: other\n"))
    with pytest.raises(DataError) as raised:
        load_dataset(data)
    assert re.fullmatch(r".*indicators\.yaml:\d+: [a-z0-9-]+\.qualifier: Input should be 'approximate', "
                        r"'at-least', 'more-than' or 'at-most'.*", str(raised.value))


# ---------------------------------------------------------------------------- a new kind
FUND_CLASS = """\
  Fund:
    is_a: Record
    uri: pg:Fund
    file: funds.yaml
    label: {zh: 资金, en: Fund}
    definition: "Money set aside for a purpose (资金)."
    slots: [fund_kind, region]
    viewer: {colour: "#ffb300", shape: dot, symbol: "●", size: 12}
"""
FUND_SLOT = """\
  fund_kind:
    key: kind
    uri: pg:fundKind
    scheme: fund-kinds
    required: true
    label: {zh: 资金类型, en: fund kind}
    definition: "The kind of a fund (fund-kinds scheme)."
"""
FUND_KINDS = """\
- id: fund-kinds
  label: {zh: 资金类型, en: Kinds of fund}
  definition: {en: "What a fund pays for."}
  concepts:
    - {id: award-fund, label: {zh: 奖励资金, en: Award fund}, definition: {en: "Money awarded to the winners."}}
"""
# p-1-2-2 (陕西省): 在“建筑强县”评选活动中设立专项奖励资金，激励发展县域建筑劳务产业
FUNDS = """\
- id: shaanxi-strong-county-award-fund
  label: {zh: 专项奖励资金, en: Special award fund of the strong construction county selection}
  kind: award-fund
  region: shaanxi
  evidence: [{practice: p-1-2-2, quote: 在“建筑强县”评选活动中设立专项奖励资金}]
"""


@pytest.fixture
def fund_model(tmp_path: Path):
    """A copy of the model with one more class, Fund, declared in YAML only."""
    text = SCHEMA_FILE.read_text(encoding="utf-8")
    text = text.replace("\nclasses:\n", "\nclasses:\n" + FUND_CLASS, 1)
    text = text.replace("\nslots:\n", "\nslots:\n" + FUND_SLOT, 1)
    path = tmp_path / "model" / "schema.yaml"
    path.parent.mkdir()
    path.write_text(text, encoding="utf-8")
    return load_model(path)


@pytest.fixture
def fund_data(tmp_path: Path):
    """The data with a fund-kinds taxonomy and a funds.yaml file."""
    copies = iter(range(100))

    def make(funds: str = FUNDS) -> Path:
        data = tmp_path / f"data-{next(copies)}"
        shutil.copytree(DATA, data)
        with (data / "taxonomies.yaml").open("a", encoding="utf-8") as stream:
            stream.write(FUND_KINDS)
        (data / "funds.yaml").write_text(funds, encoding="utf-8")
        return data
    return make


def test_a_new_kind_is_one_model_edit_plus_data(fund_model, fund_data) -> None:
    import pyshacl

    fund = ID["shaanxi-strong-county-award-fund"]
    # records: typed, with the taxonomy value and the reference
    dataset = load_dataset(fund_data(), fund_model)
    (record,) = dataset.of("Fund")
    assert (record.kind_name, record.kind, record.region) == ("Fund", "award-fund", "shaanxi")
    assert validate_dataset(dataset) == []
    # RDF: its class, its kind as a concept, its region, its quote, and the practice mentions it
    graph = build_graph(dataset)
    fund_class, fund_kind = URIRef(str(PG) + "Fund"), URIRef(str(PG) + "fundKind")
    assert (fund, RDF.type, fund_class) in graph
    assert (fund, fund_kind, ID["fund-kinds/award-fund"]) in graph
    assert (fund, PG.region, ID["shaanxi"]) in graph
    assert (ID["p-1-2-2"], PG.mentions, fund) in graph
    assert (fund, RDFS.label, Literal("专项奖励资金", lang="zh")) in graph
    # viewer: a node type with the model's colour, the fund a node, its region an edge named by the model
    data = viewer.viewer_data(graph, fund_model)
    assert next(t for t in data.types if t.key == "Fund").colour == "#ffb300"
    assert {n.iri: n.type_key for n in data.nodes}[str(fund)] == "Fund"
    assert any(e.source == str(fund) and e.target == str(ID["shaanxi"]) and (e.zh, e.en) == ("所在地区", "region")
               for e in data.edges)
    # and data/README.md's table for it
    assert "#### `funds.yaml`: Fund (资金)" in generate.readme_fields(fund_model)
    # ontology and shapes: generated for it; the shape accepts it and refuses it without its kind
    ontology = Graph().parse(data=generate.ontology_turtle(fund_model), format="turtle")
    assert (fund_class, RDF.type, OWL.Class) in ontology and _labels(ontology, fund_class) == ("资金", "Fund")
    shapes = Graph().parse(data=generate.shapes_turtle(fund_model), format="turtle")
    assert (PGS.Fund, SH.targetClass, fund_class) in shapes

    def conforms(data_graph: Graph) -> bool:
        return pyshacl.validate(data_graph, shacl_graph=shapes, focus_nodes=[fund])[0]

    graph += ontology  # checked with the ontology (the graph is not read after this: no copy of it is made)
    assert conforms(graph)
    graph.remove((fund, fund_kind, None))  # (the ontology says nothing about the fund)
    assert not conforms(graph)


def test_a_new_kind_gets_the_data_rules(fund_model, fund_data) -> None:
    data = fund_data(FUNDS.replace("region: shaanxi", "region: nowhere").replace("kind: award-fund", "kind: prize"))
    lines = (data / "funds.yaml").read_text(encoding="utf-8").splitlines()
    problems = [str(p) for p in validate_dataset(load_dataset(data, fund_model))]
    region_line = next(i for i, line in enumerate(lines, 1) if "region: nowhere" in line)
    kind_line = next(i for i, line in enumerate(lines, 1) if "kind: prize" in line)
    where = f"{data / 'funds.yaml'}"
    assert f"{where}:{region_line}: shaanxi-strong-county-award-fund.region: unknown reference 'nowhere'" in problems
    assert f"{where}:{kind_line}: shaanxi-strong-county-award-fund.kind: 'prize' is not in the fund-kinds taxonomy" \
        in problems
    # a field the model does not declare is refused where it stands
    data = fund_data(FUNDS + "  amount: 100\n")
    with pytest.raises(DataError, match=r"funds\.yaml:6: shaanxi-strong-county-award-fund\.amount: Extra inputs"):
        load_dataset(data, fund_model)
