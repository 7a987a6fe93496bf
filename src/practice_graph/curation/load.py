"""Load the curated YAML in ``data/`` into typed records.

Every mapping read from YAML remembers the line of each of its keys, so that an error names
the file, the line and the field. YAML aliases are refused (no alias bombs), and so are
duplicate keys.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from practice_graph.curation.records import Item, Record, record_classes
from practice_graph.curation.source import SourceText, read_source
from practice_graph.model.schema import Model, load_model


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
def __getattr__(name: str) -> type[Item]:
    """The default model's record classes as module attributes (``from ...load import Practice``)."""
    classes = record_classes(load_model())
    if name in classes:
        return classes[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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


def record_files(model: Model) -> list[tuple[str, str | None, type[Record]]]:
    """(file name, top-level key or None for a plain list, record class) for every record kind."""
    classes = record_classes(model)
    return [(cls.file, cls.key, classes[cls.name]) for cls in model.records()]  # type: ignore[misc]


@dataclass
class Dataset:
    """Everything the build needs: records by kind, taxonomies, the source and positions."""

    root: Path
    source: SourceText
    source_metadata: Any
    schemes: list[Any]
    records: dict[str, list[Record]] = field(default_factory=dict)
    positions: dict[int, Position] = field(default_factory=dict)
    model: Model = field(default_factory=load_model)

    def all_records(self) -> list[Record]:
        """Every record, in file order."""
        return [record for records in self.records.values() for record in records]

    def position(self, record: Item) -> Position:
        """Where ``record`` was read."""
        return self.positions[id(record)]

    def of(self, kind: str | type[Item]) -> list[Any]:
        """Records of one kind (a class name of the model, or its record class)."""
        if not isinstance(kind, str):
            if not issubclass(kind, Record):
                return []
            kind = kind.kind_name
        return self.records.get(kind, [])

    def concepts(self, scheme: str) -> dict[str, Any]:
        """The concepts of one scheme by id."""
        for candidate in self.schemes:
            if candidate.id == scheme:
                return {concept.id: concept for concept in candidate.concepts}
        return {}


def practice_order(dataset: Dataset) -> list[Any]:
    """Practices in the source's order: by task number, measure number, practice number."""
    measures = {m.id: m for m in dataset.of("Measure")}
    tasks = {t.id: t for t in dataset.of("WorkTask")}

    def key(practice: Any) -> tuple[int, int, int]:
        measure = measures.get(practice.measure)
        task = tasks.get(measure.task) if measure else None
        return (task.number if task else 0, measure.number if measure else 0, practice.number)

    return sorted(dataset.of("Practice"), key=key)


def practice_paragraphs(dataset: Dataset) -> dict[str, Any]:
    """Map practice id to its paragraph in the source (by document order)."""
    return {
        practice.id: paragraph
        for practice, paragraph in zip(practice_order(dataset), dataset.source.paragraphs, strict=False)
    }


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


def _parse(cls: type[Item], raw: Any, path: Path) -> Any:
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


def load_dataset(root: Path, model: Model | None = None) -> Dataset:
    """Read ``root`` (a data folder) into a Dataset of ``model``'s records (default: the package's
    model); raises DataError on the first bad input."""
    root = Path(root)
    model = model or load_model()
    classes = record_classes(model)
    positions: dict[int, Position] = {}

    meta_path = root / SOURCE_DIR / SOURCE_METADATA
    meta_raw = _read_required(meta_path)
    metadata = _parse(classes["SourceDocument"], meta_raw, meta_path)
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
        scheme = _parse(classes["ConceptScheme"], raw, tax_path)
        schemes.append(scheme)
        positions[id(scheme)] = Position(tax_path, getattr(raw, "line", None), raw)
        for concept, concept_raw in zip(scheme.concepts, raw["concepts"], strict=True):
            positions[id(concept)] = Position(tax_path, getattr(concept_raw, "line", None), concept_raw)

    dataset = Dataset(root=root, source=source, source_metadata=metadata, schemes=schemes, positions=positions,
                      model=model)
    cache: dict[str, Any] = {}
    for file_name, key, cls in record_files(model):
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
