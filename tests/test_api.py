"""The Python API that notebooks use: named queries and query text as rows of dicts."""

from __future__ import annotations

import pytest

from practice_graph.core.paths import NTRIPLES
from practice_graph.sparql.query import QueryError, open_store, select


@pytest.fixture(scope="module")
def store(built):
    return open_store(built.files[NTRIPLES])


def test_select_a_named_query_with_a_bound_parameter(store) -> None:
    # 4-1-1 河南省: 建立人社部门牵头、住房城乡建设部门负责实施 — the HRSS department (人社部门, level unstated, a
    # record apart from the provincial 人社厅 of 4-2-2: codebook BODY-4, LEVEL-4) leads.
    rows = select("cq11", store=store, region="henan")
    assert {"body": "pgid:henan-hrss-department", "bodyLabel": "人社部门", "role": "lead"} in rows


def test_select_query_text(store) -> None:
    rows = select("SELECT (COUNT(?p) AS ?n) WHERE { ?p a <https://w3id.org/practice-graph/ontology#Practice> }",
                  store=store)
    assert rows == [{"n": "47"}]


def test_select_unknown_name_is_a_query_error(store) -> None:
    with pytest.raises(QueryError, match="no query named"):
        select("cq99", store=store)


# Parameters that cannot be wrong silently (issue 15, defect 10). 4-1-1 河南省: 建立人社部门牵头… — the
# HRSS department (人社部门, level unstated: codebook LEVEL-4) leads Henan's coordination mechanism,
# whichever way Henan is named.
HENAN_LEAD = {"body": "pgid:henan-hrss-department", "bodyLabel": "人社部门", "role": "lead"}


@pytest.mark.parametrize("value", ["henan", "pgid:henan", "河南省", "Henan Province",
                                   "<https://w3id.org/practice-graph/id/henan>",
                                   "https://w3id.org/practice-graph/id/henan"])
def test_a_region_is_found_by_its_id_its_printed_form_its_iri_or_its_label(store, value) -> None:
    assert HENAN_LEAD in select("cq11", store=store, region=value)


def test_a_misspelt_parameter_name_is_an_error_that_suggests_the_right_one(store) -> None:
    with pytest.raises(QueryError) as raised:
        select("cq11", store=store, regoin="henan")
    assert str(raised.value) == ("query cq11: no parameter 'regoin'; did you mean region? "
                                 "(query cq11 takes: region (pg:Region, default henan))")
    with pytest.raises(QueryError, match="query cq01 takes no parameters"):
        select("cq01", store=store, region="henan")


def test_a_node_the_graph_does_not_hold_is_an_error_with_close_matches(store) -> None:
    with pytest.raises(QueryError, match=r"region='nowhere': not a pg:Region in the graph"):
        select("cq11", store=store, region="nowhere")
    with pytest.raises(QueryError, match=r"close matches: pgid:henan \(河南省 / Henan Province\)"):
        select("cq11", store=store, region="henna")
    # 河南省人社厅 is in the graph, but it is an agency, not a region
    with pytest.raises(QueryError, match="not a pg:Region in the graph"):
        select("cq11", store=store, region="henan-hrss")
    with pytest.raises(QueryError, match="not a valid IRI"):
        select("cq11", store=store, region="<http://a b>")
    with pytest.raises(QueryError, match="not a node in the graph"):
        select("evidence", store=store, node="pgid:no-such-node")
    with pytest.raises(QueryError, match=r"needs --param node=VALUE \(iri\)"):
        select("evidence", store=store)


def test_literal_and_number_parameters_are_typed(store, tmp_path) -> None:
    query = tmp_path / "typed.rq"
    query.write_text("# Practices numbered n in a task, with a word.\n# @param n number\n# @param word literal\n"
                     "SELECT ?n ?word WHERE { BIND(?n + 0 AS ?m) }\n", encoding="utf-8")
    assert select(str(query), store=store, n="3", word="河南") == [{"n": "3", "word": "河南"}]
    assert select(str(query), store=store, n="-1.5", word="x") == [{"n": "-1.5", "word": "x"}]
    with pytest.raises(QueryError, match="n='three': not a number"):
        select(str(query), store=store, n="three", word="x")
    bad = tmp_path / "bad.rq"
    bad.write_text("# A question.\n# @param region pgx:Region\nSELECT * WHERE {}\n", encoding="utf-8")
    with pytest.raises(QueryError, match=rf"{bad}:2: @param region: unknown type 'pgx:Region'"):
        select(str(bad), store=store)


def test_the_same_parameters_are_checked_on_an_endpoint(session_endpoint: str) -> None:
    assert HENAN_LEAD in select("cq11", endpoint=session_endpoint, region="河南省")
    with pytest.raises(QueryError, match="not a pg:Region in the graph"):
        select("cq11", endpoint=session_endpoint, region="nowhere")


def test_show_inline_reads_a_source_once_and_never_shows_an_earlier_graph(built) -> None:
    from pyoxigraph import Literal

    from practice_graph import api
    from practice_graph.views import viewer
    from practice_graph.views.read import Source

    def fresh(store, **selection: object) -> str:
        return viewer.show_inline(store, **selection).data

    whole = open_store(built.files[NTRIPLES])
    source = Source(store=whole)
    # two views of one Source (as notebook 02 shows them): each the page a fresh read of the graph gives
    henan = api.show_inline(source, focus="henan", depth=1).data
    arrangement = {"focus": "henan-coordination-mechanism", "depth": 2,
                   "types": ["JointArrangement", "Agency", "Organization", "Region"]}
    assert api.show_inline(source, **arrangement).data == fresh(whole, **arrangement)
    assert henan == fresh(whole, focus="henan", depth=1)
    # 4-1-1 河南省: 建立人社部门牵头、住房城乡建设部门负责实施…的协同推进机制 — without that arrangement's triples,
    # a new Source shows Henan without it, never the first graph's page
    smaller = open_store(built.files[NTRIPLES])
    mechanism = next(smaller.quads_for_pattern(None, None, Literal("henan-coordination-mechanism"))).subject
    for quad in list(smaller.quads_for_pattern(mechanism, None, None)):
        smaller.remove(quad)
    without = api.show_inline(Source(store=smaller), focus="henan", depth=1).data
    assert without == fresh(smaller, focus="henan", depth=1) and without != henan
