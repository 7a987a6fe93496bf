"""Turn a validated Dataset into an RDF graph (rdflib terms).

IRIs are stable and readable: every record is ``{BASE}id/{id}``, a concept
``{BASE}id/{scheme}/{concept}``, a quote ``{BASE}id/evidence/{start}-{end}`` (character offsets
in the source). Every node carries ``rdfs:label`` in ``@zh`` (as written) and ``@en`` (a
curators' translation). A fact's evidence is a Web Annotation whose selectors pin the quote in
the hashed source; a relation that has its own quote is reified as an ``rdf:Statement`` derived
from that quote.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib import namespace as rdflib_namespaces

from practice_graph import __version__
from practice_graph.core import namespaces
from practice_graph.core.namespaces import ID
from practice_graph.curation.load import Dataset
from practice_graph.curation.records import Item, Record
from practice_graph.curation.release import read_release
from practice_graph.curation.validate import home_practice, practice_paragraphs
from practice_graph.model.schema import Class, Model, Slot


class Terms:
    """A namespace whose terms are looked up once each: rdflib makes a new URIRef, or checks a closed
    namespace, at every attribute read (a third of the build's time went there)."""

    def __init__(self, namespace: Any) -> None:
        self._namespace = namespace

    def __getattr__(self, name: str) -> URIRef:
        term = URIRef(getattr(self._namespace, name))  # a term a closed namespace lacks raises here
        setattr(self, name, term)
        return term


RDF, RDFS, XSD, DCAT, DCTERMS, OWL, PROV, SKOS, VOID = (
    Terms(getattr(rdflib_namespaces, name)) for name in ("RDF", "RDFS", "XSD", "DCAT", "DCTERMS", "OWL", "PROV", "SKOS",
                                                         "VOID"))
OA, PG = Terms(namespaces.OA), Terms(namespaces.PG)
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
DCAT_VERSION = URIRef(str(rdflib_namespaces.DCAT) + "version")  # DCAT 3; rdflib's DCAT namespace is DCAT 2


def iri(record_id: str) -> URIRef:
    """The IRI of a record."""
    return ID[record_id]


def concept_iri(scheme: str, concept: str) -> URIRef:
    """The IRI of a concept in a scheme."""
    return ID[f"{scheme}/{concept}"]


Triple = tuple[URIRef, URIRef, URIRef | Literal]


class GraphBuilder:
    """Collects the triples of one Dataset (rdflib terms in a set: a set takes a tenth of the time an
    rdflib Graph takes per triple), slot by slot as the model declares them.

    Hand-written here only what the model cannot say: evidence nodes and their selectors, the
    reification of a quoted relation, the region roll-up to provinces (``pg:withinProvince``),
    ``pg:mentions``, the links derived from mechanism uses (``pg:usesMechanism`` and one of
    ``pg:adopts`` ... ``pg:monitors``) and a mechanism's category (``pg:mechanismCategory``), the
    SKOS taxonomies and the dataset's own metadata.
    """

    def __init__(self, dataset: Dataset) -> None:
        self.dataset = dataset
        self.model = dataset.model
        self.triples: set[Triple] = set()
        self.narrower: set[URIRef] = set()  # the subjects of skos:broader
        self.namespaces = as_graph((), self.model).namespace_manager  # the graph's prefixes, for local names
        self.paragraphs = practice_paragraphs(dataset)
        self.source_iri = iri(dataset.source_metadata.id)
        self.regions = {r.id: r for r in dataset.of("Region")}
        self.mechanisms = {m.id: m for m in dataset.of("Mechanism")}
        self._terms: dict[str, URIRef] = {}

    # ------------------------------------------------------------------ helpers
    def add(self, *triple: Any) -> None:
        self.triples.add(triple)
        if triple[1] == SKOS.broader:
            self.narrower.add(triple[0])

    def term(self, curie: str) -> URIRef:
        """The IRI of a term of the model (``prefix:local``)."""
        if curie not in self._terms:
            self._terms[curie] = URIRef(self.model.expand(curie))
        return self._terms[curie]

    def labels(self, node: URIRef, label: Any, predicate: URIRef = RDFS.label) -> None:
        self.add(node, predicate, Literal(label.zh, lang="zh"))
        self.add(node, predicate, Literal(label.en, lang="en"))

    def evidence(self, quote: str, practice: str | None) -> URIRef:
        """The Web Annotation node of one quote (created once, shared by every fact it states)."""
        if practice is None:
            start, end = self.dataset.source.find(quote)  # type: ignore[misc]
        else:
            start, end = self.paragraphs[practice].find(quote)
        node = ID[f"evidence/{start}-{end}"]
        if (node, RDF.type, PG.Evidence) in self.triples:
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

    def relation(self, record: Record, predicate: URIRef, target: URIRef, link: Any) -> None:
        """Add ``record predicate target``; reify it when the link carries its own quote."""
        subject = iri(record.id)
        self.add(subject, predicate, target)
        if getattr(link, "quote", None) is None:
            return
        practice = getattr(link, "practice", None) or home_practice(self.model, record)
        local = self.namespaces.compute_qname(str(predicate))[2]
        statement = ID[f"statement/{record.id}/{local}/{str(target).removeprefix(str(ID))}"]
        self.add(statement, RDF.type, RDF.Statement)
        self.add(statement, RDF.subject, subject)
        self.add(statement, RDF.predicate, predicate)
        self.add(statement, RDF.object, target)
        self.add(statement, PROV.wasDerivedFrom, self.evidence(link.quote, practice))

    def province_of(self, region_id: str) -> str:
        region = self.regions[region_id]
        while region.parent is not None:
            region = self.regions[region.parent]
        return region.id

    def category_of(self, mechanism_id: str) -> str:
        """The category a mechanism falls under: its broader concepts followed up to a top concept."""
        seen = {mechanism_id}
        broader = self.mechanisms[mechanism_id].broader
        while broader in self.mechanisms and broader not in seen:
            seen.add(broader)
            broader = self.mechanisms[broader].broader
        return broader

    def mechanism_links(self, record: Record) -> None:
        """The links a practice's mechanism uses imply: ``pg:usesMechanism`` (reified with the use's
        quote) and the relation's own predicate, the derived slot named after it (``pg:adopts`` ...)."""
        for use in record.mechanisms:
            target = iri(use.id)
            self.relation(record, PG.usesMechanism, target, use)
            self.add(iri(record.id), self.term(self.model.slots[use.use].uri), target)  # type: ignore[arg-type]

    # ------------------------------------------------------------------ the model's slots
    def record(self, cls: Class, record: Record) -> URIRef:
        """One record: its class, every slot's triples, and what the build derives."""
        node = iri(record.id)
        self.add(node, RDF.type, self.term(cls.uri))  # type: ignore[arg-type]
        if cls.in_scheme:
            self.add(node, RDF.type, SKOS.Concept)
            self.add(node, SKOS.inScheme, ID[cls.in_scheme])
        self.slots(node, cls, record, record)
        if cls.in_scheme and node not in self.narrower:
            self.add(node, SKOS.topConceptOf, ID[cls.in_scheme])
        if cls.name == "Region":
            self.add(node, PG.withinProvince, iri(self.province_of(record.id)))
        if cls.name == "Practice":
            self.mechanism_links(record)
        if cls.name == "Mechanism":
            self.add(node, PG.mechanismCategory, iri(self.category_of(record.id)))
        return node

    def slots(self, node: URIRef, cls: Class, item: Item, record: Record) -> None:
        """The triples of every slot of ``item`` (a record, or an item inlined in ``record``)."""
        for slot in cls.slots:
            if slot.derived or not slot.predicates:
                continue
            value = getattr(item, slot.key)
            for one in value if slot.multivalued else [value]:
                if one is not None:
                    for predicate in slot.predicates:
                        self.value(node, self.term(predicate), slot, one, item, record)

    def value(self, node: URIRef, predicate: URIRef, slot: Slot, value: Any, item: Item, record: Record) -> None:
        """The triples of one value of a slot."""
        model = self.model
        inner = model.range_class(slot)
        if slot.scheme is not None:
            self.add(node, predicate, concept_iri(slot.scheme, value))
        elif model.is_reference(slot):
            target = iri(value.id if slot.quoted else value)
            if slot.quoted:
                self.relation(record, predicate, target, value)
            else:
                self.add(node, predicate, target)
        elif inner is not None and inner.form == "langstring":
            for language in inner.slots:
                text = getattr(value, language.key)
                if text:
                    self.add(node, predicate, Literal(text, lang=language.key))
        elif inner is not None and inner.form == "evidence":
            self.add(node, predicate, self.evidence(value.quote, value.practice))
            if value.practice and value.practice != record.id:
                self.add(iri(value.practice), PG.mentions, node)
        elif inner is not None and inner.form == "node":
            child_id = inner.iri.format(owner=record.id, **{s.key: getattr(value, s.key)  # type: ignore[union-attr]
                                                             for s in inner.slots if not s.derived})
            child = ID[child_id]
            self.add(node, predicate, child)
            self.add(child, RDF.type, self.term(inner.uri))  # type: ignore[arg-type]
            self.add(child, DCTERMS.identifier, Literal(child_id))  # views read ids, never parse IRIs
            for back in inner.slots:
                if back.derived and back.uri and back.range == (record.kind_name,):  # the link to its owner
                    self.add(child, self.term(back.uri), node)
            self.slots(child, inner, value, record)
        elif slot.range[0] in model.enums:
            self.add(node, predicate, Literal(value))
        elif slot.range[0] == "quote":  # a quote that states the node (an arrangement's anchor): a source too
            practice = getattr(item, "practice", None) or home_practice(model, record)
            self.add(node, predicate, self.evidence(value, practice))
            self.add(node, PROV.wasDerivedFrom, self.evidence(value, practice))
        else:
            self.add(node, predicate, literal(model.types[slot.range[0]].base, value, slot.lang))

    # ------------------------------------------------------------------ the whole graph
    def build(self) -> set[Triple]:
        self.metadata()
        for scheme in self.dataset.schemes:
            self.scheme(scheme)
        for scheme_id, names in self.model.schemes.items():
            node = ID[scheme_id]
            self.add(node, RDF.type, SKOS.ConceptScheme)
            self.add(node, DCTERMS.identifier, Literal(scheme_id))
            self.labels(node, names)
        for cls in self.model.records():
            for record in self.dataset.of(cls.name):
                self.record(cls, record)
        self.statistics()
        return self.triples

    def metadata(self) -> None:
        meta = self.dataset.source_metadata
        source_class = self.model.classes["SourceDocument"]
        self.add(self.source_iri, RDF.type, self.term(source_class.uri))  # type: ignore[arg-type]
        self.slots(self.source_iri, source_class, meta, meta)
        self.add(self.source_iri, DCTERMS.identifier, Literal(meta.id))
        dataset = ID["dataset"]
        self.add(dataset, RDF.type, VOID.Dataset)
        self.add(dataset, RDF.type, DCAT.Dataset)
        self.add(dataset, DCTERMS.identifier, Literal("dataset"))
        self.add(dataset, RDFS.label, Literal("实践知识图谱", lang="zh"))
        self.add(dataset, RDFS.label, Literal("practice-graph", lang="en"))
        self.add(dataset, DCTERMS.source, self.source_iri)
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
        dataset = ID["dataset"]
        triples = list(self.triples)  # the counts read this copy: the statistics are added to the set
        by_predicate: dict[URIRef, list[Triple]] = {}
        for triple in triples:
            by_predicate.setdefault(triple[1], []).append(triple)
        counts = {
            VOID.triples: len(triples),
            VOID.entities: len({s for s, _, _ in by_predicate.get(DCTERMS.identifier, [])}),  # records: each has an id
            VOID.classes: len({o for _, _, o in by_predicate.get(RDF.type, [])}),
            VOID.properties: len(by_predicate),
            VOID.distinctSubjects: len({s for s, _, _ in triples}),
            VOID.distinctObjects: len({o for _, _, o in triples}),
        }
        for predicate, count in counts.items():
            self.add(dataset, predicate, Literal(count, datatype=XSD.integer))

    def scheme(self, scheme: Any) -> None:
        node = ID[scheme.id]
        self.add(node, RDF.type, SKOS.ConceptScheme)
        self.add(node, DCTERMS.identifier, Literal(scheme.id))
        self.labels(node, scheme.label)
        self.labels(node, scheme.label, SKOS.prefLabel)
        self.lang_text(node, SKOS.definition, scheme.definition)
        concept_types = sorted({self.term(slot.concept_type) for cls in self.model.classes.values()
                                for slot in cls.slots if slot.scheme == scheme.id and slot.concept_type})
        for concept in scheme.concepts:
            self.concept(scheme.id, concept, concept_types)

    def lang_text(self, node: URIRef, predicate: URIRef, text: Any) -> None:
        for language in ("zh", "en"):
            if text is not None and getattr(text, language, None):
                self.add(node, predicate, Literal(getattr(text, language), lang=language))

    def concept(self, scheme: str, concept: Any, concept_types: list[URIRef]) -> None:
        node = concept_iri(scheme, concept.id)
        self.add(node, RDF.type, SKOS.Concept)
        for concept_type in concept_types:
            self.add(node, RDF.type, concept_type)
        self.add(node, SKOS.inScheme, ID[scheme])
        self.add(node, DCTERMS.identifier, Literal(f"{scheme}/{concept.id}"))
        self.add(node, SKOS.notation, Literal(concept.id))
        self.labels(node, concept.label)
        self.labels(node, concept.label, SKOS.prefLabel)
        self.lang_text(node, SKOS.definition, concept.definition)
        if concept.broader:
            self.add(node, SKOS.broader, concept_iri(scheme, concept.broader))
        else:
            self.add(node, SKOS.topConceptOf, ID[scheme])


def literal(base: str, value: Any, language: str | None = None) -> Literal:
    """The literal of a value of a model type (by its base: str, int, bool, decimal, date)."""
    if base == "decimal":
        return decimal(value)
    if base == "date":
        return date_literal(value)
    return Literal(value, lang=language) if language else Literal(value)


def decimal(value: Decimal) -> Literal:
    """A canonical xsd:decimal literal (no exponent, no trailing zeros)."""
    text = format(value.normalize(), "f")
    if "." not in text:
        text += ".0"
    return Literal(text, datatype=XSD.decimal)


def date_literal(value: str) -> Literal:
    """``YYYY`` as xsd:gYear, ``YYYY-MM-DD`` as xsd:date."""
    return Literal(value, datatype=XSD.gYear if len(value) == 4 else XSD.date)


def build_triples(dataset: Dataset) -> set[Triple]:
    """The triples of a validated dataset's graph, as rdflib terms."""
    return GraphBuilder(dataset).build()


def as_graph(triples: Iterable[Triple], model: Model) -> Graph:
    """An rdflib Graph holding ``triples``, with the prefixes ``model`` binds."""
    graph = Graph()
    for prefix in model.prefixes.values():
        if prefix.bind:
            graph.bind(prefix.name, Namespace(prefix.iri), override=True)
    for triple in triples:
        graph.add(triple)
    return graph


def build_graph(dataset: Dataset) -> Graph:
    """The RDF graph of a validated dataset."""
    return as_graph(build_triples(dataset), dataset.model)
