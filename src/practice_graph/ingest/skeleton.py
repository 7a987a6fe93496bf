"""The draft skeleton: work tasks, measures and practices read in tolerant mode, with headings and regions.

The list format itself (rows, headings, paragraphs, the numbering rule) is read by
:mod:`practice_graph.curation.listformat`, the reader the curated build uses in strict mode.
This module adds what a draft needs: each practice's heading sentence and its quote, its
leading region, and the checks that a file was not cut short.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from practice_graph.curation.listformat import (
    TOLERANT,
    ListFormatError,
    MeasureHeading,
    Paragraph,
    TaskHeading,
    excerpt,
    line_finder,
    practice_number,
    read_outline,
    strip_tags,
    tag_free_runs,
)
from practice_graph.ingest.regions import KnownRegion, RegionMatch, leading_region
from practice_graph.ingest.text import IngestError

SENTENCE_END = "。！？"
DraftTask = TaskHeading
DraftMeasure = MeasureHeading


@dataclass(eq=False)
class DraftPractice:
    """A practice of the draft: where the numbering puts it, its heading and its leading region."""

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
    """The drafted outline of a list, with the warnings met while reading it."""

    title: str | None
    tasks: list[DraftTask]
    measures: list[DraftMeasure]
    practices: list[DraftPractice]
    warnings: list[str] = field(default_factory=list)


def number_end(text: str) -> int:
    """Where the practice number opening a paragraph's first segment ends."""
    numbered = practice_number(text, TOLERANT)
    assert numbered is not None
    return numbered.end()


def parse_skeleton(text: str, path: str = "SOURCE") -> Skeleton:
    """Tasks, measures and practices of a list; the numbering decides where a practice belongs.

    A measure heading is pending until a practice numbered 1 opens it: a practice printed beside
    the next measure's heading (after a page break) that continues the numbering stays in its
    measure. A paragraph without a number continues the practice before it.
    """
    try:
        outline = read_outline(text, TOLERANT, path)
    except ListFormatError as error:
        raise IngestError(str(error)) from None
    practices = [DraftPractice(p.measure, p.number, p.paragraph, p.line) for p in outline.practices]
    for practice in practices:
        _fill_heading(practice)
    skeleton = Skeleton(outline.title, outline.tasks, outline.measures, practices, outline.warnings)
    _check_complete(text, skeleton, outline.unopened, path)
    return skeleton


def _fill_heading(practice: DraftPractice) -> None:
    """The heading sentence: label without markup, quote the longest tag-free run of it."""
    first = practice.paragraph.segments[0]
    body_start = number_end(first.text)
    ends = [i for i in (first.text.find(mark, body_start) for mark in SENTENCE_END) if i >= 0]
    heading_end = min(ends) if ends else len(first.text)
    raw = first.text[body_start:heading_end]
    practice.label = strip_tags(raw).strip()
    runs = tag_free_runs(raw, first.start + body_start)
    best_offset, best = max(runs, key=lambda item: len(item[1].strip())) if runs else (first.start, "")
    lead = len(best) - len(best.lstrip())
    practice.heading_quote = best.strip()
    practice.heading_start = best_offset + lead


def _check_complete(text: str, skeleton: Skeleton, unopened: list[DraftMeasure], path: str) -> None:
    """A file cut short ends inside a sentence, or after a heading with nothing under it."""
    tasks, measures, practices = skeleton.tasks, skeleton.measures, skeleton.practices
    if not practices:
        raise IngestError(f"{path}: no practice paragraph found (truncated, or not a list in the expected format)")
    if unopened:
        last = unopened[-1]
        raise IngestError(f"{path}:{last.line}: truncated: measure ({last.number}) {excerpt(last.label)} "
                          "has no practice")
    if tasks and tasks[-1] not in {m.task for m in measures}:
        raise IngestError(f"{path}:{tasks[-1].line}: truncated: work task {tasks[-1].number} has no measure")
    last_segment = practices[-1].paragraph.segments[-1]
    tail = strip_tags(last_segment.text).rstrip()
    if not tail.endswith(tuple(SENTENCE_END + "”）)")):
        raise IngestError(f"{path}:{line_finder(text)(last_segment.end)}: truncated: the last practice ends "
                          f"mid-sentence ({tail[-12:]!r})")
    for measure in measures:
        if not any(p.measure is measure for p in practices) and measure not in unopened:
            skeleton.warnings.append(f"{path}:{measure.line}: measure {measure.id} has no practice")


def attach_regions(skeleton: Skeleton, regions: dict[str, KnownRegion]) -> None:
    """Find every practice's leading region; a practice without one is a warning."""
    for practice in skeleton.practices:
        first = practice.paragraph.segments[0]
        start = number_end(first.text)
        # offset of the label's first character in the source (skip tags and spaces)
        offset = first.start + start
        for run_start, run in tag_free_runs(first.text[start:], offset):
            if run.strip():
                offset = run_start + len(run) - len(run.lstrip())
                break
        practice.region = leading_region(practice.label, offset, regions)
        if practice.region is None:
            skeleton.warnings.append(f"{practice.id}: no leading region found in {practice.label[:12]!r}")
