"""The public API for notebooks and scripts: the project's built graph and its queries, ready to use.

>>> from practice_graph.api import select
>>> select("cq11", region="henan")[0]["role"] in {"lead", "implement", "support"}   # doctest: +SKIP
True
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from practice_graph.pipeline import built_ntriples, load_graph
from practice_graph.sparql import query as queries

if TYPE_CHECKING:
    import pyoxigraph

__all__ = ["built_ntriples", "default_store", "load_graph", "select", "show_inline"]

_default_store: pyoxigraph.Store | None = None


def default_store() -> pyoxigraph.Store:
    """The embedded store of the project's built graph, opened once per process."""
    global _default_store
    if _default_store is None:
        _default_store = queries.open_store(built_ntriples())
    return _default_store


def select(query: str, *, store: pyoxigraph.Store | None = None, endpoint: str | None = None,
           **params: str) -> list[dict[str, str]]:
    """Rows of a named query, a query file or query text, on the built graph (or ``store``/``endpoint``)."""
    if store is None and endpoint is None:
        store = default_store()
    return queries.select(query, store=store, endpoint=endpoint, **params)


def show_inline(graph: Any = None, height: int = 720, **selection: Any) -> Any:
    """The offline viewer inline in Jupyter, for the built graph (or ``graph``: a pyoxigraph Store, a
    ``views.read.Source`` or an rdflib Graph)."""
    from practice_graph.views import viewer

    return viewer.show_inline(graph if graph is not None else default_store(), height=height, **selection)
