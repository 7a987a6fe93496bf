"""Foundations every stage uses: paths, namespaces, atomic files."""
