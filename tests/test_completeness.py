"""Completeness: scan the source mechanically and check that the curated data covers it.

Each test finds every occurrence of one kind of thing in the source (a 《title》, a 文号, a “quoted
name”, a figure, an administrative unit, a word that names a body or a system) and requires a
record for it, cited in the practice where it stands. What is found but is no entity is listed
below with the reason, read off the source by a person; each listed item must still occur in the
source, so the lists cannot go stale.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from practice_graph.curation.load import (
    Dataset,
    Indicator,
    JointArrangement,
    Measure,
    Mechanism,
    MechanismCategory,
    PolicyDocument,
    Practice,
    Record,
    Region,
    WorkTask,
    normalize_document_number,
)
from practice_graph.curation.source import NUMBERED, Segment
from practice_graph.curation.validate import practice_order, practice_paragraphs
from practice_graph.pipeline import Built
from tests.test_regions_reference import adcode_table

# Records that name things (not the skeleton, the taxonomy of mechanisms, figures or arrangements).
NOT_ENTITIES = (WorkTask, Measure, Practice, Mechanism, MechanismCategory, Indicator, JointArrangement)

# --------------------------------------------------------------------------- what is no entity

# “Quoted” phrases of the source that name no record: slogans, models, stages, goals.
NON_ENTITY_PHRASES: dict[str, str] = {
    "技能型": "a quality the practice heading gives labour enterprises (陕西 一(二)2)",
    "品牌型": "a quality the practice heading gives labour enterprises (陕西 一(二)2)",
    "三库一核心": "name of 温州's model; its three pools are the registers 项目库, 班组库, 设备库",
    "家门初训": "a stage of 叙永's training model (mechanism training-delivery-modes)",
    "学校集训": "a stage of 叙永's training model (mechanism training-delivery-modes)",
    "工地实训": "a stage of 叙永's training model (mechanism hands-on-training)",
    "网络复训": "a stage of 叙永's training model (mechanism training-delivery-modes)",
    "用工有实据、干活有数据、发薪有依据": "the goal set for 云建宝, a slogan",
    "设备直联": "name of 广州's mode of connecting devices, no body or system",
    "线上预警+线下核查+重点督办": "江西's method, named in the heading (mechanism online-offline-supervision)",
    "一码通行": "宁波's slogan for 甬建码, named in the heading",
    "有码可依": "a slogan (supervision 'has a code to rely on')",
    "教、学、做": "the integration the heading gives 自贡's training bases",
    "总部高地、生活培训基地、生产工地": "宁波's “三地” guideline, a slogan",
    "三地": "short name of 宁波's guideline, a slogan",
    "党建引领、政策扶持、法律援助、工会服务、发展共享": "the park's five service 'platforms', a figure of "
    "speech; recorded as mechanisms (party-building, enterprise-facilitation, legal-aid, site-trade-unions)",
    "孵化场": "a metaphor ('incubator') for the training bases",
    "双制": "short for the two systems of 重庆 五(一)2, which the municipality urges others to enforce: no "
    "arrangement (codebook JA-3)",
    "1+2+N": "宁波's development carrier: co-members (a park, two bases, N sites) that get no relation to each other "
    "(codebook REL-6, JAK-2); its park and bases are records",
    "一个建筑服务产业园，建筑产业工人基地和宁波市技术工人培育基地、N个工地": "the members of “1+2+N”, spelt out: "
    "records each, no arrangement (codebook JA-4, REL-6)",
    "一试双证": "河南's dual certification, set up by the joint notice (arrangement "
    "henan-joint-training-evaluation-notice); the institutions it names are classes, not parties (codebook CLASS-5)",
    "三色": "the three colours of 芜湖's warning mechanism, named in the heading",
    "智能建造机器人+产业工人": "a model (robot + workers), of which the indicator "
    "wenzhou-smart-construction-robot-models-2023 counts 10 余项",
    "参训": "the verb 'take part in training', quoted for emphasis",
    "建筑工人子女夏令营": "a generic service type in 广州's list of activities, not an event (codebook EVT-2; "
    "mechanism children-summer-camps)",
    "中秋、国庆、春节慰问": "a generic service type in 广州's list of activities, not an event (codebook EVT-2; "
    "mechanism care-activities)",
    "免费体检": "a generic service type in 广州's list of activities, not an event (codebook EVT-2; "
    "mechanism care-activities)",
}

# Figures that are not an Indicator, by (practice, text holding the figure): the reason.
EXCLUDED_FIGURES: dict[tuple[str, str], str] = {
    ("p-3-3-3", "举办一次"): "once, part of the frequency 每两年举办一次 recorded as 每两年",
    ("p-4-2-4", "每培训 1 名"): "the per-person base of the subsidy rates 200/300/400 元, which are indicators",
}

# Words that name a kind of body or system (局, 部门, 平台 ...) where they name no record of their
# own: by (practice, text holding the word): the reason.
BODY_WORDS = re.compile(
    r"局|厅|委|法院|中院|高院|工会|协会|学院|学校|高校|院校|中心|工作室|委员会|工作站|部门|机关|机构|基地"
    r"|产业园|服务园|平台|系统|数据库|库|模块|软件|小组|办公室|银行"
)
EXCLUDED_BODY_WORDS: dict[tuple[str, str], str] = {
    ("p-1-1-1", "总工会等部门联动"): "the noun closing a list of recorded departments",
    ("p-1-1-1", "免费培训平台"): "a figurative 平台: nothing says it is a digital system (codebook SYS-8)",
    ("p-1-1-2", "班组长和产业工人库"): "pools each enterprise is encouraged to set up, a class "
    "(mechanism enterprise-worker-pools)",
    ("p-1-3-2", "“三库一核心"): "the model's name; its pools are records",
    ("p-1-3-3", "“学校集训”"): "a stage of the training model",
    ("p-2-1-1", "增加平台"): "refers back to 云建宝",
    ("p-2-1-3", "基于平台大数据"): "refers back to the real-name management platform of the heading",
    ("p-2-1-3", "综合性平台"): "refers back to 桂建通",
    ("p-2-1-4", "与平台考勤数据"): "the platform whose attendance data is compared; the text gives it no name",
    ("p-2-2-2", "在系统平台进行"): "refers back to 实名制系统",
    ("p-2-3-5", "各类业务系统"): "a class of systems, none named",
    ("p-3-1-1", "多个专业培训机构"): "a class, of which 林州市建筑职业技术学院 is the one named",
    ("p-3-1-2", "一体化的建筑产业工人培训基地"): "the heading's name for the two named bases",
    ("p-3-1-3", "新工种建筑产业工人培养基地"): "the heading's name for 建筑人才培养基地",
    ("p-3-1-3", "为平台"): "figure of speech: the school serves as the platform",
    ("p-3-3-2", "5个行业协会"): "the noun closing a list of recorded associations (the other three are unnamed)",
    ("p-3-3-3", "提高水平的平台"): "figure of speech: the competition as a stage",
    ("p-3-4-1", "2个技能大师工作室"): "the noun closing the list of the two recorded studios",
    ("p-3-4-1", "等服务平台"): "the noun closing a list of recorded platforms",
    ("p-3-4-2", "以建筑服务产业园助推"): "the heading's name for 宁波建筑服务产业园",
    ("p-3-4-2", "生活培训基地"): "part of the quoted “三地” slogan",
    ("p-3-4-2", "一个建筑服务产业园"): "宁波建筑服务产业园 inside the “1+2+N” carrier (no arrangement, codebook JA-4)",
    ("p-3-4-2", "工会服务"): "part of the quoted five 'platforms', a slogan",
    ("p-3-4-2", "五大平台"): "the park's five service 'platforms', a figure of speech",
    ("p-3-4-3", "打造建筑服务产业园"): "the heading's name for 江苏建筑服务(苏州)产业园",
    ("p-3-4-3", "+建筑服务产业园+"): "the park as part of the internet platform's description",
    ("p-3-4-3", "依托产业园"): "refers back to 江苏建筑服务(苏州)产业园",
    ("p-4-1-1", "财政和税务等部门"): "the noun closing a list of recorded departments",
    ("p-4-1-2", "等职能部门"): "the noun closing a list of recorded departments",
    ("p-4-1-2", "入库"): "verb: experts 'enter the pool' 建筑产业工人培育专家库",
    ("p-4-1-3", "多部门"): "the heading's 'several departments', named in the paragraph",
    ("p-4-1-3", "等相关部门"): "the noun closing a list of recorded departments",
    ("p-4-3-1", "高技能人才培训基地建设"): "the heading's name for the bases (records) the support goes to",
    ("p-4-3-1", "依托企业和学校培育基地"): "classes of bases, none named",
    ("p-4-3-1", "系统化"): "adverb 'systematically', not 系统 (system)",
    ("p-5-2-1", "调解平台"): "figure of speech: the committee as a platform for mediation",
    ("p-5-2-2", "“法院+行政机关+行业协会”"): "the quoted name of the mechanism (arrangement "
    "foshan-wage-dispute-source-governance); its members are the court, bureaus and association",
}

# Words that name an event, a brand or a title where they name no record of their own.
EVENT_WORDS = re.compile(r"活动|大赛|竞赛|行动|试点|夏令营|座谈会|约谈会|计划|比武|慰问|体检|评选|称号|奖章|品牌")
EXCLUDED_EVENT_WORDS: dict[tuple[str, str], str] = {
    ("p-1-2-1", "项目试点推行"): "verb: projects pilot direct subcontracting, no event (codebook EVT-3)",
    ("p-1-2-2", "“品牌型”"): "a quality of labour enterprises (a quoted phrase)",
    ("p-1-3-2", "项目试点实施"): "verb: the robot models are piloted on projects",
    ("p-1-3-1", "开展技能下工地活动"): "an activity with no distinguishing name and no occurrence, not an event "
    "(codebook EVT-2)",
    ("p-1-4-1", "“建筑工人子女夏令营”“中秋、国庆、春节慰问”“免费体检”等活动"): "generic service types listed as a type "
    "of activity, not events (codebook EVT-2); only the symposium has a coined title",
    ("p-1-4-2", "常态化开展微党校、关怀慰问、政策咨询、公益法律援助、技能比武等活动"): "generic service types "
    "listed as a type of activity, not events (codebook EVT-2)",
    ("p-2-2-2", "组织集中约谈会"): "a procedure, not an event (codebook EVT-2)",
    ("p-1-4-2", "各类活动"): "the park's activities, counted (50 余场) but none named",
    ("p-2-3-4", "实行动态"): "实行 + 动态 ('dynamic'), not 行动 (campaign)",
    ("p-3-1-2", "“富顺建工”特色劳务品牌"): "the kind words after the recorded brand 富顺建工",
    ("p-3-3-1", "以竞赛引领"): "competitions in general (the heading)",
    ("p-3-3-1", "各工种竞赛"): "the trade contests inside the “陕建杯” competition",
    ("p-3-3-2", "举办职业技能人才大赛"): "the heading's name for 成都市建筑职业技能人才大赛",
    ("p-3-3-2", "本次大赛"): "refers back to 成都市建筑职业技能人才大赛",
    ("p-3-3-2", "推荐评选"): "verb: contestants are recommended for the recorded titles",
    ("p-3-3-2", "等称号"): "the noun closing the list of the three recorded titles",
    ("p-3-3-3", "常态化举办职业技能大赛"): "the heading's name for the “甜城工匠” competition",
    ("p-4-1-1", "年度计划指标"): "annual plan targets, no named plan",
    ("p-4-1-3", "“甜都建工”特色劳务品牌"): "the kind words after the recorded brand 甜都建工",
}

# Words that name a document where they name no record of their own.
DOCUMENT_WORDS = re.compile(r"方案|办法|通知|条例|目录|名录|名册|清单|协议|政策")
EXCLUDED_DOCUMENT_WORDS: dict[tuple[str, str], str] = {
    ("p-1-2-2", "落实扶持政策"): "existing support policies that are carried out, none named or issued here",
    ("p-1-4-2", "政策咨询"): "policy consultation, a generic service type (codebook EVT-2), not a document",
    ("p-2-1-2", "政策制度落地难"): "policies in general (a problem the platform solves)",
    ("p-2-2-2", "整改通知单"): "a rectification notice to each absent manager, a case form, not a policy",
    ("p-3-4-2", "政策扶持"): "part of the quoted five 'platforms', a slogan",
    ("p-4-1-1", "提供政策支持"): "policy support in general, the role of the finance and tax departments",
    ("p-4-1-1", "资金政策"): "funding policies in general (education funds, tax relief), none named",
}

# A body written in a practice in another form than its label: (practice, written form): record.
# None is left: a later designation of a record is one of its alt_labels (codebook BODY-5), and a
# designation that states another level is a record of its own (BODY-4: 人社部门 and 人社厅 in 河南).
WRITTEN_AS: dict[tuple[str, str], str] = {}

# Names of administrative units (GB/T 2260, short forms) that occur in the source as other words.
FALSE_FRIENDS: dict[str, str] = {
    "会同": "verb 'together with' (市住房城乡建设局会同市人社局)",
    "公安": "public security (公安部门)",
    "南和": "桂南和桂北 (training areas)",
    "合作": "'cooperation'",
    "和安": "管理和安全",
    "和政": "协作和政策",
    "市中": "市中院 (intermediate court)",
    "平和": "水平和持证率",
    "建安": "建安劳保费 (construction and installation labour insurance fees)",
    "惠民": "“惠民工·小候鸟行动”",
    "政和": "财政和税务",
    "新华": "邹新华, a person's name",
    "新建": "创新建筑产业工人",
    "红旗": "红旗渠, a canal in 林州 (红旗渠工匠)",
    "西城": "广西城市建设学校",
    "资源": "'resources'",
}

REGION_SUFFIX = re.compile(
    r"(壮族自治区|回族自治区|维吾尔自治区|自治区|藏族羌族自治州|自治州|自治县|特别行政区|省|市|县|区|旗|盟|地区|镇)$"
)

# A 文号: issuer code, year in 〔〕 (or [] () 【】 ［］), sequence, 号; spaces allowed inside.
DOCUMENT_NUMBER = re.compile(r"[\u4e00-\u9fff]{2,8}\s*[〔\[［(（【]\s*\d{4}\s*[〕\]］)）】]\s*\d+\s*号")
DIGITS = re.compile(r"\d+(?:\.\d+)?")
CHINESE_COUNT = re.compile(r"[一二两三四五六七八九十百千]+(?:个|项|级|场|方(?!面)|家|名|次|期|年|大类|大平台|类)")


# --------------------------------------------------------------------------- helpers


@pytest.fixture(scope="module")
def dataset(built: Built) -> Dataset:
    return built.dataset


def entities(dataset: Dataset) -> list[Record]:
    return [record for record in dataset.all_records() if not isinstance(record, NOT_ENTITIES)]


def cites(record: Record, practice: str) -> bool:
    return any(evidence.practice == practice for evidence in record.evidence)


def segments(dataset: Dataset) -> Iterator[tuple[str, Segment]]:
    """Every (practice id, paragraph segment) in the source's order."""
    paragraphs = practice_paragraphs(dataset)
    for practice in practice_order(dataset):
        for segment in paragraphs[practice.id].segments:
            yield practice.id, segment


def spans(text: str, needle: str) -> Iterator[tuple[int, int]]:
    """Every occurrence of ``needle``; a figure inside a longer number (5个 in 15个) is no occurrence."""
    for match in re.finditer(re.escape(needle), text):
        start = match.start()
        if needle[:1].isdigit() and start and (text[start - 1].isdigit() or text[start - 1] == "."):
            continue
        yield start, match.end()


def uncovered(text: str, covered: list[tuple[int, int]], found: re.Pattern[str]) -> list[str]:
    """The matches of ``found`` in ``text`` that start inside no covered span, with context."""
    return [
        text[max(0, m.start() - 8) : m.end() + 6]
        for m in found.finditer(text)
        if not any(start <= m.start() < end for start, end in covered)
    ]


def occurs(dataset: Dataset, practice: str, text: str) -> bool:
    return practice_paragraphs(dataset)[practice].find(text) is not None


# --------------------------------------------------------------------------- the tests


def test_every_title_in_book_brackets_is_a_document(dataset: Dataset, source_text: str) -> None:
    documents = {document.label.zh for document in dataset.of(PolicyDocument)}
    titles = re.findall(r"《([^》]+)》", source_text)
    assert len(titles) == 8  # counted by hand: 四(一)1 one, 四(一)3 two, 四(一)4 two, 四(二)2, 四(二)4, 五(一)3
    assert sorted(set(titles) - documents) == []


def test_every_document_number_is_a_documents_printed_number(dataset: Dataset, source_text: str) -> None:
    printed = {document.number: document for document in dataset.of(PolicyDocument) if document.number}
    found = DOCUMENT_NUMBER.findall(source_text)
    # 豫建人教〔2022〕19号 (四(一)1), 豫建人教〔2022〕132 号 (四(二)2), 赣市府字〔2023〕17 号 (四(二)4)
    assert len(found) == 3
    for number in found:
        assert number in printed, number
        assert printed[number].number_normalized == normalize_document_number(number)


def test_every_quoted_name_is_a_record_or_a_listed_phrase(dataset: Dataset, source_text: str) -> None:
    # A quoted name may also name a joint arrangement: “一试双证”, “诉调对接”, “法院+行政机关+行业协会”.
    named = [*entities(dataset), *dataset.of(JointArrangement)]
    labels = [record.label.zh for record in named]
    missing = sorted(
        {
            phrase
            for phrase in re.findall(r"“([^”]+)”", source_text)
            if phrase not in NON_ENTITY_PHRASES and not any(phrase in label for label in labels)
        }
    )
    assert missing == []


def test_listed_phrases_occur_and_name_no_record(dataset: Dataset, source_text: str) -> None:
    labels = {record.label.zh for record in [*entities(dataset), *dataset.of(JointArrangement)]}
    for phrase in NON_ENTITY_PHRASES:
        assert f"“{phrase}”" in source_text, phrase
        assert phrase not in labels, f"{phrase} is listed as no entity but is a record's label"


def test_every_figure_is_an_indicator_of_its_practice(dataset: Dataset) -> None:
    indicators: dict[str, list[Indicator]] = {}
    for indicator in dataset.of(Indicator):
        for practice in {evidence.practice for evidence in indicator.evidence}:
            indicators.setdefault(practice, []).append(indicator)
    for practice, text in EXCLUDED_FIGURES:
        assert occurs(dataset, practice, text), (practice, text)
    missing = []
    for practice, segment in segments(dataset):
        text = segment.text
        covered = [m.span() for m in DOCUMENT_NUMBER.finditer(text)]
        # numerals inside a “quoted name” name rather than count: “全省三年技能提升行动”, “1+2+N”
        covered += [m.span() for m in re.finditer(r"“[^”]+”", text)]
        number = NUMBERED.match(text)
        if number:
            covered.append(number.span())
        for indicator in indicators.get(practice, []):
            for printed in (indicator.verbatim, indicator.as_of_verbatim):
                if printed:
                    covered.extend(spans(text, printed))
            if indicator.period_start:  # 2023 年以来, 自 2017 年开始: the printed start of a period
                covered.extend(m.span() for m in re.finditer(rf"{indicator.period_start}\s*年", text))
        for (excluded_practice, excluded), _reason in EXCLUDED_FIGURES.items():
            if excluded_practice == practice:
                covered.extend(spans(text, excluded))
        missing += [(practice, figure) for figure in uncovered(text, covered, DIGITS)]
        missing += [(practice, figure) for figure in uncovered(text, covered, CHINESE_COUNT)]
    assert missing == []


def test_every_administrative_unit_named_is_a_region(dataset: Dataset, source_text: str) -> None:
    names = set(adcode_table().values())
    regions = {region.label.zh for region in dataset.of(Region)}
    assert sorted(name for name in names if name in source_text and name not in regions) == []
    shorts = {REGION_SUFFIX.sub("", name) for name in names}
    region_shorts = {REGION_SUFFIX.sub("", label) for label in regions}
    found = {short for short in shorts if len(short) >= 2 and short in source_text}
    assert sorted(found - region_shorts - set(FALSE_FRIENDS)) == []
    for word in FALSE_FRIENDS:
        assert word in source_text and word in shorts, word


def test_every_region_cites_each_practice_that_names_it(dataset: Dataset) -> None:
    paragraphs = practice_paragraphs(dataset)
    missing = []
    for region in dataset.of(Region):
        if not region.named_in_source:
            continue
        short = REGION_SUFFIX.sub("", region.label.zh)
        name = short if len(short) >= 2 else region.label.zh  # 和县: "和" alone is a conjunction
        for practice, paragraph in paragraphs.items():
            if paragraph.find(name) and not cites(region, practice):
                missing.append((region.id, practice, name))
    assert missing == []


def words_naming_no_record(dataset: Dataset, words: re.Pattern[str], excluded: dict[tuple[str, str], str]) -> list:
    """Occurrences of ``words`` inside no name of a record that cites the practice (nor an exclusion)."""
    records = entities(dataset)
    for practice, text in excluded:
        assert occurs(dataset, practice, text), (practice, text)
    missing = []
    for practice, segment in segments(dataset):
        text = segment.text
        names = [record.label.zh for record in records if cites(record, practice)]
        names += [
            record.full_name.zh for record in records if getattr(record, "full_name", None) and cites(record, practice)
        ]
        names += [alt.zh for record in records if cites(record, practice) for alt in getattr(record, "alt_labels", [])]
        names += [written for (where, written) in WRITTEN_AS if where == practice]
        names += [text for (where, text) in excluded if where == practice]
        covered = [span for name in names if name for span in spans(text, name)]
        for match in words.finditer(text):
            # a kind word right after a recorded name: “云建宝”平台, “工匠宝”软件, “固始道桥”品牌
            before = text[: match.start()].rstrip("”")
            if any(before.endswith(name) for name in names if name):
                continue
            if not any(start <= match.start() < end for start, end in covered):
                missing.append((practice, text[max(0, match.start() - 10) : match.end() + 3]))
    return missing


def test_every_body_or_system_word_is_a_record_of_its_practice(dataset: Dataset) -> None:
    by_id = {record.id: record for record in entities(dataset)}
    for (practice, written), record_id in WRITTEN_AS.items():
        assert occurs(dataset, practice, written) and cites(by_id[record_id], practice), (practice, written)
    assert words_naming_no_record(dataset, BODY_WORDS, EXCLUDED_BODY_WORDS) == []


def test_every_event_or_title_word_is_a_record_of_its_practice(dataset: Dataset) -> None:
    assert words_naming_no_record(dataset, EVENT_WORDS, EXCLUDED_EVENT_WORDS) == []


def test_every_document_word_is_a_record_of_its_practice(dataset: Dataset) -> None:
    assert words_naming_no_record(dataset, DOCUMENT_WORDS, EXCLUDED_DOCUMENT_WORDS) == []


def test_every_practice_has_a_lead_region_and_a_mechanism(dataset: Dataset) -> None:
    regions = {region.id for region in dataset.of(Region)}
    for practice in dataset.of(Practice):
        assert practice.region in regions, practice.id
        assert practice.mechanisms, practice.id
