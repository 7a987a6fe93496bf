"""The checkable rules of the codebook (``data/CODEBOOK.md`` §18) for bodies, classes, levels, joint
arrangements, roles, systems, events and facilities.

Each check yields ``file:line: record.field: message`` problems whose message opens with the rule's
id (``JA-2``, ``ROLE-1`` ...), so a curator can look the rule up. The markers below are the
codebook's own lists; the arrangement kinds' necessary conditions follow JAK-0 in the order of
the ``arrangement-kinds`` scheme (its order is the precedence).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from practice_graph.curation.load import DataError, Dataset, practice_paragraphs

# --------------------------------------------------------------------------- errors


def problem(dataset: Dataset, record: Any, field: str, message: str, *loc: Any) -> DataError:
    """A problem at ``record``'s field (``loc``: YAML keys and list indexes down to it)."""
    position = dataset.position(record)
    record_id = getattr(record, "id", "")
    return DataError(position.file, position.line_of(*(loc or (field.split(".")[0],))), f"{record_id}.{field}", message)


# --------------------------------------------------------------------------- markers (the codebook's lists)

# ROLE-1: the markers of each role, looked for in the participant's quote.
ROLE_MARKERS: dict[str, re.Pattern[str]] = {
    "lead": re.compile("牵头|主导"),
    "convener": re.compile("会同|联合|组织|协调|依托|为平台|为依托|为载体|发挥"),
    "implement": re.compile("负责实施|负责|具体实施|承办|主体"),
    "support": re.compile("提供.*支持|支持|搭台|依托|为平台|为依托|为载体|发挥.*作用"),
    "assist": re.compile("配合|协助"),
    "partner": re.compile("会同|联合|组织|协调|共同|合力|联动|与.+?(?:合作|建立|对接)"),
}
# ROLE-3: a convener's designation stands before its convening verb; a lead's right before 牵头/主导.
CONVENING = ROLE_MARKERS["convener"]
LEADING = ("牵头", "主导")

# JA-1 / JA-10: a joint act or a formal link between bodies (and the one-way push whose receiver acts, JA-5).
JOINT_MARKERS = re.compile(
    "联合|会同|共同|合力|协同|联动|齐抓共管|整合资源|形成合力|合作|组织|协调|依托|为平台|为依托|为载体|发挥"
    "|与.+?(?:建立|对接)|签订.*协议|构建.*网络|形成.*模式|推送至"
)

# AG-1: the function word(s) a designation of each department type contains.
FUNCTION_WORDS: dict[str, tuple[str, ...]] = {
    "government": ("人民政府", "政府"),
    "housing": ("住房城乡建设", "住房和城乡建设"),
    "hrss": ("人社", "人力资源社会保障", "人力资源和社会保障"),
    "development-reform": ("发改", "发展改革", "发展和改革"),
    "finance": ("财政",),
    "tax": ("税务",),
    "market-regulation": ("市场监督管理", "市场监管"),
    "public-security": ("公安",),
    "court": ("法院", "高院", "中院"),
    "arbitration": ("仲裁",),
    "industry-it": ("工信", "工业和信息化"),
    "safety-supervision": ("安监",),
    "quality-supervision": ("质监",),
    "inspection": ("稽查",),
    "leading-group": ("领导小组",),
    "competition-committee": ("竞赛组委会", "组委会"),
    "trade-union": ("总工会", "工会"),
}
# CLASS-5: a class of government bodies may be designated by a unit word instead of a function word.
UNIT_WORDS = ("区县", "乡镇", "村", "社")

# LEVEL-2 / LEVEL-4: a prefix that states a level; a bare 部门 designation without one is unstated.
LEVEL_PREFIX = re.compile("^(省|市|县|区)")
BARE_DEPARTMENT = re.compile("部门$")
BODY_LEVELS = ("multiple", "unstated")  # levels only a body (never a region) may have

# SYS-4 / REL-7: part_of and exchanges_data_with markers.
PART_NOUNS = re.compile("模块|服务|场景|功能")
EXCHANGE_MARKERS = re.compile("对接|互联共享|推送|共享至|集成到|纳入")
# EVT-4: a holding or joint marker in an organiser's quote.
HOLDING_MARKERS = re.compile("举办|开展|主办|会同|联合|依托|合作|共同")
# REL-6: a located_at marker.
LOCATED_MARKERS = re.compile("依托|为依托|入驻|设在")

# JA-6 / JA-11: what ends a sentence (a line or a tab ends a paragraph segment of the source).
SENTENCE_ENDS = ("。", "；", "\n", "\t")

FACILITY = "facility"  # the organisation kind whose narrower kinds are facilities (ORG-3)


# --------------------------------------------------------------------------- reading the data


def names(record: Any) -> list[str]:
    """Every written form of a record: its label, full name and alternative labels (Chinese)."""
    found = [record.label.zh]
    full = getattr(record, "full_name", None)
    if full is not None and full.zh:
        found.append(full.zh)
    found += [alt.zh for alt in getattr(record, "alt_labels", None) or [] if alt.zh]
    return found


def is_class(record: Any) -> bool:
    return bool(getattr(record, "is_class", False))


def facility_kinds(dataset: Dataset) -> set[str]:
    """The organisation kinds that are facilities: ``facility`` and the kinds under it."""
    concepts = dataset.concepts("organization-kinds")
    found = {FACILITY} if FACILITY in concepts else set()
    changed = True
    while changed:
        more = {c.id for c in concepts.values() if c.broader in found} - found
        changed = bool(more)
        found |= more
    return found


@dataclass(frozen=True)
class Party:
    """A participant as the kind rules see it: its record, type (GOV, JUS ...) and stated level."""

    record: Any
    type: str | None
    level: str | None
    is_region: bool
    is_class: bool


ORGANISATION_TYPES = {"association": "ASSOC", "school": "SCH", "training-institution": "SCH", "enterprise": "ENT",
                      "bank": "ENT", "mediation-committee": "MED"}


def party(record: Any) -> Party:
    """JAK-0's participant type: GOV (an agency other than a court or arbitration body, or a region), JUS,
    ASSOC, SCH, ENT, MED; a class has its members' type."""
    if record.kind_name == "Region":
        return Party(record, "GOV", record.level, True, False)
    if record.kind_name == "Agency":
        kind = "JUS" if record.department_type in ("court", "arbitration") else "GOV"
        level = None if record.level in BODY_LEVELS else record.level
        return Party(record, kind, level, False, is_class(record))
    return Party(record, ORGANISATION_TYPES.get(record.kind), None, False, is_class(record))


def by_id(dataset: Dataset) -> dict[str, Any]:
    return {record.id: record for record in dataset.all_records()}


def lead_regions(dataset: Dataset) -> dict[str, str]:
    """Practice id -> its lead region id."""
    return {practice.id: practice.region for practice in dataset.of("Practice")}


def contains(regions: dict[str, Any], outer: str, inner: str) -> bool:
    """Whether region ``outer`` contains region ``inner`` (or is it)."""
    current = regions.get(inner)
    while current is not None:
        if current.id == outer:
            return True
        current = regions.get(current.parent) if current.parent else None
    return False


# --------------------------------------------------------------------------- JAK-0: arrangement kinds


@dataclass(frozen=True)
class KindInput:
    """What the kind of an arrangement is computed from."""

    parties: list[Party]
    anchor: str
    events_in_anchor: bool
    regions: dict[str, Any]


def _types(k: KindInput) -> set[str | None]:
    return {p.type for p in k.parties}


def _any(pattern: str) -> Callable[[str], bool]:
    compiled = re.compile(pattern)
    return lambda text: compiled.search(text) is not None


def _separate_regions(k: KindInput) -> bool:
    regions = [p.record.id for p in k.parties if p.is_region]
    return any(not contains(k.regions, a, b) and not contains(k.regions, b, a)
               for i, a in enumerate(regions) for b in regions[i + 1:])


TRAINING = _any("合作|办学|培训|实训|培养|沟通机制|为平台")

# Each kind's necessary conditions (codebook JAK-0), by kind id; the scheme's order is the precedence.
KIND_CONDITIONS: dict[str, Callable[[KindInput], bool]] = {
    "dispute-resolution": lambda k: bool(_types(k) & {"JUS", "MED", "ASSOC"})
    and _any("纠纷|调解|解纷|诉调|裁调|诉源")(k.anchor),
    "enforcement-linkage": lambda k: {"JUS", "GOV"} <= _types(k) and _any("执法|司法")(k.anchor) and "联动" in k.anchor,
    "cross-regional-cooperation": lambda k: _separate_regions(k) and _any("合作|协议")(k.anchor),
    "work-network": lambda k: len(k.parties) >= 3
    and (len(_types(k)) >= 2 or len({p.level for p in k.parties if p.level}) >= 2)
    and _any("网络|全链条|联动模式|联动工作机制")(k.anchor),
    "school-enterprise-cooperation": lambda k: {"SCH", "ENT"} <= _types(k) and TRAINING(k.anchor),
    "training-cooperation": lambda k: "SCH" in _types(k) and any(p.type != "SCH" for p in k.parties)
    and TRAINING(k.anchor),
    "government-enterprise-cooperation": lambda k: {"GOV", "ENT"} <= _types(k) and _any("主导|主体|运营")(k.anchor),
    "data-exchange": lambda k: len(k.parties) >= 2 and _any("数据|信息")(k.anchor)
    and _any("对接|推送|共享|交换")(k.anchor),
    "joint-policy": lambda k: _any("印发|制定|出台|确定|调整")(k.anchor),
    "joint-funding": lambda k: len(k.parties) >= 2 and _any("补贴|资金支持")(k.anchor),
    "joint-event": lambda k: k.events_in_anchor and _any("举办|开展|主办")(k.anchor),
    "joint-supervision": lambda k: _any("巡查|检查|督促|监管|核查|整改")(k.anchor),
    "joint-punishment": lambda k: sum(not p.is_class for p in k.parties) >= 2 and "联合惩戒" in k.anchor,
    "coordination-mechanism": lambda k: sum(p.type == "GOV" for p in k.parties) >= 2
    and _any("机制|制度|联动|协同|齐抓共管")(k.anchor),
}
UNCLASSIFIED = "unclassified"


def expected_kind(order: list[str], given: KindInput) -> str:
    """The first kind, in the scheme's order, whose necessary conditions all hold (JAK-0)."""
    for kind in order:
        condition = KIND_CONDITIONS.get(kind)
        if condition is not None and condition(given):
            return kind
    return UNCLASSIFIED


# --------------------------------------------------------------------------- the checks


def check_participants(dataset: Dataset) -> Iterator[DataError]:
    """JA-2, JA-4, JA-5, BODY-2: who may take part, and how the text designates each participant."""
    records = by_id(dataset)
    leads = lead_regions(dataset)
    facilities = facility_kinds(dataset)
    for arrangement in dataset.of("JointArrangement"):
        members = [records.get(p.id) for p in arrangement.participants]
        if members and all(m is not None and m.kind_name != "Region" and is_class(m) for m in members):
            yield problem(dataset, arrangement, "participants",
                          "JA-2: every participant is a class; at least one must be an individual body or region "
                          "(else code a mechanism use, not an arrangement)")
        quotes = [arrangement.anchor, *(e.quote for e in arrangement.evidence)]
        seen: set[str] = set()
        for index, (participant, member) in enumerate(zip(arrangement.participants, members, strict=True)):
            at = ("participants", index)
            if participant.id in seen:
                yield problem(dataset, arrangement, f"participants.{index}.id",
                              f"{participant.id!r} takes part twice in one arrangement", *at, "id")
            seen.add(participant.id)
            if member is None:
                continue  # an unknown reference: reported by the reference rule
            if member.kind_name == "Organization" and member.kind in facilities:
                yield problem(dataset, arrangement, f"participants.{index}.id",
                              f"JA-4: {participant.id!r} is a facility ({member.kind}), never a party; "
                              "relate it with located_at", *at, "id")
            if participant.as_subject:
                if leads.get(arrangement.practice) != participant.id:
                    yield problem(dataset, arrangement, f"participants.{index}.as_subject",
                                  f"JA-5: only the practice's lead region ({leads.get(arrangement.practice)!r}) takes "
                                  f"part as the practice subject, not {participant.id!r}", *at, "as_subject")
                if participant.designation is not None:
                    yield problem(dataset, arrangement, f"participants.{index}.designation",
                                  "BODY-2: the practice subject acting through an elided subject has no designation",
                                  *at, "designation")
                continue
            if participant.designation is None:
                yield problem(dataset, arrangement, f"participants.{index}.designation",
                              "BODY-2: a participant needs its designation as written (or as_subject: true for the "
                              "practice subject)", *at)
                continue
            if participant.designation not in participant.quote:
                yield problem(dataset, arrangement, f"participants.{index}.designation",
                              f"JA-2: the designation {participant.designation!r} is not in the participant's quote",
                              *at, "designation")
            elif not any(participant.designation in quote for quote in quotes):
                yield problem(dataset, arrangement, f"participants.{index}.designation",
                              f"JA-2: the designation {participant.designation!r} is in neither the anchor nor the "
                              "evidence of the arrangement", *at, "designation")


def check_roles(dataset: Dataset) -> Iterator[DataError]:
    """ROLE-1, ROLE-3, ROLE-5: a role only with its marker in the participant's own quote, in its place."""
    for arrangement in dataset.of("JointArrangement"):
        for index, participant in enumerate(arrangement.participants):
            role, quote, designation = participant.role, participant.quote, participant.designation
            if role is None or role not in ROLE_MARKERS:
                continue
            where = (f"participants.{index}.role", "participants", index, "role")
            if not ROLE_MARKERS[role].search(quote):
                yield problem(dataset, arrangement, where[0],
                              f"ROLE-1: role {role!r} needs one of its markers ({ROLE_MARKERS[role].pattern}) in the "
                              f"participant's quote {quote!r}", *where[1:])
            elif role == "lead" and designation and not any(designation + word in quote for word in LEADING):
                yield problem(dataset, arrangement, where[0],
                              f"ROLE-3: a lead's 牵头 or 主导 follows its designation directly ({designation!r})",
                              *where[1:])
            elif role == "convener" and designation and designation in quote:
                marker = CONVENING.search(quote)
                if marker is not None and quote.index(designation) > marker.start():
                    yield problem(dataset, arrangement, where[0],
                                  f"ROLE-3: a convener is the subject of {marker.group()!r}; {designation!r} stands "
                                  "after it (an object is a partner or a support)", *where[1:])


def check_anchors(dataset: Dataset) -> Iterator[DataError]:
    """JA-10: the anchor holds a joint marker, or the designations of two or more participants."""
    for arrangement in dataset.of("JointArrangement"):
        designated = sum(1 for p in arrangement.participants if p.designation and p.designation in arrangement.anchor)
        if not JOINT_MARKERS.search(arrangement.anchor) and designated < 2:
            yield problem(dataset, arrangement, "anchor",
                          "JA-10: the anchor holds no joint marker (联合, 会同, 与…建立, 组织, 依托 …) and fewer than "
                          "two participants' designations")


def check_kinds(dataset: Dataset) -> Iterator[DataError]:
    """JAK-0: the kind is the first kind of the scheme whose necessary conditions hold."""
    scheme = list(dataset.concepts("arrangement-kinds"))
    for kind in scheme:
        if kind not in KIND_CONDITIONS and kind != UNCLASSIFIED:
            concept = dataset.concepts("arrangement-kinds")[kind]
            yield problem(dataset, concept, "id",
                          f"JAK-0: the arrangement kind {kind!r} has no necessary conditions in the validator", "id")
    records = by_id(dataset)
    regions = {r.id: r for r in dataset.of("Region")}
    events = dataset.of("Event")
    for arrangement in dataset.of("JointArrangement"):
        members = [records.get(p.id) for p in arrangement.participants]
        if any(m is None for m in members):
            continue
        held = any(event.label.zh.strip("“”") in arrangement.anchor
                   for event in events if any(e.practice == arrangement.practice for e in event.evidence))
        expected = expected_kind(scheme, KindInput([party(m) for m in members], arrangement.anchor, held, regions))
        if expected != arrangement.kind:
            yield problem(dataset, arrangement, "kind",
                          f"JAK-0: the participants and the anchor give {expected!r} (the first kind whose necessary "
                          f"conditions hold), not {arrangement.kind!r}")
        elif expected == UNCLASSIFIED and not arrangement.note:
            yield problem(dataset, arrangement, "kind", "JAK-0: an unclassified arrangement needs a note")


def sentence_span(text: str, start: int, end: int) -> tuple[int, int]:
    """The sentence of ``text`` around ``text[start:end]``: from after the last 。 or ； (or a line or
    segment break) before it to the first one after it (codebook JA-6)."""
    before = max(text.rfind(mark, 0, start) for mark in SENTENCE_ENDS) + 1
    after = [i for i in (text.find(mark, end) for mark in SENTENCE_ENDS) if i >= 0]
    return before, min(after, default=len(text))


def overlaps(span: tuple[int, int], other: tuple[int, int]) -> bool:
    """Whether two character spans (end exclusive) share a character."""
    return span[0] < other[1] and other[0] < span[1]


def check_carries(dataset: Dataset) -> Iterator[DataError]:
    """JA-11: an arrangement carries the mechanism uses of its own practice that it performs: every use
    whose quote overlaps its anchor, and no use outside the anchor's sentence."""
    uses = {practice.id: {use.id: use for use in practice.mechanisms} for practice in dataset.of("Practice")}
    paragraphs = practice_paragraphs(dataset)
    text = dataset.source.text
    for arrangement in dataset.of("JointArrangement"):
        used = uses.get(arrangement.practice, {})
        paragraph = paragraphs.get(arrangement.practice)
        anchor = paragraph.find(arrangement.anchor) if paragraph is not None else None
        sentence = sentence_span(text, *anchor) if anchor is not None else None
        for index, mechanism in enumerate(arrangement.carries):
            use = used.get(mechanism)
            if use is None:
                yield problem(dataset, arrangement, f"carries.{index}",
                              f"JA-11: practice {arrangement.practice} has no use of {mechanism!r}", "carries", index)
                continue
            where = paragraph.find(use.quote) if paragraph is not None else None
            if sentence is not None and where is not None and not overlaps(where, sentence):
                yield problem(dataset, arrangement, f"carries.{index}",
                              f"JA-11: the use of {mechanism!r} ({use.quote!r}) is not in the anchor's sentence",
                              "carries", index)
        if anchor is None:
            continue  # a quote not in its practice: reported by the quote rule
        for use in used.values():
            where = paragraph.find(use.quote) if paragraph is not None else None
            if where is not None and overlaps(where, anchor) and use.id not in arrangement.carries:
                yield problem(dataset, arrangement, "carries",
                              f"JA-11: the use of {use.id!r} ({use.quote!r}) overlaps the anchor: the arrangement "
                              "carries it")


def check_bodies(dataset: Dataset) -> Iterator[DataError]:
    """BODY-4, CLASS-3, LEVEL-1, LEVEL-4, AG-1: one record per body, classes without a region, levels as stated."""
    seen: dict[tuple[Any, ...], Any] = {}
    for agency in dataset.of("Agency"):
        key = (agency.scope_region if is_class(agency) else agency.region, agency.department_type, agency.level,
               is_class(agency), agency.label.zh if is_class(agency) else None)
        if key in seen:
            yield problem(dataset, agency, "level",
                          f"BODY-4: {seen[key].id!r} has the same region, department type and level: one body is one "
                          "record (alt_labels for its other designations)")
        seen.setdefault(key, agency)
        label = agency.label.zh
        if agency.level == "multiple" and not (is_class(agency) and "各级" in label):
            yield problem(dataset, agency, "level", "CLASS-3: level multiple is only for a class designated 各级")
        if (BARE_DEPARTMENT.search(label) and not LEVEL_PREFIX.search(label) and "各级" not in label
                and agency.level != "unstated"):
            yield problem(dataset, agency, "level",
                          f"LEVEL-4: {label!r} states no level (no 省/市/县 prefix): level unstated, "
                          f"not {agency.level!r}")
        words = FUNCTION_WORDS.get(agency.department_type, ())
        written = names(agency)
        unit = is_class(agency) and agency.department_type == "government" and any(
            w in text for w in UNIT_WORDS for text in written)
        if words and not unit and not any(word in text for word in words for text in written):
            yield problem(dataset, agency, "department_type",
                          f"AG-1: {label!r} contains no function word of {agency.department_type!r} "
                          f"({'、'.join(words)})")
    for record in [*dataset.of("Agency"), *dataset.of("Organization")]:
        if is_class(record) and record.region is not None:
            yield problem(dataset, record, "region",
                          "CLASS-3: a class has no single region (scope_region where the text says whose members)")
        if not is_class(record) and record.scope_region is not None:
            yield problem(dataset, record, "scope_region", "CLASS-3: only a class has a scope region")
        if not is_class(record) and record.count is not None:
            yield problem(dataset, record, "count", "CLASS-1: only a class counts members")
        if record.kind_name == "Agency" and not is_class(record) and record.region is None:
            yield problem(dataset, record, "region", "LEVEL-4: a body that is no class needs its region")
    for region in dataset.of("Region"):
        if region.level in BODY_LEVELS:
            yield problem(dataset, region, "level", f"LEVEL-1: {region.level!r} is a level of bodies, not of regions")


def check_systems(dataset: Dataset) -> Iterator[DataError]:
    """SYS-4, REL-7: app services sit inside a system; part_of and exchanges_data_with quotes hold their markers."""
    platforms = {p.id: p for p in dataset.of("Platform")}
    for platform in dataset.of("Platform"):
        link = platform.part_of
        if platform.kind == "app-service" and link is None:
            yield problem(dataset, platform, "part_of",
                          "SYS-4: an app service needs the system it sits inside (part_of)")
        if link is not None:
            target = platforms.get(link.id)
            if link.id == platform.id:
                yield problem(dataset, platform, "part_of.id", "SYS-4: a system is not part of itself", "part_of", "id")
            elif target is not None and not (PART_NOUNS.search(link.quote)
                                              and any(n in link.quote for n in names(target))):
                yield problem(dataset, platform, "part_of.quote",
                              f"SYS-4: the quote names neither the container {target.label.zh!r} nor a part "
                              "(模块, 服务, 场景, 功能)" if not PART_NOUNS.search(link.quote)
                              else f"SYS-4: the quote does not name the container {target.label.zh!r}",
                              "part_of", "quote")
        for index, exchange in enumerate(platform.exchanges_data_with):
            target = platforms.get(exchange.id)
            at = ("exchanges_data_with", index)
            if exchange.id == platform.id or (link is not None and exchange.id == link.id):
                yield problem(dataset, platform, f"exchanges_data_with.{index}.id",
                              "SYS-4: a system does not exchange data with itself or with the system it is part of",
                              *at, "id")
            elif not EXCHANGE_MARKERS.search(exchange.quote):
                yield problem(dataset, platform, f"exchanges_data_with.{index}.quote",
                              f"REL-7: the quote holds no data-exchange marker ({EXCHANGE_MARKERS.pattern})",
                              *at, "quote")
            elif target is not None and not any(n in exchange.quote for n in names(target)):
                yield problem(dataset, platform, f"exchanges_data_with.{index}.quote",
                              f"REL-7: the quote does not name {target.label.zh!r}", *at, "quote")


def check_organizers(dataset: Dataset) -> Iterator[DataError]:
    """EVT-4: an organiser is designated in its quote (or is the practice subject) with a holding or joint marker."""
    records = by_id(dataset)
    leads = lead_regions(dataset)
    for event in dataset.of("Event"):
        practices = {e.practice for e in event.evidence}
        for index, link in enumerate(event.organizers):
            organiser = records.get(link.id)
            if organiser is None:
                continue
            at = ("organizers", index, "quote")
            practice = link.practice or (next(iter(practices)) if len(practices) == 1 else None)
            subject = organiser.kind_name == "Region" and practice is not None and leads.get(practice) == organiser.id
            if not subject and not any(n in link.quote for n in names(organiser)):
                yield problem(dataset, event, f"organizers.{index}.quote",
                              f"EVT-4: the quote does not designate the organiser {organiser.label.zh!r}", *at)
            elif not HOLDING_MARKERS.search(link.quote):
                yield problem(dataset, event, f"organizers.{index}.quote",
                              "EVT-4: the quote holds no holding or joint marker (举办, 开展, 主办, 会同, 联合, 依托); "
                              "a body that only approves results is no organiser", *at)


def check_located_at(dataset: Dataset) -> Iterator[DataError]:
    """REL-6: located_at points at a named facility, with its marker and the facility's name in the quote."""
    organisations = {o.id: o for o in dataset.of("Organization")}
    facilities = facility_kinds(dataset)
    for record in dataset.of("Organization"):
        link = record.located_at
        if link is None:
            continue
        target = organisations.get(link.id)
        if target is None:
            continue
        if target.kind not in facilities:
            yield problem(dataset, record, "located_at.id",
                          f"REL-6: {link.id!r} ({target.kind}) is not a facility", "located_at", "id")
        elif not LOCATED_MARKERS.search(link.quote) or not any(n in link.quote for n in names(target)):
            yield problem(dataset, record, "located_at.quote",
                          f"REL-6: the quote needs a marker (依托, 为依托, 入驻, 设在) and the facility's name "
                          f"({target.label.zh!r} or an alternative label)", "located_at", "quote")


CODEBOOK_CHECKS = (
    check_participants,
    check_roles,
    check_anchors,
    check_kinds,
    check_carries,
    check_bodies,
    check_systems,
    check_organizers,
    check_located_at,
)
