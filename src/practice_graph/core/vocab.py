"""The namespaces of the graph and the closed ``pg:`` vocabulary.

GENERATED from src/practice_graph/model/schema.yaml by `python -m practice_graph.model.generate`: do not edit.
A term of ``pg:`` that the model does not declare raises AttributeError where it is used.
"""

from rdflib import Namespace, URIRef
from rdflib.namespace import DefinedNamespace

from practice_graph.core.prefixes import BOUND, NAMESPACES

__all__ = ["BOUND", "NAMESPACES", "PG"]


class PG(DefinedNamespace):
    """pg: the practice-graph ontology (every class and property of the model)."""

    _fail = True
    _NS = Namespace("https://w3id.org/practice-graph/ontology#")

    WorkTask: URIRef = _NS["WorkTask"]  # 工作任务 Work task
    Measure: URIRef = _NS["Measure"]  # 主要举措 Measure
    Practice: URIRef = _NS["Practice"]  # 经验做法 Practice
    Region: URIRef = _NS["Region"]  # 行政区 Region
    Agency: URIRef = _NS["Agency"]  # 政府部门 Agency
    Organization: URIRef = _NS["Organization"]  # 组织机构 Organization
    Platform: URIRef = _NS["Platform"]  # 数字平台 Platform
    PolicyDocument: URIRef = _NS["PolicyDocument"]  # 政策文件 Policy document
    Brand: URIRef = _NS["Brand"]  # 品牌与称号 Brand
    Event: URIRef = _NS["Event"]  # 活动 Event
    Indicator: URIRef = _NS["Indicator"]  # 量化指标 Indicator
    MechanismCategory: URIRef = _NS["MechanismCategory"]  # 机制类别 Mechanism category
    Mechanism: URIRef = _NS["Mechanism"]  # 机制 Mechanism
    JointArrangement: URIRef = _NS["JointArrangement"]  # 联合安排 Joint arrangement
    Evidence: URIRef = _NS["Evidence"]  # 证据 Evidence
    Participation: URIRef = _NS["Participation"]  # 参与 Participation
    MechanismUse: URIRef = _NS["MechanismUse"]  # 机制运用 Mechanism use
    SourceDocument: URIRef = _NS["SourceDocument"]  # 来源文本 Source document
    inPractice: URIRef = _NS["inPractice"]  # 出自经验做法 in practice
    number: URIRef = _NS["number"]  # 序号 number
    task: URIRef = _NS["task"]  # 所属工作任务 task
    measure: URIRef = _NS["measure"]  # 所属主要举措 measure
    leadRegion: URIRef = _NS["leadRegion"]  # 牵头地区 lead region
    hasMechanismUse: URIRef = _NS["hasMechanismUse"]  # 机制运用 has mechanism use
    usesMechanism: URIRef = _NS["usesMechanism"]  # 采用机制 uses mechanism
    adopts: URIRef = _NS["adopts"]  # 采用 adopts
    requires: URIRef = _NS["requires"]  # 要求 requires
    funds: URIRef = _NS["funds"]  # 资助 funds
    promotes: URIRef = _NS["promotes"]  # 鼓励引导 promotes
    monitors: URIRef = _NS["monitors"]  # 监管 monitors
    workerSourceRegion: URIRef = _NS["workerSourceRegion"]  # 劳务来源地区 worker source region
    mentions: URIRef = _NS["mentions"]  # 提及 mentions
    practice: URIRef = _NS["practice"]  # 所属经验做法 practice
    region: URIRef = _NS["region"]  # 所在地区 region
    withinProvince: URIRef = _NS["withinProvince"]  # 所属省级行政区 within province
    adminLevel: URIRef = _NS["adminLevel"]  # 行政级别 administrative level
    regionKind: URIRef = _NS["regionKind"]  # 行政区划类型 region kind
    adminCode: URIRef = _NS["adminCode"]  # 行政区划代码 administrative division code
    namedInSource: URIRef = _NS["namedInSource"]  # 来源文本中出现 named in source
    isClass: URIRef = _NS["isClass"]  # 类别主体 is a class
    scopeRegion: URIRef = _NS["scopeRegion"]  # 类别范围 scope region
    memberCount: URIRef = _NS["memberCount"]  # 成员数量 member count
    locatedAt: URIRef = _NS["locatedAt"]  # 依托设施 located at
    fullName: URIRef = _NS["fullName"]  # 全称 full name
    platformKind: URIRef = _NS["platformKind"]  # 平台类型 platform kind
    operator: URIRef = _NS["operator"]  # 运营主体 operator
    function: URIRef = _NS["function"]  # 功能 function
    partOf: URIRef = _NS["partOf"]  # 所属系统 part of
    exchangesDataWith: URIRef = _NS["exchangesDataWith"]  # 数据对接 exchanges data with
    documentKind: URIRef = _NS["documentKind"]  # 文件类型 document kind
    documentNumber: URIRef = _NS["documentNumber"]  # 文号（规范化） document number (normalised)
    brandKind: URIRef = _NS["brandKind"]  # 品牌与称号类型 brand kind
    eventKind: URIRef = _NS["eventKind"]  # 活动类型 event kind
    reward: URIRef = _NS["reward"]  # 奖励 reward
    verbatim: URIRef = _NS["verbatim"]  # 原文数值 verbatim
    scale: URIRef = _NS["scale"]  # 数量级 scale
    qualifier: URIRef = _NS["qualifier"]  # 限定 qualifier
    indicatorKind: URIRef = _NS["indicatorKind"]  # 指标类型 indicator kind
    asOf: URIRef = _NS["asOf"]  # 截至日期 as of
    asOfVerbatim: URIRef = _NS["asOfVerbatim"]  # 原文截至日期 as of (verbatim)
    periodStart: URIRef = _NS["periodStart"]  # 起始时间 period start
    about: URIRef = _NS["about"]  # 度量对象 about
    mechanismCategory: URIRef = _NS["mechanismCategory"]  # 机制类别 mechanism category
    defaultRz: URIRef = _NS["defaultRz"]  # 默认R&Z工具 default R&Z instrument
    defaultNato: URIRef = _NS["defaultNato"]  # 默认NATO工具 default NATO instrument
    mechanism: URIRef = _NS["mechanism"]  # 机制 mechanism
    use: URIRef = _NS["use"]  # 运用关系 use
    rz: URIRef = _NS["rz"]  # R&Z工具 R&Z instrument
    nato: URIRef = _NS["nato"]  # NATO工具 NATO instrument
    instrumentNote: URIRef = _NS["instrumentNote"]  # 工具编码说明 instrument note
    arrangementKind: URIRef = _NS["arrangementKind"]  # 联合安排类型 arrangement kind
    designation: URIRef = _NS["designation"]  # 原文称谓 designation
    asSubject: URIRef = _NS["asSubject"]  # 省略主语 as practice subject
    anchor: URIRef = _NS["anchor"]  # 锚定引语 anchor
    unnamedOthers: URIRef = _NS["unnamedOthers"]  # 含未列名参与方 unnamed others
    carries: URIRef = _NS["carries"]  # 承载机制 carries
    fileName: URIRef = _NS["fileName"]  # 文件名 file name
    sha256: URIRef = _NS["sha256"]  # SHA-256 SHA-256
