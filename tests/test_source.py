"""The source text splits into the practices a reader counts; the list format's two modes."""

import pytest

from practice_graph.curation.listformat import (
    STRICT,
    TOLERANT,
    ListFormatError,
    Outline,
    excerpt,
    read_outline,
    read_paragraphs,
)
from practice_graph.curation.source import read_source, split_paragraphs

from .conftest import SOURCE

HEADER = "序号\t工作任务\t主要举措\t经验做法\n"
ROW_1 = "一 推进农民工向新时代建筑产业工人转型\t\t(一) 培育自有产业工人\t"


def test_source_has_47_practices_in_48_paragraphs(source_text: str) -> None:
    # A reader counts 9 + 12 + 11 + 10 + 5 = 47 numbered practices; the last practice of
    # 三(四) (江苏省苏州市) is cut by a page break after "产业园以", so it has two <p> segments.
    assert source_text.count("<p>") == 48
    paragraphs = read_source(SOURCE).paragraphs
    assert len(paragraphs) == 47
    cut = [p for p in paragraphs if len(p.segments) == 2]
    assert len(cut) == 1
    assert "江苏省苏州市" in cut[0].segments[0].text
    assert cut[0].segments[1].text.startswith("建筑服务产业链为抓手")


def test_find_returns_offsets_of_the_first_occurrence(source_text: str) -> None:
    paragraph = read_source(SOURCE).paragraphs[0]
    start, end = paragraph.find("七是打好组合拳")
    assert source_text[start:end] == "七是打好组合拳"
    assert paragraph.find("固始县") is None  # another practice's words


def test_quote_cannot_span_the_page_break() -> None:
    paragraph = read_source(SOURCE).paragraphs[31]
    assert paragraph.find("产业园以") is not None
    assert paragraph.find("产业园以建筑服务产业链") is None


def test_unnumbered_first_paragraph_is_an_error() -> None:
    with pytest.raises(ValueError, match="continues no practice"):
        split_paragraphs("<p>no number</p>")


# --------------------------------------------------------------------------- strict and tolerant


def shape(outline: Outline) -> tuple:
    """Everything an outline says, as plain values."""
    return ([(t.id, t.label, t.start, t.end, t.line) for t in outline.tasks],
            [(m.id, m.label, m.start, m.end, m.line) for m in outline.measures],
            [(p.id, p.paragraph, p.line) for p in outline.practices],
            [m.id for m in outline.unopened], outline.warnings, outline.title)


def test_strict_and_tolerant_readings_agree_on_the_source(source_text: str) -> None:
    strict, tolerant = read_outline(source_text, STRICT), read_outline(source_text, TOLERANT)
    assert shape(strict) == shape(tolerant)
    # 一 ... 五; (一) ... : 4 + 3 + 4 + 3 + 2 = 16 measures; 47 practices, as the build reads them
    assert (len(strict.tasks), len(strict.measures), len(strict.practices)) == (5, 16, 47)
    assert tuple(p.paragraph for p in strict.practices) == read_source(SOURCE).paragraphs
    assert strict.warnings == [] and strict.unopened == []
    assert strict.title == "培育新时代建筑产业工人可复制经验做法清单（第一批）"
    # "\t(三) 推动实名制与日常监管联动管理\t\t<p>3. 广东省广州市...": printed beside 二(三), practice 3
    # continues 二(二)'s numbering, in both modes
    practice = next(p for p in strict.practices if "广东省广州市建立实名制访客制度" in p.paragraph.segments[0].text)
    assert (practice.id, practice.measure.label) == ("p-2-2-3", "推动项目、企业、人员全覆盖")


def test_strict_mode_reads_only_exact_paragraph_tags() -> None:
    text = HEADER + ROW_1 + "<P>1. 重庆市鼓励建筑企业培育自有工人。</P> <p>2. 陕西省鼓励建筑企业。</p>\n"
    assert [p.number for p in read_paragraphs(text, STRICT)] == [2]
    assert [p.number for p in read_paragraphs(text, TOLERANT)] == [1, 2]


def test_full_width_numbers_are_tolerated_not_strict() -> None:
    text = HEADER + ROW_1 + "<p>１．重庆市鼓励建筑企业培育自有工人。</p> <p>2、陕西省鼓励建筑企业。</p>\n"
    with pytest.raises(ListFormatError, match=r"paragraph at offset \d+ continues no practice"):
        read_paragraphs(text, STRICT)
    outline = read_outline(text, TOLERANT, "list.txt")
    assert [(p.id, p.paragraph.segments[0].text) for p in outline.practices] == [
        ("p-1-1-1", "１．重庆市鼓励建筑企业培育自有工人。"), ("p-1-1-2", "2、陕西省鼓励建筑企业。")]


def test_header_rows_and_page_breaks_in_both_modes() -> None:
    # a header row repeated at the page break, practice 2 printed beside (二), the paragraph of
    # (二)1 cut by the page break: both modes read the same outline
    text = (HEADER + ROW_1 + "<p>1. 重庆市鼓励建筑企业。</p>\n" + HEADER
            + "\t\t(二) 引导劳务企业转型发展\t<p>2. 陕西省鼓励建筑企业。</p> "
            + "<p>1. 河南省固始县大力发展专业作业企业。鼓励</p>\n"
            + HEADER + "\t\t\t<p>有能力的班组长组建企业。</p>\n")
    strict, tolerant = read_outline(text, STRICT, "list.txt"), read_outline(text, TOLERANT, "list.txt")
    assert shape(strict) == shape(tolerant)
    assert [(p.id, len(p.paragraph.segments)) for p in strict.practices] == [
        ("p-1-1-1", 1), ("p-1-1-2", 1), ("p-1-2-1", 2)]
    assert strict.practices[-1].paragraph.segments[1].text == "有能力的班组长组建企业。"


def test_outline_errors_quote_at_most_80_characters() -> None:
    label = "引导" * 100_000
    with pytest.raises(ListFormatError) as raised:
        read_outline(f"\t\t(一) {label}\t<p>1. 重庆市鼓励。</p>\n", TOLERANT, "list.txt")
    message = str(raised.value)
    assert message.startswith("list.txt:1: measure (1) 引导引导") and message.endswith("comes before any work task")
    assert len(message) < 80 + 60


def test_excerpt_is_one_line_and_short() -> None:
    assert excerpt("a\nb\tc") == "a b c"
    assert excerpt("\x1b[31m红") == "\\x1b[31m红"  # no terminal escape reaches stderr
    assert excerpt("字" * 81) == "字" * 80 + "…"
    assert excerpt("字" * 80) == "字" * 80
