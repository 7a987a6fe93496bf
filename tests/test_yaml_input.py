"""Hostile YAML in the curated data: one `file:line: field: message` line and exit 2, on either parser.

The loader runs on LibYAML's parser when PyYAML has it and on PyYAML's Python parser otherwise;
every case runs on both (the module's ``_Loader`` swapped), and both read the real data alike.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from practice_graph.cli import main
from practice_graph.curation import load

DATA = Path(__file__).resolve().parent.parent / "data"
ABA = "- id: aba\n"
ABA_EN = 'en: "Ngawa Tibetan and Qiang Autonomous Prefecture"'
ABA_CODE = '  code: "513200"\n'
LOADERS = ["libyaml", "python"]


@pytest.fixture(params=LOADERS)
def loader(request, monkeypatch) -> type:
    """The loader every read uses for this test: LibYAML's parser or PyYAML's Python one."""
    if request.param == "libyaml" and load.CParser is None:
        pytest.skip("PyYAML without LibYAML")
    chosen = load._CLoader if request.param == "libyaml" else load._PythonLoader
    monkeypatch.setattr(load, "_Loader", chosen)
    return chosen


def refused(data: Path) -> list[str]:
    """Run ``validate`` on a data folder that must be refused; its stderr lines."""
    result = CliRunner().invoke(main, ["validate", "--no-shacl", "--data", str(data)])
    assert result.exit_code == 2, (result.output, result.exception)
    assert isinstance(result.exception, SystemExit)  # no other exception reached click
    lines = result.stderr.splitlines()
    assert len(lines) == 2 and lines[1] == "error: 1 problem(s); nothing was written", lines
    assert max(len(line) for line in lines) < 300, "the message quotes no long value"
    return lines


def line_of(data: Path, file_name: str, text: str) -> int:
    """The 1-based line where ``text`` starts in a data file."""
    content = (data / file_name).read_text(encoding="utf-8")
    return content[:content.index(text)].count("\n") + 1


CASES = {
    # name: (edit of regions.yaml, the text on the line the error names, the expected message)
    "nested-1000-deep": ((ABA, ABA + "  note: " + "[" * 1000 + "]" * 1000 + "\n"), "  note: [[[",
                         # our limit, or LibYAML's own (PyYAML 6.0.4's bundled LibYAML stops first)
                         r"\(yaml\): YAML syntax error: (nested more than 50 deep|exceeded maximum nesting depth)"),
    "integer-of-5000-digits": ((ABA_CODE, "  code: " + "9" * 5000 + "\n"), "  code: 999",
                               r"\(yaml\): YAML syntax error: an integer of 5,000 characters is too long"),
    "list-as-key": ((ABA, ABA + "  ? [a, b]\n  : x\n"), "  ? [a, b]",
                    r"\(yaml\): YAML syntax error: a key must be a plain value, not a list or a mapping"),
    "mapping-as-key": ((ABA, ABA + "  {a: 1}: x\n"), "  {a: 1}: x",
                       r"\(yaml\): YAML syntax error: a key must be a plain value, not a list or a mapping"),
    "duplicate-key": ((ABA, ABA + "  id: aba\n"), "  id: aba\n  label",
                      r"\(yaml\): YAML syntax error: duplicate key 'id'"),
    "alias": ((ABA, "- &a {id: aba}\n- *a\n"), "- *a", r"\(yaml\): YAML syntax error: YAML aliases are not allowed"),
    "tag-with-a-value-it-cannot-take": (("  parent: sichuan\n", "  parent: !!float sichuan\n"),
                                       "  parent: !!float", r"\(yaml\): YAML syntax error: 'sichuan' is not a "
                                       r"valid float"),
    "binary-tag": ((ABA_EN, 'en: !!binary "aGk="'), "en: !!binary",
                   r"\(yaml\): YAML syntax error: the tag 'tag:yaml.org,2002:binary' is not allowed"),
    "record-that-is-no-mapping": ((ABA, "- [aba]\n" + ABA), "- [aba]",
                                  r"\(record\): expected a mapping, got a list"),
    "control-character": ((ABA_EN, 'en: "Ngawa\x01"'), 'en: "Ngawa\x01"',
                          r"\(yaml\): YAML syntax error: character U\+0001: (control|special) characters are not "
                          r"allowed"),
    "field-of-10001-characters": ((ABA_EN, f'en: "{"x" * 10_001}"'), 'en: "xxx',
                                  r"aba\.label\.en: String should have at most 10000 characters "
                                  r"\(value: 'x{59}\.\.\. \(10,003 characters\)\)"),
    "field-of-4-megabytes": ((ABA_EN, f'en: "{"x" * 4_000_000}"'), 'en: "xxx',
                             r"aba\.label\.en: String should have at most 10000 characters"),
    "key-of-1000-characters": ((ABA, ABA + f"  {'k' * 1000}: x\n"), "  kkk",  # YAML allows 1,024 in a plain key
                               r"aba\.k{60}\.\.\. \(1,000 characters\): Extra inputs are not permitted"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_hostile_yaml_is_one_line_with_its_file_and_line(case: str, loader, data_copy) -> None:
    (old, new), on_line, message = CASES[case]
    data = data_copy(("regions.yaml", old, new))
    problem = refused(data)[0]
    expected = f"{re.escape(str(data / 'regions.yaml'))}:{line_of(data, 'regions.yaml', on_line)}: {message}"
    assert re.match(expected, problem), problem


def test_a_file_that_is_not_utf8_names_the_line_of_the_bad_byte(data_copy) -> None:
    data = data_copy()
    path = data / "regions.yaml"
    content = path.read_bytes()
    at = content.index(b"- id: anhui")
    path.write_bytes(content[:at] + b"\xff" + content[at:])
    line = content[:at].count(b"\n") + 1
    assert refused(data)[0] == f"{path}:{line}: (file): not UTF-8: byte 0xff at offset {at}"


def test_release_file_with_mixed_keys_is_one_line(data_copy) -> None:
    data = data_copy()
    (data / "release.yaml").write_text("date: 2026-11-30\n1: x\nb: y\n", encoding="utf-8")
    assert refused(data)[0] == f"{data / 'release.yaml'}:2: 1: unknown field (expected only date)"


def test_the_two_parsers_read_the_real_data_alike() -> None:
    if load.CParser is None:
        pytest.skip("PyYAML without LibYAML")
    for path in sorted(DATA.glob("*.yaml")):
        python, libyaml = load.read_yaml(path, load._PythonLoader), load.read_yaml(path, load._CLoader)
        assert python == libyaml, path
        assert lines(python, []) == lines(libyaml, []), path


def test_libyaml_is_the_default_when_pyyaml_has_it() -> None:
    assert load._Loader is (load._CLoader if yaml.__with_libyaml__ else load._PythonLoader)


def lines(value, found: list) -> list:
    """Every mapping's line and key lines, depth first."""
    if isinstance(value, dict):
        found.append((value.line, sorted(value.key_lines.items())))
        for item in value.values():
            lines(item, found)
    elif isinstance(value, list):
        for item in value:
            lines(item, found)
    return found
