"""The namespaces of the graph and the prefixes every output binds."""

from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import DCAT, DCTERMS, OWL, PROV, RDFS, SKOS, VOID, XSD

BASE = "https://w3id.org/practice-graph/"
PG = Namespace(BASE + "ontology#")
ID = Namespace(BASE + "id/")
ORG = Namespace("http://www.w3.org/ns/org#")
OA = Namespace("http://www.w3.org/ns/oa#")
ELI = Namespace("http://data.europa.eu/eli/ontology#")
SCHEMA = Namespace("https://schema.org/")

PREFIXES = {
    "pg": PG,
    "pgid": ID,
    "org": ORG,
    "oa": OA,
    "eli": ELI,
    "schema": SCHEMA,
    "skos": SKOS,
    "prov": PROV,
    "dcterms": DCTERMS,
    "dcat": DCAT,
    "void": VOID,
    "owl": OWL,
    "rdfs": RDFS,
    "xsd": XSD,
}
