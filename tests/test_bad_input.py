"""Bad input gets one clear line naming file, line and field, exit code 2, and no output."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from practice_graph.cli import main

from .conftest import ONTOLOGY

GUSHI = '- id: gushi\n  label: {zh: 固始县, en: "Gushi County"}\n  level: county\n'

BROKEN = {
    "yaml-syntax": (
        ("regions.yaml", "  label: {zh: 阿坝藏族羌族自治州,", "  label: {zh: [阿坝藏族羌族自治州,"),
        r"regions\.yaml:\d+: \(yaml\): YAML syntax error",
    ),
    "duplicate-id": (
        ("regions.yaml", "- id: anhui\n", "- id: aba\n"),
        r"regions\.yaml:\d+: aba\.id: duplicate id 'aba' \(first defined at .*regions\.yaml:\d+\)",
    ),
    "dangling-reference": (
        ("regions.yaml", "  parent: xinyang\n", "  parent: nowhere\n"),
        r"regions\.yaml:\d+: gushi\.parent: unknown reference 'nowhere'",
    ),
    "wrong-kind-reference": (
        ("regions.yaml", "  parent: xinyang\n", "  parent: p-1-1-1\n"),
        r"regions\.yaml:\d+: gushi\.parent: 'p-1-1-1' is a Practice, expected Region",
    ),
    "outside-taxonomy": (
        ("regions.yaml", GUSHI, GUSHI.replace("level: county", "level: metropolis")),
        r"regions\.yaml:\d+: gushi\.level: 'metropolis' is not in the admin-levels taxonomy",
    ),
    "quote-not-in-source": (
        ("skeleton.yaml", "quote: 完善建筑工人实名制管理}", "quote: 完善建筑工人实名制管理制度}"),
        r"skeleton\.yaml:\d+: t-2\.evidence\.0\.quote: quote not found in the source",
    ),
    "quote-in-wrong-practice": (
        ("regions.yaml", "{practice: p-1-2-1, quote: 河南省固始县}", "{practice: p-1-1-1, quote: 河南省固始县}"),
        r"regions\.yaml:\d+: gushi\.evidence\.0\.quote: quote not found in practice p-1-1-1",
    ),
    "cyclic-parent": (
        (
            "regions.yaml",
            '- id: xinyang\n  label: {zh: 信阳市, en: "Xinyang"}\n  level: prefecture\n'
            "  kind: prefecture-city\n  parent: henan\n",
            '- id: xinyang\n  label: {zh: 信阳市, en: "Xinyang"}\n  level: prefecture\n'
            "  kind: prefecture-city\n  parent: gushi\n",
        ),
        r"regions\.yaml:\d+: \w+\.parent: (cyclic parent chain|parent 'gushi' \(county\) is not above)",
    ),
    "missing-field": (
        ("regions.yaml", GUSHI, GUSHI.replace("  level: county\n", "")),
        r"regions\.yaml:\d+: gushi\.level: Field required",
    ),
    "wrong-type": (
        ("skeleton.yaml", "    measure: m-1-1\n    number: 1\n", "    measure: m-1-1\n    number: one\n"),
        r"skeleton\.yaml:\d+: p-1-1-1\.number: Input should be a valid integer.*'one'",
    ),
    "placeholder-label": (
        ("regions.yaml", 'en: "Gushi County"', "en: TODO"),
        r"regions\.yaml:\d+: gushi\.label\.en: .*placeholder",
    ),
    "alias-bomb": (
        ("regions.yaml", "- id: aba\n", 'x: &a ["lol","lol"]\ny: &b [*a,*a,*a,*a,*a,*a,*a,*a]\n- id: aba\n'),
        r"regions\.yaml:\d+: \(yaml\): YAML syntax error",
    ),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_data_is_refused_with_file_line_and_field(case: str, data_copy, tmp_path: Path) -> None:
    edit, expected = BROKEN[case]
    data = data_copy(edit)
    out = tmp_path / "out"
    out.mkdir()
    earlier = out / "practice-graph.nt"
    earlier.write_bytes(b"earlier output\n")

    result = CliRunner().invoke(main, ["build", "--data", str(data), "--out", str(out)])

    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)
    lines = result.stderr.splitlines()
    assert any(re.search(expected, line) for line in lines), lines
    assert lines[-1].startswith("error: ") and "nothing was written" in lines[-1]
    assert earlier.read_bytes() == b"earlier output\n"
    assert sorted(p.name for p in out.iterdir()) == ["practice-graph.nt"]


def test_alias_bomb_names_aliases(data_copy) -> None:
    data = data_copy(("regions.yaml", "- id: aba\n", "- &a {id: aba}\n- *a\n- id: aba\n"))
    result = CliRunner().invoke(main, ["validate", "--data", str(data)])
    assert result.exit_code == 2
    assert "aliases are not allowed" in result.stderr


def test_a_real_process_prints_no_traceback(data_copy, tmp_path: Path) -> None:
    data = data_copy(("regions.yaml", "  parent: xinyang\n", "  parent: nowhere\n"))
    process = subprocess.run(
        [sys.executable, "-m", "practice_graph.cli", "build", "--data", str(data), "--out", str(tmp_path / "o")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert process.returncode == 2
    assert "Traceback" not in process.stderr
    assert not (tmp_path / "o").exists()


def test_hostile_label_stays_a_literal(data_copy) -> None:
    """The validated, SHACL-checked graph holds the label as a literal (the pages, report and viewer
    that show it as text: test_site, test_outputs, test_visualise)."""
    import pyoxigraph as ox

    from practice_graph.core.paths import NTRIPLES
    from practice_graph.pipeline import checked

    hostile = '<img src=x onerror=alert(1)> \\" }; DROP ALL'
    data = data_copy(("regions.yaml", 'en: "Gushi County"', f"en: {json.dumps(hostile)}"))
    built = checked(data, ONTOLOGY)  # loaded, validated, built, SHACL-checked, as `build` does
    # the N-Triples `build` writes, read by Oxigraph's parser (not by the code that wrote them)
    objects = {triple.object for triple in ox.parse(built.files[NTRIPLES], format=ox.RdfFormat.N_TRIPLES)}
    assert ox.Literal(hostile, language="en") in objects
