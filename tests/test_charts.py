"""The analysis charts: axes in Chinese and English, and co-participation labels that never overlap.

Expectations read off the data: 河南省 is "Henan Province" (data/regions.yaml); the mechanism 多部门联动
is "Multi-department coordination" (data/mechanisms.yaml); the co-participation chart has one label per
participant kind, among them the housing department, human resources and social security and the
trade union, the trio of cq04.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import pytest

from practice_graph.core.paths import NTRIPLES
from practice_graph.sparql.store import oxigraph_store
from practice_graph.views import analysis, charts

if TYPE_CHECKING:
    import networkx as nx


@pytest.fixture(scope="module")
def data(built) -> analysis.PracticeData:
    return analysis.read_practice_data(oxigraph_store(built.files[NTRIPLES]))


@pytest.fixture(scope="module")
def heatmap(data) -> tuple[charts.HeatmapTable, Any]:
    """The heatmap's table and its figure (made in the charts' settings); the tests only read it."""
    table = charts.heatmap_table(data)
    with charts._drawing():
        return table, charts.heatmap_figure(table)


@pytest.fixture(scope="module")
def network(data) -> nx.Graph:
    return analysis.co_participation_graph(data)


@pytest.fixture(scope="module")
def network_drawn(network) -> tuple[Any, Any]:
    """The co-participation chart's figure drawn once, without rendering (the labels' boxes are placed
    when the figure is drawn), and its renderer; the tests only measure it."""
    with charts._drawing():
        figure = charts.network_figure(network)
        figure.draw_without_rendering()
        return figure, figure.canvas.get_renderer()


def test_heatmap_axes_name_regions_and_mechanisms_in_both_languages(data, heatmap) -> None:
    _, figure = heatmap
    axes = figure.axes[0]
    regions = [label.get_text() for label in axes.get_yticklabels()]
    mechanisms = [label.get_text() for label in axes.get_xticklabels()]
    assert "河南省 Henan Province" in regions
    assert "部门协同联动机制 Interdepartmental coordination mechanism" in mechanisms
    assert len(regions) == len({r for r, _ in data.uses}) and all(" " in r for r in regions)
    assert (axes.get_xlabel(), axes.get_ylabel()) == ("机制 Mechanism", "地区 Region")


def test_co_participation_labels_never_overlap(network, network_drawn) -> None:
    figure, renderer = network_drawn
    with charts._drawing():
        labels = [text for text in figure.axes[0].texts if text.get_gid() == charts.LABEL_GID]
        # the label as drawn: its white box (which holds the text)
        boxes = [(text.get_text().splitlines()[0], text.get_bbox_patch().get_window_extent(renderer))
                 for text in labels]
    assert len(labels) == network.number_of_nodes()
    names = {name for name, _ in boxes}
    assert {"住房和城乡建设", "人力资源和社会保障", "工会"} <= names
    overlapping = [(a, b) for i, (a, one) in enumerate(boxes) for b, two in boxes[i + 1:] if one.overlaps(two)]
    assert overlapping == []
    inside = figure.axes[0].get_window_extent(renderer)
    assert all(inside.x0 <= box.x0 and box.x1 <= inside.x1 and inside.y0 <= box.y0 and box.y1 <= inside.y1
               for _, box in boxes)


def test_heatmap_cells_show_their_counts(heatmap) -> None:
    # read off data/skeleton.yaml: two of 宁波市's practices (p-1-4-2, p-3-4-2) adopt 党建引领 Party building
    table, figure = heatmap
    axes = figure.axes[0]
    regions = [label.get_text() for label in axes.get_yticklabels()]
    mechanisms = [label.get_text() for label in axes.get_xticklabels()]
    drawn = {(regions[round(y)], mechanisms[round(x)]): int(line.get_label())
             for line in axes.lines if line.get_gid() == charts.CELL_GID for x, y in line.get_xydata()}
    assert drawn[("宁波市 Ningbo", "党建引领 Party building")] == 2
    assert drawn == {(region, mechanism): count for region, row in zip(table.regions, table.counts, strict=True)
                     for mechanism, count in zip(table.mechanisms, row, strict=True) if count}


def test_charts_are_cut_with_a_clear_margin(rendered_analysis) -> None:
    # drawn once and cut to what they draw: a white frame of 0.2 inch all round, nothing cut off
    import io

    import numpy as np
    from PIL import Image

    for name in ("region_mechanism_heatmap.png", "co_participation.png"):
        pixels = np.asarray(Image.open(io.BytesIO(rendered_analysis[name])).convert("RGBA"))
        pad = round(charts.PAD_INCHES * charts.DPI)
        frame = np.concatenate([pixels[:pad].reshape(-1, 4), pixels[-pad:].reshape(-1, 4),
                                pixels[:, :pad].reshape(-1, 4), pixels[:, -pad:].reshape(-1, 4)])
        assert (frame == 255).all(), name
        assert (pixels[pad:-pad, pad:-pad] != 255).any(axis=2)[[0, -1]].any(axis=1).all(), name  # drawn up to it
        assert (pixels[pad:-pad, pad:-pad] != 255).any(axis=2)[:, [0, -1]].any(axis=0).all(), name


def test_heatmap_made_at_its_labels_exact_size_is_the_same_picture(data, rendered_analysis, monkeypatch) -> None:
    # the heatmap is made with room for labels of one em a character and cut to what it draws; labels
    # wider than that (here: room for a tenth of an em) make the figure grow to their measured size.
    # Either way the same picture, byte for byte
    monkeypatch.setattr(charts, "LABEL_EMS_ESTIMATE", 0.1)
    with charts._drawing():
        figure = charts.heatmap_figure(charts.heatmap_table(data))
        regions = figure.axes[0].get_yticklabels()
        room = max(len(label.get_text()) for label in regions) * charts.REGION_LABEL_SIZE / 72 * 0.1 + 1.0
        needed = max(label.get_window_extent(figure.canvas.get_renderer()).width for label in regions) / charts.DPI
        assert needed + 1.0 > room  # the figure grew
        assert charts._png(figure) == rendered_analysis["region_mechanism_heatmap.png"]


def test_labels_moved_off_their_nodes_have_a_line_to_them(network_drawn) -> None:
    figure, renderer = network_drawn
    points = charts.DPI / 72
    pad = charts.LABEL_PAD * charts.LABEL_SIZE * points

    def outside(box, point) -> float:  # how far a point is off a label's white box, along x or y
        x, y = point
        return max(box.x0 - pad - x, x - box.x1 - pad, box.y0 - pad - y, y - box.y1 - pad)

    def leads(box, node, line) -> bool:  # from just off the label's box to just short of the node's centre
        start, end = line
        short_of_node = ((node - end) ** 2).sum() ** 0.5
        return 0 < outside(box, start) <= 2 * points + 0.01 and abs(short_of_node - 4 * points) < 0.01

    with charts._drawing():  # the labels measured in the charts' font
        axes = figure.axes[0]
        boxes = [text.get_window_extent(renderer) for text in axes.texts if text.get_gid() == charts.LABEL_GID]
    nodes = [axes.transData.transform(line.get_xydata()[0]) for line in axes.lines]  # the nodes' markers, in order
    (leaders,) = [c for c in axes.collections if c.get_gid() == charts.LEADER_GID]
    lines = [axes.transData.transform(segment) for segment in leaders.get_segments()]
    far = [(box, node) for box, node in zip(boxes, nodes, strict=True) if outside(box, node) > 10 * points]
    assert far  # in the real graph, 住房和城乡建设's label sits off its node (seen in the picture)
    assert all(sum(leads(box, node, line) for line in lines) == 1 for box, node in far)
    assert all(any(leads(box, node, line) for box, node in zip(boxes, nodes, strict=True)) for line in lines)


def test_co_participation_chart_is_deterministic(network, rendered_analysis) -> None:
    # drawn again, the same bytes as the session's drawing of the same chart (conftest.rendered_analysis)
    assert charts.network_png(network) == rendered_analysis["co_participation.png"]


# ---------------------------------------------------------------------------- the report's tables
CJK = re.compile(r"[\u4e00-\u9fff]")
LATIN = re.compile(r"[A-Za-z]")


def markdown_tables(markdown: str) -> list[tuple[list[str], list[list[str]]]]:
    """The Markdown tables of a report: header cells and rows of cells."""
    tables: list[tuple[list[str], list[list[str]]]] = []
    current: list[list[str]] | None = None
    for line in markdown.splitlines():
        if line.startswith("|---"):
            continue
        if not line.startswith("| "):
            current = None
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split(" | ")]
        if current is None:
            current = []
            tables.append((cells, current))
        else:
            current.append(cells)
    return tables


@pytest.fixture(scope="module")
def report(rendered_analysis) -> str:
    return rendered_analysis["report.md"].decode("utf-8")  # the session's render (conftest)


def test_every_report_table_names_things_in_chinese_and_english(report) -> None:
    tables = markdown_tables(report)
    assert len(tables) >= 10
    for header, rows in tables:
        for column, name in enumerate(header):
            if name.startswith(("做法", "引文")):  # the source's numbering (四(一)1) and its verbatim quotes
                continue
            if not LATIN.search(name):  # a Chinese column, followed by its English one
                assert not CJK.search(header[column + 1]), header
                continue
            for row in rows:
                text = re.sub(r"\]\(#[^)]*\)", "]", row[column])
                assert not CJK.search(text) or LATIN.search(text), (name, text)
    # read off the data: 河南省's practices are led by 河南省 itself and by 固始县, 林州市, 漯河市 and 平顶山市
    henan = next(row for header, rows in tables if header[0] == "省级行政区" for row in rows if row[0] == "河南省")
    assert "河南省 Henan Province" in henan[3] and "固始县 Gushi County" in henan[3]
