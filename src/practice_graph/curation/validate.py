"""Rules the curated data must keep, checked before anything is built.

Each check yields :class:`~practice_graph.curation.load.DataError` problems that name the file, the line,
the field and the value, so that one run lists every bad record. SHACL over the built RDF is
:func:`shacl_problems`.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from practice_graph.curation.codebook import CODEBOOK_CHECKS
from practice_graph.curation.codebook import problem as _problem
from practice_graph.curation.load import (
    DataError,
    Dataset,
    normalize_document_number,
    practice_order,
    practice_paragraphs,
)
from practice_graph.curation.mechanism_rules import MECHANISM_CHECKS
from practice_graph.curation.records import Record
from practice_graph.model.schema import Model, Slot

LEVEL_ORDER = {"province": 0, "prefecture": 1, "county": 2, "township": 3, "village": 4}


@dataclass(frozen=True)
class FieldRule:
    """One slot of one record kind, and where its values sit inside a record."""

    kind: str
    path: tuple[str, ...]  # YAML keys from the record down to the slot (through inlined items)
    slot: Slot


def _walk(model: Model, kind: str) -> Iterator[FieldRule]:
    """Every slot of a record kind, descending into inlined items (participants ...)."""
    def down(cls_name: str, path: tuple[str, ...]) -> Iterator[FieldRule]:
        for slot in model.classes[cls_name].slots:
            if slot.derived:
                continue
            yield FieldRule(kind, (*path, slot.key), slot)
            inner = model.range_class(slot)
            if inner is not None and inner.form == "node":
                yield from down(inner.name, (*path, slot.key))
    yield from down(kind, ())


def references(model: Model) -> list[tuple[FieldRule, tuple[str, ...]]]:
    """Every reference field and the record kinds it may point at."""
    return [(rule, model.kinds(rule.slot.range)) for cls in model.records() for rule in _walk(model, cls.name)
            if model.is_reference(rule.slot) and rule.slot.uri]


def taxonomy_fields(model: Model) -> list[tuple[FieldRule, str]]:
    """Every field whose value is a concept, and its concept scheme."""
    return [(rule, rule.slot.scheme) for cls in model.records() for rule in _walk(model, cls.name)
            if rule.slot.scheme is not None]


def _values(record: Any, path: tuple[str, ...]) -> Iterator[tuple[Any, tuple[Any, ...]]]:
    """The values at ``path`` in a record, each with its location (keys and list indexes)."""
    def down(node: Any, rest: tuple[str, ...], loc: tuple[Any, ...]) -> Iterator[tuple[Any, tuple[Any, ...]]]:
        value = getattr(node, rest[0], None)
        items = list(enumerate(value)) if isinstance(value, list) else [(None, value)]
        for index, item in items:
            here = (*loc, rest[0]) if index is None else (*loc, rest[0], index)
            if item is None:
                continue
            if len(rest) > 1:
                yield from down(item, rest[1:], here)
            elif hasattr(item, "id") and not isinstance(item, str):
                yield item.id, (*here, "id")
            else:
                yield item, here
    yield from down(record, path, ())


def record_practices(model: Model, record: Record) -> list[str]:
    """The practices a record comes from: the one it names (a joint arrangement's), else its evidence's."""
    for slot in model.classes[record.kind_name].slots:
        if slot.range == ("Practice",) and not slot.multivalued and slot.uri and not slot.derived:
            return [getattr(record, slot.key)]
    return sorted({e.practice for e in record.evidence if e.practice})


def home_practice(model: Model, record: Record) -> str | None:
    """The practice that holds a record's own quotes when they do not say: a practice's own, else
    the record's single practice (None when it has several)."""
    if record.kind_name == "Practice":
        return record.id
    practices = record_practices(model, record)
    return practices[0] if len(practices) == 1 else None


def _dotted(loc: tuple[Any, ...]) -> str:
    return ".".join(str(step) for step in loc)


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


def check_references(dataset: Dataset) -> Iterator[DataError]:
    """Every reference points at an existing record of an allowed kind."""
    kind_of = {record.id: record.kind_name for record in dataset.all_records()}
    for rule, allowed in references(dataset.model):
        for record in dataset.of(rule.kind):
            for target, loc in _values(record, rule.path):
                if target not in kind_of:
                    yield _problem(dataset, record, _dotted(loc), f"unknown reference {target!r}", *loc)
                elif kind_of[target] not in allowed:
                    yield _problem(
                        dataset,
                        record,
                        _dotted(loc),
                        f"{target!r} is a {kind_of[target]}, expected {' or '.join(allowed)}",
                        *loc,
                    )


def check_taxonomy_values(dataset: Dataset) -> Iterator[DataError]:
    """Every taxonomy value is a concept of its scheme; every scheme the model names exists."""
    for rule, scheme in taxonomy_fields(dataset.model):
        concepts = dataset.concepts(scheme)
        for record in dataset.of(rule.kind):
            for value, loc in _values(record, rule.path):
                if value not in concepts:
                    yield _problem(dataset, record, _dotted(loc), f"{value!r} is not in the {scheme} taxonomy", *loc)
    defined = {scheme.id for scheme in dataset.schemes}
    for scheme in sorted({scheme for _, scheme in taxonomy_fields(dataset.model)} - defined):
        path = dataset.root / dataset.model.classes["ConceptScheme"].file  # type: ignore[operator]
        yield DataError(path, 1, scheme, f"the model's concept scheme {scheme!r} is not defined in this file")
    for scheme in dataset.schemes:
        ids = {concept.id for concept in scheme.concepts}
        for concept in scheme.concepts:
            if concept.broader is not None and concept.broader not in ids:
                yield _problem(dataset, concept, "broader", f"unknown broader concept {concept.broader!r}")


def check_counts(dataset: Dataset) -> Iterator[DataError]:
    """Lists hold at least as many items as the model asks (evidence, participants ...)."""
    for cls in dataset.model.records():
        for slot in cls.slots:
            if not slot.multivalued or slot.derived or slot.minimum == 0:
                continue
            for record in dataset.of(cls.name):
                if len(getattr(record, slot.key)) < slot.minimum:
                    message = slot.message or f"needs at least {slot.minimum} item(s)"
                    yield _problem(dataset, record, slot.key, message)


def check_quotes(dataset: Dataset) -> Iterator[DataError]:
    """Every quote is an exact substring of the source, inside its practice's paragraph."""
    model = dataset.model
    paragraphs = practice_paragraphs(dataset)
    for record in dataset.all_records():
        cls = model.classes[record.kind_name]
        if record.kind_name == "Region":
            if record.named_in_source and not record.evidence:
                yield _problem(dataset, record, "evidence", "a region named in the source needs a quote")
            if not record.named_in_source and record.evidence:
                yield _problem(dataset, record, "evidence", "a region not named in the source has no quote")
        for index, evidence in enumerate(record.evidence):
            loc: tuple[Any, ...] = ("evidence", index, "quote")
            if evidence.practice is None:
                if record.kind_name in HEADINGS:
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
        for slot in cls.slots:
            if slot.range == ("quote",) and getattr(record, slot.key, None) is not None:
                practice = home_practice(model, record)
                if practice is None:
                    yield _problem(dataset, record, slot.key, "the record spans several practices: say which one holds "
                                   "the quote")
                else:
                    yield from _check_quote(dataset, record, paragraphs, practice, getattr(record, slot.key),
                                            slot.key, (slot.key,))
                continue
            if not _carries_quotes(model, slot):
                continue
            value = getattr(record, slot.key)
            items = value if slot.multivalued else [] if value is None else [value]
            for index, item in enumerate(items):
                if item.quote is None:
                    continue
                practice = getattr(item, "practice", None) or home_practice(model, record)
                loc = (slot.key, index, "quote") if slot.multivalued else (slot.key, "quote")
                if practice is None:
                    yield _problem(
                        dataset,
                        record,
                        f"{_dotted(loc[:-1])}.practice",
                        "the record spans several practices: say which one holds the quote",
                        *loc[:-1],
                    )
                    continue
                yield from _check_quote(dataset, record, paragraphs, practice, item.quote, _dotted(loc), loc)
        if record.kind_name == "Indicator":
            practices = record_practices(model, record)
            for field in ("verbatim", "as_of_verbatim"):
                text = getattr(record, field)
                if text and not any(paragraphs.get(p) and paragraphs[p].find(text) for p in practices):
                    yield _problem(dataset, record, field, f"{text!r} is not in the record's practice")


HEADINGS = {"WorkTask", "Measure"}  # kinds whose quote is their heading, outside any practice


def _carries_quotes(model: Model, slot: Slot) -> bool:
    """Whether a slot's items carry their own quote (links, participations)."""
    if slot.quoted:
        return True
    inner = model.range_class(slot)
    return inner is not None and inner.form == "node" and inner.slot_by_key("quote") is not None


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
    for kind, parent_field in (("Measure", "task"), ("Practice", "measure")):
        seen: dict[tuple[str, int], Record] = {}
        for record in dataset.of(kind):
            key = (getattr(record, parent_field), record.number)
            if key in seen:
                yield _problem(dataset, record, "number", f"number {record.number} used twice in {key[0]}")
            seen[key] = record


def check_regions(dataset: Dataset) -> Iterator[DataError]:
    """The region hierarchy is acyclic, each parent is a level up, every region reaches a province."""
    regions = {r.id: r for r in dataset.of("Region")}
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
    for document in dataset.of("PolicyDocument"):
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
    """Records in each file are sorted by id (unless the model keeps them in the source's order)."""
    for kind, records in dataset.records.items():
        if not dataset.model.classes[kind].sorted:
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
    check_counts,
    check_skeleton,
    check_quotes,
    check_regions,
    check_documents,
    check_sorted,
    *CODEBOOK_CHECKS,  # codebook rules on bodies, arrangements, platforms and events
    *MECHANISM_CHECKS,  # codebook rules on mechanisms, uses and instrument codes
)


def validate_dataset(dataset: Dataset) -> list[DataError]:
    """All problems found by the data rules, in file and line order."""
    problems = [problem for check in CHECKS for problem in check(dataset)]
    unique = {str(problem): problem for problem in problems}
    return sorted(unique.values(), key=lambda p: (p.file, p.line or 0, p.field))
