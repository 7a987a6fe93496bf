"""The viewer in a real browser: Debian's Chromium, headless, driven by Playwright (sync API).

Skipped when Chromium or Playwright is missing, except in CI (``CI=true``), where that fails.
The page forbids eval (its Content-Security-Policy), so waits poll ``page.evaluate`` (which
Playwright runs outside the page's policy) instead of ``wait_for_function``.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from practice_graph.core.namespaces import ID
from practice_graph.core.paths import NTRIPLES
from practice_graph.sparql.store import oxigraph_store
from practice_graph.views import viewer as visualise
from tests.conftest import unavailable
from tests.synthetic import synthetic_graph
from tests.test_visualise import HOSTILE, HOSTILE_EN, hostile_graph

SCREENSHOT_DIR = os.environ.get("PG_SCREENSHOT_DIR")  # set it to keep the screenshots and look at them


@dataclass
class Loaded:
    """An open viewer page and what it did."""

    page: Any
    messages: list[tuple[str, str]] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def js(self, expression: str, arg: Any = None) -> Any:
        return self.page.evaluate(expression, arg)

    def wait(self, expression: str, timeout: float = 120.0) -> None:
        deadline = time.monotonic() + timeout
        while not self.js(expression):
            assert time.monotonic() < deadline, f"timed out waiting for {expression}"
            time.sleep(0.05)


def open_viewer(browser: Any, path: Path) -> Loaded:
    page = browser.new_page()
    loaded = Loaded(page)
    page.on("console", lambda message: loaded.messages.append((message.type, message.text)))
    page.on("pageerror", lambda error: loaded.messages.append(("pageerror", str(error))))
    page.on("request", lambda request: loaded.requests.append(request.url))
    page.on("dialog", lambda dialog: (loaded.dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(path.as_uri())
    loaded.wait("Boolean(window.pgViewer && window.pgViewer.stable)")
    loaded.wait("!pgViewer.overview || pgViewer.overview.placed")
    return loaded


def node_id(loaded: Loaded, record_id: str) -> str:
    return loaded.js("rid => pgViewer.nodes.get({filter: n => n.pgRid === rid})[0].id", record_id)


def hidden_ids(loaded: Loaded) -> set[str]:
    """Nodes vis itself holds as hidden (its internal state, not only our DataSet field)."""
    return set(loaded.js("Object.keys(network.body.nodes).filter(id => network.body.nodes[id].options.hidden)"))


@pytest.fixture(scope="module")
def data(built) -> visualise.ViewerData:
    return visualise.viewer_data(oxigraph_store(built.files[NTRIPLES]))


@pytest.fixture(scope="module")
def viewer_file(data, tmp_path_factory) -> Path:
    """The page of the whole graph, as ``write_viewer`` writes it (test_visualise: the same bytes)."""
    path = tmp_path_factory.mktemp("viewer") / visualise.VIEWER_FILE
    path.write_text(visualise.render_html(data), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def viewer(first_screen: Loaded) -> Loaded:
    """The whole graph, one click past the overview it opens on: the first screen's page, loaded once for the
    module (its tests come first in this file and leave it on the overview; its messages and requests since
    it was opened are checked below)."""
    assert first_screen.js("pgViewer.mode") == "overview"
    first_screen.page.click("#pg-show-graph")
    assert first_screen.js("pgViewer.mode") == "graph"
    return first_screen


def overview_boxes(loaded: Loaded) -> dict[str, dict[str, float]]:
    """Every node box of the overview in the page's pixels (left, top, right, bottom)."""
    return loaded.js("""() => {
      const graph = pgViewer.overview.network, boxes = {};
      for (const id of pgViewer.overview.nodes.getIds()) {
        const box = graph.getBoundingBox(id);
        const a = graph.canvasToDOM({x: box.left, y: box.top}), b = graph.canvasToDOM({x: box.right, y: box.bottom});
        boxes[id] = {left: a.x, top: a.y, right: b.x, bottom: b.y, label: pgViewer.overview.nodes.get(id).label};
      }
      return boxes;
    }""")


def overlaps(boxes: dict[str, dict[str, float]]) -> list[tuple[str, str]]:
    items = sorted(boxes.items())
    return [(a, b) for i, (a, one) in enumerate(items) for b, two in items[i + 1:]
            if one["left"] < two["right"] and two["left"] < one["right"]
            and one["top"] < two["bottom"] and two["top"] < one["bottom"]]


@pytest.fixture(scope="module")
def first_screen(browser, viewer_file) -> Iterator[Loaded]:
    """The page as it opens: the overview (then the whole graph: ``viewer``)."""
    loaded = open_viewer(browser, viewer_file)
    yield loaded
    loaded.page.close()


def test_first_screen_is_a_readable_overview(first_screen: Loaded, data, tmp_path: Path) -> None:
    page = first_screen
    assert page.js("pgViewer.mode") == "overview" and page.js("document.body.dataset.mode") == "overview"
    ids = {f"n{i}": n for i, n in enumerate(data.nodes)}
    outline = "pgViewer.overview.nodes.get().filter(n => !n.id.startsWith('pg-column')).map(n => [n.id, n.label])"
    shown = page.js(outline)
    kinds = [ids[node_id].type_key for node_id, _ in shown]
    assert (kinds.count("WorkTask"), kinds.count("Measure"), kinds.count("Practice"), len(kinds)) == (5, 16, 47, 68)
    labels = {ids[node_id].record_id: label for node_id, label in shown}
    # the source: 一(一) 1. 重庆市鼓励建筑企业培育“自有工人”; 二(三) 5. 浙江省宁波市推行实名制管理“一码通行”
    assert labels["p-1-1-1"] == "1. 重庆市" and labels["p-2-3-5"] == "5. 宁波市"
    assert labels["t-1"] == "推进农民工向新时代建筑产业工人转型" and labels["m-1-1"] == "培育自有产业工人"
    # readable: every label box inside the canvas, none over another, drawn at 0.75 of its size or more
    canvas = page.page.locator("#pg-overview-canvas").bounding_box()
    boxes = overview_boxes(page)
    assert overlaps(boxes) == []
    for box in boxes.values():
        assert box["left"] >= 0 and box["top"] >= 0, box
        assert box["right"] <= canvas["width"] and box["bottom"] <= canvas["height"], box
    assert page.js("pgViewer.overview.network.getScale()") >= 0.75
    # the panel's own search finds an outline node in the overview and stays there
    page.page.fill("#pg-search", "重庆市鼓励建筑企业培育“自有工人”")
    page.page.press("#pg-search", "Enter")
    assert page.js("pgViewer.mode") == "overview"
    assert page.js("pgViewer.overview.network.getSelectedNodes()") == [node_id(page, "p-1-1-1")]
    # in English, still without overlaps
    page.page.select_option("#pg-overview-lang", "en")
    page.wait("pgViewer.overview.placed")
    english = {ids[i].record_id: label for i, label in page.js(outline)}
    assert english["p-1-1-1"] == "1. Chongqing Municipality" and english["t-2"] == data.tasks[1].en
    assert overlaps(overview_boxes(page)) == []
    page.page.select_option("#pg-overview-lang", "zh")
    page.wait("pgViewer.overview.placed")
    page.js("pgViewer.overview.network.unselectAll()")
    page.js("pgViewer.overview.network.fit({animation: false})")


def test_first_screen_screenshot_and_the_full_graph_one_click_away(first_screen: Loaded, tmp_path: Path) -> None:
    fonts = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True, check=False).stdout
    if not fonts.strip():
        unavailable("no CJK font (fonts-noto-cjk or fonts-wqy-microhei): Chinese would render as boxes")
    from PIL import Image

    page = first_screen
    page.page.mouse.move(5, 890)  # off every node: no tooltip
    target = Path(SCREENSHOT_DIR) if SCREENSHOT_DIR else tmp_path
    target.mkdir(parents=True, exist_ok=True)
    shot = target / "viewer-overview.png"
    page.page.screenshot(path=str(shot))
    image = Image.open(shot).convert("RGB")
    canvas = page.page.locator("#pg-overview-canvas").bounding_box()
    area = image.crop((int(canvas["x"]), int(canvas["y"]), image.width, image.height))
    colours = area.getcolors(maxcolors=1 << 20) or []
    assert len(colours) > 50 and max(colours)[0] < area.width * area.height * 0.95
    # one click: the whole graph, the overview gone
    page.page.click("#pg-show-graph")
    assert page.js("pgViewer.mode") == "graph"
    assert page.js("document.getElementById('pg-overview').hidden") is True
    middle = page.page.locator("#mynetwork").bounding_box()
    assert page.js("([x, y]) => document.elementFromPoint(x, y).closest('#mynetwork') !== null",
                   [middle["x"] + middle["width"] / 2, middle["y"] + middle["height"] / 2])
    page.page.click("#pg-mode-overview")
    assert page.js("pgViewer.mode") == "overview"


def test_loads_offline_without_console_errors(viewer: Loaded, viewer_file: Path) -> None:
    errors = [m for m in viewer.messages if m[0] in {"error", "pageerror", "warning"}]
    assert errors == []
    assert viewer.requests and all(url.startswith(("file:", "data:")) for url in viewer.requests), viewer.requests
    assert viewer.js("document.characterSet") == "UTF-8"
    assert viewer.js("typeof vis") == "object" and viewer.js("network.physics.options.enabled") is False


def test_network_holds_the_computed_nodes_and_edges(viewer: Loaded, data) -> None:
    assert viewer.js("pgViewer.nodes.length") == len(data.nodes)
    assert viewer.js("pgViewer.edges.length") == len(data.edges)
    assert viewer.js("Object.keys(network.body.nodes).length") == len(data.nodes)
    assert viewer.js("network.body.data.edges.length") == len(data.edges)
    assert viewer.js("Object.values(network.body.edges).every(e => e.options.arrows.to.enabled)")  # directed
    counts = viewer.js("Array.from(document.querySelectorAll('#pg-legend .pg-count')).map(e => e.textContent)")
    assert sum(int(c) for c in counts) == len(data.nodes)


def test_long_labels_wrap_at_180_px_and_short_ones_stay_on_one_line(viewer: Loaded, data) -> None:
    # only long labels carry vis's width constraint (the page measures the others once): the look is unchanged
    lines = viewer.js("""() => Object.fromEntries(Object.entries(network.body.nodes).map(([id, node]) =>
        [id, node.labelModule.lines.map(line => line.blocks.map(block => block.text).join(""))]))""")
    ids = {node.zh: f"n{i}" for i, node in enumerate(data.nodes)}
    # the work task's name, 17 characters of 14 px (238 px), breaks once; 河南省 (3) does not
    task = lines[ids["推进农民工向新时代建筑产业工人转型"]]
    assert len(task) == 2 and "".join(task) == "推进农民工向新时代建筑产业工人转型"
    assert lines[ids["河南省"]] == ["河南省"]
    widths = viewer.js("Object.values(network.body.nodes).map(node => node.labelModule.size.width)")
    assert max(widths) <= 180 + 14  # vis breaks once a line passes 180 px: at most one glyph over


def test_search_ranks_the_province_before_practices(viewer: Loaded, data) -> None:
    for query in ("henan province", "Henan", "河南"):
        viewer.page.fill("#pg-search", query)
        viewer.page.press("#pg-search", "Enter")
        assert viewer.js("network.getSelectedNodes()") == [node_id(viewer, "henan")], query
        first = viewer.page.text_content("#pg-search-results li:first-child button")
        assert first.startswith("河南省 Henan Province"), first
    # the practices that begin with 河南省 are listed after it (河南省建立多方联动工作机制)
    listed = viewer.js("Array.from(document.querySelectorAll('#pg-search-results button')).map(b => b.dataset.id)")
    assert listed[0] == node_id(viewer, "henan") and node_id(viewer, "p-4-1-1") in listed[1:]
    viewer.page.click("#pg-reset")


def test_search_box_suggests_every_name_once_used(viewer: Loaded, data) -> None:
    viewer.page.focus("#pg-search")  # the suggestions are made when the box is first used, not at load
    suggested = viewer.js("Array.from(document.querySelectorAll('#pg-names option')).map(o => o.value)")
    names = {name for n in data.nodes for name in (n.zh, n.en, *n.aliases) if name}
    assert len(suggested) == len(set(suggested)) and set(suggested) == names
    assert {"河南省", "Henan Province", "河南", "Henan"} <= set(suggested)


def test_search_focuses_the_named_node(viewer: Loaded, data) -> None:
    # the second search finds a node the first one's highlight greyed out
    for record_id, language in (("henan", "zh"), ("p-1-1-1", "zh"), ("chongqing", "en")):
        node = next(n for n in data.nodes if n.record_id == record_id)
        name = node.zh if language == "zh" else node.en
        viewer.page.fill("#pg-search", name)
        viewer.page.press("#pg-search", "Enter")
        wanted = node_id(viewer, record_id)
        assert viewer.js("network.getSelectedNodes()") == [wanted]
        # the view is centred on it
        centre = viewer.js("network.getViewPosition()")
        position = viewer.js("id => network.getPositions([id])[id]", wanted)
        assert abs(centre["x"] - position["x"]) < 1 and abs(centre["y"] - position["y"]) < 1
        assert viewer.page.text_content("#pg-search-status") == f"→ {node.zh} / {node.en}"
    viewer.page.fill("#pg-search", "no such place 无此地")
    viewer.page.press("#pg-search", "Enter")
    assert viewer.page.text_content("#pg-search-status").startswith("未找到 Not found")
    viewer.page.click("#pg-reset")


def test_type_task_and_province_filters_hide_nodes(viewer: Loaded, data) -> None:
    ids = {n.iri: f"n{i}" for i, n in enumerate(data.nodes)}
    agencies = {ids[n.iri] for n in data.nodes if n.type_key == "Agency"}
    viewer.page.uncheck("#pg-legend input[data-type=Agency]")
    assert hidden_ids(viewer) == agencies
    hidden_edges = set(viewer.js("pgViewer.edges.get({filter: e => e.hidden}).map(e => e.id)"))
    expected_edges = {f"e{i}" for i, e in enumerate(data.edges) if {ids[e.source], ids[e.target]} & agencies}
    assert hidden_edges == expected_edges
    viewer.page.check("#pg-legend input[data-type=Agency]")
    assert hidden_ids(viewer) == set()

    task = data.tasks[1]
    viewer.page.select_option("#pg-task", "1")
    assert hidden_ids(viewer) == {ids[n.iri] for n in data.nodes if task.iri not in n.tasks}
    viewer.page.select_option("#pg-task", "")
    province = next(i for i, p in enumerate(data.provinces) if p.record_id == "henan")
    viewer.page.select_option("#pg-province", str(province))
    hidden = hidden_ids(viewer)
    shown = {n.record_id for n in data.nodes if ids[n.iri] not in hidden}
    assert "henan" in shown and "henan-housing" in shown and "chongqing" not in shown
    viewer.page.click("#pg-reset")
    assert hidden_ids(viewer) == set()


def test_click_highlights_the_neighbourhood(viewer: Loaded, data) -> None:
    viewer.js("network.fit()")
    target = node_id(viewer, "henan")
    viewer.js("id => network.focus(id, {scale: 1.5, animation: false})", target)
    point = viewer.js("id => network.canvasToDOM(network.getPositions([id])[id])", target)
    box = viewer.page.locator("#mynetwork").bounding_box()
    viewer.page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])
    assert viewer.js("network.getSelectedNodes()") == [target]
    neighbours = set(viewer.js("id => network.getConnectedNodes(id)", target))
    colours = viewer.js("pgViewer.nodes.get().reduce((o, n) => (o[n.id] = n.color, o), {})")
    greyed = {i for i, c in colours.items() if c == "rgba(200,200,200,0.5)"}
    assert neighbours and not neighbours & greyed and target not in greyed
    assert len(greyed) > len(data.nodes) / 2
    viewer.page.click("#pg-reset")
    assert not any(c == "rgba(200,200,200,0.5)" for c in viewer.js("pgViewer.nodes.get().map(n => n.color)"))


def test_tooltip_shows_labels_and_quote_as_text(viewer: Loaded) -> None:
    target = node_id(viewer, "p-1-1-1")
    title = viewer.js("id => pgViewer.nodes.get(id).title", target)
    # 1. 重庆市鼓励建筑企业培育“自有工人”。
    assert title.startswith("重庆市鼓励建筑企业培育“自有工人”\n") and "「重庆市鼓励建筑企业培育“自有工人”」" in title


def test_screenshot_is_not_blank(viewer: Loaded, tmp_path: Path) -> None:
    fonts = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True, check=False).stdout
    if not fonts.strip():
        unavailable("no CJK font (fonts-noto-cjk or fonts-wqy-microhei): Chinese would render as boxes")
    from PIL import Image

    box = viewer.page.locator("#mynetwork").bounding_box()
    assert box["x"] + box["width"] <= 1400  # the network fits beside the panel
    viewer.page.mouse.move(box["x"] + 3, box["y"] + box["height"] - 3)  # off every node: no tooltip
    viewer.js("network.fit()")
    target = Path(SCREENSHOT_DIR) if SCREENSHOT_DIR else tmp_path
    target.mkdir(parents=True, exist_ok=True)
    shot = target / "viewer.png"
    viewer.page.screenshot(path=str(shot))
    image = Image.open(shot).convert("RGB")
    graph_area = image.crop((int(box["x"]), 0, image.width, image.height))
    colours = graph_area.getcolors(maxcolors=1 << 20) or []
    assert len(colours) > 50  # nodes of many colours, edges and labels, not one flat fill
    background = max(colours)[0]
    assert background < graph_area.width * graph_area.height * 0.98
    panel = viewer.page.text_content("#pg-legend")
    assert "经验做法 Practice" in panel


def test_hostile_label_runs_nothing_and_shows_as_text(browser, tmp_path: Path) -> None:
    # A small graph (the label is the point, not the size): the hostile region beside 120 synthetic nodes.
    small = hostile_graph(synthetic_graph(120), practice=ID["synthetic-practice-0"])
    path = visualise.write_viewer(small, tmp_path / "hostile.html")
    loaded = open_viewer(browser, path)
    try:
        target = node_id(loaded, "hostile")
        loaded.page.fill("#pg-search", "<img src=x")
        loaded.page.press("#pg-search", "Enter")
        assert loaded.js("network.getSelectedNodes()") == [target]
        assert loaded.page.text_content("#pg-search-status") == f"→ {HOSTILE} / {HOSTILE_EN}"
        # hover: vis shows the title in its tooltip
        point = loaded.js("id => network.canvasToDOM(network.getPositions([id])[id])", target)
        box = loaded.page.locator("#mynetwork").bounding_box()
        loaded.page.mouse.move(box["x"] + point["x"] + 30, box["y"] + point["y"] + 30)
        loaded.page.mouse.move(box["x"] + point["x"], box["y"] + point["y"])
        loaded.wait("Boolean(document.querySelector('div.vis-tooltip')) && "
                    "document.querySelector('div.vis-tooltip').style.visibility !== 'hidden'", timeout=10)
        tooltip = loaded.js("document.querySelector('div.vis-tooltip').innerText")
        assert tooltip.startswith(HOSTILE + "\n" + HOSTILE_EN)
        provinces = loaded.js("Array.from(document.querySelectorAll('#pg-province option')).map(o => o.textContent)")
        assert f"{HOSTILE} {HOSTILE_EN}" in provinces
        time.sleep(0.5)
        assert loaded.dialogs == []
        assert loaded.js("window.pgPwned") is None
        assert loaded.js("document.querySelectorAll('img, a, iframe').length") == 0
        # pyvis's three, ours, and the data (view, nodes, edges) as JSON: the labels added none
        assert loaded.js("document.querySelectorAll('script').length") == 7
        assert all(url.startswith(("file:", "data:")) for url in loaded.requests)
        assert [m for m in loaded.messages if m[0] in {"error", "pageerror"}] == []
    finally:
        loaded.page.close()


def test_large_graph_mode_is_drawn_without_physics(browser, large_viewer, tmp_path: Path) -> None:
    data, page = large_viewer  # a synthetic graph of 1,500 nodes (conftest; test_visualise reads the page too)
    path = tmp_path / "large.html"
    path.write_text(page, encoding="utf-8")
    loaded = open_viewer(browser, path)
    try:
        assert loaded.js("pgViewer.nodes.length") == len(data.nodes) == 1500
        assert loaded.js("network.physics.options.enabled") is False
        first = loaded.js("network.getPositions(['n0'])['n0']")
        assert first == loaded.js("({x: pgViewer.nodes.get('n0').x, y: pgViewer.nodes.get('n0').y})")
        assert [m for m in loaded.messages if m[0] in {"error", "pageerror"}] == []
    finally:
        loaded.page.close()


def test_notebook_iframe_runs_the_same_page_offline(browser, data, tmp_path: Path) -> None:
    markup = visualise.show_inline(data, focus="henan", depth=1).data  # the module's viewer data
    path = tmp_path / "notebook-output.html"
    path.write_text(f'<!DOCTYPE html><meta charset="utf-8">{markup}', encoding="utf-8")
    page = browser.new_page()
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(path.as_uri())
        deadline = time.monotonic() + 60
        frame = None
        while frame is None or not frame.evaluate("Boolean(window.pgViewer && window.pgViewer.stable)"):
            assert time.monotonic() < deadline, "the iframe's viewer never stabilised"
            frame = next((f for f in page.frames if f != page.main_frame), None)
            time.sleep(0.05)
        expected = visualise.select(data, focus="henan", depth=1)
        assert frame.evaluate("pgViewer.nodes.length") == len(expected.nodes)
        assert all(url.startswith(("file:", "data:", "about:")) for url in requests), requests
        assert errors == []
    finally:
        page.close()
