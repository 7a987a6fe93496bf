"""Stage 2, RDF: the graph built from a validated dataset, its serialisations and SHACL."""
