"""Stage 4, views: what people read, all computed from the graph through SPARQL."""
