"""Each checkable codebook rule of bodies, arrangements, roles, systems, events and facilities refuses a
broken copy of the data with one ``file:line: record.field: RULE: message`` line and exit code 2.

Every broken example is the real data with one edit that the codebook (``data/CODEBOOK.md``) forbids;
the comment names the rule and the source sentence behind the record. Examples that break different
records are validated together, in one copy (``tests.broken``).
"""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner, Result

from practice_graph.cli import main
from practice_graph.curation import codebook
from practice_graph.curation.load import load_dataset

from .broken import edited_copy, groups
from .conftest import DATA

A = "arrangements.yaml"
AG = "agencies.yaml"
ORG = "organizations.yaml"
PF = "platforms.yaml"
EV = "events.yaml"

JIANGXI_SUBJECT = ('    - {id: jiangxi, as_subject: true, role: partner, '
                   'quote: "与各级法院、仲裁机构建立“诉调对接”“裁调对接”联动机制"}\n')
CHENGDU_HRSS = ('    - {id: chengdu-hrss, designation: "市人社局", role: partner, '
                'quote: "市住房城乡建设局会同市人社局、市总工会"}')
HENAN_FINANCE = '{id: henan-finance, designation: "财政", role: support, quote: "财政和税务等部门提供政策支持"}'
SUZHOU_ENTERPRISES = '{id: suzhou-enterprises, designation: "企业", role: implement, quote: "企业主体"}'
NEIJIANG_COLLEGE = '{id: neijiang-vocational-college, designation: "内江职业技术学院", role: partner'
WENZHOU_SUBJECT = '{id: wenzhou, as_subject: true, role: partner'
ABA = '{id: aba, designation: "四川阿坝", role: partner'
WUHU_HRSS = ('label: {zh: "人社部门", en: "Wuhu human resources and social security department (level unstated)"}\n'
             "  department_type: hrss\n  level: unstated")
NEIJIANG_GOVERNMENT = ('label: {zh: "政府", en: "Neijiang government (unqualified, level unstated)"}\n'
                       "  department_type: government")
TAIZHOU_PART = "part_of: {id: jiangsu-real-name-platform, quote: 在省级实名制管理平台的基础上拓展功能，"
YUNNAN_QUOTE = "将云南省建设监管公共服务平台、质量安全监管平台的在建项目"
YUNNAN_EXCHANGE = f"{{id: yunjianbao, quote: {YUNNAN_QUOTE}全部动态纳入实名制管理平台监管}}"
SHAANJIAN_CUP = "  kind: competition\n  region: shaanxi\n  rewards:\n"
CHENGDU_CARRIES = "  carries: [industry-association-role, skills-competitions]\n"
HEXIAN_LOCATED = 'located_at: {id: hexian-green-building-materials-park, quote: "以绿色建材产业园为依托，'

BROKEN: dict[str, tuple[tuple[str, str, str], str]] = {
    # JA-2: 「与各级法院、仲裁机构建立…联动机制」 (p-5-2-1) without the region leaves only classes.
    "JA-2-only-classes": (
        (A, JIANGXI_SUBJECT, ""),
        r"jiangxi-litigation-arbitration-mediation-linkage\.participants: JA-2: every participant is a class"),
    # JA-2: 「市住房城乡建设局会同市人社局、市总工会」 (p-3-3-2) writes 市人社局, not 市人力资源社会保障局.
    "JA-2-designation-not-in-quote": (
        (A, '{id: chengdu-hrss, designation: "市人社局"', '{id: chengdu-hrss, designation: "市人力资源社会保障局"'),
        r"chengdu-skills-competition-organisation\.participants\.1\.designation: JA-2: the designation"),
    "JA-2-a-body-twice": (
        (A, CHENGDU_HRSS, CHENGDU_HRSS.replace("chengdu-hrss", "chengdu-trade-union")),
        r"chengdu-skills-competition-organisation\.participants\.\d\.id: 'chengdu-trade-union' takes part twice"),
    # BODY-2: a participant enters only through its designation (or as the practice subject).
    "BODY-2-no-designation": (
        (A, 'chengdu-hrss, designation: "市人社局", ', "chengdu-hrss, "),
        r"chengdu-skills-competition-organisation\.participants\.1\.designation: BODY-2: a participant needs"),
    "BODY-2-subject-with-designation": (
        (A, WENZHOU_SUBJECT, '{id: wenzhou, designation: "浙江省温州市", as_subject: true, role: partner'),
        r"wenzhou-strategic-cooperation\.participants\.0\.designation: BODY-2: the practice subject"),
    # BODY-2 / MODEL-3: no implied body: the field is gone from the model.
    "BODY-2-implied": (
        (AG, "  region: chengdu\n", "  region: chengdu\n  implied: true\n"),
        r"agencies\.yaml:\d+: chengdu-housing\.implied: Extra inputs are not permitted"),
    # JA-4: the park of 「采用“政府主导、企业主体、市场运营”的模式」 (p-3-4-3) is a facility, never a party.
    "JA-4-facility": (
        (A, "{id: suzhou-enterprises,", "{id: suzhou-construction-service-park,"),
        r"suzhou-park-operating-model\.participants\.1\.id: JA-4: 'suzhou-construction-service-park' is a facility"),
    # JA-5: only Wenzhou, the practice's lead region, can be the elided subject in p-1-3-2.
    "JA-5-subject-not-lead-region": (
        (A, ABA, "{id: aba, as_subject: true, role: partner"),
        r"wenzhou-strategic-cooperation\.participants\.1\.as_subject: JA-5: only the practice's lead region"),
    # ROLE-1: 「财政和税务等部门提供政策支持」 (p-4-1-1) has no 牵头 or 主导.
    "ROLE-1-lead-without-marker": (
        (A, HENAN_FINANCE, HENAN_FINANCE.replace("support", "lead")),
        r"henan-coordination-mechanism\.participants\.2\.role: ROLE-1: role 'lead' needs"),
    # ROLE-2: one role per participation.
    "ROLE-2-two-roles": (
        (A, HENAN_FINANCE, HENAN_FINANCE.replace("role: support", "role: [support, partner]")),
        r"henan-coordination-mechanism\.participants\.2\.role: Input should be a valid string"),
    # ROLE-3: in 「政府主导、企业主体」 (p-3-4-3) 主导 follows 政府, not 企业.
    "ROLE-3-lead-marker-of-another": (
        (A, SUZHOU_ENTERPRISES,
         SUZHOU_ENTERPRISES.replace("implement", "lead").replace('"企业主体"', '"政府主导、企业主体"')),
        r"suzhou-park-operating-model\.participants\.1\.role: ROLE-3: a lead's 牵头 or 主导 follows its designation"),
    # ROLE-3: 「市住房城乡建设局、建筑业协会联合内江职业技术学院」 (p-4-1-3): the college is the object of 联合.
    "ROLE-3-object-as-convener": (
        (A, NEIJIANG_COLLEGE, NEIJIANG_COLLEGE.replace("partner", "convener")),
        r"neijiang-prefab-training-base-cooperation\.participants\.2\.role: ROLE-3: a convener is the subject"),
    # JA-10: 「由公安部门对符合办理条件人员线上办理临时居住证」 (p-2-3-4) holds no joint marker.
    "JA-10-anchor-without-marker": (
        (A, 'anchor: "将实名认证人员基本信息和考勤数据推送至公安部门"',
         'anchor: "由公安部门对符合办理条件人员线上办理临时居住证"'),
        r"hangzhou-temporary-residence-data-push\.anchor: JA-10: the anchor holds no joint marker"),
    # JAK-0: He County's school and no enterprise (p-3-1-3) is training cooperation, not school-enterprise.
    "JAK-0-wrong-kind": (
        (A, "  kind: training-cooperation\n  region: hexian\n",
         "  kind: school-enterprise-cooperation\n  region: hexian\n"),
        r"hexian-cooperative-schooling\.kind: JAK-0: the participants and the anchor give 'training-cooperation'"),
    "JAK-0-kind-without-conditions": (
        ("taxonomies.yaml", "    - {id: unclassified,",
         '    - {id: joint-visit, label: {zh: 联合走访, en: Joint visit}, definition: {en: "Visiting together."}}\n'
         "    - {id: unclassified,"),
        r"taxonomies\.yaml:\d+: joint-visit\.id: JAK-0: the arrangement kind 'joint-visit' has no necessary"),
    # JA-11: p-3-3-2 uses no tax relief.
    "JA-11-carries-unused": (
        (A, CHENGDU_CARRIES, CHENGDU_CARRIES.replace("]", ", tax-relief]")),
        r"chengdu-skills-competition-organisation\.carries\.2: JA-11: practice p-3-3-2 has no use of 'tax-relief'"),
    # JA-11: 「依托建筑业协会、装饰装修协会等5个行业协会，举办首届“成都市建筑职业技能人才大赛”」, the quote of
    # p-3-3-2's industry-association-role, lies inside the competition's anchor: the arrangement carries it.
    "JA-11-overlapping-use-not-carried": (
        (A, CHENGDU_CARRIES, "  carries: [skills-competitions]\n"),
        r"chengdu-skills-competition-organisation\.carries: JA-11: the use of 'industry-association-role' .* "
        r"overlaps the anchor"),
    # JA-11: 「还包括建筑信息建模(BIM)技术人员、装配式建筑施工员等…新型专业工种」 (p-3-3-2, new-trade-skills)
    # is a later sentence than the anchor 「市住房城乡建设局会同…举办首届“成都市建筑职业技能人才大赛”」.
    "JA-11-carried-use-outside-the-sentence": (
        (A, CHENGDU_CARRIES, CHENGDU_CARRIES.replace("]", ", new-trade-skills]")),
        r"chengdu-skills-competition-organisation\.carries\.2: JA-11: the use of 'new-trade-skills' .* is not in "
        r"the anchor's sentence"),
    # BODY-4: two records of one Chengdu body.
    "BODY-4-same-body-twice": (
        (AG, "  department_type: hrss\n  level: prefecture\n  region: chengdu\n",
         "  department_type: housing\n  level: prefecture\n  region: chengdu\n"),
        r"agencies\.yaml:\d+: chengdu-hrss\.level: BODY-4: 'chengdu-housing' has the same region"),
    # CLASS-3: 区县 (p-5-1-2) states the county level, not 各级.
    "CLASS-3-multiple-without-geji": (
        (AG, "  level: county\n  is_class: true\n", "  level: multiple\n  is_class: true\n"),
        r"agencies\.yaml:\d+: chongqing-districts-counties\.level: CLASS-3: level multiple is only for a class"),
    # CLASS-3: 各级法院 (p-5-2-1) is no body of one region.
    "CLASS-3-class-with-region": (
        (AG, "  scope_region: jiangxi\n", "  region: jiangxi\n"),
        r"agencies\.yaml:\d+: jiangxi-court\.region: CLASS-3: a class has no single region"),
    # LEVEL-4: 「住房城乡建设、人社部门根据预警信息督促…」 (p-5-1-3) prints no prefix.
    "LEVEL-4-assumed-level": (
        (AG, WUHU_HRSS, WUHU_HRSS.replace("level: unstated", "level: prefecture")),
        r"agencies\.yaml:\d+: wuhu-hrss\.level: LEVEL-4: '人社部门' states no level"),
    "LEVEL-1-region-unstated": (
        ("regions.yaml", "  label: {zh: 固始县, en: \"Gushi County\"}\n  level: county\n",
         "  label: {zh: 固始县, en: \"Gushi County\"}\n  level: unstated\n"),
        r"regions\.yaml:\d+: gushi\.level: LEVEL-1: 'unstated' is a level of bodies"),
    # AG-1: 政府 (p-3-3-3) is no finance department.
    "AG-1-function-word": (
        (AG, NEIJIANG_GOVERNMENT, NEIJIANG_GOVERNMENT.replace("government", "finance")),
        r"agencies\.yaml:\d+: neijiang-government\.department_type: AG-1: '政府' contains no function word "
        r"of 'finance'"),
    # SYS-4: 「在穗好办 App 的“穗建实名”服务」 (p-2-2-3): a service sits inside its app.
    "SYS-4-service-without-container": (
        (PF, "  part_of: {id: suihaoban, quote: 在穗好办 App 的“穗建实名”服务}\n", ""),
        r"platforms\.yaml:\d+: suijian-shiming\.part_of: SYS-4: an app service needs the system"),
    "SYS-4-part-of-quote": (
        (PF, TAIZHOU_PART + "开发施工分包合同、建筑工人劳动合同管理模块}",
         "part_of: {id: jiangsu-real-name-platform, quote: 开发施工分包合同、建筑工人劳动合同管理模块}"),
        r"platforms\.yaml:\d+: taizhou-labour-contract-module\.part_of\.quote: SYS-4: the quote does not name"),
    # REL-7: 「…纳入实名制管理平台监管」 (p-2-3-2): the exchange's quote holds its marker.
    "REL-7-exchange-without-marker": (
        (PF, YUNNAN_EXCHANGE, f"{{id: yunjianbao, quote: {YUNNAN_QUOTE}}}"),
        r"platforms\.yaml:\d+: yunnan-construction-supervision-platform\.exchanges_data_with\.0\.quote: REL-7"),
    # EVT-4: 「经省竞赛组委会办公室核准后」 (p-3-3-1) approves results; it holds no competition.
    "EVT-4-approver-as-organiser": (
        (EV, SHAANJIAN_CUP, "  kind: competition\n  region: shaanxi\n  organizers:\n"
         "    - {id: shaanxi-competition-committee, quote: 经省竞赛组委会办公室核准后}\n  rewards:\n"),
        r"events\.yaml:\d+: shaanjian-cup\.organizers\.0\.quote: EVT-4: the quote holds no holding or joint marker"),
    "EVT-4-organiser-not-designated": (
        (EV, "{id: chengdu-housing, quote: 市住房城乡建设局会同市人社局、市总工会}",
         "{id: chengdu-housing, quote: 举办首届“成都市建筑职业技能人才大赛”}"),
        r"events\.yaml:\d+: chengdu-skills-competition\.organizers\.0\.quote: EVT-4: the quote does not designate"),
    # REL-6: the Suzhou centre is set up on the park, not on the enterprises.
    "REL-6-not-a-facility": (
        (ORG, "located_at: {id: suzhou-construction-service-park,", "located_at: {id: suzhou-enterprises,"),
        r"organizations\.yaml:\d+: suzhou-worker-service-centre\.located_at\.id: REL-6: 'suzhou-enterprises'"),
    "REL-6-quote-without-marker": (
        (ORG, HEXIAN_LOCATED, 'located_at: {id: hexian-green-building-materials-park, quote: "'),
        r"organizations\.yaml:\d+: hexian-talent-training-base\.located_at\.quote: REL-6: the quote needs a marker"),
}


# Loading stops at the first bad input: the examples refused while loading get copies of their own.
REFUSED_WHILE_LOADING = {"BODY-2-implied", "ROLE-2-two-roles"}


def broken_record(case: str) -> str:
    """The id of the record an example breaks: the one its expected line names."""
    expected = BROKEN[case][1]
    return re.sub(r"^[\w-]+\\\.yaml:\\d\+: ", "", expected).split("\\.")[0]


@pytest.fixture(scope="module")
def refusals(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Result]:
    """Each example's ``validate --no-shacl`` run, on a copy shared with examples that break other records."""
    together = groups({case: broken_record(case) for case in BROKEN if case not in REFUSED_WHILE_LOADING})
    found: dict[str, Result] = {}
    for group in together + [[case] for case in sorted(REFUSED_WHILE_LOADING)]:
        data = edited_copy(DATA, tmp_path_factory.mktemp("broken") / "data", [BROKEN[case][0] for case in group])
        result = CliRunner().invoke(main, ["validate", "--no-shacl", "--data", str(data)])
        found.update(dict.fromkeys(group, result))
    return found


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_broken_rule_is_refused_with_its_rule_id(case: str, refusals: dict[str, Result]) -> None:
    expected = BROKEN[case][1]
    result = refusals[case]
    assert result.exit_code == 2, result.output
    lines = result.stderr.splitlines()
    assert any(re.match(r"\S+\.yaml:\d+: \S+: ", line) and re.search(expected, line) for line in lines), lines
    assert lines[-1].startswith("error: ") and "nothing was written" in lines[-1]


def test_every_arrangement_kind_has_its_necessary_conditions() -> None:
    # JAK-0: the validator knows the conditions of every kind of the scheme, and nothing else.
    dataset = load_dataset(DATA)
    kinds = list(dataset.concepts("arrangement-kinds"))
    assert set(kinds) - {codebook.UNCLASSIFIED} == set(codebook.KIND_CONDITIONS)
    # MODEL-8: school-enterprise cooperation is a kind of training cooperation, and comes first.
    assert dataset.concepts("arrangement-kinds")["school-enterprise-cooperation"].broader == "training-cooperation"
    assert kinds.index("school-enterprise-cooperation") < kinds.index("training-cooperation")


def test_the_kind_order_decides_between_two_kinds() -> None:
    # 「县人社局、财政局对…给予财政补贴」 (p-4-1-4): two paying bodies; with 制定 as well, joint-policy comes first.
    dataset = load_dataset(DATA)
    gov = codebook.Party(record=None, type="GOV", level="county", is_region=False, is_class=False)
    anchor = "县人社局、财政局对纳入“全省三年技能提升行动”中参与培训、实训的建筑产业工人给予财政补贴"
    order = list(dataset.concepts("arrangement-kinds"))
    assert codebook.expected_kind(order, codebook.KindInput([gov, gov], anchor, False, {})) == "joint-funding"
    assert codebook.expected_kind(order, codebook.KindInput([gov, gov], "制定" + anchor, False, {})) == "joint-policy"
    assert codebook.expected_kind(order, codebook.KindInput([gov], "会商", False, {})) == codebook.UNCLASSIFIED


def test_a_sentence_runs_between_full_stops_and_semicolons() -> None:
    # JA-6 / JA-11: a sentence ends at 。 or ； (a comma does not end it), or where the text ends.
    text = "甲。乙，丙；丁"
    assert text[slice(*codebook.sentence_span(text, 4, 5))] == "乙，丙"
    assert text[slice(*codebook.sentence_span(text, 6, 7))] == "丁"
