"""The namespaces of the graph, as strings, and the prefixes every output binds.

GENERATED from src/practice_graph/model/schema.yaml by `python -m practice_graph.model.generate`: do not edit.
"""

NAMESPACES: dict[str, str] = {
    "pg": "https://w3id.org/practice-graph/ontology#",
    "pgid": "https://w3id.org/practice-graph/id/",
    "org": "http://www.w3.org/ns/org#",
    "oa": "http://www.w3.org/ns/oa#",
    "eli": "http://data.europa.eu/eli/ontology#",
    "schema": "https://schema.org/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "prov": "http://www.w3.org/ns/prov#",
    "dcterms": "http://purl.org/dc/terms/",
    "dcat": "http://www.w3.org/ns/dcat#",
    "void": "http://rdfs.org/ns/void#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "sh": "http://www.w3.org/ns/shacl#",
    "pgs": "https://w3id.org/practice-graph/shapes#",
    "vann": "http://purl.org/vocab/vann/",
}
# bound in every output, in this order
BOUND: tuple[str, ...] = (
    "pg",
    "pgid",
    "org",
    "oa",
    "eli",
    "schema",
    "skos",
    "prov",
    "dcterms",
    "dcat",
    "void",
    "owl",
    "rdfs",
    "xsd",
)
