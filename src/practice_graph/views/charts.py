"""Charts (PNG, matplotlib Agg, Chinese labels) and Gephi files (GraphML, GEXF) of the analysis.

Every function returns bytes; the caller writes them atomically. Outputs are deterministic:
sorted inputs, seeded layouts, PNG metadata without the software version, no GEXF date.
Chinese labels need a CJK font: a system one when installed, else Noto Sans CJK from the
``noto-cjk-sans-otc`` dependency; without either the charts are still drawn (see :func:`chart_font`).
"""

from __future__ import annotations

import json
import re
import sys
import warnings
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from practice_graph.core.paths import PACKAGE_DIR
from practice_graph.core.renders import cached_render, keep_render, libraries_state, matplotlib_settings, part_key
from practice_graph.core.stamp import tree_hash
from practice_graph.model.schema import load_model

if TYPE_CHECKING:
    import networkx as nx

    from practice_graph.views.analysis import PracticeData

CJK_FONTS = (
    "Noto Sans CJK SC",
    "WenQuanYi Micro Hei",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
    "Noto Sans CJK JP",
    "SimHei",
    "Microsoft YaHei",
)
CJK_FILE_HINTS = ("wqy", "notosanscjk", "sourcehansans", "simhei", "msyh")
# Noto Sans CJK (SIL OFL 1.1) from PyPI's noto-cjk-sans-otc: the collection Debian's fonts-noto-cjk ships.
PACKAGED_FONT = ("noto_cjk_sans_otc", "NotoSansCJK-Regular.ttc", "Noto Sans CJK SC")
FALLBACK_FONT = "DejaVu Sans"
NO_CJK_NOTICE = ("no CJK font found (system or the noto-cjk-sans-otc package): the charts' Chinese labels "
                 "show as boxes; pip install noto-cjk-sans-otc")
PNG_METADATA: dict[str, Any] = {"Software": None}
# zlib level 3: for these charts both faster and smaller than Pillow's default 6 (heatmap 0.20 -> 0.12 s, 501 -> 441 kB)
PNG_ENCODING = {"compress_level": 3}
LAYOUT_SEED = 7
DPI = 110
# The participant kinds of the co-participation chart, by the model class they belong to; their
# colour and legend are that class's viewer colour and labels, as in the viewer.
KIND_CLASSES = {"department-types": "Agency", "organization-kinds": "Organization", "region": "Region"}
_KIND_CLASSES = {key: load_model().classes[name] for key, name in KIND_CLASSES.items()}
KIND_COLOURS = {key: cls.viewer.colour for key, cls in _KIND_CLASSES.items() if cls.viewer}
KIND_LEGEND = {key: f"{cls.label.zh} {cls.label.en}" for key, cls in _KIND_CLASSES.items()}


@dataclass(frozen=True)
class ChartFont:
    """The font the charts draw with: its family, its file, and where it came from."""

    name: str
    path: str
    origin: str  # "system", "package" (noto-cjk-sans-otc) or "none" (no CJK font: Chinese shows as boxes)

    @property
    def has_cjk(self) -> bool:
        return self.origin != "none"


@lru_cache(maxsize=1)
def chart_font() -> ChartFont:
    """A system CJK font when one is installed, else the packaged Noto Sans CJK SC, else DejaVu Sans.

    Never fails: without any CJK font the charts are still drawn (callers tell the user, see
    :attr:`ChartFont.has_cjk`).
    """
    from matplotlib import font_manager

    def find(names: Iterable[str]) -> tuple[str, str] | None:
        for name in names:
            try:
                path = font_manager.findfont(font_manager.FontProperties(family=name), fallback_to_default=False)
            except ValueError:
                continue
            return name, path
        return None

    found = find(CJK_FONTS)
    if found is None:  # installed after matplotlib built its font cache
        for path in sorted(font_manager.findSystemFonts()):
            if any(hint in Path(path).name.lower() for hint in CJK_FILE_HINTS):
                font_manager.fontManager.addfont(path)
        found = find(CJK_FONTS)
    if found is not None:
        return ChartFont(*found, origin="system")
    packaged = _packaged_font_file()
    if packaged is not None:
        font_manager.fontManager.addfont(packaged)
        found = find([PACKAGED_FONT[2]])
        if found is not None:
            return ChartFont(*found, origin="package")
    return ChartFont(FALLBACK_FONT, font_manager.findfont(FALLBACK_FONT), origin="none")


def _packaged_font_file() -> str | None:
    from importlib.resources import files
    from importlib.util import find_spec

    package, file_name, _ = PACKAGED_FONT
    if find_spec(package) is None:
        return None
    path = files(package).joinpath(file_name)
    return str(path) if path.is_file() else None


def cjk_font() -> tuple[str, str]:
    """The family name and file of the charts' font (see :func:`chart_font`)."""
    font = chart_font()
    return font.name, font.path


def missing_glyphs(texts: Iterable[str], font_path: str | None = None) -> list[str]:
    """The characters of ``texts`` that the font (default: :func:`chart_font`) has no glyph for."""
    from matplotlib.font_manager import get_font

    font = get_font(font_path or chart_font().path)
    characters = sorted({c for text in texts for c in text if not c.isspace()})
    return [c for c in characters if font.get_char_index(ord(c)) == 0]


@contextmanager
def _drawing() -> Iterator[None]:
    """matplotlib settings for the charts; without a CJK font, one notice instead of a warning per glyph."""
    import matplotlib

    with matplotlib.rc_context(_rc()), warnings.catch_warnings():
        if not chart_font().has_cjk:
            warnings.filterwarnings("ignore", message=r"Glyph \d+ .*missing from font")
        yield


def _rc() -> dict[Any, Any]:  # matplotlib types its keys as a Literal of every rc name
    return {
        "font.family": "sans-serif",
        "font.sans-serif": [chart_font().name, FALLBACK_FONT],
        "axes.unicode_minus": False,
        "svg.hashsalt": "practice-graph",
        "path.simplify": True,
    }


def _png(figure: Any) -> bytes:
    """The figure drawn once at DPI and cut to what it draws with PAD_INCHES around: the picture
    ``savefig(bbox_inches="tight")`` gives, without the second draw it makes to measure every artist.
    A figure drawing up to its edge (a chart sized too small for its labels) is saved that way."""
    import io

    import numpy as np
    from matplotlib.colors import to_rgba
    from matplotlib.image import imsave

    figure.set_dpi(DPI)
    figure.canvas.draw()
    pixels = np.asarray(figure.canvas.buffer_rgba())
    background = np.round(np.array(to_rgba(figure.get_facecolor())) * 255).astype(pixels.dtype)
    # each pixel's four bytes compared as one 32-bit word (40x faster than any() over the colour axis)
    drawn = pixels.view(np.uint32)[..., 0] != background.view(np.uint32)[0]
    rows, columns = np.flatnonzero(drawn.any(axis=1)), np.flatnonzero(drawn.any(axis=0))
    buffer = io.BytesIO()
    height, width = drawn.shape
    clear_of_edges = rows.size and min(rows[0], columns[0]) > 0 and rows[-1] < height - 1 and columns[-1] < width - 1
    if clear_of_edges:
        pad = round(PAD_INCHES * DPI)
        framed = np.full((rows[-1] - rows[0] + 1 + 2 * pad, columns[-1] - columns[0] + 1 + 2 * pad, 4), background)
        framed[pad:-pad, pad:-pad] = pixels[rows[0]:rows[-1] + 1, columns[0]:columns[-1] + 1]
        imsave(buffer, framed, format="png", origin="upper", dpi=DPI, metadata=PNG_METADATA, pil_kwargs=PNG_ENCODING)
    else:
        figure.savefig(buffer, format="png", dpi=DPI, metadata=PNG_METADATA, bbox_inches="tight",
                       pad_inches=PAD_INCHES, pil_kwargs=PNG_ENCODING)
    return buffer.getvalue()


PAD_INCHES = 0.2


@dataclass(frozen=True)
class HeatmapTable:
    """What the region x mechanism heatmap draws: its rows and columns (labels) and each cell's count."""

    regions: tuple[str, ...]
    mechanisms: tuple[str, ...]
    counts: tuple[tuple[int, ...], ...]


def heatmap_table(data: PracticeData) -> HeatmapTable:
    """The heatmap's table: regions by province, mechanisms by category, practices per cell."""
    regions = sorted({r for r, _ in data.uses}, key=lambda r: (_province_key(data, r), r))
    mechanisms = sorted({m for _, m in data.uses},
                        key=lambda m: (data.mechanisms[m].category or "" if m in data.mechanisms else "", m))
    return HeatmapTable(
        tuple(_bilingual(_region_names(data, r)) for r in regions),
        tuple(_bilingual(_mechanism_names(data, m)) for m in mechanisms),
        tuple(tuple(len(data.uses[(r, m)].practices) if (r, m) in data.uses else 0 for m in mechanisms)
              for r in regions))


def heatmap_png(data: PracticeData | HeatmapTable) -> bytes:
    """Region x mechanism heatmap: cell = practices of the region using the mechanism."""
    table = data if isinstance(data, HeatmapTable) else heatmap_table(data)
    if not table.counts:
        return _no_data_png("地区 × 机制 Region × mechanism")
    with _drawing():
        return _png(heatmap_figure(table))


def heatmap_figure(data: PracticeData | HeatmapTable) -> Any:
    """The region x mechanism heatmap as a matplotlib Figure, its axes named in Chinese and English
    (河南省 Henan Province; 多部门联动 Multi-department coordination). Call inside :func:`_drawing`."""
    import matplotlib
    import numpy as np
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.collections import LineCollection
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties
    from matplotlib.markers import MarkerStyle
    from matplotlib.textpath import TextPath
    from matplotlib.transforms import Affine2D

    table = data if isinstance(data, HeatmapTable) else heatmap_table(data)
    regions, mechanisms, matrix = table.regions, table.mechanisms, table.counts
    # cells as large as ever; the figure holds them and its labels. It is made at a size that holds
    # labels of one em a character, so the renderer that measures the labels is the one that draws
    # them (a figure resized after measuring is drawn by a new renderer, which measures every label
    # again); the picture is cut to what it draws (_png), so the room to spare is not in it.
    width, height = 0.775 * (0.24 * len(mechanisms) + 5.5), 0.77 * (0.3 * len(regions) + 5.2)
    right, above = 1.5, 1.0
    room = (max(map(len, regions), default=0) * REGION_LABEL_SIZE / 72 * LABEL_EMS_ESTIMATE + 1.0,
            max(map(len, mechanisms), default=0) * MECHANISM_LABEL_SIZE / 72 * LABEL_EMS_ESTIMATE + 1.0)
    figure = Figure(figsize=(room[0] + width + right, room[1] + height + above), dpi=DPI)
    canvas = FigureCanvasAgg(figure)
    axes = figure.add_axes((0, 0, 1, 1))  # placed below, once its labels are measured
    top = max([1, *(value for row in matrix for value in row)])
    colours = matplotlib.colormaps["Blues"].resampled(top + 1)
    image = axes.imshow(matrix, aspect="auto", cmap=colours, vmin=-0.5, vmax=top + 0.5, interpolation="nearest")
    # each cell's count, centred in it: one marker artist per count drawn (its glyphs' outline, stamped
    # into every cell with that count), not a text artist per cell
    cells: dict[int, list[tuple[int, int]]] = {}
    for y, row in enumerate(matrix):
        for x, value in enumerate(row):
            if value:
                cells.setdefault(value, []).append((x, y))
    for value, places in sorted(cells.items()):
        glyphs = TextPath((0, 0), str(value), size=CELL_FONT_SIZE, prop=FontProperties())
        middle = glyphs.get_extents()
        outline = glyphs.transformed(Affine2D().translate(-(middle.x0 + middle.x1) / 2, -(middle.y0 + middle.y1) / 2))
        axes.plot([x for x, _ in places], [y for _, y in places], linestyle="", zorder=3,
                  marker=MarkerStyle(outline), markersize=2 * float(np.abs(outline.vertices).max()), markeredgewidth=0,
                  color="white" if value > top / 2 else "#1f3b57", scalex=False, scaley=False, gid=CELL_GID,
                  label=str(value))
    axes.set_xticks(range(len(mechanisms)))
    axes.set_xticklabels(mechanisms, rotation=90, fontsize=MECHANISM_LABEL_SIZE)
    axes.set_yticks(range(len(regions)))
    axes.set_yticklabels(regions, fontsize=REGION_LABEL_SIZE)
    axes.set_xlabel(HEATMAP_AXES[0], fontsize=10)
    axes.set_ylabel(HEATMAP_AXES[1], fontsize=10)
    # the lines between cells: one collection (minor ticks' grid lines would be an artist, ticks and labels each)
    axes.add_collection(LineCollection(
        [[(x - 0.5, -0.5), (x - 0.5, len(regions) - 0.5)] for x in range(1, len(mechanisms))]
        + [[(-0.5, y - 0.5), (len(mechanisms) - 0.5, y - 0.5)] for y in range(1, len(regions))],
        colors="#dddddd", linewidths=0.4, zorder=1.5), autolim=False)
    axes.set_title(HEATMAP_TITLE, fontsize=12)
    # the labels measured (drawn once, no tight pass): the axes are placed that far from the figure's
    # left and bottom edges, and the figure grows if they need more room than it has
    renderer = canvas.get_renderer()
    inches = DPI
    label_width = max(label.get_window_extent(renderer).width for label in axes.get_yticklabels()) / inches
    label_height = max(label.get_window_extent(renderer).height for label in axes.get_xticklabels()) / inches
    left, bottom = label_width + 1.0, label_height + 1.0
    if left > room[0] or bottom > room[1]:
        figure.set_size_inches(left + width + right, bottom + height + above)
    figure_width, figure_height = figure.get_size_inches()
    axes.set_position((left / figure_width, bottom / figure_height, width / figure_width, height / figure_height))
    colour_bar = figure.colorbar(image, ax=axes, fraction=0.02, pad=0.01, ticks=range(top + 1))
    colour_bar.set_label("做法数 practices")
    return figure


CELL_FONT_SIZE = 6.5  # points: the counts in the heatmap's cells
REGION_LABEL_SIZE, MECHANISM_LABEL_SIZE = 8.5, 7.5  # points: the heatmap's rows' and columns' labels
LABEL_EMS_ESTIMATE = 1.0  # the widest a label's character is taken to be, in ems, to make room for it
CELL_GID = "pg-cell-count"  # the gid of the heatmap's counts (one artist per count, the count its label)
HEATMAP_TITLE = "地区 × 机制（做法数）  Region × mechanism (number of practices)"
HEATMAP_AXES = ("机制 Mechanism", "地区 Region")


def _bilingual(names: tuple[str, str]) -> str:
    """A label in Chinese and English (one of them when the other is missing or the same)."""
    zh, en = names
    return zh if not en or en == zh else f"{zh} {en}" if zh else en


@dataclass(frozen=True)
class NetworkTable:
    """What the co-participation chart draws, in drawing order: the nodes (participant kind, Chinese
    and English label, arrangements) and the edges (two kinds, arrangements shared)."""

    nodes: tuple[tuple[str, str, str, int], ...]
    edges: tuple[tuple[str, str, int], ...]


def network_table(network: nx.Graph) -> NetworkTable:
    """The chart's table of the co-participation graph (``analysis.co_participation_graph``)."""
    return NetworkTable(
        tuple((node, attributes["label_zh"], attributes["label_en"], attributes["arrangements"])
              for node, attributes in network.nodes(data=True)),
        tuple((a, b, weight) for a, b, weight in network.edges(data="weight")))


def network_png(network: nx.Graph | NetworkTable) -> bytes:
    """The co-participation network of participant kinds (seeded layout, labels placed apart)."""
    table = network if isinstance(network, NetworkTable) else network_table(network)
    if not table.nodes:
        return _no_data_png("联合安排中的共同参与网络 Co-participation in joint arrangements")
    with _drawing():
        return _png(network_figure(table))


LABEL_GID = "pg-node-label"  # the gid of the node labels in the co-participation chart
LEADER_GID = "pg-leader-line"  # the gid of the lines from labels moved off their nodes to the nodes


def network_figure(network: nx.Graph | NetworkTable) -> Any:
    """The co-participation chart as a matplotlib Figure: nodes sized by arrangements, edges by
    shared arrangements, and each node's label (Chinese, English) moved by adjustText, with a fixed
    number of steps (so the same graph gives the same picture), until no two labels and no label
    and edge count overlap; a label moved off its node gets a thin line to it. Call inside
    :func:`_drawing` for the font. Laid out, not drawn (saving draws it; a draw is the dearest step):
    draw it, e.g. ``figure.draw_without_rendering()``, before reading where the labels' boxes are."""
    import networkx as nx
    from adjustText import adjust_text
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.collections import LineCollection
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    table = network if isinstance(network, NetworkTable) else network_table(network)
    graph = nx.Graph()  # the layout reads the nodes in order and the edges as a set
    graph.add_nodes_from(node for node, *_ in table.nodes)
    graph.add_edges_from((a, b) for a, b, _ in table.edges)
    start = nx.kamada_kawai_layout(graph, weight=None)
    positions = nx.spring_layout(graph, pos=start, weight=None, seed=LAYOUT_SEED, iterations=40,
                                 k=3.0 / max(1, len(graph)) ** 0.5)
    positions = {node: (round(float(x), 6), round(float(y), 6)) for node, (x, y) in positions.items()}
    figure = Figure(figsize=(14, 11), dpi=DPI)
    canvas = FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    # the graph is undirected: its edges are plain segments, one collection (not an artist each)
    axes.add_collection(LineCollection([[positions[a], positions[b]] for a, b, _ in table.edges],
                                       colors="#888888", linewidths=[0.6 + 0.9 * w for _, _, w in table.edges],
                                       alpha=0.55, zorder=1, capstyle="projecting"))
    counts = []
    for a, b, weight in table.edges:
        (x1, y1), (x2, y2) = positions[a], positions[b]
        if weight >= 2:
            counts.append(axes.text((x1 + x2) / 2, (y1 + y2) / 2, str(weight), fontsize=7, color="#333333",
                                    zorder=3.5, ha="center", va="center",
                                    bbox={"boxstyle": "circle,pad=0.15", "facecolor": "#f2f2f2",
                                          "edgecolor": "#999999", "linewidth": 0.4}))
    markers = []
    for node, _, _, arrangements in table.nodes:
        size = 120 + 90 * arrangements
        x, y = positions[node]
        (marker,) = axes.plot([x], [y], linestyle="", marker="o", markersize=size ** 0.5, zorder=3,
                              color=KIND_COLOURS[_scheme(node)], markeredgecolor="white")
        markers.append(marker)  # a Line2D: its extent is the marker's, which adjustText keeps labels off
    handles = [Line2D([0], [0], marker="o", linestyle="", markersize=9, color=colour, label=KIND_LEGEND[key])
               for key, colour in KIND_COLOURS.items()]
    axes.legend(handles=handles, loc="lower left", fontsize=9, frameon=False)
    axes.set_title("联合安排中的共同参与网络（边 = 共同参与的安排数）\n"
                   "Co-participation in joint arrangements (edge = arrangements shared)", fontsize=12)
    axes.set_axis_off()
    axes.margins(0.12)
    axes.autoscale_view()  # the limits are set (as a draw sets them): a label starts just above its node
    renderer = canvas.get_renderer()
    to_data = axes.transData.inverted()
    xs, ys, labels = [], [], []
    for (node, label_zh, label_en, _), marker in zip(table.nodes, markers, strict=True):
        x, y = positions[node]
        top = marker.get_window_extent(renderer).y1
        anchor = to_data.transform((axes.transData.transform((x, y))[0], top + 3))
        xs.append(x)
        ys.append(y)
        labels.append(axes.text(anchor[0], anchor[1], f"{label_zh}\n{label_en}",
                                ha="center", va="bottom", fontsize=LABEL_SIZE, zorder=6, gid=LABEL_GID,
                                bbox={"boxstyle": f"round,pad={LABEL_PAD}", "facecolor": "white",
                                      "edgecolor": "none", "alpha": 0.8}))
    adjust_text(labels, x=xs, y=ys, target_x=xs, target_y=ys, objects=markers + counts, avoid_self=False, ax=axes,
                iter_lim=LABEL_STEPS, expand=(1.12, 1.3), ensure_inside_axes=True)
    axes.add_collection(LineCollection(_leader_lines(axes, labels, list(zip(xs, ys, strict=True)), renderer),
                                       colors="#666666", linewidths=0.5, zorder=1, capstyle="butt",
                                       gid=LEADER_GID), autolim=False)
    return figure


LABEL_SIZE = 7.5  # points
LABEL_PAD = 0.15  # the label's white box around its text, in font sizes
LEADER_MIN = 5  # pixels: a label this close to its node (or closer) needs no line to it
LEADER_GAPS = (2, 4)  # points left free at the label's box and at the node's centre


def _leader_lines(axes: Any, labels: list[Any], targets: list[tuple[float, float]],
                  renderer: Any) -> list[list[tuple[float, float]]]:
    """A straight line (data coordinates) from each label moved off its node to that node: from the
    edge of the label's box to just short of the node's centre, for labels whose box is at least
    LEADER_MIN pixels from the node along x or y (as adjustText's connecting lines, which it draws as
    arrow patches clipped by repeated hit tests: the dearest part of the chart)."""
    to_display, to_data = axes.transData.transform, axes.transData.inverted().transform
    pad = LABEL_PAD * LABEL_SIZE * DPI / 72
    gap_label, gap_node = (gap * DPI / 72 for gap in LEADER_GAPS)
    lines = []
    for label, target in zip(labels, targets, strict=True):
        box = label.get_window_extent(renderer)
        tx, ty = to_display(target)
        apart = max(min(abs(box.x0 - tx), abs(box.x1 - tx)), min(abs(box.y0 - ty), abs(box.y1 - ty)))
        if apart < LEADER_MIN:
            continue
        cx, cy = (box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2
        dx, dy = tx - cx, ty - cy
        length = (dx * dx + dy * dy) ** 0.5
        half_width, half_height = box.width / 2 + pad, box.height / 2 + pad
        leave = min(half_width / abs(dx) if dx else float("inf"), half_height / abs(dy) if dy else float("inf"))
        start, end = leave * length + gap_label, length - gap_node  # distances from the box's centre
        if end <= start:
            continue
        lines.append([tuple(to_data((cx + dx * t / length, cy + dy * t / length))) for t in (start, end)])
    return lines


LABEL_STEPS = 300  # adjustText's steps: a fixed count (its default is a time limit, which varies by machine)


# ------------------------------------------------------------------------------------ kept charts
# What a chart depends on besides its table: the package (this code, the model's colours), these
# libraries (by version), matplotlib's configuration files and environment, and the font (by file).
CHART_LIBRARIES = ("matplotlib", "adjustText", "networkx", "numpy", "scipy", "pillow", "noto-cjk-sans-otc")
Chart = tuple[HeatmapTable | NetworkTable, Callable[[], bytes]]


def kept_charts(charts: dict[str, Chart], reuse: bool = True) -> dict[str, bytes]:
    """Each chart (file name: its table and the function drawing it from that table), read from the
    cache of renders where the same table was drawn before by the same code, libraries, configuration
    and font (with ``reuse``), else drawn and kept there: a changed graph redraws only the charts
    whose tables changed. The keys are made before anything is drawn (drawing loads matplotlib)."""
    keys = {name: part_key(_chart_environment(), name, json.dumps(asdict(table), ensure_ascii=False).encode())
            for name, (table, _) in charts.items()}
    read: list[str] | None = []
    if "matplotlib" in sys.modules:  # a notebook or a test may have changed matplotlib's fonts since
        read = chart_font_files()
    drawn: dict[str, bytes] = {}
    for name, (_, draw) in charts.items():
        kept = cached_render(keys[name], name, read=read) if reuse and read is not None else None
        if kept is not None and set(kept) == {name}:
            drawn[name] = kept[name]
            continue
        drawn[name] = draw()
        font_files = chart_font_files()
        if font_files is not None:
            keep_render(keys[name], name, {name: drawn[name]}, font_files)
    return drawn


@lru_cache(maxsize=1)
def _chart_environment() -> str:
    parts = [f"package {tree_hash(PACKAGE_DIR)}", *libraries_state(CHART_LIBRARIES), *matplotlib_settings()]
    return "\n".join(parts)


def chart_font_files() -> list[str] | None:
    """The files the charts' font came from (the font, matplotlib's font list), or None when a chart
    must not be kept: the font is not one matplotlib lists (a packaged font, or none, may change when
    a system font is installed). Imports matplotlib."""
    import matplotlib

    font = chart_font()
    if font.origin != "system":
        return None
    return [str(font.path), *sorted(str(path) for path in Path(matplotlib.get_cachedir()).glob("fontlist-*.json"))]


def _no_data_png(title: str) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    with _drawing():
        figure = Figure(figsize=(6, 2))
        FigureCanvasAgg(figure)
        axes = figure.add_subplot()
        axes.set_axis_off()
        axes.text(0.5, 0.5, f"{title}\n图中无此数据 No such data in the graph", ha="center", va="center")
        return _png(figure)


def chart_texts(data: PracticeData, network: nx.Graph) -> list[str]:
    """Every text the charts draw (a test checks the font has their glyphs)."""
    texts = [_bilingual(_region_names(data, r)) for r, _ in data.uses]
    texts += [_bilingual(_mechanism_names(data, m)) for _, m in data.uses]
    texts += list(HEATMAP_AXES)
    texts += [network.nodes[n]["label_zh"] for n in network.nodes]
    texts += [network.nodes[n]["label_en"] for n in network.nodes]
    texts += list(KIND_LEGEND.values())
    texts += [HEATMAP_TITLE, "做法数 practices",
              "联合安排中的共同参与网络（边 = 共同参与的安排数）", "图中无此数据 No such data in the graph"]
    return texts


def _scheme(kind: str) -> str:
    return kind.split("/", 1)[0] if "/" in kind else "region"


def _province_key(data: PracticeData, region: str) -> str:
    return data.regions[region].province if region in data.regions else region


def _mechanism_names(data: PracticeData, mechanism: str) -> tuple[str, str]:
    if mechanism not in data.mechanisms:
        return mechanism, ""
    label = data.mechanisms[mechanism].label
    return label.zh, label.en


def _region_names(data: PracticeData, region: str) -> tuple[str, str]:
    label = data.region_label(region)
    return label.zh, label.en


# ------------------------------------------------------------------------------------ Gephi files
def _scalar_graph(graph: nx.Graph) -> nx.Graph:
    """A copy whose attribute values are all str, int, float or bool (GraphML and GEXF need that)."""
    def clean(attributes: dict[str, Any]) -> dict[str, Any]:
        return {key: value if isinstance(value, (str, int, float, bool)) else str(value)
                for key, value in attributes.items() if value is not None}

    copy = graph.__class__()
    copy.graph.update(clean(graph.graph))
    for node, attributes in graph.nodes(data=True):
        copy.add_node(node, **clean(attributes))
    if graph.is_multigraph():
        for a, b, key, attributes in graph.edges(keys=True, data=True):
            copy.add_edge(a, b, key=key, **clean(attributes))
    else:
        for a, b, attributes in graph.edges(data=True):
            copy.add_edge(a, b, **clean(attributes))
    return copy


def graphml_bytes(graph: nx.Graph) -> bytes:
    """GraphML (UTF-8), deterministic for a graph built in sorted order."""
    import networkx as nx

    return _xml("\n".join(nx.generate_graphml(_scalar_graph(graph), encoding="utf-8", prettyprint=True)))


def gexf_bytes(graph: nx.Graph) -> bytes:
    """GEXF 1.2 (UTF-8) without networkx's last-modified date (so the same graph gives the same bytes)."""
    import networkx as nx

    text = "\n".join(nx.generate_gexf(_scalar_graph(graph), encoding="utf-8", prettyprint=True))
    return _xml(re.sub(r' lastmodifieddate="[^"]*"', "", text))


def _xml(text: str) -> bytes:
    declaration = '<?xml version="1.0" encoding="UTF-8"?>'
    body = text.strip()
    if not body.startswith("<?xml"):
        body = declaration + "\n" + body
    return (body + "\n").encode("utf-8")
