"""Load the curated YAML in ``data/`` into typed records.

Every mapping and list read from YAML remembers the line of itself and of each key or item, so
that an error names the file, the line and the field. Refused: YAML aliases (no alias bombs),
duplicate keys, keys that are lists or mappings, nesting deeper than ``MAX_DEPTH``, tags other
than plain values, lists and mappings (``!!binary``, ``!!set`` ...) and values their tag cannot
take. LibYAML's parser is used when PyYAML has it, PyYAML's own otherwise.

A file read without error is kept, parsed, in the cache folder (``yaml/`` in ``core.cache``'s) as
JSON, under the hash of its bytes, of this module and of PyYAML's version: reading the same bytes
again gives the same mappings, lists, values and lines without parsing (a tenth of the time).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from pydantic import ValidationError
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import Resolver
from yaml.scanner import Scanner

try:  # LibYAML's parser, when PyYAML was built with it
    from yaml.cyaml import CParser  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - PyYAML without LibYAML
    CParser = None  # type: ignore[misc,assignment]

from practice_graph.core.cache import cache_dir
from practice_graph.core.files import write_atomically
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

PLAIN_TAGS = frozenset(f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "seq", "map"))
MAX_DEPTH = 50  # nesting of lists and mappings; the data uses 6, and deeper input would exhaust the stack


class LineDict(dict):
    """A mapping read from YAML that knows the line (1-based) of itself and of each key."""

    line: int
    key_lines: dict[str, int]


class LineList(list):
    """A list read from YAML that knows the line (1-based) of itself and of each item."""

    line: int
    item_lines: list[int]


def _refused(message: str, mark: Any) -> yaml.MarkedYAMLError:
    return yaml.constructor.ConstructorError(None, None, message, mark)


class _Strict(Composer, SafeConstructor, Resolver):
    """Composing and constructing on any parser: lines recorded; aliases, duplicate keys, keys that
    are not plain values, nesting deeper than ``MAX_DEPTH``, tags outside ``PLAIN_TAGS`` and values their
    tag cannot take refused."""

    positions_in_bytes: bool  # whether a ReaderError's position counts UTF-8 bytes (else characters)
    if TYPE_CHECKING:  # given by the parser class it is mixed with
        def check_event(self, *choices: Any) -> bool: ...
        def peek_event(self) -> Any: ...

    def __init__(self) -> None:
        Composer.__init__(self)
        SafeConstructor.__init__(self)
        Resolver.__init__(self)
        self.depth = 0

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            raise _refused("YAML aliases are not allowed in curated data", self.peek_event().start_mark)
        if self.check_event(yaml.SequenceStartEvent, yaml.MappingStartEvent):
            if self.depth >= MAX_DEPTH:
                raise _refused(f"nested more than {MAX_DEPTH} deep", self.peek_event().start_mark)
            self.depth += 1
            try:
                return super().compose_node(parent, index)
            finally:
                self.depth -= 1
        return super().compose_node(parent, index)

    def construct_mapping(self, node, deep=False):
        mapping = LineDict()
        mapping.line = node.start_mark.line + 1
        mapping.key_lines = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise _refused("a key must be a plain value, not a list or a mapping", key_node.start_mark)
            key = self.construct_object(key_node, deep=True)
            if key in mapping:
                raise _refused(f"duplicate key {shown(key)}", key_node.start_mark)
            mapping[key] = self.construct_object(value_node, deep=True)
            mapping.key_lines[str(key)] = key_node.start_mark.line + 1
        return mapping

    def construct_line_sequence(self, node):
        items = LineList()
        items.line = node.start_mark.line + 1
        items.item_lines = [child.start_mark.line + 1 for child in node.value]
        yield items  # built in two steps, as PyYAML's own lists: the object first, then its items
        items.extend(self.construct_sequence(node))

    def construct_object(self, node, deep=False):
        if node.tag not in PLAIN_TAGS:  # binary, sets, ordered maps, timestamps: no curated value is one
            raise _refused(f"the tag {shown(node.tag)} is not allowed in curated data", node.start_mark)
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, TypeError, KeyError, AttributeError, OverflowError):
            # PyYAML's constructors raise these for values their tag cannot take: `!!float x`,
            # `!!timestamp x`, `!!bool x`, or an integer longer than int() converts
            raise _refused(_unreadable(node), node.start_mark) from None


def _unreadable(node: yaml.Node) -> str:
    """Why a scalar cannot be read as its tag says."""
    kind = node.tag.rpartition(":")[2]
    value = node.value if isinstance(node.value, str) else ""
    if kind == "int" and len(value) > 100:
        return f"an integer of {len(value):,} characters is too long"
    return f"{shown(value)} is not a valid {kind}"


def _construct_line_mapping(loader: _Strict, node: yaml.MappingNode) -> LineDict:
    return loader.construct_mapping(node, deep=True)


_Strict.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_line_mapping)  # type: ignore[type-var]
_Strict.add_constructor("tag:yaml.org,2002:seq", _Strict.construct_line_sequence)  # type: ignore[type-var]
# Keep dates as strings: "2023-12-31" is curated text, typed later by the model.
_Strict.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class _PythonLoader(Reader, Scanner, Parser, _Strict):
    """The strict loader on PyYAML's parser written in Python."""

    positions_in_bytes = False  # a ReaderError's position counts characters

    def __init__(self, stream: str) -> None:
        Reader.__init__(self, stream)
        Scanner.__init__(self)
        Parser.__init__(self)
        _Strict.__init__(self)


class _CLoader(_Strict, *((CParser,) if CParser is not None else ())):  # type: ignore[misc]
    """The strict loader on LibYAML's parser (scanning and parsing in C, about 5x faster); composing
    stays in Python, where aliases are refused and the depth is bounded (LibYAML's own composer
    recurses in C and crashes the process on deep nesting)."""

    positions_in_bytes = True  # LibYAML's ReaderError position counts UTF-8 bytes

    def __init__(self, stream: str) -> None:
        CParser.__init__(self, stream)
        _Strict.__init__(self)


_Loader: type[_Strict] = _PythonLoader if CParser is None else _CLoader


def shortened(text: str, limit: int = 60) -> str:
    """``text`` cut to ``limit`` characters: messages name what they refer to, never quote a whole long value."""
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text):,} characters)"


def shown(value: Any) -> str:
    """``repr(value)``, shortened."""
    return shortened(repr(value))


def read_yaml(path: Path, loader: type[_Strict] | None = None) -> Any:
    """Parse one YAML file (``loader``: the module's ``_Loader`` unless given); syntax errors and
    refused constructs become a DataError with the line. The same bytes parsed before come from the
    cache of parsed files."""
    content = path.read_bytes()
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as error:
        raise DataError(path, content[:error.start].count(b"\n") + 1, "(file)",
                        f"not UTF-8: byte {content[error.start]:#04x} at offset {error.start}") from None
    loader = loader or _Loader
    key = _parsed_key(content, loader)
    kept = _kept_parse(key)
    if kept is not None:
        return kept[0]
    try:
        data = loader(text).get_single_data()  # type: ignore[call-arg]
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        problem = error.problem or error.context or "invalid YAML"
        raise DataError(path, mark.line + 1 if mark else None, "(yaml)", f"YAML syntax error: {problem}") from None
    except yaml.reader.ReaderError as error:
        if loader.positions_in_bytes:
            line = text.encode("utf-8")[:error.position].count(b"\n") + 1
        else:
            line = text[:error.position].count("\n") + 1
        code = ord(error.character) if isinstance(error.character, str) else error.character  # LibYAML: an int
        raise DataError(path, line, "(yaml)", f"YAML syntax error: character U+{code:04X}: {error.reason}") from None
    except yaml.YAMLError as error:
        raise DataError(path, None, "(yaml)", f"YAML error: {error}") from None
    _keep_parse(key, data)
    return data


# --------------------------------------------------------------------------- parsed files kept
KEPT_PARSES = 64  # the most recently read parsed files kept


def _parsed_key(content: bytes, loader: type[_Strict]) -> str:
    """What a parse depends on: the bytes, the loader, this module (how it reads) and PyYAML."""
    parts = [hashlib.sha256(content).digest(), _reader_hash(), f"{loader.__qualname__} {yaml.__version__}".encode()]
    return hashlib.sha256(b"".join(parts)).hexdigest()


@lru_cache(maxsize=1)
def _reader_hash() -> bytes:
    return hashlib.sha256(Path(__file__).read_bytes()).digest()


def _parses_dir() -> Path:
    """Where parsed files are kept: ``yaml/`` in the cache folder of built graphs."""
    return cache_dir() / "yaml"


def _kept_parse(key: str) -> tuple[Any] | None:
    """The kept parse under ``key`` (in a 1-tuple: a file may hold null), or None."""
    path = _parses_dir() / f"{key[:32]}.json"
    try:
        document = json.loads(path.read_bytes())
        if document.get("key") != key:
            return None
        data = _decoded(document["data"])
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None
    with contextlib.suppress(OSError):
        os.utime(path)  # most recently used: kept longest
    return (data,)


def _keep_parse(key: str, data: Any) -> None:
    """Keep a parse (quietly not, when the cache folder cannot be written), and only the most recent ones."""
    folder = _parses_dir()
    try:
        write_atomically(folder / f"{key[:32]}.json",
                         json.dumps({"key": key, "data": _encoded(data)}, ensure_ascii=False).encode("utf-8"))
        kept = sorted(folder.glob("*.json"), key=lambda entry: entry.stat().st_mtime, reverse=True)
        for stale in kept[KEPT_PARSES:]:
            stale.unlink()
    except (OSError, TypeError, ValueError):
        return


def _encoded(value: Any) -> Any:
    """A parsed value as JSON: a mapping as {"d": [line, [[key, key line, value] ...]]}, a list as
    {"l": [line, item lines, items]}; scalars (str, int, float, bool, null) as they are."""
    if isinstance(value, LineDict):
        return {"d": [value.line, [[key, value.key_lines[str(key)], _encoded(item)] for key, item in value.items()]]}
    if isinstance(value, LineList):
        return {"l": [value.line, value.item_lines, [_encoded(item) for item in value]]}
    if value is None or isinstance(value, (str, int, float)):
        return value
    raise TypeError(f"not a parsed YAML value: {type(value).__name__}")


def _decoded(value: Any) -> Any:
    """The parsed value that :func:`_encoded` wrote."""
    if type(value) is not dict:
        return value
    if "d" in value:
        mapping = LineDict()
        mapping.line, pairs = value["d"]
        mapping.key_lines = {}
        for key, key_line, item in pairs:
            mapping[key] = _decoded(item)
            mapping.key_lines[str(key)] = key_line
        return mapping
    items = LineList()
    items.line, items.item_lines, values = value["l"]
    items.extend(_decoded(item) for item in values)
    return items


def locate(data: Any, loc: tuple[Any, ...]) -> int | None:
    """The line of the deepest node along ``loc`` in YAML data read by :func:`read_yaml`."""
    line = getattr(data, "line", None)
    node = data
    for step in loc:
        if isinstance(node, LineDict) and step in node:
            line = node.key_lines.get(str(step), line)
            node = node[step]
        elif isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node):
            item_lines = getattr(node, "item_lines", None)
            node = node[step]
            line = getattr(node, "line", None) or (item_lines[step] if item_lines else line)
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
    field_path = ".".join(shortened(str(step)) for step in first["loc"]) or "(record)"
    value = first.get("input")
    message = first["msg"]
    if first["type"] not in {"missing"} and not isinstance(value, dict | list):
        message = f"{message} (value: {shown(value)})"
    record_id = raw.get("id") if isinstance(raw, dict) else None
    prefix = f"{shortened(record_id)}." if isinstance(record_id, str) else ""
    return DataError(path, locate(raw, tuple(first["loc"])) or locate(raw, ()), prefix + field_path, message)


def _kind(value: Any) -> str:
    """What a YAML value is, in the curator's words."""
    if value is None:
        return "nothing"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "text"
    return "a number" if isinstance(value, int | float) and not isinstance(value, bool) else type(value).__name__


def _parse(cls: type[Item], raw: Any, path: Path, line: int | None = 1) -> Any:
    """``raw`` as a record of ``cls``; ``line`` is where it stands when it is no mapping."""
    if not isinstance(raw, dict):
        raise DataError(path, line, "(record)", f"expected a mapping, got {_kind(raw)}")
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
    items = _records_in(tax_path, _read_required(tax_path), None)
    for index, raw in enumerate(items):
        scheme = _parse(classes["ConceptScheme"], raw, tax_path, locate(items, (index,)))
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
        items = _records_in(path, cache[file_name], key)
        for index, raw in enumerate(items):
            record = _parse(cls, raw, path, locate(items, (index,)))
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
