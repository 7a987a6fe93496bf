"""What LibYAML's C parser would save when loading the curated data, line numbers kept.

Reads every ``data/*.yaml`` with the project's loader (``curation.load.read_yaml``: PyYAML's pure
Python ``SafeLoader`` with line-recording mappings) and with the same constructor on PyYAML's C
parser (``CSafeLoader``: scanning, parsing and composing in C; the mappings still record each
key's line from the C parser's marks). Checks the two give the same records and the same lines,
and prints the median CPU time of ``--runs`` loads of the whole folder. The C variant here does
not refuse aliases (the project's loader checks them while composing, which the C parser does
in C); a real switch would check the composed nodes for shared children instead::

    PYTHONPATH=src python3 benchmarks/yaml_loader.py [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import yaml

from practice_graph.core.paths import DEFAULT_DATA
from practice_graph.curation import load as curation_load


class CLineLoader(yaml.CSafeLoader):
    """The project's mapping constructor (lines of mappings and keys) on LibYAML's parser."""

    construct_mapping = curation_load._Loader.construct_mapping
    yaml_implicit_resolvers = curation_load._Loader.yaml_implicit_resolvers


CLineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
                            lambda loader, node: loader.construct_mapping(node, deep=True))


def lines_of(value, found: list[tuple[int, tuple[tuple[str, int], ...]]]) -> list:
    """Every mapping's line and key lines, depth first (to compare the two loaders)."""
    if isinstance(value, dict):
        found.append((value.line, tuple(sorted(value.key_lines.items()))))
        for item in value.values():
            lines_of(item, found)
    elif isinstance(value, list):
        for item in value:
            lines_of(item, found)
    return found


def load_all(files: list[Path], loader) -> list:
    return [yaml.load(path.read_text(encoding="utf-8"), Loader=loader) for path in files]


def cpu_median(files: list[Path], loader, runs: int) -> tuple[float, float]:
    cpus, walls = [], []
    for _ in range(runs):
        cpu, wall = time.process_time(), time.perf_counter()
        load_all(files, loader)
        cpus.append(time.process_time() - cpu)
        walls.append(time.perf_counter() - wall)
    return statistics.median(cpus), statistics.median(walls)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="PyYAML's Python parser against LibYAML's, line numbers kept.")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    if not yaml.__with_libyaml__:
        print("PyYAML was built without LibYAML: no C parser to measure")
        return 1
    files = sorted(DEFAULT_DATA.glob("*.yaml"))
    python_loaded = load_all(files, curation_load._Loader)
    c_loaded = load_all(files, CLineLoader)
    same = python_loaded == c_loaded and lines_of(python_loaded, []) == lines_of(c_loaded, [])
    size = sum(path.stat().st_size for path in files)
    print(f"{len(files)} files, {size:,} bytes; load average {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    print(f"same records and lines: {'yes' if same else 'NO'}")
    python_cpu, python_wall = cpu_median(files, curation_load._Loader, args.runs)
    c_cpu, c_wall = cpu_median(files, CLineLoader, args.runs)
    print(f"Python parser (today): cpu {python_cpu:.3f} s, wall {python_wall:.3f} s (median of {args.runs})")
    print(f"C parser (CSafeLoader): cpu {c_cpu:.3f} s, wall {c_wall:.3f} s")
    print(f"saved: {python_cpu - c_cpu:.3f} s of CPU ({python_cpu / c_cpu:.1f}x)")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
