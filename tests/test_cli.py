"""The command line: stats, query listing and formats, parameters bound safely."""

from __future__ import annotations

import json

from click.testing import CliRunner

from practice_graph.cli import main
from practice_graph.sparql.query import display_width, format_table, named_queries

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
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["results"]["bindings"] == []


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
