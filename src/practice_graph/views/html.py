"""What every page of the site shares: escaping, relative links, the page frame and its policy.

Labels, quotes and every other value from the graph are data: they reach a page only through
:func:`text` (element content and attribute values, quotes included) or :func:`script_json`
(inside a ``<script type="application/json">``), never as markup.
"""

from __future__ import annotations

import html
import json
import posixpath
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

# No request may leave the page: no default source, scripts and styles only inline, images
# only inline (data:), no forms, no base element, no connections.
CSP = ("default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; "
       "connect-src 'none'; form-action 'none'; base-uri 'none'")

SITE_NAME_ZH = "实践知识图谱"
SITE_NAME_EN = "practice-graph"

# (path, zh, en) of the pages every page links to.
NAVIGATION = (
    ("index.html", "索引", "Index"),
    ("source.html", "原文", "Source reader"),
    ("map.html", "地图", "Map"),
    ("queries.html", "查询示例", "Query examples"),
    ("analysis/report.html", "分析报告", "Analysis report"),
    ("viewer.html", "关系图", "Graph viewer"),
    ("ontology.html", "本体", "Ontology"),
)

STYLE = """
body { font-family: "Noto Sans CJK SC", "WenQuanYi Micro Hei", system-ui, sans-serif; margin: 0; color: #1d1d1d;
       line-height: 1.5; background: #fff; }
header.site { background: #263238; color: #eceff1; padding: .45rem 1.2rem; display: flex; flex-wrap: wrap;
              gap: .2rem 1rem; align-items: baseline; }
header.site a { color: #eceff1; text-decoration: none; }
header.site a:hover { text-decoration: underline; }
header.site .brand { font-weight: 700; margin-right: .8rem; }
main { padding: .8rem 1.2rem 2rem; max-width: 78rem; }
h1 { font-size: 1.6rem; margin: .4rem 0 .1rem; }
h1 .en, h2 .en, h3 .en { font-weight: 400; color: #555; }
h2 { font-size: 1.2rem; margin: 1.6rem 0 .4rem; border-bottom: 1px solid #ddd; }
h3 { font-size: 1.05rem; margin: 1.1rem 0 .3rem; }
.en { color: #444; }
.muted, .note { color: #666; font-size: .9rem; }
.type { display: inline-block; white-space: nowrap; padding: 0 .45rem; border-radius: .6rem; color: #fff;
        font-size: .85rem; }
table { border-collapse: collapse; margin: .4rem 0 .8rem; font-size: .92rem; }
th, td { border: 1px solid #d5d5d5; padding: .25rem .5rem; text-align: left; vertical-align: top; }
th { background: #f3f5f7; }
td.num { text-align: right; }
blockquote { margin: .2rem 0 .2rem .2rem; padding: .1rem .6rem; border-left: 3px solid #90a4ae; background: #f7f9fa; }
ul.quotes { list-style: none; padding-left: 0; margin: .2rem 0; }
ul.quotes li { margin: .25rem 0; }
q { quotes: "「" "」"; }
code { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: .88em; background: #f3f3f3;
       padding: 0 .2rem; word-break: break-all; }
a { color: #0b57d0; }
a.value { text-decoration: none; }
a.value:hover { text-decoration: underline; }
.cols { display: flex; flex-wrap: wrap; gap: 0 2.5rem; }
.cols > * { flex: 1 1 24rem; min-width: 0; }
svg { max-width: 100%; height: auto; }
ul.values { margin: 0; padding-left: 1.1rem; }
ul.values > li:only-child { list-style: none; margin-left: -1.1rem; }
ul.values ul.quotes { font-size: .88rem; color: #333; margin: .1rem 0 .3rem; }
table.facts th, table.facts td:first-child { width: 14rem; }
"""


def text(value: object) -> str:
    """A value as element content or an attribute value: every markup character escaped."""
    return html.escape(str(value), quote=True)


def script_json(value: Any) -> str:
    """JSON safe inside ``<script type="application/json">``: no <, > or & survives, so no data ends it."""
    dumped = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return dumped.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def relative(from_page: str, to_path: str) -> str:
    """The link from one site page to another path of the site (both relative to the site's root)."""
    target, _, fragment = to_path.partition("#")
    link = _relative_path(target, posixpath.dirname(from_page) or ".") if target else ""
    return link + (f"#{fragment}" if fragment else "")


@lru_cache(maxsize=65536)
def _relative_path(target: str, folder: str) -> str:
    """``posixpath.relpath``, kept: a site render asks the same few folder and target pairs tens of
    thousands of times, and each call reads the working directory twice."""
    return posixpath.relpath(target, folder)


def bilingual(zh: str, en: str, tag: str = "span") -> str:
    """Chinese and English side by side, each marked with its language."""
    parts = []
    if zh:
        parts.append(f'<{tag} lang="zh">{text(zh)}</{tag}>')
    if en and en != zh:
        parts.append(f'<{tag} lang="en" class="en">{text(en)}</{tag}>')
    return " ".join(parts)


def table(header: Iterable[str], rows: Iterable[Iterable[str]], css: str = "") -> str:
    """A table from header cells (markup) and rows of cells (markup)."""
    head = "".join(f"<th>{cell}</th>" for cell in header)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>\n" for row in rows)
    attribute = f' class="{css}"' if css else ""
    return f"<table{attribute}><thead><tr>{head}</tr></thead>\n<tbody>\n{body}</tbody></table>\n"


def page(path: str, title_zh: str, title_en: str, body: str, *, style: str = "", script: str = "",
         head: str = "") -> bytes:
    """A whole page of the site at ``path``: frame, navigation, policy, UTF-8 bytes."""
    title = " · ".join(part for part in (title_zh, title_en) if part)
    scripts = f"<script>{script}</script>\n" if script else ""
    return (
        "<!doctype html>\n"
        '<html lang="zh-Hans">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{_ESCAPED_CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="referrer" content="no-referrer">\n'
        f"<title>{text(title)} · {SITE_NAME_EN}</title>\n{head}"
        f"<style>{STYLE}{style}</style>\n</head>\n<body>\n"
        f"{_site_header(posixpath.dirname(path))}<main>\n{body}\n</main>\n{scripts}</body>\n</html>\n"
    ).encode()


_ESCAPED_CSP = text(CSP)


@lru_cache(maxsize=256)
def _site_header(folder: str) -> str:
    """The brand and the navigation of every page in ``folder``: made once per folder, not once per page."""
    page_path = posixpath.join(folder, "page.html")
    navigation = " ".join(
        f'<a href="{text(relative(page_path, target))}">{text(zh)} · {text(en)}</a>' for target, zh, en in NAVIGATION)
    home = text(relative(page_path, "index.html"))
    return (f'<header class="site"><a class="brand" href="{home}">{SITE_NAME_ZH} · {SITE_NAME_EN}</a>\n'
            f"<nav>{navigation}</nav></header>\n")
