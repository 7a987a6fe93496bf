"""The model of the graph, read from ``schema.yaml``: classes, slots, types, enums, prefixes.

``load_model()`` reads the YAML once (cached per file) into frozen dataclasses and checks that
every name it uses is declared. Everything that used to repeat the model (record classes, data
rules, RDF build, ontology, shapes, viewer) reads it from here. Light on purpose: only PyYAML,
no pydantic and no rdflib, so that importing it costs a few milliseconds.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

SCHEMA_FILE = Path(__file__).resolve().parent / "schema.yaml"
RECORD = "Record"
FORMS = ("record", "langstring", "evidence", "link", "node", "custom")
BASES = ("str", "int", "bool", "decimal", "date")
EDGES = (True, False, "weak")


class ModelError(ValueError):
    """The model file declares something inconsistent; the message names the place."""


@dataclass(frozen=True)
class Names:
    """A Chinese and an English name."""

    zh: str
    en: str


@dataclass(frozen=True)
class Prefix:
    """A namespace prefix; ``bind``: bound in every output."""

    name: str
    iri: str
    bind: bool


@dataclass(frozen=True)
class Ontology:
    """What the ontology says about itself."""

    iri: str
    label: Names
    description: str
    comment: str
    license: str
    version: str
    prefix: str


@dataclass(frozen=True)
class DataType:
    """A literal type: its Python base, XSD datatype(s) and constraints."""

    name: str
    base: str
    datatypes: tuple[str, ...]
    definition: str
    pattern: str | None = None
    min_length: int | None = None
    minimum: int | None = None
    not_placeholder: bool = False


@dataclass(frozen=True)
class EnumValue:
    """One permissible value of an enum and what it means."""

    value: str
    meaning: str


@dataclass(frozen=True)
class Enum:
    """A closed list of string values."""

    name: str
    label: Names
    definition: str
    values: tuple[EnumValue, ...]

    @property
    def permissible(self) -> tuple[str, ...]:
        return tuple(value.value for value in self.values)


@dataclass(frozen=True)
class Slot:
    """A field of a class: its YAML key, RDF predicate, range and cardinality (as used by one class)."""

    name: str
    key: str
    label: Names
    definition: str
    uri: str | None = None
    range: tuple[str, ...] = ()
    scheme: str | None = None
    required: bool = False
    multivalued: bool = False
    min_count: int | None = None
    default: Any = None
    lang: str | None = None
    also: tuple[str, ...] = ()
    derived: bool = False
    quoted: bool = False
    concept_type: str | None = None
    message: str | None = None
    edge: bool | str = True

    @property
    def predicates(self) -> tuple[str, ...]:
        """Every predicate that carries the slot's values (empty: data only)."""
        return (self.uri, *self.also) if self.uri else ()

    @property
    def minimum(self) -> int:
        """How many values the slot needs at least."""
        if self.min_count is not None:
            return self.min_count
        return 1 if self.required or self.default is not None else 0


@dataclass(frozen=True)
class ViewerHint:
    """How the viewer draws a class's nodes."""

    colour: str
    shape: str
    symbol: str
    size: int


@dataclass(frozen=True)
class EdgeHint:
    """Draw each instance of a class as an edge from one slot's value to another's, labelled by a third."""

    source: str
    target: str
    label: str


@dataclass(frozen=True)
class Class:
    """A class of the model with its slots (inherited ones first, usage applied)."""

    name: str
    label: Names
    definition: str
    form: str = "record"
    uri: str | None = None
    is_a: str | None = None
    abstract: bool = False
    subclass_of: tuple[str, ...] = ()
    file: str | None = None
    key: str | None = None
    sorted: bool = True
    inventory: bool = True
    in_scheme: str | None = None
    iri: str | None = None
    slots: tuple[Slot, ...] = ()
    viewer: ViewerHint | None = None
    edge: EdgeHint | None = None

    def slot(self, name: str) -> Slot:
        """The class's slot of that name."""
        for slot in self.slots:
            if slot.name == name:
                return slot
        raise KeyError(f"{self.name} has no slot {name!r}")

    def slot_by_key(self, key: str) -> Slot | None:
        """The class's slot read from the YAML field ``key``."""
        return next((slot for slot in self.slots if slot.key == key), None)


@dataclass(frozen=True, eq=False)
class Model:
    """The whole model; hashed by identity (one object per file, see :func:`load_model`)."""

    path: Path
    name: str
    ontology: Ontology
    prefixes: dict[str, Prefix]
    types: dict[str, DataType]
    enums: dict[str, Enum]
    schemes: dict[str, Names]
    classes: dict[str, Class]
    slots: dict[str, Slot]
    _subclasses: dict[str, tuple[str, ...]] = field(default_factory=dict, repr=False)

    def expand(self, curie: str) -> str:
        """The full IRI of ``prefix:local``."""
        prefix, _, local = curie.partition(":")
        if prefix not in self.prefixes:
            raise ModelError(f"{self.path}: unknown prefix in {curie!r}")
        return self.prefixes[prefix].iri + local

    def own(self, curie: str | None) -> bool:
        """Whether a term lies in the ontology's own namespace (``pg:``)."""
        return curie is not None and curie.startswith(self.ontology.prefix + ":")

    def records(self) -> list[Class]:
        """The record classes read from data files, in model order."""
        return [cls for cls in self.classes.values() if self.is_record(cls) and cls.file and not cls.abstract]

    def is_record(self, cls: Class) -> bool:
        """Whether ``cls`` is a record class (is_a Record, directly or not)."""
        return RECORD in self.ancestors(cls.name)

    def ancestors(self, name: str) -> list[str]:
        """``name`` and the classes it is_a, nearest first."""
        chain = [name]
        while (parent := self.classes[chain[-1]].is_a) is not None:
            chain.append(parent)
        return chain

    def kinds(self, names: tuple[str, ...]) -> tuple[str, ...]:
        """The concrete record kinds a range of classes admits (an abstract class: all below it)."""
        found: list[str] = []
        for name in names:
            for candidate in (name, *self._subclasses.get(name, ())):
                if not self.classes[candidate].abstract and candidate not in found:
                    found.append(candidate)
        return tuple(found)

    def range_class(self, slot: Slot) -> Class | None:
        """The class a slot's values are (one class range only), else None."""
        if len(slot.range) == 1 and slot.range[0] in self.classes:
            return self.classes[slot.range[0]]
        return None

    def is_reference(self, slot: Slot) -> bool:
        """Whether the slot's values are ids of records (or links to them)."""
        if not slot.range or any(name not in self.classes for name in slot.range):
            return False
        return all(self.is_record(self.classes[name]) for name in slot.range)

    def users(self, slot_name: str) -> list[Class]:
        """The classes (with an RDF class) that use a slot."""
        return [cls for cls in self.classes.values() if cls.uri and any(s.name == slot_name for s in cls.slots)]


# ---------------------------------------------------------------------------- reading the file
@lru_cache(maxsize=8)
def _load(path: str) -> Model:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with open(path, encoding="utf-8") as stream:
        raw = yaml.load(stream, Loader=loader)
    return _Reader(Path(path), raw).model()


def load_model(path: Path | str | None = None) -> Model:
    """The model in ``path`` (default: the package's ``schema.yaml``), read once per file."""
    return _load(str(Path(path).resolve()) if path is not None else str(SCHEMA_FILE))


def _names(value: Any, where: str) -> Names:
    if not isinstance(value, dict) or set(value) != {"zh", "en"}:
        raise ModelError(f"{where}: expected {{zh, en}}, got {value!r}")
    return Names(str(value["zh"]), str(value["en"]))


def _tuple(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    return tuple(value) if isinstance(value, list) else (value,)


def _known(raw: dict[str, Any], allowed: set[str], where: str) -> dict[str, Any]:
    unknown = sorted(set(raw) - allowed)
    if unknown:
        raise ModelError(f"{where}: unknown key(s) {', '.join(unknown)}")
    return raw


SLOT_KEYS = {"key", "uri", "label", "definition", "range", "scheme", "required", "multivalued", "min_count",
             "default", "lang", "also", "derived", "quoted", "concept_type", "message", "edge"}
CLASS_KEYS = {"label", "definition", "form", "uri", "is_a", "abstract", "subclass_of", "file", "key", "sorted",
              "inventory", "in_scheme", "iri", "slots", "slot_usage", "viewer"}
USAGE_KEYS = SLOT_KEYS - {"key", "label", "definition"}


class _Reader:
    """Turns the parsed YAML into a checked :class:`Model`."""

    def __init__(self, path: Path, raw: Any) -> None:
        self.path, self.raw = path, raw
        if not isinstance(raw, dict):
            raise ModelError(f"{path}: expected a mapping")
        _known(raw, {"name", "ontology", "prefixes", "types", "enums", "schemes", "classes", "slots"}, str(path))

    def where(self, *steps: str) -> str:
        return f"{self.path}: {'.'.join(steps)}"

    def model(self) -> Model:
        raw = self.raw
        onto = raw["ontology"]
        ontology = Ontology(onto["iri"], _names(onto["label"], self.where("ontology.label")),
                            " ".join(str(onto["description"]).split()), " ".join(str(onto["comment"]).split()),
                            onto["license"], str(onto["version"]), onto["prefix"])
        prefixes = {name: Prefix(name, spec["iri"], bool(spec.get("bind", False)))
                    for name, spec in raw["prefixes"].items()}
        types = {name: self.data_type(name, spec) for name, spec in raw["types"].items()}
        enums = {name: Enum(name, _names(spec["label"], self.where("enums", name)), spec["definition"],
                            tuple(EnumValue(str(v), str(m)) for v, m in spec["values"].items()))
                 for name, spec in raw.get("enums", {}).items()}
        schemes = {name: _names(spec["label"], self.where("schemes", name))
                   for name, spec in raw.get("schemes", {}).items()}
        slots = {name: self.slot(name, spec) for name, spec in raw["slots"].items()}
        classes: dict[str, Class] = {}
        for name in raw["classes"]:
            self.induce(name, slots, classes)
        subclasses: dict[str, list[str]] = {}
        for cls in classes.values():
            parent = cls.is_a
            while parent is not None:
                subclasses.setdefault(parent, []).append(cls.name)
                parent = classes[parent].is_a
        model = Model(self.path, raw["name"], ontology, prefixes, types, enums, schemes, classes, slots,
                      {name: tuple(names) for name, names in subclasses.items()})
        self.check(model)
        return model

    def data_type(self, name: str, spec: dict[str, Any]) -> DataType:
        where = self.where("types", name)
        _known(spec, {"base", "pattern", "min_length", "minimum", "not_placeholder", "datatype", "definition"}, where)
        if spec["base"] not in BASES:
            raise ModelError(f"{where}: base must be one of {', '.join(BASES)}")
        return DataType(name, spec["base"], _tuple(spec["datatype"]), " ".join(spec["definition"].split()),
                        spec.get("pattern"), spec.get("min_length"), spec.get("minimum"),
                        bool(spec.get("not_placeholder", False)))

    def slot(self, name: str, spec: dict[str, Any]) -> Slot:
        where = self.where("slots", name)
        _known(spec, SLOT_KEYS, where)
        values = {key: value for key, value in spec.items() if key not in {"label", "definition", "range", "also"}}
        if ("range" in spec) == ("scheme" in spec):
            raise ModelError(f"{where}: give either range or scheme")
        return Slot(name=name, key=spec.get("key", name), label=_names(spec.get("label"), where),
                    definition=" ".join(str(spec["definition"]).split()), range=_tuple(spec.get("range")),
                    also=_tuple(spec.get("also")), **{k: v for k, v in values.items() if k != "key"})

    def induce(self, name: str, slots: dict[str, Slot], classes: dict[str, Class]) -> Class:
        if name in classes:
            return classes[name]
        where = self.where("classes", name)
        spec = _known(self.raw["classes"][name], CLASS_KEYS, where)
        inherited: list[Slot] = []
        if spec.get("is_a"):
            if spec["is_a"] not in self.raw["classes"]:
                raise ModelError(f"{where}.is_a: unknown class {spec['is_a']!r}")
            inherited = list(self.induce(spec["is_a"], slots, classes).slots)
        own = []
        for slot_name in spec.get("slots", []):
            if slot_name not in slots:
                raise ModelError(f"{where}.slots: unknown slot {slot_name!r}")
            own.append(slots[slot_name])
        usage = spec.get("slot_usage", {})
        induced = []
        for slot in [*inherited, *own]:
            if slot.name in usage:
                changes = _known(dict(usage[slot.name]), USAGE_KEYS, f"{where}.slot_usage.{slot.name}")
                if "range" in changes:
                    changes["range"] = _tuple(changes["range"])
                if "also" in changes:
                    changes["also"] = _tuple(changes["also"])
                slot = replace(slot, **changes)
            induced.append(slot)
        unknown = set(usage) - {slot.name for slot in induced}
        if unknown:
            raise ModelError(f"{where}.slot_usage: not a slot of the class: {', '.join(sorted(unknown))}")
        viewer = spec.get("viewer") or {}
        edge = viewer.get("edge")
        hint = {key: value for key, value in viewer.items() if key != "edge"}
        form = spec.get("form", "record")
        if form not in FORMS:
            raise ModelError(f"{where}.form: must be one of {', '.join(FORMS)}")
        cls = Class(
            name=name, label=_names(spec.get("label"), where + ".label"),
            definition=" ".join(str(spec["definition"]).split()), form=form, uri=spec.get("uri"),
            is_a=spec.get("is_a"), abstract=bool(spec.get("abstract", False)),
            subclass_of=_tuple(spec.get("subclass_of")), file=spec.get("file"), key=spec.get("key"),
            sorted=bool(spec.get("sorted", True)), inventory=bool(spec.get("inventory", True)),
            in_scheme=spec.get("in_scheme"), iri=spec.get("iri"), slots=tuple(induced),
            viewer=ViewerHint(**hint) if hint else None, edge=EdgeHint(**edge) if edge else None,
        )
        classes[name] = cls
        return cls

    def check(self, model: Model) -> None:
        """Every name used is declared; keys are unique within a class."""
        curies = [model.ontology.prefix + ":x"]
        for name, cls in model.classes.items():
            where = self.where("classes", name)
            curies += [c for c in (cls.uri, *cls.subclass_of) if c]
            keys = [slot.key for slot in cls.slots]
            if len(keys) != len(set(keys)):
                raise ModelError(f"{where}: two slots read the same YAML key")
            if cls.in_scheme and cls.in_scheme not in model.schemes:
                raise ModelError(f"{where}.in_scheme: unknown scheme {cls.in_scheme!r}")
            if cls.edge:
                for slot_name in (cls.edge.source, cls.edge.target, cls.edge.label):
                    cls.slot(slot_name)
            for slot in cls.slots:
                curies += [c for c in (*slot.predicates, slot.concept_type) if c]
                for range_name in slot.range:
                    if range_name not in model.classes and range_name not in model.enums \
                            and range_name not in model.types:
                        raise ModelError(f"{where}: slot {slot.name}: unknown range {range_name!r}")
                if slot.edge not in EDGES:
                    raise ModelError(f"{where}: slot {slot.name}: edge must be true, false or weak")
        for curie in curies:
            model.expand(curie)
