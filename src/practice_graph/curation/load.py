"""Load the curated YAML in ``data/`` into typed records.

Every mapping read from YAML remembers the line of each of its keys, so that an error names
the file, the line and the field. YAML aliases are refused (no alias bombs), and so are
duplicate keys.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, ClassVar, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, field_validator

from practice_graph.curation.source import SourceText, read_source

Id = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$")]
Text = Annotated[str, StringConstraints(min_length=1)]


class DataError(Exception):
    """A problem in the curated data, located at a file, line and field."""

    def __init__(self, file: Path | str, line: int | None, field: str, message: str) -> None:
        self.file, self.line, self.field, self.message = str(file), line, field, message
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.field}: {self.message}"


# --------------------------------------------------------------------------- YAML with lines


class LineDict(dict):
    """A mapping read from YAML that knows the line (1-based) of itself and of each key."""

    line: int
    key_lines: dict[str, int]


class _Loader(yaml.SafeLoader):
    """SafeLoader that records lines, refuses aliases and duplicate keys."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.constructor.ConstructorError(
                None, None, "YAML aliases are not allowed in curated data", event.start_mark
            )
        return super().compose_node(parent, index)

    def construct_mapping(self, node, deep=False):
        mapping = LineDict()
        mapping.line = node.start_mark.line + 1
        mapping.key_lines = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            if key in mapping:
                raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
            mapping[key] = self.construct_object(value_node, deep=True)
            mapping.key_lines[str(key)] = key_node.start_mark.line + 1
        return mapping


def _construct_line_mapping(loader: _Loader, node: yaml.MappingNode) -> LineDict:
    return loader.construct_mapping(node, deep=True)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_line_mapping)
# Keep dates as strings: "2023-12-31" is curated text, typed later by the model.
_Loader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def read_yaml(path: Path) -> Any:
    """Parse one YAML file; syntax errors become a DataError with the line."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise DataError(path, None, "(file)", f"not UTF-8: {error}") from None
    try:
        return yaml.load(text, Loader=_Loader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else None
        problem = error.problem or error.context or "invalid YAML"
        raise DataError(path, line, "(yaml)", f"YAML syntax error: {problem}") from None
    except yaml.YAMLError as error:
        raise DataError(path, None, "(yaml)", f"YAML error: {error}") from None


def locate(data: Any, loc: tuple[Any, ...]) -> int | None:
    """The line of the deepest node along ``loc`` in YAML data read by :func:`read_yaml`."""
    line = getattr(data, "line", None)
    node = data
    for step in loc:
        if isinstance(node, LineDict) and step in node:
            line = node.key_lines.get(str(step), line)
            node = node[step]
        elif isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node):
            node = node[step]
            line = getattr(node, "line", line)
        else:
            break
    return line


# --------------------------------------------------------------------------- typed records


class Model(BaseModel):
    """Base of every record: unknown fields are errors, records are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


ModelT = TypeVar("ModelT", bound=Model)


class Label(Model):
    """A bilingual label: Chinese as written in the source, English a curators' translation."""

    zh: Text
    en: Text

    @field_validator("en")
    @classmethod
    def _not_placeholder(cls, value: str) -> str:
        if value.strip().upper() in {"TODO", "TBD", "?"}:
            raise ValueError("English label is a placeholder")
        return value


class LangText(Model):
    """Free text in Chinese and/or English."""

    zh: Text | None = None
    en: Text | None = None


class Evidence(Model):
    """A verbatim quote of the source and the practice whose paragraph holds it."""

    practice: Id | None = None
    quote: Text


class Link(Model):
    """A relation to another record, with the quote that states it."""

    id: Id
    quote: Text | None = None
    practice: Id | None = None


class Participant(Model):
    """A body (or region) taking part in a joint arrangement, in a role where the text says."""

    id: Id
    role: Id | None = None
    quote: Text
    practice: Id | None = None


class Record(Model):
    """Fields every node record has."""

    kind_name: ClassVar[str] = "Record"
    id: Id
    label: Label
    evidence: list[Evidence] = Field(default_factory=list)
    note: str | None = None


RecordT = TypeVar("RecordT", bound=Record)


class WorkTask(Record):
    kind_name: ClassVar[str] = "WorkTask"
    number: int


class Measure(Record):
    kind_name: ClassVar[str] = "Measure"
    task: Id
    number: int


class Practice(Record):
    kind_name: ClassVar[str] = "Practice"
    measure: Id
    number: int
    region: Id
    mechanisms: list[Link] = Field(default_factory=list)
    worker_sources: list[Link] = Field(default_factory=list)


class Region(Record):
    kind_name: ClassVar[str] = "Region"
    level: Id
    kind: Id
    parent: Id | None = None
    code: Annotated[str, StringConstraints(pattern=r"^\d{6}$")] | None = None
    named_in_source: bool


class Agency(Record):
    kind_name: ClassVar[str] = "Agency"
    department_type: Id
    level: Id
    region: Id
    implied: bool = False
    full_name: LangText | None = None


class Organization(Record):
    kind_name: ClassVar[str] = "Organization"
    kind: Id
    region: Id | None = None


class Platform(Record):
    kind_name: ClassVar[str] = "Platform"
    kind: Id
    region: Id | None = None
    operator: Id | None = None
    function: LangText | None = None
    connects_to: list[Link] = Field(default_factory=list)


class PolicyDocument(Record):
    kind_name: ClassVar[str] = "PolicyDocument"
    kind: Id
    number: Text | None = None
    number_normalized: Text | None = None
    issuer: list[Id] = Field(default_factory=list)
    region: Id | None = None


class Brand(Record):
    kind_name: ClassVar[str] = "Brand"
    kind: Id
    region: Id | None = None


class Event(Record):
    kind_name: ClassVar[str] = "Event"
    kind: Id
    region: Id | None = None
    organizers: list[Link] = Field(default_factory=list)
    rewards: list[Link] = Field(default_factory=list)


AsOf = Annotated[str, StringConstraints(pattern=r"^\d{4}(-\d{2}-\d{2})?$")]


class Indicator(Record):
    kind_name: ClassVar[str] = "Indicator"
    value: Decimal
    value_max: Decimal | None = None
    verbatim: Text
    unit: LangText
    scale: Decimal | None = None
    qualifier: Annotated[str, StringConstraints(pattern=r"^(approximate|at-least|more-than)$")] | None = None
    kind: Annotated[str, StringConstraints(pattern=r"^(result|target|standard|threshold)$")] | None = None
    as_of: AsOf | None = None
    as_of_verbatim: Text | None = None
    period_start: AsOf | None = None
    region: Id | None = None
    subject: Id | None = None

    @field_validator("value", "value_max", mode="before")
    @classmethod
    def _number_not_text(cls, value: Any) -> Any:
        if (value is not None and not isinstance(value, int | float)) or isinstance(value, bool):
            raise ValueError(f"must be a number, not {value!r}")
        return value

    @field_validator("as_of", "period_start")
    @classmethod
    def _real_date(cls, value: str | None) -> str | None:
        if value and len(value) == 10:
            dt.date.fromisoformat(value)
        return value


class MechanismCategory(Record):
    kind_name: ClassVar[str] = "MechanismCategory"
    definition: LangText


class Mechanism(Record):
    kind_name: ClassVar[str] = "Mechanism"
    category: Id
    definition: LangText


class JointArrangement(Record):
    kind_name: ClassVar[str] = "JointArrangement"
    kind: Id
    region: Id | None = None
    practice: Id
    participants: list[Participant]


class Concept(Model):
    """A value of a SKOS concept scheme."""

    id: Id
    label: Label
    definition: LangText
    broader: Id | None = None


class ConceptScheme(Model):
    """A SKOS concept scheme: department types, roles, levels, kinds ..."""

    id: Id
    label: Label
    definition: LangText
    concepts: list[Concept]


class SourceMetadata(Model):
    """What is known about the source file (``data/source/source.yaml``)."""

    id: Id
    file: Text
    sha256: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
    title: Label
    publisher: LangText | None = None
    language: Text
    note: str | None = None


# --------------------------------------------------------------------------- the data set


@dataclass(frozen=True)
class Position:
    """Where a record stands: its file, its first line, and the lines of its fields."""

    file: Path
    line: int | None
    raw: Any

    def line_of(self, *loc: Any) -> int | None:
        """Line of a field path inside the record (falls back to the record's line)."""
        return locate(self.raw, loc) or self.line


# (file name, top-level key or None for a plain list, record class)
RECORD_FILES: tuple[tuple[str, str | None, type[Record]], ...] = (
    ("skeleton.yaml", "tasks", WorkTask),
    ("skeleton.yaml", "measures", Measure),
    ("skeleton.yaml", "practices", Practice),
    ("regions.yaml", None, Region),
    ("agencies.yaml", None, Agency),
    ("organizations.yaml", None, Organization),
    ("platforms.yaml", None, Platform),
    ("documents.yaml", None, PolicyDocument),
    ("brands.yaml", None, Brand),
    ("events.yaml", None, Event),
    ("indicators.yaml", None, Indicator),
    ("mechanisms.yaml", "categories", MechanismCategory),
    ("mechanisms.yaml", "mechanisms", Mechanism),
    ("arrangements.yaml", None, JointArrangement),
)


@dataclass
class Dataset:
    """Everything the build needs: records by kind, taxonomies, the source and positions."""

    root: Path
    source: SourceText
    source_metadata: SourceMetadata
    schemes: list[ConceptScheme]
    records: dict[str, list[Record]] = field(default_factory=dict)
    positions: dict[int, Position] = field(default_factory=dict)

    def all_records(self) -> list[Record]:
        """Every record, in file order."""
        return [record for records in self.records.values() for record in records]

    def position(self, record: Record | ConceptScheme | Concept) -> Position:
        """Where ``record`` was read."""
        return self.positions[id(record)]

    def of(self, cls: type[RecordT]) -> list[RecordT]:
        """Records of one class."""
        return [record for record in self.records.get(cls.kind_name, []) if isinstance(record, cls)]

    def concepts(self, scheme: str) -> dict[str, Concept]:
        """The concepts of one scheme by id."""
        for candidate in self.schemes:
            if candidate.id == scheme:
                return {concept.id: concept for concept in candidate.concepts}
        return {}


def _validation_error(path: Path, raw: Any, error: ValidationError) -> DataError:
    first = error.errors()[0]
    field_path = ".".join(str(step) for step in first["loc"]) or "(record)"
    value = first.get("input")
    message = first["msg"]
    if first["type"] not in {"missing"} and not isinstance(value, dict | list):
        message = f"{message} (value: {value!r})"
    record_id = raw.get("id") if isinstance(raw, dict) else None
    prefix = f"{record_id}." if isinstance(record_id, str) else ""
    return DataError(path, locate(raw, tuple(first["loc"])) or locate(raw, ()), prefix + field_path, message)


def _parse(cls: type[ModelT], raw: Any, path: Path) -> ModelT:
    if not isinstance(raw, dict):
        raise DataError(path, getattr(raw, "line", None), "(record)", f"expected a mapping, got {type(raw).__name__}")
    try:
        return cls.model_validate(raw)
    except ValidationError as error:
        raise _validation_error(path, raw, error) from None


def _records_in(path: Path, data: Any, key: str | None) -> list[Any]:
    if key is None:
        if data is None:
            return []
        if not isinstance(data, list):
            raise DataError(path, getattr(data, "line", 1), "(file)", "expected a list of records")
        return data
    if not isinstance(data, dict) or key not in data:
        raise DataError(path, getattr(data, "line", 1), key, "missing top-level key")
    items = data[key]
    if not isinstance(items, list):
        raise DataError(path, locate(data, (key,)), key, "expected a list of records")
    return items


SOURCE_DIR = "source"
SOURCE_METADATA = "source.yaml"
TAXONOMIES = "taxonomies.yaml"


def load_dataset(root: Path) -> Dataset:
    """Read ``root`` (a data folder) into a Dataset; raises DataError on the first bad input."""
    root = Path(root)
    positions: dict[int, Position] = {}

    meta_path = root / SOURCE_DIR / SOURCE_METADATA
    meta_raw = _read_required(meta_path)
    metadata = _parse(SourceMetadata, meta_raw, meta_path)
    source_path = root / SOURCE_DIR / metadata.file
    if not source_path.is_file():
        raise DataError(meta_path, locate(meta_raw, ("file",)), "file", f"source file {metadata.file!r} not found")
    source = read_source(source_path)
    if source.sha256 != metadata.sha256:
        raise DataError(
            meta_path,
            locate(meta_raw, ("sha256",)),
            "sha256",
            f"source file hash {source.sha256} differs from the recorded {metadata.sha256}",
        )

    tax_path = root / TAXONOMIES
    schemes = []
    for raw in _records_in(tax_path, _read_required(tax_path), None):
        scheme = _parse(ConceptScheme, raw, tax_path)
        schemes.append(scheme)
        positions[id(scheme)] = Position(tax_path, getattr(raw, "line", None), raw)
        for concept, concept_raw in zip(scheme.concepts, raw["concepts"], strict=True):
            positions[id(concept)] = Position(tax_path, getattr(concept_raw, "line", None), concept_raw)

    dataset = Dataset(root=root, source=source, source_metadata=metadata, schemes=schemes, positions=positions)
    cache: dict[str, Any] = {}
    for file_name, key, cls in RECORD_FILES:
        path = root / file_name
        if file_name not in cache:
            cache[file_name] = _read_required(path)
        records = []
        for raw in _records_in(path, cache[file_name], key):
            record = _parse(cls, raw, path)
            records.append(record)
            positions[id(record)] = Position(path, getattr(raw, "line", None), raw)
        dataset.records[cls.kind_name] = records
    return dataset


def _read_required(path: Path) -> Any:
    if not path.is_file():
        raise DataError(path, None, "(file)", "file not found")
    return read_yaml(path)


NUMBER_SPACES = re.compile(r"\s+")


def normalize_document_number(printed: str) -> str:
    """Normalise a 文号: brackets to 〔〕, no inner white space (GB/T 9704-2012 form)."""
    text = NUMBER_SPACES.sub("", printed)
    for opening in "[(（【［":
        text = text.replace(opening, "〔")
    for closing in "])）】］":
        text = text.replace(closing, "〕")
    return text
