"""Print how many curated entities the ingest candidates find, per kind, on the curated source.

Recall is computed against whatever ``data/`` holds now (no totals are fixed here): a curated
record counts as found when a candidate in one of its practices has its name (figures: a
candidate overlaps where its verbatim stands; "exact" also requires the same text). Bodies
(agencies, organisations) are found mainly through a gazetteer built from the same data, so
their recall is high by construction; implied bodies (unnamed in the text) are left out.

    PYTHONPATH=src python3 benchmarks/ingest_recall.py [--data DIR]
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from pathlib import Path

from practice_graph.curation.load import load_dataset
from practice_graph.ingest import ingest

PROJECT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=PROJECT / "data")
    args = parser.parse_args()
    dataset = load_dataset(args.data)
    started = time.perf_counter()
    result = ingest(dataset.source.path, args.data)
    seconds = time.perf_counter() - started
    assert result.recall is not None
    skeleton = result.skeleton
    print(f"source: {dataset.source.path.name}; ingest took {seconds:.2f} s")
    print(f"skeleton: {len(skeleton.tasks)} tasks, {len(skeleton.measures)} measures, "
          f"{len(skeleton.practices)} practices; "
          + ", ".join(f"{status} {count}" for status, count in
                      sorted(Counter(d.status for d in result.skeleton_diffs).items())))
    kinds = Counter(c.kind for c in result.candidates)
    matched = Counter(c.kind for c in result.candidates if c.status == "matches")
    print()
    print(f"{'kind':<16}{'curated':>8}{'found':>7}{'recall':>8}{'exact':>7}{'candidates':>12}{'matching':>10}")
    for kind, recall in result.recall.items():
        pool = ["platform", "brand", "event", "name"] if kind in {"platform", "brand", "event"} else [kind]
        print(f"{kind:<16}{recall.total:>8}{recall.found:>7}{recall.rate:>8.1%}{recall.exact:>7}"
              f"{sum(kinds[k] for k in pool):>12}{sum(matched[k] for k in pool):>10}")
    print("\n(platform, brand and event share their candidates: names in quotation marks are found whatever")
    print(" kind was guessed; 'matching' counts candidates whose text is a curated record's name)")
    for recall in result.recall.values():
        if recall.missed:
            print(f"not found, {recall.kind}: {', '.join(recall.missed)}")


if __name__ == "__main__":
    main()
