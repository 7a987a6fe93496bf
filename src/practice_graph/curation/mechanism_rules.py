"""The codebook's checkable rules on mechanisms, their uses and instrument codes (CODEBOOK.md §18).

Each check yields :class:`~practice_graph.curation.load.DataError` problems in the
``file:line: record.field: message`` form, naming the rule it enforces:

- MECH-2: a mechanism and a broader one it is linked with in the same practice have different quotes;
- MECH-4: every mechanism is used by at least one practice; the broader chain has no cycle;
- MU-2: the quote of a requires, funds, promotes or monitors use holds a marker of its relation
  (adopts is not checked: its markers are an open list, and the heading counts as one);
- MU-3: one use per practice and mechanism;
- INS-2, INS-3: the instrument codes are the ones the relation (or, for adopts, the mechanism's
  defaults) gives, unless INS-4 applies; a code of instrument-rz is a sub-type, not a type;
- INS-4: a code that departs from the computed one has an ``instrument_note`` giving the reason.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from practice_graph.curation.load import DataError, Dataset

USE_PRECEDENCE = ("adopts", "requires", "funds", "promotes", "monitors")  # MU-3
# MU-2: markers of each relation but adopts (GEN-3 adds 指导 to the pivot verbs of promotes).
USE_MARKERS: dict[str, re.Pattern[str]] = {
    "requires": re.compile(r"要求|须|需|方可|方能|才能|不得"),
    "funds": re.compile(r"资金支持|补贴|资助|奖励资金|经费用于"),
    "promotes": re.compile(r"鼓励|引导|支持|扶持|推动|指导|提供(?:保障|便利)"),
    "monitors": re.compile(r"监管|监督|预警|巡查|核查|督促|实时掌握|比对|落实.*情况"),
}
# INS-2: the codes a relation other than adopts fixes (R&Z sub-type, NATO code).
RELATION_CODES = {
    "requires": ("env-regulation", "authority"),
    "funds": ("supply-funding", "treasure"),
    "promotes": ("env-strategic", "nodality"),
    "monitors": ("env-regulation", "nodality"),
}
ON_SITE_CHECKS = ("巡查", "实地督导", "现场核查")  # INS-2: monitoring by staff on site spends organisation
RZ_SCHEME = "instrument-rz"


def _problem(dataset: Dataset, record: Any, message: str, *loc: Any) -> DataError:
    position = dataset.position(record)
    return DataError(position.file, position.line_of(*loc), f"{record.id}.{'.'.join(map(str, loc))}", message)


def computed_codes(use: str, quote: str, mechanism: Any) -> tuple[str, str, str]:
    """The R&Z sub-type, NATO code and note INS-2 (a relation) or INS-3 (adopts) give a use."""
    if use == "adopts":
        return mechanism.default_rz, mechanism.default_nato, "default (adopts)"
    rz, nato = RELATION_CODES[use]
    if use == "monitors" and any(marker in quote for marker in ON_SITE_CHECKS):
        nato = "organisation"
    return rz, nato, f"relation ({use})"


def standard_notes() -> set[str]:
    """The notes that claim the computed codes (INS-8): ``default (adopts)``, ``relation (USE)``."""
    return {"default (adopts)", *(f"relation ({use})" for use in RELATION_CODES)}


def _uses(dataset: Dataset) -> Iterator[tuple[Any, int, Any]]:
    for practice in dataset.of("Practice"):
        for index, use in enumerate(practice.mechanisms):
            yield practice, index, use


def _broader_chain(mechanisms: dict[str, Any], mechanism_id: str) -> list[str]:
    """The mechanisms above ``mechanism_id``, nearest first (stops at a category or a repeat)."""
    chain: list[str] = []
    current = mechanisms[mechanism_id].broader if mechanism_id in mechanisms else None
    while current in mechanisms and current not in chain and current != mechanism_id:
        chain.append(current)
        current = mechanisms[current].broader
    return chain


def check_hierarchy(dataset: Dataset) -> Iterator[DataError]:
    """A mechanism's broader chain ends at a category (no cycle)."""
    mechanisms = {m.id: m for m in dataset.of("Mechanism")}
    for mechanism in mechanisms.values():
        chain = [mechanism.id]
        current = mechanism.broader
        while current in mechanisms:
            if current in chain:
                yield _problem(dataset, mechanism,
                               f"cyclic broader chain: {' -> '.join([*chain, current])}", "broader")
                break
            chain.append(current)
            current = mechanisms[current].broader


def check_concepts_used(dataset: Dataset) -> Iterator[DataError]:
    """MECH-4: every mechanism is used by at least one practice."""
    used = {use.id for _, _, use in _uses(dataset)}
    for mechanism in dataset.of("Mechanism"):
        if mechanism.id not in used:
            yield _problem(dataset, mechanism, "no practice uses this mechanism: link it or remove it (MECH-4)", "id")


def check_one_use_per_mechanism(dataset: Dataset) -> Iterator[DataError]:
    """MU-3: a practice uses a mechanism at most once."""
    for practice in dataset.of("Practice"):
        first: dict[str, int] = {}
        for index, use in enumerate(practice.mechanisms):
            if use.id in first:
                order = " > ".join(USE_PRECEDENCE)
                yield _problem(dataset, practice,
                               f"{use.id!r} is used twice in this practice (also mechanisms.{first[use.id]}): "
                               f"keep one use, the first of {order} (MU-3)", "mechanisms", index, "id")
            else:
                first[use.id] = index


def check_use_markers(dataset: Dataset) -> Iterator[DataError]:
    """MU-2: a requires, funds, promotes or monitors quote holds a marker of its relation."""
    for practice, index, use in _uses(dataset):
        pattern = USE_MARKERS.get(use.use)
        if pattern is not None and not pattern.search(use.quote):
            yield _problem(dataset, practice,
                           f"a {use.use} use needs a marker of its relation in its quote "
                           f"({pattern.pattern.replace('|', ', ')}) (MU-2)", "mechanisms", index, "quote")


def check_broader_quotes(dataset: Dataset) -> Iterator[DataError]:
    """MECH-2: a mechanism and a broader one linked in the same practice do not share a quote."""
    mechanisms = {m.id: m for m in dataset.of("Mechanism")}
    for practice in dataset.of("Practice"):
        by_id = {use.id: (index, use) for index, use in enumerate(practice.mechanisms)}
        for index, use in enumerate(practice.mechanisms):
            for broader in _broader_chain(mechanisms, use.id):
                if broader in by_id and by_id[broader][1].quote == use.quote:
                    yield _problem(dataset, practice,
                                   f"the same quote as the broader mechanism {broader!r} "
                                   f"(mechanisms.{by_id[broader][0]}): each needs an item of its own, "
                                   "quoted with its own span (MECH-2)", "mechanisms", index, "quote")


def check_instrument_codes(dataset: Dataset) -> Iterator[DataError]:
    """INS-2, INS-3, INS-4: codes as computed, or an override with its reason; R&Z codes are sub-types."""
    sub_types = {concept.id for concept in dataset.concepts(RZ_SCHEME).values() if concept.broader}
    mechanisms = {m.id: m for m in dataset.of("Mechanism")}
    for mechanism in mechanisms.values():
        if mechanism.default_rz not in sub_types:
            yield _problem(dataset, mechanism, f"{mechanism.default_rz!r} is an R&Z type: give one of its "
                           "sub-types (INS-3, §16)", "default_rz")
    standard = standard_notes()
    for practice, index, use in _uses(dataset):
        if use.rz not in sub_types:
            yield _problem(dataset, practice, f"{use.rz!r} is an R&Z type: code one of its sub-types (§16)",
                           "mechanisms", index, "rz")
            continue
        if use.id not in mechanisms or use.use not in (*RELATION_CODES, "adopts"):
            continue  # the reference and taxonomy rules report these
        rz, nato, note = computed_codes(use.use, use.quote, mechanisms[use.id])
        differing = [(field, coded, expected) for field, coded, expected in (("rz", use.rz, rz),
                                                                             ("nato", use.nato, nato))
                     if coded != expected]
        rule = "INS-3: the mechanism's default" if use.use == "adopts" else f"INS-2: the relation {use.use}"
        if not differing:
            if use.instrument_note in standard and use.instrument_note != note:
                yield _problem(dataset, practice, f"{use.instrument_note!r} does not name how these codes were "
                               f"given: {note!r} (INS-8)", "mechanisms", index, "instrument_note")
            continue
        if use.instrument_note is None:
            for field, coded, expected in differing:
                yield _problem(dataset, practice, f"{coded!r} departs from {expected!r} ({rule}) and no "
                               "instrument_note gives the override's reason (INS-4)", "mechanisms", index, field)
        elif use.instrument_note in standard:
            for field, coded, expected in differing:
                yield _problem(dataset, practice, f"{coded!r} is not the code {rule} gives ({expected!r}); "
                               "correct it, or give the override's reason in instrument_note (INS-4)",
                               "mechanisms", index, field)


MECHANISM_CHECKS = (
    check_hierarchy,
    check_concepts_used,
    check_one_use_per_mechanism,
    check_use_markers,
    check_broader_quotes,
    check_instrument_codes,
)
