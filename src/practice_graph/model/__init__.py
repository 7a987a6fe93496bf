"""The model of the graph, declared once in ``schema.yaml``; generators for what derives from it."""
