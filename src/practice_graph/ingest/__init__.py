"""Ingest a list of practices in the source's format into draft YAML for curation.

The stages, one module each (imports point down the list):

1. :mod:`.text` reads the file (one-line errors); the list format itself is read in tolerant
   mode by :mod:`practice_graph.curation.listformat`, the reader the curated build uses in strict mode;
2. :mod:`.skeleton` drafts tasks, measures and practices, :mod:`.regions` each practice's leading region;
3. :mod:`.entities` finds candidate entities (:mod:`.documents`, :mod:`.names`, :mod:`.bodies`,
   :mod:`.figures`, on the runs of :mod:`.runs`), each with its quote and offsets (0-based, end exclusive);
4. :mod:`.compare` compares the draft with the curated data, :mod:`.report` writes ``report.md``
   and :mod:`.drafts` the draft YAML.

Nothing here is curated data: every draft record carries ``draft: true`` and ``en: TODO``, which
``practice_graph.curation.load`` refuses, so a draft cannot enter ``data/`` unreviewed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from practice_graph.core.progress import Phases, start
from practice_graph.curation.listformat import STRICT, ListFormatError, read_paragraphs
from practice_graph.curation.load import SOURCE_DIR, SOURCE_METADATA, load_dataset
from practice_graph.ingest.bodies import Gazetteer
from practice_graph.ingest.compare import (
    Recall,
    SkeletonDiff,
    candidate_recall,
    compare_candidates,
    compare_skeleton,
    curated_entities,
)
from practice_graph.ingest.drafts import DRAFT_FILES, draft_files
from practice_graph.ingest.entities import find_candidates
from practice_graph.ingest.regions import known_regions
from practice_graph.ingest.report import render_report
from practice_graph.ingest.runs import Candidate
from practice_graph.ingest.skeleton import Skeleton, attach_regions, parse_skeleton
from practice_graph.ingest.text import IngestError, read_list

REPORT_FILE = "report.md"

__all__ = [
    "DRAFT_FILES",
    "REPORT_FILE",
    "Candidate",
    "Gazetteer",
    "IngestError",
    "Ingested",
    "Skeleton",
    "attach_regions",
    "check_out_dir",
    "compare_candidates",
    "curated_entities",
    "find_candidates",
    "ingest",
    "known_regions",
    "parse_skeleton",
    "read_list",
    "strict_disagreement",
]


@dataclass
class Ingested:
    """Everything one ingest run produced, before writing."""

    source: Path
    sha256: str
    same_source: bool
    skeleton: Skeleton
    candidates: list[Candidate]
    skeleton_diffs: list[SkeletonDiff]
    recall: dict[str, Recall] | None  # only when the source is the curated one
    files: dict[str, bytes]


def strict_disagreement(text: str, skeleton: Skeleton, path: str) -> str | None:
    """Where the curated build's strict reading of ``text`` parts from the draft's practices, or None.

    A batch curated from such a list would fail validation: its paragraphs must first be written
    in the strict form (``<p>N. ...</p>``).
    """
    advice = "write its paragraphs as <p>N. ...</p> before curating"
    try:
        strict = read_paragraphs(text, STRICT, path)
    except ListFormatError as error:
        return f"{path}: the curated build cannot read this list ({error}): {advice}"
    for practice, paragraph in zip(skeleton.practices, strict, strict=False):
        if practice.paragraph != paragraph:
            return f"{path}:{practice.line}: the curated build reads practice {practice.id} differently: {advice}"
    if len(strict) != len(skeleton.practices):
        return (f"{path}: the curated build reads {len(strict)} practice paragraphs, the draft "
                f"{len(skeleton.practices)}: {advice}")
    return None


# The stages as a progress bar names them (``core.progress.Phases``).
INGEST_PHASES = ("read the list", "load the data", "candidates", "compare", "drafts")


def ingest(source: Path, data_dir: Path, phases: Phases | None = None) -> Ingested:
    """Read ``source``, draft its skeleton and candidates, compare with the data in ``data_dir``
    (each stage shown on ``phases``, one of :data:`INGEST_PHASES`, when given)."""
    start(phases, "read the list")
    text = read_list(source)
    skeleton = parse_skeleton(text, str(source))
    start(phases, "load the data")
    dataset = load_dataset(data_dir)
    attach_regions(skeleton, known_regions(dataset))
    disagreement = strict_disagreement(text, skeleton, str(source))
    if disagreement:
        skeleton.warnings.append(disagreement)
    start(phases, "candidates")
    candidates = find_candidates(skeleton, Gazetteer(dataset))
    start(phases, "compare")
    sha256 = hashlib.sha256(source.read_bytes()).hexdigest()
    same_source = sha256 == dataset.source.sha256
    entities = curated_entities(dataset)
    compare_candidates(candidates, entities, same_source)
    diffs = compare_skeleton(skeleton, dataset)
    recall = candidate_recall(candidates, entities) if same_source else None
    start(phases, "drafts")
    files = draft_files(source, sha256, skeleton, candidates)
    files[REPORT_FILE] = render_report(source, sha256, same_source, data_dir, skeleton, candidates, diffs,
                                       recall).encode("utf-8")
    return Ingested(source, sha256, same_source, skeleton, candidates, diffs, recall, files)


def check_out_dir(out_dir: Path, data_dir: Path) -> None:
    """Drafts never go into a curated data folder (they would replace skeleton.yaml and the rest)."""
    if out_dir.resolve() == data_dir.resolve() or (out_dir / SOURCE_DIR / SOURCE_METADATA).exists():
        raise IngestError(f"{out_dir}: a curated data folder; write drafts elsewhere (--out)")
