"""Draw the agreement-study sample: one practice per measure, by a seeded random choice.

    python data/reliability/draw_sample.py --seed 11                      # round 1 (sample.yaml)
    python data/reliability/draw_sample.py --seed 12 --exclude data/reliability/sample.yaml

Method: for each measure in document order (m-1-1 ... m-5-2), take the measure's practices
(minus any excluded) sorted by their number and call ``random.Random(seed).choice`` on them, one
generator for the whole draw. The practice ids come from the source order (check_quotes.py), not
from the curated data. Prints YAML entries for sample.yaml.

Measures with too few practices: a measure with one practice left (``of: 1``) gets that practice.
The draw is forced, but ``choice`` is still called, so the generator advances exactly as for any
other measure. A measure with no practice left (every practice excluded) is skipped without
calling the generator; it is reported as a YAML comment and on stderr, and the sample then has
fewer practices than measures.
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from check_quotes import SOURCE, heading, paragraphs

TASKS = "一二三四五"


def source_number(practice: str) -> str:
    """p-1-3-2 -> 一(三)2, the source's own numbering."""
    _, task, measure, number = practice.split("-")
    return f"{TASKS[int(task) - 1]}({TASKS[int(measure) - 1]}){number}"


def draw(seed: int, exclude: set[str]) -> list[dict]:
    paras = paragraphs(SOURCE.read_text("utf-8"))
    measures: dict[str, list[str]] = {}
    for practice in paras:
        measures.setdefault("m-" + "-".join(practice.split("-")[1:3]), []).append(practice)
    rng = random.Random(seed)
    sample = []
    for measure, practices in measures.items():
        pool = sorted((p for p in practices if p not in exclude), key=lambda p: int(p.split("-")[3]))
        if not pool:
            sample.append({"practice": None, "measure": measure, "of": 0, "excluded": len(practices)})
            continue
        chosen = rng.choice(pool)
        sample.append(
            {
                "practice": chosen,
                "measure": measure,
                "number": source_number(chosen),
                "of": len(pool),
                "heading": heading(paras[chosen]).split("。")[0],
            }
        )
    return sample


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--exclude", type=Path, help="a sample.yaml whose practices are left out")
    args = parser.parse_args()
    exclude = set()
    if args.exclude:
        exclude = {entry["practice"] for entry in yaml.safe_load(args.exclude.read_text("utf-8"))["practices"]}
    for entry in draw(args.seed, exclude):
        if entry["practice"] is None:
            message = f'{entry["measure"]}: no practice left to draw (all {entry["excluded"]} excluded); skipped'
            print(f"  # {message}")
            print(message, file=sys.stderr)
            continue
        print(
            f'  - {{practice: {entry["practice"]}, measure: {entry["measure"]}, number: "{entry["number"]}",'
            f' of: {entry["of"]}, heading: "{entry["heading"]}"}}'
        )


if __name__ == "__main__":
    main()
