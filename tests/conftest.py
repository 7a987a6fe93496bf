"""Shared fixtures: the real data built once, a cache of built graphs seeded from it, broken copies."""

from __future__ import annotations

import gc
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from xdist.scheduler import LoadScopeScheduling

from practice_graph.core.cache import CACHE_ENV, store_ntriples
from practice_graph.core.paths import DEFAULT_DATA, DEFAULT_ONTOLOGY, NTRIPLES
from practice_graph.pipeline import Built, build
from practice_graph.sparql.endpoint import Limits
from practice_graph.views import site
from tests.broken import Edit, edited_copy
from tests.servers import Listener, endpoint_in_thread, listening, url_of

PROJECT = Path(__file__).resolve().parent.parent
DATA = PROJECT / "data"
ONTOLOGY = PROJECT / "ontology"
SOURCE = DATA / "source" / "000_434fdb7575b37628.txt"

assert DEFAULT_DATA == DATA and DEFAULT_ONTOLOGY == ONTOLOGY


@pytest.fixture(scope="session")
def built() -> Built:
    """The real data, validated and built; checked with SHACL once per session by ``shacl_lines``."""
    return build(DATA, ONTOLOGY, shacl=False)


@pytest.fixture(scope="session")
def shacl_lines(built: Built) -> list[str]:
    """The SHACL problems of the session's build (its graph with the ontology): SHACL once per session."""
    from practice_graph.rdf.shacl import ontology_graph, shacl_problems

    return shacl_problems(built.graph, ONTOLOGY / "shapes.ttl", ontology=ontology_graph(ONTOLOGY))


@pytest.fixture(scope="session", autouse=True)
def graph_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The tests' own cache of built graphs: never the user's cache, never a working folder's dist/.

    Set for the whole session (subprocesses and notebook kernels inherit it); empty until
    ``seeded_cache`` puts the session's build there.
    """
    folder = tmp_path_factory.mktemp("graph-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(CACHE_ENV, str(folder))
        yield folder


@pytest.fixture(scope="session")
def seeded_cache(built: Built, graph_cache: Path) -> Path:
    """The cache holding the session's build: commands that read the graph find it current."""
    store_ntriples(built.stamp, built.files[NTRIPLES], graph_cache)
    return graph_cache


@pytest.fixture(scope="session")
def rendered_analysis(built: Built, graph_cache: Path) -> dict[str, bytes]:
    """The analysis of the session's build, drawn once per session with a missing glyph as an error,
    and kept in the tests' cache of renders (where ``analyze`` and ``api.analysis_file`` find it)."""
    import warnings

    from practice_graph.pipeline import analysis_files, render_key
    from practice_graph.sparql.store import oxigraph_store
    from practice_graph.views.read import Source

    ntriples = built.files[NTRIPLES]
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*[Gg]lyph.*")
        return analysis_files(Source(store=oxigraph_store(ntriples)), render_key(ntriples), reuse=False)


@pytest.fixture(scope="session")
def site_files(built: Built) -> dict[str, bytes]:
    """The static site of the session's build (with the tests' small stand-in analysis, no viewer)."""
    from tests.sites import site_inputs  # (tests.sites imports this module)

    return site.render_site(site_inputs(built.files[NTRIPLES]))


@pytest.fixture(scope="session")
def viewer_site_files(built: Built) -> dict[str, bytes]:
    """The static site of the session's build with its viewer: a second, separate render (the browser opens it)."""
    from tests.sites import site_inputs  # (tests.sites imports this module)

    return site.render_site(site_inputs(built.files[NTRIPLES], viewer=True))


@pytest.fixture(scope="session")
def hostile_site_files(built: Built) -> dict[str, bytes]:
    """The static site of the session's build with markup for labels, a hostile quote and id (tests.sites)."""
    from tests.sites import hostile, site_inputs  # (tests.sites imports this module)

    return site.render_site(site_inputs(hostile(built.files[NTRIPLES])))


@pytest.fixture(scope="module")
def listener() -> Iterator[Listener]:
    """A loopback listener standing in for an internal service, which the module's requests must never reach."""
    with listening() as target:
        yield target


CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
IN_CI = os.environ.get("CI", "").lower() == "true"


def unavailable(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"{reason} (required in CI)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Debian's Chromium, headless, through Playwright: one for the session, a tab per page a test opens.

    Skipped when Chromium or Playwright is missing, except in CI (``CI=true``), where that fails."""
    chromium = shutil.which("chromium")
    if chromium is None:
        unavailable("Debian's chromium is not installed")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("playwright is not installed")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")), executable_path=chromium, headless=True,
            args=CHROMIUM_ARGS, viewport={"width": 1400, "height": 900})
        yield context
        context.close()


@pytest.fixture(scope="session")
def source_text() -> str:
    return SOURCE.read_text(encoding="utf-8")


@pytest.fixture
def data_copy(tmp_path: Path) -> Callable[..., Path]:
    """Copy the data folder; ``edit(file, old, new)`` pairs are applied to the copy."""

    def make(*edits: Edit) -> Path:
        return edited_copy(DATA, tmp_path / "data", edits)

    return make


# --------------------------------------------------------------------------- suite-b


@pytest.fixture(scope="session")
def large_viewer() -> tuple[Any, str]:
    """A synthetic graph of 1,500 viewer nodes (past the large mode's 1,000), its viewer data and page:
    drawn once for the test of the page and the browser's."""
    from practice_graph.views import viewer
    from tests.synthetic import synthetic_graph

    data = viewer.viewer_data(synthetic_graph(1500))
    return data, viewer.render_html(data)


# ------------------------------------------------------------------------------ workers
# With -n (pytest-xdist), each group of files runs on one worker: a file is its own group (its module
# fixtures made once, as ``--dist loadfile`` does), and the files sharing a costly session fixture are one
# group, so one worker makes it once: Chromium, the sites and the 1,500-node viewer; the analysis drawn
# (which `analyze` then reads from the tests' cache of renders) and the SHACL verdict; the endpoint.
WORKER_GROUPS = {
    "browser": ("test_site.py", "test_site_browser.py", "test_viewer_browser.py", "test_visualise.py",
                "test_query_page_browser.py"),
    "drawn-analysis": ("test_analysis.py", "test_charts.py", "test_outputs.py", "test_outputs_whole.py",
                       "test_release.py", "test_renders.py", "test_remote.py", "test_ondisk.py", "test_build.py",
                       "test_progress.py"),
    "session-endpoint": ("test_api.py", "test_endpoint_service.py", "test_query_forms.py"),
}
GROUP_OF = {file: group for group, files in WORKER_GROUPS.items() for file in files}
assert all((PROJECT / "tests" / file).is_file() for file in GROUP_OF), "WORKER_GROUPS names a file that is gone"


class FileGroupScheduling(LoadScopeScheduling):
    """pytest-xdist's scheduling by scope, a test's scope being its file's group (``WORKER_GROUPS``) or
    else its file. (xdist's own ``--dist loadgroup`` reads marks through the node id, which pytest 9.2
    no longer lets a plugin change: every test would be its own group.)"""

    def _split_scope(self, nodeid: str) -> str:
        file = nodeid.split("::", 1)[0]
        return GROUP_OF.get(file.rsplit("/", 1)[-1], file)


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> FileGroupScheduling | None:
    """The file groups in place of ``--dist loadfile`` (the default set in pyproject.toml); another
    ``--dist`` given on the command line is left to xdist."""
    return FileGroupScheduling(config, log) if config.getvalue("dist") == "loadfile" else None


# ------------------------------------------------------------------------------ suite-a
def pytest_runtest_logfinish(nodeid: str, location: tuple[str, int | None, str]) -> None:
    """After each test (its fixtures' values released): collect once, then freeze what survives.

    The session's fixtures (the build, its rdflib graph, stores, renders, matplotlib) are hundreds of
    thousands of long-lived objects; Python's full collections walked them all again and again (about
    an eighth of the CPU of the analysis tests). Frozen objects are never walked again; objects that
    die later are still freed by their reference counts."""
    gc.collect()
    gc.freeze()


@pytest.fixture(scope="session")
def kept_shacl_verdict(built: Built, shacl_lines: list[str], seeded_cache: Path) -> Path:
    """The cache holding the session's build and its SHACL verdict (``shacl_lines``: conforms), kept as
    ``validate`` keeps it: a command that checks the session's build reads the verdict, never re-running
    the engines on the same graph, shapes and ontology."""
    from practice_graph.core.renders import keep_render
    from practice_graph.rdf.shacl import CONFORMS, VERDICT, shacl_key

    assert shacl_lines == []
    assert keep_render(shacl_key(built.files[NTRIPLES], ONTOLOGY), VERDICT, CONFORMS, root=seeded_cache)
    return seeded_cache


# --------------------------------------------------------------------------- suite-c


@pytest.fixture(scope="session")
def session_endpoint(built: Built) -> Iterator[str]:
    """The session's build served over loopback HTTP (one worker, a 10 s time limit, the other limits as
    default): the URL of its /sparql. For tests that only read through it; a test that stops a worker
    or needs other limits starts its own."""
    with endpoint_in_thread(built.files[NTRIPLES], Limits(timeout_s=10)) as server:
        yield url_of(server)
