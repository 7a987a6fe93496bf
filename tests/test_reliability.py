"""The agreement study in data/reliability/ is reproducible: quotes verbatim, figures recomputed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

RELIABILITY = Path(__file__).resolve().parent.parent / "data" / "reliability"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], cwd=RELIABILITY, capture_output=True, text=True, timeout=300)


CODINGS = ["coding-A.yaml", "coding-B.yaml", "coding-A2.yaml", "coding-B2.yaml", "audit/coding-audit.yaml"]


@pytest.mark.parametrize("name", [*CODINGS, "../CODEBOOK.md"])
def test_every_quote_of_the_codings_and_the_codebook_is_verbatim(name: str) -> None:
    result = run("check_quotes.py", name)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow  # 2,000 bootstrap resamples per decision: about a minute per round
@pytest.mark.parametrize(("round_", "codebook_rev"), [("", "3c12177"), ("2", "6a8a509")])
def test_figures_are_what_the_script_computes(tmp_path: Path, round_: str, codebook_rev: str) -> None:
    """alpha-roundN.yaml is the script's output on the committed codings, byte for byte."""
    if subprocess.run(["git", "cat-file", "-e", codebook_rev], cwd=RELIABILITY, capture_output=True).returncode:
        pytest.skip("the codebook revision the coders used is not in this clone's history")
    out = tmp_path / "alpha.yaml"
    result = run("agreement.py", f"coding-A{round_}.yaml", f"coding-B{round_}.yaml", "--codebook-rev", codebook_rev,
                 "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert out.read_text("utf-8") == (RELIABILITY / f"alpha-round{round_ or 1}.yaml").read_text("utf-8")


def test_every_decision_reaches_the_bar_in_round_two() -> None:
    """Krippendorff's alpha >= 0.8 on every decision of the round coded under the amended codebook."""
    import yaml

    figures = yaml.safe_load((RELIABILITY / "alpha-round2.yaml").read_text("utf-8"))["decisions"]
    assert figures and all(row["alpha"] >= 0.8 for row in figures), figures


def test_the_curated_data_agrees_with_the_adjudicated_fresh_audit() -> None:
    """The 12 practices of the fresh audit: after the adjudicated corrections the curated arrangements
    and mechanism links are those of the blind coding (audit/adjudication.yaml says who was right)."""
    import yaml

    result = run("audit.py", "audit/coding-audit.yaml", "--sample", "audit/sample.yaml",
                 "--adjudication", "audit/adjudication.yaml")
    assert result.returncode == 0, result.stderr
    figures = yaml.safe_load(result.stdout)
    assert figures["curated_arrangements"] == 6
    assert figures["arrangements_fully_correct_after_pct"] == 100.0
    assert figures["blind_arrangements_not_curated"] == 0
    assert figures["links_precise_after_pct"] == 100.0 and figures["blind_links_not_curated"] == 0
