"""The list format, read in one of two modes: strict (the curated build) or tolerant (ingest).

The list is a table flattened to text, one row a line: header rows (序号 工作任务 主要举措 经验做法),
work tasks numbered 一, 二 ..., measures (一), (二) ..., and practices 1., 2. ... in ``<p>``
paragraphs, some in ``<b>``. A paragraph that opens without a number continues the practice
before it (a page break cut it), and the numbering decides a practice's measure: a measure
heading waits until a practice numbered 1 opens it, so a practice printed beside the next
measure's heading after a page break, continuing the numbering, stays in its measure.

One reader, two modes that differ only in what they accept:

- ``STRICT`` reads what the curated build relies on: exact ``<p>...</p>`` pairs and ASCII-style
  numbers (``1.``, ``<b>1.``); a paragraph continuing no practice is an error.
- ``TOLERANT`` also reads lists typed or converted by hand: tags in any case, with attributes or
  unbalanced, paragraphs whose tags were lost (split at line ends and at a sentence end followed
  by a number), full-width numbers and punctuation (``１．``, ``2、``); what it repairs or skips
  becomes a warning.

Offsets are 0-based indexes into the decoded text, end exclusive; lines are 1-based.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import Enum


class Mode(Enum):
    """How much of the format's variation the reader accepts."""

    STRICT = "strict"
    TOLERANT = "tolerant"


STRICT, TOLERANT = Mode.STRICT, Mode.TOLERANT


class ListFormatError(ValueError):
    """Text the reader cannot make a list of; the message is one line."""


def excerpt(text: str, limit: int = 80) -> str:
    """``text`` on one line, control characters escaped, cut to ``limit`` characters: input quoted in a message."""
    flat = "".join(char if char.isprintable() else char.encode("unicode_escape").decode("ascii")
                   for char in " ".join(text.split()))
    return flat if len(flat) <= limit else flat[:limit] + "…"


# --------------------------------------------------------------------------- the pieces of a list


@dataclass(frozen=True)
class Segment:
    """One ``<p>`` paragraph's inner text and its offsets in the source."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Paragraph:
    """A practice's text: one or more segments (more when a page break cut it)."""

    number: int
    segments: tuple[Segment, ...]

    def find(self, quote: str) -> tuple[int, int] | None:
        """Offsets of the first occurrence of ``quote`` inside this practice, or None."""
        for segment in self.segments:
            index = segment.text.find(quote)
            if index >= 0:
                return segment.start + index, segment.start + index + len(quote)
        return None


@dataclass(frozen=True, eq=False)
class TaskHeading:
    """A work task as printed: 一 推进农民工向新时代建筑产业工人转型 (label offsets, its line)."""

    number: int
    label: str
    start: int
    end: int
    line: int

    @property
    def id(self) -> str:
        return f"t-{self.number}"


@dataclass(frozen=True, eq=False)
class MeasureHeading:
    """A measure as printed: (一) 培育自有产业工人, in the work task above it."""

    task: TaskHeading
    number: int
    label: str
    start: int
    end: int
    line: int

    @property
    def id(self) -> str:
        return f"m-{self.task.number}-{self.number}"


@dataclass(frozen=True, eq=False)
class ListedPractice:
    """A numbered practice, its paragraph and the measure the numbering puts it in."""

    measure: MeasureHeading
    number: int
    paragraph: Paragraph
    line: int

    @property
    def id(self) -> str:
        return f"p-{self.measure.task.number}-{self.measure.number}-{self.number}"


@dataclass
class Outline:
    """A list read whole: its title, headings and practices in document order."""

    title: str | None
    tasks: list[TaskHeading]
    measures: list[MeasureHeading]
    practices: list[ListedPractice]
    unopened: list[MeasureHeading]  # headings after the last practice that no practice opened
    warnings: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- the grammar

PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.S)
NUMBERED = re.compile(r"\s*(?:<b>)?\s*(\d+)\s*\.")
# Tolerant: tags in any case, with attributes, unbalanced.
P_OPEN = re.compile("<p>")
P_TAG = re.compile(r"<\s*/?\s*p(?:\s[^<>]*)?>", re.I)
ANY_TAG = re.compile(r"<\s*/?\s*(?:p|b|strong)(?:\s[^<>]*)?>", re.I)
# Tolerant: "1.", "1．", "1、", possibly inside <b>; "2.5%" is no number.
PRACTICE_NUMBER = re.compile(r"\s*(?:<\s*(?:b|strong)\s*>\s*)?(\d{1,3})\s*[.．、](?![\d０-９])", re.I)
# Tolerant: a paragraph merged into the one before it (both tags lost): a sentence end, then a number.
MERGED_PRACTICE = re.compile(r"(?<=[。！？])\s*(?=(?:<\s*(?:b|strong)\s*>\s*)?\d{1,3}\s*[.．、](?![\d０-９]))", re.I)
CN_NUMERAL = "一二三四五六七八九十"
TASK_HEADING = re.compile(rf"^[ \t\u3000]*([{CN_NUMERAL}]{{1,3}})(?:[、.．]|[ \t\u3000])+"
                          r"([^\t<]+?)[ \t\u3000]*(?=\t|<|$)")
MEASURE_HEADING = re.compile(rf"[(（][ \u3000]*([{CN_NUMERAL}]{{1,3}})[ \u3000]*[)）][ \u3000]*"
                             r"([^\t<]+?)[ \t\u3000]*(?=\t|<|$)")
HEADER_WORDS = {"序号", "工作任务", "主要举措", "经验做法"}
CN_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def chinese_number(text: str) -> int:
    """The value of a Chinese numeral up to 99 (一 1, 十 10, 十二 12, 二十三 23)."""
    if "十" not in text:
        value = 0
        for char in text:
            value = value * 10 + CN_DIGITS[char]
        return value
    tens, _, units = text.partition("十")
    return (CN_DIGITS[tens] if tens else 1) * 10 + (CN_DIGITS[units] if units else 0)


def practice_number(text: str, mode: Mode) -> re.Match[str] | None:
    """The practice number opening a paragraph's text (its group 1 holds the digits), or None."""
    return (NUMBERED if mode is STRICT else PRACTICE_NUMBER).match(text)


def strip_tags(text: str) -> str:
    """``text`` without paragraph and bold tags."""
    return ANY_TAG.sub("", text)


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


@dataclass(frozen=True)
class Line:
    """One line of the text: its 1-based number, offset and text without the line break."""

    number: int
    start: int
    text: str


def split_lines(text: str) -> list[Line]:
    """Lines with their offsets (``\\r\\n`` and ``\\n`` both end a line)."""
    lines = []
    for index, match in enumerate(re.finditer(r"[^\n]*\n?", text)):
        if not match.group(0):
            break
        lines.append(Line(index + 1, match.start(), match.group(0).rstrip("\r\n")))
    return lines


def line_finder(text: str) -> Callable[[int], int]:
    """A function giving the 1-based line of an offset in ``text``."""
    breaks = [m.start() for m in re.finditer("\n", text)]

    def line_of(offset: int) -> int:
        return bisect.bisect_left(breaks, offset) + 1

    return line_of


# --------------------------------------------------------------------------- tokens


@dataclass(frozen=True)
class _Token:
    offset: int
    kind: str  # task | measure | segment
    line: int
    heading: tuple[int, str, int, int] | None = None  # number, label, start, end
    segment: Segment | None = None


def _skipped(line: Line) -> bool:
    """Blank lines, header rows (repeated at page breaks) and the title hold no heading or paragraph."""
    text = line.text
    if not text.strip():
        return True
    cells = {cell.strip() for cell in text.split("\t") if cell.strip()}
    return cells <= HEADER_WORDS or (text.strip().startswith("#") and not P_TAG.search(text))


def _headings(line: Line, tag: re.Pattern[str]) -> tuple[list[_Token], int]:
    """The task and measure headings opening a row (before its first paragraph tag), and where they end."""
    text, tokens, position = line.text, [], 0
    task = TASK_HEADING.match(text)
    if task:
        start, end = line.start + task.start(2), line.start + task.end(2)
        tokens.append(_Token(start, "task", line.number, (chinese_number(task.group(1)), task.group(2).strip(),
                                                          start, end)))
        position = task.end()
    first_p = tag.search(text, position)
    head_zone = text[position:first_p.start() if first_p else len(text)]
    measures = list(MEASURE_HEADING.finditer(head_zone))
    for measure in measures:
        start, end = line.start + position + measure.start(2), line.start + position + measure.end(2)
        tokens.append(_Token(start, "measure", line.number,
                             (chinese_number(measure.group(1)), measure.group(2).strip(), start, end)))
    if measures:
        position += measures[-1].end()
    return tokens, position


def _strict_tokens(text: str, headings: bool) -> list[_Token]:
    """Exact ``<p>...</p>`` pairs (a pair may span lines) and, outside them, the row headings."""
    line_of = line_finder(text)
    pairs = list(PARAGRAPH.finditer(text))
    tokens = [_Token(m.start(1), "segment", line_of(m.start(1)), segment=Segment(m.start(1), m.end(1), m.group(1)))
              for m in pairs]
    if headings:
        inside = [(m.start(), m.end()) for m in pairs]
        for line in split_lines(text):
            index = bisect.bisect_right(inside, (line.start, len(text))) - 1
            if _skipped(line) or (index >= 0 and inside[index][0] < line.start < inside[index][1]):
                continue
            tokens += _headings(line, P_OPEN)[0]
    return sorted(tokens, key=lambda t: t.offset)


def _tolerant_tokens(text: str, path: str, warnings: list[str]) -> list[_Token]:
    """Each row's headings and paragraph segments, split at any ``<p>``/``</p>`` and at merged numbers."""
    tokens = []
    for line in split_lines(text):
        if _skipped(line):
            continue
        headings, position = _headings(line, P_TAG)
        tokens += headings
        if not headings and "\t" not in line.text and not P_TAG.search(line.text):
            warnings.append(f"{path}:{line.number}: a line outside the table ignored: {line.text.strip()[:20]!r}")
            continue
        tokens += _segments(line.text[position:], line.start + position, line.number, path, warnings)
    return sorted(tokens, key=lambda t: t.offset)


def _segments(content: str, content_start: int, line_number: int, path: str,
              warnings: list[str]) -> Iterator[_Token]:
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
        cuts = [m.start() for m in MERGED_PRACTICE.finditer(piece)]
        bounds = [0, *cuts, len(piece)]
        for part_offset, part in ((bounds[i], piece[bounds[i]:bounds[i + 1]]) for i in range(len(bounds) - 1)):
            left = len(part) - len(part.lstrip())
            body = part.strip()
            if not body or not strip_tags(body).strip():
                continue
            start = content_start + offset + part_offset + left
            yield _Token(start, "segment", line_number, segment=Segment(start, start + len(body), body))


def _tokens(text: str, mode: Mode, path: str, warnings: list[str], headings: bool = True) -> list[_Token]:
    return _strict_tokens(text, headings) if mode is STRICT else _tolerant_tokens(text, path, warnings)


# --------------------------------------------------------------------------- paragraphs and outline


class _Grouping:
    """Numbered segments open a practice; a segment without a number continues the one before."""

    def __init__(self, mode: Mode, path: str, warnings: list[str]) -> None:
        self.mode, self.path, self.warnings = mode, path, warnings
        self.groups: list[tuple[int, int, list[Segment]]] = []  # number, line, segments

    def add(self, token: _Token) -> int | None:
        """Take a segment; the number of the practice it opens, or None when it continues one."""
        assert token.segment is not None
        segment = token.segment
        numbered = practice_number(segment.text, self.mode)
        if numbered is None:
            if self.groups:
                self.groups[-1][2].append(segment)
            elif self.mode is STRICT:
                raise ListFormatError(f"paragraph at offset {segment.start} continues no practice")
            else:
                self.warnings.append(f"{self.path}:{token.line}: text before the first practice ignored: "
                                     f"{strip_tags(segment.text)[:20]!r}")
            return None
        number = int(unicodedata.normalize("NFKC", numbered.group(1)))
        self.groups.append((number, token.line, [segment]))
        return number

    def paragraphs(self) -> list[Paragraph]:
        return [Paragraph(number, tuple(segments)) for number, _, segments in self.groups]


def read_paragraphs(text: str, mode: Mode = STRICT, path: str = "SOURCE") -> tuple[Paragraph, ...]:
    """The numbered practice paragraphs of ``text`` in document order (headings are not read)."""
    grouping = _Grouping(mode, path, [])
    for token in _tokens(text, mode, path, [], headings=False):
        if token.kind == "segment":
            grouping.add(token)
    return tuple(grouping.paragraphs())


class _Assembly:
    """Headings and practices in document order; the numbering decides where a practice belongs."""

    def __init__(self, path: str, warnings: list[str]) -> None:
        self.path, self.warnings = path, warnings
        self.tasks: list[TaskHeading] = []
        self.measures: list[MeasureHeading] = []
        self.placed: list[MeasureHeading] = []  # the measure of each practice, in order
        self.pending: list[MeasureHeading] = []  # headings no practice has opened yet
        self.current: MeasureHeading | None = None
        self.last_number: dict[int, int] = {}  # id(measure) -> its last practice number

    def task(self, token: _Token) -> None:
        assert token.heading is not None
        number, label, start, end = token.heading
        expected = self.tasks[-1].number + 1 if self.tasks else 1
        if number != expected:
            self.warnings.append(f"{self.path}:{token.line}: work task {number} follows {expected - 1}")
        self.tasks.append(TaskHeading(number, label, start, end, token.line))

    def measure(self, token: _Token) -> None:
        assert token.heading is not None
        number, label, start, end = token.heading
        if not self.tasks:
            raise ListFormatError(f"{self.path}:{token.line}: measure ({number}) {excerpt(label)} comes before "
                                  "any work task")
        task = self.tasks[-1]
        siblings = [m for m in self.measures if m.task is task]
        expected = siblings[-1].number + 1 if siblings else 1
        if number != expected:
            self.warnings.append(f"{self.path}:{token.line}: measure ({number}) of task {task.number} follows "
                                 f"({expected - 1})")
        measure = MeasureHeading(task, number, label, start, end, token.line)
        self.measures.append(measure)
        self.pending.append(measure)

    def practice(self, number: int, line: int) -> None:
        """A practice numbered 1 opens the nearest pending heading; one continuing the numbering stays."""
        current = self.current
        continues = current is not None and number == self.last_number.get(id(current), 0) + 1
        if self.pending and (number == 1 or not continues):
            current = self.current = self.pending[-1]  # any heading before it stays empty
            self.pending.clear()
        if current is None:
            raise ListFormatError(f"{self.path}:{line}: practice {number} comes before any measure")
        expected = self.last_number.get(id(current), 0) + 1
        if number != expected:
            self.warnings.append(f"{self.path}:{line}: practice {number} of measure {current.id} follows "
                                 f"{expected - 1}")
        self.last_number[id(current)] = number
        self.placed.append(current)


def read_outline(text: str, mode: Mode = TOLERANT, path: str = "SOURCE") -> Outline:
    """Tasks, measures and practices of a list; the numbering decides where a practice belongs.

    Raises ListFormatError (one line, ``path:line: ...``) for a measure before any work task, a
    practice before any measure, or a text with none of them.
    """
    warnings: list[str] = []
    title = next((ln.text.lstrip("# ").strip() for ln in split_lines(text) if ln.text.strip().startswith("#")), None)
    grouping = _Grouping(mode, path, warnings)
    assembly = _Assembly(path, warnings)
    for token in _tokens(text, mode, path, warnings):
        if token.kind == "task":
            assembly.task(token)
        elif token.kind == "measure":
            assembly.measure(token)
        else:
            number = grouping.add(token)
            if number is not None:
                assembly.practice(number, token.line)
    if not assembly.tasks and not assembly.measures and not grouping.groups:
        raise ListFormatError(f"{path}: no work task, measure or practice found: not a list in the expected format")
    practices = [ListedPractice(measure, paragraph.number, paragraph, line)
                 for measure, paragraph, (_, line, _) in zip(assembly.placed, grouping.paragraphs(), grouping.groups,
                                                             strict=True)]
    return Outline(title, assembly.tasks, assembly.measures, practices, assembly.pending, warnings)
