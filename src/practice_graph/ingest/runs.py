"""What the candidate finders share: markup-free runs of practice text, the Candidate record, masks, chunks.

A finder looks at one run (a stretch of a practice's text between tags) and reports candidates
with absolute offsets into the source and the clause that holds them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from practice_graph.curation.listformat import tag_free_runs
from practice_graph.ingest.skeleton import Skeleton, number_end

CLAUSE_END = "，。；：！？,;:!?"
MASK = "\x01"  # stands for masked characters (quoted names, dates ...): offsets stay the same
QUOTED = re.compile(r"“([^“”\n]{1,40})”|\"([^\"\n]{1,40})\"|「([^「」\n]{1,40})」|『([^『』\n]{1,40})』")
TITLE = re.compile(r"《([^《》\n]{1,80})》|〈([^〈〉\n]{1,80})〉")
CHUNK_BOUNDARY = re.compile(
    r"[，。、；：！？“”‘’《》〈〉「」『』,.;:!?\x01]|上传至|通过|利用|依托|基于|开发|建立|构建|搭建|打造|推动|推进|完善|深化|纳入"
    r"|对接|实现|增加|成立|设立|引入|联合|会同|组织|协调|积极|开展|实行|落实|获取|同步|形成|作为|以及|与|和|及|或|的|在|将|把"
    r"|印发|出台|制定|发布|经|指导|发挥|取得|申请|入驻|鼓励|组建|大力|支持|已有|共有|探索|参照|持续|举办|对|向|至|于|为|由|从|等|并|以|了"
    r"|\d+[ \u3000]*(?:个|家|名|所|项)?")


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
                skip = number_end(text)
                text, start = text[skip:], start + skip
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


def add(found: list[Candidate], run: Run, kind: str, start: int, end: int, method: str,
        **fields: Any) -> Candidate:
    """Record a candidate at [start, end) of ``run`` (offsets in the run) and return it."""
    absolute = run.start + start, run.start + end
    candidate = Candidate(kind, run.text[start:end], absolute[0], absolute[1], run.practice,
                          clause(run, *absolute), method, dict(fields))
    found.append(candidate)
    return candidate


def mask(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """``text`` with the characters of ``spans`` replaced by MASK (offsets unchanged)."""
    chars = list(text)
    for start, end in spans:
        for i in range(max(start, 0), min(end, len(chars))):
            chars[i] = MASK
    return "".join(chars)


def quoted_spans(text: str) -> list[tuple[int, int]]:
    """Where names in quotation marks stand, marks included."""
    return [(m.start(), m.end()) for m in QUOTED.finditer(text)]


def _chunks(text: str) -> Iterator[tuple[int, int]]:
    position = 0
    for boundary in CHUNK_BOUNDARY.finditer(text):
        if boundary.start() > position:
            yield position, boundary.start()
        position = boundary.end()
    if position < len(text):
        yield position, len(text)


def suffix_phrases(text: str, suffix: re.Pattern[str]) -> Iterator[tuple[int, int]]:
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
