"""The static site: the graph as a reference work, readable from ``file://`` or any static host.

``render_site`` returns every file of the site in memory (path -> bytes): an index by type with a
client-side search over Chinese and English labels and quotes, one page per entry (``id/{id}.html``),
the source reader, the map, the competency questions with their results, the analysis report, the
viewer and the ontology. ``write_site`` writes them atomically: into a new folder beside the target,
which then takes the target's place in one step (``core.files.write_outputs``). Two builds of the
same graph give byte-identical files; no page requests anything from outside the site.
"""

from __future__ import annotations

import base64
import hashlib
import re
import threading
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pyoxigraph as ox
from markdown_it import MarkdownIt
from rdflib.namespace import OWL

from practice_graph.core.files import read_folder, write_outputs
from practice_graph.core.namespaces import PG, PREFIXES
from practice_graph.core.web import accepted_media
from practice_graph.sparql import query as queries
from practice_graph.sparql.store import oxigraph_store
from practice_graph.views.html import bilingual, page, relative, script_json, table, text
from practice_graph.views.pages import (
    COLOURS,
    OTHER_COLOUR,
    RDF_FORMATS,
    GraphView,
    Node,
    describe,
    pages_store,
    read_view,
    render_entity,
    select,
    value_of,
)
from practice_graph.views.reader import render_reader

MARKER = ".practice-graph-site"
REPORT_PATH = "analysis/report.html"
REPORT_MARKDOWN = "report.md"
# Example parameters for the named queries that need one (the query page shows their results).
EXAMPLE_PARAMS = {"evidence": {"node": "henan"}}
# The order of the index: the list itself, then actors and things, then taxonomies.
TYPE_ORDER = ("WorkTask", "Measure", "Practice", "Region", "Agency", "Organization", "JointArrangement",
              "Mechanism", "MechanismCategory", "Platform", "PolicyDocument", "Brand", "Event", "Indicator",
              "SourceDocument")
TYPE_RANK = {str(ox.NamedNode(str(PG[name]))): rank for rank, name in enumerate(TYPE_ORDER)}
ANCHOR = re.compile(r"<p>&lt;a id=&quot;([A-Za-z0-9_-]+)&quot;&gt;&lt;/a&gt;</p>")


class SiteError(Exception):
    """The site cannot be built or written (a missing or altered source, a folder that is not a site)."""


@dataclass
class SiteInputs:
    """What the site is made of besides the graph."""

    ntriples: bytes
    ontology: bytes | None = None
    source_text: str | None = None
    analysis: Mapping[str, bytes] | None = None  # the files of dist/analysis, by name
    viewer: Callable[[], bytes] | None = None  # renders the viewer page


# --------------------------------------------------------------------------- the source


def source_file(store: ox.Store, data_dir: Path) -> tuple[Path, str]:
    """The source text's file (named by the graph's ``pg:fileName``) and its SHA-256 as the graph states it."""
    rows = select(store, "site-source.rq")
    if len(rows) != 1:
        raise SiteError(f"the graph names {len(rows)} source documents; the reader needs exactly one")
    return data_dir / "source" / rows[0]["fileName"].value, rows[0]["sha256"].value


def read_source(store: ox.Store, data_dir: Path) -> str:
    """The source text, checked against the SHA-256 the graph records (offsets are only valid for it)."""
    path, expected = source_file(store, data_dir)
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise SiteError(f"{path}: cannot read the source text: {error.strerror or error}") from None
    if hashlib.sha256(raw).hexdigest() != expected:
        raise SiteError(f"{path}: SHA-256 differs from the one in the graph; the quotes' offsets would be wrong")
    return raw.decode("utf-8")


# --------------------------------------------------------------------------- pages of the site


def type_rank(view: GraphView, type_term: Any) -> tuple[int, str]:
    return (TYPE_RANK.get(str(type_term), len(TYPE_RANK)), view.term(type_term).en)


def grouped_by_type(view: GraphView) -> list[tuple[Any, list[Node]]]:
    groups: dict[Any, list[Node]] = defaultdict(list)
    for node in view.nodes.values():
        groups[node.type].append(node)
    ordered = sorted(groups, key=lambda t: type_rank(view, t))
    return [(type_term, sorted(groups[type_term], key=lambda n: n.id)) for type_term in ordered]


def search_index(view: GraphView) -> list[dict[str, str]]:
    """One entry per page: its labels, type and quotes, for the client-side search."""
    entries = []
    for node in sorted(view.nodes.values(), key=lambda n: n.id):
        quotes = dict.fromkeys(quote.exact for quote in view.quotes.get(node.term, []))
        entries.append({"u": node.path, "z": node.zh, "e": node.en, "i": node.id,
                        "t": view.term(node.type).en if node.type is not None else "", "q": " ｜ ".join(quotes)})
    return entries


SEARCH_SCRIPT = r"""
(function () {
  const entries = JSON.parse(document.getElementById("search-index").textContent);
  const box = document.getElementById("search");
  const list = document.getElementById("results");
  const count = document.getElementById("result-count");
  function rank(entry, words, whole) {
    const zh = entry.z.toLowerCase(), en = entry.e.toLowerCase(), id = entry.i.toLowerCase();
    const labels = zh + " " + en + " " + id, all = labels + " " + entry.q.toLowerCase();
    if (!words.every(function (w) { return all.includes(w); })) return -1;
    if (zh === whole || en === whole || id === whole) return 0;
    if (zh.startsWith(whole) || en.startsWith(whole)) return 1;
    if (words.every(function (w) { return labels.includes(w); })) return 2;
    return 3;
  }
  function show() {
    const whole = box.value.trim().toLowerCase();
    const words = whole.split(/\s+/).filter(Boolean);
    list.replaceChildren();
    if (!words.length) { count.textContent = ""; return; }
    const found = [];
    entries.forEach(function (entry, index) {
      const score = rank(entry, words, whole);
      if (score >= 0) found.push([score, index, entry]);
    });
    found.sort(function (a, b) { return a[0] - b[0] || a[1] - b[1]; });
    count.textContent = found.length + " 条结果 · results";
    found.slice(0, 60).forEach(function (hit) {
      const entry = hit[2];
      const item = document.createElement("li");
      const link = document.createElement("a");
      link.href = entry.u;
      link.textContent = entry.z || entry.i;
      item.appendChild(link);
      const en = document.createElement("span");
      en.className = "en";
      en.textContent = " " + entry.e + " · " + entry.t;
      item.appendChild(en);
      if (hit[0] === 3) {
        const quote = document.createElement("div");
        quote.className = "muted";
        const lower = entry.q.toLowerCase(), at = Math.max(0, lower.indexOf(words[0]) - 20);
        quote.textContent = "「" + entry.q.slice(at, at + 80) + "」";
        item.appendChild(quote);
      }
      list.appendChild(item);
    });
  }
  box.addEventListener("input", show);
  show();
})();
"""


TASK, MEASURE_OF, TASK_OF = (ox.NamedNode(str(term)) for term in (PG.WorkTask, PG.measure, PG.task))


def at_a_glance(view: GraphView) -> str:
    """The list's structure: each work task, its measures and how many practices each holds."""
    rows = []
    for task in sorted((n for n in view.nodes.values() if TASK in n.types), key=lambda n: n.id):
        measures = sorted((view.nodes[s] for p, s in view.incoming.get(task.term, []) if p == TASK_OF),
                          key=lambda n: n.id)
        items = []
        total = 0
        for measure in measures:
            count = sum(1 for p, _ in view.incoming.get(measure.term, []) if p == MEASURE_OF)
            total += count
            items.append(f'<li><a href="{text(measure.path)}">{text(measure.zh)}</a> <span class="en">'
                         f"{text(measure.en)}</span> ({count})</li>")
        rows.append((f'<a href="{text(task.path)}">{text(task.zh)}</a><br><span class="en">{text(task.en)}</span>',
                     f'<ul class="values">{"".join(items)}</ul>', f'<span class="num">{total}</span>'))
    if not rows:
        return ""
    return ('<h2>清单一览 <span class="en">The list at a glance</span></h2>\n'
            + table(["工作任务 · Work task", "主要举措（做法数） · Measures (practices)", "做法 · Practices"], rows,
                    "glance"))


def render_index(view: GraphView, notes: list[str]) -> bytes:
    groups = grouped_by_type(view)
    summary_rows = []
    sections = []
    for number, (type_term, nodes) in enumerate(groups, start=1):
        term = view.term(type_term)
        anchor = f"type-{number}"
        colour = COLOURS.get(str(type_term), OTHER_COLOUR)
        summary_rows.append((f'<a href="#{anchor}"><span class="dot" style="background:{colour}"></span>'
                             f"{bilingual(term.zh, term.en)}</a>", f'<span class="num">{len(nodes)}</span>'))
        items = "".join(f'<li><a href="{text(node.path)}">{text(node.zh or node.id)}</a> '
                        f'<span class="en">{text(node.en)}</span></li>' for node in nodes)
        definition = f'<p class="muted">{text(term.definition)}</p>' if term.definition else ""
        sections.append(f'<h2 id="{anchor}">{bilingual(term.zh, term.en)} ({len(nodes)})</h2>\n{definition}'
                        f'<ul class="entries">{items}</ul>')
    note_items = "".join(f"<li>{note}</li>" for note in notes)
    body = (
        '<h1>培育新时代建筑产业工人可复制经验做法清单（第一批） <span class="en">Replicable practices for cultivating '
        "new-era construction industry workers (first batch)</span></h1>\n"
        '<p><span lang="zh">本站把清单整理为可浏览的知识图谱：每个条目（工作任务、举措、经验做法、地区、部门、机制……）'
        "一页，列出其事实、原文依据与关联。中文标签为原文，英文标签为整理者翻译。</span> "
        '<span class="en">This site presents the list as a browsable knowledge graph: one page per entry (work task, '
        "measure, practice, region, agency, mechanism ...) with its facts, the verbatim quotes behind them and its "
        "links. Chinese labels are as written in the source; English labels are the curators' translations."
        "</span></p>\n"
        '<p class="start"><a href="source.html">阅读原文 · Read the source</a> <a href="map.html">地图 · Map</a> '
        '<a href="queries.html">查询示例 · Query examples</a> <a href="analysis/report.html">分析报告 · Analysis '
        'report</a> <a href="viewer.html">关系图 · Graph viewer</a></p>\n'
        '<h2>搜索 <span class="en">Search</span></h2>\n'
        '<p><input id="search" type="search" size="40" '
        'placeholder="中文或英文名称、引文 · Chinese or English name, quote" '
        'aria-label="search"> <span id="result-count" class="muted"></span></p>\n<ol id="results"></ol>\n'
        + at_a_glance(view)
        + '<h2>按类型 <span class="en">By type</span></h2>\n'
        + table(["类型 · Type", "条目 · Entries"], summary_rows, "types")
        + (f'<ul class="note">{note_items}</ul>' if notes else "")
        + "\n".join(sections)
        + f'\n<script type="application/json" id="search-index">{script_json(search_index(view))}</script>'
    )
    style = """
ul.entries { columns: 22rem; padding-left: 1.2rem; }
ul.entries li { break-inside: avoid; }
.dot { display: inline-block; width: .7rem; height: .7rem; border-radius: 50%; margin-right: .4rem; }
#search { font: inherit; padding: .3rem .5rem; }
#results li { margin: .2rem 0; }
p.start a { display: inline-block; margin: .2rem .6rem .2rem 0; padding: .35rem .8rem; border: 1px solid #90a4ae;
            border-radius: .4rem; text-decoration: none; background: #f5f7f8; }
"""
    return page("index.html", "索引", "Index", body, style=style, script=SEARCH_SCRIPT)


def result_cell(view: GraphView, from_path: str, term: Any) -> str:
    """A query result value: a link to its page when it is a node with one, else its text."""
    node = view.nodes.get(term)
    if node is not None:
        label = f"{node.zh} {node.en}".strip() if node.en != node.zh else node.label
        return f'<a href="{text(relative(from_path, node.path))}" title="{text(label)}">{text(node.zh or node.id)}</a>'
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return f"<code>{text(term.value)}</code>"
    return text(term.value)


def render_queries(view: GraphView, ntriples: bytes) -> bytes:
    """The competency questions, each run on the graph, with its results as a table linking to pages."""
    store = queries.open_store(ntriples)
    path = "queries.html"
    sections, contents = [], []
    for named in queries.named_queries():
        params = EXAMPLE_PARAMS.get(named.name, {})
        try:
            # the labels in Chinese and, beside them, in English (as `query --lang both`)
            solutions = queries.in_language(store, queries.run_select(store, named, params), "both")
            variables = [variable.value for variable in solutions.variables]
            rows = [[result_cell(view, path, solution[name]) for name in variables] for solution in solutions]
            result = table([text(name) for name in variables], rows, "results")
            counted = f"{len(rows)} 行 · row{'s' if len(rows) != 1 else ''}"
        except queries.QueryError as error:
            result, counted = f'<p class="note">{text(error)}</p>', ""
        bound = ", ".join(f"{key} = {value}" for key, value in sorted(params.items()))
        bound_note = f'<p class="muted">示例参数 · example parameter: <code>{text(bound)}</code></p>' if bound else ""
        zh, en = named.questions
        question = f'{text(zh)} <span class="en">{text(en)}</span>' if en else text(zh or named.question)
        contents.append(f'<li><a href="#{text(named.name)}">{text(named.name)}</a> {question}</li>')
        sections.append(
            f'<h2 id="{text(named.name)}"><code>{text(named.name)}</code></h2>\n<p>{question}</p>\n'
            f"{bound_note}<details><summary>SPARQL</summary><pre><code>{text(named.text)}</code></pre></details>\n"
            f'<p class="muted">{counted}</p>\n{result}')
    body = (
        '<h1>查询示例 <span class="en">Query examples</span></h1>\n'
        '<p><span lang="zh">图谱应回答的能力问题，每个都作为命名 SPARQL 查询随包发布，此处为在图上运行的结果。'
        "可用 <code>practice-graph query NAME</code> 运行。</span> "
        '<span class="en">The competency questions the graph must answer, each shipped as a named SPARQL query, with '
        "its results on this graph. Run one with <code>practice-graph query NAME</code>; each result links to its "
        "entry's page.</span></p>\n"
        f"<ul>{''.join(contents)}</ul>\n" + "\n".join(sections)
    )
    return page(path, "查询示例", "Query examples", body, style="pre { white-space: pre-wrap; }")


def render_report(view: GraphView, analysis: Mapping[str, bytes] | None) -> dict[str, bytes]:
    """The analysis report as HTML (charts inline), with the analysis files beside it; or a note."""
    if not analysis or REPORT_MARKDOWN not in analysis:
        body = ('<h1>分析报告 <span class="en">Analysis report</span></h1>\n'
                '<p class="note"><span lang="zh">未找到分析报告：先运行 <code>practice-graph analyze</code>'
                "（或 <code>build</code>），再生成本站。</span> "
                '<span class="en">No analysis report was found: run <code>practice-graph analyze</code> (or '
                "<code>build</code>) before building the site.</span></p>")
        return {REPORT_PATH: page(REPORT_PATH, "分析报告", "Analysis report", body)}
    markdown = MarkdownIt("commonmark", {"html": False}).enable("table")
    rendered = markdown.render(analysis[REPORT_MARKDOWN].decode("utf-8"))

    def anchor(match: re.Match[str]) -> str:
        identifier = match.group(1)
        node = view.by_id.get(identifier)
        link = (f' <a class="entry" href="{text(relative(REPORT_PATH, node.path))}">条目页面 · entry page</a>'
                if node is not None else "")
        return f'<p id="{identifier}" class="anchor">{link}</p>'

    rendered = ANCHOR.sub(anchor, rendered)

    def inline_image(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in analysis and name.endswith(".png"):
            return f'src="data:image/png;base64,{base64.b64encode(analysis[name]).decode("ascii")}"'
        return match.group(0)

    rendered = re.sub(r'src="([A-Za-z0-9_.-]+)"', inline_image, rendered)
    files = {f"analysis/{name}": content for name, content in analysis.items()}
    files[REPORT_PATH] = page(REPORT_PATH, "分析报告", "Analysis report", rendered,
                              style="img { max-width: 100%; } p.anchor { margin: 0; font-size: .85rem; }")
    return files


def render_ontology(store: ox.Store, view: GraphView) -> bytes:
    """Every class and property of the ontology, each at an anchor named as in its IRI's namespace."""
    path = "ontology.html"
    terms: dict[Any, dict[str, Any]] = {}
    for row in select(store, "page-ontology.rq"):
        entry = terms.setdefault(row["term"], {"name": value_of(row["name"]), "kind": set(), "domain": set(),
                                               "range": set(), "parent": set(), "zh": "", "en": "", "def": ""})
        entry["kind"].add(value_of(row["kind"]))
        for key in ("domain", "range", "parent"):
            if row[key] is not None:
                entry[key].add(row[key])
        for key, column in (("zh", "zh"), ("en", "en"), ("def", "definition")):
            entry[key] = min(filter(None, (entry[key], value_of(row[column]))), default="")
    counts = Counter(node.type for node in view.nodes.values())

    def name_of(term: Any) -> str:
        if isinstance(term, ox.BlankNode):  # an owl:oneOf range: its values are in the definition
            return "<em>one of the values listed</em>"
        found = terms.get(term)
        if found is not None:
            return f'<a href="#{text(found["name"])}">{bilingual(found["zh"], found["en"])}</a>'
        label = view.term(term)
        return bilingual(label.zh, label.en) if label.zh else f"<code>{text(value_of(term))}</code>"

    classes, properties = [], []
    for term, entry in sorted(terms.items(), key=lambda item: item[1]["name"]):
        name = f'<code id="{text(entry["name"])}">{text(entry["name"])}</code>'
        labels = bilingual(entry["zh"], entry["en"])
        if str(OWL.Class) in entry["kind"]:
            parents = ", ".join(name_of(parent) for parent in sorted(entry["parent"], key=str))
            instances = f'<span class="num">{counts.get(term, 0)}</span>'
            classes.append((name, labels, text(entry["def"]), parents, instances))
        else:
            domain = ", ".join(name_of(value) for value in sorted(entry["domain"], key=str))
            range_ = ", ".join(name_of(value) for value in sorted(entry["range"], key=str))
            properties.append((name, labels, text(entry["def"]), domain, range_))
    body = (
        '<h1>本体 <span class="en">Ontology</span></h1>\n'
        '<p><span lang="zh">图谱的类与属性（命名空间 <code>pg:</code>）。</span> <span class="en">The classes and '
        "properties of the graph (namespace <code>pg:</code>); reused vocabularies (W3C ORG, SKOS, PROV-O, Web "
        "Annotation, DCTERMS, ELI, schema.org) are named on each entry's page.</span></p>\n"
        '<h2>类 <span class="en">Classes</span></h2>\n'
        + table(["名称 · Name", "标签 · Label", "定义 · Definition", "上位类 · Subclass of", "实例 · Instances"],
                classes)
        + '<h2>属性 <span class="en">Properties</span></h2>\n'
        + table(["名称 · Name", "标签 · Label", "定义 · Definition", "定义域 · Domain", "值域 · Range"], properties)
    )
    return page(path, "本体", "Ontology", body)


def site_pages(inputs: SiteInputs, store: ox.Store, view: GraphView) -> dict[str, Callable[[], bytes]]:
    """Each page of the site besides the entries' pages, as a function that renders it."""
    notes: list[str] = []
    if inputs.source_text is None:
        notes.append("The source reader was not built: the source text was not given.")
    if not inputs.analysis:
        notes.append("The analysis report was skipped: no report.md was found (run practice-graph analyze).")

    def reader() -> bytes:
        if inputs.source_text is None:
            return missing_page("source.html", "原文", "Source reader", "the source text was not given.")
        return render_reader(view, inputs.source_text)

    def china_map() -> bytes:
        # start-up time: the map's projection needs numpy, which `serve` need not load until the map is asked for
        from practice_graph.views.map import MapDataMissing, render_map

        try:
            return render_map(view, store)
        except MapDataMissing as error:
            return missing_page("map.html", "地图", "Map", str(error))

    def viewer() -> bytes:
        if inputs.viewer is None:
            return missing_page("viewer.html", "关系图", "Graph viewer", "the viewer was not rendered.")
        return link_viewer_to_pages(inputs.viewer(), view)

    return {
        "index.html": lambda: render_index(view, notes),
        "source.html": reader,
        "map.html": china_map,
        "queries.html": lambda: render_queries(view, inputs.ntriples),
        "viewer.html": viewer,
        "ontology.html": lambda: render_ontology(store, view),
    }


def render_site(inputs: SiteInputs) -> dict[str, bytes]:
    """Every file of the site, in memory, keyed by its path in the site."""
    store = pages_store(inputs.ntriples, inputs.ontology)
    view = read_view(store)
    files = {node.path: render_entity(view, node) for node in view.nodes.values()}
    for path, render in site_pages(inputs, store, view).items():
        files[path] = render()
    files.update(render_report(view, inputs.analysis))
    files[MARKER] = b"A static site written by practice-graph site; the whole folder is replaced on each build.\n"
    return files


def missing_page(path: str, zh: str, en: str, why: str) -> bytes:
    return page(path, zh, en, f'<h1>{bilingual(zh, en)}</h1>\n<p class="note">{text(why)}</p>')


# --------------------------------------------------------------------------- writing


def check_out_dir(out_dir: Path) -> None:
    """Raise SiteError unless ``out_dir`` is absent, empty or a site written here before."""
    if out_dir.exists() and (not out_dir.is_dir() or (any(out_dir.iterdir()) and not (out_dir / MARKER).is_file())):
        raise SiteError(f"{out_dir}: exists and is not a site written by practice-graph; choose another --out")


def write_site(out_dir: Path, files: Mapping[str, bytes]) -> None:
    """Write the site into a new folder beside ``out_dir``, then swap it into ``out_dir``'s place in one step.

    An existing ``out_dir`` is replaced only when it is empty or a site written here before (it holds
    the marker file), so a mistyped ``--out`` never deletes anything else.
    """
    check_out_dir(out_dir)
    write_outputs(out_dir, files, keep_others=False)


VIEWER_LINKS = r"""
<div id="pg-entry-hint" style="position:fixed;left:.6rem;bottom:.4rem;font:12px sans-serif;color:#455a64;
background:#ffffffd0;padding:.1rem .4rem">双击节点打开其页面 · Double-click a node to open its page ·
<a href="index.html">索引 · Index</a></div>
<script type="application/json" id="pg-entry-pages">/*PAGES*/</script>
<script>
(function () {
  "use strict";
  var pages = JSON.parse(document.getElementById("pg-entry-pages").textContent);
  function hook(tries) {
    var viewer = window.pgViewer;
    if (!viewer || !viewer.network) { if (tries > 0) { setTimeout(function () { hook(tries - 1); }, 100); } return; }
    viewer.network.on("doubleClick", function (params) {
      var node = params.nodes.length ? viewer.nodes.get(params.nodes[0]) : null;
      var path = node && Object.prototype.hasOwnProperty.call(pages, node.pgRid) ? pages[node.pgRid] : null;
      if (path) { window.location.href = path; }
    });
  }
  hook(300);
})();
</script>
"""


def link_viewer_to_pages(viewer: bytes, view: GraphView) -> bytes:
    """The viewer with a double-click on a node opening its entry's page (for nodes that have one)."""
    pages = {node.id: node.path for node in view.nodes.values()}
    addition = VIEWER_LINKS.replace("/*PAGES*/", script_json(pages))
    markup = viewer.decode("utf-8")
    at = markup.rfind("</body>")
    if at < 0:
        return viewer
    return (markup[:at] + addition + markup[at:]).encode("utf-8")


def render_viewer(ntriples: bytes) -> bytes:
    """The interactive viewer of the whole graph (views.viewer), as a page of the site."""
    # Imported here: pyvis loads only when the viewer is rendered (not for serve's start-up).
    from practice_graph.views.viewer import render_html, viewer_data

    # read from a store of the N-Triples: an rdflib Graph would be parsed only to be written back for one
    return render_html(viewer_data(oxigraph_store(ntriples))).encode("utf-8")


# --------------------------------------------------------------------------- serving: every IRI answers

HTML_TYPES = ("text/html", "application/xhtml+xml")
RDF_MEDIA = {"text/turtle": "ttl", "application/n-triples": "nt", "text/plain": "nt", "application/ld+json": "jsonld",
             "application/json": "jsonld"}
SUFFIXES = {"html": "text/html", "ttl": "text/turtle", "nt": "application/n-triples", "jsonld": "application/ld+json"}
ONTOLOGY_DOCUMENT = "ontology"
# The served pages carry their own policy: the endpoint's default one would forbid the report's charts.
SERVED_CSP = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; " \
             "font-src data:; connect-src 'self'; form-action 'none'; base-uri 'none'"
Answer = tuple[int, dict[str, str], bytes]


def negotiate_format(accept: str) -> str | None:
    """``html``, ``ttl``, ``nt`` or ``jsonld`` for an Accept header (HTML when anything goes); None: nothing fits."""
    ranked = accepted_media(accept)
    if not ranked:
        return "html"
    for media in ranked:
        if media in HTML_TYPES or media in {"*/*", "text/*", ""}:
            return "html"
        if media in RDF_MEDIA:
            return RDF_MEDIA[media]
        if media == "application/*":
            return "jsonld"
    return None


class LiveSite:
    """The site's pages and each entry's RDF, answered on request (``practice-graph serve``).

    ``GET /id/{id}`` answers directly, by content negotiation on ``Accept``: the HTML page for
    browsers, Turtle, N-Triples or JSON-LD for programs, with ``Content-Location`` naming the
    document sent (``/id/{id}.ttl`` ...) and ``Vary: Accept`` (W3C "Cool URIs for the Semantic Web",
    the content-negotiation recipe, answered without a 303 round trip). ``/id/{id}.html``, ``.ttl``,
    ``.nt`` and ``.jsonld`` name one document each. ``/ontology`` answers the same way for the
    ontology's terms (``pg:`` is a hash namespace). Every other page of the static site is served at
    the same path as in the folder ``practice-graph site`` writes.
    """

    def __init__(self, inputs: SiteInputs, base_url: str = "/") -> None:
        self.inputs = inputs
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self.rendered: dict[str, bytes] = {}
        self.lock = threading.Lock()
        self._made: tuple[ox.Store, GraphView, dict[str, Callable[[], bytes]]] | None = None
        self._making = threading.Lock()

    def _parts(self) -> tuple[ox.Store, GraphView, dict[str, Callable[[], bytes]]]:
        """The pages' store, the graph's view and the site's pages: made on the first request that needs
        them (about a second), so that ``serve`` answers queries as soon as its workers hold the graph."""
        with self._making:
            if self._made is None:
                store = pages_store(self.inputs.ntriples, self.inputs.ontology)
                view = read_view(store)
                self._made = store, view, site_pages(self.inputs, store, view)
            return self._made

    @property
    def store(self) -> ox.Store:
        return self._parts()[0]

    @property
    def view(self) -> GraphView:
        return self._parts()[1]

    @property
    def pages(self) -> dict[str, Callable[[], bytes]]:
        return self._parts()[2]

    def site_file(self, path: str) -> bytes | None:
        """A page of the static site, rendered on the first request for it."""
        with self.lock:
            if path not in self.rendered:
                if path in self.pages:
                    self.rendered[path] = self.pages[path]()
                elif path.startswith("analysis/") and not self.rendered.get(REPORT_PATH):
                    self.rendered.update(render_report(self.view, self.inputs.analysis))
            return self.rendered.get(path)

    def respond(self, path: str, accept: str) -> Answer | None:
        """The answer for a GET of ``path`` (percent-decoded), or None to leave it to the endpoint."""
        path = unquote(path)
        if path.startswith("/id/"):
            return self.entity(path.removeprefix("/id/"), accept)
        stem, dot, suffix = path.lstrip("/").rpartition(".")
        if path.lstrip("/") == ONTOLOGY_DOCUMENT or (stem == ONTOLOGY_DOCUMENT and dot and suffix in SUFFIXES):
            return self.ontology(suffix if stem == ONTOLOGY_DOCUMENT else None, accept)
        if path in {"/", "/sparql"} or ".." in path:
            return None
        content = self.site_file(path.lstrip("/"))
        if content is None:
            return None
        media = "text/html; charset=utf-8" if path.endswith(".html") else (
            "text/csv; charset=utf-8" if path.endswith(".csv") else "application/octet-stream")
        if path.endswith(".png"):
            media = "image/png"
        return 200, self.headers(media), content

    def headers(self, media: str, location: str | None = None) -> dict[str, str]:
        headers = {"Content-Type": media, "Vary": "Accept"}
        if media.startswith("text/html"):
            headers["Content-Security-Policy"] = SERVED_CSP
        if location is not None:
            headers["Content-Location"] = self.base_url + location
        return headers

    def entity(self, rest: str, accept: str) -> Answer:
        stem, dot, suffix = rest.rpartition(".")
        chosen: str | None
        if dot and suffix in SUFFIXES and stem in self.view.by_id:
            identifier, chosen = stem, suffix
        else:
            identifier, chosen = rest, negotiate_format(accept)
        node = self.view.by_id.get(identifier)
        if node is None:
            return self.not_found(rest)
        if chosen is None:
            return 406, {"Content-Type": "text/plain; charset=utf-8"}, (
                b"406 Not Acceptable: this entry is offered as text/html, text/turtle, application/n-triples "
                b"and application/ld+json\n")
        location = f"id/{identifier}.{chosen}"
        if chosen == "html":
            return 200, self.headers("text/html; charset=utf-8", location), render_entity(self.view, node,
                                                                                       rdf_links=True)
        media = RDF_FORMATS[chosen][1]
        return 200, self.headers(f"{media}; charset=utf-8", location), describe(self.store, node.term, chosen)

    def ontology(self, suffix: str | None, accept: str) -> Answer:
        chosen = suffix or negotiate_format(accept)
        if chosen is None:
            return 406, {"Content-Type": "text/plain; charset=utf-8"}, b"406 Not Acceptable\n"
        location = f"{ONTOLOGY_DOCUMENT}.{chosen}"
        if chosen == "html":
            return 200, self.headers("text/html; charset=utf-8", location), render_ontology(self.store, self.view)
        if not self.inputs.ontology:
            return self.not_found(ONTOLOGY_DOCUMENT)
        rdf_format, media = RDF_FORMATS[chosen]
        triples = sorted(ox.parse(self.inputs.ontology, format=ox.RdfFormat.TURTLE), key=str)
        prefixes = {prefix: str(namespace) for prefix, namespace in PREFIXES.items()}
        if chosen == "nt":
            body = ox.serialize(triples, format=rdf_format)
        else:
            body = ox.serialize(triples, format=rdf_format, prefixes=prefixes)
        assert body is not None  # no output stream given: the bytes are returned
        return 200, self.headers(f"{media}; charset=utf-8", location), body

    def not_found(self, what: str) -> Answer:
        body = page("id/missing.html", "未找到", "Not found",
                    f'<h1>未找到 <span class="en">Not found</span></h1>\n<p>No entry has the id <code>{text(what)}'
                    '</code>. <a href="../index.html">索引 · Index</a></p>')
        return 404, {"Content-Type": "text/html; charset=utf-8", "Content-Security-Policy": SERVED_CSP}, body


def site_inputs(ntriples: bytes, data_dir: Path, ontology_file: Path, analysis_dir: Path) -> SiteInputs:
    """The site's inputs from a checkout: the source text (checked), the ontology, the analysis if built."""
    store = queries.open_store(ntriples)
    analysis = read_folder(analysis_dir)  # one build's files, even while a build replaces them
    return SiteInputs(
        ntriples=ntriples,
        ontology=ontology_file.read_bytes() if ontology_file.is_file() else None,
        source_text=read_source(store, data_dir),
        analysis=analysis or None,
        viewer=lambda: render_viewer(ntriples),
    )
