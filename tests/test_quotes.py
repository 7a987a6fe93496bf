"""Every quote in the curated data is an exact substring of the source, inside its practice.

This test reads the YAML and the source on its own (PyYAML's plain safe loader, LibYAML's where PyYAML
has it, and str.find), so it checks the validator's answer rather than repeating it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from .conftest import DATA

SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
QUOTE_FIELDS = ("mechanisms", "worker_sources", "part_of", "exchanges_data_with", "located_at", "organizers", "rewards",
                "participants")


def practice_texts(source: str) -> dict[str, str]:
    """Practice id -> its paragraph text (segments joined with a separator no quote contains)."""
    skeleton = yaml.load((DATA / "skeleton.yaml").read_text(encoding="utf-8"), Loader=SAFE_LOADER)
    measures = {m["id"]: m for m in skeleton["measures"]}
    tasks = {t["id"]: t for t in skeleton["tasks"]}
    ordered = sorted(
        skeleton["practices"],
        key=lambda p: (tasks[measures[p["measure"]]["task"]]["number"], measures[p["measure"]]["number"], p["number"]),
    )
    texts: list[str] = []
    for paragraph in re.findall(r"<p>(.*?)</p>", source, re.S):
        if re.match(r"\s*(<b>)?\s*\d+\.", paragraph):
            texts.append(paragraph)
        else:
            texts[-1] += "\x00" + paragraph
    assert len(texts) == len(ordered) == 47
    return {practice["id"]: text for practice, text in zip(ordered, texts, strict=True)}


def quotes(node: Any, practice: str | None = None) -> Iterator[tuple[str | None, str]]:
    if isinstance(node, dict):
        if isinstance(node.get("practice"), str):
            practice = node["practice"]
        elif node.get("measure") and node.get("id", "").startswith("p-"):
            practice = node["id"]
        if isinstance(node.get("quote"), str):
            yield practice, node["quote"]
        evidence_practices = {e.get("practice") for e in node.get("evidence", []) or []} - {None}
        for key, value in node.items():
            inherited = practice
            if key in QUOTE_FIELDS and practice is None and len(evidence_practices) == 1:
                inherited = next(iter(evidence_practices))
            if key != "evidence":
                yield from quotes(value, inherited)
            else:
                for item in value or []:
                    yield item.get("practice"), item["quote"]
    elif isinstance(node, list):
        for item in node:
            yield from quotes(item, practice)


def test_every_quote_stands_in_its_practice(source_text: str) -> None:
    texts = practice_texts(source_text)
    checked = 0
    for path in sorted(Path(DATA).glob("*.yaml")):
        for practice, quote in quotes(yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)):
            assert quote in source_text, (path.name, quote)
            if practice is not None:
                assert quote in texts[practice], (path.name, practice, quote)
                assert "\x00" not in quote
            checked += 1
    assert checked > 500


def test_indicator_figures_are_printed_as_curated(source_text: str) -> None:
    texts = practice_texts(source_text)
    indicators = yaml.load((DATA / "indicators.yaml").read_text(encoding="utf-8"), Loader=SAFE_LOADER)
    for indicator in indicators:
        practices = {e["practice"] for e in indicator["evidence"]}
        assert any(indicator["verbatim"] in texts[p] for p in practices), indicator["id"]
        if indicator.get("as_of_verbatim"):
            assert any(indicator["as_of_verbatim"] in texts[p] for p in practices), indicator["id"]
