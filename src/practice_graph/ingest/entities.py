"""Every candidate entity of a draft skeleton: documents, names, platforms, events, bodies and figures."""

from __future__ import annotations

from practice_graph.ingest.bodies import Gazetteer, find_bodies
from practice_graph.ingest.documents import find_documents
from practice_graph.ingest.figures import find_figures
from practice_graph.ingest.names import EVENT_SUFFIX, PLATFORM_SUFFIX, find_by_suffix, find_names
from practice_graph.ingest.runs import Candidate, practice_runs
from practice_graph.ingest.skeleton import Skeleton


def find_candidates(skeleton: Skeleton, gazetteer: Gazetteer) -> list[Candidate]:
    """Every candidate entity of every practice, in document order (one per kind and span)."""
    found: list[Candidate] = []
    for run in practice_runs(skeleton):
        documents = find_documents(run)
        numbers = [(c.start - run.start, c.end - run.start) for c in documents if c.kind == "document-number"]
        found += documents
        found += find_names(run)
        found += find_by_suffix(run, PLATFORM_SUFFIX, "platform")
        found += find_by_suffix(run, EVENT_SUFFIX, "event")
        found += find_bodies(run, gazetteer)
        found += find_figures(run, numbers)
    unique: dict[tuple[str, int, int], Candidate] = {}
    for candidate in found:
        unique.setdefault((candidate.kind, candidate.start, candidate.end), candidate)
    return sorted(unique.values(), key=lambda c: (c.start, c.end, c.kind))
