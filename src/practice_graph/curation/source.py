"""The source text: its practice paragraphs and where a quote stands in it.

The list is a table flattened to text (its format and the reader are in
:mod:`practice_graph.curation.listformat`). The curated build reads it in strict mode: each
practice is a ``<p>`` paragraph that opens with its number (``1.``, ``<b>1. ...``); a paragraph
that opens without a number continues the practice before it (the table was cut by a page
break). Character offsets are 0-based indexes into the decoded text (Python ``str``), end
exclusive, as in the W3C Web Annotation TextPositionSelector.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from practice_graph.curation.listformat import NUMBERED, PARAGRAPH, STRICT, Paragraph, Segment, read_paragraphs

__all__ = ["NUMBERED", "PARAGRAPH", "Paragraph", "Segment", "SourceText", "read_source", "split_paragraphs"]


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
    """Group the ``<p>`` segments of ``text`` into numbered practice paragraphs (strict mode).

    Raises ValueError when a paragraph without a number opens the text.
    """
    return read_paragraphs(text, STRICT)


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
