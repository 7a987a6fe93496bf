"""Ingest a list of practices in the source's format into draft YAML for curation.

The list is a table flattened to text: header rows repeated at page breaks, work tasks numbered
一, 二 ..., measures (一), (二) ..., practices 1., 2. ... in ``<p>`` paragraphs, some in ``<b>``.
This module reads such a list (tolerating full-width punctuation, spaces inside numbers,
missing or unbalanced tags) and drafts, for curators to review:

1. the skeleton (tasks, measures, practices), the numbering deciding where a practice belongs;
2. the leading region of each practice, matched against the regions the project knows;
3. candidate entities, each with its quote and character offsets (0-based, end exclusive);
4. a report comparing the draft with the curated data.

Nothing here is curated data: every draft record carries ``draft: true`` and ``en: TODO``, which
``practice_graph.curation.load`` refuses, so a draft cannot enter ``data/`` unreviewed.
"""

from __future__ import annotations

import bisect
import hashlib
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from practice_graph.curation.source import Paragraph, Segment

DRAFT_FILES = ("skeleton.yaml", "documents.yaml", "platforms.yaml", "brands.yaml", "events.yaml",
               "names.yaml", "indicators.yaml", "bodies.yaml")
REPORT_FILE = "report.md"


class IngestError(Exception):
    """Input that cannot be drafted (empty, truncated, not a list); the message is one line."""


# --------------------------------------------------------------------------- text primitives

CN_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
CN_NUMERAL = "一二三四五六七八九十"


def chinese_number(text: str) -> int:
    """The value of a Chinese numeral up to 99 (一 1, 十 10, 十二 12, 二十三 23)."""
    if "十" not in text:
        value = 0
        for char in text:
            value = value * 10 + CN_DIGITS[char]
        return value
    tens, _, units = text.partition("十")
    return (CN_DIGITS[tens] if tens else 1) * 10 + (CN_DIGITS[units] if units else 0)


def normalize(text: str) -> str:
    """Comparison form: NFKC (full-width to half-width), no white space."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def _int_digits(text: str) -> int:
    return int(unicodedata.normalize("NFKC", text))


# Tags are tolerated in any case, with attributes, and unbalanced.
P_TAG = re.compile(r"<\s*/?\s*p(?:\s[^<>]*)?>", re.I)
ANY_TAG = re.compile(r"<\s*/?\s*(?:p|b|strong)(?:\s[^<>]*)?>", re.I)
# A practice opens with its number: "1.", "1．", "1、", possibly inside <b>; "2.5%" is no number.
PRACTICE_NUMBER = re.compile(r"\s*(?:<\s*(?:b|strong)\s*>\s*)?(\d{1,3})\s*[.．、](?![\d０-９])", re.I)
# A paragraph merged into the one before it (both tags lost): a sentence end, then a number.
MERGED_PRACTICE = re.compile(r"(?<=[。！？])\s*(?=(?:<\s*(?:b|strong)\s*>\s*)?\d{1,3}\s*[.．、](?![\d０-９]))", re.I)
TASK_HEADING = re.compile(rf"^[ \t\u3000]*([{CN_NUMERAL}]{{1,3}})(?:[、.．]|[ \t\u3000])+"
                          r"([^\t<]+?)[ \t\u3000]*(?=\t|<|$)")
MEASURE_HEADING = re.compile(rf"[(（][ \u3000]*([{CN_NUMERAL}]{{1,3}})[ \u3000]*[)）][ \u3000]*"
                             r"([^\t<]+?)[ \t\u3000]*(?=\t|<|$)")
HEADER_WORDS = {"序号", "工作任务", "主要举措", "经验做法"}
SENTENCE_END = "。！？"
CLAUSE_END = "，。；：！？,;:!?"


@dataclass(frozen=True)
class Line:
    number: int  # 1-based
    start: int
    text: str  # without the line break


def split_lines(text: str) -> list[Line]:
    """Lines with their offsets (``\\r\\n`` and ``\\n`` both end a line)."""
    lines = []
    for index, match in enumerate(re.finditer(r"[^\n]*\n?", text)):
        if not match.group(0):
            break
        lines.append(Line(index + 1, match.start(), match.group(0).rstrip("\r\n")))
    return lines


def tag_free_runs(text: str, start: int) -> list[tuple[int, str]]:
    """Pieces of ``text`` between tags, with their offsets (``start`` is the offset of ``text``)."""
    runs, position = [], 0
    for tag in ANY_TAG.finditer(text):
        if tag.start() > position:
            runs.append((start + position, text[position:tag.start()]))
        position = tag.end()
    if position < len(text):
        runs.append((start + position, text[position:]))
    return runs


def strip_tags(text: str) -> str:
    return ANY_TAG.sub("", text)


# --------------------------------------------------------------------------- reading the list


def read_list(path: Path) -> str:
    """The list's text; an empty, undecodable or cut-off file is an IngestError."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise IngestError(f"{path}: cannot read: {error.strerror or error}") from None
    if not raw.strip():
        raise IngestError(f"{path}: empty file: no list to ingest")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        if error.start >= len(raw) - 3:
            raise IngestError(f"{path}: truncated: the file ends inside a UTF-8 character "
                              f"(byte {error.start})") from None
        raise IngestError(f"{path}: not UTF-8: byte {error.start} (0x{raw[error.start]:02x})") from None
    if "\x00" in text:
        raise IngestError(f"{path}: contains NUL characters at offset {text.index(chr(0))}: not a text list")
    return text


# --------------------------------------------------------------------------- the skeleton


@dataclass(eq=False)
class DraftTask:
    number: int
    label: str
    start: int
    end: int
    line: int

    @property
    def id(self) -> str:
        return f"t-{self.number}"


@dataclass(eq=False)
class DraftMeasure:
    task: DraftTask
    number: int
    label: str
    start: int
    end: int
    line: int

    @property
    def id(self) -> str:
        return f"m-{self.task.number}-{self.number}"


@dataclass
class RegionMatch:
    """The leading region as printed and what it matched among the known regions."""

    printed: str  # e.g. 河南省固始县
    start: int
    province: str | None  # 河南省
    local: str | None  # 固始县
    region_id: str | None  # the known region, or None (a new one for curators)
    province_id: str | None
    note: str = ""


@dataclass(eq=False)
class DraftPractice:
    measure: DraftMeasure
    number: int
    paragraph: Paragraph
    line: int
    label: str = ""
    heading_quote: str = ""
    heading_start: int = 0
    region: RegionMatch | None = None

    @property
    def id(self) -> str:
        return f"p-{self.measure.task.number}-{self.measure.number}-{self.number}"


@dataclass
class Skeleton:
    title: str | None
    tasks: list[DraftTask]
    measures: list[DraftMeasure]
    practices: list[DraftPractice]
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Event:
    offset: int
    kind: str  # task | measure | segment
    line: int
    payload: Any


def _line_events(line: Line, warnings: list[str], path: str) -> Iterator[_Event]:
    """Headings and paragraph segments of one table row, in order."""
    text = line.text
    stripped = text.strip()
    if not stripped:
        return
    cells = {cell.strip() for cell in text.split("\t") if cell.strip()}
    if cells <= HEADER_WORDS:
        return  # a header row, repeated at page breaks
    if stripped.startswith("#") and not P_TAG.search(text):
        return  # the title
    position = 0
    task = TASK_HEADING.match(text)
    if task:
        start, end = line.start + task.start(2), line.start + task.end(2)
        yield _Event(start, "task", line.number, (chinese_number(task.group(1)), task.group(2).strip(), start, end))
        position = task.end()
    first_p = P_TAG.search(text, position)
    head_zone = text[position:first_p.start() if first_p else len(text)]
    measures = list(MEASURE_HEADING.finditer(head_zone))
    for measure in measures:
        start, end = line.start + position + measure.start(2), line.start + position + measure.end(2)
        yield _Event(start, "measure", line.number,
                     (chinese_number(measure.group(1)), measure.group(2).strip(), start, end))
    if measures:
        position += measures[-1].end()
    content = text[position:]
    if not task and not measures and "\t" not in text and not P_TAG.search(text):
        warnings.append(f"{path}:{line.number}: a line outside the table ignored: {stripped[:20]!r}")
        return
    yield from _segments(content, line.start + position, line.number, warnings, path)


def _segments(content: str, content_start: int, line_number: int, warnings: list[str],
              path: str) -> Iterator[_Event]:
    """Paragraph segments of a row's text: split at <p> and </p> (balanced or not) and at merged numbers."""
    opened = closed = 0
    pieces: list[tuple[int, str]] = []
    last = 0
    for tag in P_TAG.finditer(content):
        if tag.group(0).replace(" ", "").startswith("</"):
            closed += 1
        else:
            opened += 1
        pieces.append((last, content[last:tag.start()]))
        last = tag.end()
    pieces.append((last, content[last:]))
    if opened != closed:
        warnings.append(f"{path}:{line_number}: unbalanced <p> tags ({opened} opened, {closed} closed); "
                        "paragraphs split at tags and line ends")
    for offset, piece in pieces:
        for part_offset, part in _split_merged(piece):
            left = len(part) - len(part.lstrip())
            body = part.strip()
            if not body or not strip_tags(body).strip():
                continue
            start = content_start + offset + part_offset + left
            yield _Event(start, "segment", line_number, Segment(start, start + len(body), body))


def _split_merged(piece: str) -> list[tuple[int, str]]:
    cuts = [m.start() for m in MERGED_PRACTICE.finditer(piece)]
    bounds = [0, *cuts, len(piece)]
    return [(bounds[i], piece[bounds[i]:bounds[i + 1]]) for i in range(len(bounds) - 1)]


def parse_skeleton(text: str, path: str = "SOURCE") -> Skeleton:
    """Tasks, measures and practices of a list; the numbering decides where a practice belongs.

    A measure heading is pending until a practice numbered 1 opens it: a practice printed beside
    the next measure's heading (after a page break) that continues the numbering stays in its
    measure. A paragraph without a number continues the practice before it.
    """
    warnings: list[str] = []
    lines = split_lines(text)
    title = next((ln.text.lstrip("# ").strip() for ln in lines if ln.text.strip().startswith("#")), None)
    events = sorted((e for ln in lines for e in _line_events(ln, warnings, path)), key=lambda e: e.offset)

    tasks: list[DraftTask] = []
    measures: list[DraftMeasure] = []
    practices: list[DraftPractice] = []
    segments: dict[int, list[Segment]] = {}
    pending: list[DraftMeasure] = []
    current: DraftMeasure | None = None
    last_number: dict[int, int] = {}  # id(measure) -> last practice number

    for event in events:
        if event.kind == "task":
            number, label, start, end = event.payload
            expected = tasks[-1].number + 1 if tasks else 1
            if number != expected:
                warnings.append(f"{path}:{event.line}: work task {number} follows {expected - 1}")
            tasks.append(DraftTask(number, label, start, end, event.line))
        elif event.kind == "measure":
            number, label, start, end = event.payload
            if not tasks:
                raise IngestError(f"{path}:{event.line}: measure ({number}) {label} comes before any work task")
            task = tasks[-1]
            siblings = [m for m in measures if m.task is task]
            expected = siblings[-1].number + 1 if siblings else 1
            if number != expected:
                warnings.append(f"{path}:{event.line}: measure ({number}) of task {task.number} follows "
                                f"({expected - 1})")
            measure = DraftMeasure(task, number, label, start, end, event.line)
            measures.append(measure)
            pending.append(measure)
        else:
            segment: Segment = event.payload
            numbered = PRACTICE_NUMBER.match(segment.text)
            if numbered is None:
                if not practices:
                    warnings.append(f"{path}:{event.line}: text before the first practice ignored: "
                                    f"{strip_tags(segment.text)[:20]!r}")
                    continue
                segments[id(practices[-1])].append(segment)
                continue
            number = _int_digits(numbered.group(1))
            continues = current is not None and number == last_number.get(id(current), 0) + 1
            if pending and (number == 1 or not continues):
                current = pending[-1]  # the nearest heading; any before it stay empty (a warning later)
                pending.clear()
            if current is None:
                raise IngestError(f"{path}:{event.line}: practice {number} comes before any measure")
            expected = last_number.get(id(current), 0) + 1
            if number != expected:
                warnings.append(f"{path}:{event.line}: practice {number} of measure {current.id} follows "
                                f"{expected - 1}")
            last_number[id(current)] = number
            practice = DraftPractice(current, number, Paragraph(number, ()), event.line)
            practices.append(practice)
            segments[id(practice)] = [segment]

    if not tasks and not measures and not practices:
        raise IngestError(f"{path}: no work task, measure or practice found: not a list in the expected format")
    for practice in practices:
        practice.paragraph = Paragraph(practice.number, tuple(segments[id(practice)]))
        _fill_heading(practice)
    _check_complete(text, tasks, measures, practices, pending, path, warnings)
    return Skeleton(title, tasks, measures, practices, warnings)


def _fill_heading(practice: DraftPractice) -> None:
    """The heading sentence: label without markup, quote the longest tag-free run of it."""
    first = practice.paragraph.segments[0]
    numbered = PRACTICE_NUMBER.match(first.text)
    assert numbered is not None
    body_start = numbered.end()
    ends = [i for i in (first.text.find(mark, body_start) for mark in SENTENCE_END) if i >= 0]
    heading_end = min(ends) if ends else len(first.text)
    raw = first.text[body_start:heading_end]
    practice.label = strip_tags(raw).strip()
    runs = tag_free_runs(raw, first.start + body_start)
    best_offset, best = max(runs, key=lambda item: len(item[1].strip())) if runs else (first.start, "")
    lead = len(best) - len(best.lstrip())
    practice.heading_quote = best.strip()
    practice.heading_start = best_offset + lead


def _check_complete(text: str, tasks: list[DraftTask], measures: list[DraftMeasure],
                    practices: list[DraftPractice], pending: list[DraftMeasure], path: str,
                    warnings: list[str]) -> None:
    """A file cut short ends inside a sentence, or after a heading with nothing under it."""
    line_of = _line_finder(text)
    if not practices:
        raise IngestError(f"{path}: no practice paragraph found (truncated, or not a list in the expected format)")
    if pending:
        last = pending[-1]
        raise IngestError(f"{path}:{last.line}: truncated: measure ({last.number}) {last.label} has no practice")
    if tasks and tasks[-1] not in {m.task for m in measures}:
        raise IngestError(f"{path}:{tasks[-1].line}: truncated: work task {tasks[-1].number} has no measure")
    last_segment = practices[-1].paragraph.segments[-1]
    tail = strip_tags(last_segment.text).rstrip()
    if not tail.endswith(tuple(SENTENCE_END + "”）)")):
        raise IngestError(f"{path}:{line_of(last_segment.end)}: truncated: the last practice ends mid-sentence "
                          f"({tail[-12:]!r})")
    for measure in measures:
        if not any(p.measure is measure for p in practices) and measure not in pending:
            warnings.append(f"{path}:{measure.line}: measure {measure.id} has no practice")


def _line_finder(text: str) -> Callable[[int], int]:
    breaks = [m.start() for m in re.finditer("\n", text)]

    def line_of(offset: int) -> int:
        return bisect.bisect_left(breaks, offset) + 1

    return line_of


# --------------------------------------------------------------------------- leading regions

PROVINCE_PATTERN = re.compile(r"^(?:北京市|天津市|上海市|重庆市|[\u4e00-\u9fff]{2,3}省|[\u4e00-\u9fff]{2,6}?自治区"
                              r"|[\u4e00-\u9fff]{2,3}特别行政区)")
LOCAL_PATTERN = re.compile(r"^[\u4e00-\u9fff]{1,6}?(?:自治州|自治县|自治旗|地区|市|县|区|州|盟|旗)")


@dataclass(frozen=True)
class KnownRegion:
    id: str
    label: str
    level: str
    parent: str | None


def known_regions(dataset: Any) -> dict[str, KnownRegion]:
    """The project's regions by id (from ``data/regions.yaml``)."""
    from practice_graph.curation.load import Region

    return {r.id: KnownRegion(r.id, r.label.zh, r.level, r.parent) for r in dataset.of(Region)}


def _ancestors(region_id: str, regions: dict[str, KnownRegion]) -> list[str]:
    chain, current = [], regions.get(region_id)
    while current is not None and current.parent is not None and current.parent not in chain:
        chain.append(current.parent)
        current = regions.get(current.parent)
    return chain


def leading_region(label: str, start: int, regions: dict[str, KnownRegion]) -> RegionMatch | None:
    """Split the region a practice's heading opens with (河南省固始县: 固始县 in 河南省) and match it."""
    by_label: dict[str, list[KnownRegion]] = {}
    for region in regions.values():
        by_label.setdefault(region.label, []).append(region)
    names = sorted(by_label, key=len, reverse=True)

    province = province_id = None
    rest = label
    known_province = next((n for n in names if label.startswith(n)
                           and any(r.level == "province" for r in by_label[n])), None)
    if known_province:
        province = known_province
        province_id = next(r.id for r in by_label[province] if r.level == "province")
    else:
        pattern = PROVINCE_PATTERN.match(label)
        if pattern:
            province = pattern.group(0)
    if province:
        rest = label[len(province):]

    local = local_id = None
    note = ""
    # a local name: after the province, or opening the heading (only a 市 then: 深圳市 ...)
    for name in names:
        if not rest.startswith(name):
            continue
        candidates = [r for r in by_label[name] if r.level != "province"]
        if province_id:
            candidates = [r for r in candidates if province_id in _ancestors(r.id, regions)]
        if candidates:
            local, local_id = name, candidates[0].id
            if len(candidates) > 1:
                note = f"{name} is ambiguous: {', '.join(sorted(r.id for r in candidates))}"
            break
    if local is None:
        pattern = LOCAL_PATTERN.match(rest)
        if pattern and (province or pattern.group(0).endswith("市")):
            local = pattern.group(0)
            note = f"{local} is not among the known regions"
    if province is None and local is None:
        return None
    if province and not province_id and not local:
        note = f"{province} is not among the known regions"
    region_id = local_id if local else province_id  # None: a region new to the project
    return RegionMatch((province or "") + (local or ""), start, province, local, region_id, province_id, note)


def attach_regions(skeleton: Skeleton, regions: dict[str, KnownRegion]) -> None:
    """Find every practice's leading region; a practice without one is a warning."""
    for practice in skeleton.practices:
        first = practice.paragraph.segments[0]
        numbered = PRACTICE_NUMBER.match(first.text)
        assert numbered is not None
        # offset of the label's first character in the source (skip tags and spaces)
        offset = first.start + numbered.end()
        for run_start, run in tag_free_runs(first.text[numbered.end():], offset):
            if run.strip():
                offset = run_start + len(run) - len(run.lstrip())
                break
        practice.region = leading_region(practice.label, offset, regions)
        if practice.region is None:
            skeleton.warnings.append(f"{practice.id}: no leading region found in {practice.label[:12]!r}")


# --------------------------------------------------------------------------- candidates


@dataclass
class Candidate:
    """A candidate entity: what was found, where, and what it matched in the curated data."""

    kind: str  # document | document-number | platform | brand | event | name | figure | body
    text: str  # as printed, an exact substring of the source
    start: int
    end: int
    practice: str
    quote: str  # the clause holding it (markup-free)
    method: str  # which rule found it
    fields: dict[str, Any] = field(default_factory=dict)
    matches: list[str] = field(default_factory=list)  # curated ids
    status: str = "new"  # new | matches | differs
    detail: str = ""


@dataclass(frozen=True)
class Run:
    """A markup-free stretch of a practice's text."""

    practice: str
    region: str | None
    start: int
    text: str


def practice_runs(skeleton: Skeleton) -> list[Run]:
    """The markup-free stretches of every practice, after its number."""
    runs = []
    for practice in skeleton.practices:
        region = practice.region.region_id if practice.region else None
        for index, segment in enumerate(practice.paragraph.segments):
            text, start = segment.text, segment.start
            if index == 0:
                numbered = PRACTICE_NUMBER.match(text)
                assert numbered is not None
                text, start = text[numbered.end():], start + numbered.end()
            for run_start, run in tag_free_runs(text, start):
                if run.strip():
                    runs.append(Run(practice.id, region, run_start, run))
    return runs


def clause(run: Run, start: int, end: int) -> str:
    """The clause of ``run`` around [start, end) (absolute offsets), whole quoted names kept."""
    text, base = run.text, run.start
    left = start - base
    while left > 0 and text[left - 1] not in CLAUSE_END:
        left -= 1
    right = end - base
    while right < len(text) and text[right] not in CLAUSE_END:
        right += 1
    return text[left:right].strip()


MASK = "\x01"  # stands for masked characters (quoted names, dates ...): offsets stay the same


def _mask(text: str, spans: Iterable[tuple[int, int]]) -> str:
    chars = list(text)
    for start, end in spans:
        for i in range(max(start, 0), min(end, len(chars))):
            chars[i] = MASK
    return "".join(chars)


QUOTED = re.compile(r"“([^“”\n]{1,40})”|\"([^\"\n]{1,40})\"|「([^「」\n]{1,40})」|『([^『』\n]{1,40})』")
TITLE = re.compile(r"《([^《》\n]{1,80})》|〈([^〈〉\n]{1,80})〉")
DOC_NUMBER = re.compile(r"([\u4e00-\u9fffA-Za-z]{1,12})[ \u3000]*[〔\[(（【［][ \u3000]*(\d{4})[ \u3000]*[〕\])）】］]"
                        r"[ \u3000]*第?[ \u3000]*(\d{1,4})[ \u3000]*号")
DOCUMENT_SUFFIX = ("方案|办法|意见|通知|规定|条例|细则|政策|措施|规划|标准|制度|目录|清单|指引|指南|决定|名录|名册"
                   "|协议|备忘录")
ISSUED_DOCUMENT = re.compile(rf"(?:印发|出台|制定|发布|颁布|出台了|印发了|制定了|签订|签署|纳入)(?!《)"
                             rf"([^，。；、《》“”\s]{{2,40}}?(?:{DOCUMENT_SUFFIX}))")
HONOUR = re.compile(r"(?:被评为|评为|授予|被命名为|命名为)(?![“\"「])([^，。；、“”\s]{2,30}?)(?=[，。；]|称号|$)"
                    r"|获得([^，。；、“”\s]{2,20}?)(?:评定|称号)")
PLATFORM_SUFFIX = re.compile(r"平台|系统|数据库|库|模块|App|APP|app|小程序|处理中心|培训中心|数据中心")
BODY_SUFFIX = re.compile(r"厅|局|委员会|委|部门|协会|学院|学校|法院|中院|高院|工会|工作站|工作室|服务中心"
                         r"|基地|产业园|服务园|机构|领导小组|办公室|公司|集团")
BODY_END = re.compile(f"(?:{BODY_SUFFIX.pattern})$")
CHUNK_BOUNDARY = re.compile(
    r"[，。、；：！？“”‘’《》〈〉「」『』,.;:!?\x01]|上传至|通过|利用|依托|基于|开发|建立|构建|搭建|打造|推动|推进|完善|深化|纳入"
    r"|对接|实现|增加|成立|设立|引入|联合|会同|组织|协调|积极|开展|实行|落实|获取|同步|形成|作为|以及|与|和|及|或|的|在|将|把"
    r"|印发|出台|制定|发布|经|指导|发挥|取得|申请|入驻|鼓励|组建|大力|支持|已有|共有|探索|参照|持续|举办|对|向|至|于|为|由|从|等|并|以|了"
    r"|\d+[ \u3000]*(?:个|家|名|所|项)?")
NAME_AFTER = re.compile(r"^(?:”“[^“”]{1,40})*”[ \u3000]*(等)?([\u4e00-\u9fffA-Za-z]{0,8})")
PLATFORM_HINT = re.compile(r"^(?:平台|软件|App|APP|系统|服务|数字应用场景|应用场景|小程序|为数据基础|码)")
BRAND_HINT = re.compile(r"^(?:特色劳务品牌|劳务品牌|品牌|称号|建筑劳务队伍|评选|奖章)")
EVENT_HINT = re.compile(r"^(?:活动|行动|大赛|竞赛|计划|试点|培训|座谈会|夏令营)")
EVENT_AFTER_NAME = re.compile(r"”([\u4e00-\u9fff+]{0,12}(?:大赛|竞赛|评选活动|活动|行动|计划|试点|专题培训|培训))")
EVENT_SUFFIX = re.compile(r"试点|活动|职业技能培训|专题培训|人才培训|培训班|大赛|竞赛|比赛|计划|行动|夏令营|慰问|比武"
                          r"|座谈会|约谈会|交流会|现场会|推进会")
BRAND_BEFORE = re.compile(r"(?:评为|授予|命名为|评选|推荐)[“\"「]$")
PLATFORM_NAME = re.compile(r"(?:平台|系统|App|APP|码|软件|宝|通|在线)$")
BRAND_NAME = re.compile(r"(?:工匠|能手|奖章|建工|道桥|品牌)$")
EVENT_NAME = re.compile(r"(?:大赛|竞赛|活动|行动|计划|试点|夏令营|慰问|体检|座谈会)$")

DATE = re.compile(r"(?P<pre>截至|截止到?|自|到)?[ \u3000]*(?P<year>(?:19|20)\d{2})[ \u3000]*年"
                  r"(?:[ \u3000]*(?P<month>\d{1,2})[ \u3000]*月(?:[ \u3000]*(?P<day>\d{1,2})[ \u3000]*日)?)?"
                  r"(?P<post>[ \u3000]*(?:底|末|以来|开始|起))?")
NUM = r"\d+(?:[ \u3000]*[.．][ \u3000]*\d+)?"
UNIT = (r"万人次|人次|万元|亿元|元|万人|人|名|个|项|家|场|次|份|期|天|年|月|分|级|方|大类|类|所|批|位|户|件|套|条|台"
        r"|处|支|种|门|节|倍|小时|周|岁|平方米|米|吨|公里|亩|[%％]")
FIGURE = re.compile(
    rf"(?P<pre>(?:每|超过|超|近|约|前|第|共)[ \u3000]*)?(?P<num>{NUM})(?:[ \u3000]*(?P<pct1>[%％]))?"
    rf"(?:[ \u3000]*(?:—|–|-|~|～|至|到)[ \u3000]*(?P<num2>{NUM}))?"
    r"(?:[ \u3000]*(?P<more1>余|多))?(?:[ \u3000]*(?P<scale>万|亿|千))?(?:[ \u3000]*(?P<more2>余|多))?"
    rf"(?:[ \u3000]*(?P<unit>{UNIT}))?(?P<post>[ \u3000]*(?:及以上|以上|以下|左右))?")
CN_FIGURE = re.compile(r"(?P<pre>每)?(?P<cn>[两二三四五六七八九十]{1,3})"
                       r"(?P<unit>大[\u4e00-\u9fff]{1,2}|个|项|级|方|场|家|名|年|类|批|位|期|种|次)")
NOT_A_BODY_AFTER = {"领域", "行业", "补贴", "资金", "经费", "政策", "工作", "建设", "监管", "主管"}
SCALE = {"万": Decimal(10000), "亿": Decimal(100000000), "千": Decimal(1000)}
# the word after a figure -> its qualifier (values of the model's IndicatorQualifier enum)
QUALIFIER_AFTER = {"及以上": "at-least", "以上": "at-least", "以下": "at-most", "左右": "approximate"}


def _quoted_spans(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in QUOTED.finditer(text)]


def _chunks(text: str) -> Iterator[tuple[int, int]]:
    position = 0
    for boundary in CHUNK_BOUNDARY.finditer(text):
        if boundary.start() > position:
            yield position, boundary.start()
        position = boundary.end()
    if position < len(text):
        yield position, len(text)


def _suffix_phrases(text: str, suffix: re.Pattern[str]) -> Iterator[tuple[int, int]]:
    """Noun phrases ending in ``suffix``: a chunk between boundaries, cut after its last suffix."""
    for start, end in _chunks(text):
        chunk = text[start:end]
        ends = [m.end() for m in suffix.finditer(chunk)]
        if not ends:
            continue
        phrase_end = max(ends)
        lead = len(chunk) - len(chunk.lstrip())
        bare = suffix.fullmatch(chunk[lead:phrase_end]) is not None
        if bare and start > 0 and text[start - 1] == MASK:
            continue  # “云建宝”平台: the word after a quoted name, which is the candidate
        yield start + lead, start + phrase_end


def _add(found: list[Candidate], run: Run, kind: str, start: int, end: int, method: str,
         **fields: Any) -> Candidate:
    absolute = run.start + start, run.start + end
    candidate = Candidate(kind, run.text[start:end], absolute[0], absolute[1], run.practice,
                          clause(run, *absolute), method, dict(fields))
    found.append(candidate)
    return candidate


def _number(text: str) -> Decimal:
    return Decimal(normalize(text).replace("．", "."))


def find_documents(run: Run) -> list[Candidate]:
    found: list[Candidate] = []
    text = run.text
    numbers = list(DOC_NUMBER.finditer(text))
    titles = list(TITLE.finditer(text))
    from practice_graph.curation.load import normalize_document_number

    attached: set[int] = set()
    for title in titles:
        group = 1 if title.group(1) is not None else 2
        doc = _add(found, run, "document", title.start(group), title.end(group), "title-marks")
        for number in numbers:
            if number.start() >= title.end() and re.match(r"^[ \u3000]*[（(]?[ \u3000]*$",
                                                          text[title.end():number.start()]) is not None:
                doc.fields["number"] = number.group(0)
                doc.fields["number_normalized"] = normalize_document_number(number.group(0))
                attached.add(number.start())
                break
    for issued in ISSUED_DOCUMENT.finditer(text):
        _add(found, run, "document", issued.start(1), issued.end(1), "issuing-verb")
    for number in numbers:
        _add(found, run, "document-number", number.start(), number.end(), "document-number",
             number=number.group(0), number_normalized=normalize_document_number(number.group(0)),
             year=int(number.group(2)), attached=number.start() in attached)
    return found


def find_names(run: Run) -> list[Candidate]:
    """Names in quotation marks, classified by their neighbours; events named around a quote."""
    found: list[Candidate] = []
    text = run.text
    for match in QUOTED.finditer(text):
        group = next(i for i in range(1, 5) if match.group(i) is not None)
        name = match.group(group)
        after = NAME_AFTER.match(text[match.end() - 1:])
        following = after.group(2) if after else ""
        before = text[max(0, match.start() - 3):match.start() + 1]
        if PLATFORM_HINT.match(following) or PLATFORM_NAME.search(name):
            kind = "platform"
        elif BRAND_HINT.match(following) or BRAND_BEFORE.search(before) or BRAND_NAME.search(name):
            kind = "brand"
        elif EVENT_HINT.match(following) or EVENT_NAME.search(name):
            kind = "event"
        else:
            kind = "name"
        _add(found, run, kind, match.start(group), match.end(group), "quotation-marks")
    for event in EVENT_AFTER_NAME.finditer(text):
        opening = text.rfind("“", 0, event.start())
        if opening >= 0 and event.group(1):
            _add(found, run, "event", opening, event.end(), "quoted-name-and-event-word")
    for honour in HONOUR.finditer(text):
        group = 1 if honour.group(1) else 2
        _add(found, run, "brand", honour.start(group), honour.end(group), "honour-verb")
    return found


def find_by_suffix(run: Run, suffix: re.Pattern[str], kind: str) -> list[Candidate]:
    """Names of one kind found by their last word (平台, 系统 ...; 试点, 活动, 大赛 ...), outside quotation marks."""
    found: list[Candidate] = []
    masked = _mask(run.text, _quoted_spans(run.text))
    for start, end in _suffix_phrases(masked, suffix):
        _add(found, run, kind, start, end, f"{kind}-suffix")
    return found


def find_bodies(run: Run, gazetteer: Gazetteer) -> list[Candidate]:
    found: list[Candidate] = []
    text = run.text
    taken: list[tuple[int, int]] = []
    for start, end, term in gazetteer.scan(text):
        ids, near = gazetteer.ids_for(term, run.region)
        _add(found, run, "body", start, end, "gazetteer", kinds=sorted({gazetteer.kinds[i] for i in ids}),
             gazetteer_ids=ids, in_region=near)
        taken.append((start, end))
    masked = _mask(text, _quoted_spans(text))
    for start, end in _suffix_phrases(masked, BODY_SUFFIX):
        if any(start < e and s < end for s, e in taken):
            continue
        _add(found, run, "body", start, end, "body-suffix")
    return found


@dataclass(frozen=True)
class DateMention:
    start: int
    end: int
    core_end: int  # end of the year/month/day (without 底, 以来 ...)
    core_start: int
    year: int
    month: int | None
    day: int | None
    pre: str
    post: str

    def as_of(self) -> str:
        if self.post in {"底", "末"}:
            return f"{self.year}-12-31"
        if self.month and self.day:
            return f"{self.year}-{self.month:02d}-{self.day:02d}"
        return str(self.year)


def find_figures(run: Run, masked_spans: list[tuple[int, int]]) -> list[Candidate]:
    """Figures with units (spaces inside kept), with the as-of date of their sentence.

    Numerals inside quotation marks, titles and document numbers belong to a name, not a figure.
    """
    found: list[Candidate] = []
    text = run.text
    dates = []
    for match in DATE.finditer(text):
        core_start = match.start("year")
        core_end = max(e for e in (match.end("year") + text[match.end("year"):].find("年") + 1,
                                   match.end("month") + 1 if match.group("month") else -1,
                                   match.end("day") + 1 if match.group("day") else -1))
        dates.append(DateMention(match.start(), match.end(), core_end, core_start, int(match.group("year")),
                                 int(match.group("month")) if match.group("month") else None,
                                 int(match.group("day")) if match.group("day") else None,
                                 match.group("pre") or "", (match.group("post") or "").strip()))
    titles = [(m.start(), m.end()) for m in TITLE.finditer(text)]
    masked = _mask(text, [*masked_spans, *_quoted_spans(text), *titles, *((d.start, d.end) for d in dates)])
    figures: list[Candidate] = []
    for match in FIGURE.finditer(masked):
        if not (match.group("unit") or match.group("scale") or match.group("pct1")):
            continue
        if match.start() > 0 and re.match(r"[A-Za-z]", masked[match.start() - 1]):
            continue
        value = _number(match.group("num"))
        scale = SCALE.get(match.group("scale") or "")
        fields: dict[str, Any] = {"value": value * scale if scale else value}
        if match.group("num2"):
            fields["value_max"] = _number(match.group("num2")) * scale if scale else _number(match.group("num2"))
        if scale:
            fields["scale"] = scale
        unit = match.group("unit") or match.group("pct1") or ""
        fields["unit"] = "%" if unit in {"%", "％"} else unit
        more = match.group("more1") or match.group("more2") or (match.group("pre") or "").strip() in {"超", "超过"}
        post = (match.group("post") or "").strip()
        if more:
            fields["qualifier"] = "more-than"
        elif post:
            fields["qualifier"] = QUALIFIER_AFTER[post]
        figures.append(_add(found, run, "figure", match.start(), match.end(), "figure-with-unit", **fields))
    for match in CN_FIGURE.finditer(masked):
        if match.start() > 0 and masked[match.start() - 1] in "第一二三四五六七八九十百千万两":
            continue
        value = Decimal(chinese_number(match.group("cn").replace("两", "二")))
        figures.append(_add(found, run, "figure", match.start(), match.end(), "chinese-numeral-count",
                            value=value, unit=match.group("unit")[0] if match.group("unit")[0] != "大"
                            else match.group("unit")[1:]))
    figures.sort(key=lambda c: c.start)
    # each date gives the as-of of the figures after it in its sentence; alone, it is a figure
    for date in dates:
        sentence_end = len(text)
        for mark in "。；":
            index = text.find(mark, date.end)
            if index >= 0:
                sentence_end = min(sentence_end, index)
        later = [d.start for d in dates if d.start > date.start]
        limit = min([sentence_end, *later])
        covered = [f for f in figures if date.end <= f.start - run.start < limit]
        verbatim = text[date.start:date.end].strip()
        for figure in covered:
            if date.post == "以来" or date.pre == "自":
                figure.fields["period_start"] = str(date.year)
            else:
                figure.fields["as_of"] = date.as_of()
                figure.fields["as_of_verbatim"] = verbatim
        if not covered or date.month or date.pre == "自":
            found.append(Candidate("figure", text[date.core_start:date.core_end], run.start + date.core_start,
                                   run.start + date.core_end, run.practice,
                                   clause(run, run.start + date.core_start, run.start + date.core_end),
                                   "date-as-fact", {"value": Decimal(date.year), "unit": "年"}))
    return found


class Gazetteer:
    """Names of bodies taken from the curated agencies and organisations."""

    def __init__(self, dataset: Any) -> None:
        from practice_graph.curation.load import Agency, Organization

        self.terms: dict[str, list[str]] = {}
        self.kinds: dict[str, str] = {}
        self.regions: dict[str, str | None] = {}
        for cls, kind in ((Agency, "agency"), (Organization, "organization")):
            for record in dataset.of(cls):
                names = {record.label.zh}
                full = getattr(record, "full_name", None)
                if full is not None and full.zh:
                    names.add(full.zh)
                for name in names:
                    self.terms.setdefault(name, []).append(record.id)
                self.kinds[record.id] = kind
                self.regions[record.id] = record.region
        self.ordered = sorted(self.terms, key=lambda t: (-len(t), t))
        self.known = known_regions(dataset)

    def scan(self, text: str) -> Iterator[tuple[int, int, str]]:
        """Longest non-overlapping occurrences; a bare short term must stand in a list or end a clause."""
        hits = []
        for term in self.ordered:
            for match in re.finditer(re.escape(term), text):
                start, end = match.span()
                if not BODY_END.search(term):
                    following = text[end:end + 2]
                    if len(term) <= 4 and following and following[0] not in "、，。；和及与等":
                        continue
                    if following in NOT_A_BODY_AFTER:
                        continue
                hits.append((start, end, term))
        hits.sort(key=lambda h: (h[0], -(h[1] - h[0])))
        last_start = last_end = -1
        for start, end, term in hits:
            if start >= last_end:
                yield start, end, term
                last_start, last_end = start, end
            elif start == last_start and BODY_END.search(term) and len(term) >= 4:
                yield start, end, term  # a body whose name opens a longer body's name

    def ids_for(self, term: str, region: str | None) -> tuple[list[str], bool]:
        """The curated bodies with this name, narrowed to the practice's region; False: none is there."""
        ids = sorted(set(self.terms[term]))
        if region is None:
            return ids, True
        lineage = {region, *_ancestors(region, self.known)}
        near = [i for i in ids if self.regions.get(i) in lineage or self.regions.get(i) is None]
        return (near, True) if near else (ids, False)


def find_candidates(skeleton: Skeleton, gazetteer: Gazetteer) -> list[Candidate]:
    """Every candidate entity of every practice, in document order."""
    found: list[Candidate] = []
    for run in practice_runs(skeleton):
        documents = find_documents(run)
        numbers = [(c.start - run.start, c.end - run.start) for c in documents if c.kind == "document-number"]
        found += documents
        found += find_names(run)
        found += find_by_suffix(run, PLATFORM_SUFFIX, "platform")
        found += find_by_suffix(run, EVENT_SUFFIX, "event")
        found += find_bodies(run, gazetteer)
        found += find_figures(run, numbers)
    unique: dict[tuple[str, int, int], Candidate] = {}
    for candidate in found:
        unique.setdefault((candidate.kind, candidate.start, candidate.end), candidate)
    return sorted(unique.values(), key=lambda c: (c.start, c.end, c.kind))


# --------------------------------------------------------------------------- comparing with curated data

QUOTE_MARKS = "“”\"「」『』"
NAME_KINDS = {"platform": "Platform", "brand": "Brand", "event": "Event"}


def key(text: str) -> str:
    """Comparison key of a name: normalised, without quotation marks around the whole."""
    text = normalize(text)
    if len(text) > 2 and text[0] in QUOTE_MARKS and text[-1] in QUOTE_MARKS and text.count("“") <= 1:
        text = text[1:-1]
    return text


@dataclass
class CuratedEntity:
    """A curated record a candidate can be compared with."""

    kind: str  # document | document-number | platform | brand | event | figure | body
    id: str
    key: str
    practices: tuple[str, ...]
    spans: tuple[tuple[int, int], ...] = ()  # figures: where the verbatim stands (same source only)
    findable: bool = True  # False: an implied body the text leaves unnamed


def curated_entities(dataset: Any) -> list[CuratedEntity]:
    """The curated records of every candidate kind, with their keys and practices."""
    from practice_graph.curation.load import (
        Agency,
        Brand,
        Event,
        Indicator,
        Organization,
        Platform,
        PolicyDocument,
    )

    practice_paragraph = _curated_paragraphs(dataset)
    entities: list[CuratedEntity] = []

    def practices_of(record: Any) -> tuple[str, ...]:
        return tuple(sorted({e.practice for e in record.evidence if e.practice}))

    for cls, kind in ((PolicyDocument, "document"), (Platform, "platform"), (Brand, "brand"), (Event, "event"),
                      (Agency, "body"), (Organization, "body")):
        for record in dataset.of(cls):
            findable = not getattr(record, "implied", False)
            entities.append(CuratedEntity(kind, record.id, key(record.label.zh), practices_of(record),
                                          findable=findable))
            if kind == "document" and record.number_normalized:
                entities.append(CuratedEntity("document-number", record.id, normalize(record.number_normalized),
                                              practices_of(record)))
    for record in dataset.of(Indicator):
        spans = []
        for evidence in record.evidence:
            paragraph = practice_paragraph.get(evidence.practice or "")
            located = paragraph.find(evidence.quote) if paragraph else None
            if located:
                inner = evidence.quote.find(record.verbatim)
                if inner >= 0:
                    spans.append((located[0] + inner, located[0] + inner + len(record.verbatim)))
        entities.append(CuratedEntity("figure", record.id, normalize(record.verbatim), practices_of(record),
                                      tuple(spans)))
    return entities


def _curated_paragraphs(dataset: Any) -> dict[str, Paragraph]:
    from practice_graph.curation.load import Practice

    practices = dataset.of(Practice)
    if len(practices) != len(dataset.source.paragraphs):
        return {}
    order = sorted(practices, key=lambda p: tuple(int(x) for x in p.id.split("-")[1:]))
    return {p.id: paragraph for p, paragraph in zip(order, dataset.source.paragraphs, strict=True)}


CANDIDATE_FAMILY = {"document": {"document"}, "document-number": {"document-number"}, "figure": {"figure"},
                    "body": {"body"}, "platform": {"platform", "brand", "event", "name"},
                    "brand": {"platform", "brand", "event", "name"}, "event": {"platform", "brand", "event", "name"}}


def compare_candidates(candidates: list[Candidate], entities: list[CuratedEntity], same_source: bool) -> None:
    """Set each candidate's status: matches (a curated record of its kind), differs, or new."""
    by_key: dict[str, list[CuratedEntity]] = {}
    for entity in entities:
        by_key.setdefault(entity.key, []).append(entity)
    figures = [e for e in entities if e.kind == "figure"]
    for candidate in candidates:
        candidate.matches, candidate.status, candidate.detail = [], "new", ""
        if candidate.kind == "figure":
            if not same_source:
                continue
            overlapping = [e for e in figures if candidate.practice in e.practices
                           and any(s < candidate.end and candidate.start < t for s, t in e.spans)]
            if overlapping:
                candidate.matches = sorted(e.id for e in overlapping)
                exact = [e for e in overlapping if e.key == normalize(candidate.text)]
                candidate.status = "matches" if exact else "differs"
                if not exact:
                    candidate.detail = "curated verbatim: " + ", ".join(sorted(e.key for e in overlapping))
            continue
        if candidate.kind == "document-number":
            lookup = normalize(candidate.fields["number_normalized"])
        else:
            lookup = key(candidate.text)
        known = [e for e in by_key.get(lookup, []) if candidate.kind in CANDIDATE_FAMILY[e.kind]]
        if same_source:  # the same list: a match must be in the candidate's practice
            known = [e for e in known if candidate.practice in e.practices or not e.practices]
        elif candidate.kind == "body" and candidate.fields.get("gazetteer_ids"):
            if not candidate.fields.get("in_region"):
                candidate.detail = "a body of this name is curated elsewhere: " + ", ".join(
                    candidate.fields["gazetteer_ids"])
                continue
            known = [e for e in known if e.id in candidate.fields["gazetteer_ids"]]
        if not known:
            continue
        candidate.matches = sorted({e.id for e in known})
        same_kind = [e for e in known if e.kind == candidate.kind]
        if same_kind or candidate.kind == "name":
            candidate.status = "matches"
            if candidate.kind == "name":
                candidate.detail = "curated as " + ", ".join(sorted({e.kind for e in known}))
        else:
            candidate.status = "differs"
            candidate.detail = "curated as " + ", ".join(sorted({e.kind for e in known}))
        if candidate.kind == "document" and "number_normalized" in candidate.fields:
            numbers = {e.key for e in entities if e.kind == "document-number" and e.id in candidate.matches}
            if numbers and normalize(candidate.fields["number_normalized"]) not in numbers:
                candidate.status = "differs"
                candidate.detail = "curated number: " + ", ".join(sorted(numbers))


@dataclass
class Recall:
    kind: str
    total: int
    found: int
    exact: int
    missed: list[str]

    @property
    def rate(self) -> float:
        return self.found / self.total if self.total else 1.0


RECALL_KINDS = ("document", "document-number", "platform", "brand", "event", "figure", "body")


def candidate_recall(candidates: list[Candidate], entities: list[CuratedEntity]) -> dict[str, Recall]:
    """Per kind: how many curated records some candidate found, in one of their practices.

    Names are found whatever kind the candidate was guessed as; a figure is found when a candidate
    overlaps where its verbatim stands (``exact``: the candidate's text is the verbatim).
    """
    by_practice: dict[str, list[Candidate]] = {}
    for candidate in candidates:
        by_practice.setdefault(candidate.practice, []).append(candidate)
    results: dict[str, Recall] = {}
    for kind in RECALL_KINDS:
        wanted = [e for e in entities if e.kind == kind and e.findable]
        found = exact = 0
        missed = []
        for entity in wanted:
            pool = [c for p in entity.practices for c in by_practice.get(p, []) if c.kind in CANDIDATE_FAMILY[kind]]
            if kind == "figure":
                hits = [c for c in pool if any(s < c.end and c.start < t for s, t in entity.spans)]
                strict = [c for c in hits if normalize(c.text) == entity.key]
            elif kind == "document-number":
                hits = strict = [c for c in pool if normalize(c.fields["number_normalized"]) == entity.key]
            else:
                hits = strict = [c for c in pool if key(c.text) == entity.key]
            found += bool(hits)
            exact += bool(strict)
            if not hits:
                missed.append(entity.id)
        results[kind] = Recall(kind, len(wanted), found, exact, missed)
    return results


@dataclass
class SkeletonDiff:
    id: str
    status: str  # matches | differs | new | missing
    detail: str = ""


def compare_skeleton(skeleton: Skeleton, dataset: Any) -> list[SkeletonDiff]:
    """Each draft task, measure and practice against the curated one with the same id."""
    from practice_graph.curation.load import Measure, Practice, WorkTask

    curated = {r.id: r for cls in (WorkTask, Measure, Practice) for r in dataset.of(cls)}
    diffs: list[SkeletonDiff] = []
    drafted: list[tuple[str, dict[str, Any]]] = []
    for task in skeleton.tasks:
        drafted.append((task.id, {"number": task.number, "label": task.label, "quote": task.label}))
    for measure in skeleton.measures:
        drafted.append((measure.id, {"number": measure.number, "label": measure.label, "task": measure.task.id,
                                     "quote": measure.label}))
    for practice in skeleton.practices:
        drafted.append((practice.id, {"number": practice.number, "label": practice.label,
                                      "measure": practice.measure.id, "quote": practice.heading_quote,
                                      "region": practice.region.region_id if practice.region else None}))
    for record_id, fields in drafted:
        record = curated.get(record_id)
        if record is None:
            diffs.append(SkeletonDiff(record_id, "new"))
            continue
        theirs = {"number": record.number, "label": record.label.zh,
                  "quote": record.evidence[0].quote if record.evidence else None}
        for name in ("task", "measure", "region"):
            if hasattr(record, name):
                theirs[name] = getattr(record, name)
        different = [f"{name}: draft {fields[name]!r}, curated {theirs[name]!r}"
                     for name in fields if name in theirs and fields[name] != theirs[name]]
        diffs.append(SkeletonDiff(record_id, "differs" if different else "matches", "; ".join(different)))
    drafted_ids = {record_id for record_id, _ in drafted}
    diffs += [SkeletonDiff(record_id, "missing") for record_id in sorted(curated) if record_id not in drafted_ids]
    return diffs


# --------------------------------------------------------------------------- writing the draft


@dataclass
class Ingested:
    """Everything one ingest run produced, before writing."""

    source: Path
    sha256: str
    same_source: bool
    skeleton: Skeleton
    candidates: list[Candidate]
    skeleton_diffs: list[SkeletonDiff]
    recall: dict[str, Recall] | None  # only when the source is the curated one
    files: dict[str, bytes]


def ingest(source: Path, data_dir: Path) -> Ingested:
    """Read ``source``, draft its skeleton and candidates, compare with the data in ``data_dir``."""
    from practice_graph.curation.load import load_dataset

    text = read_list(source)
    skeleton = parse_skeleton(text, str(source))
    dataset = load_dataset(data_dir)
    regions = known_regions(dataset)
    attach_regions(skeleton, regions)
    candidates = find_candidates(skeleton, Gazetteer(dataset))
    sha256 = hashlib.sha256(source.read_bytes()).hexdigest()
    same_source = sha256 == dataset.source.sha256
    entities = curated_entities(dataset)
    compare_candidates(candidates, entities, same_source)
    diffs = compare_skeleton(skeleton, dataset)
    recall = candidate_recall(candidates, entities) if same_source else None
    files = draft_files(source, sha256, text, skeleton, candidates)
    files[REPORT_FILE] = render_report(source, sha256, same_source, data_dir, skeleton, candidates, diffs,
                                       recall).encode("utf-8")
    return Ingested(source, sha256, same_source, skeleton, candidates, diffs, recall, files)


def check_out_dir(out_dir: Path, data_dir: Path) -> None:
    """Drafts never go into a curated data folder (they would replace skeleton.yaml and the rest)."""
    from practice_graph.curation.load import SOURCE_DIR, SOURCE_METADATA

    if out_dir.resolve() == data_dir.resolve() or (out_dir / SOURCE_DIR / SOURCE_METADATA).exists():
        raise IngestError(f"{out_dir}: a curated data folder; write drafts elsewhere (--out)")


def write_draft(result: Ingested, out_dir: Path) -> list[Path]:
    """Write the draft files atomically (sorted names); returns the paths."""
    from practice_graph.core.files import write_atomically

    written = []
    for name in sorted(result.files):
        write_atomically(out_dir / name, result.files[name])
        written.append(out_dir / name)
    return written


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, Span):
        return Span(_plain(v) for v in value)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


class Span(list):
    """A list written on one line in the draft YAML ([start, end])."""


def _dump(header: str, data: Any) -> bytes:
    import yaml

    class Dumper(yaml.SafeDumper):
        pass

    Dumper.add_representer(Span, lambda dumper, value: dumper.represent_sequence(
        "tag:yaml.org,2002:seq", list(value), flow_style=True))
    body = yaml.dump(_plain(data), Dumper=Dumper, allow_unicode=True, sort_keys=False, width=1000,
                     default_flow_style=False)
    return (header + body).encode("utf-8")


def _header(source: Path, sha256: str, what: str) -> str:
    return (f"# DRAFT for curation: {what}, written by `practice-graph ingest`.\n"
            f"# Source: {source.name} (sha256 {sha256}).\n"
            "# Not curated data. Check every record against the source, write label.en (TODO), drop what is\n"
            "# wrong, then remove `draft: true` and the draft-only fields (found, curated, region_printed,\n"
            "# segments) before moving a record into data/. Offsets are 0-based, end exclusive.\n")


def _curated_field(candidate: Candidate) -> dict[str, Any]:
    field_value: dict[str, Any] = {"status": candidate.status}
    if candidate.matches:
        field_value["ids"] = candidate.matches
    if candidate.detail:
        field_value["detail"] = candidate.detail
    return field_value


def draft_files(source: Path, sha256: str, text: str, skeleton: Skeleton,
                candidates: list[Candidate]) -> dict[str, bytes]:
    """The draft YAML files, in the project's data format plus draft-only fields."""
    regions = {p.id: (p.region.region_id if p.region else None) for p in skeleton.practices}
    files = {"skeleton.yaml": _dump(_header(source, sha256, "work tasks, measures, practices"),
                                    _skeleton_data(skeleton, text))}
    groups: dict[str, list[dict[str, Any]]] = {name: [] for name in DRAFT_FILES if name != "skeleton.yaml"}
    target = {"document": "documents.yaml", "platform": "platforms.yaml", "brand": "brands.yaml",
              "event": "events.yaml", "name": "names.yaml", "figure": "indicators.yaml", "body": "bodies.yaml"}
    merged: dict[tuple[str, str, str | None], dict[str, Any]] = {}
    counters: dict[tuple[str, str], int] = {}
    for candidate in candidates:
        if candidate.kind == "document-number" and candidate.fields.get("attached"):
            continue  # already the number of a document record
        kind = "document" if candidate.kind == "document-number" else candidate.kind
        region = regions.get(candidate.practice)
        evidence = {"practice": candidate.practice, "quote": candidate.quote}
        found = {"text": candidate.text, "start": candidate.start, "end": candidate.end, "method": candidate.method}
        merge_key = (kind, key(candidate.text), region)
        if kind != "figure" and merge_key in merged:
            record = merged[merge_key]
            if evidence not in record["evidence"]:
                record["evidence"].append(evidence)
            record["found"].append(found)
            continue
        counters[(kind, candidate.practice)] = counters.get((kind, candidate.practice), 0) + 1
        record_id = f"draft-{kind}-{candidate.practice}-{counters[(kind, candidate.practice)]}"
        record: dict[str, Any] = {"id": record_id, "draft": True}
        if kind == "figure":
            record["label"] = {"zh": "TODO", "en": "TODO"}
            fields = candidate.fields
            record["value"] = fields["value"]
            for name in ("value_max",):
                if name in fields:
                    record[name] = fields[name]
            record["verbatim"] = candidate.text
            record["unit"] = {"zh": fields["unit"]} if fields.get("unit") else {"zh": "TODO"}
            for name in ("scale", "qualifier", "as_of", "as_of_verbatim", "period_start"):
                if name in fields:
                    record[name] = fields[name]
        else:
            label = candidate.text if candidate.kind != "document-number" else "TODO"
            record["label"] = {"zh": label, "en": "TODO"}
            if kind == "document" and "number" in candidate.fields:
                record["number"] = candidate.fields["number"]
                record["number_normalized"] = candidate.fields["number_normalized"]
            if kind == "body" and candidate.fields.get("kinds"):
                record["kind_guess"] = candidate.fields["kinds"]
        if region:
            record["region"] = region
        record["evidence"] = [evidence]
        record["found"] = [found]
        record["curated"] = _curated_field(candidate)
        groups[target[kind]].append(record)
        if kind != "figure":
            merged[merge_key] = record
    what = {"documents.yaml": "policy documents (titles in 《》, issued documents, 文号)",
            "platforms.yaml": "platforms and systems", "brands.yaml": "brands and honour titles",
            "events.yaml": "events, campaigns, pilots", "names.yaml": "other names in quotation marks (unclassified)",
            "indicators.yaml": "figures with units and their as-of dates",
            "bodies.yaml": "agencies and organisations (gazetteer of curated bodies, and name endings)"}
    for name, records in groups.items():
        files[name] = _dump(_header(source, sha256, what[name]), records)
    return files


def _skeleton_data(skeleton: Skeleton, text: str) -> dict[str, Any]:
    tasks = [{"id": t.id, "draft": True, "number": t.number, "label": {"zh": t.label, "en": "TODO"},
              "evidence": [{"quote": t.label}], "found": {"start": t.start, "end": t.end}} for t in skeleton.tasks]
    measures = [{"id": m.id, "draft": True, "task": m.task.id, "number": m.number,
                 "label": {"zh": m.label, "en": "TODO"}, "evidence": [{"quote": m.label}],
                 "found": {"start": m.start, "end": m.end}} for m in skeleton.measures]
    practices = []
    for p in skeleton.practices:
        record: dict[str, Any] = {"id": p.id, "draft": True, "measure": p.measure.id, "number": p.number,
                                  "region": p.region.region_id if p.region else None}
        if p.region:
            printed: dict[str, Any] = {"text": p.region.printed, "start": p.region.start,
                                       "end": p.region.start + len(p.region.printed)}
            for name in ("province", "local"):
                if getattr(p.region, name):
                    printed[name] = getattr(p.region, name)
            if p.region.note:
                printed["note"] = p.region.note
            record["region_printed"] = printed
        record["label"] = {"zh": p.label, "en": "TODO"}
        record["evidence"] = [{"practice": p.id, "quote": p.heading_quote}]
        record["segments"] = [Span([s.start, s.end]) for s in p.paragraph.segments]
        practices.append(record)
    return {"tasks": tasks, "measures": measures, "practices": practices}


# --------------------------------------------------------------------------- the report


def render_report(source: Path, sha256: str, same_source: bool, data_dir: Path, skeleton: Skeleton,
                  candidates: list[Candidate], diffs: list[SkeletonDiff], recall: dict[str, Recall] | None) -> str:
    """A markdown report: what is new, what matches, what differs from the curated data."""
    out = [f"# Ingest report: {skeleton.title or source.name}", "",
           f"- source: `{source.name}` (sha256 `{sha256}`)",
           f"- compared with: `{data_dir.name}/` "
           + ("(the same source as the curated data)" if same_source
              else "(a different source: the skeleton is compared by id only; figures are not compared)"),
           f"- drafted: {len(skeleton.tasks)} work tasks, {len(skeleton.measures)} measures, "
           f"{len(skeleton.practices)} practices, {len(candidates)} candidates", ""]
    out += ["## Warnings", ""]
    out += [f"- {w}" for w in skeleton.warnings] or ["none"]
    out += ["", "## Skeleton", "", "| status | count |", "|---|---|"]
    for status in ("matches", "differs", "new", "missing"):
        out.append(f"| {status} | {sum(d.status == status for d in diffs)} |")
    out.append("")
    out += [f"- {d.id} {d.status}{': ' + d.detail if d.detail else ''}" for d in diffs if d.status != "matches"]
    out += ["", "## Leading regions", "", "| practice | printed | province | city/county | region | note |",
            "|---|---|---|---|---|---|"]
    for p in skeleton.practices:
        r = p.region
        if r is None:
            out.append(f"| {p.id} | | | | (none) | no leading region found |")
        else:
            out.append(f"| {p.id} | {r.printed} | {r.province or ''} | {r.local or ''} | "
                       f"{r.region_id or '(new)'} | {r.note} |")
    out += ["", "## Candidates", "", "| kind | candidates | matches | differs | new |", "|---|---|---|---|---|"]
    kinds = sorted({c.kind for c in candidates})
    for kind in kinds:
        of_kind = [c for c in candidates if c.kind == kind]
        out.append(f"| {kind} | {len(of_kind)} | " + " | ".join(
            str(sum(c.status == s for c in of_kind)) for s in ("matches", "differs", "new")) + " |")
    for kind in kinds:
        out += ["", f"### {kind}", ""]
        for status in ("differs", "new", "matches"):
            listed = [c for c in candidates if c.kind == kind and c.status == status]
            if not listed:
                continue
            out.append(f"{status} ({len(listed)}):")
            out.append("")
            for c in listed:
                extra = f" → {', '.join(c.matches)}" if c.matches else ""
                extra += f" ({c.detail})" if c.detail else ""
                out.append(f"- {c.practice} [{c.start}:{c.end}] `{c.text}`{extra}")
            out.append("")
    if recall is not None:
        out += ["## Curated records found among the candidates", "",
                "| kind | curated | found | recall | exact text |", "|---|---|---|---|---|"]
        for r in recall.values():
            out.append(f"| {r.kind} | {r.total} | {r.found} | {r.rate:.1%} | {r.exact} |")
        out.append("")
        for r in recall.values():
            if r.missed:
                out.append(f"- {r.kind} not found: {', '.join(r.missed)}")
    return "\n".join(out).rstrip() + "\n"
