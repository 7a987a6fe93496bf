"""The draft YAML files: the project's data format, plus draft-only fields, every record ``draft: true``.

Draft records carry ``en: TODO`` labels, which the loader refuses, so that a draft cannot enter
``data/`` unreviewed; every other value is one the loader accepts.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from practice_graph.ingest.compare import key
from practice_graph.ingest.runs import Candidate
from practice_graph.ingest.skeleton import Skeleton

DRAFT_FILES = ("skeleton.yaml", "documents.yaml", "platforms.yaml", "brands.yaml", "events.yaml",
               "names.yaml", "indicators.yaml", "bodies.yaml")
TARGET = {"document": "documents.yaml", "platform": "platforms.yaml", "brand": "brands.yaml",
          "event": "events.yaml", "name": "names.yaml", "figure": "indicators.yaml", "body": "bodies.yaml"}
WHAT = {"documents.yaml": "policy documents (titles in 《》, issued documents, 文号)",
        "platforms.yaml": "platforms and systems", "brands.yaml": "brands and honour titles",
        "events.yaml": "events, campaigns, pilots", "names.yaml": "other names in quotation marks (unclassified)",
        "indicators.yaml": "figures with units and their as-of dates",
        "bodies.yaml": "agencies and organisations (gazetteer of curated bodies, and name endings)"}
FIGURE_FIELDS = ("scale", "qualifier", "as_of", "as_of_verbatim", "period_start")


class Span(list):
    """A list written on one line in the draft YAML ([start, end])."""


class _Dumper(yaml.SafeDumper):
    """SafeDumper writing Span as a flow sequence."""


_Dumper.add_representer(Span, lambda dumper, value: dumper.represent_sequence(
    "tag:yaml.org,2002:seq", list(value), flow_style=True))


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, Span):
        return Span(_plain(v) for v in value)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _dump(header: str, data: Any) -> bytes:
    body = yaml.dump(_plain(data), Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1000,
                     default_flow_style=False)
    return (header + body).encode("utf-8")


def _header(source: Path, sha256: str, what: str) -> str:
    return (f"# DRAFT for curation: {what}, written by `practice-graph ingest`.\n"
            f"# Source: {source.name} (sha256 {sha256}).\n"
            "# Not curated data. Check every record against the source, write label.en (TODO), drop what is\n"
            "# wrong, then remove `draft: true` and the draft-only fields (found, curated, region_printed,\n"
            "# segments) before moving a record into data/. Offsets are 0-based, end exclusive.\n")


def _curated_field(candidate: Candidate) -> dict[str, Any]:
    field_value: dict[str, Any] = {"status": candidate.status}
    if candidate.matches:
        field_value["ids"] = candidate.matches
    if candidate.detail:
        field_value["detail"] = candidate.detail
    return field_value


def _new_record(candidate: Candidate, kind: str, record_id: str) -> dict[str, Any]:
    record: dict[str, Any] = {"id": record_id, "draft": True}
    fields = candidate.fields
    if kind == "figure":
        record["label"] = {"zh": "TODO", "en": "TODO"}
        record["value"] = fields["value"]
        if "value_max" in fields:
            record["value_max"] = fields["value_max"]
        record["verbatim"] = candidate.text
        record["unit"] = {"zh": fields["unit"]} if fields.get("unit") else {"zh": "TODO"}
        for name in FIGURE_FIELDS:
            if name in fields:
                record[name] = fields[name]
    else:
        label = candidate.text if candidate.kind != "document-number" else "TODO"
        record["label"] = {"zh": label, "en": "TODO"}
        if kind == "document" and "number" in fields:
            record["number"] = fields["number"]
            record["number_normalized"] = fields["number_normalized"]
        if kind == "body" and fields.get("kinds"):
            record["kind_guess"] = fields["kinds"]
    return record


def draft_files(source: Path, sha256: str, skeleton: Skeleton, candidates: list[Candidate]) -> dict[str, bytes]:
    """The draft YAML files, in the project's data format plus draft-only fields."""
    regions = {p.id: (p.region.region_id if p.region else None) for p in skeleton.practices}
    files = {"skeleton.yaml": _dump(_header(source, sha256, "work tasks, measures, practices"),
                                    _skeleton_data(skeleton))}
    groups: dict[str, list[dict[str, Any]]] = {name: [] for name in DRAFT_FILES if name != "skeleton.yaml"}
    merged: dict[tuple[str, str, str | None], dict[str, Any]] = {}
    counters: dict[tuple[str, str], int] = {}
    for candidate in candidates:
        if candidate.kind == "document-number" and candidate.fields.get("attached"):
            continue  # already the number of a document record
        kind = "document" if candidate.kind == "document-number" else candidate.kind
        region = regions.get(candidate.practice)
        evidence = {"practice": candidate.practice, "quote": candidate.quote}
        found = {"text": candidate.text, "start": candidate.start, "end": candidate.end, "method": candidate.method}
        merge_key = (kind, key(candidate.text), region)
        if kind != "figure" and merge_key in merged:
            record = merged[merge_key]
            if evidence not in record["evidence"]:
                record["evidence"].append(evidence)
            record["found"].append(found)
            continue
        count = counters[(kind, candidate.practice)] = counters.get((kind, candidate.practice), 0) + 1
        record = _new_record(candidate, kind, f"draft-{kind}-{candidate.practice}-{count}")
        if region:
            record["region"] = region
        record["evidence"] = [evidence]
        record["found"] = [found]
        record["curated"] = _curated_field(candidate)
        groups[TARGET[kind]].append(record)
        if kind != "figure":
            merged[merge_key] = record
    for name, records in groups.items():
        files[name] = _dump(_header(source, sha256, WHAT[name]), records)
    return files


def _skeleton_data(skeleton: Skeleton) -> dict[str, Any]:
    tasks = [{"id": t.id, "draft": True, "number": t.number, "label": {"zh": t.label, "en": "TODO"},
              "evidence": [{"quote": t.label}], "found": {"start": t.start, "end": t.end}} for t in skeleton.tasks]
    measures = [{"id": m.id, "draft": True, "task": m.task.id, "number": m.number,
                 "label": {"zh": m.label, "en": "TODO"}, "evidence": [{"quote": m.label}],
                 "found": {"start": m.start, "end": m.end}} for m in skeleton.measures]
    practices = []
    for p in skeleton.practices:
        record: dict[str, Any] = {"id": p.id, "draft": True, "measure": p.measure.id, "number": p.number,
                                  "region": p.region.region_id if p.region else None}
        if p.region:
            printed: dict[str, Any] = {"text": p.region.printed, "start": p.region.start,
                                       "end": p.region.start + len(p.region.printed)}
            for name in ("province", "local"):
                if getattr(p.region, name):
                    printed[name] = getattr(p.region, name)
            if p.region.note:
                printed["note"] = p.region.note
            record["region_printed"] = printed
        record["label"] = {"zh": p.label, "en": "TODO"}
        record["evidence"] = [{"practice": p.id, "quote": p.heading_quote}]
        record["segments"] = [Span([s.start, s.end]) for s in p.paragraph.segments]
        practices.append(record)
    return {"tasks": tasks, "measures": measures, "practices": practices}
