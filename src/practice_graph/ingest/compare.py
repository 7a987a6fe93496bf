"""The draft against the curated data: candidate status (matches, differs, new), recall, skeleton diffs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from practice_graph.curation.load import (
    Agency,
    Brand,
    Dataset,
    Event,
    Indicator,
    Measure,
    Organization,
    Platform,
    PolicyDocument,
    Practice,
    Record,
    WorkTask,
)
from practice_graph.curation.source import Paragraph
from practice_graph.curation.validate import practice_paragraphs
from practice_graph.ingest.runs import Candidate
from practice_graph.ingest.skeleton import Skeleton
from practice_graph.ingest.text import normalize

QUOTE_MARKS = "“”\"「」『』"
CANDIDATE_FAMILY = {"document": {"document"}, "document-number": {"document-number"}, "figure": {"figure"},
                    "body": {"body"}, "platform": {"platform", "brand", "event", "name"},
                    "brand": {"platform", "brand", "event", "name"}, "event": {"platform", "brand", "event", "name"}}
RECALL_KINDS = ("document", "document-number", "platform", "brand", "event", "figure", "body")


def key(text: str) -> str:
    """Comparison key of a name: normalised, without quotation marks around the whole."""
    text = normalize(text)
    if len(text) > 2 and text[0] in QUOTE_MARKS and text[-1] in QUOTE_MARKS and text.count("“") <= 1:
        text = text[1:-1]
    return text


@dataclass
class CuratedEntity:
    """A curated record a candidate can be compared with."""

    kind: str  # document | document-number | platform | brand | event | figure | body
    id: str
    key: str
    practices: tuple[str, ...]
    spans: tuple[tuple[int, int], ...] = ()  # figures: where the verbatim stands (same source only)


def _practices_of(record: Record) -> tuple[str, ...]:
    return tuple(sorted({e.practice for e in record.evidence if e.practice}))


def _curated_paragraphs(dataset: Dataset) -> dict[str, Paragraph]:
    """Each curated practice's paragraph, when the curated skeleton covers the source one to one."""
    if len(dataset.of(Practice)) != len(dataset.source.paragraphs):
        return {}
    return practice_paragraphs(dataset)


def curated_entities(dataset: Dataset) -> list[CuratedEntity]:
    """The curated records of every candidate kind, with their keys and practices."""
    entities: list[CuratedEntity] = []
    for cls, kind in ((PolicyDocument, "document"), (Platform, "platform"), (Brand, "brand"), (Event, "event"),
                      (Agency, "body"), (Organization, "body")):
        for record in dataset.of(cls):
            entities.append(CuratedEntity(kind, record.id, key(record.label.zh), _practices_of(record)))
            number = getattr(record, "number_normalized", None)
            if kind == "document" and number:
                entities.append(CuratedEntity("document-number", record.id, normalize(number), _practices_of(record)))
    practice_paragraph = _curated_paragraphs(dataset)
    for record in dataset.of(Indicator):
        verbatim: str = getattr(record, "verbatim", "")
        spans = []
        for evidence in record.evidence:
            paragraph = practice_paragraph.get(evidence.practice or "")
            located = paragraph.find(evidence.quote) if paragraph else None
            if located:
                inner = evidence.quote.find(verbatim)
                if inner >= 0:
                    spans.append((located[0] + inner, located[0] + inner + len(verbatim)))
        entities.append(CuratedEntity("figure", record.id, normalize(verbatim), _practices_of(record), tuple(spans)))
    return entities


def _compare_figure(candidate: Candidate, figures: list[CuratedEntity]) -> None:
    overlapping = [e for e in figures if candidate.practice in e.practices
                   and any(s < candidate.end and candidate.start < t for s, t in e.spans)]
    if overlapping:
        candidate.matches = sorted(e.id for e in overlapping)
        exact = [e for e in overlapping if e.key == normalize(candidate.text)]
        candidate.status = "matches" if exact else "differs"
        if not exact:
            candidate.detail = "curated verbatim: " + ", ".join(sorted(e.key for e in overlapping))


def compare_candidates(candidates: list[Candidate], entities: list[CuratedEntity], same_source: bool) -> None:
    """Set each candidate's status: matches (a curated record of its kind), differs, or new."""
    by_key: dict[str, list[CuratedEntity]] = {}
    for entity in entities:
        by_key.setdefault(entity.key, []).append(entity)
    figures = [e for e in entities if e.kind == "figure"]
    for candidate in candidates:
        candidate.matches, candidate.status, candidate.detail = [], "new", ""
        if candidate.kind == "figure":
            if same_source:
                _compare_figure(candidate, figures)
            continue
        if candidate.kind == "document-number":
            lookup = normalize(candidate.fields["number_normalized"])
        else:
            lookup = key(candidate.text)
        known = [e for e in by_key.get(lookup, []) if candidate.kind in CANDIDATE_FAMILY[e.kind]]
        if same_source:  # the same list: a match must be in the candidate's practice
            known = [e for e in known if candidate.practice in e.practices or not e.practices]
        elif candidate.kind == "body" and candidate.fields.get("gazetteer_ids"):
            if not candidate.fields.get("in_region"):
                candidate.detail = "a body of this name is curated elsewhere: " + ", ".join(
                    candidate.fields["gazetteer_ids"])
                continue
            known = [e for e in known if e.id in candidate.fields["gazetteer_ids"]]
        if not known:
            continue
        candidate.matches = sorted({e.id for e in known})
        same_kind = [e for e in known if e.kind == candidate.kind]
        if same_kind or candidate.kind == "name":
            candidate.status = "matches"
            if candidate.kind == "name":
                candidate.detail = "curated as " + ", ".join(sorted({e.kind for e in known}))
        else:
            candidate.status = "differs"
            candidate.detail = "curated as " + ", ".join(sorted({e.kind for e in known}))
        if candidate.kind == "document" and "number_normalized" in candidate.fields:
            numbers = {e.key for e in entities if e.kind == "document-number" and e.id in candidate.matches}
            if numbers and normalize(candidate.fields["number_normalized"]) not in numbers:
                candidate.status = "differs"
                candidate.detail = "curated number: " + ", ".join(sorted(numbers))


@dataclass
class Recall:
    """How many curated records of one kind some candidate found."""

    kind: str
    total: int
    found: int
    exact: int
    missed: list[str]

    @property
    def rate(self) -> float:
        return self.found / self.total if self.total else 1.0


def candidate_recall(candidates: list[Candidate], entities: list[CuratedEntity]) -> dict[str, Recall]:
    """Per kind: how many curated records some candidate found, in one of their practices.

    Names are found whatever kind the candidate was guessed as; a figure is found when a candidate
    overlaps where its verbatim stands (``exact``: the candidate's text is the verbatim).
    """
    by_practice: dict[str, list[Candidate]] = {}
    for candidate in candidates:
        by_practice.setdefault(candidate.practice, []).append(candidate)
    results: dict[str, Recall] = {}
    for kind in RECALL_KINDS:
        wanted = [e for e in entities if e.kind == kind]
        found = exact = 0
        missed = []
        for entity in wanted:
            pool = [c for p in entity.practices for c in by_practice.get(p, []) if c.kind in CANDIDATE_FAMILY[kind]]
            if kind == "figure":
                hits = [c for c in pool if any(s < c.end and c.start < t for s, t in entity.spans)]
                strict = [c for c in hits if normalize(c.text) == entity.key]
            elif kind == "document-number":
                hits = strict = [c for c in pool if normalize(c.fields["number_normalized"]) == entity.key]
            else:
                hits = strict = [c for c in pool if key(c.text) == entity.key]
            found += bool(hits)
            exact += bool(strict)
            if not hits:
                missed.append(entity.id)
        results[kind] = Recall(kind, len(wanted), found, exact, missed)
    return results


@dataclass
class SkeletonDiff:
    """One draft task, measure or practice against the curated record with its id."""

    id: str
    status: str  # matches | differs | new | missing
    detail: str = ""


def compare_skeleton(skeleton: Skeleton, dataset: Dataset) -> list[SkeletonDiff]:
    """Each draft task, measure and practice against the curated one with the same id."""
    curated = {r.id: r for cls in (WorkTask, Measure, Practice) for r in dataset.of(cls)}
    diffs: list[SkeletonDiff] = []
    drafted: list[tuple[str, dict[str, Any]]] = []
    for task in skeleton.tasks:
        drafted.append((task.id, {"number": task.number, "label": task.label, "quote": task.label}))
    for measure in skeleton.measures:
        drafted.append((measure.id, {"number": measure.number, "label": measure.label, "task": measure.task.id,
                                     "quote": measure.label}))
    for practice in skeleton.practices:
        drafted.append((practice.id, {"number": practice.number, "label": practice.label,
                                      "measure": practice.measure.id, "quote": practice.heading_quote,
                                      "region": practice.region.region_id if practice.region else None}))
    for record_id, fields in drafted:
        record = curated.get(record_id)
        if record is None:
            diffs.append(SkeletonDiff(record_id, "new"))
            continue
        theirs = {"number": getattr(record, "number", None), "label": record.label.zh,
                  "quote": record.evidence[0].quote if record.evidence else None}
        for name in ("task", "measure", "region"):
            if hasattr(record, name):
                theirs[name] = getattr(record, name)
        different = [f"{name}: draft {fields[name]!r}, curated {theirs[name]!r}"
                     for name in fields if name in theirs and fields[name] != theirs[name]]
        diffs.append(SkeletonDiff(record_id, "differs" if different else "matches", "; ".join(different)))
    drafted_ids = {record_id for record_id, _ in drafted}
    diffs += [SkeletonDiff(record_id, "missing") for record_id in sorted(curated) if record_id not in drafted_ids]
    return diffs
