"""The cache of renders: kept files come back byte for byte, and only while nothing they depend on changed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from practice_graph.core import renders
from practice_graph.core.paths import JSONLD, NTRIPLES, VIEWER_FILE
from practice_graph.pipeline import Built, render_key

from .conftest import PROJECT

FILES = {"report.md": "# 报告\n".encode(), "charts/a.png": b"\x89PNG\x00\x01"}


def test_a_kept_render_comes_back_byte_for_byte(tmp_path: Path) -> None:
    assert renders.keep_render("key-1", "analysis", FILES, root=tmp_path)
    assert renders.cached_render("key-1", "analysis", root=tmp_path) == FILES
    assert renders.cached_render("key-2", "analysis", root=tmp_path) is None  # another graph, code or library
    assert renders.cached_render("key-1", "viewer", root=tmp_path) is None  # another render of the same graph


def test_a_changed_input_or_file_is_not_used(tmp_path: Path) -> None:
    font = tmp_path / "font.ttc"
    font.write_bytes(b"glyphs")
    renders.keep_render("key", "analysis", FILES, [font], root=tmp_path)
    assert renders.cached_render("key", "analysis", read=[font], root=tmp_path) == FILES
    assert renders.cached_render("key", "analysis", read=[tmp_path / "other-font.ttc"], root=tmp_path) is None
    font.write_bytes(b"other glyphs")
    assert renders.cached_render("key", "analysis", root=tmp_path) is None

    renders.keep_render("key", "analysis", FILES, [font], root=tmp_path)
    kept = next(path for path in (tmp_path / "renders").rglob("a.png"))
    kept.write_bytes(b"\x89PNG\x00\x02")  # damaged
    assert renders.cached_render("key", "analysis", root=tmp_path) is None


def test_only_the_most_recent_renders_are_kept(tmp_path: Path) -> None:
    for number in range(renders.KEEP + 3):
        renders.keep_render(f"key-{number}", "viewer", {"page.html": b"<p>"}, root=tmp_path)
        entry = next(p for p in (tmp_path / "renders").iterdir() if renders.cached_render(f"key-{number}", "viewer",
                                                                                            root=tmp_path))
        os.utime(entry / renders.MANIFEST, (number, number))  # each one older than the next
    assert len(list((tmp_path / "renders").iterdir())) == renders.KEEP
    assert renders.cached_render("key-0", "viewer", root=tmp_path) is None
    assert renders.cached_render(f"key-{renders.KEEP + 2}", "viewer", root=tmp_path) is not None


def test_the_key_names_the_graph(built: Built) -> None:
    key = render_key(built.files[NTRIPLES])
    assert key == render_key(built.files[NTRIPLES])
    assert key != render_key(built.files[NTRIPLES] + b"<urn:a> <urn:b> <urn:c> .\n")


def test_a_build_from_kept_renders_draws_nothing_and_writes_the_same_bytes(rendered_analysis, kept_shacl_verdict,
                                                                          tmp_path: Path) -> None:
    """A second build reads the JSON-LD, analysis and viewer back, and SHACL's verdict: matplotlib, pyvis,
    networkx and the SHACL engines are not even imported.

    (The first reads the analysis the session drew and the session's SHACL verdict, and draws the viewer
    and the JSON-LD.)"""
    script = ("import sys; from practice_graph.cli import main\n"
              "try:\n    main(sys.argv[1:])\nexcept SystemExit as done:\n    assert not done.code, done.code\n"
              "print(sorted(m for m in ('matplotlib', 'pyvis', 'scipy', 'networkx', 'pyshacl', 'pyshacl_turbo')"
              " if m in sys.modules))")
    env = {**os.environ, "PYTHONPATH": str(PROJECT / "src")}
    outputs, imported = [], []
    for number in (1, 2):
        out = tmp_path / f"out{number}"
        done = subprocess.run([sys.executable, "-c", script, "build", "--out", str(out)], cwd=tmp_path, env=env,
                              check=True, capture_output=True, text=True)
        imported.append(done.stdout.strip().splitlines()[-1])
        outputs.append({path.relative_to(out).as_posix(): path.read_bytes()
                        for path in sorted(out.rglob("*")) if path.is_file()})
    assert outputs[0] == outputs[1]
    assert {JSONLD, VIEWER_FILE, "analysis/co_participation.png", "analysis/report.html"} <= set(outputs[1])
    assert imported[1] == "[]"


def test_analysis_file_is_the_file_analyze_writes(seeded_cache: Path, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from practice_graph.api import analysis_file
    from practice_graph.cli import main

    result = CliRunner().invoke(main, ["analyze", "--out", str(tmp_path / "analysis")])
    assert result.exit_code == 0, result.output
    for name in ("co_participation.png", "region_mechanism_heatmap.png", "report.md"):
        assert analysis_file(name) == (tmp_path / "analysis" / name).read_bytes()
    with pytest.raises(KeyError, match=r"report\.md"):
        analysis_file("heatmap.png")


def test_the_render_key_names_every_library_the_views_import() -> None:
    """A library a view starts to use (and so may change what a render writes) must be in the key."""
    import ast
    from importlib.metadata import packages_distributions

    from practice_graph.pipeline import RENDER_LIBRARIES

    package = PROJECT / "src" / "practice_graph"
    distributions = packages_distributions()
    imported = set()
    for path in [*(package / "views").glob("*.py"), package / "rdf" / "export.py"]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules = [node.module]
            else:
                continue
            for module in modules:
                top = module.split(".")[0]
                if top not in sys.stdlib_module_names and top != "practice_graph":
                    imported |= {name.lower() for name in distributions.get(top, [top])}
    notebook_only = {"ipython"}  # IPython's display, for notebooks: no render reads it
    assert imported - notebook_only <= {name.lower() for name in RENDER_LIBRARIES}


def test_one_changed_table_redraws_one_chart(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each chart is kept by its table: a graph whose heatmap changed and whose network did not redraws
    the heatmap only; ``reuse=False`` draws both."""
    from practice_graph.core.cache import CACHE_ENV
    from practice_graph.views import charts

    if charts.chart_font().origin != "system":
        pytest.skip("charts drawn with a packaged font (or none) are not kept")
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    drawn: list[str] = []

    def chart(table: charts.HeatmapTable | charts.NetworkTable, content: str) -> charts.Chart:
        return table, lambda: drawn.append(content) or content.encode()

    heatmap = charts.HeatmapTable(("河南省 Henan Province",), ("部门协同联动机制 Interdepartmental coordination "
                                                             "mechanism",), ((2,),))
    network = charts.NetworkTable((("department-types/hrss", "人力资源和社会保障", "Human resources", 3),
                                   ("department-types/trade-union", "工会", "Trade union", 2)),
                                  (("department-types/hrss", "department-types/trade-union", 2),))
    first = charts.kept_charts({"heatmap.png": chart(heatmap, "heatmap"), "network.png": chart(network, "network")})
    assert first == {"heatmap.png": b"heatmap", "network.png": b"network"} and drawn == ["heatmap", "network"]

    changed = charts.HeatmapTable(heatmap.regions, heatmap.mechanisms, ((3,),))
    again = charts.kept_charts({"heatmap.png": chart(changed, "heatmap 3"), "network.png": chart(network, "unused")})
    assert again == {"heatmap.png": b"heatmap 3", "network.png": b"network"}
    assert drawn == ["heatmap", "network", "heatmap 3"]

    fresh = charts.kept_charts({"heatmap.png": chart(changed, "heatmap 3"), "network.png": chart(network, "network")},
                               reuse=False)
    assert fresh == {"heatmap.png": b"heatmap 3", "network.png": b"network"} and drawn[3:] == ["heatmap 3", "network"]


def test_the_chart_key_names_every_library_the_charts_import() -> None:
    import ast
    from importlib.metadata import packages_distributions

    from practice_graph.views import charts

    distributions = packages_distributions()
    imported = set()
    for node in ast.walk(ast.parse(Path(charts.__file__).read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import | ast.ImportFrom):
            modules = [alias.name for alias in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            for module in modules:
                top = module.split(".")[0]
                if top and top not in sys.stdlib_module_names and top != "practice_graph":
                    imported |= {name.lower() for name in distributions.get(top, [top])}
    assert imported <= {name.lower() for name in charts.CHART_LIBRARIES}
