"""Broken graphs for SHACL: the built graph with one rule broken (or several), and controls that conform.

Each case edits a copy of the built graph (plus the ontology) the way a bad build could: a
missing or extra value, a value of the wrong kind, class or datatype, a pattern or list broken,
the two rules that were SPARQL-based constraints (a named region without a quote, a text
position that does not end after it starts) and their edge cases. The nodes edited are found by
their facts in the graph (class, property), never by reading an IRI. ``expects`` is what a
person expects to be reported, written from the shapes: one ``(focus, fragment)`` pair per
violation, where ``fragment`` must appear in its problem line (``tests/test_shacl.py``); the
engine comparison checks that every engine reports the same lines.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from rdflib import RDF, RDFS, XSD, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, SKOS
from rdflib.term import Node

from practice_graph.core.namespaces import ELI, OA, ORG, PG, SCHEMA


@dataclass(frozen=True)
class Case:
    """One broken (or conforming) variant of the built graph."""

    name: str
    edit: Callable[[Graph, Picker], list[tuple[Node, str]]]  # edits the graph; returns the expected (focus, fragment)s
    note: str = ""
    tags: tuple[str, ...] = field(default=())


class Picker:
    """Picks nodes for the edits: the first instance (in IRI order) not picked before.

    One picker per broken graph: in the graph that breaks every rule at once, each case edits
    nodes of its own, so each violation belongs to one case.
    """

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.picked: set[Node] = set()

    def __call__(self, rdf_class: URIRef, having: URIRef | None = None, value: Node | None = None,
                 last: bool = False) -> URIRef:
        """An instance of ``rdf_class`` that has ``having`` (with ``value``, when given)."""
        candidates = sorted(
            subject for subject in self.graph.subjects(RDF.type, rdf_class)
            if subject not in self.picked and (having is None or (subject, having, value) in self.graph)
        )
        assert candidates, (rdf_class, having, value)
        chosen = candidates[-1] if last else candidates[0]
        self.picked.add(chosen)
        return chosen


def replace(graph: Graph, subject: Node, predicate: URIRef, new: Node) -> None:
    graph.remove((subject, predicate, None))
    graph.add((subject, predicate, new))


# --------------------------------------------------------------------------- the cases


def practice_without_lead_region(graph: Graph, pick: Picker) -> list[tuple[Node, str]]:
    practice = pick(PG.Practice)
    graph.remove((practice, PG.leadRegion, None))
    return [(practice, "a practice is led by exactly one region")]


def practice_with_two_lead_regions(graph: Graph, pick: Picker) -> list[tuple[Node, str]]:
    practice = pick(PG.Practice)
    lead = graph.value(practice, PG.leadRegion)
    graph.add((practice, PG.leadRegion, next(region for region in sorted(graph.subjects(RDF.type, PG.Region))
                                             if region != lead)))
    return [(practice, "a practice is led by exactly one region")]


def practice_measure_is_a_region(graph: Graph, pick: Picker) -> list[tuple[Node, str]]:
    practice = pick(PG.Practice)
    replace(graph, practice, PG.measure, pick(PG.Region))
    return [(practice, "measure")]


def agency_without_english_label(graph: Graph, pick: Picker) -> list[tuple[Node, str]]:
    agency = pick(PG.Agency)
    for label in list(graph.objects(agency, RDFS.label)):
        if label.language == "en":
            graph.remove((agency, RDFS.label, label))
    return [(agency, "rdf-schema#label")]


def agency_label_in_french(graph: Graph, pick: Picker) -> list[tuple[Node, str]]:
    agency = pick(PG.Agency)
    graph.add((agency, RDFS.label, Literal("bureau", lang="fr")))
    return [(agency, "rdf-schema#label")]


def two_chinese_labels(graph: Graph, pick: Picker) -> list[tuple[Node, str]]:
    practice = pick(PG.Practice)
    graph.add((practice, RDFS.label, Literal("另一个名称", lang="zh")))
    return [(practice, "rdf-schema#label")]


def identifier_not_a_slug(graph: Graph, pick: Picker) -> list[tuple[Node, str]]:
    brand = pick(PG.Brand)
    replace(graph, brand, DCTERMS.identifier, Literal("Not A Slug"))
    return [(brand, "identifier")]


def identifier_typed_integer(graph: Graph, pick: Picker) -> list[tuple[Node, str]]:
    platform = pick(PG.Platform)
    replace(graph, platform, DCTERMS.identifier, Literal(5))
    return [(platform, "identifier")]


def task_number_zero(graph: Graph, pick: Picker) -> list[tuple[Node, str]]:
    task = pick(PG.WorkTask)
    replace(graph, task, PG.number, Literal(0))
    return [(task, "number")]


def region_named_without_quote(graph: Graph, pick: Picker) -> list[tuple[Node, str]]:
    region = pick(PG.Region, PG.namedInSource, Literal(True))
    graph.remove((region, PROV.wasDerivedFrom, None))
    return [(region, "a region named in the source needs a quote")]


def region_not_named_without_quote(graph: Graph, pick: Picker) -> list[tuple[Node, str]]:
    """Control: a region the source does not name needs no quote."""
    region = pick(PG.Region, PG.namedInSource, Literal(True))
    replace(graph, region, PG.namedInSource, Literal(False))
    graph.remove((region, PROV.wasDerivedFrom, None))
    return []


def region_named_flag_missing(graph: Graph, pick: Picker) -> list[tuple[Node, str]]:
    region = pick(PG.Region, PG.namedInSource, Literal(True))
    graph.remove((region, PG.namedInSource, None))
    graph.remove((region, PROV.wasDerivedFrom, None))
    return [(region, "namedInSource")]


def region_named_flag_as_text(graph: Graph, pick: Picker) -> list[tuple[Node, str]]:
    """The flag as the string "true": a datatype problem, not a missing quote (the flag is not true)."""
    region = pick(PG.Region, PG.namedInSource, Literal(True))
    replace(graph, region, PG.namedInSource, Literal("true"))
    graph.remove((region, PROV.wasDerivedFrom, None))
    return [(region, "namedInSource")]


def region_named_flag_as_one(graph: Graph, pick: Picker) -> list[tuple[Node, str]]:
    """The flag as "1"^^xsd:boolean: true all the same (rdflib reads it as true), so a quote is missing."""
    region = pick(PG.Region, PG.namedInSource, Literal(True))
    replace(graph, region, PG.namedInSource, Literal("1", datatype=XSD.boolean))
    graph.remove((region, PROV.wasDerivedFrom, None))
    return [(region, "a region named in the source needs a quote")]




def position_ends_where_it_starts(graph: Graph, pick: Picker) -> list[tuple[Node, str]]:
    selector = pick(OA.TextPositionSelector)
    replace(graph, selector, OA.end, graph.value(selector, OA.start))
    return [(selector, "a text position ends after it starts")]


def position_ends_before_it_starts(graph: Graph, pick: Picker) -> list[tuple[Node, str]]:
    selector = pick(OA.TextPositionSelector)
    start = int(graph.value(selector, OA.start))
    replace(graph, selector, OA.end, Literal(max(start - 3, 0), datatype=XSD.nonNegativeInteger))
    return [(selector, "a text position ends after it starts")]


def position_start_as_text(graph: Graph, pick: Picker) -> list[tuple[Node, str]]:
    """A start that is not a number: a datatype problem; it cannot be compared with the end either."""
    selector = pick(OA.TextPositionSelector)
    replace(graph, selector, OA.start, Literal("start"))
    return [(selector, "start")]


def position_without_end(graph: Graph, pick: Picker) -> list[tuple[Node, str]]:
    selector = pick(OA.TextPositionSelector)
    graph.remove((selector, OA.end, None))
    return [(selector, "end")]


def quote_with_markup(graph: Graph, pick: Picker) -> list[tuple[Node, str]]:
    selector = pick(OA.TextQuoteSelector)
    replace(graph, selector, OA.exact, Literal("<b>加粗</b>"))
    return [(selector, "a quote is plain text, never markup")]


def quote_empty(graph: Graph, pick: Picker) -> list[tuple[Node, str]]:
    selector = pick(OA.TextQuoteSelector)
    replace(graph, selector, OA.exact, Literal(""))
    return [(selector, "exact")]


def evidence_with_two_quote_selectors(graph: Graph, pick: Picker) -> list[tuple[Node, str]]:
    evidence = pick(PG.Evidence)
    graph.add((evidence, OA.hasSelector, pick(OA.TextQuoteSelector, last=True)))
    return [(evidence, "hasSelector")]


def evidence_without_source(graph: Graph, pick: Picker) -> list[tuple[Node, str]]:
    evidence = pick(PG.Evidence)
    graph.remove((evidence, OA.hasSource, None))
    return [(evidence, "hasSource")]


def practice_without_evidence(graph: Graph, pick: Picker) -> list[tuple[Node, str]]:
    practice = pick(PG.Practice)
    graph.remove((practice, PROV.wasDerivedFrom, None))
    return [(practice, "prov#wasDerivedFrom")]


def role_outside_the_roles(graph: Graph, pick: Picker) -> list[tuple[Node, str]]:
    """A participation whose role is a concept of another scheme (an administrative level)."""
    participation = pick(PG.Participation, ORG.role)
    concept = pick(SKOS.Concept, SKOS.notation, Literal("county"))
    replace(graph, participation, ORG.role, concept)
    # the role's shape is checked on the concept too: it is not in the roles scheme
    return [(participation, "role"), (concept, "inScheme")]


def arrangement_with_one_participant(graph: Graph, pick: Picker) -> list[tuple[Node, str]]:
    arrangement = pick(PG.JointArrangement)
    memberships = sorted(graph.objects(arrangement, ORG.hasMembership))
    for membership in memberships[1:]:
        graph.remove((arrangement, ORG.hasMembership, membership))
    return [(arrangement, "a joint arrangement has two or more participants")]


def participation_member_is_a_platform(graph: Graph, pick: Picker) -> list[tuple[Node, str]]:
    participation = pick(PG.Participation)
    replace(graph, participation, ORG.member, pick(PG.Platform))
    return [(participation, "member")]


def event_organizer_is_a_document(graph: Graph, pick: Picker) -> list[tuple[Node, str]]:
    event = pick(PG.Event)
    graph.add((event, SCHEMA.organizer, pick(PG.PolicyDocument)))
    return [(event, "organizer")]


def indicator_qualifier_unknown(graph: Graph, pick: Picker) -> list[tuple[Node, str]]:
    indicator = pick(PG.Indicator)
    replace(graph, indicator, PG.qualifier, Literal("roughly"))
    return [(indicator, "qualifier")]


def indicator_value_as_text(graph: Graph, pick: Picker) -> list[tuple[Node, str]]:
    indicator = pick(PG.Indicator)
    replace(graph, indicator, SCHEMA.value, Literal("6.75"))
    return [(indicator, "value")]


def indicator_as_of_as_text(graph: Graph, pick: Picker) -> list[tuple[Node, str]]:
    indicator = pick(PG.Indicator, PG.asOf)
    replace(graph, indicator, PG.asOf, Literal("2023年底"))
    return [(indicator, "asOf")]


def indicator_about_a_literal(graph: Graph, pick: Picker) -> list[tuple[Node, str]]:
    indicator = pick(PG.Indicator)
    replace(graph, indicator, PG.about, Literal("workers"))
    return [(indicator, "about")]


def document_number_with_spaces(graph: Graph, pick: Picker) -> list[tuple[Node, str]]:
    document = pick(PG.PolicyDocument, PG.documentNumber)
    number = str(graph.value(document, PG.documentNumber))
    replace(graph, document, PG.documentNumber, Literal(number.replace("〔", " 〔")))
    return [(document, "a normalised 文号")]


def document_title_without_english(graph: Graph, pick: Picker) -> list[tuple[Node, str]]:
    document = pick(PG.PolicyDocument)
    for title in list(graph.objects(document, DCTERMS.title)):
        if title.language == "en":
            graph.remove((document, DCTERMS.title, title))
    return [(document, "title")]


def document_two_local_ids(graph: Graph, pick: Picker) -> list[tuple[Node, str]]:
    document = pick(PG.PolicyDocument, ELI.id_local)
    graph.add((document, ELI.id_local, Literal("另一个文号")))
    return [(document, "id_local")]


def region_admin_code_too_short(graph: Graph, pick: Picker) -> list[tuple[Node, str]]:
    region = pick(PG.Region, last=True)
    replace(graph, region, PG.adminCode, Literal("41152"))
    return [(region, "adminCode")]


def source_hash_upper_case(graph: Graph, pick: Picker) -> list[tuple[Node, str]]:
    source = pick(PG.SourceDocument)
    replace(graph, source, PG.sha256, Literal(str(graph.value(source, PG.sha256)).upper()))
    return [(source, "sha256")]


def mechanism_without_definition(graph: Graph, pick: Picker) -> list[tuple[Node, str]]:
    mechanism = pick(PG.Mechanism)
    graph.remove((mechanism, SKOS.definition, None))
    return [(mechanism, "definition")]


def concept_without_scheme(graph: Graph, pick: Picker) -> list[tuple[Node, str]]:
    """A concept nothing uses (so no record's value fails with it) taken out of its scheme."""
    unused = sorted(
        concept for concept in graph.subjects(RDF.type, SKOS.Concept)
        if concept not in pick.picked
        and not {predicate for _, predicate in graph.subject_predicates(concept)} - {SKOS.hasTopConcept, SKOS.narrower}
    )
    concept = unused[0]
    pick.picked.add(concept)
    graph.remove((concept, SKOS.inScheme, None))
    return [(concept, "inScheme")]


def agency_is_class_as_text(graph: Graph, pick: Picker) -> list[tuple[Node, str]]:
    agency = pick(PG.Agency)
    replace(graph, agency, PG.isClass, Literal("no"))
    return [(agency, "isClass")]


def many_at_once(graph: Graph, pick: Picker) -> list[tuple[Node, str]]:
    """Several rules broken in one graph, both former SPARQL rules among them."""
    expected: list[tuple[Node, str]] = []
    for edit in (practice_without_lead_region, region_named_without_quote, position_ends_before_it_starts,
                 quote_with_markup, indicator_qualifier_unknown, arrangement_with_one_participant):
        expected += edit(graph, pick)
    return expected


def unchanged(graph: Graph, pick: Picker) -> list[tuple[Node, str]]:
    """Control: the built graph as it is conforms."""
    return []


CASES = [
    Case("unchanged", unchanged, tags=("control",)),
    Case("practice-without-lead-region", practice_without_lead_region),
    Case("practice-with-two-lead-regions", practice_with_two_lead_regions),
    Case("practice-measure-is-a-region", practice_measure_is_a_region),
    Case("practice-without-evidence", practice_without_evidence),
    Case("agency-without-english-label", agency_without_english_label),
    Case("agency-label-in-french", agency_label_in_french),
    Case("two-chinese-labels", two_chinese_labels),
    Case("identifier-not-a-slug", identifier_not_a_slug),
    Case("identifier-typed-integer", identifier_typed_integer),
    Case("task-number-zero", task_number_zero),
    Case("region-named-without-quote", region_named_without_quote, tags=("sparql",)),
    Case("region-not-named-without-quote", region_not_named_without_quote, tags=("sparql", "control")),
    Case("region-named-flag-missing", region_named_flag_missing, tags=("sparql",)),
    Case("region-named-flag-as-text", region_named_flag_as_text, tags=("sparql",)),
    Case("region-named-flag-as-one", region_named_flag_as_one, tags=("sparql",)),
    Case("position-ends-where-it-starts", position_ends_where_it_starts, tags=("sparql",)),
    Case("position-ends-before-it-starts", position_ends_before_it_starts, tags=("sparql",)),
    Case("position-start-as-text", position_start_as_text, tags=("sparql",)),
    Case("position-without-end", position_without_end, tags=("sparql",)),
    Case("quote-with-markup", quote_with_markup),
    Case("quote-empty", quote_empty),
    Case("evidence-with-two-quote-selectors", evidence_with_two_quote_selectors),
    Case("evidence-without-source", evidence_without_source),
    Case("role-outside-the-roles", role_outside_the_roles),
    Case("arrangement-with-one-participant", arrangement_with_one_participant),
    Case("participation-member-is-a-platform", participation_member_is_a_platform),
    Case("event-organizer-is-a-document", event_organizer_is_a_document),
    Case("indicator-qualifier-unknown", indicator_qualifier_unknown),
    Case("indicator-value-as-text", indicator_value_as_text),
    Case("indicator-as-of-as-text", indicator_as_of_as_text),
    Case("indicator-about-a-literal", indicator_about_a_literal),
    Case("document-number-with-spaces", document_number_with_spaces),
    Case("document-title-without-english", document_title_without_english),
    Case("document-two-local-ids", document_two_local_ids),
    Case("region-admin-code-too-short", region_admin_code_too_short),
    Case("source-hash-upper-case", source_hash_upper_case),
    Case("mechanism-without-definition", mechanism_without_definition),
    Case("concept-without-scheme", concept_without_scheme),
    Case("agency-is-class-as-text", agency_is_class_as_text),
    Case("many-at-once", many_at_once, tags=("sparql",)),
]


def _copy(base: Graph) -> Graph:
    graph = Graph()
    for triple in base:
        graph.add(triple)
    return graph


def broken_graph(base: Graph, case: Case) -> tuple[Graph, list[tuple[Node, str]]]:
    """A copy of ``base`` with the case's edit applied, and what should be reported."""
    graph = _copy(base)
    return graph, case.edit(graph, Picker(graph))


def all_broken_graph(base: Graph, in_place: bool = False) -> tuple[Graph, dict[str, list[tuple[Node, str]]]]:
    """One copy of ``base`` (``base`` itself when ``in_place``, for a graph made for it) with every case's
    edit applied, each on nodes of its own; expectations by case."""
    graph = base if in_place else _copy(base)
    pick = Picker(graph)
    return graph, {case.name: case.edit(graph, pick) for case in CASES if case.name not in COMBINED_OUT}


COMBINED_OUT = frozenset({"unchanged", "many-at-once"})  # the combined graph is both
