"""The ingest report (``report.md``): what the draft holds, and how it compares with the curated data.

Everything quoted from the list or the data is text, never markup: plain text has the HTML
characters (``& < >``) written as entities and the Markdown control characters backslash-escaped;
quoted names sit in code spans whose fence is longer than any backtick run inside them.
"""

from __future__ import annotations

import re
from pathlib import Path

from practice_graph.ingest.compare import Recall, SkeletonDiff
from practice_graph.ingest.runs import Candidate
from practice_graph.ingest.skeleton import Skeleton

LINE_BREAK = re.compile(r"\r\n|[\r\n\u2028\u2029\x85\x0b\x0c]")
HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
MARKDOWN_CONTROL = re.compile(r"([\\`*_\[\]|~#])")


def md_text(text: str) -> str:
    """``text`` as Markdown text on one line: HTML characters as entities, control characters escaped."""
    text = MARKDOWN_CONTROL.sub(r"\\\1", LINE_BREAK.sub(" ", text))
    return "".join(HTML.get(char, char) for char in text)


def md_code(text: str) -> str:
    """``text`` as a Markdown code span on one line (shown as is: nothing inside is markup)."""
    text = LINE_BREAK.sub(" ", text)
    fence = "`" * (max((len(run) for run in re.findall("`+", text)), default=0) + 1)
    if text.startswith("`") or text.endswith("`") or (text.startswith(" ") and text.endswith(" ") and text.strip()):
        text = f" {text} "
    return f"{fence}{text}{fence}"


def render_report(source: Path, sha256: str, same_source: bool, data_dir: Path, skeleton: Skeleton,
                  candidates: list[Candidate], diffs: list[SkeletonDiff], recall: dict[str, Recall] | None) -> str:
    """A markdown report: what is new, what matches, what differs from the curated data."""
    out = [f"# Ingest report: {md_text(skeleton.title or source.name)}", "",
           f"- source: {md_code(source.name)} (sha256 `{sha256}`)",
           f"- compared with: {md_code(data_dir.name + '/')} "
           + ("(the same source as the curated data)" if same_source
              else "(a different source: the skeleton is compared by id only; figures are not compared)"),
           f"- drafted: {len(skeleton.tasks)} work tasks, {len(skeleton.measures)} measures, "
           f"{len(skeleton.practices)} practices, {len(candidates)} candidates", ""]
    out += ["## Warnings", ""]
    out += [f"- {md_text(w)}" for w in skeleton.warnings] or ["none"]
    out += ["", "## Skeleton", "", "| status | count |", "|---|---|"]
    for status in ("matches", "differs", "new", "missing"):
        out.append(f"| {status} | {sum(d.status == status for d in diffs)} |")
    out.append("")
    out += [f"- {md_text(d.id)} {d.status}{': ' + md_text(d.detail) if d.detail else ''}"
            for d in diffs if d.status != "matches"]
    out += _regions(skeleton)
    out += _candidates(candidates)
    if recall is not None:
        out += _recall(recall)
    return "\n".join(out).rstrip() + "\n"


def _regions(skeleton: Skeleton) -> list[str]:
    out = ["", "## Leading regions", "", "| practice | printed | province | city/county | region | note |",
           "|---|---|---|---|---|---|"]
    for p in skeleton.practices:
        r = p.region
        if r is None:
            out.append(f"| {md_text(p.id)} | | | | (none) | no leading region found |")
        else:
            cells = (p.id, r.printed, r.province or "", r.local or "", r.region_id or "(new)", r.note)
            out.append("| " + " | ".join(md_text(cell) for cell in cells) + " |")
    return out


def _candidates(candidates: list[Candidate]) -> list[str]:
    out = ["", "## Candidates", "", "| kind | candidates | matches | differs | new |", "|---|---|---|---|---|"]
    kinds = sorted({c.kind for c in candidates})
    for kind in kinds:
        of_kind = [c for c in candidates if c.kind == kind]
        out.append(f"| {kind} | {len(of_kind)} | " + " | ".join(
            str(sum(c.status == s for c in of_kind)) for s in ("matches", "differs", "new")) + " |")
    for kind in kinds:
        out += ["", f"### {kind}", ""]
        for status in ("differs", "new", "matches"):
            listed = [c for c in candidates if c.kind == kind and c.status == status]
            if not listed:
                continue
            out.append(f"{status} ({len(listed)}):")
            out.append("")
            for c in listed:
                extra = f" → {md_text(', '.join(c.matches))}" if c.matches else ""
                extra += f" ({md_text(c.detail)})" if c.detail else ""
                out.append(f"- {md_text(c.practice)} [{c.start}:{c.end}] {md_code(c.text)}{extra}")
            out.append("")
    return out


def _recall(recall: dict[str, Recall]) -> list[str]:
    out = ["## Curated records found among the candidates", "",
           "| kind | curated | found | recall | exact text |", "|---|---|---|---|---|"]
    for r in recall.values():
        out.append(f"| {r.kind} | {r.total} | {r.found} | {r.rate:.1%} | {r.exact} |")
    out.append("")
    for r in recall.values():
        if r.missed:
            out.append(f"- {r.kind} not found: {md_text(', '.join(r.missed))}")
    return out
