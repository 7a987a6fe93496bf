"""The endpoint's query page in Debian's Chromium: it runs a named query, shows rows as text, stays offline."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from practice_graph.core.paths import NTRIPLES
from practice_graph.sparql.endpoint import Limits, SparqlServer
from practice_graph.sparql.query import find_query, open_store, rows, run_select
from tests.test_viewer_browser import browser  # noqa: F401  (the Chromium fixture)

HOSTILE = '<img src=x onerror="window.__pwned=1">'
HOSTILE_TRIPLE = (f'<https://w3id.org/practice-graph/id/hostile> <http://www.w3.org/2000/01/rdf-schema#label> '
                  f'"{HOSTILE.replace(chr(34), chr(92) + chr(34))}"@zh .\n').encode()


@pytest.fixture(scope="module")
def page_url(built) -> Iterator[str]:
    server = SparqlServer(("127.0.0.1", 0), built.files[NTRIPLES] + HOSTILE_TRIPLE, Limits(timeout_s=10), workers=1)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield "http://{}:{}/".format(*server.server_address[:2])
    server.shutdown()
    server.server_close()


def wait_for(page: Any, expression: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"timed out waiting for {expression}"
        time.sleep(0.05)


def test_query_page_runs_cq04_and_shows_hostile_text_as_text(browser, page_url, built) -> None:  # noqa: F811
    page = browser.new_page()
    requests: list[str] = []
    problems: list[str] = []
    dialogs: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    try:
        page.goto(page_url)
        assert page.input_value("#examples") == "cq04"
        page.click("#run")
        wait_for(page, "document.querySelectorAll('#results tbody tr').length > 0")
        _, expected = rows(run_select(open_store(built.files[NTRIPLES]), find_query("cq04")))
        shown = page.evaluate("[...document.querySelectorAll('#results tbody tr')].map(r => r.cells[1].textContent)")
        assert shown == [f"{row[1]} @zh" for row in expected]  # regionLabel with its language tag

        page.fill("#query", "SELECT ?label WHERE { <https://w3id.org/practice-graph/id/hostile> "
                            "<http://www.w3.org/2000/01/rdf-schema#label> ?label }")
        page.click("#run")
        wait_for(page, "document.querySelectorAll('#results tbody tr').length === 1")
        assert page.text_content("#results tbody td") == f"{HOSTILE} @zh"
        assert page.evaluate("document.querySelectorAll('#results img').length") == 0
        assert page.evaluate("window.__pwned") is None
        assert dialogs == [] and problems == []
        assert all(url.startswith(page_url) for url in requests), requests
    finally:
        page.close()
