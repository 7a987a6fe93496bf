"""Align two independent codings mechanically and compute Krippendorff's alpha per decision.

Usage: python data/reliability/agreement.py coding-A.yaml coding-B.yaml --out alpha-round1.yaml
       [--aligned aligned.yaml] [--codebook PATH | --codebook-rev REV]

The method is FORM.md §4-5: bodies are aligned by the overlap of their designation spans in the
practice's paragraph, arrangements by the span Jaccard of their anchors (or, failing that, by
the Jaccard of their aligned participants, >= 0.5), mechanism units are keyed by (practice,
concept). Every decision's alpha is nominal, with a 95 % bootstrap interval (2,000 resamples of
units, numpy.random.default_rng(11), percentile method). Two codings give byte-identical output
on every run.

Example-covered units (FORM.md §4): a unit is covered when the codebook quotes an example
(「…」 (p-T-M-N)) from the same practice whose span (first occurrence) overlaps one of the unit's
spans, taken from either coder:
- (a), (f) bodies: the designation span;
- (b) arrangements: the anchor span;
- (c) roles: the participant's quote span and the designation span of its aligned body;
- (d), (e) mechanism uses: the use's quote span. A concept that neither coder links has no span,
  so it is never covered.
Alpha is reported for all units and for the uncovered ones. The codebook must be the version the
coders coded from: --codebook-rev REV reads data/CODEBOOK.md at a git revision (the concept list
comes from the same text).
"""

from __future__ import annotations

import argparse
import hashlib
import math
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import krippendorff
import numpy as np
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from check_quotes import SOURCE, paragraphs

CODEBOOK = Path(__file__).resolve().parents[1] / "CODEBOOK.md"
EXAMPLE = re.compile(r"「([^」]+)」(\s*\((p-\d-\d-\d|heading)\))?")
CONCEPT_ROW = re.compile(r"^\| `([a-z0-9-]+)` [^|]*\| ([a-z0-9-]+) \|", re.M)
KINDS = ["dispute-resolution", "enforcement-linkage", "cross-regional-cooperation", "work-network",
         "school-enterprise-cooperation", "training-cooperation", "government-enterprise-cooperation",
         "data-exchange", "joint-policy", "joint-funding", "joint-event", "joint-supervision",
         "joint-punishment", "coordination-mechanism", "unclassified", "no-arrangement"]
ROLES = ["lead", "convener", "implement", "support", "assist", "partner", "none"]
USES = ["none", "adopts", "requires", "funds", "promotes", "monitors"]
RZ = ["supply-talent", "supply-funding", "supply-technology", "supply-information", "supply-public-services",
      "env-goals-planning", "env-regulation", "env-finance-tax", "env-strategic", "demand-procurement",
      "demand-outsourcing", "demand-pilots", "demand-trade-overseas"]
RZ_TYPES = ["supply", "env", "demand"]
NATO = ["nodality", "authority", "treasure", "organisation"]
VIA = ["named", "designated", "class", "as_subject"]
BOOTSTRAP = 2000
Span = tuple[int, int, int]  # segment, start, end


def read_codebook(path: Path | None = None, rev: str | None = None) -> tuple[str, str]:
    """The codebook's text and a label saying where it came from."""
    if rev:
        repo = Path(__file__).resolve().parents[2]
        text = subprocess.run(["git", "-C", str(repo), "show", f"{rev}:data/CODEBOOK.md"],
                              check=True, capture_output=True, text=True, encoding="utf-8").stdout
        return text, f"data/CODEBOOK.md at git revision {rev}"
    path = (path or CODEBOOK).resolve()
    repo = Path(__file__).resolve().parents[2]
    return path.read_text("utf-8"), str(path.relative_to(repo)) if path.is_relative_to(repo) else str(path)


def concepts(text: str | None = None) -> list[str]:
    """The concept ids of the codebook's §14 tables, in order."""
    text = text if text is not None else CODEBOOK.read_text("utf-8")
    section = text[text.index("## 14."):text.index("## 15.")]
    return [match.group(1) for match in CONCEPT_ROW.finditer(section)]


def example_spans(text: str, paras: dict[str, list[str]]) -> dict[str, list[Span]]:
    """Practice -> the spans of the codebook's examples quoted from it (first occurrence each).

    A quote tagged (p-T-M-N) is an example from that practice. An untagged quote is an example
    from every practice that contains it (the codebook sometimes names the practice in the
    sentence instead: "p-4-3-1 relies on bases, 「…」"). A quote tagged (heading) is from no
    practice.
    """
    spans: dict[str, list[Span]] = {}
    for match in EXAMPLE.finditer(text):
        quote, tag = match.group(1), match.group(3)
        if tag == "heading":
            continue
        for practice in [tag] if tag else [p for p, segments in paras.items() if span_of(segments, quote)]:
            span = span_of(paras.get(practice, []), quote)
            if span is not None and span not in spans.setdefault(practice, []):
                spans[practice].append(span)
    return spans


def span_of(segments: list[str], quote: str, inner: str | None = None) -> Span | None:
    """Where ``quote`` first stands in a practice (and ``inner`` inside it, if given)."""
    for index, segment in enumerate(segments):
        start = segment.find(quote)
        if start < 0:
            continue
        if inner is None:
            return index, start, start + len(quote)
        offset = quote.find(inner)
        if offset >= 0:
            return index, start + offset, start + offset + len(inner)
        return index, start, start + len(quote)
    return None


def overlap(a: Span | None, b: Span | None) -> int:
    if a is None or b is None or a[0] != b[0]:
        return 0
    return max(0, min(a[2], b[2]) - max(a[1], b[1]))


def jaccard(a: Span | None, b: Span | None) -> float:
    shared = overlap(a, b)
    if not shared or a is None or b is None:
        return 0.0
    return shared / (max(a[2], b[2]) - min(a[1], b[1]))


@dataclass
class Body:
    designation: str
    span: Span | None
    via: str
    participant: bool


@dataclass
class Arrangement:
    anchor: Span | None
    anchor_text: str
    kind: str
    roles: dict[str, str] = field(default_factory=dict)  # designation -> role
    quotes: dict[str, Span | None] = field(default_factory=dict)  # designation -> participant quote span


def read_practice(unit: dict[str, Any], segments: list[str]) -> tuple[list[Body], list[Arrangement]]:
    bodies = []
    for body in unit.get("bodies") or []:
        designation = body["designation"]
        if body.get("via") == "as_subject":
            span = span_of(segments[:1], designation)
        else:
            span = span_of(segments, body.get("quote") or designation, designation)
        bodies.append(Body(designation, span, body.get("via", ""), bool(body.get("participant"))))
    arrangements = []
    for item in unit.get("arrangements") or []:
        participants = item.get("participants") or []
        roles = {p["body"]: p.get("role") or "none" for p in participants}
        quotes = {p["body"]: span_of(segments, p["quote"]) if p.get("quote") else None for p in participants}
        arrangements.append(Arrangement(span_of(segments, item["anchor"]), item["anchor"], item["kind"], roles, quotes))
    return bodies, arrangements


def greedy(scores: list[tuple[float, int, int]]) -> list[tuple[int, int]]:
    """Pairs matched greedily by score (highest first, then list order); each index used once."""
    matched, used_a, used_b = [], set(), set()
    for score, i, j in sorted(scores, key=lambda s: (-s[0], s[1], s[2])):
        if score > 0 and i not in used_a and j not in used_b:
            matched.append((i, j))
            used_a.add(i)
            used_b.add(j)
    return matched


def align_bodies(bodies_a: list[Body], bodies_b: list[Body]) -> list[tuple[int, int]]:
    """Bodies of two codings paired by the overlap of their designation spans (the subject with the subject)."""
    return greedy([
        (1e9 if x.via == y.via == "as_subject" else overlap(x.span, y.span), i, j)
        for i, x in enumerate(bodies_a) for j, y in enumerate(bodies_b)
    ])


def align_arrangements(arrangements_a: list[Arrangement], arrangements_b: list[Arrangement],
                       name_a_to_b: dict[str, str]) -> list[tuple[int, int]]:
    """Arrangements of two codings paired by the span Jaccard of their anchors or, where the anchors do
    not overlap, by the Jaccard of their aligned participants when it is at least 0.5 (FORM.md section 4)."""
    scores = []
    for i, x in enumerate(arrangements_a):
        for j, y in enumerate(arrangements_b):
            score = jaccard(x.anchor, y.anchor)
            if score == 0:
                # A participant without a counterpart stands for itself and equals no name of coding b.
                mapped = {name_a_to_b.get(name, ("unaligned", name)) for name in x.roles}
                union = mapped | set(y.roles)
                participant_score = len(mapped & set(y.roles)) / len(union) if union else 0.0
                score = participant_score if participant_score >= 0.5 else 0.0
            scores.append((score, i, j))
    return greedy(scores)


def align_practice(practice: str, a: dict[str, Any], b: dict[str, Any], segments: list[str],
                   units: dict[str, list[tuple[Any, Any]]], log: list[dict[str, Any]],
                   examples: list[Span], cover: dict[str, list[bool]], concept_ids: list[str]) -> None:
    def covered(*spans: Span | None) -> bool:
        return any(overlap(span, example) > 0 for span in spans for example in examples)

    def add(name: str, pair: tuple[Any, Any], *spans: Span | None) -> None:
        units[name].append(pair)
        cover[name].append(covered(*spans))

    bodies_a, arrangements_a = read_practice(a, segments)
    bodies_b, arrangements_b = read_practice(b, segments)
    body_pairs = align_bodies(bodies_a, bodies_b)
    a_to_b = dict(body_pairs)
    for i, j in body_pairs:
        spans = (bodies_a[i].span, bodies_b[j].span)
        add("a-participant", (bodies_a[i].participant, bodies_b[j].participant), *spans)
        add("f-designation", (bodies_a[i].via, bodies_b[j].via), *spans)
    for i, body in enumerate(bodies_a):
        if i not in a_to_b:
            add("a-participant", (body.participant, False), body.span)
            add("f-designation", (body.via, None), body.span)
    for j, body in enumerate(bodies_b):
        if j not in a_to_b.values():
            add("a-participant", (False, body.participant), body.span)
            add("f-designation", (None, body.via), body.span)
    name_a_to_b = {bodies_a[i].designation: bodies_b[j].designation for i, j in body_pairs}
    span_a = {body.designation: body.span for body in bodies_a}
    span_b = {body.designation: body.span for body in bodies_b}

    arrangement_pairs = align_arrangements(arrangements_a, arrangements_b, name_a_to_b)
    matched_a = {i for i, _ in arrangement_pairs}
    matched_b = {j for _, j in arrangement_pairs}
    for i, j in arrangement_pairs:
        x, y = arrangements_a[i], arrangements_b[j]
        add("b-kind", (x.kind, y.kind), x.anchor, y.anchor)
        add("b-kind-matched", (x.kind, y.kind), x.anchor, y.anchor)
        log.append({"practice": practice, "arrangement_a": x.anchor_text, "arrangement_b": y.anchor_text,
                    "kind_a": x.kind, "kind_b": y.kind, "covered": covered(x.anchor, y.anchor)})
        for name_a, role_a in sorted(x.roles.items()):
            name_b = name_a_to_b.get(name_a)
            add("c-role", (role_a, y.roles.get(name_b) if name_b else None),
                x.quotes.get(name_a), span_a.get(name_a), y.quotes.get(name_b), span_b.get(name_b))
        reverse = {v: k for k, v in name_a_to_b.items()}
        for name_b, role_b in sorted(y.roles.items()):
            if reverse.get(name_b) not in x.roles:
                add("c-role", (None, role_b), y.quotes.get(name_b), span_b.get(name_b))
    for i, x in enumerate(arrangements_a):
        if i not in matched_a:
            add("b-kind", (x.kind, "no-arrangement"), x.anchor)
            log.append({"practice": practice, "arrangement_a": x.anchor_text, "kind_a": x.kind, "kind_b": None,
                        "covered": covered(x.anchor)})
    for j, y in enumerate(arrangements_b):
        if j not in matched_b:
            add("b-kind", ("no-arrangement", y.kind), y.anchor)
            log.append({"practice": practice, "arrangement_b": y.anchor_text, "kind_a": None, "kind_b": y.kind,
                        "covered": covered(y.anchor)})

    uses_a = {m["concept"]: m for m in a.get("mechanisms") or []}
    uses_b = {m["concept"]: m for m in b.get("mechanisms") or []}
    for concept in concept_ids:
        x, y = uses_a.get(concept), uses_b.get(concept)
        value_a, value_b = (x or {}).get("use", "none"), (y or {}).get("use", "none")
        spans = [span_of(segments, use["quote"]) for use in (x, y) if use and use.get("quote")]
        add("d-mechanism", (value_a, value_b), *spans)
        fold = {"promotes": "adopts"}
        add("d-mechanism-folded", (fold.get(value_a, value_a), fold.get(value_b, value_b)), *spans)
        if x or y:
            add("d-mechanism-used", (value_a, value_b), *spans)
            rz_a, rz_b = (x or {}).get("rz"), (y or {}).get("rz")
            add("e1-rz-type", (rz_a.split("-")[0] if rz_a else None, rz_b.split("-")[0] if rz_b else None), *spans)
            add("e2-rz-subtype", (rz_a, rz_b), *spans)
            add("e3-nato", ((x or {}).get("nato"), (y or {}).get("nato")), *spans)


VALUES = {"a-participant": [False, True], "b-kind": KINDS, "b-kind-matched": KINDS, "c-role": ROLES,
          "d-mechanism": USES, "d-mechanism-folded": USES, "d-mechanism-used": USES, "e1-rz-type": RZ_TYPES,
          "e2-rz-subtype": RZ, "e3-nato": NATO, "f-designation": VIA}
DECISIONS = {
    "a-participant": "(a) arrangement participants: body x practice",
    "b-kind": "(b) arrangement kind: every arrangement (missing = no-arrangement)",
    "b-kind-matched": "(b') arrangement kind: arrangements both coders found",
    "c-role": "(c) role: participant of a matched arrangement",
    "d-mechanism": "(d) mechanism links: all concepts x practice (FORM.md)",
    "d-mechanism-folded": "(d') mechanism links, promotes folded into adopts",
    "d-mechanism-used": "(d'') mechanism links: concept x practice used by at least one coder",
    "e1-rz-type": "(e1) Rothwell & Zegveld type",
    "e2-rz-subtype": "(e2) Rothwell & Zegveld sub-type",
    "e3-nato": "(e3) Hood's NATO",
    "f-designation": "(f) body designation (secondary)",
}


def alpha_of(pairs: list[tuple[Any, Any]], values: list[Any]) -> float | None:
    code = {value: index for index, value in enumerate(values)}
    matrix = np.array([[code[a] if a is not None else np.nan for a, _ in pairs],
                       [code[b] if b is not None else np.nan for _, b in pairs]], dtype=float)
    pairable = ~np.isnan(matrix).any(axis=0)
    if pairable.sum() < 2 or len(set(matrix[:, pairable].ravel())) < 2:
        return None
    return float(krippendorff.alpha(reliability_data=matrix, level_of_measurement="nominal"))


def summarise(name: str, pairs: list[tuple[Any, Any]], cover: list[bool] | None = None) -> dict[str, Any]:
    values = VALUES[name]
    unknown = {v for pair in pairs for v in pair if v is not None and v not in values}
    if unknown:
        raise SystemExit(f"{name}: values outside the form's lists: {sorted(map(str, unknown))}")
    row = figures(name, pairs)
    if cover is not None:
        uncovered = [pair for pair, is_covered in zip(pairs, cover, strict=True) if not is_covered]
        row["covered_units"] = len(pairs) - len(uncovered)
        figures_uncovered = figures(name, uncovered)
        del figures_uncovered["decision"]
        row["uncovered"] = figures_uncovered
    return row


def figures(name: str, pairs: list[tuple[Any, Any]]) -> dict[str, Any]:
    values = VALUES[name]
    pairable = [(a, b) for a, b in pairs if a is not None and b is not None]
    agreement = sum(a == b for a, b in pairable) / len(pairable) if pairable else math.nan
    alpha = alpha_of(pairs, values)
    rng = np.random.default_rng(11)
    samples = []
    if alpha is not None:
        for _ in range(BOOTSTRAP):
            drawn = [pairs[i] for i in rng.integers(0, len(pairs), len(pairs))]
            value = alpha_of(drawn, values)
            if value is not None:
                samples.append(value)
    low, high = (np.percentile(samples, [2.5, 97.5]) if samples else (math.nan, math.nan))
    undefined = "n/a (fewer than 2 pairable units)" if len(pairable) < 2 else "n/a (one value)"
    return {
        "decision": DECISIONS[name],
        "units": len(pairs),
        "pairable": len(pairable),
        "observed_agreement_pct": round(100 * agreement, 1) if pairable else None,
        "alpha": round(alpha, 3) if alpha is not None else undefined,
        "ci95": [round(float(low), 3), round(float(high), 3)] if samples else None,
    }


def compare(path_a: Path, path_b: Path, codebook: str | None = None
            ) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, int]]:
    """Figures per decision, the arrangement alignment, and the examples per sampled practice."""
    paras = paragraphs(SOURCE.read_text("utf-8"))
    codebook = codebook if codebook is not None else CODEBOOK.read_text("utf-8")
    examples = example_spans(codebook, paras)
    concept_ids = concepts(codebook)
    coding_a = {unit["practice"]: unit for unit in yaml.safe_load(path_a.read_text("utf-8"))["practices"]}
    coding_b = {unit["practice"]: unit for unit in yaml.safe_load(path_b.read_text("utf-8"))["practices"]}
    if set(coding_a) != set(coding_b):
        raise SystemExit(f"the codings cover different practices: {sorted(set(coding_a) ^ set(coding_b))}")
    units: dict[str, list[tuple[Any, Any]]] = {name: [] for name in DECISIONS}
    cover: dict[str, list[bool]] = {name: [] for name in DECISIONS}
    log: list[dict[str, Any]] = []
    for practice in sorted(coding_a):
        align_practice(practice, coding_a[practice], coding_b[practice], paras[practice], units, log,
                       examples.get(practice, []), cover, concept_ids)
    quoted = {practice: len(examples.get(practice, [])) for practice in sorted(coding_a)}
    return [summarise(name, units[name], cover[name]) for name in DECISIONS], log, quoted


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("coding_a", type=Path)
    parser.add_argument("coding_b", type=Path)
    parser.add_argument("--out", type=Path, help="write the figures as YAML here")
    parser.add_argument("--aligned", type=Path, help="write the arrangement alignment here")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--codebook", type=Path, help="the codebook the coders coded from (default: data/CODEBOOK.md)")
    source.add_argument("--codebook-rev", help="read data/CODEBOOK.md at this git revision instead")
    args = parser.parse_args(argv)
    codebook, codebook_label = read_codebook(args.codebook, args.codebook_rev)
    table, log, quoted = compare(args.coding_a, args.coding_b, codebook)
    header = {
        "coding_a": args.coding_a.name,
        "coding_b": args.coding_b.name,
        "codebook": codebook_label,
        "codebook_sha256": hashlib.sha256(codebook.encode("utf-8")).hexdigest(),
        "coverage_rule": "a unit is covered when a codebook example quoted from the same practice overlaps one of "
                         "the unit's spans (FORM.md s4; see agreement.py's docstring for the span of each decision)",
        "examples_per_practice": quoted,
        "practices_with_examples": sum(1 for n in quoted.values() if n),
    }
    text = yaml.safe_dump({**header, "decisions": table}, allow_unicode=True, sort_keys=False, width=120)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    if args.aligned:
        args.aligned.write_text(yaml.safe_dump(log, allow_unicode=True, sort_keys=False, width=120), "utf-8")
    def fmt(value: Any) -> str:
        return value if isinstance(value, str) else f"{value:.3f}"

    print(f"codebook: {codebook_label}; practices with examples: {header['practices_with_examples']} of {len(quoted)}")
    print(f"{'decision':<72} {'units':>5} {'pairs':>5} {'agree%':>7} {'alpha':>8}  {'95% CI':<16} "
          f"{'uncov':>5} {'pairs':>5} {'alpha':>15}")
    for row in table:
        ci = f"[{row['ci95'][0]:.3f}, {row['ci95'][1]:.3f}]" if row["ci95"] else ""
        agree = row["observed_agreement_pct"] if row["observed_agreement_pct"] is not None else ""
        unc = row["uncovered"]
        print(f"{row['decision']:<72} {row['units']:>5} {row['pairable']:>5} {agree:>7} {fmt(row['alpha']):>8}  "
              f"{ci:<16} {unc['units']:>5} {unc['pairable']:>5} {fmt(unc['alpha']):>15}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
