"""Check that quotes are verbatim: in the codebook, and in a coder's filled-in coding form.

    python data/reliability/check_quotes.py data/CODEBOOK.md
    python data/reliability/check_quotes.py data/reliability/coding-A.yaml

Markdown: every 「…」 followed by ``(p-T-M-N)`` must be an exact substring of that practice's
paragraph (one ``<p>`` segment); every 「…」 followed by ``(heading)`` must occur in the source
outside the ``<p>`` paragraphs; any other 「…」 must occur somewhere in the source.

YAML (a coding form, see FORM.md): every ``quote``/``anchor`` must be an exact substring of its
practice's paragraph, and every ``designation`` must be a substring of the quote it stands in
(except ``via: as_subject``, whose designation must start the paragraph), and every participant's
``body`` must be a designation listed under the practice's ``bodies``. The script reads only the
source text (the 47 practice ids are listed below, as in CODEBOOK.md §0), never the curated data,
so a blind coder can run it. Exit status 1 when anything fails.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "data" / "source" / "000_434fdb7575b37628.txt"
PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.S)
NUMBERED = re.compile(r"\s*(?:<b>)?\s*(\d+)\s*\.")
MARKUP = re.compile(r"</?[bp]>")
PRACTICE_ID = re.compile(r"p-[1-5]-[1-5]-[1-9]")


# The practice ids in document order (CODEBOOK.md §0): p-2-2-3 stands at the head of the table row
# of 二(三), and p-3-4-3 is cut by a page break (its second <p> is unnumbered).
PRACTICE_IDS = [
    "p-1-1-1",
    "p-1-1-2",
    "p-1-2-1",
    "p-1-2-2",
    "p-1-3-1",
    "p-1-3-2",
    "p-1-3-3",
    "p-1-4-1",
    "p-1-4-2",
    "p-2-1-1",
    "p-2-1-2",
    "p-2-1-3",
    "p-2-1-4",
    "p-2-2-1",
    "p-2-2-2",
    "p-2-2-3",
    "p-2-3-1",
    "p-2-3-2",
    "p-2-3-3",
    "p-2-3-4",
    "p-2-3-5",
    "p-3-1-1",
    "p-3-1-2",
    "p-3-1-3",
    "p-3-2-1",
    "p-3-2-2",
    "p-3-3-1",
    "p-3-3-2",
    "p-3-3-3",
    "p-3-4-1",
    "p-3-4-2",
    "p-3-4-3",
    "p-4-1-1",
    "p-4-1-2",
    "p-4-1-3",
    "p-4-1-4",
    "p-4-2-1",
    "p-4-2-2",
    "p-4-2-3",
    "p-4-2-4",
    "p-4-3-1",
    "p-4-3-2",
    "p-5-1-1",
    "p-5-1-2",
    "p-5-1-3",
    "p-5-2-1",
    "p-5-2-2",
]


def practice_ids() -> list[str]:
    """Practice ids in document order."""
    return list(PRACTICE_IDS)


def paragraphs(text: str) -> dict[str, list[str]]:
    """Practice id -> its ``<p>`` segments (more than one where a page break cut it)."""
    groups: list[list[str]] = []
    for match in PARAGRAPH.finditer(text):
        segment = match.group(1)
        if NUMBERED.match(segment):
            groups.append([segment])
        else:
            groups[-1].append(segment)
    ids = practice_ids()
    if len(ids) != len(groups):
        raise SystemExit(f"skeleton has {len(ids)} practices, the source {len(groups)} paragraphs")
    return dict(zip(ids, groups, strict=True))


def in_practice(segments: list[str], quote: str) -> bool:
    return any(quote in segment for segment in segments)


def heading_text(text: str) -> str:
    """The source with every ``<p>`` paragraph removed (task and measure cells remain)."""
    return PARAGRAPH.sub("", text)


def check_markdown(path: Path, text: str, paras: dict[str, list[str]]) -> list[str]:
    errors = []
    quote_re = re.compile(r"「([^」]+)」(\s*\((p-\d-\d-\d|heading)\))?")
    outside = heading_text(text)
    count = 0
    for lineno, line in enumerate(path.read_text("utf-8").splitlines(), 1):
        for match in quote_re.finditer(line):
            count += 1
            quote, where = match.group(1), match.group(3)
            if MARKUP.search(quote):
                errors.append(f"{path}:{lineno}: quote has markup: {quote}")
            elif where == "heading":
                if quote not in outside:
                    errors.append(f"{path}:{lineno}: not in a task/measure heading: {quote}")
            elif where:
                if where not in paras:
                    errors.append(f"{path}:{lineno}: unknown practice {where}")
                elif not in_practice(paras[where], quote):
                    errors.append(f"{path}:{lineno}: not in {where}: {quote}")
            elif quote not in text:
                errors.append(f"{path}:{lineno}: not in the source: {quote}")
    print(f"{path}: {count} quotes checked", file=sys.stderr)
    return errors


def heading(segments: list[str]) -> str:
    """The paragraph's text without markup and without its leading number."""
    text = MARKUP.sub("", segments[0]).strip()
    return NUMBERED.sub("", text, count=1).strip()


def check_coding(path: Path, paras: dict[str, list[str]]) -> list[str]:
    errors: list[str] = []
    data = yaml.safe_load(path.read_text("utf-8")) or {}
    count = 0

    def quote_ok(trail: str, practice: str, quote) -> bool:
        nonlocal count
        count += 1
        if not isinstance(quote, str) or not quote or not in_practice(paras[practice], quote):
            errors.append(f"{path}: {trail}: not in {practice}: {quote}")
            return False
        if MARKUP.search(quote):
            errors.append(f"{path}: {trail}: quote has markup: {quote}")
        return True

    for index, unit in enumerate(data.get("practices") or []):
        where = f"practices[{index}]"
        practice = unit.get("practice")
        if practice not in paras:
            errors.append(f"{path}: {where}: unknown practice {practice!r}")
            continue
        head = heading(paras[practice])
        subjects = set()
        listed = {}
        for b, body in enumerate(unit.get("bodies") or []):
            trail = f"{where}.bodies[{b}]"
            designation = body.get("designation")
            if not designation:
                errors.append(f"{path}: {trail}.designation: missing")
                continue
            if designation in listed:
                errors.append(f"{path}: {trail}.designation: listed twice: {designation}")
            listed[designation] = body
            if body.get("via") == "as_subject":
                subjects.add(designation)
                if not head.startswith(designation):
                    errors.append(f"{path}: {trail}.designation: {designation} does not start {practice}")
            if (
                body.get("quote") is not None
                and quote_ok(f"{trail}.quote", practice, body["quote"])
                and body.get("via") != "as_subject"
                and designation not in body["quote"]
            ):
                errors.append(f"{path}: {trail}.designation: {designation} not in its quote")
        for a, arrangement in enumerate(unit.get("arrangements") or []):
            trail = f"{where}.arrangements[{a}]"
            quote_ok(f"{trail}.anchor", practice, arrangement.get("anchor"))
            for q, participant in enumerate(arrangement.get("participants") or []):
                ptrail = f"{trail}.participants[{q}]"
                body = participant.get("body")
                if body not in listed:
                    errors.append(f"{path}: {ptrail}.body: {body!r} is not a designation under bodies")
                if participant.get("quote") is None:
                    errors.append(f"{path}: {ptrail}.quote: missing")
                elif quote_ok(f"{ptrail}.quote", practice, participant["quote"]) and body not in subjects:
                    written = participant.get("as_written") or body
                    if written and written not in participant["quote"]:
                        errors.append(f"{path}: {ptrail}: {written} not in its quote")
        for m, use in enumerate(unit.get("mechanisms") or []):
            quote_ok(f"{where}.mechanisms[{m}].quote", practice, use.get("quote"))
    print(f"{path}: {count} quotes checked", file=sys.stderr)
    return errors


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    text = SOURCE.read_text("utf-8")
    paras = paragraphs(text)
    errors: list[str] = []
    for name in argv:
        path = Path(name)
        if path.suffix == ".md":
            errors += check_markdown(path, text, paras)
        else:
            errors += check_coding(path, paras)
    for error in errors:
        print(error)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
