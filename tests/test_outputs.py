"""Outputs people can share: the permissions of a normally created file, CSV files that Excel opens
with the Chinese intact, and the analysis report as one self-contained HTML file."""

from __future__ import annotations

import html
import os
import re
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from practice_graph.core.files import write_atomically, write_outputs


@pytest.fixture
def umask() -> Iterator[object]:
    """Set the process umask for one test; restored afterwards."""
    previous = os.umask(0o022)

    def set_mask(mask: int) -> None:
        os.umask(mask)

    yield set_mask
    os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_written_files_are_0644_under_umask_022(umask, tmp_path: Path) -> None:
    umask(0o022)
    write_atomically(tmp_path / "a.nt", b"x\n")
    written = write_outputs(tmp_path / "dist", {"report.md": b"r", "analysis/table.csv": b"c"})
    for path in [tmp_path / "a.nt", *written]:
        assert mode(path) == 0o644, (path, oct(mode(path)))


def test_the_umask_is_respected(umask, tmp_path: Path) -> None:
    umask(0o077)
    write_atomically(tmp_path / "private.nt", b"x\n")
    assert mode(tmp_path / "private.nt") == 0o600
    umask(0o002)
    write_atomically(tmp_path / "group.nt", b"x\n")
    assert mode(tmp_path / "group.nt") == 0o664


def test_rewriting_a_file_gives_it_the_normal_mode(umask, tmp_path: Path) -> None:
    # An output left at 0600 by an earlier version becomes readable at the next build.
    umask(0o022)
    target = tmp_path / "old.ttl"
    target.write_bytes(b"old")
    target.chmod(0o600)
    write_atomically(target, b"new")
    assert mode(target) == 0o644 and target.read_bytes() == b"new"


# ------------------------------------------------------------------------------ CSV and HTML report
@pytest.fixture(scope="module")
def rendered(rendered_analysis) -> dict[str, bytes]:
    return rendered_analysis  # the session's render of the built graph's analysis (conftest)


def test_csv_files_are_utf8_with_a_byte_order_mark(rendered) -> None:
    import csv
    import io

    tables = {name: content for name, content in rendered.items() if name.endswith(".csv")}
    assert len(tables) >= 10
    for name, content in tables.items():
        assert content.startswith(b"\xef\xbb\xbf"), name
    rows = list(csv.DictReader(io.StringIO(rendered["region_rollup.csv"].decode("utf-8-sig"))))
    # The source's practices led by "河南省固始县…" and "河南省林州市…" count for 河南省.
    henan = next(row for row in rows if row["region"] == "henan")
    assert henan["region_zh"] == "河南省" and henan["is_province"] == "True"
    assert "固始县:" in henan["by_region"] and "林州市:" in henan["by_region"]
    assert next(iter(rows[0])) == "region"  # the mark is not part of the first column's name


def test_html_report_is_one_offline_file_with_the_charts_inside(rendered) -> None:
    import base64

    page = rendered["report.html"].decode("utf-8")
    assert page.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in page
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    sources = re.findall(r'\ssrc="([^"]*)"', page)
    assert len(sources) == 2 and all(src.startswith("data:image/png;base64,") for src in sources)
    images = {base64.b64decode(src.split(",", 1)[1]) for src in sources}
    assert images == {rendered["region_mechanism_heatmap.png"], rendered["co_participation.png"]}
    assert not re.search(r'\s(?:src|href)="(?:https?:)?//', page)


def test_html_report_links_land_inside_the_page_or_beside_it(rendered) -> None:
    page = rendered["report.html"].decode("utf-8")
    anchors = set(re.findall(r'\sid="([^"]+)"', page))
    targets = re.findall(r'\shref="([^"]+)"', page)
    inside = [t[1:] for t in targets if t.startswith("#")]
    assert "p-4-1-1" in inside and set(inside) <= anchors
    beside = {t for t in targets if not t.startswith("#")}
    assert beside and beside <= set(rendered), beside - set(rendered)


def test_html_report_holds_the_same_tables_and_quotes(rendered) -> None:
    page = rendered["report.html"].decode("utf-8")
    markdown = rendered["report.md"].decode("utf-8")
    table_rows = sum(1 for line in markdown.splitlines() if line.startswith("| ") and not line.startswith("|---"))
    assert page.count("<tr>") == table_rows
    assert "「人社部门牵头」" in page and "河南省" in page


def test_html_report_shows_a_hostile_label_as_text(built) -> None:
    import pyoxigraph as ox
    from rdflib import RDFS

    from practice_graph.core.namespaces import ID
    from practice_graph.core.paths import NTRIPLES
    from practice_graph.sparql.store import oxigraph_store
    from practice_graph.views.analysis import analyse
    from practice_graph.views.report import REPORT, REPORT_HTML, report_html, report_markdown

    graph = oxigraph_store(built.files[NTRIPLES])  # the built graph, with Henan's Chinese label made hostile
    hostile = '<img src=x onerror="alert(1)">&amp;'
    henan, label = ox.NamedNode(str(ID["henan"])), ox.NamedNode(str(RDFS.label))
    chinese = ox.Quad(henan, label, ox.Literal("河南省", language="zh"), ox.DefaultGraph())
    assert chinese in graph
    graph.remove(chinese)
    graph.add(ox.Quad(henan, label, ox.Literal(hostile, language="zh"), ox.DefaultGraph()))
    # the report as render_analysis writes it, without drawing the charts it links
    page = report_html(report_markdown(analyse(graph), [REPORT, REPORT_HTML]), {})
    assert "<img src=x" not in page and "onerror=\"alert" not in page
    assert html.escape(hostile) in page  # shown as written, the &amp; included
