"""Each competency question, run on the embedded store, against rows read off the source.

Every expectation below was read from the source text by a person; the sentence is cited.
"""

from __future__ import annotations

from collections import Counter

import pytest

from practice_graph.core.paths import NTRIPLES
from practice_graph.sparql.query import find_query, open_store, rows, run_select


@pytest.fixture(scope="module")
def store(built):
    return open_store(built.files[NTRIPLES])


def ask(store, name: str, **params: str) -> list[dict[str, str]]:
    variables, table = rows(run_select(store, find_query(name), params))
    return [dict(zip(variables, row, strict=True)) for row in table]


def test_inventory_types_every_entity(store) -> None:
    found = ask(store, "inventory")
    types = Counter(row["type"] for row in found)
    assert set(types) == {
        "WorkTask", "Measure", "Practice", "Region", "Agency", "Organization", "Platform", "PolicyDocument",
        "Brand", "Event", "Indicator", "Mechanism", "JointArrangement",
    }
    assert types["Practice"] == 47
    assert all(row["label"] for row in found)




# The order each question promises (its ORDER BY over IRIs; unbound first). The queries sort on
# keys of their own, built from the IRIs for speed on the on-disk store: the rows must still come
# in the IRIs' order.
IRI_ORDER = {
    "cq03": ("province", "region"), "cq04": ("region", "arrangement"), "cq05": ("region", "platform"),
    "cq08": ("region", "event", "reward"), "cq09": ("region", "brand"), "cq13": ("arrangement", "court", "partner"),
    "cq14": ("practice", "otherRegion"), "inventory": ("type", "entity"),
}


@pytest.mark.parametrize("name", sorted(IRI_ORDER))
def test_rows_come_in_the_order_of_their_iris(store, name: str) -> None:
    solutions = run_select(store, find_query(name), {})
    order = [tuple(solution[key].value if solution[key] is not None else "" for key in IRI_ORDER[name])
             for solution in solutions]
    assert len(order) > 1
    assert order == sorted(order)


def test_cq01_tasks_measures_practices(store) -> None:
    # 一 to 五: five work tasks; measures (一)-(四), (一)-(三), (一)-(四), (一)-(三), (一)-(二): 16;
    # practices 2+2+3+2, 4+3+5, 3+2+3+3, 4+4+2, 3+2: 47.
    assert ask(store, "cq01") == [{"tasks": "5", "measures": "16", "practices": "47"}]


def test_cq02_practices_per_task(store) -> None:
    found = [(row["taskLabel"], row["practices"]) for row in ask(store, "cq02")]
    assert found == [
        ("推进农民工向新时代建筑产业工人转型", "9"),
        ("完善建筑工人实名制管理", "12"),  # 二(二)3 广州 is printed beside 二(三) but numbered in 二(二)
        ("提升建筑工人技能水平", "11"),
        ("加强统筹协作和政策支持", "10"),
        ("保障建筑工人合法权益", "5"),
    ]


def test_cq03_leading_regions(store) -> None:
    found = {(row["regionLabel"], row["level"], row["provinceLabel"]) for row in ask(store, "cq03")}
    assert len(found) == 29
    # "1. 河南省固始县大力发展专业作业企业" / "3. 安徽省和县大力推动..." / "1. 河南省林州市..."
    assert ("固始县", "county", "河南省") in found
    assert ("和县", "county", "安徽省") in found
    assert ("林州市", "county", "河南省") in found
    # "1. 广东省广州市..." and "1. 广东省实施施工现场技能工人配备动态管理"
    assert ("广州市", "prefecture", "广东省") in found
    assert ("广东省", "province", "广东省") in found
    # "1. 重庆市鼓励建筑企业培育“自有工人”": a municipality is its own province-level unit
    assert ("重庆市", "province", "重庆市") in found
    assert ("广西壮族自治区", "province", "广西壮族自治区") in found


def test_cq04_housing_hrss_and_trade_union_together(store) -> None:
    # 重庆 一(一)1 "加强住房城乡建设、发展改革、人力资源社会保障、总工会等部门联动";
    # 成都 三(三)2 "市住房城乡建设局会同市人社局、市总工会"; 内江 三(三)3 "市住房城乡建设局联合人社局、
    # 总工会、建筑业协会"; 广州 四(一)2 "市住房城乡建设局联合人社、工会等职能部门".
    regions = {row["regionLabel"] for row in ask(store, "cq04")}
    assert regions == {"重庆市", "成都市", "内江市", "广州市"}


def test_cq05_platforms(store) -> None:
    found = {(row["platformLabel"], row["regionLabel"]) for row in ask(store, "cq05")}
    # 云南 二(一)1 "开发“云建宝”平台"; 广西 二(一)3 "开发“桂建通”平台"; 浙江 二(一)2 "开发“建筑工人保障在线”平台";
    # 宁波 二(三)5 "构建以“甬建码”为数据基础"; 叙永 一(三)3 "利用“工匠宝”软件"; 广州 二(二)3 "在穗好办 App".
    labels = {label for label, _ in found}
    assert {("云建宝", "云南省"), ("桂建通", "广西壮族自治区"), ("建筑工人保障在线", "浙江省")} <= found
    assert {"甬建码", "工匠宝", "穗好办 App"} <= {label.replace("“", "").replace("”", "") for label in labels} | labels
    assert len(found) >= 25


def test_cq06_documents_with_numbers(store) -> None:
    # 四(一)1 "（豫建人教〔2022〕19号）"; 四(二)2 "（豫建人教〔2022〕132 号）"; 四(二)4 "（赣市府字〔2023〕17 号）".
    found = {(row["number"], row["regionLabel"]) for row in ask(store, "cq06")}
    assert found == {
        ("豫建人教〔2022〕19号", "河南省"),
        ("豫建人教〔2022〕132 号", "河南省"),
        ("赣市府字〔2023〕17 号", "赣州市"),
    }


def test_cq07_results_as_of_end_2023(store) -> None:
    found = Counter((row["regionLabel"], row["value"]) for row in ask(store, "cq07"))
    # 固始 "截至 2023 年底，固始县已有 56 个项目"; 温州 "截至 2023 年底，已有...10 余项...已培育 3515 名";
    # 叙永 "截至 2023 年底，叙永县建筑产业工人达到 6.75 万人，常年建筑务工工人 5.12 万人，人均年收入 9.8 万元";
    # 广西 "截至2023年底，“桂建通”平台累计发布用工岗位3.7万个，招工找活35.1万人次，...电子合同36.8万份";
    # 杭州 "截至2023年底，已有17家公司入驻";
    # 宁波 "截至2023年底，共有36家...覆盖建筑工人8万余人，培训建筑工人超10万人次";
    # 河南 "截至2023年底，...328280人次，新增技能人才236657人，新增高技能人才23100人";
    # 芜湖 "截至 2023 年底，系统自动发出蓝牌预警 1025 次、黄牌预警 96 次、红牌预警 1568 次".
    expected = {
        ("固始县", "56"), ("温州市", "10"), ("温州市", "3515"),
        ("叙永县", "67500"), ("叙永县", "51200"), ("叙永县", "98000"),
        ("广西壮族自治区", "37000"), ("广西壮族自治区", "351000"), ("广西壮族自治区", "368000"),
        ("杭州市", "17"), ("宁波市", "36"), ("宁波市", "80000"), ("宁波市", "100000"),
        ("河南省", "328280"), ("河南省", "236657"), ("河南省", "23100"),
        ("芜湖市", "1025"), ("芜湖市", "96"), ("芜湖市", "1568"),
    }
    normalised = {(region, value.removesuffix(".0")) for region, value in found}
    assert normalised == expected


def test_cq08_competitions_and_rewards(store) -> None:
    found = ask(store, "cq08")
    regions = {row["regionLabel"] for row in found}
    # 陕西 三(三)1 "举办“陕建杯”建筑行业职业技能竞赛"; 成都 三(三)2 "举办首届“成都市建筑职业技能人才大赛”";
    # 内江 三(三)3 "每两年举办一次全市“甜城工匠”职业技能大赛".
    assert {"陕西省", "成都市", "内江市"} <= regions
    shaanxi = {row["rewardLabel"] for row in found if row["regionLabel"] == "陕西省"}
    # "推荐授予“陕西省五一劳动奖章”"; "授予“陕西省技术能手”称号"
    assert {"陕西省五一劳动奖章", "陕西省技术能手"} <= shaanxi
    chengdu = {row["rewardLabel"] for row in found if row["regionLabel"] == "成都市"}
    # "52名选手被推荐评选“成都市五一劳动奖章”“成都工匠”“成都市技术能手”等称号"
    assert {"成都市五一劳动奖章", "成都工匠", "成都市技术能手"} <= chengdu


def test_cq09_labour_brands(store) -> None:
    # 一(二)2 "“旬阳建工”建筑劳务队伍被评为全国就业劳动类劳务品牌"; 三(一)2 "积极培育推广“富顺建工”特色劳务品牌";
    # 四(一)3 "共同打造“甜都建工”特色劳务品牌"; 四(一)4 "扶持“固始道桥”品牌做大做强".
    brands = {row["brandLabel"].strip("“”") for row in ask(store, "cq09")}
    assert brands == {"旬阳建工", "富顺建工", "甜都建工", "固始道桥"}


def test_cq10_mechanisms_shared_by_regions(store) -> None:
    found = ask(store, "cq10")
    assert found and all(int(row["regionCount"]) >= 2 for row in found)
    # 校企合作 in 广州 一(三)1 "通过校企合作、产教融合等方式" and 林州 三(一)1 "通过采取校企合作方式".
    assert any({"广州市", "林州市"} <= set(row["regionLabels"].split("、")) for row in found)
    # skills competitions: 陕西, 成都, 内江 (三(三)1-3)
    assert any({"陕西省", "成都市", "内江市"} <= set(row["regionLabels"].split("、")) for row in found)


def test_cq11_henan_coordination_roles(store) -> None:
    # 四(一)1 "建立人社部门牵头、住房城乡建设部门负责实施、财政和税务等部门提供政策支持的协同推进机制"
    found = ask(store, "cq11")
    roles = {}
    for row in found:
        roles.setdefault(row["role"], set()).add(row["bodyLabel"])
    assert set(roles) == {"lead", "implement", "support"}
    assert len(roles["lead"]) == 1 and "人社" in next(iter(roles["lead"]))
    assert len(roles["implement"]) == 1 and "住房" in next(iter(roles["implement"]))
    support = " ".join(sorted(roles["support"]))
    assert len(roles["support"]) == 2 and "财政" in support and "税务" in support


def test_cq12_province_roll_up(store) -> None:
    # Counted by hand from the leading regions of the 47 practices (a city's or county's practice
    # counts for its province): 广东 8 (广州 5, 广东 1, 深圳 1, 佛山 1); 河南 7; 浙江 7; 四川 5; 重庆 3;
    # 江西 3; 陕西 3. The others have 2 or 1.
    found = {row["provinceLabel"]: int(row["practices"]) for row in ask(store, "cq12")}
    assert found == {"广东省": 8, "河南省": 7, "浙江省": 7, "四川省": 5, "重庆市": 3, "江西省": 3, "陕西省": 3}


def test_cq13_court_arrangements(store) -> None:
    # 福建 五(一)1 "与省高院建立住房城乡建设领域执法司法联动制度"; 江西 五(二)1 "与各级法院、仲裁机构建立
    # “诉调对接”“裁调对接”联动机制"; 佛山 五(二)2 "由市中院、住房城乡建设局、人社局和市建筑业协会联合设立".
    found = ask(store, "cq13")
    assert {row["regionLabel"] for row in found} == {"福建省", "江西省", "佛山市"}
    foshan = {row["partnerLabel"] for row in found if row["regionLabel"] == "佛山市"}
    assert len(foshan) >= 3


def test_cq14_cross_regional(store) -> None:
    # 温州 一(三)2 "与四川阿坝、叙永等劳务输出地区开展战略合作"; 宁波 一(四)2 "让来自于湖北、湖南、四川、贵州、
    # 河南等地区的建筑工人子女".
    found = {(row["regionLabel"], row["otherRegionLabel"]) for row in ask(store, "cq14")}
    assert {("温州市", "阿坝藏族羌族自治州"), ("温州市", "叙永县")} <= found
    assert {("宁波市", p) for p in ("湖北省", "湖南省", "四川省", "贵州省", "河南省")} <= found



def _mix(store, dimension: str, scheme: str) -> dict[tuple[str, str], tuple[int, int, int]]:
    """cq15 rows of one dimension and scheme: (group label, instrument label) -> (uses, instrument uses, practices)."""
    return {(row["groupLabel"], row["instrumentLabel"]): (int(row["uses"]), int(row["instrumentUses"]),
                                                          int(row["practices"]))
            for row in ask(store, "cq15") if row["dimension"] == dimension and row["scheme"] == scheme}


def test_cq15_money_is_spent_only_in_task_four(store) -> None:
    # Public money or tax forgone (NATO treasure, 财政), read off the source:
    # 四(一)1 河南 「充分利用就业补助、财政补贴和地方人才经费」 and 「减免相应税费」;
    # 四(一)3 内江 「明确培训资金使用范围、补贴标准」;
    # 四(一)4 固始 「落实个人所得税年度核算和专项扣除」 and
    #   「县人社局、财政局对纳入“全省三年技能提升行动”中参与培训、实训的建筑产业工人给予财政补贴」
    #   (the subsidy scheme and the provincial campaign it pays for: two uses, one quote);
    # 四(二)3 广西 「使用建安劳保费结余资金补贴」;
    # 四(二)4 赣州 「由企业注册地财政按每培训 1 名建筑高级工补贴 200 元」
    #   (the scheme and the certificates it pays for: two uses, one quote);
    # 四(三)1 内蒙古 「给予 100 万元资金支持」.
    # 10 uses; 8 when uses sharing a quote count once (INS-6); 6 practices. 一(二)2's 「设立专项奖励资金」
    # is the act of the areas Shaanxi encourages (GEN-3): promotes, nodality, not treasure.
    treasure = {group: counts for (group, instrument), counts in _mix(store, "task", "nato").items()
                if instrument == "财政"}
    assert treasure == {"加强统筹协作和政策支持": (10, 8, 6)}
    provinces = {group: counts for (group, instrument), counts in _mix(store, "province", "nato").items()
                 if instrument == "财政"}
    assert provinces == {"河南省": (5, 4, 2), "四川省": (1, 1, 1), "广西壮族自治区": (1, 1, 1), "江西省": (2, 1, 1),
                         "内蒙古自治区": (1, 1, 1)}
    # at county level only 固始县's subsidy sentence and tax deduction (四(一)4)
    assert _mix(store, "level", "nato")[("县级", "财政")] == (3, 2, 1)


def test_cq15_demand_side_is_pilots_and_one_market_model(store) -> None:
    # The demand side (需求型), read off the source: the seven practices with a 试点
    # (一(一)1 「试点工作方案」, 一(二)1 「试点推行」, 一(三)1 「培养应用试点」, 一(三)2 「培养模式试点工作」,
    # 二(一)4 「自动预警项目试点」, 二(三)4 「临时居住登记管理试点」, 五(一)1 「施工过程结算试点工作」)
    # and 苏州's 「政府主导、企业主体、市场运营」 (三(四)3). No practice buys services or deals with trade
    # or overseas markets (INS-7).
    everything = _mix(store, "all", "rz")
    assert everything[("实践知识图谱", "示范试点")] == (7, 7, 7)
    assert everything[("实践知识图谱", "服务外包")] == (1, 1, 1)
    assert _mix(store, "all", "rz-type")[("实践知识图谱", "需求型")] == (8, 8, 8)
    instruments = {row["instrumentLabel"] for row in ask(store, "cq15")}
    assert not {"政府采购", "贸易管制与海外机构"} & instruments


def test_cq15_arrangements_carry_the_instruments_of_the_uses_they_perform(store) -> None:
    # 五(一)1 福建 「与省高院建立住房城乡建设领域执法司法联动制度」 is the list's one enforcement linkage of an agency
    # and a court. It carries the judicial linkage it sets up (adopts: the mechanism's codes, 法规管制 and 权威)
    # and nothing else: the practice's pilot 「组织开展施工过程结算试点工作」 is another sentence, and the
    # investigation of the next clause is the housing department's own act (codebook JA-7, JA-11).
    assert {instrument: counts for (group, instrument), counts in _mix(store, "arrangement-kind", "rz").items()
            if group == "执法联动"} == {"法规管制": (1, 1, 1)}
    assert {instrument: counts for (group, instrument), counts in _mix(store, "arrangement-kind", "nato").items()
            if group == "执法联动"} == {"权威": (1, 1, 1)}
    # 四(一)4 固始 「县人社局、财政局对纳入“全省三年技能提升行动”中参与培训、实训的建筑产业工人给予财政补贴」,
    # the list's one joint funding, carries the subsidy and the provincial campaign it pays for: two uses of
    # one quote, both public money (财政).
    assert {instrument: counts for (group, instrument), counts in _mix(store, "arrangement-kind", "nato").items()
            if group == "联合资金支持"} == {"财政": (2, 1, 1)}


def test_evidence_quotes_for_a_node(store) -> None:
    # 宁波 一(四)2 names 湖北 only once: "让来自于湖北、湖南..."
    found = ask(store, "evidence", node="hubei")
    assert {row["quote"] for row in found} >= {"湖北"}
    assert {row["practice"] for row in found} == {"pgid:p-1-4-2"}
