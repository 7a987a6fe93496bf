"""The fresh audit of issue 11: the curated coding of a sample of practices against a blind coding.

Usage: python data/reliability/audit.py data/reliability/audit/coding-audit.yaml
           --sample data/reliability/audit/sample.yaml --out data/reliability/audit/audit.yaml
           [--curated data/reliability/audit/coding-curated.yaml]

A coder who had not seen the curated data coded the sampled practices from the codebook and the
source alone (``coding-audit.yaml``). This script writes the curated records of the same practices
in the same form (``coding-curated.yaml``: arrangements with their participants' designations and
roles, mechanism uses) and compares them, FORM.md §4's way: bodies aligned by the overlap of their
designation spans, arrangements by the span Jaccard of their anchors (or of their aligned
participants). It reports, over the curated records:

- arrangements fully correct: aligned with a blind arrangement of the same kind, the same
  participants (no more, no fewer) and the same role for each;
- mechanism links precise: the blind coder links the same concept in the same practice; and the
  share of those with the same use value.

Every difference is listed (``differences``) for adjudication: the blind coding is the first
reading, not the truth, and ``adjudication.yaml`` records who was right on each difference after
reading the source and the codebook again. The figures are given before and after adjudication.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from agreement import CODEBOOK, align_arrangements, align_bodies, example_spans, overlap, read_practice, span_of
from check_quotes import SOURCE, paragraphs

DATA = Path(__file__).resolve().parents[1]


def curated_coding(practices: list[str], data: Path = DATA) -> dict[str, Any]:
    """The curated arrangements and mechanism uses of ``practices`` in the coding form."""
    regions = {r["id"]: r for r in yaml.safe_load((data / "regions.yaml").read_text("utf-8"))}
    skeleton = yaml.safe_load((data / "skeleton.yaml").read_text("utf-8"))
    arrangements = yaml.safe_load((data / "arrangements.yaml").read_text("utf-8"))
    listed = {p["id"]: p for p in skeleton["practices"]}
    coded = []
    for practice in practices:
        subject = regions[listed[practice]["region"]]["label"]["zh"]
        bodies: dict[str, dict[str, Any]] = {}
        units = []
        for arrangement in sorted((a for a in arrangements if a["practice"] == practice), key=lambda a: a["id"]):
            participants = []
            for p in arrangement["participants"]:
                if p.get("as_subject"):
                    designation, via = subject, "as_subject"
                else:
                    designation, via = p.get("designation") or p["id"], "designated"
                bodies.setdefault(designation, {"designation": designation, "quote": p["quote"], "via": via,
                                                "participant": True})
                participants.append({"body": designation, "quote": p["quote"], "role": p.get("role") or "none",
                                     "id": p["id"]})
            units.append({"id": arrangement["id"], "anchor": arrangement["anchor"], "kind": arrangement["kind"],
                          "participants": participants, "carries": sorted(arrangement.get("carries") or [])})
        mechanisms = [{"concept": m["id"], "use": m["use"], "quote": m["quote"], "rz": m.get("rz"),
                       "nato": m.get("nato")} for m in listed[practice].get("mechanisms") or []]
        coded.append({"practice": practice, "bodies": list(bodies.values()), "arrangements": units,
                      "mechanisms": sorted(mechanisms, key=lambda m: m["concept"])})
    return {"coder": "curated", "practices": coded}


def compare_practice(practice: str, curated: dict[str, Any], blind: dict[str, Any],
                     segments: list[str]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Per curated arrangement and per mechanism link: correct or not, and why."""
    bodies_c, arrangements_c = read_practice(curated, segments)
    bodies_b, arrangements_b = read_practice(blind, segments)
    body_pairs = align_bodies(bodies_c, bodies_b)
    c_to_b = {bodies_c[i].designation: bodies_b[j].designation for i, j in body_pairs}
    pairs = dict(align_arrangements(arrangements_c, arrangements_b, c_to_b))
    ids = [a["id"] for a in curated["arrangements"]]
    results = []
    for i, x in enumerate(arrangements_c):
        problems = []
        if i not in pairs:
            problems.append("the blind coder codes no arrangement here")
        else:
            y = arrangements_b[pairs[i]]
            if x.kind != y.kind:
                problems.append(f"kind {x.kind} (blind: {y.kind})")
            mapped = {c_to_b.get(name): (name, role) for name, role in x.roles.items()}
            for name_b, role_b in sorted(y.roles.items()):
                if name_b not in mapped:
                    problems.append(f"participant missing: {name_b} ({role_b})")
                elif mapped[name_b][1] != role_b:
                    problems.append(f"role of {mapped[name_b][0]}: {mapped[name_b][1]} (blind: {role_b})")
            for name_c, role_c in sorted(x.roles.items()):
                if c_to_b.get(name_c) not in y.roles:
                    problems.append(f"participant not in the blind coding: {name_c} ({role_c})")
        results.append({"practice": practice, "arrangement": ids[i], "anchor": x.anchor_text,
                        "correct": not problems, "differences": problems})
    for j, y in enumerate(arrangements_b):
        if j not in pairs.values():
            results.append({"practice": practice, "arrangement": None, "anchor": y.anchor_text, "correct": False,
                            "differences": [f"arrangement missing from the curated data: {y.kind}, "
                                            f"{sorted(y.roles.items())}"]})
    blind_uses = {m["concept"]: m for m in blind.get("mechanisms") or []}
    links = []
    for use in curated["mechanisms"]:
        other = blind_uses.get(use["concept"])
        links.append({"practice": practice, "concept": use["concept"], "use": use["use"], "quote": use["quote"],
                      "precise": other is not None, "same_use": bool(other and other["use"] == use["use"]),
                      "blind_use": other["use"] if other else None})
    curated_concepts = {m["concept"] for m in curated["mechanisms"]}
    for concept, other in sorted(blind_uses.items()):
        if concept not in curated_concepts:
            links.append({"practice": practice, "concept": concept, "use": None, "quote": other["quote"],
                          "precise": None, "same_use": None, "blind_use": other["use"]})
    return results, links


def figures(arrangements: list[dict[str, Any]], links: list[dict[str, Any]],
            adjudication: dict[str, Any]) -> dict[str, Any]:
    """The audit's figures, before and (where the adjudication says so) after adjudication."""
    curated_arrangements = [a for a in arrangements if a["arrangement"]]
    curated_links = [link for link in links if link["use"] is not None]
    right_arrangements = set(adjudication.get("arrangements_correct") or [])
    right_links = {tuple(item) for item in adjudication.get("links_precise") or []}
    after_a = sum(a["correct"] or a["arrangement"] in right_arrangements for a in curated_arrangements)
    after_l = sum(link["precise"] or (link["practice"], link["concept"]) in right_links for link in curated_links)

    def pct(part: int, whole: int) -> float:
        return round(100 * part / whole, 1) if whole else 0.0

    return {
        "curated_arrangements": len(curated_arrangements),
        "arrangements_fully_correct_before": sum(a["correct"] for a in curated_arrangements),
        "arrangements_fully_correct_before_pct": pct(sum(a["correct"] for a in curated_arrangements),
                                                    len(curated_arrangements)),
        "arrangements_fully_correct_after": after_a,
        "arrangements_fully_correct_after_pct": pct(after_a, len(curated_arrangements)),
        "blind_arrangements_not_curated": sum(1 for a in arrangements if not a["arrangement"]),
        "curated_links": len(curated_links),
        "links_precise_before": sum(bool(link["precise"]) for link in curated_links),
        "links_precise_before_pct": pct(sum(bool(link["precise"]) for link in curated_links), len(curated_links)),
        "links_precise_after": after_l,
        "links_precise_after_pct": pct(after_l, len(curated_links)),
        "links_same_use_pct": pct(sum(bool(link["same_use"]) for link in curated_links),
                                  sum(bool(link["precise"]) for link in curated_links)),
        "blind_links_not_curated": sum(1 for link in links if link["use"] is None),
        "curated_arrangements_a_codebook_example_settles": sum(a.get("codebook_example", False)
                                                              for a in curated_arrangements),
        "curated_links_a_codebook_example_settles": sum(link.get("codebook_example", False) for link in curated_links),
        "links_precise_where_no_codebook_example_pct": pct(
            sum(bool(link["precise"]) for link in curated_links if not link.get("codebook_example")),
            sum(1 for link in curated_links if not link.get("codebook_example"))),
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("blind", type=Path)
    parser.add_argument("--sample", type=Path, required=True)
    parser.add_argument("--curated", type=Path, help="write the curated coding of the sample here")
    parser.add_argument("--adjudication", type=Path, help="who was right on each difference (YAML)")
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    practices = sorted(yaml.safe_load(args.sample.read_text("utf-8"))["practices"])
    curated = curated_coding(practices, args.data)
    if args.curated:
        args.curated.write_text(yaml.safe_dump(curated, allow_unicode=True, sort_keys=False, width=120), "utf-8")
    blind = {unit["practice"]: unit for unit in yaml.safe_load(args.blind.read_text("utf-8"))["practices"]}
    paras = paragraphs(SOURCE.read_text("utf-8"))
    arrangements, links = [], []
    for unit in curated["practices"]:
        found, linked = compare_practice(unit["practice"], unit, blind[unit["practice"]], paras[unit["practice"]])
        arrangements += found
        links += linked
    examples = example_spans(CODEBOOK.read_text("utf-8"), paras)
    for item in (*arrangements, *links):
        segments = paras[item["practice"]]
        span = span_of(segments, item["anchor"] if "anchor" in item else item["quote"])
        item["codebook_example"] = any(overlap(span, example) > 0 for example in examples.get(item["practice"], []))
    adjudication = yaml.safe_load(args.adjudication.read_text("utf-8")) if args.adjudication else {}
    report = {"sample": practices, "figures": figures(arrangements, links, adjudication or {}),
              "arrangements": arrangements,
              "links_differing": [link for link in links if not (link["precise"] and link["same_use"])]}
    text = yaml.safe_dump(report, allow_unicode=True, sort_keys=False, width=120)
    if args.out:
        args.out.write_text(text, "utf-8")
    print(yaml.safe_dump(report["figures"], sort_keys=False), end="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
