"""The codebook's rules on mechanisms, uses and instrument codes (CODEBOOK.md §18): the real data keeps
them, and each broken example is refused with one ``file:line: record.field: message`` line that
points at the line of the broken item and names the rule. Examples that break different records are
validated together, in one copy (``tests.broken``)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from practice_graph.cli import main
from practice_graph.curation.load import load_dataset
from practice_graph.curation.mechanism_rules import MECHANISM_CHECKS, computed_codes
from practice_graph.curation.validate import validate_dataset

from .broken import edited_copy, groups
from .conftest import DATA

SKELETON = "skeleton.yaml"
MECHANISMS = "mechanisms.yaml"

# p-2-2-3: 「在穗好办 App 的“穗建实名”服务完成人脸认证后方能进场」: 方能 makes face authentication a condition
# (requires), which INS-2 codes env-regulation / authority.
FACE = ('{id: face-recognition, use: requires, quote: "在穗好办 App 的“穗建实名”服务完成人脸认证后方能进场", '
        'rz: env-regulation, nato: authority, instrument_note: "relation (requires)"}')
# p-4-2-1: 「将建筑企业职工教育经费由原来工资总额的 1.5% 调整到 2.5%—4%」: a rule on enterprises' funds, adopted by
# Chongqing; the mechanism's defaults (INS-3) are env-finance-tax / authority.
FUNDS = ('{id: employee-education-funds, use: adopts, '
         'quote: "将建筑企业职工教育经费由原来工资总额的 1.5% 调整到 2.5%—4%", '
         'rz: env-finance-tax, nato: authority, instrument_note: "default (adopts)"}')
# p-3-1-3: 「通过夜校、现场实操、合作办学等方式」: 夜校 links training-delivery-modes, 现场实操 its narrower
# hands-on-training, each quoted with its own span (MECH-2).
HANDS_ON = '{id: hands-on-training, use: adopts, quote: "现场实操、合作办学等方式搭建建筑人才培养基地"'
MODES_QUOTE = "通过夜校、现场实操、合作办学等方式"
# p-2-1-1: 「推动实现实名制与工资联动监管」, the only use of real-name-wage-linkage.
WAGE_LINKAGE = ('      - {id: real-name-wage-linkage, use: adopts, quote: "推动实现实名制与工资联动监管", '
                'rz: env-regulation, nato: nodality, instrument_note: "default (adopts)"}\n')

BROKEN = {
    "MECH-2 narrower with its broader's quote": (
        [(SKELETON, HANDS_ON, HANDS_ON.replace("现场实操、合作办学等方式搭建建筑人才培养基地", MODES_QUOTE))],
        SKELETON, f'hands-on-training, use: adopts, quote: "{MODES_QUOTE}"',
        r"p-3-1-3\.mechanisms\.2\.quote: the same quote as the broader mechanism 'training-delivery-modes' "
        r"\(mechanisms\.1\).*\(MECH-2\)"),
    "MECH-4 a mechanism no practice uses": (
        [(SKELETON, WAGE_LINKAGE, "")],
        MECHANISMS, "  - id: real-name-wage-linkage\n",
        r"real-name-wage-linkage\.id: no practice uses this mechanism.*\(MECH-4\)"),
    "MECH-4 a cyclic broader chain": (
        [(MECHANISMS, "  - id: training-delivery-modes\n    label: {zh: 培训方式, en: \"Training delivery modes\"}\n"
                      "    broader: skills-training\n",
          "  - id: training-delivery-modes\n    label: {zh: 培训方式, en: \"Training delivery modes\"}\n"
          "    broader: online-training\n")],
        MECHANISMS, "    broader: online-training\n",
        r"training-delivery-modes\.broader: cyclic broader chain: "
        r"training-delivery-modes -> online-training -> training-delivery-modes"),
    "MU-2 a requires use with no marker": (
        [(SKELETON, FACE, FACE.replace("人脸认证后方能进场", "人脸认证"))],
        SKELETON, "{id: face-recognition, use: requires",
        r"p-2-2-3\.mechanisms\.1\.quote: a requires use needs a marker of its relation in its quote .*\(MU-2\)"),
    "MU-2 a monitors use with no marker": (
        [(SKELETON, FACE, FACE.replace("use: requires", "use: monitors").replace("relation (requires)",
                                                                                 "relation (monitors)")
          .replace("authority", "nodality"))],
        SKELETON, "{id: face-recognition, use: monitors",
        r"p-2-2-3\.mechanisms\.1\.quote: a monitors use needs a marker .*\(MU-2\)"),
    "MU-3 a mechanism used twice in one practice": (
        [(SKELETON, FUNDS, FUNDS + "\n      - " + FUNDS.replace("use: adopts", "use: promotes"))],
        SKELETON, "{id: employee-education-funds, use: promotes",
        r"p-4-2-1\.mechanisms\.1\.id: 'employee-education-funds' is used twice in this practice "
        r"\(also mechanisms\.0\): keep one use, the first of adopts > requires > funds > promotes > monitors"),
    "INS-2 a relation's code changed": (
        [(SKELETON, FACE, FACE.replace("rz: env-regulation", "rz: supply-technology"))],
        SKELETON, "{id: face-recognition, use: requires",
        r"p-2-2-3\.mechanisms\.1\.rz: 'supply-technology' is not the code INS-2: the relation requires gives "
        r"\('env-regulation'\).*\(INS-4\)"),
    "INS-3 a default changed": (
        [(SKELETON, FUNDS, FUNDS.replace("nato: authority", "nato: treasure"))],
        SKELETON, "由原来工资总额的 1.5%",
        r"p-4-2-1\.mechanisms\.0\.nato: 'treasure' is not the code INS-3: the mechanism's default gives "
        r"\('authority'\)"),
    "INS-4 an override without its reason": (
        [(SKELETON, FUNDS, FUNDS.replace("nato: authority", "nato: treasure")
          .replace(', instrument_note: "default (adopts)"', ""))],
        SKELETON, "由原来工资总额的 1.5%",
        r"p-4-2-1\.mechanisms\.0\.nato: 'treasure' departs from 'authority' \(INS-3: the mechanism's default\) "
        r"and no instrument_note gives the override's reason \(INS-4\)"),
    "INS-8 a note that names another rule": (
        [(SKELETON, FACE, FACE.replace("relation (requires)", "default (adopts)"))],
        SKELETON, "{id: face-recognition, use: requires",
        r"p-2-2-3\.mechanisms\.1\.instrument_note: 'default \(adopts\)' does not name how these codes were given: "
        r"'relation \(requires\)'"),
    "R&Z type instead of a sub-type": (
        [(SKELETON, FUNDS, FUNDS.replace("rz: env-finance-tax", "rz: environment"))],
        SKELETON, "由原来工资总额的 1.5%",
        r"p-4-2-1\.mechanisms\.0\.rz: 'environment' is an R&Z type: code one of its sub-types"),
}


def _line_of(path: Path, text: str) -> int:
    """The 1-based line of the first line of the file that contains ``text`` (its first line)."""
    first = text.splitlines()[0] if text.strip() else text
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if first in line:
            return number
    raise AssertionError(f"{text!r} not in {path}")


def test_the_curated_data_keeps_every_mechanism_rule() -> None:
    dataset = load_dataset(DATA)
    assert [str(problem) for check in MECHANISM_CHECKS for problem in check(dataset)] == []


def broken_record(case: str) -> str:
    """The id of the record an example breaks: the one its expected line names."""
    return BROKEN[case][3].split("\\.")[0]


@pytest.fixture(scope="module")
def validated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, list[str]]]:
    """Each example's broken copy and its problems; the copy is shared with examples that break other records."""
    found: dict[str, tuple[Path, list[str]]] = {}
    for group in groups({case: broken_record(case) for case in BROKEN}):
        data = edited_copy(DATA, tmp_path_factory.mktemp("broken") / "data",
                           [edit for case in group for edit in BROKEN[case][0]])
        problems = [str(problem) for problem in validate_dataset(load_dataset(data))]
        found.update(dict.fromkeys(group, (data, problems)))
    return found


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_broken_example_is_refused_at_its_line(case: str, validated: dict[str, tuple[Path, list[str]]]) -> None:
    _, file_name, located_text, expected = BROKEN[case]
    data, problems = validated[case]
    line = _line_of(data / file_name, located_text)
    pattern = rf".*{re.escape(file_name)}:{line}: {expected}.*"
    assert any(re.fullmatch(pattern, problem) for problem in problems), problems


def test_an_override_with_its_reason_is_accepted(data_copy) -> None:
    # INS-4: a code may depart from the computed one where the quote states another resource, with the reason.
    data = data_copy((SKELETON, FUNDS, FUNDS.replace("nato: authority", "nato: treasure").replace(
        "default (adopts)", "override: the quote states money spent (treasure)")))
    assert validate_dataset(load_dataset(data)) == []


def test_the_command_line_refuses_a_broken_use_with_exit_code_2(data_copy) -> None:
    data = data_copy((SKELETON, FACE, FACE.replace("人脸认证后方能进场", "人脸认证")))
    result = CliRunner().invoke(main, ["validate", "--no-shacl", "--data", str(data)])
    assert result.exit_code == 2
    line = _line_of(data / SKELETON, "{id: face-recognition, use: requires")
    assert any(re.fullmatch(rf".*skeleton\.yaml:{line}: p-2-2-3\.mechanisms\.1\.quote: .*\(MU-2\)", text)
               for text in result.stderr.splitlines()), result.stderr


def test_monitoring_by_staff_on_site_spends_organisation() -> None:
    # INS-2: a monitors use is nodality, or organisation where its checking act is inspection by staff on site:
    # 漯河 三(二)2 「对在建工地现场从业人员持证上岗情况进行巡查」 against 杭州 二(三)4 「对持证上岗人员实行动态监管」.
    assert computed_codes("monitors", "对在建工地现场从业人员持证上岗情况进行巡查", None) == (
        "env-regulation", "organisation", "relation (monitors)")
    assert computed_codes("monitors", "对持证上岗人员实行动态监管", None) == (
        "env-regulation", "nodality", "relation (monitors)")
