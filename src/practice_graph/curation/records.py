"""The typed record classes (pydantic), derived from the model: one class per model class.

``record_classes(model)`` builds them once per model with ``pydantic.create_model``: a slot's
range gives the field's type (a record reference is an id, a quoted reference a ``Link``, an
enum a ``Literal``, a type its constraints), ``required`` makes the field compulsory, and a
list that may be left out defaults to empty (how many items it needs is a data rule).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, create_model

from practice_graph.model.schema import Class, DataType, Model, Slot

PLACEHOLDERS = {"TODO", "TBD", "?"}
MAX_TEXT = 10_000  # characters in any text value; the longest curated one has about 300


class Item(BaseModel):
    """Base of everything read from the data: unknown fields are errors, items are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    if TYPE_CHECKING:  # fields come from the model; to a type checker they are Any
        def __getattr__(self, name: str) -> Any: ...


class Record(Item):
    """Base of the record classes (``kind_name`` is the model's class name)."""

    kind_name: ClassVar[str] = "Record"

    if TYPE_CHECKING:
        id: str
        label: Any
        evidence: list[Any]
        note: str | None


def _not_placeholder(value: str) -> str:
    if value.strip().upper() in PLACEHOLDERS:
        raise ValueError("is a placeholder, not a translation")
    return value


def _number_not_text(value: Any) -> Any:
    if (value is not None and not isinstance(value, int | float)) or isinstance(value, bool):
        raise ValueError(f"must be a number, not {value!r}")
    return value


def _real_date(value: str) -> str:
    if len(value) == 10:
        dt.date.fromisoformat(value)
    return value


def _literal_type(data_type: DataType) -> Any:
    """The Python type of a literal type, with its constraints."""
    constraints: list[Any] = []
    if data_type.base in {"str", "date"}:
        constraints.append(StringConstraints(pattern=data_type.pattern, min_length=data_type.min_length,
                                             max_length=MAX_TEXT))
    if data_type.minimum is not None:
        constraints.append(Field(ge=data_type.minimum))
    if data_type.not_placeholder:
        constraints.append(AfterValidator(_not_placeholder))
    base: Any = {"str": str, "int": int, "bool": bool, "decimal": Decimal, "date": str}[data_type.base]
    if data_type.base == "decimal":
        constraints.append(BeforeValidator(_number_not_text))
    if data_type.base == "date":
        constraints.append(AfterValidator(_real_date))
    return Annotated[base, *constraints] if constraints else base


def _field(model: Model, slot: Slot, classes: dict[str, type[Item]]) -> tuple[Any, Any]:
    """The (type, default) pair of one slot."""
    item: Any
    if slot.scheme is not None or model.is_reference(slot):
        item = classes["Link"] if slot.quoted else _literal_type(model.types["id"])
    elif (cls := model.range_class(slot)) is not None:
        item = classes[cls.name]
    elif slot.range[0] in model.enums:
        item = Literal[model.enums[slot.range[0]].permissible]
    else:
        item = _literal_type(model.types[slot.range[0]])
    if slot.multivalued:
        return (list[item], ...) if slot.required else (list[item], Field(default_factory=list))
    if slot.required:
        return item, ...
    if slot.default is not None:
        return item, slot.default
    return item | None, None


@lru_cache(maxsize=8)
def record_classes(model: Model) -> dict[str, type[Item]]:
    """A pydantic class per model class (records derive from :class:`Record`), by class name."""
    classes: dict[str, type[Item]] = {}

    def make(cls: Class) -> type[Item]:
        if cls.name in classes:
            return classes[cls.name]
        for slot in cls.slots:
            for name in (*slot.range, *(("Link",) if slot.quoted else ())):
                if name in model.classes and not model.is_record(model.classes[name]):
                    make(model.classes[name])
        fields: dict[str, Any] = {slot.key: _field(model, slot, classes) for slot in cls.slots if not slot.derived}
        base: type[Item] = Record if model.is_record(cls) else Item
        made: type[Item] = create_model(cls.name, __base__=base, __module__=__name__, **fields)
        made.__doc__ = cls.definition
        if base is Record:
            made.kind_name = cls.name  # type: ignore[attr-defined]
        classes[cls.name] = made
        return made

    for cls in model.classes.values():
        if not cls.abstract:
            make(cls)
    return classes
