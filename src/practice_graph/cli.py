"""The ``practice-graph`` command line.

Exit codes: 0 success, 2 bad input (data that breaks a rule, a bad option), 1 anything else.
Problems are printed one a line, ``file:line: field: message``, then one ``error:`` line, with no
traceback. Commands that read the graph take it from the cache of built graphs
(``practice_graph.pipeline.built_ntriples``), built once when the data, ontology or code changed.

Start-up time: ``practice-graph query cq04`` must take at most 0.3 s as a whole process, so each
command imports the heavy stages it needs (rdflib, pydantic, networkx, matplotlib, pyvis,
SPARQLWrapper) inside its own function.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, TypeVar

import click
import pyoxigraph as ox

from practice_graph.core.files import write_atomically, write_outputs
from practice_graph.core.paths import ANALYSIS_DIR, DEFAULT_DATA, DEFAULT_ONTOLOGY, DEFAULT_OUT, VIEWER_FILE
from practice_graph.pipeline import (
    BuildFailed,
    built_ntriples,
    class_counts,
    keep,
    load_graph,
    predicate_counts,
    render_outputs,
)
from practice_graph.pipeline import build as run_build
from practice_graph.sparql import query as queries
from practice_graph.sparql.remote import RemoteError
from practice_graph.sparql.remote import push as push_graph

F = TypeVar("F", bound=Callable[..., Any])


class CommandError(click.ClickException):
    """A command that cannot do what was asked: problem lines, then ``error: message`` on stderr.

    Exit code 2 for bad input (the data, an option, a query), 1 for anything else.
    """

    def __init__(self, message: str, *, exit_code: int = 2, problems: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.exit_code = exit_code
        self.problems = list(problems)

    def show(self, file: IO[Any] | None = None) -> None:
        for problem in self.problems:
            click.echo(problem, err=True)
        click.echo(f"error: {self.format_message()}", err=True)


@contextmanager
def reported(bad_input: tuple[type[Exception], ...] = (),
             failure: tuple[type[Exception], ...] = ()) -> Iterator[None]:
    """Turn a stage's exceptions into a CommandError: broken data and ``bad_input`` exit 2, ``failure`` 1."""
    try:
        yield
    except BuildFailed as error:
        raise CommandError(f"{len(error.problems)} problem(s); nothing was written",
                           problems=error.problems) from None
    except bad_input as error:
        raise CommandError(str(error)) from None
    except failure as error:
        raise CommandError(str(error), exit_code=1) from None


def write_or_fail(out_dir: Path, files: dict[str, bytes]) -> list[Path]:
    """Write prepared outputs atomically; a folder that cannot be written is one line, exit 1."""
    try:
        return write_outputs(out_dir, files)
    except OSError as error:
        raise CommandError(f"cannot write {error.filename or out_dir}: {error.strerror or error}",
                           exit_code=1) from None


# ---------------------------------------------------------------------------- shared options

FOLDER = click.Path(file_okay=False, path_type=Path)


def graph_source(command: F) -> F:
    """``--data`` and ``--ontology``: the inputs whose built graph a command reads or builds."""
    command = click.option("--ontology", "ontology_dir", type=FOLDER, default=DEFAULT_ONTOLOGY,
                           show_default=True, help="Folder with practice-graph.ttl and shapes.ttl.")(command)
    return data_option(command)


def data_option(command: F) -> F:
    """``--data``: the folder of curated YAML and the source text."""
    return click.option("--data", "data_dir", type=FOLDER, default=DEFAULT_DATA, show_default=True,
                        help="Folder of curated YAML and the source text.")(command)


def store_option(command: F) -> F:
    """``--store``: an on-disk store (see ``load``) to read instead of the built graph."""
    return click.option("--store", "store_dir", type=FOLDER, default=None,
                        help="Read the on-disk store in this folder (made by the load command).")(command)


def read_only_store(store_dir: Path) -> ox.Store:
    """The on-disk store, read-only; a missing or broken one is one line, exit 2."""
    from practice_graph.sparql.ondisk import StoreError, open_read_only  # start-up time: tqdm

    with reported(bad_input=(StoreError,)):
        return open_read_only(store_dir)


def out_option(default: Path, help: str, *, file: bool = False) -> Callable[[F], F]:
    """``--out``: where a command writes (a folder, or one file when ``file``), relative to the current folder."""
    kind = click.Path(dir_okay=False, path_type=Path) if file else FOLDER
    return click.option("--out", "out", type=kind, default=default, show_default=True, help=help)


# ---------------------------------------------------------------------------- commands

@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="practice-graph")
def main() -> None:
    """A source-grounded knowledge graph of China's first-batch list of replicable practices
    for cultivating new-era construction industry workers (培育新时代建筑产业工人可复制经验做法清单)."""


@main.command()
@graph_source
@out_option(DEFAULT_OUT, "Output folder.")
def build(data_dir: Path, ontology_dir: Path, out: Path) -> None:
    """Validate the data; write the graph (Turtle, N-Triples, JSON-LD), its stamp, analysis and viewer to OUT.

    The graph is also kept in the cache of built graphs, where the other commands read it.
    """
    from practice_graph.views.charts import FontMissing  # start-up time: matplotlib

    with reported(failure=(FontMissing,)):
        built = run_build(data_dir, ontology_dir)
        files = render_outputs(built)
    folders: dict[Path, list[Path]] = {}
    for path in write_or_fail(out, files):
        folders.setdefault(path.parent, []).append(path)
    keep(built)
    for folder, paths in sorted(folders.items()):
        if folder == out:
            for path in paths:
                click.echo(f"wrote {path} ({path.stat().st_size:,} bytes)")
        else:
            size = sum(path.stat().st_size for path in paths)
            click.echo(f"wrote {folder}/ ({len(paths)} files, {size:,} bytes)")
    click.echo(f"{len(built.graph):,} triples")


@main.command()
@graph_source
@click.option("--no-shacl", is_flag=True, help="Check the data rules only, skip SHACL.")
def validate(data_dir: Path, ontology_dir: Path, no_shacl: bool) -> None:
    """Check the curated data (ids, references, taxonomies, quotes, hierarchy) and SHACL."""
    with reported():
        built = run_build(data_dir, ontology_dir, shacl=not no_shacl)
    records = len(built.dataset.all_records())
    click.echo(f"ok: {records} records, {len(built.graph):,} triples" + ("" if no_shacl else ", SHACL conforms"))


@main.command()
@graph_source
def stats(data_dir: Path, ontology_dir: Path) -> None:
    """Counts per class and per relation."""
    with reported():
        graph = load_graph(data_dir, ontology_dir)
    click.echo(f"triples\t{len(graph)}")
    click.echo("\n# instances per class")
    for name, count in sorted(class_counts(graph).items()):
        click.echo(f"{name}\t{count}")
    click.echo("\n# triples per predicate")
    for name, count in sorted(predicate_counts(graph).items()):
        click.echo(f"{name}\t{count}")


def _params(params: tuple[str, ...]) -> dict[str, str]:
    given: dict[str, str] = {}
    for param in params:
        name, sep, value = param.partition("=")
        if not sep or not name:
            raise click.BadParameter(f"expected NAME=VALUE, got {param!r}", param_hint="--param")
        given[name.lstrip("?$")] = value
    return given


@main.command()
@click.option("--store", "store_dir", required=True, type=FOLDER,
              help="Folder of the on-disk store (created when missing).")
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--no-progress", is_flag=True, help="Do not show progress (it shows only on a terminal anyway).")
@graph_source
def load(store_dir: Path, files: tuple[Path, ...], no_progress: bool, data_dir: Path, ontology_dir: Path) -> None:
    """Bulk-load N-Triples (.nt) or Turtle (.ttl) FILES, or the built graph, into an on-disk store.

    The triples are added to what the store holds. Stop any serve or query on the store first.
    """
    from practice_graph.sparql.ondisk import StoreError, load_bytes, load_files  # start-up time: tqdm

    with reported(bad_input=(StoreError,)):
        if files:
            loaded = load_files(store_dir, list(files), show_progress=False if no_progress else None)
        else:
            loaded = load_bytes(store_dir, built_ntriples(data_dir, ontology_dir))
    click.echo(f"loaded {loaded.added:,} triples in {loaded.seconds:.1f} s ({loaded.rate:,.0f} triples/s); "
               f"{store_dir} holds {loaded.after:,} triples")


@main.command()
@click.argument("query_name", metavar="NAME|FILE|-", required=False)
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE",
              help="Bind a query variable (an id such as henan, an IRI, or a literal).")
@click.option("--format", "output_format", type=click.Choice(["table", "json", "csv", "tsv"]), default="table",
              show_default=True)
@click.option("--list", "list_queries", is_flag=True, help="List the named queries and their questions.")
@graph_source
@click.option("--endpoint", metavar="URL", help="Run on this SPARQL 1.1 endpoint instead of the embedded store.")
@store_option
def query(query_name: str | None, params: tuple[str, ...], output_format: str, list_queries: bool,
          data_dir: Path, ontology_dir: Path, endpoint: str | None, store_dir: Path | None) -> None:
    """Run a named competency question, a query file, or a query on standard input.

    Parameters are bound as RDF terms by the engine's serialiser, never pasted into the query text.
    """
    if list_queries:
        for named in queries.named_queries():
            click.echo(f"{named.name}\t{named.question}")
        return
    if not query_name:
        raise click.UsageError("give a query name, a file or -, or --list")
    given = _params(params)
    with reported(bad_input=(queries.QueryError,), failure=(RemoteError,)):
        named = queries.find_query(query_name)
        queries.bindings(named, given)  # a missing parameter is reported before any build
        if endpoint:
            store = None
        elif store_dir:
            store = read_only_store(store_dir)
        else:
            store = queries.open_store(built_ntriples(data_dir, ontology_dir))
        solutions = queries.solutions(named, store=store, endpoint=endpoint, params=given)
    if output_format == "table":
        click.echo(queries.format_table(*queries.rows(solutions)), nl=False)
        return
    result_format = {"json": ox.QueryResultsFormat.JSON, "csv": ox.QueryResultsFormat.CSV,
                     "tsv": ox.QueryResultsFormat.TSV}[output_format]
    click.echo((solutions.serialize(format=result_format) or b"").decode("utf-8"), nl=False)


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
@graph_source
@store_option
def serve(host: str, port: int, timeout_s: float, max_body_bytes: int, max_result_bytes: int, workers: int,
          data_dir: Path, ontology_dir: Path, store_dir: Path | None) -> None:
    """Serve the graph as a read-only SPARQL 1.1 endpoint with a query page.

    Updates are refused, SERVICE is refused, queries stop at the time limit, and request and
    result sizes are capped.
    """
    from practice_graph.sparql.endpoint import Limits, SparqlServer  # start-up time: rdflib's parser

    ntriples: bytes | Path
    if store_dir:
        read_only_store(store_dir)  # a missing or broken store is one line here, not a dead worker
        ntriples = store_dir
    else:
        with reported():
            ntriples = built_ntriples(data_dir, ontology_dir)
    limits = Limits(timeout_s=timeout_s, max_body_bytes=max_body_bytes, max_result_bytes=max_result_bytes)
    try:
        server = SparqlServer((host, port), ntriples, limits, workers=workers, verbose=True)
    except OSError as error:
        raise CommandError(f"cannot listen on {host}:{port}: {error.strerror or error}") from None
    if server.pool.not_isolated:
        click.echo(f"warning: query workers can reach the network ({server.pool.not_isolated}); "
                   "SERVICE is refused by the query check alone", err=True)
    bound_host, bound_port = server.server_address[:2]
    base = f"http://{bound_host!s}:{bound_port}"
    click.echo(f"SPARQL endpoint: {base}/sparql  (query page: {base}/)", err=True)
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
@graph_source
def push(endpoint: str, graph_iri: str | None, no_progress: bool, data_dir: Path, ontology_dir: Path) -> None:
    """Load the built graph into any SPARQL 1.1 Graph Store (replacing that graph)."""
    with reported(failure=(RemoteError,)):
        result = push_graph(built_ntriples(data_dir, ontology_dir), endpoint, graph_iri, progress=not no_progress)
    click.echo(f"pushed {result.triples:,} triples ({result.size:,} bytes) to {result.url}: HTTP {result.status}")


@main.command()
@click.argument("source", type=click.Path(dir_okay=False, path_type=Path))
@out_option(Path("drafts"), "Folder for the draft YAML and report.md.")
@data_option
def ingest(source: Path, out: Path, data_dir: Path) -> None:
    """Draft YAML (skeleton, regions, candidate entities) and a report from a list in the source's format."""
    from practice_graph import ingest as ingesting  # start-up time: pydantic and YAML
    from practice_graph.curation.load import DataError

    with reported(bad_input=(ingesting.IngestError, DataError)):
        ingesting.check_out_dir(out, data_dir)
        result = ingesting.ingest(source, data_dir)
    for warning in result.skeleton.warnings:
        click.echo(f"warning: {warning}", err=True)
    for path in write_or_fail(out, result.files):
        click.echo(f"wrote {path}")
    skeleton = result.skeleton
    click.echo(f"{len(skeleton.tasks)} work tasks, {len(skeleton.measures)} measures, "
               f"{len(skeleton.practices)} practices, {len(result.candidates)} candidates")


@main.command()
@graph_source
@out_option(DEFAULT_OUT / ANALYSIS_DIR, "Folder for the report, tables, charts and Gephi files.")
@click.option("--graph", "graph_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Analyse this RDF file (N-Triples, Turtle, RDF/XML, JSON-LD) instead of the built graph.")
def analyze(data_dir: Path, ontology_dir: Path, out: Path, graph_file: Path | None) -> None:
    """Pattern analysis: report.md, CSV tables, PNG charts, GraphML and GEXF (into OUT)."""
    # start-up time: rdflib, networkx and matplotlib
    from rdflib import Graph
    from rdflib.util import guess_format

    from practice_graph.views.charts import FontMissing
    from practice_graph.views.report import NothingToAnalyse, render_analysis

    if graph_file is not None:
        graph = Graph()
        try:
            graph.parse(graph_file, format=guess_format(str(graph_file)) or "turtle")
        except Exception as error:  # every parser has its own errors: all of them mean "not RDF"
            message = " ".join(str(error).split())[:300]
            raise CommandError(f"{graph_file}: not readable as RDF: {message}") from None
    else:
        with reported():
            graph = load_graph(data_dir, ontology_dir)
    try:
        files = render_analysis(graph)
    except NothingToAnalyse as error:
        raise CommandError(f"{graph_file or 'built graph'}: {error}") from None
    except FontMissing as error:
        raise CommandError(str(error), exit_code=1) from None
    for path in write_or_fail(out, files):
        click.echo(f"wrote {path} ({path.stat().st_size:,} bytes)")


@main.command()
@click.option("--focus", metavar="NODE", help="Show only this node (id or Chinese/English label) and its neighbours.")
@click.option("--depth", type=click.IntRange(min=0), default=1, show_default=True,
              help="How many relations away from --focus to show.")
@click.option("--types", "types", metavar="T,...", default="",
              help="Node types to show, comma separated (e.g. Practice,Agency,Region).")
@click.option("--task", metavar="T", help="Show only nodes of one work task (id such as t-1, or its number).")
@out_option(DEFAULT_OUT / VIEWER_FILE, "HTML file to write.", file=True)
@graph_source
def viz(focus: str | None, depth: int, types: str, task: str | None, out: Path,
        data_dir: Path, ontology_dir: Path) -> None:
    """Write the interactive, offline HTML viewer of the graph (pyvis / vis-network)."""
    from practice_graph.views import viewer  # start-up time: rdflib and pyvis

    with reported():
        graph = load_graph(data_dir, ontology_dir)
    type_names = [name for name in types.split(",") if name.strip()]
    with reported(bad_input=(viewer.SelectionError,)):
        data = viewer.select(viewer.viewer_data(graph), focus=focus, depth=depth, types=type_names, task=task)
    try:
        write_atomically(out, viewer.render_html(data).encode("utf-8"))
    except OSError as error:
        raise CommandError(f"cannot write {out}: {error.strerror or error}", exit_code=1) from None
    mode = "precomputed layout" if data.large else "seeded physics layout"
    click.echo(f"wrote {out} ({len(data.nodes)} nodes, {len(data.edges)} edges, {mode})")


if __name__ == "__main__":  # pragma: no cover
    main()
