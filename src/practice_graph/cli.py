"""The ``practice-graph`` command line.

Exit codes: 0 success, 2 bad input (data that breaks a rule, a bad option), 1 anything else.
Problems are printed one a line, ``file:line: field: message``, with no traceback.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from practice_graph.pipeline import DEFAULT_DATA, DEFAULT_ONTOLOGY, DEFAULT_OUT, BuildFailed

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
    """Validate the data and write the graph (Turtle, N-Triples, JSON-LD) to OUT."""
    from practice_graph.export import write_outputs
    from practice_graph.pipeline import build as run_build

    try:
        built = run_build(data_dir, ontology_dir)
    except BuildFailed as error:
        _fail(error)
        return
    for path in write_outputs(out_dir, built.files):
        click.echo(f"wrote {path} ({path.stat().st_size:,} bytes)")
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
    from practice_graph.store import built_ntriples

    try:
        return built_ntriples(data_dir, ontology_dir, out_dir)
    except BuildFailed as error:
        _fail(error)
        raise AssertionError("unreachable") from None


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
def query(query_name: str | None, params: tuple[str, ...], output_format: str, list_queries: bool,
          data_dir: Path, ontology_dir: Path, out_dir: Path) -> None:
    """Run a named competency question, a query file, or a query on standard input."""
    from practice_graph import query as queries

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
    try:
        named = queries.find_query(query_name)
        store = queries.open_store(_graph_ntriples(data_dir, ontology_dir, out_dir))
        solutions = queries.run_select(store, named, given)
    except queries.QueryError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(2)
    if output_format == "table":
        click.echo(queries.format_table(*queries.rows(solutions)), nl=False)
        return
    import pyoxigraph as ox

    result_format = {"json": ox.QueryResultsFormat.JSON, "csv": ox.QueryResultsFormat.CSV,
                     "tsv": ox.QueryResultsFormat.TSV}[output_format]
    click.echo(solutions.serialize(format=result_format).decode("utf-8"), nl=False)


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
    from practice_graph import visualise
    from practice_graph.store import rdflib_graph

    graph = rdflib_graph(_graph_ntriples(data_dir, ontology_dir, DEFAULT_OUT))
    type_names = [name for name in types.split(",") if name.strip()]
    try:
        data = visualise.select(visualise.viewer_data(graph), focus=focus, depth=depth, types=type_names, task=task)
    except visualise.SelectionError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(2)
    from practice_graph.export import write_atomically

    write_atomically(out_file, visualise.render_html(data).encode("utf-8"))
    mode = "precomputed layout" if data.large else "seeded physics layout"
    click.echo(f"wrote {out_file} ({len(data.nodes)} nodes, {len(data.edges)} edges, {mode})")


if __name__ == "__main__":  # pragma: no cover
    main()
