"""The source text splits into the practices a reader counts."""

from practice_graph.curation.source import read_source, split_paragraphs

from .conftest import SOURCE


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
    import pytest

    with pytest.raises(ValueError, match="continues no practice"):
        split_paragraphs("<p>no number</p>")
