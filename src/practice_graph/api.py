"""The public API for notebooks and scripts: the project's built graph and its queries, ready to use.

>>> from practice_graph.api import select
>>> select("cq11", region="henan")[0]["role"] in {"lead", "implement", "support"}   # doctest: +SKIP
True
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from practice_graph.pipeline import analysis_files, built_ntriples, current_build, load_graph, render_key
from practice_graph.sparql import query as queries

if TYPE_CHECKING:
    import pyoxigraph

__all__ = ["analysis_file", "built_ntriples", "default_store", "load_graph", "select", "show_inline"]

_opened: dict[str, pyoxigraph.Store] = {}  # the store of the build read last, by its stamp's key
_analysed: dict[str, dict[str, bytes]] = {}  # the analysis files of the build read last, by its stamp's key
# the graph shown last in the viewer (the built graph by its stamp's key, a Source by its id) and its viewer data
_viewed: dict[str, tuple[Any, Any]] = {}


def default_store() -> pyoxigraph.Store:
    """The embedded store of the project's built graph, current with the data, ontology and code.

    Opened once per build, and again when the data, ontology or code change.
    """
    key, ntriples = current_build()
    if key not in _opened:
        _opened.clear()
        _opened[key] = queries.open_store(ntriples)
    return _opened[key]


def select(query: str, *, store: pyoxigraph.Store | None = None, endpoint: str | None = None,
           **params: str) -> list[dict[str, str]]:
    """Rows of a named query, a query file or query text, on the built graph (or ``store``/``endpoint``)."""
    if store is None and endpoint is None:
        store = default_store()
    return queries.select(query, store=store, endpoint=endpoint, **params)


def show_inline(graph: Any = None, height: int = 720, **selection: Any) -> Any:
    """The offline viewer inline in Jupyter, for the built graph (or ``graph``: a pyoxigraph Store, a
    ``views.read.Source`` or an rdflib Graph).

    The built graph's or a Source's nodes and edges are read once, for every view of it: a Source keeps
    what it read (make a new Source after changing its store)."""
    from practice_graph.views import viewer  # start-up time: pyvis, only for the viewer
    from practice_graph.views.read import Source  # start-up time: the read side, only for the viewer

    if graph is None:
        key, _ = current_build()
        graph = _viewed[key][0] if key in _viewed else Source(store=default_store())
    else:
        key = str(id(graph))
    if isinstance(graph, Source):
        if key not in _viewed or _viewed[key][0] is not graph:
            _viewed.clear()
            _viewed[key] = graph, viewer.viewer_data(graph)
        return viewer.show_inline(_viewed[key][1], height=height, **selection)
    return viewer.show_inline(graph, height=height, **selection)


def analysis_file(name: str) -> bytes:
    """A file of the built graph's analysis as ``practice-graph analyze`` writes it (``co_participation.png``,
    ``region_mechanism_heatmap.png``, ``report.md`` ...): read from the cache of renders, where a build or
    ``analyze`` of the same graph and code kept it; drawn (every file) and kept there when it is not."""
    from practice_graph.views.read import Source  # start-up time: the read side, only for the analysis

    key, ntriples = current_build()
    if key not in _analysed:
        _analysed.clear()
        _analysed[key] = analysis_files(Source(store=default_store()), render_key(ntriples))
    files = _analysed[key]
    if name not in files:
        raise KeyError(f"{name!r} is not a file of the analysis; the files: {', '.join(sorted(files))}")
    return files[name]
