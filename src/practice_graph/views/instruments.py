"""The policy-instrument mix (CODEBOOK.md §16): how the mechanism uses spread over the Rothwell and
Zegveld types and sub-types and Hood's NATO codes, for the whole list and per work task, province,
administrative level and kind of joint arrangement.

The rows come from the view query ``views/queries/instrument-mix.rq``, read through
:mod:`practice_graph.views.read` (a pyoxigraph store, an endpoint or an rdflib graph);
:func:`mix_rows` turns its solutions (plain values) into :class:`MixRow` objects.

>>> rows = instrument_mix(graph)                                           # doctest: +SKIP
>>> total(rows, "all", "all").uses, share(rows, "all", "all", "rz-type", "demand")  # doctest: +SKIP
(216, 0.037...)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from practice_graph.views.read import GraphLike, Label, as_source

VIEW = "instrument-mix"
DIMENSIONS = ("all", "task", "province", "level", "arrangement-kind")
SCHEMES = ("rz-type", "rz", "nato", "total")
RZ_TYPES = ("supply", "environment", "demand")
NATO_CODES = ("nodality", "authority", "treasure", "organisation")


@dataclass(frozen=True, order=True)
class MixRow:
    """Uses of one instrument in one group (``scheme`` "total": every use of the group)."""

    dimension: str
    group: str
    scheme: str
    instrument: str
    group_label: Label
    instrument_label: Label
    uses: int
    instrument_uses: int  # uses of one practice sharing a quote counted once (INS-6)
    practices: int


def _text(solution: Mapping[str, Any], name: str, default: str = "") -> str:
    value = solution.get(name)
    return default if value is None else str(value)


def mix_rows(solutions: Iterable[Mapping[str, Any]]) -> list[MixRow]:
    """The view's solutions (variable -> plain value) as sorted rows."""
    rows = []
    for solution in solutions:
        def text(name: str, default: str = "", solution: Mapping[str, Any] = solution) -> str:
            return _text(solution, name, default)

        rows.append(MixRow(
            dimension=text("dimension"), group=text("groupId"), scheme=text("scheme"),
            instrument=text("instrumentId"),
            group_label=Label(text("groupZh"), text("groupEn")),
            instrument_label=Label(text("instrumentZh"), text("instrumentEn")),
            uses=int(text("uses", "0")), instrument_uses=int(text("instrumentUses", "0")),
            practices=int(text("practices", "0")),
        ))
    return sorted(rows, key=lambda r: (DIMENSIONS.index(r.dimension) if r.dimension in DIMENSIONS else 99,
                                       r.group, SCHEMES.index(r.scheme) if r.scheme in SCHEMES else 99,
                                       -r.uses, r.instrument))


def instrument_mix(graph: GraphLike) -> list[MixRow]:
    """The instrument mix of a graph (a pyoxigraph Store, a views Source or an rdflib Graph)."""
    return mix_rows(as_source(graph).rows(VIEW))


def total(rows: Iterable[MixRow], dimension: str, group: str) -> MixRow | None:
    """The "total" row of one group: all its uses and practices."""
    return next((r for r in rows if (r.dimension, r.group, r.scheme) == (dimension, group, "total")), None)


def cell(rows: Iterable[MixRow], dimension: str, group: str, scheme: str, instrument: str) -> MixRow | None:
    """The row of one instrument in one group, None where no use of the group has it."""
    return next((r for r in rows if (r.dimension, r.group, r.scheme, r.instrument)
                 == (dimension, group, scheme, instrument)), None)


def share(rows: list[MixRow], dimension: str, group: str, scheme: str, instrument: str) -> float:
    """The instrument's share of the group's uses (0 where the group has none)."""
    found, whole = cell(rows, dimension, group, scheme, instrument), total(rows, dimension, group)
    return found.uses / whole.uses if found and whole and whole.uses else 0.0


def groups(rows: Iterable[MixRow], dimension: str) -> list[MixRow]:
    """The "total" rows of a dimension's groups, in group order."""
    return [r for r in rows if r.dimension == dimension and r.scheme == "total"]


MIX_HEADER = ("dimension", "group", "group_zh", "group_en", "scheme", "instrument", "instrument_zh", "instrument_en",
              "uses", "instrument_uses", "practices")


def mix_table(rows: Iterable[MixRow]) -> list[tuple[object, ...]]:
    """Every row as a table row of :data:`MIX_HEADER`'s columns (the CSV's body)."""
    return [(r.dimension, r.group, r.group_label.zh, r.group_label.en, r.scheme, r.instrument, r.instrument_label.zh,
             r.instrument_label.en, r.uses, r.instrument_uses, r.practices) for r in rows]
