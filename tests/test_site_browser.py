"""The static site in a real browser (Debian's Chromium, headless, through Playwright).

A crawler opens every page from ``file://``, follows every internal link (0 broken, every anchor
present) and records every request (none leaves the site); hostile labels render as text on every
page kind; the source reader marks each quote of a practice at its offsets; the search finds 河南省
for "Henan". Screenshots are kept when ``PG_SCREENSHOT_DIR`` is set.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urldefrag

import pytest

from practice_graph.core.namespaces import ID, OA, PG
from practice_graph.views import site
from tests.test_viewer_browser import SCREENSHOT_DIR
from tests.test_visualise import HOSTILE, HOSTILE_EN


@pytest.fixture(scope="module")
def site_dir(viewer_site_files, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site") / "site"
    site.write_site(out, viewer_site_files)  # the session's render of the site with its viewer (conftest)
    return out


@pytest.fixture(scope="module")
def hostile_dir(hostile_site_files, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("hostile") / "site"
    site.write_site(out, hostile_site_files)
    return out


class Visit:
    """One browser tab that records requests, console errors and dialogs."""

    def __init__(self, browser: Any, root: Path) -> None:
        self.root = root.resolve().as_uri() + "/"
        self.page = browser.new_page()
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("dialog", lambda dialog: (self.dialogs.append(dialog.message), dialog.dismiss()))
        # Anything but the site's own files is refused before it leaves, and recorded above.
        self.page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(self.root)
                        else route.abort())

    def open(self, path: str, wait_until: str = "load", forget: bool = False) -> None:
        """Go to a page of the site; ``forget``: drop the requests, errors and dialogs of the pages before."""
        if forget:
            self.requests.clear()
            self.errors.clear()
            self.dialogs.clear()
        self.page.goto(self.root + path, wait_until=wait_until)

    def js(self, expression: str, arg: Any = None) -> Any:
        return self.page.evaluate(expression, arg)

    def outside(self) -> list[str]:
        return [url for url in self.requests if not url.startswith((self.root, "data:", "about:"))]


@pytest.fixture
def visit(browser, site_dir) -> Iterator[Visit]:
    opened = Visit(browser, site_dir)
    yield opened
    opened.page.close()


def shoot(visit: Visit, name: str, full_page: bool = False) -> None:
    if SCREENSHOT_DIR:
        Path(SCREENSHOT_DIR).mkdir(parents=True, exist_ok=True)
        visit.page.screenshot(path=str(Path(SCREENSHOT_DIR) / name), full_page=full_page)


# (an SVG <a> has an SVGAnimatedString for href: resolve its attribute instead)
PAGE_LINKS = """[
  Array.from(document.querySelectorAll('a[href]'), a => new URL(a.getAttribute('href'), document.baseURI).href),
  Array.from(document.querySelectorAll('[id]'), e => e.id)]"""


@pytest.mark.slow  # a browser visits every page of the site: about a minute
def test_a_crawler_finds_no_broken_link_and_no_request_leaving_the_site(visit, site_dir) -> None:
    """Opens every page but the entries' (of those, the first three of each type; ``PG_FULL_CRAWL=1``
    opens them all, about 600) and checks every link of every page opened: its file exists, its anchor
    too. test_site.py checks every link of every page without a browser."""
    started = time.monotonic()
    everything = os.environ.get("PG_FULL_CRAWL") == "1"
    sampled = {str(path.relative_to(site_dir).as_posix()) for folder in [site_dir / "id"]
               for path in sorted(folder.rglob("*.html"))}
    per_folder: dict[str, int] = {}
    allowed = set()
    for path in sorted(sampled, key=lambda p: (p.count("/"), p)):
        folder = path.rsplit("/", 1)[0]
        if per_folder.get(folder, 0) < 3:
            allowed.add(path)
        per_folder[folder] = per_folder.get(folder, 0) + 1
    pending, seen, ids, fragments, broken = ["index.html"], set(), {}, [], []
    while pending:
        path = pending.pop()
        if path in seen or not path.endswith(".html"):
            continue
        if path.startswith("id/") and not everything and path not in allowed and path != "id/henan.html":
            continue
        seen.add(path)
        visit.open(path, wait_until="domcontentloaded")
        links, found = visit.js(PAGE_LINKS)
        ids[path] = set(found)
        for link in links:
            target, fragment = urldefrag(link)
            if not target.startswith(visit.root):
                broken.append(f"{path}: leaves the site: {link}")
                continue
            relative = unquote(target[len(visit.root):])
            if not (site_dir / relative).is_file():
                broken.append(f"{path}: {link}")
                continue
            if fragment:
                fragments.append((path, relative, fragment))
            pending.append(relative)
    for path, target, fragment in fragments:
        if target not in ids:  # a page not opened: read its anchors from the file
            ids[target] = set(re.findall(r'\bid="([^"]+)"', (site_dir / target).read_text(encoding="utf-8")))
        if fragment not in ids[target]:
            broken.append(f"{path}: {target}#{fragment} (no such anchor)")
    assert broken == []
    assert {"source.html", "map.html", "queries.html", "viewer.html", "ontology.html", site.REPORT_PATH} <= seen
    assert visit.outside() == [] and visit.errors == [] and visit.dialogs == []
    print(f"opened {len(seen)} pages in {time.monotonic() - started:.1f} s")


@pytest.fixture(scope="module")
def hostile_visit(browser, hostile_dir) -> Iterator[Visit]:
    """One tab for the hostile site's pages (each test opens its page in it; a new document each time)."""
    opened = Visit(browser, hostile_dir)
    yield opened
    opened.page.close()


@pytest.mark.parametrize("path", ["index.html", "id/henan.html", "id/p-1-2-1.html",
                                  "id/interdepartmental-coordination-mechanism.html",
                                  "id/henan-coordination-mechanism.html",
                                  "id/henan-hrss.html", "id/department-types/housing.html", "id/t-1.html",
                                  "source.html", "map.html"])
def test_hostile_labels_render_as_text(hostile_visit, path) -> None:
    visit = hostile_visit
    visit.open(path, forget=True)  # what this page requests and shows only
    if path == "index.html":  # the search shows it from the index's JSON
        visit.page.fill("#search", "onerror")
        assert HOSTILE in visit.js("document.getElementById('results').innerText")
    assert HOSTILE in visit.js("document.body.innerText") or HOSTILE in visit.js(
        "Array.from(document.querySelectorAll('[title], title'), e => e.title || e.textContent).join(' ')")
    assert visit.js("document.querySelectorAll('img').length") == 0
    assert visit.js("typeof window.pgPwned") == "undefined"
    assert visit.dialogs == [] and visit.outside() == [] and visit.errors == []
    if path == "id/henan.html":
        assert HOSTILE_EN in visit.js("document.querySelector('h1').innerText")


def test_the_reader_highlights_every_quote_of_a_practice_at_its_offsets(visit, built) -> None:
    quotes = sorted({(str(exact), int(start), int(end)) for exact, start, end in built.graph.query(
        """SELECT ?exact ?start ?end WHERE { ?evidence pg:inPractice pgid:p-1-2-1 ; oa:hasSelector ?q, ?p .
           ?q oa:exact ?exact . ?p oa:start ?start ; oa:end ?end }""",
        initNs={"oa": OA, "pg": PG, "pgid": ID})}, key=lambda q: q[1])
    visit.open("source.html#practice-p-1-2-1")
    assert visit.js("document.querySelector(':target') !== null")
    top = visit.js("document.querySelector(':target').getBoundingClientRect().top")
    assert -2 <= top < 200  # scrolled to the practice
    shoot(visit, "source-reader.png")
    for exact, start, end in quotes:
        marked = visit.js("""span => Array.from(document.querySelectorAll('[data-q]'))
            .filter(e => e.dataset.q.split(' ').includes(span)).map(e => e.textContent).join('')""", f"{start}-{end}")
        assert marked == exact
        background = visit.js("""span => getComputedStyle(Array.from(document.querySelectorAll('[data-q]'))
            .find(e => e.dataset.q.split(' ').includes(span))).backgroundColor""", f"{start}-{end}")
        assert background not in {"rgba(0, 0, 0, 0)", "transparent"}
        assert visit.js("id => document.getElementById(id) !== null", f"q-{start}-{end}")
    # the toggle shows the text no record cites
    before = visit.js("getComputedStyle(document.querySelector('.u')).backgroundColor")
    visit.page.check("#show-uncited")
    assert visit.js("getComputedStyle(document.querySelector('.u')).backgroundColor") != before


def test_search_finds_the_province_for_its_english_name(visit) -> None:
    visit.open("index.html")
    shoot(visit, "index.png")
    visit.page.fill("#search", "Henan")
    first = visit.js("document.querySelector('#results li a').textContent")
    assert first == "河南省"
    visit.page.click("#results li a")
    assert visit.page.url.endswith("/id/henan.html")
    assert visit.js("document.querySelector('h1').innerText").startswith("河南省")
    shoot(visit, "region-henan.png")


def test_the_map_shows_the_provinces_and_links_them(visit) -> None:
    visit.open("map.html")
    shaded = visit.js("Array.from(document.querySelectorAll('path[data-practices]')).filter(p => p.dataset.practices"
                      " !== '0').length")
    assert shaded == 13
    assert visit.js("document.querySelectorAll('[data-region]').length") == 19
    visit.page.locator("svg.map").screenshot(path=str(Path(SCREENSHOT_DIR) / "map.png")) if SCREENSHOT_DIR else None
    with visit.page.expect_navigation():  # (city labels lie over its centre: click the shape itself)
        visit.page.dispatch_event('path[data-province="河南省"]', "click")
    assert visit.page.url.endswith("/id/henan.html")


MAP_LABELS = """Array.from(document.querySelectorAll('svg.map text.plabel, svg.map text.rlabel'), text => {
  const box = text.getBoundingClientRect();
  return [text.textContent, box.left, box.top, box.right, box.bottom];
})"""


def test_no_two_labels_of_the_map_overlap(visit) -> None:
    """Every province and every city or county keeps a readable label (the Pearl River Delta, Sichuan
    and Henan crowded before): the boxes Chromium draws them in do not intersect."""
    visit.open("map.html")
    labels = visit.js(MAP_LABELS)
    assert len(labels) == 13 + 19  # the shaded province-level units and the points
    crossing = [(a[0], b[0]) for i, a in enumerate(labels) for b in labels[i + 1:]
                if min(a[3], b[3]) - max(a[1], b[1]) > 0.5 and min(a[4], b[4]) - max(a[2], b[2]) > 0.5]
    assert crossing == []


def test_the_viewer_page_works_inside_the_site(visit) -> None:
    visit.open("viewer.html")
    deadline = time.monotonic() + 120
    while not visit.js("Boolean(window.pgViewer && window.pgViewer.stable)"):
        assert time.monotonic() < deadline
        time.sleep(0.1)
    assert visit.outside() == [] and visit.errors == []
    # a double click on 河南省 opens its page (the event as vis-network emits it for a double click)
    node = visit.js("pgViewer.nodes.get({filter: n => n.label === '河南省'})[0].id")
    with visit.page.expect_navigation():
        visit.js("id => { pgViewer.network.body.emitter.emit('doubleClick', {nodes: [id], edges: []}); }", node)
    assert visit.page.url.endswith("/id/henan.html")

