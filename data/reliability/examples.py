"""List the codebook's worked examples that are quoted from the practices of a sample.

    python data/reliability/examples.py data/reliability/sample-round2.yaml --out examples-round2.yaml
    python data/reliability/examples.py data/reliability/sample.yaml --codebook-rev 3c12177

An example is a corner-bracket quote tagged with a practice id, or an untagged one that occurs in
the practice. This is the same rule that agreement.py uses for example-covered units (FORM.md s4).
For each sampled practice the script lists the rule (or the section, or the concept row of
section 14) in which each example stands. The figure says how much of a sample the codebook's
worked examples already settle. Units whose spans overlap these examples are reported apart
(uncovered alpha).
"""

from __future__ import annotations

import argparse
import hashlib
import re
import sys
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from agreement import EXAMPLE, read_codebook, span_of
from check_quotes import MARKUP, SOURCE, paragraphs

RULE = re.compile(r"^\s*- \*\*([A-Z]+-\d+)")
SECTION = re.compile(r"^## (\d+)\.")
CONCEPT = re.compile(r"^\| `([a-z0-9-]+)` ")


def examples(codebook: str, paras: dict[str, list[str]], practices: list[str]) -> dict[str, list[dict[str, str]]]:
    """Practice -> [{where, quote}] for every example quoted from it, in codebook order."""
    found: dict[str, list[dict[str, str]]] = {practice: [] for practice in practices}
    where, section = "preamble", "0"
    for line in codebook.splitlines():
        if heading := SECTION.match(line):
            section = heading.group(1)
            where = f"s{section}"
        elif rule := RULE.match(line):
            where = rule.group(1)
        elif line[:1] not in ("", " ", "-", "|"):
            where = f"s{section}"  # section prose or a sub-heading ends the rule before it
        concept = CONCEPT.match(line)
        label = f"MECH-6 {concept.group(1)}" if concept and section == "14" else where
        for match in EXAMPLE.finditer(line):
            quote, tag = match.group(1), match.group(3)
            if tag == "heading":
                continue
            for practice in [tag] if tag else [p for p in practices if span_of(paras[p], quote)]:
                if practice in found and span_of(paras[practice], quote):
                    found[practice].append({"where": label, "quote": quote})
    return found


def text_covered(paras: dict[str, list[str]], practice: str, quotes: list[str]) -> float:
    """Percent of the practice's text (markup excluded) that lies inside an example's first occurrence."""
    covered: set[tuple[int, int]] = set()
    for quote in quotes:
        span = span_of(paras[practice], quote)
        if span is not None:
            covered.update((span[0], offset) for offset in range(span[1], span[2]))
    total = 0
    for index, segment in enumerate(paras[practice]):
        text_offsets = [offset for offset in range(len(segment)) if not in_markup(segment, offset)]
        total += len(text_offsets)
        covered -= {(index, offset) for offset in range(len(segment)) if in_markup(segment, offset)}
    return round(100 * len(covered) / total, 1) if total else 0.0


def in_markup(segment: str, offset: int) -> bool:
    return any(m.start() <= offset < m.end() for m in MARKUP.finditer(segment))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sample", type=Path)
    parser.add_argument("--out", type=Path, help="write the list as YAML here")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--codebook", type=Path)
    source.add_argument("--codebook-rev")
    args = parser.parse_args(argv)
    codebook, label = read_codebook(args.codebook, args.codebook_rev)
    paras = paragraphs(SOURCE.read_text("utf-8"))
    practices = [entry["practice"] for entry in yaml.safe_load(args.sample.read_text("utf-8"))["practices"]]
    found = examples(codebook, paras, practices)
    quoted = [practice for practice in practices if found[practice]]
    report = {
        "sample": args.sample.name,
        "codebook": label,
        "codebook_sha256": hashlib.sha256(codebook.encode("utf-8")).hexdigest(),
        "practices": len(practices),
        "practices_quoted": len(quoted),
        "examples": sum(len(found[p]) for p in practices),
        "distinct_example_strings": sum(len({e["quote"] for e in found[p]}) for p in practices),
        "text_covered_pct_mean": round(
            sum(text_covered(paras, p, [e["quote"] for e in found[p]]) for p in practices) / len(practices), 1),
        "per_practice": {
            practice: {
                "examples": len(found[practice]),
                "text_covered_pct": text_covered(paras, practice, [e["quote"] for e in found[practice]]),
                "rules": sorted({e["where"] for e in found[practice]}),
                "quotes": found[practice],
            }
            for practice in practices
        },
    }
    print(f"{label}: {len(quoted)} of {len(practices)} sampled practices are quoted; "
          f"{report['examples']} example quotes ({report['distinct_example_strings']} distinct per practice); "
          f"mean share of a paragraph's text inside an example: {report['text_covered_pct_mean']} %")
    for practice in practices:
        row = report["per_practice"][practice]
        print(f"  {practice}: {row['examples']:>2} examples, {row['text_covered_pct']:>5} % of the text  "
              f"{', '.join(row['rules'])}")
    if args.out:
        args.out.write_text(yaml.safe_dump(report, allow_unicode=True, sort_keys=False, width=120), "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
