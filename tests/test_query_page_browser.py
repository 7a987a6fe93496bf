"""The endpoint's query page in Debian's Chromium: the vendored SPARQL editor loads, runs a named
example, completes prefixes, shows rows (labels in Chinese and English) as text, and asks nothing of
any host but its own server."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from practice_graph.core.paths import NTRIPLES
from practice_graph.sparql.endpoint import Limits
from practice_graph.sparql.query import find_query, open_store, rows, run_select
from tests.servers import endpoint_in_thread, url_of

HOSTILE = '<img src=x onerror="window.__pwned=1">'
HOSTILE_TRIPLE = (f'<https://w3id.org/practice-graph/id/hostile> <http://www.w3.org/2000/01/rdf-schema#label> '
                  f'"{HOSTILE.replace(chr(34), chr(92) + chr(34))}"@zh .\n').encode()


@pytest.fixture(scope="module")
def page_url(built) -> Iterator[str]:
    with endpoint_in_thread(built.files[NTRIPLES] + HOSTILE_TRIPLE, Limits(timeout_s=10)) as server:
        yield url_of(server, "/")


def wait_for(page: Any, expression: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"timed out waiting for {expression}"
        time.sleep(0.05)


def run_and_wait(page: Any) -> None:
    ran = page.evaluate("Number(document.body.dataset.ran || 0)")
    page.click("#run")
    wait_for(page, f"Number(document.body.dataset.ran || 0) > {ran}")


def test_query_page_editor_runs_examples_and_stays_on_its_server(browser, page_url, built) -> None:
    page = browser.new_page()
    requests: list[str] = []
    problems: list[str] = []
    dialogs: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on("console", lambda message: message.type in {"error", "warning"} and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    try:
        page.goto(page_url)
        # the editor: CodeMirror with SPARQL highlighting, holding the named example cq04
        assert page.evaluate("typeof Yasqe") == "function"
        assert page.input_value("#examples") == "cq04"
        assert page.evaluate("pgQuery.editor.getValue()") == find_query("cq04").text
        assert page.evaluate("document.querySelectorAll('.CodeMirror .cm-keyword').length") > 3  # SELECT, WHERE...
        assert page.text_content("#question-zh") == ("在哪些地区，住房城乡建设部门、人力资源社会保障部门和工会"
                                                     "在同一安排中共同行动？")
        assert page.text_content("#question-en").startswith("In which regions do the housing and urban-rural")

        # run it: rows as the embedded store gives them, the English labels beside the Chinese
        run_and_wait(page)
        _, expected = rows(run_select(open_store(built.files[NTRIPLES]), find_query("cq04")))
        header = page.evaluate("[...document.querySelectorAll('#results thead th')].map(c => c.textContent)")
        assert header == ["region", "regionLabel", "regionLabel_en", "arrangement"]
        shown = page.evaluate("[...document.querySelectorAll('#results tbody tr')].map(r => r.cells[1].textContent)")
        assert shown == [f"{row[1]} @zh" for row in expected]  # regionLabel with its language tag
        english = page.evaluate("[...document.querySelectorAll('#results tbody tr')].map(r => r.cells[2].textContent)")
        assert "Chongqing Municipality @en" in english  # data/regions.yaml: 重庆市
        assert page.get_attribute("#results tbody tr a", "href").startswith("id/")

        # another example from the list
        page.select_option("#examples", "cq02")
        assert page.text_content("#question-en") == "How many practices does each work task hold?"
        run_and_wait(page)
        shown = page.evaluate("Number(document.body.dataset.shown)")
        page.select_option("#lang", "en")  # shown again in English, not run again
        wait_for(page, f"Number(document.body.dataset.shown) > {shown}")
        assert page.evaluate("[...document.querySelectorAll('#results thead th')].map(c => c.textContent)") == [
            "task", "taskLabel", "practices"]
        labels = page.evaluate("[...document.querySelectorAll('#results tbody tr')].map(r => r.cells[1].textContent)")
        assert labels[0] == "Promote the transformation of migrant workers into new-era construction industry " \
                            "workers @en"

        # prefix completion from the graph's model, and a prefix declared as it is used
        page.evaluate("pgQuery.editor.setValue('PREFIX ')")
        page.click(".CodeMirror")
        page.keyboard.press("Control+End")
        page.keyboard.press("Control+Space")
        wait_for(page, "document.querySelectorAll('.CodeMirror-hint').length > 0")
        hints = page.evaluate("[...document.querySelectorAll('.CodeMirror-hint')].map(h => h.textContent)")
        assert "pg: <https://w3id.org/practice-graph/ontology#>" in hints
        page.keyboard.press("Escape")
        page.evaluate("pgQuery.editor.setValue('')")
        page.click(".CodeMirror")
        page.keyboard.type("SELECT ?s WHERE { ?s a pgid:")
        wait_for(page, "pgQuery.editor.getValue().startsWith('PREFIX pgid: <https://w3id.org/practice-graph/id/>')")

        # a hostile label is text
        page.select_option("#lang", "zh")
        page.evaluate("q => pgQuery.editor.setValue(q)", "SELECT ?label WHERE { <https://w3id.org/practice-graph/id/"
                      "hostile> <http://www.w3.org/2000/01/rdf-schema#label> ?label }")
        run_and_wait(page)
        assert page.text_content("#results tbody td") == f"{HOSTILE} @zh"
        assert page.evaluate("document.querySelectorAll('#results img').length") == 0
        assert page.evaluate("window.__pwned") is None
        assert dialogs == [] and problems == []
        assert requests and all(url.startswith(page_url) for url in requests), requests
        assert page.evaluate("window.localStorage.length") == 0  # the editor keeps nothing in the browser
    finally:
        page.close()
