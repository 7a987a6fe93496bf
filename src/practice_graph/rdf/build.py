"""Turn a validated Dataset into an RDF graph (rdflib).

IRIs are stable and readable: every record is ``{BASE}id/{id}``, a concept
``{BASE}id/{scheme}/{concept}``, a quote ``{BASE}id/evidence/{start}-{end}`` (character offsets
in the source). Every node carries ``rdfs:label`` in ``@zh`` (as written) and ``@en`` (a
curators' translation). A fact's evidence is a Web Annotation whose selectors pin the quote in
the hashed source; a relation that has its own quote is reified as an ``rdf:Statement`` derived
from that quote.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rdflib import RDF, RDFS, XSD, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, OWL, PROV, SKOS, VOID

from practice_graph import __version__
from practice_graph.core.namespaces import ELI, ID, OA, ORG, PG, PREFIXES, SCHEMA
from practice_graph.curation.load import (
    Agency,
    Brand,
    Concept,
    ConceptScheme,
    Dataset,
    Event,
    Indicator,
    JointArrangement,
    LangText,
    Measure,
    Mechanism,
    MechanismCategory,
    Organization,
    Platform,
    PolicyDocument,
    Practice,
    Record,
    Region,
    WorkTask,
)
from practice_graph.curation.release import read_release
from practice_graph.curation.validate import practice_paragraphs

MECHANISM_SCHEME = "mechanisms"
CONTEXT_CHARS = 16
LABEL_NOTE = (
    "Chinese labels (@zh) are as written in the source; English labels (@en) are translations "
    "made by the practice-graph curators, not official names."
)
DATASET_TITLE = {
    "zh": "培育新时代建筑产业工人可复制经验做法清单（第一批）知识图谱",
    "en": "practice-graph: a knowledge graph of the first-batch list of replicable practices for cultivating "
          "new-era construction industry workers",
}
DATA_LICENSE = URIRef("https://creativecommons.org/licenses/by/4.0/")
DCAT_VERSION = URIRef(str(DCAT) + "version")  # DCAT 3; rdflib's DCAT namespace is DCAT 2


def iri(record_id: str) -> URIRef:
    """The IRI of a record."""
    return ID[record_id]


def concept_iri(scheme: str, concept: str) -> URIRef:
    """The IRI of a concept in a scheme."""
    return ID[f"{scheme}/{concept}"]


class GraphBuilder:
    """Adds the triples of one Dataset to an rdflib Graph."""

    def __init__(self, dataset: Dataset) -> None:
        self.dataset = dataset
        self.graph = Graph()
        for prefix, namespace in PREFIXES.items():
            self.graph.bind(prefix, namespace, override=True)
        self.paragraphs = practice_paragraphs(dataset)
        self.source_iri = iri(dataset.source_metadata.id)
        self.regions = {r.id: r for r in dataset.of(Region)}

    # ------------------------------------------------------------------ helpers
    def add(self, *triple: Any) -> None:
        self.graph.add(triple)

    def labels(self, node: URIRef, label: Any, predicate: URIRef = RDFS.label) -> None:
        self.add(node, predicate, Literal(label.zh, lang="zh"))
        self.add(node, predicate, Literal(label.en, lang="en"))

    def lang_text(self, node: URIRef, predicate: URIRef, text: LangText | None) -> None:
        if text is None:
            return
        if text.zh:
            self.add(node, predicate, Literal(text.zh, lang="zh"))
        if text.en:
            self.add(node, predicate, Literal(text.en, lang="en"))

    def evidence(self, quote: str, practice: str | None) -> URIRef:
        """The Web Annotation node of one quote (created once, shared by every fact it states)."""
        if practice is None:
            start, end = self.dataset.source.find(quote)  # type: ignore[misc]
        else:
            start, end = self.paragraphs[practice].find(quote)
        node = ID[f"evidence/{start}-{end}"]
        if (node, RDF.type, PG.Evidence) in self.graph:
            return node
        text = self.dataset.source.text
        quote_selector = ID[f"evidence/{start}-{end}/quote"]
        position_selector = ID[f"evidence/{start}-{end}/position"]
        self.add(node, RDF.type, PG.Evidence)
        self.add(node, RDFS.label, Literal(quote, lang="zh"))
        self.add(node, OA.hasSource, self.source_iri)
        self.add(node, OA.hasSelector, quote_selector)
        self.add(node, OA.hasSelector, position_selector)
        if practice is not None:
            self.add(node, PG.inPractice, iri(practice))
        self.add(quote_selector, RDF.type, OA.TextQuoteSelector)
        self.add(quote_selector, OA.exact, Literal(quote))
        self.add(quote_selector, OA.prefix, Literal(text[max(0, start - CONTEXT_CHARS) : start]))
        self.add(quote_selector, OA.suffix, Literal(text[end : end + CONTEXT_CHARS]))
        self.add(position_selector, RDF.type, OA.TextPositionSelector)
        self.add(position_selector, OA.start, Literal(start, datatype=XSD.nonNegativeInteger))
        self.add(position_selector, OA.end, Literal(end, datatype=XSD.nonNegativeInteger))
        return node

    def record_practices(self, record: Record) -> list[str]:
        return sorted({e.practice for e in record.evidence if e.practice})

    def relation(
        self, record: Record, predicate: URIRef, target: URIRef, link: Any = None, practice: str | None = None
    ) -> None:
        """Add ``record predicate target``; reify it when the link carries its own quote."""
        subject = iri(record.id)
        self.add(subject, predicate, target)
        quote = getattr(link, "quote", None)
        if quote is None:
            return
        if getattr(link, "practice", None):
            practice = link.practice
        if practice is None:
            practices = [record.id] if isinstance(record, Practice) else self.record_practices(record)
            practice = practices[0]
        local = self.graph.namespace_manager.compute_qname(str(predicate))[2]
        statement = ID[f"statement/{record.id}/{local}/{str(target).removeprefix(str(ID))}"]
        self.add(statement, RDF.type, RDF.Statement)
        self.add(statement, RDF.subject, subject)
        self.add(statement, RDF.predicate, predicate)
        self.add(statement, RDF.object, target)
        self.add(statement, PROV.wasDerivedFrom, self.evidence(quote, practice))

    # ------------------------------------------------------------------ records
    def record(self, record: Record, rdf_class: URIRef) -> URIRef:
        node = iri(record.id)
        self.add(node, RDF.type, rdf_class)
        self.labels(node, record.label)
        self.add(node, DCTERMS.identifier, Literal(record.id))
        for evidence in record.evidence:
            self.add(node, PROV.wasDerivedFrom, self.evidence(evidence.quote, evidence.practice))
            if evidence.practice and evidence.practice != record.id:
                self.add(iri(evidence.practice), PG.mentions, node)
        if record.note:
            self.add(node, SKOS.editorialNote, Literal(record.note, lang="en"))
        return node

    def link_region(self, node: URIRef, region: str | None) -> None:
        if region is not None:
            self.add(node, PG.region, iri(region))

    def province_of(self, region_id: str) -> str:
        region = self.regions[region_id]
        while region.parent is not None:
            region = self.regions[region.parent]
        return region.id

    def build(self) -> Graph:
        self.metadata()
        for scheme in self.dataset.schemes:
            self.scheme(scheme)
        self.mechanisms()
        for task in self.dataset.of(WorkTask):
            node = self.record(task, PG.WorkTask)
            self.add(node, PG.number, Literal(task.number))
        for measure in self.dataset.of(Measure):
            node = self.record(measure, PG.Measure)
            self.add(node, PG.number, Literal(measure.number))
            self.add(node, PG.task, iri(measure.task))
        for practice in self.dataset.of(Practice):
            node = self.record(practice, PG.Practice)
            self.add(node, PG.number, Literal(practice.number))
            self.add(node, PG.measure, iri(practice.measure))
            self.add(node, PG.leadRegion, iri(practice.region))
            for link in practice.mechanisms:
                self.relation(practice, PG.usesMechanism, iri(link.id), link)
            for link in practice.worker_sources:
                self.relation(practice, PG.workerSourceRegion, iri(link.id), link)
        for region in self.dataset.of(Region):
            self.region(region)
        for agency in self.dataset.of(Agency):
            node = self.record(agency, PG.Agency)
            self.add(node, ORG.classification, concept_iri("department-types", agency.department_type))
            self.add(node, PG.adminLevel, concept_iri("admin-levels", agency.level))
            self.link_region(node, agency.region)
            self.add(node, PG.implied, Literal(agency.implied))
            if agency.full_name and agency.full_name.zh:
                self.add(node, PG.fullName, Literal(agency.full_name.zh, lang="zh"))
        for organization in self.dataset.of(Organization):
            node = self.record(organization, PG.Organization)
            self.add(node, ORG.classification, concept_iri("organization-kinds", organization.kind))
            self.link_region(node, organization.region)
        for platform in self.dataset.of(Platform):
            node = self.record(platform, PG.Platform)
            self.add(node, PG.platformKind, concept_iri("platform-kinds", platform.kind))
            self.link_region(node, platform.region)
            self.lang_text(node, PG.function, platform.function)
            if platform.operator:
                self.add(node, PG.operator, iri(platform.operator))
            for link in platform.connects_to:
                self.relation(platform, PG.connectsTo, iri(link.id), link)
        for document in self.dataset.of(PolicyDocument):
            node = self.record(document, PG.PolicyDocument)
            self.labels(node, document.label, DCTERMS.title)
            self.add(node, PG.documentKind, concept_iri("document-kinds", document.kind))
            if document.number:
                self.add(node, ELI.id_local, Literal(document.number))
                self.add(node, PG.documentNumber, Literal(document.number_normalized))
            for issuer in document.issuer:
                self.add(node, DCTERMS.creator, iri(issuer))
            self.link_region(node, document.region)
        for brand in self.dataset.of(Brand):
            node = self.record(brand, PG.Brand)
            self.add(node, PG.brandKind, concept_iri("brand-kinds", brand.kind))
            self.link_region(node, brand.region)
        for event in self.dataset.of(Event):
            node = self.record(event, PG.Event)
            self.add(node, PG.eventKind, concept_iri("event-kinds", event.kind))
            self.link_region(node, event.region)
            for link in event.organizers:
                self.relation(event, SCHEMA.organizer, iri(link.id), link)
            for link in event.rewards:
                self.relation(event, PG.reward, iri(link.id), link)
        for indicator in self.dataset.of(Indicator):
            self.indicator(indicator)
        for arrangement in self.dataset.of(JointArrangement):
            self.arrangement(arrangement)
        self.statistics()
        return self.graph

    def metadata(self) -> None:
        meta = self.dataset.source_metadata
        source = self.source_iri
        self.add(source, RDF.type, PG.SourceDocument)
        self.labels(source, meta.title)
        self.labels(source, meta.title, DCTERMS.title)
        self.add(source, PG.sha256, Literal(meta.sha256))
        self.add(source, PG.fileName, Literal(meta.file))
        self.add(source, DCTERMS.language, Literal(meta.language))
        dataset = ID["dataset"]
        self.add(dataset, RDF.type, VOID.Dataset)
        self.add(dataset, RDF.type, DCAT.Dataset)
        self.add(dataset, RDFS.label, Literal("实践知识图谱", lang="zh"))
        self.add(dataset, RDFS.label, Literal("practice-graph", lang="en"))
        self.add(dataset, DCTERMS.source, source)
        self.add(dataset, DCTERMS.description, Literal(LABEL_NOTE, lang="en"))
        self.add(dataset, VOID.uriSpace, Literal(str(ID)))
        # The release (DCAT): code version + data release date, from data/release.yaml when there is one.
        for language, title in DATASET_TITLE.items():
            self.add(dataset, DCTERMS.title, Literal(title, lang=language))
        self.add(dataset, DCTERMS.license, DATA_LICENSE)
        self.add(dataset, DCTERMS.language, Literal("zh"))
        self.add(dataset, DCTERMS.language, Literal("en"))
        release = read_release(self.dataset.root, __version__)
        if release is not None:
            self.add(dataset, DCTERMS.issued, Literal(release.date.isoformat(), datatype=XSD.date))
            self.add(dataset, OWL.versionInfo, Literal(release.version))
            self.add(dataset, DCAT_VERSION, Literal(release.version))

    def statistics(self) -> None:
        """VoID statistics of the finished graph, counted before these statistics were added."""
        graph = self.graph
        dataset = ID["dataset"]
        counts = {
            VOID.triples: len(graph),
            VOID.entities: len(set(graph.subjects(DCTERMS.identifier))),  # the records, each with its id
            VOID.classes: len(set(graph.objects(None, RDF.type))),
            VOID.properties: len(set(graph.predicates())),
            VOID.distinctSubjects: len(set(graph.subjects())),
            VOID.distinctObjects: len(set(graph.objects())),
        }
        for predicate, count in counts.items():
            self.add(dataset, predicate, Literal(count, datatype=XSD.integer))

    def scheme(self, scheme: ConceptScheme) -> None:
        node = ID[scheme.id]
        self.add(node, RDF.type, SKOS.ConceptScheme)
        self.labels(node, scheme.label)
        self.labels(node, scheme.label, SKOS.prefLabel)
        self.lang_text(node, SKOS.definition, scheme.definition)
        for concept in scheme.concepts:
            self.concept(scheme.id, concept)

    def concept(self, scheme: str, concept: Concept) -> None:
        node = concept_iri(scheme, concept.id)
        self.add(node, RDF.type, SKOS.Concept)
        if scheme == "roles":
            self.add(node, RDF.type, ORG.Role)
        self.add(node, SKOS.inScheme, ID[scheme])
        self.add(node, SKOS.notation, Literal(concept.id))
        self.labels(node, concept.label)
        self.labels(node, concept.label, SKOS.prefLabel)
        self.lang_text(node, SKOS.definition, concept.definition)
        if concept.broader:
            self.add(node, SKOS.broader, concept_iri(scheme, concept.broader))
        else:
            self.add(node, SKOS.topConceptOf, ID[scheme])

    def mechanisms(self) -> None:
        scheme = ID[MECHANISM_SCHEME]
        self.add(scheme, RDF.type, SKOS.ConceptScheme)
        self.add(scheme, RDFS.label, Literal("机制分类", lang="zh"))
        self.add(scheme, RDFS.label, Literal("Mechanism taxonomy", lang="en"))
        for category in self.dataset.of(MechanismCategory):
            node = self.record(category, PG.MechanismCategory)
            self.add(node, RDF.type, SKOS.Concept)
            self.labels(node, category.label, SKOS.prefLabel)
            self.add(node, SKOS.inScheme, scheme)
            self.add(node, SKOS.topConceptOf, scheme)
            self.lang_text(node, SKOS.definition, category.definition)
        for mechanism in self.dataset.of(Mechanism):
            node = self.record(mechanism, PG.Mechanism)
            self.add(node, RDF.type, SKOS.Concept)
            self.labels(node, mechanism.label, SKOS.prefLabel)
            self.add(node, SKOS.inScheme, scheme)
            self.add(node, SKOS.broader, iri(mechanism.category))
            self.lang_text(node, SKOS.definition, mechanism.definition)

    def region(self, region: Region) -> None:
        node = self.record(region, PG.Region)
        self.add(node, PG.adminLevel, concept_iri("admin-levels", region.level))
        self.add(node, PG.regionKind, concept_iri("region-kinds", region.kind))
        self.add(node, PG.namedInSource, Literal(region.named_in_source))
        self.add(node, PG.withinProvince, iri(self.province_of(region.id)))
        if region.parent:
            self.add(node, SCHEMA.containedInPlace, iri(region.parent))
        if region.code:
            self.add(node, PG.adminCode, Literal(region.code))

    def indicator(self, indicator: Indicator) -> None:
        node = self.record(indicator, PG.Indicator)
        self.add(node, SCHEMA.value, decimal(indicator.value))
        if indicator.value_max is not None:
            self.add(node, SCHEMA.maxValue, decimal(indicator.value_max))
        self.add(node, PG.verbatim, Literal(indicator.verbatim))
        self.lang_text(node, SCHEMA.unitText, indicator.unit)
        if indicator.scale is not None:
            self.add(node, PG.scale, decimal(indicator.scale))
        if indicator.qualifier:
            self.add(node, PG.qualifier, Literal(indicator.qualifier))
        if indicator.kind:
            self.add(node, PG.indicatorKind, Literal(indicator.kind))
        if indicator.as_of:
            self.add(node, PG.asOf, date_literal(indicator.as_of))
        if indicator.as_of_verbatim:
            self.add(node, PG.asOfVerbatim, Literal(indicator.as_of_verbatim))
        if indicator.period_start:
            self.add(node, PG.periodStart, date_literal(indicator.period_start))
        self.link_region(node, indicator.region)
        if indicator.subject:
            self.add(node, PG.about, iri(indicator.subject))

    def arrangement(self, arrangement: JointArrangement) -> None:
        node = self.record(arrangement, PG.JointArrangement)
        self.add(node, PG.arrangementKind, concept_iri("arrangement-kinds", arrangement.kind))
        self.link_region(node, arrangement.region)
        self.add(node, PG.practice, iri(arrangement.practice))
        for participant in arrangement.participants:
            membership = ID[f"{arrangement.id}/member/{participant.id}"]
            self.add(node, ORG.hasMembership, membership)
            self.add(membership, RDF.type, PG.Participation)
            self.add(membership, ORG.member, iri(participant.id))
            self.add(membership, ORG.organization, node)
            if participant.role:
                self.add(membership, ORG.role, concept_iri("roles", participant.role))
            practice = participant.practice or arrangement.practice
            self.add(membership, PROV.wasDerivedFrom, self.evidence(participant.quote, practice))


def decimal(value: Decimal) -> Literal:
    """A canonical xsd:decimal literal (no exponent, no trailing zeros)."""
    text = format(value.normalize(), "f")
    if "." not in text:
        text += ".0"
    return Literal(text, datatype=XSD.decimal)


def date_literal(value: str) -> Literal:
    """``YYYY`` as xsd:gYear, ``YYYY-MM-DD`` as xsd:date."""
    return Literal(value, datatype=XSD.gYear if len(value) == 4 else XSD.date)


def build_graph(dataset: Dataset) -> Graph:
    """The RDF graph of a validated dataset."""
    return GraphBuilder(dataset).build()
