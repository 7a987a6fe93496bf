"""The command line: stats, query listing and formats, parameters bound safely, the built graph it reads."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from practice_graph.cli import main
from practice_graph.core.cache import CACHE_ENV
from practice_graph.sparql.query import display_width, format_table, named_queries
from tests.conftest import DATA, ONTOLOGY, PROJECT

# Commands read the session's build from the tests' cache (conftest), never the working folder's dist/.
pytestmark = pytest.mark.usefixtures("seeded_cache")

# 重庆 一(一)1 "加强住房城乡建设、发展改革、人力资源社会保障、总工会等部门联动"; 成都 三(三)2 "市住房城乡建设局会同
# 市人社局、市总工会"; 内江 三(三)3 "市住房城乡建设局联合人社局、总工会、建筑业协会"; 广州 四(一)2 "市住房城乡建设局联合
# 人社、工会等职能部门".
CQ04_REGIONS = {"重庆市", "成都市", "内江市", "广州市"}
NOTICE = re.compile(r"building the graph \((?P<reason>[a-z, ]+)\) \.\.\. done in \d+\.\d s\n")

COMPETENCY_QUESTIONS = ["evidence", "inventory", *[f"cq{n:02d}" for n in range(1, 16)]]  # cq15: the instrument mix


def run(*args: str):
    result = CliRunner().invoke(main, list(args))
    return result


def test_stats_counts_every_class() -> None:
    result = run("stats")
    assert result.exit_code == 0, result.output
    counts = dict(line.split("\t") for line in result.output.splitlines() if "\t" in line)
    assert counts["pg:WorkTask"] == "5"
    assert counts["pg:Measure"] == "16"
    assert counts["pg:Practice"] == "47"
    for name in ("pg:Region", "pg:Agency", "pg:Organization", "pg:Platform", "pg:PolicyDocument", "pg:Brand",
                 "pg:Event", "pg:Indicator", "pg:Mechanism", "pg:JointArrangement"):
        assert int(counts[name]) > 0, name


def test_every_competency_question_ships_as_a_named_query() -> None:
    names = sorted(query.name for query in named_queries())
    assert names == sorted(COMPETENCY_QUESTIONS)
    for query in named_queries():
        assert query.question, query.name
        assert any("\u4e00" <= char <= "\u9fff" for char in query.question), query.name  # Chinese too


def test_query_list() -> None:
    result = run("query", "--list")
    assert result.exit_code == 0
    assert sum(1 for line in result.output.splitlines() if line.startswith("cq")) == 15


def test_query_json_is_sparql_results_json() -> None:
    result = run("query", "cq01", "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document["head"]["vars"] == ["tasks", "measures", "practices"]
    binding = document["results"]["bindings"][0]
    assert binding["practices"]["value"] == "47"
    assert binding["practices"]["datatype"] == "http://www.w3.org/2001/XMLSchema#integer"


def test_query_csv_has_the_result_variables_in_order() -> None:
    result = run("query", "cq03", "--format", "csv")
    assert result.exit_code == 0
    assert result.output.splitlines()[0] == "region,regionLabel,level,province,provinceLabel"


def test_table_aligns_chinese_by_display_width() -> None:
    assert display_width("河南省") == 6
    table = format_table(["a", "b"], [["河南省", "x"], ["ab", "y"]])
    lines = table.splitlines()
    # 3 wide characters take 6 columns, not 3: x and y stand in the same terminal column
    assert display_width(lines[2][: lines[2].index("x")]) == display_width(lines[3][: lines[3].index("y")]) == 8


def test_evidence_parameter_is_bound_not_pasted() -> None:
    result = run("query", "evidence", "--param", "node=gushi", "--format", "json")
    assert result.exit_code == 0, result.output
    quotes = [b["quote"]["value"] for b in json.loads(result.output)["results"]["bindings"]]
    assert "河南省固始县" in quotes
    hostile = '"} ; DROP ALL ; SELECT * WHERE { ?s ?p ?o } #'
    result = run("query", "evidence", "--param", f"node={hostile}", "--format", "json")
    # Not a node of the graph: one line and exit 2 (issue 15), the text never reaches the query.
    assert result.exit_code == 2, result.output
    assert result.stdout == "" and "not a node in the graph" in result.stderr


def test_missing_required_parameter_and_bad_query_exit_2(tmp_path) -> None:
    result = run("query", "evidence")
    assert result.exit_code == 2
    assert "--param node" in result.stderr
    bad = tmp_path / "bad.rq"
    bad.write_text("SELECT * WHERE { ?s ?p }", encoding="utf-8")
    result = run("query", str(bad))
    assert result.exit_code == 2
    assert "bad.rq" in result.stderr
    result = run("query", "no-such-query")
    assert result.exit_code == 2


# ---------------------------------------------------------------------------- the built graph it reads

def query_cq04(cwd: Path, package_root: Path = PROJECT, **env: str) -> subprocess.CompletedProcess[str]:
    """``practice-graph query cq04 --format csv`` as a whole process, run in ``cwd``."""
    environment = {**os.environ, "PYTHONPATH": str(package_root / "src"), **env}
    return subprocess.run([sys.executable, "-m", "practice_graph.cli", "query", "cq04", "--format", "csv"],
                          cwd=cwd, env=environment, capture_output=True, text=True, check=False, timeout=300)


def cq04_regions(output: str) -> set[str]:
    return {row["regionLabel"] for row in csv.DictReader(io.StringIO(output))}


@pytest.mark.parametrize("where", ["subfolder", "notebooks"])
def test_query_anywhere_reads_the_current_build(where: str, tmp_path: Path) -> None:
    cwd = tmp_path / "a" / "sub" / "folder" if where == "subfolder" else PROJECT / "notebooks"
    cwd.mkdir(parents=True, exist_ok=True)
    done = query_cq04(cwd)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""  # no notice: the cached build is current, nothing was rebuilt
    assert cq04_regions(done.stdout) == CQ04_REGIONS
    assert not (cwd / "dist").exists()


def test_edited_code_is_rebuilt_once_with_one_notice(seeded_cache: Path, tmp_path: Path) -> None:
    # A copy of the package beside links to the real data and ontology, with a cache of its own.
    checkout = tmp_path / "checkout"
    shutil.copytree(PROJECT / "src" / "practice_graph", checkout / "src" / "practice_graph",
                    ignore=shutil.ignore_patterns("__pycache__"))
    (checkout / "data").symlink_to(DATA)
    (checkout / "ontology").symlink_to(ONTOLOGY)
    (checkout / "pyproject.toml").symlink_to(PROJECT / "pyproject.toml")  # what marks a checkout (core.paths)
    cache = tmp_path / "cache"
    shutil.copytree(seeded_cache, cache)
    module = checkout / "src" / "practice_graph" / "core" / "paths.py"

    os.utime(module)  # touched, not changed: same content, same build
    done = query_cq04(tmp_path, checkout, **{CACHE_ENV: str(cache)})
    assert (done.returncode, done.stderr) == (0, "")
    assert cq04_regions(done.stdout) == CQ04_REGIONS

    module.write_text(module.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    done = query_cq04(tmp_path, checkout, **{CACHE_ENV: str(cache)})
    assert done.returncode == 0, done.stderr
    notice = NOTICE.fullmatch(done.stderr)
    assert notice and notice["reason"] == "code changed", done.stderr
    assert cq04_regions(done.stdout) == CQ04_REGIONS

    done = query_cq04(tmp_path, checkout, **{CACHE_ENV: str(cache)})
    assert (done.returncode, done.stderr) == (0, "")  # rebuilt once, then read from the cache


def test_other_data_draws_its_own_graph_built_once(data_copy, tmp_path: Path) -> None:
    # regions.yaml: 固始县 is "Gushi County"; the copy calls it otherwise.
    other = data_copy(("regions.yaml", 'en: "Gushi County"', 'en: "Gushi Other County"'))
    first = CliRunner().invoke(main, ["viz", "--data", str(other), "--focus", "gushi", "--out",
                                      str(tmp_path / "other.html")])
    assert first.exit_code == 0, first.output
    notice = NOTICE.fullmatch(first.stderr)
    assert notice and notice["reason"] == "data changed", first.stderr
    assert "Gushi Other County" in (tmp_path / "other.html").read_text(encoding="utf-8")

    again = CliRunner().invoke(main, ["viz", "--data", str(other), "--focus", "gushi", "--out",
                                      str(tmp_path / "again.html")])
    assert (again.exit_code, again.stderr) == (0, "")
    assert "Gushi Other County" in (tmp_path / "again.html").read_text(encoding="utf-8")

    ours = CliRunner().invoke(main, ["viz", "--focus", "gushi", "--out", str(tmp_path / "ours.html")])
    assert (ours.exit_code, ours.stderr) == (0, "")
    page = (tmp_path / "ours.html").read_text(encoding="utf-8")
    assert "Gushi County" in page and "Gushi Other County" not in page


def test_broken_data_fails_the_notice_and_gives_its_problems(data_copy) -> None:
    broken = data_copy(("regions.yaml", "  parent: xinyang\n", "  parent: nowhere\n"))
    result = CliRunner().invoke(main, ["query", "cq01", "--data", str(broken)])
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert lines[0] == "building the graph (data changed) ... failed"
    assert any(re.match(r".*regions\.yaml:\d+: .*nowhere", line) for line in lines[1:-1]), lines
    assert re.fullmatch(r"error: \d+ problem\(s\); nothing was written", lines[-1]), lines
    assert result.stdout == ""
