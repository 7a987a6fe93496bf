"""Broken copies of the real data checked together: one validation for every case that breaks another record.

The rule modules (``test_codebook_rules``, ``test_mechanism_rules``) each break the real data with one
edit per case. Validation reports every problem of every record, so cases that break different
records can share one copy and one validation; each case still checks its own line. Cases that
break the same record get copies of their own (in as few groups as that takes).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable, Mapping
from pathlib import Path

Edit = tuple[str, str, str]  # (file name, old text, new text): the first old text is replaced


def edited_copy(source: Path, target: Path, edits: Iterable[Edit]) -> Path:
    """Copy the data folder ``source`` to ``target`` and apply ``edits`` to the copy."""
    shutil.copytree(source, target)
    for file_name, old, new in edits:
        path = target / file_name
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {file_name}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return target


def groups(records: Mapping[str, str]) -> list[list[str]]:
    """Case names (each mapped to the record it breaks) in groups that break each record at most once,
    as few groups as the busiest record needs; cases in name order."""
    found: list[list[str]] = []
    taken: list[set[str]] = []
    for case in sorted(records):
        for group, broken in zip(found, taken, strict=True):
            if records[case] not in broken:
                group.append(case)
                broken.add(records[case])
                break
        else:
            found.append([case])
            taken.append({records[case]})
    return found
