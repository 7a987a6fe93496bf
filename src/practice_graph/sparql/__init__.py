"""Stage 3, SPARQL: stores, named queries, remote endpoints and the read-only endpoint."""
