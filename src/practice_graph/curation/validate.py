"""Rules the curated data must keep, checked before anything is built.

Each check yields :class:`~practice_graph.curation.load.DataError` problems that name the file, the line,
the field and the value, so that one run lists every bad record. SHACL over the built RDF is
:func:`shacl_problems`.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterator
from typing import Any

from practice_graph.curation.load import (
    Agency,
    Brand,
    DataError,
    Dataset,
    Event,
    Indicator,
    JointArrangement,
    Link,
    Measure,
    Mechanism,
    MechanismCategory,
    Organization,
    Participant,
    Platform,
    PolicyDocument,
    Practice,
    Record,
    Region,
    WorkTask,
    normalize_document_number,
)

BODY_KINDS = ("Agency", "Organization")
LEVEL_ORDER = {"province": 0, "prefecture": 1, "county": 2, "township": 3}

# (record class, field) -> kinds of record the field may point at
REFERENCES: dict[tuple[type[Record], str], tuple[str, ...]] = {
    (Measure, "task"): ("WorkTask",),
    (Practice, "measure"): ("Measure",),
    (Practice, "region"): ("Region",),
    (Practice, "mechanisms"): ("Mechanism",),
    (Practice, "worker_sources"): ("Region",),
    (Region, "parent"): ("Region",),
    (Agency, "region"): ("Region",),
    (Organization, "region"): ("Region",),
    (Platform, "region"): ("Region",),
    (Platform, "operator"): BODY_KINDS,
    (Platform, "connects_to"): ("Platform",),
    (PolicyDocument, "issuer"): BODY_KINDS,
    (PolicyDocument, "region"): ("Region",),
    (Brand, "region"): ("Region",),
    (Event, "region"): ("Region",),
    (Event, "organizers"): (*BODY_KINDS, "Region"),
    (Event, "rewards"): ("Brand",),
    (Indicator, "region"): ("Region",),
    (Indicator, "subject"): (
        "Organization",
        "Agency",
        "Platform",
        "Event",
        "Brand",
        "PolicyDocument",
        "Region",
        "JointArrangement",
        "Practice",
    ),
    (Mechanism, "category"): ("MechanismCategory",),
    (JointArrangement, "region"): ("Region",),
    (JointArrangement, "practice"): ("Practice",),
    (JointArrangement, "participants"): (*BODY_KINDS, "Region"),
}

# (record class, field) -> concept scheme of its value
TAXONOMY_FIELDS: dict[tuple[type[Record], str], str] = {
    (Region, "level"): "admin-levels",
    (Region, "kind"): "region-kinds",
    (Agency, "department_type"): "department-types",
    (Agency, "level"): "admin-levels",
    (Organization, "kind"): "organization-kinds",
    (Platform, "kind"): "platform-kinds",
    (PolicyDocument, "kind"): "document-kinds",
    (Brand, "kind"): "brand-kinds",
    (Event, "kind"): "event-kinds",
    (JointArrangement, "kind"): "arrangement-kinds",
}


def practice_order(dataset: Dataset) -> list[Practice]:
    """Practices in the source's order: by task number, measure number, practice number."""
    measures = {m.id: m for m in dataset.of(Measure)}
    tasks = {t.id: t for t in dataset.of(WorkTask)}

    def key(practice: Practice) -> tuple[int, int, int]:
        measure = measures.get(practice.measure)
        task = tasks.get(measure.task) if measure else None
        return (task.number if task else 0, measure.number if measure else 0, practice.number)

    return sorted(dataset.of(Practice), key=key)


def practice_paragraphs(dataset: Dataset) -> dict[str, Any]:
    """Map practice id to its paragraph in the source (by document order)."""
    return {
        practice.id: paragraph
        for practice, paragraph in zip(practice_order(dataset), dataset.source.paragraphs, strict=False)
    }


def _problem(dataset: Dataset, record: Any, field: str, message: str, *loc: Any) -> DataError:
    position = dataset.position(record)
    record_id = getattr(record, "id", "")
    return DataError(position.file, position.line_of(*(loc or (field.split(".")[0],))), f"{record_id}.{field}", message)


def check_unique_ids(dataset: Dataset) -> Iterator[DataError]:
    """Ids are unique across all files (concepts: within their scheme)."""
    seen: dict[str, Record] = {}
    for record in dataset.all_records():
        if record.id in seen:
            first = dataset.position(seen[record.id])
            yield _problem(
                dataset,
                record,
                "id",
                f"duplicate id {record.id!r} (first defined at {first.file}:{first.line})",
                "id",
            )
        else:
            seen[record.id] = record
    scheme_ids = Counter(scheme.id for scheme in dataset.schemes)
    for scheme in dataset.schemes:
        if scheme_ids[scheme.id] > 1:
            yield _problem(dataset, scheme, "id", f"duplicate scheme id {scheme.id!r}", "id")
        concept_ids = Counter(concept.id for concept in scheme.concepts)
        for concept in scheme.concepts:
            if concept_ids[concept.id] > 1:
                yield _problem(dataset, concept, "id", f"duplicate concept id {concept.id!r} in {scheme.id}", "id")


def _targets(record: Record, field: str) -> list[tuple[str, tuple[Any, ...]]]:
    value = getattr(record, field)
    if value is None:
        return []
    if isinstance(value, list):
        out = []
        for index, item in enumerate(value):
            target = item.id if isinstance(item, Link | Participant) else item
            out.append((target, (field, index, "id") if isinstance(item, Link | Participant) else (field, index)))
        return out
    return [(value, (field,))]


def check_references(dataset: Dataset) -> Iterator[DataError]:
    """Every reference points at an existing record of an allowed kind."""
    kind_of = {record.id: type(record).kind_name for record in dataset.all_records()}
    for (cls, field), allowed in REFERENCES.items():
        for record in dataset.of(cls):
            for target, loc in _targets(record, field):
                if target not in kind_of:
                    yield _problem(dataset, record, field, f"unknown reference {target!r}", *loc)
                elif kind_of[target] not in allowed:
                    yield _problem(
                        dataset,
                        record,
                        field,
                        f"{target!r} is a {kind_of[target]}, expected {' or '.join(allowed)}",
                        *loc,
                    )


def check_taxonomy_values(dataset: Dataset) -> Iterator[DataError]:
    """Every taxonomy value is a concept of its scheme; roles come from the roles scheme."""
    for (cls, field), scheme in TAXONOMY_FIELDS.items():
        concepts = dataset.concepts(scheme)
        for record in dataset.of(cls):
            value = getattr(record, field)
            if value is not None and value not in concepts:
                yield _problem(dataset, record, field, f"{value!r} is not in the {scheme} taxonomy")
    roles = dataset.concepts("roles")
    for arrangement in dataset.of(JointArrangement):
        for index, participant in enumerate(arrangement.participants):
            if participant.role is not None and participant.role not in roles:
                yield _problem(
                    dataset,
                    arrangement,
                    f"participants.{index}.role",
                    f"{participant.role!r} is not in the roles taxonomy",
                    "participants",
                    index,
                    "role",
                )
    for concept_scheme in dataset.schemes:
        ids = {concept.id for concept in concept_scheme.concepts}
        for concept in concept_scheme.concepts:
            if concept.broader is not None and concept.broader not in ids:
                yield _problem(dataset, concept, "broader", f"unknown broader concept {concept.broader!r}")


def _record_practices(record: Record) -> list[str]:
    practices = sorted({e.practice for e in record.evidence if e.practice})
    if isinstance(record, JointArrangement):
        return [record.practice]
    return practices


def check_quotes(dataset: Dataset) -> Iterator[DataError]:
    """Every quote is an exact substring of the source, inside its practice's paragraph."""
    paragraphs = practice_paragraphs(dataset)
    for record in dataset.all_records():
        exempt = isinstance(record, Region) and not record.named_in_source
        exempt = exempt or isinstance(record, MechanismCategory | Mechanism)
        if not record.evidence and not exempt:
            yield _problem(dataset, record, "evidence", "no evidence: every record needs a quote")
        if isinstance(record, Region) and not record.named_in_source and record.evidence:
            yield _problem(dataset, record, "evidence", "a region not named in the source has no quote")
        for index, evidence in enumerate(record.evidence):
            loc = ("evidence", index, "quote")
            if evidence.practice is None:
                if isinstance(record, WorkTask | Measure):
                    if dataset.source.find(evidence.quote) is None:
                        yield _problem(
                            dataset,
                            record,
                            f"evidence.{index}.quote",
                            f"quote not found in the source: {evidence.quote!r}",
                            *loc,
                        )
                else:
                    yield _problem(
                        dataset,
                        record,
                        f"evidence.{index}.practice",
                        "evidence needs the practice it comes from",
                        "evidence",
                        index,
                    )
                continue
            yield from _check_quote(
                dataset, record, paragraphs, evidence.practice, evidence.quote, f"evidence.{index}.quote", loc
            )
        for field in ("mechanisms", "worker_sources", "connects_to", "organizers", "rewards", "participants"):
            items = getattr(record, field, None) or []
            for index, item in enumerate(items):
                if item.quote is None:
                    continue
                practice = item.practice or _single_practice(record)
                loc = (field, index, "quote")
                if practice is None:
                    yield _problem(
                        dataset,
                        record,
                        f"{field}.{index}.practice",
                        "the record spans several practices: say which one holds the quote",
                        field,
                        index,
                    )
                    continue
                yield from _check_quote(
                    dataset, record, paragraphs, practice, item.quote, f"{field}.{index}.quote", loc
                )
        if isinstance(record, Indicator):
            practices = _record_practices(record)
            for field in ("verbatim", "as_of_verbatim"):
                text = getattr(record, field)
                if text and not any(paragraphs.get(p) and paragraphs[p].find(text) for p in practices):
                    yield _problem(dataset, record, field, f"{text!r} is not in the record's practice")


def _single_practice(record: Record) -> str | None:
    if isinstance(record, Practice):
        return record.id
    practices = _record_practices(record)
    return practices[0] if len(practices) == 1 else None


def _check_quote(
    dataset: Dataset,
    record: Record,
    paragraphs: dict[str, Any],
    practice: str,
    quote: str,
    field: str,
    loc: tuple[Any, ...],
) -> Iterator[DataError]:
    if practice not in paragraphs:
        yield _problem(dataset, record, field, f"unknown practice {practice!r}", *loc)
    elif "<" in quote or ">" in quote:
        yield _problem(dataset, record, field, f"quote contains markup: {quote!r}", *loc)
    elif paragraphs[practice].find(quote) is None:
        where = "elsewhere in the source" if dataset.source.find(quote) else "anywhere in the source"
        yield _problem(
            dataset,
            record,
            field,
            f"quote not found in practice {practice} (nor {where}): {quote!r}"
            if "anywhere" in where
            else f"quote not found in practice {practice} (it stands {where}): {quote!r}",
            *loc,
        )


def check_skeleton(dataset: Dataset) -> Iterator[DataError]:
    """Practices match the source's numbered paragraphs one to one, in order."""
    ordered = practice_order(dataset)
    paragraphs = dataset.source.paragraphs
    if len(ordered) != len(paragraphs):
        anchor = ordered[0] if ordered else None
        if anchor is not None:
            yield _problem(
                dataset, anchor, "number", f"{len(ordered)} practices curated, the source has {len(paragraphs)}"
            )
    for practice, paragraph in zip(ordered, paragraphs, strict=False):
        if practice.number != paragraph.number:
            yield _problem(
                dataset,
                practice,
                "number",
                f"practice numbered {practice.number} stands where the source numbers {paragraph.number}",
            )
    numbered: tuple[tuple[type[Measure] | type[Practice], str], ...] = ((Measure, "task"), (Practice, "measure"))
    for cls, parent_field in numbered:
        seen: dict[tuple[str, int], Record] = {}
        for record in dataset.of(cls):
            key = (getattr(record, parent_field), record.number)
            if key in seen:
                yield _problem(dataset, record, "number", f"number {record.number} used twice in {key[0]}")
            seen[key] = record


def check_regions(dataset: Dataset) -> Iterator[DataError]:
    """The region hierarchy is acyclic, each parent is a level up, every region reaches a province."""
    regions = {r.id: r for r in dataset.of(Region)}
    for region in regions.values():
        seen = [region.id]
        current = region
        while current.parent is not None and current.parent in regions:
            parent = regions[current.parent]
            if parent.id in seen:
                yield _problem(dataset, region, "parent", f"cyclic parent chain: {' -> '.join([*seen, parent.id])}")
                break
            if LEVEL_ORDER.get(parent.level, 9) >= LEVEL_ORDER.get(current.level, 9):
                yield _problem(
                    dataset, current, "parent", f"parent {parent.id!r} ({parent.level}) is not above {current.level}"
                )
                break
            seen.append(parent.id)
            current = parent
        else:
            if current.level != "province" and current.parent is None:
                yield _problem(dataset, current, "parent", "a region below province level needs a parent")
        if region.level == "province" and region.parent is not None:
            yield _problem(dataset, region, "parent", "a province-level region has no parent")


def check_documents(dataset: Dataset) -> Iterator[DataError]:
    """A printed 文号 normalises to the curated normal form."""
    for document in dataset.of(PolicyDocument):
        if document.number is None:
            if document.number_normalized is not None:
                yield _problem(dataset, document, "number_normalized", "a normalised number needs the printed one")
            continue
        expected = normalize_document_number(document.number)
        if document.number_normalized != expected:
            yield _problem(
                dataset, document, "number_normalized", f"{document.number_normalized!r} should be {expected!r}"
            )


def check_sorted(dataset: Dataset) -> Iterator[DataError]:
    """Records in each file are sorted by id (practices, measures and tasks: by number)."""
    for kind, records in dataset.records.items():
        if kind in {"WorkTask", "Measure", "Practice"}:
            continue
        for before, after in itertools.pairwise(records):
            if after.id < before.id:
                yield _problem(
                    dataset, after, "id", f"records are not sorted by id ({after.id!r} after {before.id!r})", "id"
                )
                break


CHECKS = (
    check_unique_ids,
    check_references,
    check_taxonomy_values,
    check_skeleton,
    check_quotes,
    check_regions,
    check_documents,
    check_sorted,
)


def validate_dataset(dataset: Dataset) -> list[DataError]:
    """All problems found by the data rules, in file and line order."""
    problems = [problem for check in CHECKS for problem in check(dataset)]
    unique = {str(problem): problem for problem in problems}
    return sorted(unique.values(), key=lambda p: (p.file, p.line or 0, p.field))
