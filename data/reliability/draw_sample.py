"""Draw the agreement-study sample: one practice per measure, by a seeded random choice.

    python data/reliability/draw_sample.py --seed 11                      # round 1 (sample.yaml)
    python data/reliability/draw_sample.py --seed 12 --exclude data/reliability/sample.yaml

Method: for each measure in document order (m-1-1 ... m-5-2), take the measure's practices
(minus any excluded) sorted by their number and call ``random.Random(seed).choice`` on them, one
generator for the whole draw. The practice ids come from the source order (check_quotes.py), not
from the curated data. Prints YAML entries for sample.yaml.
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
        print(
            f'  - {{practice: {entry["practice"]}, measure: {entry["measure"]}, number: "{entry["number"]}",'
            f' of: {entry["of"]}, heading: "{entry["heading"]}"}}'
        )


if __name__ == "__main__":
    main()
