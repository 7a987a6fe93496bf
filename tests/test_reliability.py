"""The agreement study in data/reliability/ is reproducible: quotes verbatim, figures recomputed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

RELIABILITY = Path(__file__).resolve().parent.parent / "data" / "reliability"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], cwd=RELIABILITY, capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("name", ["coding-A.yaml", "coding-B.yaml", "../CODEBOOK.md"])
def test_every_quote_of_the_codings_and_the_codebook_is_verbatim(name: str) -> None:
    result = run("check_quotes.py", name)
    assert result.returncode == 0, result.stdout + result.stderr


def test_round_one_figures_are_what_the_script_computes(tmp_path: Path) -> None:
    """alpha-round1.yaml is the script's output on the committed codings, byte for byte."""
    if subprocess.run(["git", "cat-file", "-e", "3c12177"], cwd=RELIABILITY, capture_output=True).returncode:
        pytest.skip("the codebook revision the coders used is not in this clone's history")
    out = tmp_path / "alpha.yaml"
    result = run("agreement.py", "coding-A.yaml", "coding-B.yaml", "--codebook-rev", "3c12177", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert out.read_text("utf-8") == (RELIABILITY / "alpha-round1.yaml").read_text("utf-8")
