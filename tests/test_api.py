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
