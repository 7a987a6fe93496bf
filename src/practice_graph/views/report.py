"""Write the analysis: a bilingual ``report.md`` and the same report as one offline ``report.html``,
CSV tables (UTF-8 with a byte-order mark, so Excel reads the Chinese; no cell a spreadsheet would run
as a formula), PNG charts and Gephi files.

Everything is rendered in memory (:func:`render_analysis`) and then written atomically
(:func:`write_analysis`). The same graph gives byte-identical files.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import html
import io
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from practice_graph.core.collector import fewer_collections
from practice_graph.views import instruments
from practice_graph.views.analysis import (
    Analysis,
    analyse,
    co_participation_graph,
    region_kind_graph,
    region_mechanism_graph,
    typed_multigraph,
)
from practice_graph.views.read import Arrangement, GraphLike, Label, PracticeData, Quote, as_source

REPORT = "report.md"
REPORT_HTML = "report.html"
HEATMAP = "region_mechanism_heatmap.png"
NETWORK = "co_participation.png"
INSTRUMENT_MIX = "instrument_mix.csv"
CANDIDATES_PER_REGION = 3
TOP_PAIRS = 20
SOURCE_TITLE = "培育新时代建筑产业工人可复制经验做法清单（第一批）"
MARKDOWN_SPECIAL = "\\`*_[]<>|#&~"
LIST_START = re.compile(r"^([0-9]{0,9})([-+.)])(?= |$)")  # a list item's start: "- x", "+ x", "1. x", "1) x"
SAFE_ANCHOR = re.compile(r"[A-Za-z0-9_-]+")
CSV_ENCODING = "utf-8-sig"  # the byte-order mark tells Excel the file is UTF-8
FORMULA_START = frozenset("=+-@\t\r")  # what makes Excel, LibreOffice or Google Sheets read a cell as a formula
PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?")
# The HTML report requests nothing: images are data: URIs, styles inline, no script runs.
REPORT_CSP = ("default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; "
              "form-action 'none'")
# The report's own anchors (ids are record ids); markdown-it escapes all other HTML in the text.
ANCHOR_PARAGRAPH = re.compile(r'<p>&lt;a id=&quot;([A-Za-z0-9_-]+)&quot;&gt;&lt;/a&gt;</p>')


class NothingToAnalyse(ValueError):
    """The graph holds no practices (not a practice graph, or an empty one)."""


# ------------------------------------------------------------------------------------ text helpers
def md(text: str) -> str:
    """Text as Markdown data: special characters escaped, line breaks flattened, and a start that
    would open a list (``- x``, ``+ x``, ``1. x``, ``1) x``) escaped, wherever the text lands."""
    text = " ".join(text.split())
    text = "".join("\\" + c if c in MARKDOWN_SPECIAL else c for c in text)
    return LIST_START.sub(r"\1\\\2", text, count=1)


def md_code(text: str) -> str:
    """``text`` as a Markdown code span on one line: shown as is, nothing inside is markup (the fence
    is longer than any run of backticks inside)."""
    text = " ".join(text.split())
    fence = "`" * (max((len(run) for run in re.findall("`+", text)), default=0) + 1)
    if text[:1] == "`" or text[-1:] == "`" or (text[:1] == " " and text[-1:] == " " and text.strip()):
        text = f" {text} "
    return f"{fence}{text}{fence}"


def anchor(identifier: str) -> str:
    """An anchor for a record id: the id itself when it is letters, digits, ``-`` and ``_`` (every
    curated id), else a hash of it (ids read from any graph or endpoint are data, never markup)."""
    if SAFE_ANCHOR.fullmatch(identifier):
        return identifier
    return "id-" + hashlib.sha256(identifier.encode("utf-8")).hexdigest()[:16]


def _quote_text(quotes: Iterable[Quote]) -> str:
    return " | ".join(f"{q.practice}: 「{q.text}」" if q.practice else f"「{q.text}」" for q in quotes)


def spreadsheet_safe(value: object) -> object:
    """A CSV cell a spreadsheet shows as text: text starting with ``= + - @``, a tab or a carriage
    return gets a leading ``'`` (OWASP's advice against formula injection), unless it is a plain
    number such as ``-0.5`` (a constant: no function, no reference, nothing runs). Numbers, and
    text starting otherwise, are kept as they are."""
    if isinstance(value, str) and value[:1] in FORMULA_START and not PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def _csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if value is None else spreadsheet_safe(value) for value in row])
    return buffer.getvalue().encode(CSV_ENCODING)


def _table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return [*lines, ""]


def both(label: Label) -> str:
    """A label as Markdown in Chinese and English (河南省 Henan Province); one when the other is
    missing or the same."""
    zh, en = md(label.zh), md(label.en)
    return zh if not en or en == zh else f"{zh} {en}" if zh else en


class _Names:
    """Labels and links for the report: tables name everything in Chinese and English."""

    def __init__(self, data: PracticeData) -> None:
        self.data = data

    def region(self, region: str) -> Label:
        return self.data.region_label(region)

    def kind(self, kind: str) -> Label:
        return self.data.kinds.get(kind, Label(kind, kind))

    def mechanism(self, mechanism: str) -> Label:
        found = self.data.mechanisms.get(mechanism)
        return found.label if found else Label(mechanism, mechanism)

    def arrangement_kind(self, kind: str) -> Label:
        return self.data.arrangement_kinds.get(kind, Label(kind, kind))

    def practice_link(self, practice: str) -> str:
        found = self.data.practices.get(practice)
        return f"[{md(found.ref if found else practice)}](#{anchor(practice)})"

    def practice_links(self, practices: Iterable[str]) -> str:
        return ", ".join(self.practice_link(p) for p in sorted(practices))

    def arrangement_link(self, arrangement: str) -> str:
        return f"[{both(self.data.arrangements[arrangement].label)}](#{anchor(arrangement)})"

    def regions_zh(self, regions: Iterable[str]) -> str:
        return "、".join(md(self.region(r).zh) for r in regions)

    def regions_en(self, regions: Iterable[str]) -> str:
        return ", ".join(md(self.region(r).en) for r in regions)

    def kinds_zh(self, kinds: Iterable[str]) -> str:
        return " + ".join(md(self.kind(k).zh) for k in kinds)

    def kinds_en(self, kinds: Iterable[str]) -> str:
        return " + ".join(md(self.kind(k).en) for k in kinds)

    def regions_both(self, regions: Iterable[str]) -> str:
        return "、".join(both(self.region(r)) for r in regions)

    def kinds_both(self, kinds: Iterable[str]) -> str:
        return " + ".join(both(self.kind(k)) for k in kinds)

    def mechanisms_both(self, mechanisms: Iterable[str]) -> str:
        return "、".join(both(self.mechanism(m)) for m in mechanisms)


# ------------------------------------------------------------------------------------ CSV tables
def csv_tables(analysis: Analysis) -> dict[str, bytes]:
    """Every table of the analysis as CSV (UTF-8 with a byte-order mark), by file name."""
    data = analysis.data
    names = _Names(data)
    tables: dict[str, bytes] = {}
    provinces = {r.province for r in data.regions.values()}
    tables["region_rollup.csv"] = _csv(
        ["region", "region_zh", "region_en", "level", "is_province", "practices", "own_practices", "by_region",
         "practice_ids"],
        ([r.region, r.label.zh, r.label.en, r.level, r.region in provinces, len(r.practices), len(r.own),
          "; ".join(f"{names.region(k).zh}:{len(v)}" for k, v in r.by_region.items()), ";".join(r.practices)]
         for r in analysis.rollups),
    )
    tables["region_mechanism.csv"] = _csv(
        ["region", "region_zh", "region_en", "mechanism", "mechanism_zh", "mechanism_en", "category", "practices",
         "practice_ids", "quotes"],
        ([u.region, names.region(u.region).zh, names.region(u.region).en, u.mechanism, names.mechanism(u.mechanism).zh,
          names.mechanism(u.mechanism).en,
          data.mechanisms[u.mechanism].category if u.mechanism in data.mechanisms else "",
          len(u.practices), ";".join(u.practices), _quote_text(u.quotes)]
         for u in data.uses.values()),
    )
    region_kind = region_kind_graph(data)
    tables["region_participant_kind.csv"] = _csv(
        ["region", "region_zh", "region_en", "kind", "kind_zh", "kind_en", "arrangements", "arrangement_ids",
         "practice_ids"],
        ([region, names.region(region).zh, names.region(region).en, kind, names.kind(kind).zh, names.kind(kind).en,
          attributes["weight"], attributes["arrangements"],
          ";".join(sorted({data.arrangements[a].practice for a in attributes["arrangements"].split(";")}))]
         for region, kind, attributes in sorted(
             (a, b, d) if region_kind.nodes[a]["part"] == "region" else (b, a, d)
             for a, b, d in region_kind.edges(data=True))),
    )
    tables["arrangements.csv"] = _csv(
        ["arrangement", "label_zh", "label_en", "kind", "kind_zh", "kind_en", "region", "region_zh", "region_en",
         "practice", "participant_kinds", "participant_kinds_zh", "participant_kinds_en", "lead_kinds",
         "convener_kinds", "participants", "quotes"],
        ([a.id, a.label.zh, a.label.en, a.kind, names.arrangement_kind(a.kind).zh, names.arrangement_kind(a.kind).en,
          a.region, names.region(a.region).zh, names.region(a.region).en, a.practice, ";".join(a.kinds),
          "+".join(names.kind(k).zh for k in a.kinds), " + ".join(names.kind(k).en for k in a.kinds),
          ";".join(a.lead_kinds), ";".join(a.convener_kinds),
          "; ".join(f"{p.id}:{p.role or ''}" for p in a.participants),
          _quote_text(sorted({q for p in a.participants for q in p.quotes}))]
         for a in data.arrangements.values()),
    )
    tables["combinations.csv"] = _csv(
        ["kinds", "kinds_zh", "kinds_en", "size", "support", "region_count", "regions", "regions_zh", "regions_en",
         "arrangements", "practice_ids", "quotes"],
        ([";".join(c.kinds), "+".join(names.kind(k).zh for k in c.kinds), " + ".join(names.kind(k).en for k in c.kinds),
          len(c.kinds), c.support, len(c.regions), ";".join(c.regions),
          "、".join(names.region(r).zh for r in c.regions), "; ".join(names.region(r).en for r in c.regions),
          ";".join(c.arrangements), ";".join(c.practices), _quote_text(c.quotes)]
         for c in analysis.combinations),
    )
    tables["arrangement_kinds_by_region.csv"] = _csv(
        ["arrangement_kind", "kind_zh", "kind_en", "region", "region_zh", "region_en", "arrangements"],
        ([kind, names.arrangement_kind(kind).zh, names.arrangement_kind(kind).en, region, names.region(region).zh,
          names.region(region).en, ";".join(ids)]
         for kind, regions in analysis.by_arrangement_kind.items() for region, ids in regions.items()),
    )
    network = co_participation_graph(data)
    tables["co_participation_edges.csv"] = _csv(
        ["kind_a", "kind_a_zh", "kind_a_en", "kind_b", "kind_b_zh", "kind_b_en", "arrangements", "arrangement_ids",
         "regions", "practice_ids"],
        ([a, names.kind(a).zh, names.kind(a).en, b, names.kind(b).zh, names.kind(b).en, d["weight"],
          d["arrangements"], d["regions"], d["practices"]]
         for a, b, d in sorted((min(a, b), max(a, b), d) for a, b, d in network.edges(data=True))),
    )
    tables["centrality.csv"] = _csv(
        ["kind", "kind_zh", "kind_en", "arrangements", "degree", "strength", "betweenness", "closeness",
         "brokered_pairs", "brokers_between", "arrangement_ids", "practice_ids"],
        ([c.kind, c.label.zh, c.label.en, c.arrangements, c.degree, c.strength, f"{c.betweenness:.6f}",
          f"{c.closeness:.6f}", len(c.brokers), "; ".join(f"{a}|{b}" for a, b in c.brokers),
          ";".join(a.id for a in data.arrangements.values() if c.kind in a.kinds),
          ";".join(sorted({a.practice for a in data.arrangements.values() if c.kind in a.kinds}))]
         for c in analysis.centrality),
    )
    for name, similarities, by_kinds in (("similarity_mechanisms.csv", analysis.mechanism_similarity, False),
                                         ("similarity_participant_kinds.csv", analysis.kind_similarity, True)):
        label = names.kind if by_kinds else names.mechanism
        tables[name] = _csv(
            ["region_a", "region_a_zh", "region_a_en", "region_b", "region_b_zh", "region_b_en", "jaccard", "shared",
             "union", "shared_ids", "shared_zh", "shared_en", "practice_ids"],
            ([s.a, names.region(s.a).zh, names.region(s.a).en, s.b, names.region(s.b).zh, names.region(s.b).en,
              f"{s.jaccard:.6f}", len(s.shared), s.union,
              ";".join(s.shared), "、".join(label(x).zh for x in s.shared), "; ".join(label(x).en for x in s.shared),
              ";".join(sorted(_practices_behind(data, (s.a, s.b), s.shared, by_kinds)))] for s in similarities),
        )
    tables["nearest_regions.csv"] = _csv(
        ["basis", "region", "region_zh", "region_en", "rank", "neighbour", "neighbour_zh", "neighbour_en", "jaccard"],
        ([basis, region, names.region(region).zh, names.region(region).en, rank, other, names.region(other).zh,
          names.region(other).en, f"{score:.6f}"]
         for basis, table in (("mechanisms", analysis.nearest_by_mechanisms),
                              ("participant-kinds", analysis.nearest_by_kinds))
         for region, neighbours in table.items() for rank, (other, score) in enumerate(neighbours, start=1)),
    )
    tables["communities.csv"] = _csv(
        ["community", "region", "region_zh", "region_en", "shared_mechanisms"],
        ([c.number, r, names.region(r).zh, names.region(r).en, ";".join(f"{m}:{n}" for m, n in c.shared_mechanisms)]
         for c in analysis.communities for r in c.regions),
    )
    tables["replication_candidates.csv"] = _csv(
        ["region", "region_zh", "region_en", "mechanism", "mechanism_zh", "mechanism_en", "score", "regions_using",
         "nearest_using", "practice_ids", "quotes"],
        ([c.region, names.region(c.region).zh, names.region(c.region).en, c.mechanism, names.mechanism(c.mechanism).zh,
          names.mechanism(c.mechanism).en, f"{c.score:.6f}", c.regions_using,
          "; ".join(f"{n}:{s:.6f}" for n, s in c.used_by_nearest), ";".join(c.practices), _quote_text(c.quotes)]
         for c in analysis.candidates),
    )
    return tables


# ------------------------------------------------------------------------------------ the report
def report_markdown(analysis: Analysis, files: Iterable[str],
                    instrument_mix: Sequence[instruments.MixRow] = ()) -> str:
    """The bilingual report: each question answered with tables linked to the practices behind them
    (with the policy-instrument mix where ``instrument_mix`` gives its rows)."""
    data = analysis.data
    names = _Names(data)
    out: list[str] = [
        "# 经验做法模式分析 · Pattern analysis of the replicable practices",
        "",
        f"来源 Source: 《{md(SOURCE_TITLE)}》. 本报告由知识图谱（RDF）计算得出；每个数字都链接到其背后的经验做法，"
        "附录列出每条做法及其原文引文。 Computed from the RDF graph; every figure links to the practices "
        "behind it, and the appendix lists each practice with its verbatim quotes. Chinese labels are as "
        "written in the source; English labels are the curators' translations.",
        "",
        f"图中共有 {len(data.practices)} 条做法、{len(data.arrangements)} 个联合安排、{len(data.mechanisms)} 种机制。 "
        f"The graph holds {len(data.practices)} practices, {len(data.arrangements)} joint arrangements and "
        f"{len(data.mechanisms)} mechanisms.",
        "",
        "定义 Definitions: a region *uses* a mechanism when a practice it leads uses it; a region *brings "
        "together* a participant kind when one of its joint arrangements has a participant of that kind "
        "(department type, organisation kind, or a region whose acting body the text does not name); a "
        "practice counts for every region above its leading region.",
        "",
    ]
    out += _section_rollup(analysis, names)
    out += _section_arrangements(analysis, names)
    out += _section_similarity(analysis, names)
    out += _section_candidates(analysis, names)
    out += _section_centrality(analysis, names)
    out += _section_instruments(list(instrument_mix))
    out += ["## 7. 图表与文件 · Charts and files", "",
            f"![地区 × 机制 Region × mechanism]({HEATMAP})", "",
            f"![共同参与网络 Co-participation network]({NETWORK})", ""]
    out += [f"- [{md(name)}]({name})" for name in sorted(files) if name != REPORT]
    out += ["", "GraphML and GEXF files open in Gephi; CSV files are UTF-8 with a byte-order mark (Excel reads "
            "the Chinese).", ""]
    out += _appendix(data, names)
    return "\n".join(out).rstrip("\n") + "\n"


def _section_rollup(analysis: Analysis, names: _Names) -> list[str]:
    provinces = {r.province for r in analysis.data.regions.values()}
    rows = []
    for r in analysis.rollups:
        if r.region not in provinces:
            continue
        breakdown = "、".join(f"{both(names.region(k))} {len(v)}" for k, v in r.by_region.items())
        rows.append([md(r.label.zh), md(r.label.en), str(len(r.practices)), breakdown,
                     names.practice_links(r.practices)])
    return ["## 1. 省级汇总 · How practices roll up to provinces", "",
            "市、县牵头的做法同时计入其所在省级行政区。 A city's or county's practices count for its "
            "province-level unit too (all levels: `region_rollup.csv`).", "",
            *_table(["省级行政区", "Province", "做法数 Practices", "构成 Breakdown", "做法 Practices"], rows)]


def _section_arrangements(analysis: Analysis, names: _Names) -> list[str]:
    data = analysis.data
    out = ["## 2. 联合安排 · Joint arrangements", "",
           "### 2.1 各地区采用的联合安排 · Which regions use which joint arrangements", "",
           "签名 = 参与方类型的集合；牵头 = 角色为牵头的类型；"
           "召集 = 角色为召集的类型（会同、联合、组织、协调、依托的主语）。 "
           "Signature = the set of participant kinds; lead = the kinds whose role is lead (牵头, 主导; blank where "
           "the text states no lead); convener = the kinds that bring the others in (the subject of 会同, 联合X, "
           "组织X, 协调X, 依托X).", ""]
    rows = []
    for a in sorted(data.arrangements.values(), key=lambda a: (a.region, a.id)):
        rows.append([md(names.region(a.region).zh), md(names.region(a.region).en), names.arrangement_link(a.id),
                     f"{md(names.arrangement_kind(a.kind).zh)} {md(names.arrangement_kind(a.kind).en)}",
                     names.kinds_both(a.kinds), names.kinds_both(a.lead_kinds), names.kinds_both(a.convener_kinds),
                     names.practice_link(a.practice)])
    out += _table(["地区", "Region", "安排 Arrangement", "类型 Kind", "签名 Signature", "牵头 Lead", "召集 Convener",
                   "做法 Practice"], rows)
    out += ["### 2.2 反复出现的组合 · Recurring combinations", "",
            "两个及以上类型、出现在两个及以上安排中的每一种组合。 Every combination of two or more participant "
            "kinds that occurs in two or more arrangements (support = arrangements).", ""]
    rows = [[names.kinds_zh(c.kinds), names.kinds_en(c.kinds), str(c.support), names.regions_both(c.regions),
             ", ".join(names.arrangement_link(a) for a in c.arrangements), names.practice_links(c.practices)]
            for c in analysis.combinations]
    out += _table(["组合", "Combination", "支持度 Support", "地区 Regions", "安排 Arrangements",
                   "做法 Practices"], rows)
    out += ["### 2.3 共用同一组合的地区 · Regions that share a combination", "",
            "至少两个地区共用的组合。 Combinations found in two or more regions.", ""]
    rows = [[names.kinds_zh(c.kinds), names.kinds_en(c.kinds), str(len(c.regions)), names.regions_zh(c.regions),
             names.regions_en(c.regions), names.practice_links(c.practices)]
            for c in sorted((c for c in analysis.combinations if len(c.regions) >= 2),
                            key=lambda c: (-len(c.regions), -len(c.kinds), c.kinds))]
    out += _table(["组合", "Combination", "地区数 Regions", "地区", "Regions", "做法 Practices"], rows)
    out += ["### 2.4 各类联合安排的地区 · Regions by kind of joint arrangement", ""]
    rows = []
    for kind, regions in analysis.by_arrangement_kind.items():
        arrangement_ids = [a for ids in regions.values() for a in ids]
        practices = {data.arrangements[a].practice for a in arrangement_ids}
        rows.append([md(names.arrangement_kind(kind).zh), md(names.arrangement_kind(kind).en), str(len(regions)),
                     names.regions_both(regions), names.practice_links(practices)])
    out += _table(["类型", "Kind", "地区数 Regions", "地区 Regions", "做法 Practices"], rows)
    return out


def _section_instruments(rows: list[instruments.MixRow]) -> list[str]:
    if not rows:
        return []
    whole = instruments.total(rows, "all", "all")
    out = ["## 6. 政策工具组合 · Policy instrument mix", "",
           "每条机制运用按罗斯韦尔与泽格维尔德（供给型、环境型、需求型及其子类）和胡德的 NATO（信息、权威、财政、组织）"
           "编码（编码手册 §16）。 Each mechanism use (a practice adopting, requiring, funding, promoting or "
           "monitoring a mechanism) is coded on Rothwell and Zegveld's types and sub-types and on Hood's NATO "
           f"(CODEBOOK.md §16). {whole.uses if whole else 0} uses in {whole.practices if whole else 0} practices; "
           "shares are of the group's uses; a practice counts once per row. All rows: `instrument_mix.csv`; the "
           "same figures: competency question `cq15`.", "",
           "### 6.1 全部 · The whole list", ""]
    table = [[md(r.instrument_label.zh), md(r.instrument_label.en), md(r.scheme), str(r.uses), f"{_percent(rows, r)}",
              str(r.practices)] for r in rows if r.dimension == "all" and r.scheme != "total"]
    out += _table(["工具", "Instrument", "方案 Scheme", "运用 Uses", "占比 Share", "做法 Practices"], table)
    titles = {"task": "### 6.2 按工作任务 · By work task",
              "province": "### 6.3 按省级行政区 · By province (the lead region's)",
              "level": "### 6.4 按牵头地区级别 · By the lead region's level",
              "arrangement-kind": "### 6.5 联合安排承载的工具 · Instruments the joint arrangements carry"}
    labels = {(r.scheme, r.instrument): r.instrument_label for r in rows}
    codes = [(scheme, code) for scheme, group in (("rz-type", instruments.RZ_TYPES), ("nato", instruments.NATO_CODES))
             for code in group]
    header = ["分组", "Group", "运用 Uses", "做法 Practices",
              *(f"{md(labels[key].zh)} {md(labels[key].en)}" if key in labels else md(key[1]) for key in codes)]
    for dimension, title in titles.items():
        out += [title, ""]
        if dimension == "arrangement-kind":
            out += ["按联合安排类型，统计该类安排承载的机制运用（锚定引语所在句子里由安排执行的运用）。 "
                    "Per kind of joint arrangement, the mechanism uses the arrangements of that kind carry: the "
                    "uses of their practice that they perform, in the sentence of their anchor (CODEBOOK.md "
                    "JA-11).", ""]
        table = []
        for group in instruments.groups(rows, dimension):
            cells = [_count(rows, group, scheme, code) for scheme, code in codes]
            table.append([md(group.group_label.zh), md(group.group_label.en), str(group.uses),
                          str(group.practices), *cells])
        out += _table(header, table)
    return out


def _percent(rows: list[instruments.MixRow], row: instruments.MixRow) -> str:
    return f"{instruments.share(rows, row.dimension, row.group, row.scheme, row.instrument):.0%}"


def _count(rows: list[instruments.MixRow], group: instruments.MixRow, scheme: str, code: str) -> str:
    found = instruments.cell(rows, group.dimension, group.group, scheme, code)
    return f"{found.uses} ({_percent(rows, found)})" if found else "0"


def _section_similarity(analysis: Analysis, names: _Names) -> list[str]:
    out = ["## 3. 地区相似度 · Which regions are alike", "",
           "杰卡德相似度 = 共有项 / 并集。 Jaccard similarity = shared / union, by the mechanisms the regions' "
           "practices use and by the participant kinds their joint arrangements bring together.", "",
           "### 3.1 按机制的最相近地区 · Nearest regions by mechanisms", ""]
    mechanisms = {(s.a, s.b): s for s in analysis.mechanism_similarity}
    rows = []
    for region, neighbours in analysis.nearest_by_mechanisms.items():
        cells = []
        for other, score in neighbours:
            first, second = sorted((region, other))
            shared = mechanisms[(first, second)].shared
            cells.append(f"{both(names.region(other))} {score:.2f} ({names.mechanisms_both(shared)})")
        rows.append([md(names.region(region).zh), md(names.region(region).en), "; ".join(cells)])
    out += _table(["地区", "Region", "最相近（杰卡德，共有机制） Nearest (Jaccard, shared mechanisms)"], rows)
    for title, similarities, by_kinds in (
        ("### 3.2 机制最相似的地区对 · Most alike pairs by mechanisms", analysis.mechanism_similarity, False),
        ("### 3.3 参与方类型最相似的地区对 · Most alike pairs by participant kinds", analysis.kind_similarity, True),
    ):
        label = names.kind if by_kinds else names.mechanism
        out += [title, ""]
        rows = []
        for s in similarities[:TOP_PAIRS]:
            practices = _practices_behind(analysis.data, (s.a, s.b), s.shared, by_kinds)
            rows.append([f"{md(names.region(s.a).zh)} – {md(names.region(s.b).zh)}",
                         f"{md(names.region(s.a).en)} – {md(names.region(s.b).en)}", f"{s.jaccard:.3f}",
                         f"{len(s.shared)}/{s.union}", "、".join(both(label(x)) for x in s.shared),
                         names.practice_links(practices)])
        out += _table(["地区对", "Pair", "杰卡德 Jaccard", "共有/并集 Shared/union", "共有 Shared",
                       "做法 Practices"], rows)
    out += ["### 3.4 地区群组 · Communities of regions", "",
            "在机制相似度图上的 Louvain 社区划分（固定随机种子，结果可复现）。 Louvain communities on the "
            "mechanism-similarity graph (seeded, reproducible); shared = mechanisms used by two or more members.", ""]
    rows = [[str(c.number), names.regions_zh(c.regions), names.regions_en(c.regions),
             "、".join(f"{both(names.mechanism(m))} {n}" for m, n in c.shared_mechanisms[:8])]
            for c in analysis.communities]
    out += _table(["群组 No.", "地区", "Regions", "共有机制（地区数） Shared mechanisms (regions)"], rows)
    return out


def _practices_behind(data: PracticeData, regions: Sequence[str], shared: Sequence[str], kinds: bool) -> set[str]:
    if kinds:
        return {a.practice for a in data.arrangements.values()
                if a.region in regions and set(shared) & set(a.kinds)}
    return {p for r in regions for m in shared for p in data.uses[(r, m)].practices if (r, m) in data.uses}


def _section_candidates(analysis: Analysis, names: _Names) -> list[str]:
    out = ["## 4. 可复制候选 · Candidates for replication", "",
           f"被两个及以上地区采用、而某地区尚未采用但其最相近地区已采用的机制（每个地区列前 "
           f"{CANDIDATES_PER_REGION} 项，全部见 `replication_candidates.csv`）。 Mechanisms used by two or more "
           "regions, missing in a region whose nearest regions (by mechanisms) use them; score = sum of those "
           f"neighbours' Jaccard similarities (top {CANDIDATES_PER_REGION} per region here).", ""]
    rows = []
    shown: dict[str, int] = {}
    for c in analysis.candidates:
        if shown.get(c.region, 0) >= CANDIDATES_PER_REGION:
            continue
        shown[c.region] = shown.get(c.region, 0) + 1
        using = "、".join(f"{both(names.region(n))} {s:.2f}" for n, s in c.used_by_nearest)
        evidence = "；".join(f"「{md(q.text)}」" for q in c.quotes[:2])
        rows.append([both(names.region(c.region)), md(names.mechanism(c.mechanism).zh),
                     md(names.mechanism(c.mechanism).en), f"{c.score:.2f}", str(c.regions_using), using,
                     names.practice_links(c.practices), evidence])
    out += _table(["地区 Region", "机制", "Mechanism", "得分 Score", "采用地区数 Regions using",
                   "相近地区 Nearest using", "做法 Practices", "引文 Evidence"], rows)
    return out


def _section_centrality(analysis: Analysis, names: _Names) -> list[str]:
    out = ["## 5. 中心性 · Who brokers between whom", "",
           "共同参与网络：两类参与方出现在同一联合安排中即相连，权重为安排数。 Co-participation network: two "
           "participant kinds are linked when they take part in the same joint arrangement (weight = "
           "arrangements). Betweenness is normalised; *brokers between* lists unlinked pairs whose every "
           "shortest path runs through the kind.", ""]
    rows = []
    for c in analysis.centrality:
        pairs = "; ".join(f"{both(names.kind(a))} – {both(names.kind(b))}" for a, b in c.brokers[:6])
        more = f" (+{len(c.brokers) - 6})" if len(c.brokers) > 6 else ""
        practices = {a.practice for a in analysis.data.arrangements.values() if c.kind in a.kinds}
        rows.append([md(c.label.zh), md(c.label.en), str(c.arrangements), str(c.degree), str(c.strength),
                     f"{c.betweenness:.3f}", f"{c.closeness:.3f}", pairs + more, names.practice_links(practices)])
    out += _table(["类型", "Kind", "安排 Arrangements", "度 Degree", "强度 Strength", "中介 Betweenness",
                   "接近 Closeness", "居间 Brokers between", "做法 Practices"], rows)
    return out


def _appendix(data: PracticeData, names: _Names) -> list[str]:
    out = ["## 附录 A：做法与引文 · Appendix A: practices and quotes", ""]
    for practice in sorted(data.practices.values(), key=lambda p: (p.numbers, p.id)):
        region = names.region(practice.region)
        out += [f'<a id="{anchor(practice.id)}"></a>', "",
                f"### {md(practice.ref)} · {md(region.zh)} {md(region.en)} · {md_code(practice.id)}", "",
                f"{md(practice.label.zh)}", "", f"*{md(practice.label.en)}*", ""]
        for mechanism in practice.mechanisms:
            use = data.uses.get((practice.region, mechanism))
            quotes = [q for q in use.quotes if q.practice == practice.id] if use else []
            label = names.mechanism(mechanism)
            out.append(f"- {md(label.zh)} {md(label.en)}: " + "；".join(f"「{md(q.text)}」" for q in quotes))
        out.append("")
    out += ["## 附录 B：联合安排与参与方 · Appendix B: joint arrangements and participants", ""]
    for arrangement in data.arrangements.values():
        out += _arrangement_entry(arrangement, names)
    return out


def _arrangement_entry(arrangement: Arrangement, names: _Names) -> list[str]:
    region = names.region(arrangement.region)
    out = [f'<a id="{anchor(arrangement.id)}"></a>', "",
           f"### {md(arrangement.label.zh)}", "",
           f"*{md(arrangement.label.en)}* · {md(region.zh)} {md(region.en)} · "
           f"{names.practice_link(arrangement.practice)} · {md_code(arrangement.id)}", ""]
    for p in arrangement.participants:
        role = names.data.roles.get(p.role) if p.role else None
        role_text = f" · {md(role.zh)} {md(role.en)}" if role else ""
        kind = names.kind(p.kind)
        quotes = "；".join(f"「{md(q.text)}」" for q in p.quotes)
        out.append(f"- {both(p.label)} ({md(kind.zh)} {md(kind.en)}){role_text}: {quotes}")
    return [*out, ""]


# ------------------------------------------------------------------------------------ all files
@fewer_collections()  # hundreds of thousands of objects made: artists, graphs, strings
def render_analysis(graph: GraphLike, reuse: bool = True) -> dict[str, bytes]:
    """Every analysis file, by name, rendered in memory, from a pyoxigraph Store, a
    :class:`~practice_graph.views.read.Source` (a store or a SPARQL endpoint) or an rdflib Graph.

    Each chart is read from the cache of renders when the same table was drawn before by the same
    code and libraries (with ``reuse``; see :func:`~practice_graph.views.charts.kept_charts`)."""
    from practice_graph.views import charts
    from practice_graph.views.dataset import jsonld_script

    source = as_source(graph)
    analysis = analyse(source)
    data = analysis.data
    if not data.practices:
        raise NothingToAnalyse("the graph holds no pg:Practice with a pg:leadRegion; nothing to analyse")
    network = co_participation_graph(data)
    files = csv_tables(analysis)
    mix = instruments.instrument_mix(source)
    files[INSTRUMENT_MIX] = _csv(instruments.MIX_HEADER, instruments.mix_table(mix))
    heatmap, network_table = charts.heatmap_table(data), charts.network_table(network)
    files.update(charts.kept_charts({HEATMAP: (heatmap, lambda: charts.heatmap_png(heatmap)),
                                     NETWORK: (network_table, lambda: charts.network_png(network_table))}, reuse))
    for stem, view in (("practice_graph", typed_multigraph(source)), ("co_participation", network),
                       ("region_mechanism", region_mechanism_graph(data)),
                       ("region_participant_kind", region_kind_graph(data))):
        files[f"{stem}.graphml"] = charts.graphml_bytes(view)
        files[f"{stem}.gexf"] = charts.gexf_bytes(view)
    markdown = report_markdown(analysis, [*files, REPORT, REPORT_HTML], mix)
    files[REPORT] = markdown.encode("utf-8")
    files[REPORT_HTML] = report_html(markdown, files, head=jsonld_script(source)).encode("utf-8")
    return files


# ------------------------------------------------------------------------------------ the HTML report
REPORT_STYLE = """
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif;
       max-width: 76rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.55; color: #222; }
table { border-collapse: collapse; margin: 0.5rem 0 1.5rem; font-size: 0.9rem; }
th, td { border: 1px solid #ccc; padding: 0.25rem 0.5rem; vertical-align: top; text-align: left; }
th { background: #f2f4f7; }
img { max-width: 100%; height: auto; }
code { background: #f2f4f7; padding: 0 0.2rem; }
h3 { margin-top: 1.8rem; }
"""


def report_html(markdown: str, files: dict[str, bytes], head: str = "") -> str:
    """The report as one self-contained HTML page: the charts as ``data:`` URIs, links within the page,
    labels as text (the Markdown's HTML is escaped, save the report's own anchors), and a
    Content-Security-Policy that forbids every request. ``head`` is extra markup for ``<head>``."""
    from markdown_it import MarkdownIt

    renderer = MarkdownIt("commonmark", {"html": False}).enable("table")
    body = ANCHOR_PARAGRAPH.sub(r'<a id="\1"></a>', renderer.render(markdown))
    for name, content in sorted(files.items()):
        if name.endswith(".png"):
            uri = "data:image/png;base64," + base64.b64encode(content).decode("ascii")
            body = body.replace(f'src="{html.escape(name)}"', f'src="{uri}"')
    title = markdown.splitlines()[0].lstrip("# ").strip()
    return "\n".join([
        "<!DOCTYPE html>",
        '<html lang="zh">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{REPORT_CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{html.escape(title)}</title>",
        f"<style>{REPORT_STYLE}</style>",
        *([head] if head else []),
        "</head>",
        "<body>",
        body.rstrip("\n"),
        "</body>",
        "</html>",
        "",
    ])


def write_analysis(graph: GraphLike, out_dir: Path) -> list[Path]:
    """Render the analysis of ``graph`` and write every file atomically into ``out_dir``."""
    from practice_graph.core.files import write_outputs

    return write_outputs(Path(out_dir), render_analysis(graph))
