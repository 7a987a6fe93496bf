"""The data release: ``data/release.yaml`` holds the date of the last release of the curated data.

The graph's version is the code's semantic version plus that date, ``0.2.0+data.2026-11-30``
(:func:`data_version`); the build records both in the dataset description. ``scripts/release.sh``
sets the date. A data folder without the file (an unreleased copy) builds with no release.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from practice_graph.curation.load import DataError, locate, read_yaml, shortened, shown

RELEASE_FILE = "release.yaml"


@dataclass(frozen=True)
class DataRelease:
    """A release of the curated data: its date, and the version of the code that built it."""

    date: dt.date
    code_version: str

    @property
    def version(self) -> str:
        """``<code version>+data.<date>``, e.g. ``0.2.0+data.2026-11-30``."""
        return data_version(self.code_version, self.date)


def data_version(code_version: str, date: dt.date) -> str:
    """The version of a build: the code's semantic version plus the data's release date."""
    return f"{code_version}+data.{date.isoformat()}"


def read_release(data_dir: Path, code_version: str) -> DataRelease | None:
    """The release recorded in ``data_dir/release.yaml``, or None when there is no such file.

    Raises DataError (file, line, field) when the file is not a mapping with one ``date: YYYY-MM-DD``.
    """
    path = Path(data_dir) / RELEASE_FILE
    if not path.is_file():
        return None
    raw = read_yaml(path)
    if not isinstance(raw, dict):
        raise DataError(path, getattr(raw, "line", 1), "(file)", "expected a mapping with a date: YYYY-MM-DD")
    unknown = sorted(set(raw) - {"date"}, key=str)  # keys may be numbers or booleans too
    if unknown:
        raise DataError(path, locate(raw, (unknown[0],)), shortened(str(unknown[0])),
                        "unknown field (expected only date)")
    if "date" not in raw:
        raise DataError(path, getattr(raw, "line", 1), "date", "missing (expected date: YYYY-MM-DD)")
    value = raw["date"]
    try:
        if not isinstance(value, str) or len(value) != 10:
            raise ValueError
        date = dt.date.fromisoformat(value)
    except ValueError:
        raise DataError(path, locate(raw, ("date",)), "date",
                        f"expected a date YYYY-MM-DD, got {shown(value)}") from None
    return DataRelease(date, code_version)
