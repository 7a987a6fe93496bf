"""Chinese glyphs in the charts without a system font: the packaged Noto Sans CJK draws them, a
system font is used when present, and no font at all is a warning, never a failed build."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path

import matplotlib
import pytest
from click.testing import CliRunner
from matplotlib import font_manager

from practice_graph.cli import main
from practice_graph.core.paths import NTRIPLES
from practice_graph.sparql.store import oxigraph_store
from practice_graph.views import analysis, charts


@pytest.fixture(scope="module")
def data(built) -> analysis.PracticeData:
    return analysis.read_practice_data(oxigraph_store(built.files[NTRIPLES]))


def _reset() -> None:
    font_manager.fontManager._findfont_cached.cache_clear()
    charts.chart_font.cache_clear()


@pytest.fixture
def no_system_fonts(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """matplotlib sees only its own fonts, as on a machine where the system has none."""
    bundled = Path(matplotlib.get_data_path()).resolve()
    own = [entry for entry in font_manager.fontManager.ttflist if Path(entry.fname).resolve().is_relative_to(bundled)]
    monkeypatch.setattr(font_manager.fontManager, "ttflist", own)
    monkeypatch.setattr(font_manager, "findSystemFonts", lambda *args, **kwargs: [])
    _reset()
    yield
    monkeypatch.undo()
    _reset()


def test_without_system_fonts_the_packaged_noto_sans_cjk_sc_is_used(no_system_fonts, data) -> None:
    font = charts.chart_font()
    assert (font.name, font.origin) == ("Noto Sans CJK SC", "package")
    assert "noto_cjk_sans_otc" in Path(font.path).parts
    texts = charts.chart_texts(data, analysis.co_participation_graph(data))
    assert "住房和城乡建设" in texts and "河南省 Henan Province" in texts
    assert charts.missing_glyphs(texts) == []


def test_without_system_fonts_the_charts_draw_every_glyph(no_system_fonts, data) -> None:
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*[Gg]lyph.*")
        assert charts.heatmap_png(data).startswith(b"\x89PNG")
        assert charts.network_png(analysis.co_participation_graph(data)).startswith(b"\x89PNG")


def test_a_system_cjk_font_is_used_when_present() -> None:
    _reset()
    system = [entry for entry in font_manager.fontManager.ttflist
              if entry.name in charts.CJK_FONTS and "site-packages" not in entry.fname]
    if not system:
        pytest.skip("no system CJK font on this machine")
    font = charts.chart_font()
    assert font.origin == "system" and "site-packages" not in font.path


def test_no_cjk_font_at_all_is_a_warning_and_the_analysis_is_written(no_system_fonts, seeded_cache, monkeypatch,
                                                                     tmp_path) -> None:
    # ``analyze`` reads the session's build from the tests' cache (conftest)
    monkeypatch.setattr(charts, "_packaged_font_file", lambda: None)
    _reset()
    assert charts.chart_font().origin == "none"
    result = CliRunner().invoke(main, ["analyze", "--out", str(tmp_path / "analysis")])
    assert result.exit_code == 0, result.output
    assert f"warning: {charts.NO_CJK_NOTICE}" in result.output
    assert (tmp_path / "analysis" / "co_participation.png").read_bytes().startswith(b"\x89PNG")
    assert (tmp_path / "analysis" / "report.md").is_file()
