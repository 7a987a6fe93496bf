"""Stage 1, curation: the source text, the curated YAML as typed records, and their rules."""
