"""The static site without a browser: what the pages say, every link resolves, hostile labels stay
text, the source reader marks each quote at its offsets, the map, determinism, atomic writes, and
the served pages with content negotiation.

Expectations are read off the source text (data/source/000_434fdb7575b37628.txt), cited beside each.
"""

from __future__ import annotations

import html
import json
import posixpath
import re
import urllib.error
import urllib.request
from collections.abc import Iterator
from html.parser import HTMLParser
from urllib.parse import unquote, urldefrag

import lxml.html
import pytest
from rdflib import RDFS, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS

from practice_graph.core.namespaces import ID, OA, PG
from practice_graph.sparql.endpoint import Limits
from practice_graph.views import site
from practice_graph.views.html import CSP
from tests.servers import endpoint_in_thread, url_of
from tests.sites import NTRIPLES, site_inputs
from tests.test_visualise import HOSTILE


@pytest.fixture(scope="module")
def files(site_files) -> dict[str, bytes]:
    return site_files  # the session's render of the built graph's site (conftest)


def page_text(files: dict[str, bytes], path: str) -> str:
    return files[path].decode("utf-8")


def visible_text(markup: str) -> str:
    """The text a reader sees (tags dropped, entities decoded)."""
    return html.unescape(re.sub(r"<[^>]+>", " ", markup))


# --------------------------------------------------------------------------- what the pages say


def test_a_region_page_rolls_up_the_practices_of_the_regions_below(files) -> None:
    henan = page_text(files, "id/henan.html")
    # The source has seven practices led in Henan: 河南省 itself leads 4.(一)1 (建立多方联动工作机制) and
    # 4.(二)2 (实行“一试双证”); 固始县 leads 1.(二)1 and 4.(一)4; 平顶山市 2.(二)2; 林州市 3.(一)1;
    # 漯河市 3.(二)2.
    rollup = henan.split('class="rollup"')[1].split("</table>")[0]
    assert rollup.count("<tr>") == 1 + 7
    for lead in ("固始县", "平顶山市", "林州市", "漯河市", "河南省"):
        assert lead in rollup
    assert "2 practice(s) led here, 5 by regions below, 7 in all" in henan
    assert "河南省建立多方联动工作机制" in rollup and "河南省固始县大力发展专业作业企业" in rollup
    assert '<span lang="zh">河南省</span> <span lang="en" class="en">Henan Province</span>' in henan


def test_an_arrangement_page_shows_participants_and_roles(files) -> None:
    # 4.(一)1: 建立人社部门牵头、住房城乡建设部门负责实施、财政和税务等部门提供政策支持的协同推进机制
    arrangement = page_text(files, "id/henan-coordination-mechanism.html")
    table = arrangement.split('class="participants"')[1].split("</table>")[0]
    roles = {}
    for row in table.split("<tr>")[2:]:
        cells = row.split("<td>")[1:]
        participant = re.search(r'href="([^"]+)"', cells[0]).group(1)
        roles[participant] = visible_text(cells[2]).split()[0]
    # the bare 人社部门 and 住房城乡建设部门 state no level: records of their own (codebook LEVEL-4, BODY-4)
    assert roles == {"henan-hrss-department.html": "牵头", "henan-housing-department.html": "负责实施",
                     "henan-finance.html": "支持", "henan-tax.html": "支持"}
    assert "人社部门牵头" in table and "财政和税务等部门提供政策支持" in table  # each participation's quote


def test_a_mechanism_page_lists_the_regions_using_it(files) -> None:
    # 1.(一)1: 重庆市 ... 加强住房城乡建设、发展改革、人力资源社会保障、总工会等部门联动 (a standing mechanism of
    # several departments, codebook MECH-5)
    mechanism = page_text(files, "id/interdepartmental-coordination-mechanism.html")
    regions = mechanism.split('class="mechanism-regions"')[1].split("</table>")[0]
    assert "重庆市" in regions and 'href="chongqing.html"' in regions


def test_a_fact_shows_its_quote_with_its_practice_and_a_link_into_the_reader(files, source_text) -> None:
    practice = page_text(files, "id/p-1-2-1.html")
    # 1.(二)1 is led by 河南省固始县: the lead-region fact links to 固始县's page.
    facts = practice.split('class="facts"')[1].split("</table>")[0]
    assert 'href="gushi.html"' in facts
    # The platform it names (信息上传至河南省建筑市场监管公共服务平台) is a fact with its quote: a link into
    # the reader at a span that holds the name.
    name = "河南省建筑市场监管公共服务平台"
    at = source_text.index(name)
    spans = [(int(a), int(b)) for a, b in re.findall(r'href="../source.html#q-(\d+)-(\d+)"', facts)]
    assert any(a <= at and at + len(name) <= b for a, b in spans)
    assert 'href="../source.html#practice-p-1-2-1"' in practice


def test_every_node_with_an_identifier_has_a_page_and_the_index_links_them_all(files, built) -> None:
    identifiers = {str(value) for value in built.graph.objects(None, DCTERMS.identifier)}
    pages = {path.removeprefix("id/").removesuffix(".html") for path in files if path.startswith("id/")}
    assert pages == identifiers
    index = page_text(files, "index.html")
    assert all(f'href="id/{identifier}.html"' in index for identifier in identifiers)
    search = json.loads(html.unescape(re.search(r'id="search-index">(.*?)</script>', index).group(1)))
    henan = next(entry for entry in search if entry["i"] == "henan")
    assert henan["z"] == "河南省" and henan["e"] == "Henan Province" and "河南省" in henan["q"]


def test_the_query_examples_link_their_results_to_pages(files) -> None:
    queries = page_text(files, "queries.html")
    cq04 = queries.split('id="cq04"')[1].split("<h2")[0]
    assert re.search(r'<a href="id/[a-z0-9-]+\.html" title="[^"]*">[^<]+</a>', cq04)
    assert "w3id.org" not in cq04.split('class="results"')[1]  # results link here, not to the namespace
    assert 'id="evidence"' in queries and "node = henan" in queries
    # in English too: the question, and each label column beside its Chinese (重庆市 is Chongqing Municipality)
    assert '<span class="en">In which regions do the housing and urban-rural development department' in cq04
    assert "<th>regionLabel_en</th>" in cq04 and "<td>Chongqing Municipality</td>" in cq04


def test_the_report_is_rendered_with_its_anchors_links_and_charts_inline(files) -> None:
    report = page_text(files, site.REPORT_PATH)
    assert '<p id="p-1-2-1" class="anchor"> <a class="entry" href="../id/p-1-2-1.html">' in report
    assert 'src="data:image/png;base64,' in report and "&lt;b&gt;escaped&lt;/b&gt;" in report
    assert files["analysis/region_rollup.csv"] == b"region,practices\n"


def test_without_an_analysis_the_report_page_says_so(built) -> None:
    inputs = site_inputs(built.files[NTRIPLES])
    inputs.analysis = None
    files = site.render_report(site.read_view(site.pages_store(inputs.ntriples, inputs.ontology)), None)
    assert list(files) == [site.REPORT_PATH]
    assert "practice-graph analyze" in files[site.REPORT_PATH].decode("utf-8")


# --------------------------------------------------------------------------- the source reader


class Marks(HTMLParser):
    """The text inside each quoted piece of the reader, by span (data-q) and piece start."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, dict[str, str | None]]] = []
        self.pieces: list[tuple[list[str], int, str]] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("id"):
            self.ids.add(found["id"] or "")
        self.stack.append((tag, found))

    def handle_endtag(self, tag: str) -> None:
        while self.stack and self.stack.pop()[0] != tag:
            pass

    def handle_data(self, data: str) -> None:
        for _, found in reversed(self.stack):
            if found.get("data-q"):
                self.pieces.append(((found["data-q"] or "").split(), int(found["data-start"] or 0), data))
                return


@pytest.fixture(scope="module")
def marks(files) -> Marks:
    parser = Marks()
    parser.feed(page_text(files, "source.html"))
    return parser


def quoted_text(marks: Marks, start: int, end: int) -> str:
    return "".join(data for spans, _, data in sorted(marks.pieces, key=lambda p: p[1]) if f"{start}-{end}" in spans)


def test_the_reader_marks_every_quote_of_a_practice_at_its_offsets(marks, built, source_text) -> None:
    quotes = {(str(exact), int(start), int(end)) for exact, start, end in built.graph.query(
        """SELECT ?exact ?start ?end WHERE { ?evidence pg:inPractice pgid:p-1-2-1 ; oa:hasSelector ?q, ?p .
           ?q oa:exact ?exact . ?p oa:start ?start ; oa:end ?end }""",
        initNs={"oa": OA, "pg": PG, "pgid": ID})}
    # 1.(二)1 opens 河南省固始县大力发展专业作业企业 and names the platform it uploads to.
    paragraph = source_text.index("1. 河南省固始县大力发展专业作业企业")
    assert ("河南省固始县", paragraph + 3, paragraph + 9) in quotes
    assert any("河南省建筑市场监管公共服务平台" in exact for exact, _, _ in quotes)
    # Its quoted spans: 河南省固始县 and 河南省 (the region), the heading (the practice and its
    # specialised work enterprises), 为专业作业企业直接对接总承包企业承揽业务提供便利 (facilitation),
    # 固始县已有 56 个项目试点推行… (the pilot), 截至 2023 年底… (the figure) and 将从事…上传至河南省建筑市场监管
    # 公共服务平台予以展示 (the platform); 试点推行 is a verb, no event (codebook EVT-3).
    assert len(quotes) == 7
    for exact, start, end in quotes:
        assert source_text[start:end] == exact
        assert quoted_text(marks, start, end) == exact, exact
        assert f"q-{start}-{end}" in marks.ids


def test_the_reader_marks_every_quoted_span_of_the_graph(marks, built, source_text) -> None:
    positions = {(int(s), int(e)) for s, e in built.graph.query(
        "SELECT ?s ?e WHERE { ?p a oa:TextPositionSelector ; oa:start ?s ; oa:end ?e }", initNs={"oa": OA})}
    assert len(positions) > 400  # hundreds of distinct quoted spans, every one checked below
    for start, end in positions:
        assert quoted_text(marks, start, end) == source_text[start:end]
    assert {f"practice-p-{t}-{m}-{n}" for t, m, n in [(1, 1, 1), (3, 4, 1), (4, 1, 1)]} <= marks.ids


def test_the_reader_shows_the_table_as_published_and_can_show_uncited_text(files, source_text) -> None:
    reader = page_text(files, "source.html")
    assert visible_text(reader).count("序号") == source_text.count("序号")
    assert '<input type="checkbox" id="show-uncited">' in reader and 'class="u"' in reader
    # 2.(一)1 is cut by a page break (the table row starting 建筑服务产业链为抓手): both segments are paragraphs.
    assert reader.count('<p class="para"') == source_text.count("<p>")


# --------------------------------------------------------------------------- the map


def test_the_map_shades_the_13_provinces_and_places_the_29_leading_regions(files) -> None:
    china = page_text(files, "map.html")
    shaded = {html.unescape(name): int(count) for name, count in
              re.findall(r'data-province="([^"]+)" data-practices="(\d+)"', china) if int(count)}
    # The province-level units that lead a practice or whose cities and counties do, read off the source.
    assert set(shaded) == {"重庆市", "陕西省", "河南省", "广东省", "浙江省", "四川省", "云南省", "广西壮族自治区",
                           "福建省", "江西省", "安徽省", "江苏省", "内蒙古自治区"}
    assert shaded["河南省"] == 7
    assert "台湾省" in china and 'class="maritime"' in china  # the official depiction: Taiwan, the maritime line
    points = re.findall(r'data-region="([^"]+)"', china)
    assert len(points) == 19 and "河南省/固始县" in points and "广东省/广州市" in points
    assert "13 province-level units, 29 leading regions" in china
    assert "regions not matched" not in china


# --------------------------------------------------------------------------- links and safety


def links_and_ids(markup: bytes) -> tuple[list[str], set[str]]:
    """Every non-empty ``href`` and ``src`` of a page (SVG's too) and its element ids, as an HTML parser
    reads them (entities decoded): lxml's, in C (the standard library's took 3 s for the site's 951 pages)."""
    document = lxml.html.document_fromstring(markup)
    return ([str(link) for link in document.xpath("//@href | //@src") if link],
            {str(found) for found in document.xpath("//@id") if found})


def broken_links(files: dict[str, bytes]) -> list[str]:
    parsed = {path: links_and_ids(content) for path, content in files.items() if path.endswith(".html")}
    broken = []
    for path, (links, _) in parsed.items():
        for link in links:
            if link.startswith(("data:", "javascript:")) or re.match(r"^[a-z]+:", link):
                if not link.startswith("data:"):
                    broken.append(f"{path}: external {link}")
                continue
            target, fragment = urldefrag(link)
            resolved = posixpath.normpath(posixpath.join(posixpath.dirname(path), unquote(target))) if target else path
            if resolved not in files:
                broken.append(f"{path}: {link}")
            elif fragment and resolved in parsed and fragment not in parsed[resolved][1]:
                broken.append(f"{path}: {link} (no anchor)")
    return broken


def test_the_link_checker_finds_a_missing_page_a_missing_anchor_and_a_host() -> None:
    page = (b'<p id="here"><a href="a.html#here">a</a> <a href="b.html">b</a> <a href="a.html#gone">c</a>'
            b'<svg><a href="https://example.org/"><text>d</text></a></svg> <img src="c.png"> '
            b'<a href="a.html?x=1&amp;y=2#here">e</a></p>')
    assert links_and_ids(page)[0] == ["a.html#here", "b.html", "a.html#gone", "https://example.org/", "c.png",
                                      "a.html?x=1&y=2#here"]
    assert broken_links({"a.html": page}) == [
        "a.html: b.html", "a.html: a.html#gone (no anchor)", "a.html: external https://example.org/",
        "a.html: c.png", "a.html: a.html?x=1&y=2#here"]


def test_every_link_of_the_site_resolves(files) -> None:
    assert broken_links(files) == []


@pytest.fixture(scope="module")
def hostile_files(hostile_site_files) -> dict[str, bytes]:
    return hostile_site_files  # the session's render of the site of the hostile graph (conftest)


def test_hostile_labels_stay_text_on_every_page(files, hostile_files) -> None:
    assert len(hostile_files) == len(files)
    assert not any(".." in path or HOSTILE in path for path in hostile_files)  # the hostile id is hashed
    escaped_somewhere = 0
    for path, content in hostile_files.items():
        if not path.endswith(".html"):
            continue
        markup = content.decode("utf-8")
        assert HOSTILE not in markup and "window.pgPwned=1</script>" not in markup, path
        if path in files and path != "map.html":  # the data adds no element (the map matches fewer names)
            clean = files[path].decode("utf-8")
            for tag in ("<img", "<script", "<a ", "<iframe"):
                assert markup.count(tag) == clean.count(tag), (path, tag)
        escaped_somewhere += html.escape(HOSTILE) in markup
    # region, practice, mechanism, arrangement, agency, concept, task pages, the reader, index, map ...
    assert escaped_somewhere >= 10
    for path in ("id/henan.html", "id/p-1-2-1.html", "id/interdepartmental-coordination-mechanism.html",
                 "id/henan-coordination-mechanism.html", "id/henan-hrss.html", "id/department-types/housing.html",
                 "id/t-1.html", "source.html", "map.html", "index.html"):
        assert html.escape(HOSTILE) in hostile_files[path].decode("utf-8"), path
    assert broken_links(hostile_files) == []


def test_two_renders_are_byte_identical(files, viewer_site_files) -> None:
    # The session's second render of the same graph (the one the browser tests open) differs only in
    # what it was given more: the viewer page.
    again = viewer_site_files
    assert again.keys() == files.keys()
    assert [path for path in files if files[path] != again[path]] == ["viewer.html"]
    assert files["viewer.html"] == site.missing_page("viewer.html", "关系图", "Graph viewer",
                                                     "the viewer was not rendered.")


def test_every_page_forbids_requests_outside_the_site(files) -> None:
    for path, content in files.items():
        if path.endswith(".html"):
            markup = content.decode("utf-8")
            assert f'<meta http-equiv="Content-Security-Policy" content="{html.escape(CSP)}">' in markup, path
            assert not re.search(r'(?:src|href)\s*=\s*"(?:https?:)?//', markup), path


# --------------------------------------------------------------------------- served: every IRI answers


@pytest.fixture(scope="module")
def server(built) -> Iterator[str]:
    """The endpoint with the pages hook, on a free loopback port; yields its base URL."""
    live = site.LiveSite(site_inputs(built.files[NTRIPLES]), base_url="https://example.org/pg/")
    with endpoint_in_thread(built.files[NTRIPLES], Limits(), pages=live.respond) as server:
        yield url_of(server, "")


def fetch(url: str, accept: str | None = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers={"Accept": accept} if accept else {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


HENAN = URIRef(str(ID["henan"]))
FORMATS = {"text/turtle": ("turtle", "ttl"), "application/n-triples": ("nt", "nt"),
           "application/ld+json": ("json-ld", "jsonld")}


@pytest.mark.parametrize("accept", sorted(FORMATS))
def test_content_negotiation_returns_parseable_rdf_for_every_format(server, accept) -> None:
    rdf_format, suffix = FORMATS[accept]
    for url, header in ((f"{server}/id/henan", accept), (f"{server}/id/henan.{suffix}", None)):
        status, headers, body = fetch(url, header)
        assert status == 200 and headers["Content-Type"].startswith(accept), url
        graph = Graph().parse(data=body, format=rdf_format)
        assert (HENAN, RDFS.label, Literal("河南省", lang="zh")) in graph
        assert (HENAN, DCTERMS.identifier, Literal("henan")) in graph
        # 1.(二)1 河南省固始县: the quote 河南省 with its offsets comes along
        assert any(True for _ in graph.triples((None, OA.exact, Literal("河南省"))))
    status, headers, _ = fetch(f"{server}/id/henan", accept)
    assert headers["Content-Location"] == f"https://example.org/pg/id/henan.{suffix}" and "Accept" in headers["Vary"]


def test_a_browser_gets_the_page_and_a_program_asking_for_nothing_known_gets_406(server) -> None:
    status, headers, body = fetch(f"{server}/id/henan", "text/html,application/xhtml+xml,*/*;q=0.8")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert headers["Content-Location"] == "https://example.org/pg/id/henan.html"
    assert "default-src 'none'" in headers["Content-Security-Policy"]
    assert "河南省" in body.decode("utf-8") and 'href="henan.ttl"' in body.decode("utf-8")
    assert fetch(f"{server}/id/henan", "image/png")[0] == 406
    assert fetch(f"{server}/id/no-such-entry")[0] == 404
    # a concept's IRI has a slash in its id
    status, _, body = fetch(f"{server}/id/department-types/housing.nt")
    assert status == 200 and b'"\\u4F4F' not in body and "住房和城乡建设".encode() in body


def test_the_ontology_and_the_site_pages_are_served(server) -> None:
    _, _, body = fetch(f"{server}/ontology", "text/turtle")
    graph = Graph().parse(data=body, format="turtle")
    assert (URIRef(str(PG.Region)), RDFS.label, Literal("行政区", lang="zh")) in graph
    status, _, body = fetch(f"{server}/ontology")
    assert status == 200 and 'id="Region"' in body.decode("utf-8")
    for path in ("/index.html", "/source.html", "/queries.html", "/analysis/report.html", "/ontology.html"):
        assert fetch(f"{server}{path}")[0] == 200, path
    assert b"SPARQL" in fetch(f"{server}/")[2]  # the query page stays at the root


# --------------------------------------------------------------------------- writing


def test_the_site_is_written_whole_and_replaces_only_an_earlier_site(tmp_path) -> None:
    out = tmp_path / "site"
    site.write_site(out, {"index.html": b"one", "id/a.html": b"a", site.MARKER: b"x"})
    site.write_site(out, {"index.html": b"two", site.MARKER: b"x"})
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*")) == [site.MARKER, "index.html"]
    assert (out / "index.html").read_bytes() == b"two"
    # a write that fails half-way leaves the earlier site as it was, and no stray folder beside it
    with pytest.raises(OSError):
        site.write_site(out, {"a": b"file", "a/b.html": b"under a file", site.MARKER: b"x"})
    assert (out / "index.html").read_bytes() == b"two"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]
    # a folder that is not a site is never replaced
    other = tmp_path / "notes"
    other.mkdir()
    (other / "keep.txt").write_text("mine")
    with pytest.raises(site.SiteError, match="not a site written by practice-graph"):
        site.write_site(other, {"index.html": b"x", site.MARKER: b"x"})
    assert (other / "keep.txt").read_text() == "mine"


def test_the_site_command_refuses_a_folder_that_is_not_a_site(tmp_path) -> None:
    from click.testing import CliRunner

    from practice_graph.cli import main

    (tmp_path / "keep.txt").write_text("mine")
    result = CliRunner().invoke(main, ["site", "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        f"error: {tmp_path.resolve()}: exists and is not a site written by practice-graph; choose another --out"]
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]
