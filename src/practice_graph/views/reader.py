"""The source reader: the whole source as published, with every quoted span marked and linked.

The source is a table flattened to text (tab-separated cells, ``<p>`` paragraphs, ``<b>`` bold). The
reader shows it as that table, paragraph by paragraph. Every span that a record cites (its offsets
are ``oa:start``/``oa:end`` of the quote's ``oa:TextPositionSelector``) is highlighted by the kind
of what cites it and links to that entry's page; hovering shows the facts extracted from it. Each
paragraph has an anchor ``s-{start}``, each practice ``practice-{id}``, each quote ``q-{start}-{end}``.
A check box shows the spans of the text that no record cites.
"""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from practice_graph.views.html import bilingual, page, relative, text
from practice_graph.views.pages import COLOURS, OTHER_COLOUR, PRACTICE, GraphView, Node, Quote

PATH = "source.html"
TAG = re.compile(r"</?[pb]>")
HEADER_CELLS = ("序号", "工作任务", "主要举措", "经验做法")
COLUMN_EN = ("No.", "Work task", "Measure", "Practices")
RELATION_KIND = "relation"
PARTICIPATION_KIND = "participation"


@dataclass
class Span:
    """One quoted span of the source and everything that cites it."""

    start: int
    end: int
    entities: list[Node] = field(default_factory=list)
    facts: list[str] = field(default_factory=list)
    link: Node | None = None
    kind: str = ""


def citing(view: GraphView) -> dict[tuple[int, int], Span]:
    """Every quoted span with what cites it: entries, relations and participations."""
    spans: dict[tuple[int, int], Span] = {}

    def span_of(quote: Quote) -> Span | None:
        if quote.start is None or quote.end is None:
            return None
        return spans.setdefault((quote.start, quote.end), Span(quote.start, quote.end))

    def name(term: Any) -> str:
        node = view.nodes.get(term)
        if node is None:
            return getattr(term, "value", "")
        return f"{node.zh} {node.en}".strip() if node.zh != node.en else node.label

    for node in sorted(view.nodes.values(), key=lambda n: n.id):
        for quote in view.quotes.get(node.term, []):
            span = span_of(quote)
            if span is not None:
                span.entities.append(node)
                type_name = view.term(node.type).en if node.type is not None else ""
                span.facts.append(f"{name(node.term)} ({type_name})")
    for (subject, predicate, value), quotes in sorted(view.fact_quotes.items(), key=lambda item: str(item[0])):
        relation = view.term(predicate)
        for quote in quotes:
            span = span_of(quote)
            if span is not None:
                span.facts.append(f"{name(subject)} —{relation.zh} {relation.en}→ {name(value)}")
                span.link = span.link or view.nodes.get(subject)
    for parts in view.participations.values():
        for part in parts:
            role = view.nodes.get(part.role)
            role_name = f"{role.zh} {role.en}" if role is not None else "participant"
            for quote in part.quotes:
                span = span_of(quote)
                if span is not None:
                    span.facts.append(f"{name(part.arrangement)}: {name(part.member)} ({role_name})")
                    span.link = span.link or view.nodes.get(part.arrangement)
    for span in spans.values():
        # The most specific entry names the span: one that is not a practice, when there is one.
        entries = sorted(span.entities, key=lambda n: (PRACTICE in n.types, n.id))
        if entries:
            span.link, span.kind = entries[0], str(entries[0].type)
        else:
            span.kind = RELATION_KIND if any("→" in fact for fact in span.facts) else PARTICIPATION_KIND
    return spans


def practice_anchors(view: GraphView) -> dict[int, list[str]]:
    """Where each practice's anchor goes: the offset of the practice's own first quote."""
    anchors: dict[int, list[str]] = defaultdict(list)
    for node in sorted(view.nodes.values(), key=lambda n: n.id):
        if PRACTICE not in node.types:
            continue
        starts = [quote.start for quote in view.quotes.get(node.term, []) if quote.start is not None]
        if starts:
            anchors[min(starts)].append(node.id)
    return anchors


class Renderer:
    """Turns one cell of the source into markup, piece by piece, with the quoted spans marked."""

    def __init__(self, view: GraphView, spans: dict[tuple[int, int], Span], kinds: dict[str, int]) -> None:
        self.view, self.kinds = view, kinds
        self.spans = sorted(spans.values(), key=lambda s: (s.start, -s.end))
        self.bounds = sorted({s.start for s in self.spans} | {s.end for s in self.spans})
        self.starting: dict[int, list[Span]] = defaultdict(list)
        for span in self.spans:
            self.starting[span.start].append(span)

    def covering(self, start: int, end: int) -> list[Span]:
        return [s for s in self.spans if s.start <= start and s.end >= end and s.start < s.end]

    def run(self, source: str, start: int, end: int, bold: bool) -> str:
        """The text ``source[start:end]`` (no tags inside) as marked pieces."""
        cuts = [start] + [b for b in self.bounds if start < b < end] + [end]
        out = []
        for piece_start, piece_end in itertools.pairwise(cuts):
            piece = source[piece_start:piece_end]
            if not piece:
                continue
            for span in self.starting.get(piece_start, []):
                out.append(f'<span class="qa" id="q-{span.start}-{span.end}"></span>')
            covering = self.covering(piece_start, piece_end)
            content = f"<b>{text(piece)}</b>" if bold else text(piece)
            if not covering:
                out.append(f'<span class="u">{content}</span>' if piece.strip() else content)
                continue
            innermost = min(covering, key=lambda s: (s.end - s.start, s.start))
            facts = "\n".join(dict.fromkeys(fact for span in covering for fact in span.facts))
            spans = " ".join(f"{span.start}-{span.end}" for span in covering)
            kind = self.kinds.get(innermost.kind, 0)
            target = innermost.link or next((s.link for s in covering if s.link is not None), None)
            attributes = (f'class="q k{kind}" data-q="{spans}" data-start="{piece_start}" '
                          f'title="{text(facts)}"')
            if target is not None:
                href = text(relative(PATH, target.path))
                out.append(f'<a {attributes} href="{href}">{content}</a>')
            else:
                out.append(f"<span {attributes}>{content}</span>")
        return "".join(out)

    def cell(self, source: str, start: int, end: int, anchors: dict[int, list[str]]) -> str:
        """One table cell: its ``<p>`` paragraphs as paragraphs, its ``<b>`` as bold."""
        out: list[str] = []
        bold, position, in_paragraph = False, start, False
        for match in TAG.finditer(source, start, end):
            if match.start() > position:
                out.append(self.run(source, position, match.start(), bold))
            tag = match.group(0)
            if tag == "<p>":
                paragraph_start = match.end()
                ids = [f"practice-{practice}" for practice in self.practices_in(anchors, paragraph_start, source, end)]
                extra = "".join(f'<span class="pa" id="{text(anchor)}"></span>' for anchor in ids)
                out.append(f'<p class="para" id="s-{paragraph_start}">{extra}')
                in_paragraph = True
            elif tag == "</p>":
                out.append("</p>")
                in_paragraph = False
            else:
                bold = tag == "<b>"
            position = match.end()
        if position < end:
            out.append(self.run(source, position, end, bold))
        if in_paragraph:
            out.append("</p>")
        return "".join(out)

    @staticmethod
    def practices_in(anchors: dict[int, list[str]], paragraph_start: int, source: str, limit: int) -> list[str]:
        closing = source.find("</p>", paragraph_start, limit)
        paragraph_end = closing if closing >= 0 else limit
        return [practice for offset in sorted(anchors) if paragraph_start <= offset < paragraph_end
                for practice in anchors[offset]]


def render_reader(view: GraphView, source: str) -> bytes:
    """The source reader page."""
    spans = citing(view)
    kind_names = sorted({span.kind for span in spans.values()})
    kinds = {name: index for index, name in enumerate(kind_names)}
    renderer = Renderer(view, spans, kinds)
    anchors = practice_anchors(view)
    rows, position = [], 0
    for line in source.split("\n"):
        line_start, position = position, position + len(line) + 1
        if not line.strip():
            continue
        if line.startswith("# "):
            rows.append(f'<tr class="title"><th colspan="4" id="s-{line_start}">'
                        f"{renderer.run(source, line_start + 2, line_start + len(line), False)}</th></tr>")
            continue
        cells, cell_start = [], line_start
        for cell in line.split("\t"):
            cells.append((cell_start, cell_start + len(cell)))
            cell_start += len(cell) + 1
        if tuple(source[a:b] for a, b in cells) == HEADER_CELLS:
            rows.append('<tr class="head">' + "".join(
                f"<th>{text(zh)} <span class=\"en\">{en}</span></th>" for zh, en in zip(HEADER_CELLS, COLUMN_EN,
                                                                                        strict=True)) + "</tr>")
            continue
        rendered = [renderer.cell(source, a, b, anchors) for a, b in cells]
        rendered += [""] * (4 - len(rendered))
        rows.append("<tr>" + "".join(f'<td class="c{index}">{content}</td>'
                                     for index, content in enumerate(rendered)) + "</tr>")
    legend = []
    style = []
    counts: dict[str, int] = defaultdict(int)
    for span in spans.values():
        counts[span.kind] += 1
    for name, index in kinds.items():
        colour = COLOURS.get(name, OTHER_COLOUR if name != RELATION_KIND else "#ffb300")
        if name == PARTICIPATION_KIND:
            colour = "#ab47bc"
        style.append(f".k{index} {{ background: {colour}2e; border-bottom: 2px solid {colour}; }}")
        label = kind_label(view, name)
        legend.append(f'<li><span class="swatch k{index}">&nbsp;&nbsp;&nbsp;</span> {label} ({counts[name]})</li>')
    cited = sum(1 for span in spans.values())
    body = (
        '<h1>原文 <span class="en">Source reader</span></h1>\n'
        '<p><span lang="zh">逐段显示已发布的原文；每个被引用的片段按类型着色，'
        '并链接到其条目页面；悬停显示从中提取的事实。</span>'
        ' <span class="en">The source as published, paragraph by paragraph. Every quoted span is coloured by the kind'
        " of entry that cites it and links to that entry's page; hover over it to see the facts extracted from it."
        f" {cited} quoted spans.</span></p>\n"
        f'<ul class="legend">{"".join(legend)}</ul>\n'
        '<input type="checkbox" id="show-uncited"> <label for="show-uncited">显示未被引用的文字 · '
        '<span class="en">Show the text no record cites</span></label>\n'
        f'<div class="reader"><table class="source">\n{"".join(rows)}\n</table></div>'
    )
    css = """
table.source { width: 100%; border-collapse: collapse; }
table.source td, table.source th { border: 1px solid #cfd8dc; padding: .3rem .5rem; vertical-align: top; }
table.source tr.head th { background: #eceff1; font-size: .85rem; }
table.source tr.title th { font-size: 1.15rem; background: #fff; border: none; text-align: left; }
td.c0 { width: 3.5rem; } td.c1 { width: 9rem; } td.c2 { width: 11rem; }
p.para { margin: .2rem 0 .7rem; line-height: 1.9; }
p.para:target, p.para:has(> .pa:target) { outline: 2px solid #ff6f00; background: #fffdf5; }
.qa:target + .q { outline: 2px solid #ff6f00; }
a.q { color: inherit; text-decoration: none; border-radius: 2px; }
a.q:hover { background: #ffe082; }
ul.legend { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: .2rem 1.2rem; font-size: .9rem; }
#show-uncited:checked ~ .reader .u { background: #ffcdd2; outline: 1px dashed #c62828; }
""" + "\n".join(style)
    return page(PATH, "原文", "Source reader", body, style=css)


def kind_label(view: GraphView, kind: str) -> str:
    if kind == RELATION_KIND:
        return bilingual("关系", "relation")
    if kind == PARTICIPATION_KIND:
        return bilingual("参与", "participation")
    for term, found in view.terms.items():
        if str(term) == kind:
            return bilingual(found.zh, found.en)
    return text(kind)
