"""practice-graph: a source-grounded knowledge graph of Chinese construction-workforce policy practice."""

__version__ = "0.2.0"
