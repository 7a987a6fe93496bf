"""Figures with units (6.75 万人, 60%以上, 四级) and the dates that give their as-of or period start.

A draft figure carries only the qualifiers the model's IndicatorQualifier enum accepts
(``more-than``, ``at-least``, ``at-most``, ``approximate``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from practice_graph.curation.listformat import chinese_number
from practice_graph.ingest.runs import TITLE, Candidate, Run, add, clause, mask, quoted_spans
from practice_graph.ingest.text import normalize

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
SCALE = {"万": Decimal(10000), "亿": Decimal(100000000), "千": Decimal(1000)}
POST_QUALIFIER = {"及以上": "at-least", "以上": "at-least", "以下": "at-most", "左右": "approximate"}


@dataclass(frozen=True)
class DateMention:
    """A date in a run (截至 2023 年底, 2022 年以来 ...) and the as-of it gives."""

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


def _number(text: str) -> Decimal:
    return Decimal(normalize(text).replace("．", "."))


def _dates(text: str) -> list[DateMention]:
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
    return dates


def _figure_fields(match: re.Match[str]) -> dict[str, Any]:
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
    elif post in POST_QUALIFIER:
        fields["qualifier"] = POST_QUALIFIER[post]
    return fields


def find_figures(run: Run, masked_spans: list[tuple[int, int]]) -> list[Candidate]:
    """Figures with units (spaces inside kept), with the as-of date of their sentence.

    Numerals inside quotation marks, titles and document numbers belong to a name, not a figure.
    """
    found: list[Candidate] = []
    text = run.text
    dates = _dates(text)
    titles = [(m.start(), m.end()) for m in TITLE.finditer(text)]
    masked = mask(text, [*masked_spans, *quoted_spans(text), *titles, *((d.start, d.end) for d in dates)])
    figures: list[Candidate] = []
    for match in FIGURE.finditer(masked):
        if not (match.group("unit") or match.group("scale") or match.group("pct1")):
            continue
        if match.start() > 0 and re.match(r"[A-Za-z]", masked[match.start() - 1]):
            continue
        figures.append(add(found, run, "figure", match.start(), match.end(), "figure-with-unit",
                           **_figure_fields(match)))
    for match in CN_FIGURE.finditer(masked):
        if match.start() > 0 and masked[match.start() - 1] in "第一二三四五六七八九十百千万两":
            continue
        value = Decimal(chinese_number(match.group("cn").replace("两", "二")))
        figures.append(add(found, run, "figure", match.start(), match.end(), "chinese-numeral-count",
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
