"""The ``practice-graph`` command line.

Exit codes: 0 success, 2 bad input (data that breaks a rule, a bad option), 1 anything else.
Problems are printed one a line, ``file:line: field: message``, with no traceback.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from practice_graph.core.paths import DEFAULT_DATA, DEFAULT_ONTOLOGY, DEFAULT_OUT
from practice_graph.pipeline import BuildFailed

DATA_OPTION = click.option(
    "--data",
    "data_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_DATA,
    show_default=True,
    help="Folder of curated YAML and the source text.",
)
ONTOLOGY_OPTION = click.option(
    "--ontology",
    "ontology_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_ONTOLOGY,
    show_default=True,
    help="Folder with practice-graph.ttl and shapes.ttl.",
)


def _fail(error: BuildFailed) -> None:
    for problem in error.problems:
        click.echo(problem, err=True)
    click.echo(f"error: {len(error.problems)} problem(s); nothing was written", err=True)
    sys.exit(2)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="practice-graph")
def main() -> None:
    """A source-grounded knowledge graph of China's first-batch list of replicable practices
    for cultivating new-era construction industry workers (培育新时代建筑产业工人可复制经验做法清单)."""


@main.command()
@DATA_OPTION
@ONTOLOGY_OPTION
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_OUT,
    show_default=True,
    help="Output folder.",
)
def build(data_dir: Path, ontology_dir: Path, out_dir: Path) -> None:
    """Validate the data; write the graph (Turtle, N-Triples, JSON-LD), its analysis and its viewer to OUT."""
    from practice_graph.core.files import write_outputs
    from practice_graph.pipeline import build as run_build
    from practice_graph.pipeline import render_outputs
    from practice_graph.views.charts import FontMissing

    try:
        built = run_build(data_dir, ontology_dir)
        files = render_outputs(built)
    except BuildFailed as error:
        _fail(error)
        return
    except FontMissing as error:
        click.echo(f"error: {error}; nothing was written", err=True)
        sys.exit(1)
    folders: dict[Path, list[Path]] = {}
    for path in write_outputs(out_dir, files):
        folders.setdefault(path.parent, []).append(path)
    for folder, paths in sorted(folders.items()):
        if folder == out_dir:
            for path in paths:
                click.echo(f"wrote {path} ({path.stat().st_size:,} bytes)")
        else:
            size = sum(path.stat().st_size for path in paths)
            click.echo(f"wrote {folder}/ ({len(paths)} files, {size:,} bytes)")
    click.echo(f"{len(built.graph):,} triples")


@main.command()
@DATA_OPTION
@ONTOLOGY_OPTION
@click.option("--no-shacl", is_flag=True, help="Check the data rules only, skip SHACL.")
def validate(data_dir: Path, ontology_dir: Path, no_shacl: bool) -> None:
    """Check the curated data (ids, references, taxonomies, quotes, hierarchy) and SHACL."""
    from practice_graph.pipeline import build as run_build

    try:
        built = run_build(data_dir, ontology_dir, shacl=not no_shacl)
    except BuildFailed as error:
        _fail(error)
        return
    records = len(built.dataset.all_records())
    click.echo(f"ok: {records} records, {len(built.graph):,} triples" + ("" if no_shacl else ", SHACL conforms"))


@main.command()
@DATA_OPTION
@ONTOLOGY_OPTION
def stats(data_dir: Path, ontology_dir: Path) -> None:
    """Counts per class and per relation."""
    from practice_graph.pipeline import build as run_build
    from practice_graph.pipeline import class_counts, predicate_counts

    try:
        built = run_build(data_dir, ontology_dir, shacl=False)
    except BuildFailed as error:
        _fail(error)
        return
    graph = built.graph
    click.echo(f"triples\t{len(graph)}")
    click.echo("\n# instances per class")
    for name, count in sorted(class_counts(graph).items()):
        click.echo(f"{name}\t{count}")
    click.echo("\n# triples per predicate")
    for name, count in sorted(predicate_counts(graph).items()):
        click.echo(f"{name}\t{count}")


def _graph_ntriples(data_dir: Path, ontology_dir: Path, out_dir: Path) -> bytes:
    """The built N-Triples (from OUT when current), or exit 2 with the data's problems."""
    from practice_graph.pipeline import built_ntriples

    try:
        return built_ntriples(data_dir, ontology_dir, out_dir)
    except BuildFailed as error:
        _fail(error)
        raise AssertionError("unreachable") from None


OUT_OPTION = click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=DEFAULT_OUT,
                          show_default=True, help="Folder of a built graph (rebuilt in memory when stale).")


STORE_OPTION = click.option("--store", "store_dir", type=click.Path(file_okay=False, path_type=Path),
                            help="Use the on-disk store in this folder (see the load command).")


def _read_only_store(store_dir: Path):
    """The on-disk store, read-only, or exit 2 with one line saying why not."""
    from practice_graph.sparql.ondisk import StoreError, open_read_only

    try:
        return open_read_only(store_dir)
    except StoreError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(2)


@main.command()
@click.option("--store", "store_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder of the on-disk store (created when missing).")
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--no-progress", is_flag=True, help="Do not show progress (it shows only on a terminal anyway).")
@DATA_OPTION
@ONTOLOGY_OPTION
@OUT_OPTION
def load(store_dir: Path, files: tuple[Path, ...], no_progress: bool, data_dir: Path, ontology_dir: Path,
         out_dir: Path) -> None:
    """Bulk-load N-Triples (.nt) or Turtle (.ttl) FILES, or the built graph, into an on-disk store.

    The triples are added to what the store holds. Stop any serve or query on the store first.
    """
    from practice_graph.sparql.ondisk import StoreError, load_bytes, load_files

    try:
        if files:
            loaded = load_files(store_dir, list(files), show_progress=False if no_progress else None)
        else:
            loaded = load_bytes(store_dir, _graph_ntriples(data_dir, ontology_dir, out_dir))
    except StoreError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(2)
    click.echo(f"loaded {loaded.added:,} triples in {loaded.seconds:.1f} s ({loaded.rate:,.0f} triples/s); "
               f"{store_dir} holds {loaded.after:,} triples")


@main.command()
@click.argument("query_name", metavar="NAME|FILE|-", required=False)
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE",
              help="Bind a query variable (an id such as henan, an IRI, or a literal).")
@click.option("--format", "output_format", type=click.Choice(["table", "json", "csv", "tsv"]), default="table",
              show_default=True)
@click.option("--list", "list_queries", is_flag=True, help="List the named queries and their questions.")
@DATA_OPTION
@ONTOLOGY_OPTION
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=DEFAULT_OUT,
              show_default=True, help="Folder of a built graph to query (rebuilt in memory when stale).")
@click.option("--endpoint", metavar="URL", help="Run on this SPARQL 1.1 endpoint instead of the embedded store.")
@STORE_OPTION
def query(query_name: str | None, params: tuple[str, ...], output_format: str, list_queries: bool,
          data_dir: Path, ontology_dir: Path, out_dir: Path, endpoint: str | None, store_dir: Path | None) -> None:
    """Run a named competency question, a query file, or a query on standard input.

    Parameters are bound as RDF terms in a VALUES clause built by the engine's serialiser,
    never pasted into the query text.
    """
    from practice_graph.sparql import query as queries

    if list_queries:
        for named in queries.named_queries():
            click.echo(f"{named.name}\t{named.question}")
        return
    if not query_name:
        raise click.UsageError("give a query name, a file or -, or --list")
    given: dict[str, str] = {}
    for param in params:
        name, sep, value = param.partition("=")
        if not sep or not name:
            raise click.BadParameter(f"expected NAME=VALUE, got {param!r}", param_hint="--param")
        given[name.lstrip("?$")] = value
    from practice_graph.sparql.remote import RemoteError, remote_solutions

    try:
        named = queries.find_query(query_name)
        if endpoint:
            solutions = remote_solutions(endpoint, queries.bound_text(named, given))
        elif store_dir:
            solutions = queries.run_select(_read_only_store(store_dir), named, given)
        else:
            store = queries.open_store(_graph_ntriples(data_dir, ontology_dir, out_dir))
            solutions = queries.run_select(store, named, given)
    except queries.QueryError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(2)
    except RemoteError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(1)
    if output_format == "table":
        click.echo(queries.format_table(*queries.rows(solutions)), nl=False)
        return
    import pyoxigraph as ox

    result_format = {"json": ox.QueryResultsFormat.JSON, "csv": ox.QueryResultsFormat.CSV,
                     "tsv": ox.QueryResultsFormat.TSV}[output_format]
    click.echo(solutions.serialize(format=result_format).decode("utf-8"), nl=False)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (loopback by default).")
@click.option("--port", default=7878, show_default=True, type=click.IntRange(0, 65535), help="Port (0: any free port).")
@click.option("--timeout", "timeout_s", default=10.0, show_default=True, type=click.FloatRange(0.1, 3600),
              help="Seconds a query may run before it is stopped.")
@click.option("--max-body", "max_body_bytes", default=64 * 1024, show_default=True, type=click.IntRange(1024),
              help="Largest request body or query string, in bytes.")
@click.option("--max-result", "max_result_bytes", default=16 * 1024 * 1024, show_default=True,
              type=click.IntRange(1024), help="Largest result, in bytes.")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64),
              help="Worker processes, each holding the graph.")
@DATA_OPTION
@ONTOLOGY_OPTION
@OUT_OPTION
@STORE_OPTION
def serve(host: str, port: int, timeout_s: float, max_body_bytes: int, max_result_bytes: int, workers: int,
          data_dir: Path, ontology_dir: Path, out_dir: Path, store_dir: Path | None) -> None:
    """Serve the graph as a read-only SPARQL 1.1 endpoint with a query page.

    Updates are refused, SERVICE is refused, queries stop at the time limit, and request and
    result sizes are capped.
    """
    from practice_graph.sparql.endpoint import Limits, SparqlServer

    if store_dir:
        _read_only_store(store_dir)  # a missing or broken store is one line here, not a dead worker
    ntriples = store_dir or _graph_ntriples(data_dir, ontology_dir, out_dir)
    limits = Limits(timeout_s=timeout_s, max_body_bytes=max_body_bytes, max_result_bytes=max_result_bytes)
    try:
        server = SparqlServer((host, port), ntriples, limits, workers=workers, verbose=True)
    except OSError as error:
        click.echo(f"error: cannot listen on {host}:{port}: {error.strerror or error}", err=True)
        sys.exit(2)
    if server.pool.not_isolated:
        click.echo(f"warning: query workers can reach the network ({server.pool.not_isolated}); "
                   "SERVICE is refused by the query check alone", err=True)
    bound_host, bound_port = server.server_address[:2]
    click.echo(f"SPARQL endpoint: http://{bound_host}:{bound_port}/sparql  (query page: http://{bound_host}:{bound_port}/)",
               err=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


@main.command()
@click.option("--endpoint", required=True, metavar="URL",
              help="Graph Store Protocol URL: http://HOST:7878/store (Oxigraph), http://HOST:3030/DS/data (Fuseki).")
@click.option("--graph", "graph_iri", metavar="IRI", help="Replace this named graph instead of the default graph.")
@click.option("--no-progress", is_flag=True, help="Do not show a progress bar.")
@DATA_OPTION
@ONTOLOGY_OPTION
@OUT_OPTION
def push(endpoint: str, graph_iri: str | None, no_progress: bool, data_dir: Path, ontology_dir: Path,
         out_dir: Path) -> None:
    """Load the built graph into any SPARQL 1.1 Graph Store (replacing that graph)."""
    from practice_graph.sparql.remote import RemoteError
    from practice_graph.sparql.remote import push as push_graph

    ntriples = _graph_ntriples(data_dir, ontology_dir, out_dir)
    try:
        result = push_graph(ntriples, endpoint, graph_iri, progress=not no_progress)
    except RemoteError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(1)
    click.echo(f"pushed {result.triples:,} triples ({result.size:,} bytes) to {result.url}: HTTP {result.status}")


@main.command()
@click.argument("source", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("drafts"),
              show_default=True, help="Folder for the draft YAML and report.md.")
@DATA_OPTION
def ingest(source: Path, out_dir: Path, data_dir: Path) -> None:
    """Draft YAML (skeleton, regions, candidate entities) and a report from a list in the source's format."""
    from practice_graph import ingest as ingesting
    from practice_graph.curation.load import DataError

    try:
        ingesting.check_out_dir(out_dir, data_dir)
        result = ingesting.ingest(source, data_dir)
    except (ingesting.IngestError, DataError) as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(2)
    for warning in result.skeleton.warnings:
        click.echo(f"warning: {warning}", err=True)
    for path in ingesting.write_draft(result, out_dir):
        click.echo(f"wrote {path}")
    skeleton = result.skeleton
    click.echo(f"{len(skeleton.tasks)} work tasks, {len(skeleton.measures)} measures, "
               f"{len(skeleton.practices)} practices, {len(result.candidates)} candidates")


@main.command()
@DATA_OPTION
@ONTOLOGY_OPTION
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=DEFAULT_OUT / "analysis",
              show_default=True, help="Folder for the report, tables, charts and Gephi files.")
@click.option("--graph", "graph_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Analyse this RDF file (N-Triples, Turtle, RDF/XML, JSON-LD) instead of the built graph.")
def analyze(data_dir: Path, ontology_dir: Path, out_dir: Path, graph_file: Path | None) -> None:
    """Pattern analysis: report.md, CSV tables, PNG charts, GraphML and GEXF (into OUT)."""
    from practice_graph.views.charts import FontMissing
    from practice_graph.views.report import NothingToAnalyse, write_analysis

    if graph_file is not None:
        from rdflib import Graph
        from rdflib.util import guess_format

        graph = Graph()
        try:
            graph.parse(graph_file, format=guess_format(str(graph_file)) or "turtle")
        except Exception as error:
            message = " ".join(str(error).split())[:300]
            click.echo(f"error: {graph_file}: not readable as RDF: {message}", err=True)
            sys.exit(2)
    else:
        from practice_graph.sparql.store import rdflib_graph

        graph = rdflib_graph(_graph_ntriples(data_dir, ontology_dir, DEFAULT_OUT))
    try:
        written = write_analysis(graph, out_dir)
    except NothingToAnalyse as error:
        click.echo(f"error: {graph_file or 'built graph'}: {error}", err=True)
        sys.exit(2)
    except FontMissing as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(1)
    for path in written:
        click.echo(f"wrote {path} ({path.stat().st_size:,} bytes)")


@main.command()
@click.option("--focus", metavar="NODE", help="Show only this node (id or Chinese/English label) and its neighbours.")
@click.option("--depth", type=click.IntRange(min=0), default=1, show_default=True,
              help="How many relations away from --focus to show.")
@click.option("--types", "types", metavar="T,...", default="",
              help="Node types to show, comma separated (e.g. Practice,Agency,Region).")
@click.option("--task", metavar="T", help="Show only nodes of one work task (id such as t-1, or its number).")
@click.option("--out", "out_file", type=click.Path(dir_okay=False, path_type=Path),
              default=DEFAULT_OUT / "practice-graph.html", show_default=True, help="HTML file to write.")
@DATA_OPTION
@ONTOLOGY_OPTION
def viz(focus: str | None, depth: int, types: str, task: str | None, out_file: Path,
        data_dir: Path, ontology_dir: Path) -> None:
    """Write the interactive, offline HTML viewer of the graph (pyvis / vis-network)."""
    from practice_graph.sparql.store import rdflib_graph
    from practice_graph.views import viewer as visualise

    graph = rdflib_graph(_graph_ntriples(data_dir, ontology_dir, DEFAULT_OUT))
    type_names = [name for name in types.split(",") if name.strip()]
    try:
        data = visualise.select(visualise.viewer_data(graph), focus=focus, depth=depth, types=type_names, task=task)
    except visualise.SelectionError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(2)
    from practice_graph.core.files import write_atomically

    write_atomically(out_file, visualise.render_html(data).encode("utf-8"))
    mode = "precomputed layout" if data.large else "seeded physics layout"
    click.echo(f"wrote {out_file} ({len(data.nodes)} nodes, {len(data.edges)} edges, {mode})")


if __name__ == "__main__":  # pragma: no cover
    main()
