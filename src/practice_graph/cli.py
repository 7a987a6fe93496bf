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

import gc
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, TypeVar, cast

import click

from practice_graph.core.files import (
    MIN_FREE,
    OutputError,
    check_output_file,
    check_output_folder,
    tree_size,
    write_atomically,
    write_outputs,
)
from practice_graph.core.limits import OutOfMemory, Stopped, can_limit, machine_memory, parse_size, run_limited
from practice_graph.core.paths import ANALYSIS_DIR, DEFAULT_DATA, DEFAULT_ONTOLOGY, DEFAULT_OUT, VIEWER_FILE
from practice_graph.core.progress import Phases
from practice_graph.pipeline import (
    ANALYZE_PHASES,
    BUILD_PHASES,
    VALIDATE_PHASES,
    BuildFailed,
    analysis_files,
    built_ntriples,
    checked,
    keep,
    render_key,
    render_outputs,
)
from practice_graph.pipeline import build as run_build
from practice_graph.sparql import query as queries
from practice_graph.sparql.remote import RemoteError
from practice_graph.sparql.remote import push as push_graph
from practice_graph.sparql.store import declares_xml_entities, oxigraph_store

if TYPE_CHECKING:
    import pyoxigraph as ox

F = TypeVar("F", bound=Callable[..., Any])


class CommandError(click.ClickException):
    """A command that cannot do what was asked: problem lines, then ``error: message`` on stderr.

    Exit code 2 for bad input (the data, an option, a query), 1 for anything else.
    """

    def __init__(self, message: str, *, exit_code: int = 2, problems: Sequence[str] = ()) -> None:
        super().__init__(message)
        # click declares exit_code a class variable; this error's code is per instance
        vars(self)["exit_code"] = exit_code
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


def writable_folder(out_dir: Path) -> None:
    """Before any work: ``out_dir`` can take a new set of outputs, or one line and exit 2."""
    try:
        check_output_folder(out_dir, needed=max(MIN_FREE, tree_size(out_dir)))
    except OutputError as error:
        raise CommandError(str(error)) from None


def writable_file(out_file: Path) -> None:
    """Before any work: ``out_file`` can be written, or one line and exit 2."""
    try:
        check_output_file(out_file)
    except OutputError as error:
        raise CommandError(str(error)) from None


def write_or_fail(out_dir: Path, files: dict[str, bytes]) -> list[Path]:
    """Replace ``out_dir`` by the prepared outputs as a whole; a write that fails is one line, exit 1,
    and leaves the earlier outputs as they were."""
    try:
        return write_outputs(out_dir, files)
    except OutputError as error:
        raise CommandError(str(error)) from None
    except OSError as error:
        raise CommandError(f"cannot write {error.filename or out_dir}: {error.strerror or error}; "
                           "the earlier outputs are as they were", exit_code=1) from None


def font_notice() -> None:
    """One warning line when the charts were drawn without a CJK font (Chinese shows as boxes)."""
    if "practice_graph.views.charts" not in sys.modules:
        return  # no chart was drawn: they came from the cache of renders, which keeps only CJK-font charts
    from practice_graph.views import charts  # start-up time: matplotlib

    if not charts.chart_font().has_cjk:
        click.echo(f"warning: {charts.NO_CJK_NOTICE}", err=True)


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


def out_option(default: Path, help: str, *, file: bool = False) -> Callable[[F], F]:
    """``--out``: where a command writes (a folder, or one file when ``file``), relative to the current folder.

    Whether it can be written is checked by the command before any work (``writable_folder``,
    ``writable_file``), in one line.
    """
    return click.option("--out", "out", type=click.Path(path_type=Path), default=default, show_default=True,
                        help=help)


# ---------------------------------------------------------------------------- commands

@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="practice-graph")
def main() -> None:
    """A source-grounded knowledge graph of China's first-batch list of replicable practices
    for cultivating new-era construction industry workers (培育新时代建筑产业工人可复制经验做法清单)."""


@main.command()
@graph_source
@out_option(DEFAULT_OUT, "Output folder.")
@click.option("--fresh", is_flag=True,
              help="Render the JSON-LD, analysis and viewer, and run SHACL, even when the cache holds them.")
def build(data_dir: Path, ontology_dir: Path, out: Path, fresh: bool) -> None:
    """Validate the data; write the graph (Turtle, N-Triples, JSON-LD), its stamp, analysis and viewer to OUT.

    The graph is also kept in the cache of built graphs, where the other commands read it; the
    JSON-LD, analysis and viewer in the cache of renders, read back while the graph, the code and
    the libraries stay the same (the same bytes a render gives), and so is SHACL's verdict while the
    graph, the shapes, the ontology and the engines stay the same.
    """
    writable_folder(out)
    with Phases("build", BUILD_PHASES) as phases, reported():
        built = run_build(data_dir, ontology_dir, reuse=not fresh, phases=phases)
        files = render_outputs(built, reuse=not fresh, phases=phases)
        phases.start("write")
        written = write_or_fail(out, files)
        keep(built)
    font_notice()
    folders: dict[Path, list[Path]] = {}
    for path in written:
        folders.setdefault(path.parent, []).append(path)
    for folder, paths in sorted(folders.items()):
        if folder == out:
            for path in paths:
                click.echo(f"wrote {path} ({path.stat().st_size:,} bytes)")
        else:
            size = sum(path.stat().st_size for path in paths)
            click.echo(f"wrote {folder}/ ({len(paths)} files, {size:,} bytes)")
    click.echo(f"{len(built.triples):,} triples")


@main.command()
@graph_source
@click.option("--no-shacl", is_flag=True, help="Check the data rules only, skip SHACL.")
@click.option("--fresh", is_flag=True, help="Run SHACL even when the cache holds its verdict on this graph.")
def validate(data_dir: Path, ontology_dir: Path, no_shacl: bool, fresh: bool) -> None:
    """Check the curated data (ids, references, taxonomies, quotes, hierarchy) and SHACL.

    A graph found to conform is remembered: checking the same graph with the same shapes, ontology and
    SHACL engines again gives the same verdict without running them.
    """
    with Phases("validate", VALIDATE_PHASES[:-1] if no_shacl else VALIDATE_PHASES) as phases, reported():
        built = checked(data_dir, ontology_dir, shacl=not no_shacl, reuse=not fresh, phases=phases)  # only N-Triples
    records = len(built.dataset.all_records())
    click.echo(f"ok: {records} records, {len(built.triples):,} triples" + ("" if no_shacl else ", SHACL conforms"))


@main.command()
@graph_source
def stats(data_dir: Path, ontology_dir: Path) -> None:
    """Counts per class and per relation."""
    from practice_graph.views.read import read_counts  # start-up time: the read side, only for stats

    with reported():
        ntriples = built_ntriples(data_dir, ontology_dir)
    counts = read_counts(oxigraph_store(ntriples))
    click.echo(f"triples\t{counts.triples}")
    click.echo("\n# instances per class")
    for name, count in sorted(counts.classes.items()):
        click.echo(f"{name}\t{count}")
    click.echo("\n# triples per predicate")
    for name, count in sorted(counts.predicates.items()):
        click.echo(f"{name}\t{count}")


STORE_OPTION = click.option("--store", "store_dir", type=FOLDER,
                            help="Use the on-disk store in this folder (see the load command).")


def _read_only_store(store_dir: Path) -> ox.Store:
    """The on-disk store, read-only, or exit 2 with one line saying why not."""
    from practice_graph.sparql.ondisk import StoreError, open_read_only  # start-up time: only with --store

    with reported(bad_input=(StoreError,)):
        return open_read_only(store_dir)


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
    from practice_graph.sparql.ondisk import StoreError, load_bytes, load_files  # start-up time: only load

    with reported(bad_input=(StoreError,)):
        if files:
            loaded = load_files(store_dir, list(files), show_progress=False if no_progress else None)
        else:
            loaded = load_bytes(store_dir, built_ntriples(data_dir, ontology_dir))
    click.echo(f"loaded {loaded.added:,} triples in {loaded.seconds:.1f} s ({loaded.rate:,.0f} triples/s); "
               f"{store_dir} holds {loaded.after:,} triples")


def _params(params: tuple[str, ...]) -> dict[str, str]:
    given: dict[str, str] = {}
    for param in params:
        name, sep, value = param.partition("=")
        if not sep or not name:
            raise click.BadParameter(f"expected NAME=VALUE, got {param!r}", param_hint="--param")
        given[name.lstrip("?$")] = value
    return given


@main.command()
@click.argument("query_name", metavar="NAME|FILE|-", required=False)
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE",
              help="A parameter the query declares, checked against the graph: a node by its id (henan), "
                   "pgid:henan, IRI or label (河南省); a literal; a number.")
@click.option("--format", "output_format", default=None,
              type=click.Choice(["table", "json", "csv", "tsv", "xml", "turtle", "ntriples", "jsonld", "ttl", "nt",
                                 "json-ld"], case_sensitive=False),
              help="SELECT, ASK: table (default), json, csv, tsv, xml; CONSTRUCT, DESCRIBE: turtle (default), "
                   "ntriples, jsonld.")
@click.option("--lang", "lang", type=click.Choice(list(queries.LANGUAGES)), default="zh", show_default=True,
              help="Labels in SELECT rows: zh as written, en (the curators' English in their place), or both "
                   "(the Chinese kept, the English in a NAME_en column after it).")
@click.option("--list", "list_queries", is_flag=True, help="List the named queries and their questions.")
@graph_source
@click.option("--endpoint", metavar="URL", help="Run on this SPARQL 1.1 endpoint instead of the embedded store.")
@STORE_OPTION
@click.option("--memory-limit", metavar="SIZE",
              help="Memory the query may take beyond what the command holds (512M, 2G, 25%); default: half "
                   "the machine's. Past it, the query stops with one error line (exit 1).")
def query(query_name: str | None, params: tuple[str, ...], output_format: str | None, lang: str, list_queries: bool,
          data_dir: Path, ontology_dir: Path, endpoint: str | None, store_dir: Path | None,
          memory_limit: str | None) -> None:
    """Run a named competency question, a query file, or a query on standard input.

    Every query form runs: SELECT and ASK print a table (or --format json, csv, tsv, xml),
    CONSTRUCT and DESCRIBE print Turtle (or ntriples, jsonld). Parameters are checked against
    the graph and bound as RDF terms by the engine, never pasted into the query text. The
    embedded or on-disk store answers in a process of its own whose memory is capped.
    """
    if list_queries:
        for named in queries.named_queries():
            click.echo(f"{named.name}\t{named.question}")
        return
    if not query_name:
        raise click.UsageError("give a query name, a file or -, or --list")
    given = _params(params)
    memory_bytes = memory_option(memory_limit) or machine_memory() // 2
    with reported(bad_input=(queries.QueryError,), failure=(RemoteError,)):
        named = queries.find_query(query_name)
        queries.check_params(named, given)  # a misspelt or missing parameter is reported before any build
        if endpoint:
            answer = queries.run_query(endpoint, named, given, output_format, lang=lang)
        else:
            ntriples = None if store_dir else built_ntriples(data_dir, ontology_dir)

            def answer_here() -> bytes:
                target = _read_only_store(store_dir) if store_dir else queries.open_store(cast(bytes, ntriples))
                return queries.run_query(target, named, given, output_format, lang=lang)

            answer = memory_limited(answer_here, memory_bytes, passed=(queries.QueryError, CommandError))
    click.echo(answer, nl=False)


def memory_option(text: str | None) -> int | None:
    """``--memory-limit`` in bytes (None when not given), or a usage error."""
    try:
        return parse_size(text) if text else None
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--memory-limit") from None


def memory_limited(work: Callable[[], bytes], memory_bytes: int, passed: tuple[type[Exception], ...]) -> bytes:
    """``work()`` in a child process with its memory capped; past the cap, one error line and exit 1.

    Where a child with capped memory is not possible (no fork or RLIMIT_AS), the work runs here, uncapped.
    """
    if not can_limit():
        return work()
    try:
        return run_limited(work, memory_bytes, passed)
    except OutOfMemory as error:
        raise CommandError(f"the query needed {error} of memory and was stopped (--memory-limit)",
                           exit_code=1) from None
    except Stopped as error:
        raise CommandError(f"the query process {error}", exit_code=1) from None


def _site_inputs(data_dir: Path, ontology_dir: Path, graph_dir: Path = DEFAULT_OUT, ntriples: bytes | None = None,
                 ) -> Any:
    """What the site and the served pages are made of (exit 2 when the source text is missing or altered);
    of ``ntriples`` when given, else of the built graph."""
    from practice_graph.core.paths import ONTOLOGY_FILE
    from practice_graph.views import site as static_site  # start-up time: the page renderer

    with reported(bad_input=(static_site.SiteError,)):
        if ntriples is None:
            ntriples = built_ntriples(data_dir, ontology_dir)
        return static_site.site_inputs(ntriples, data_dir, ontology_dir / ONTOLOGY_FILE, graph_dir / ANALYSIS_DIR)


@main.command()
@graph_source
@out_option(DEFAULT_OUT / "site", "Folder for the site (replaced whole; only an empty folder or an earlier site).")
def site(data_dir: Path, ontology_dir: Path, out: Path) -> None:
    """Write the graph as a static site: entry pages, source reader, map, query examples, report, viewer."""
    from practice_graph.views import site as static_site  # start-up time: the page renderer

    with reported(bad_input=(static_site.SiteError,)):
        static_site.check_out_dir(out)
        writable_folder(out)
        files = static_site.render_site(_site_inputs(data_dir, ontology_dir))
    try:
        static_site.write_site(out, files)
    except OSError as error:
        raise CommandError(f"cannot write {error.filename or out}: {error.strerror or error}; "
                           "the earlier site is as it was", exit_code=1) from None
    size = sum(len(content) for content in files.values())
    click.echo(f"wrote {out}/ ({len(files)} files, {size:,} bytes); open {out / 'index.html'}")


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
@click.option("--memory-limit", metavar="SIZE",
              help="Memory the workers may use in total, shared equally (512M, 2G, 25%); default: half the machine's.")
@click.option("--base-url", default="/", show_default=True, metavar="URL",
              help="The address the pages are reached at behind a proxy (e.g. https://example.org/pg/).")
@graph_source
@STORE_OPTION
def serve(host: str, port: int, timeout_s: float, max_body_bytes: int, max_result_bytes: int, workers: int,
          memory_limit: str | None, base_url: str, data_dir: Path, ontology_dir: Path,
          store_dir: Path | None) -> None:
    """Serve the graph as a read-only SPARQL 1.1 endpoint with a query page.

    Updates are refused, SERVICE is refused, queries stop at the time limit, and request and
    result sizes are capped. With --store, the workers query the on-disk store (each opens it
    read-only) and only the endpoint and its query page are served: the entry pages are made from
    the built graph.
    """
    from concurrent.futures import Future, ThreadPoolExecutor

    # start-up time: the server's modules load only to serve
    from practice_graph.sparql.endpoint import (
        EndpointError,
        Limits,
        SparqlServer,
        serve_until_stopped,
    )

    def live_site(ntriples: bytes) -> Any:
        from practice_graph.views.site import LiveSite  # start-up time: the page renderer loads only to serve

        return LiveSite(_site_inputs(data_dir, ontology_dir, ntriples=ntriples), base_url=base_url)

    memory_bytes = memory_option(memory_limit)
    graph: bytes | Path
    site: Future[Any] | None = None
    if store_dir is not None:
        _read_only_store(store_dir)  # exit 2 with one line when there is no store there (closed at once)
        graph = store_dir
    else:
        with reported():
            graph = built_ntriples(data_dir, ontology_dir)
        # The pages' inputs (the source text read and checked) are made while the query workers start:
        # they wait for their processes, this thread reads. Every /id/... IRI answers with a page or its RDF.
        site = ThreadPoolExecutor(max_workers=1).submit(live_site, graph)
    limits = Limits(timeout_s=timeout_s, max_body_bytes=max_body_bytes, max_result_bytes=max_result_bytes,
                    memory_bytes=memory_bytes)
    try:
        server = SparqlServer((host, port), graph, limits, workers=workers, verbose=True)
    except OSError as error:
        raise CommandError(f"cannot listen on {host}:{port}: {error.strerror or error}") from None
    except EndpointError as error:
        raise CommandError(str(error)) from None
    if site is not None:
        try:
            server.pages = site.result().respond
        except BaseException:
            server.server_close()
            raise
    if server.pool.not_isolated:
        click.echo(f"warning: query workers can reach the network ({server.pool.not_isolated}); "
                   "SERVICE is refused by the query check alone", err=True)
    bound_host, bound_port = server.server_address[:2]
    base = f"http://{bound_host!s}:{bound_port}"
    click.echo(f"SPARQL endpoint: {base}/sparql  (query page: {base}/)", err=True)
    if site is None:
        click.echo(f"store: {store_dir} (read-only; no entry pages)", err=True)
    else:
        click.echo(f"pages: {base}/index.html  (every entry at /id/ID)", err=True)
    click.echo(f"stopped ({serve_until_stopped(server)})", err=True)
    # The command ends here with the server and its workers closed: the interpreter's last full
    # collections over every loaded module (0.2-0.5 s) would only delay the exit that callers wait for.
    gc.freeze()


@main.command()
@click.option("--endpoint", required=True, metavar="URL",
              help="Graph Store Protocol URL: http://HOST:7878/store (Oxigraph), http://HOST:3030/DS/data (Fuseki).")
@click.option("--graph", "graph_iri", metavar="IRI", help="Replace this named graph instead of the default graph.")
@click.option("--no-progress", is_flag=True, help="Do not show progress (it shows only on a terminal anyway).")
@graph_source
def push(endpoint: str, graph_iri: str | None, no_progress: bool, data_dir: Path, ontology_dir: Path) -> None:
    """Load the built graph into any SPARQL 1.1 Graph Store (replacing that graph)."""
    with reported(failure=(RemoteError,)):
        result = push_graph(built_ntriples(data_dir, ontology_dir), endpoint, graph_iri,
                            progress=False if no_progress else None)
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
        writable_folder(out)
        with Phases("ingest", ingesting.INGEST_PHASES) as phases:
            result = ingesting.ingest(source, data_dir, phases)
    for warning in result.skeleton.warnings:
        click.echo(f"warning: {warning}", err=True)
    for path in write_or_fail(out, result.files):
        click.echo(f"wrote {path}")
    skeleton = result.skeleton
    click.echo(f"{len(skeleton.tasks)} work tasks, {len(skeleton.measures)} measures, "
               f"{len(skeleton.practices)} practices, {len(result.candidates)} candidates")


def _read_rdf_file(path: Path) -> ox.Store:
    """A pyoxigraph store holding an RDF file (format from its extension, Turtle otherwise), or exit 2."""
    import pyoxigraph as ox  # start-up time: only analyze --graph reads a file

    store = ox.Store()
    extension = path.suffix.lstrip(".").lower()
    rdf_format = ox.RdfFormat.from_extension(extension) or (ox.RdfFormat.RDF_XML if extension == "owl"
                                                            else ox.RdfFormat.TURTLE)
    if rdf_format == ox.RdfFormat.RDF_XML and declares_xml_entities(path):
        raise CommandError(f"{path}: RDF/XML that declares XML entities (<!ENTITY ...>) is refused")
    try:
        store.bulk_load(path=str(path), format=rdf_format, base_iri=path.resolve().as_uri())
    except (SyntaxError, ValueError, OSError) as error:
        message = " ".join(str(error).split())[:300]
        raise CommandError(f"{path}: not readable as RDF: {message}") from None
    return store


@main.command()
@graph_source
@out_option(DEFAULT_OUT / ANALYSIS_DIR, "Folder for the report, tables, charts and Gephi files.")
@click.option("--graph", "graph_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Analyse this RDF file (N-Triples, Turtle, RDF/XML, JSON-LD) instead of the built graph.")
@click.option("--endpoint", metavar="URL",
              help="Analyse the graph of this SPARQL 1.1 endpoint (read through the view queries, not copied).")
@STORE_OPTION
def analyze(data_dir: Path, ontology_dir: Path, out: Path, graph_file: Path | None, endpoint: str | None,
            store_dir: Path | None) -> None:
    """Pattern analysis: report.md, CSV tables, PNG charts, GraphML and GEXF (into OUT)."""
    # start-up time: networkx and matplotlib
    from practice_graph.views.read import Source
    from practice_graph.views.report import NothingToAnalyse

    if sum(given is not None for given in (graph_file, endpoint, store_dir)) > 1:
        raise click.UsageError("give one of --graph, --endpoint and --store")
    writable_folder(out)
    key = None  # the built graph's analysis is kept in the cache of renders
    source: Source | Callable[[], Source]
    with Phases("analyze", ANALYZE_PHASES) as phases:
        phases.start("read the graph")
        if endpoint:
            source, name = Source(endpoint=endpoint), endpoint
        elif store_dir is not None:
            source, name = Source(store=_read_only_store(store_dir)), str(store_dir)
        elif graph_file is not None:
            source, name = Source(store=_read_rdf_file(graph_file)), str(graph_file)
        else:
            with reported():
                ntriples = built_ntriples(data_dir, ontology_dir)
            name, key = "built graph", render_key(ntriples)
            def source() -> Source:  # opened only to draw the files
                return Source(store=oxigraph_store(ntriples))
        phases.start("analysis")
        try:
            with reported(failure=(RemoteError,)):
                files = analysis_files(source, key)
        except NothingToAnalyse as error:
            raise CommandError(f"{name}: {error}") from None
        phases.start("write")
        written = write_or_fail(out, files)
    font_notice()
    for path in written:
        click.echo(f"wrote {path} ({path.stat().st_size:,} bytes)")


@main.command()
@click.argument("old", type=click.Path(exists=True, path_type=Path))
@click.argument("new", type=click.Path(exists=True, path_type=Path))
@click.option("--format", "output_format", type=click.Choice(["markdown", "json"]), default="markdown",
              show_default=True, help="What to print.")
@click.option("--out", "out", type=click.Path(path_type=Path),
              help="Also write diff.md and diff.json into this folder.")
def diff(old: Path, new: Path, output_format: str, out: Path | None) -> None:
    """Records and relations added, removed and changed between two built graphs, by kind, with quotes.

    OLD and NEW are N-Triples files (practice-graph.nt) or folders holding one (a dist/ or a release).
    """
    from practice_graph.views import diff as diffing  # start-up time: pyoxigraph queries, markdown

    if out is not None:
        writable_folder(out)
    with reported(bad_input=(diffing.DiffError,)):
        result = diffing.diff_files(old, new)
    texts = {"diff.md": diffing.diff_markdown(result), "diff.json": diffing.diff_json(result)}
    click.echo(texts["diff.md" if output_format == "markdown" else "diff.json"], nl=False)
    if out is not None:
        for path in write_or_fail(out, {name: text.encode("utf-8") for name, text in texts.items()}):
            click.echo(f"wrote {path}", err=True)


@main.command()
@click.option("--focus", metavar="NODE",
              help="Show only this node and its neighbours: an id (henan), a Chinese or English name "
                   "(河南省, Henan Province) or a short name (河南, Henan); a miss suggests close names.")
@click.option("--depth", type=click.IntRange(min=0), default=1, show_default=True,
              help="How many relations away from --focus to show.")
@click.option("--types", "types", metavar="T,...", default="",
              help="Node types to show, comma separated (e.g. Practice,Agency,Region).")
@click.option("--task", metavar="T", help="Show only nodes of one work task (id such as t-1, or its number).")
@click.option("--out", "out", type=click.Path(path_type=Path), default=None,
              help=f"HTML file to write [default: {DEFAULT_OUT / VIEWER_FILE}; with --focus, --types or --task "
                   f"{DEFAULT_OUT}/practice-graph-SELECTION.html, so a selection never replaces the whole viewer].")
@graph_source
def viz(focus: str | None, depth: int, types: str, task: str | None, out: Path | None,
        data_dir: Path, ontology_dir: Path) -> None:
    """Write the interactive, offline HTML viewer of the graph (pyvis / vis-network).

    The whole graph opens on an overview of the list (work tasks, measures, practices by lead
    region); a selection opens on the graph itself.
    """
    from practice_graph.views import viewer  # start-up time: rdflib and pyvis
    from practice_graph.views.dataset import embed_dataset_jsonld

    writable_file(out or DEFAULT_OUT / VIEWER_FILE)  # a selection's default file is in the same folder
    with reported():
        store = oxigraph_store(built_ntriples(data_dir, ontology_dir))
    type_names = [name for name in types.split(",") if name.strip()]
    with reported(bad_input=(viewer.SelectionError,)):
        data = viewer.select(viewer.viewer_data(store), focus=focus, depth=depth, types=type_names, task=task)
    if out is None:
        out = DEFAULT_OUT / (f"practice-graph-{data.name}.html" if data.selected else VIEWER_FILE)
    try:
        write_atomically(out, embed_dataset_jsonld(viewer.render_html(data), store).encode("utf-8"))
    except OSError as error:
        raise CommandError(f"cannot write {out}: {error.strerror or error}", exit_code=1) from None
    mode = "positions precomputed, no edge labels (a large graph)" if data.large else "positions precomputed"
    click.echo(f"wrote {out} ({len(data.nodes)} nodes, {len(data.edges)} edges, {mode})")


if __name__ == "__main__":  # pragma: no cover
    main()
