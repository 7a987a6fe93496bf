"""The source text: its practice paragraphs and where a quote stands in it.

The list is a table flattened to text. Each practice is a ``<p>`` paragraph that opens with its
number (``1.``, ``<b>1. ...``); a paragraph that opens without a number continues the practice
before it (the table was cut by a page break). Character offsets are 0-based indexes into the
decoded text (Python ``str``), end exclusive, as in the W3C Web Annotation TextPositionSelector.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.S)
NUMBERED = re.compile(r"\s*(?:<b>)?\s*(\d+)\s*\.")


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


@dataclass(frozen=True)
class SourceText:
    """The decoded source and its practice paragraphs in document order."""

    path: Path
    text: str
    sha256: str
    paragraphs: tuple[Paragraph, ...]

    def find(self, quote: str) -> tuple[int, int] | None:
        """Offsets of the first occurrence of ``quote`` anywhere in the source, or None."""
        index = self.text.find(quote)
        return None if index < 0 else (index, index + len(quote))


def split_paragraphs(text: str) -> tuple[Paragraph, ...]:
    """Group the ``<p>`` segments of ``text`` into numbered practice paragraphs."""
    paragraphs: list[tuple[int, list[Segment]]] = []
    for match in PARAGRAPH.finditer(text):
        segment = Segment(match.start(1), match.end(1), match.group(1))
        numbered = NUMBERED.match(segment.text)
        if numbered:
            paragraphs.append((int(numbered.group(1)), [segment]))
        elif paragraphs:
            paragraphs[-1][1].append(segment)
        else:
            raise ValueError(f"paragraph at offset {segment.start} continues no practice")
    return tuple(Paragraph(number, tuple(segments)) for number, segments in paragraphs)


def read_source(path: Path) -> SourceText:
    """Read the source file as UTF-8 and split it into practice paragraphs."""
    raw = path.read_bytes()
    text = raw.decode("utf-8")
    return SourceText(
        path=path,
        text=text,
        sha256=hashlib.sha256(raw).hexdigest(),
        paragraphs=split_paragraphs(text),
    )
