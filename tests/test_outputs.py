"""Outputs people can share: the permissions of a normally created file, CSV files that Excel opens
with the Chinese intact, and the analysis report as one self-contained HTML file."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from practice_graph.core.files import write_atomically, write_outputs


@pytest.fixture
def umask() -> Iterator[object]:
    """Set the process umask for one test; restored afterwards."""
    previous = os.umask(0o022)

    def set_mask(mask: int) -> None:
        os.umask(mask)

    yield set_mask
    os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_written_files_are_0644_under_umask_022(umask, tmp_path: Path) -> None:
    umask(0o022)
    write_atomically(tmp_path / "a.nt", b"x\n")
    written = write_outputs(tmp_path / "dist", {"report.md": b"r", "analysis/table.csv": b"c"})
    for path in [tmp_path / "a.nt", *written]:
        assert mode(path) == 0o644, (path, oct(mode(path)))


def test_the_umask_is_respected(umask, tmp_path: Path) -> None:
    umask(0o077)
    write_atomically(tmp_path / "private.nt", b"x\n")
    assert mode(tmp_path / "private.nt") == 0o600
    umask(0o002)
    write_atomically(tmp_path / "group.nt", b"x\n")
    assert mode(tmp_path / "group.nt") == 0o664


def test_rewriting_a_file_gives_it_the_normal_mode(umask, tmp_path: Path) -> None:
    # An output left at 0600 by an earlier version becomes readable at the next build.
    umask(0o022)
    target = tmp_path / "old.ttl"
    target.write_bytes(b"old")
    target.chmod(0o600)
    write_atomically(target, b"new")
    assert mode(target) == 0o644 and target.read_bytes() == b"new"
