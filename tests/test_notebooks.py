"""The research notebooks: committed with outputs cleared, public API only, and they run top to bottom."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import nbformat
import pytest

PROJECT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((PROJECT / "notebooks").glob("*.ipynb"))


def test_the_notebooks_are_there() -> None:
    assert [path.name for path in NOTEBOOKS][:1] == ["01-overview.ipynb"]
    assert "04-sparql-cookbook.ipynb" in {path.name for path in NOTEBOOKS}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_committed_with_outputs_cleared(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"{path.name}: clear the outputs"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_public_api_only(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    code = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "code")
    assert not re.search(r"from practice_graph[\w.]* import [^\n]*\b_\w", code), "private import"
    assert not re.search(r"practice_graph\.\w*\._", code), "private attribute"
    assert "yaml" not in code.lower(), "notebooks read the graph, not the curated YAML"
    assert "shared/" not in code, "notebooks read the project, never the shared folder"


@pytest.mark.slow  # a kernel each: about 30 s in all
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_runs_top_to_bottom_in_a_fresh_kernel(path: Path, seeded_cache: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from nbclient import NotebookClient

    # The kernel runs in notebooks/, where a relative PYTHONPATH=src would miss: put this checkout's
    # src first, so the notebooks run against the code under test, not another editable install.
    paths = [str(PROJECT / "src"), os.environ.get("PYTHONPATH", "")]
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(entry for entry in paths if entry))
    notebook = nbformat.read(path, as_version=4)
    started = time.monotonic()
    NotebookClient(notebook, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    errors = [output for cell in notebook.cells for output in cell.get("outputs", [])
              if output.get("output_type") == "error"]
    assert errors == []
    # The kernel runs in notebooks/ and finds the session's build in the cache: no rebuild, no notice.
    stderr = "".join(output.get("text", "") for cell in notebook.cells for output in cell.get("outputs", [])
                     if output.get("name") == "stderr")
    assert "building the graph" not in stderr
    print(f"{path.name}: {time.monotonic() - started:.1f} s")
