"""The leading region of a practice (河南省固始县: 固始县 in 河南省), matched against the known regions."""

from __future__ import annotations

import re
from dataclasses import dataclass

from practice_graph.curation.load import Dataset, Region

PROVINCE_PATTERN = re.compile(r"^(?:北京市|天津市|上海市|重庆市|[\u4e00-\u9fff]{2,3}省|[\u4e00-\u9fff]{2,6}?自治区"
                              r"|[\u4e00-\u9fff]{2,3}特别行政区)")
LOCAL_PATTERN = re.compile(r"^[\u4e00-\u9fff]{1,6}?(?:自治州|自治县|自治旗|地区|市|县|区|州|盟|旗)")


@dataclass(frozen=True)
class KnownRegion:
    """A region of ``data/regions.yaml``: its Chinese name, level and parent."""

    id: str
    label: str
    level: str
    parent: str | None


@dataclass
class RegionMatch:
    """The leading region as printed and what it matched among the known regions."""

    printed: str  # e.g. 河南省固始县
    start: int
    province: str | None  # 河南省
    local: str | None  # 固始县
    region_id: str | None  # the known region, or None (a new one for curators)
    province_id: str | None
    note: str = ""


def known_regions(dataset: Dataset) -> dict[str, KnownRegion]:
    """The project's regions by id (from ``data/regions.yaml``)."""
    regions = [r for r in dataset.of(Region) if isinstance(r, Region)]
    return {r.id: KnownRegion(r.id, r.label.zh, r.level, r.parent) for r in regions}


def ancestors(region_id: str, regions: dict[str, KnownRegion]) -> list[str]:
    """The ids of the regions holding ``region_id``, nearest first."""
    chain, current = [], regions.get(region_id)
    while current is not None and current.parent is not None and current.parent not in chain:
        chain.append(current.parent)
        current = regions.get(current.parent)
    return chain


def leading_region(label: str, start: int, regions: dict[str, KnownRegion]) -> RegionMatch | None:
    """Split the region a practice's heading opens with (河南省固始县: 固始县 in 河南省) and match it."""
    by_label: dict[str, list[KnownRegion]] = {}
    for region in regions.values():
        by_label.setdefault(region.label, []).append(region)
    names = sorted(by_label, key=len, reverse=True)

    province = province_id = None
    rest = label
    known_province = next((n for n in names if label.startswith(n)
                           and any(r.level == "province" for r in by_label[n])), None)
    if known_province:
        province = known_province
        province_id = next(r.id for r in by_label[province] if r.level == "province")
    else:
        pattern = PROVINCE_PATTERN.match(label)
        if pattern:
            province = pattern.group(0)
    if province:
        rest = label[len(province):]

    local = local_id = None
    note = ""
    # a local name: after the province, or opening the heading (only a 市 then: 深圳市 ...)
    for name in names:
        if not rest.startswith(name):
            continue
        candidates = [r for r in by_label[name] if r.level != "province"]
        if province_id:
            candidates = [r for r in candidates if province_id in ancestors(r.id, regions)]
        if candidates:
            local, local_id = name, candidates[0].id
            if len(candidates) > 1:
                note = f"{name} is ambiguous: {', '.join(sorted(r.id for r in candidates))}"
            break
    if local is None:
        pattern = LOCAL_PATTERN.match(rest)
        if pattern and (province or pattern.group(0).endswith("市")):
            local = pattern.group(0)
            note = f"{local} is not among the known regions"
    if province is None and local is None:
        return None
    if province and not province_id and not local:
        note = f"{province} is not among the known regions"
    region_id = local_id if local else province_id  # None: a region new to the project
    return RegionMatch((province or "") + (local or ""), start, province, local, region_id, province_id, note)
