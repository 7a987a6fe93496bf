"""The YAML loader on LibYAML's parser against PyYAML's Python parser, line numbers kept.

Reads every ``data/*.yaml`` with the project's loader (``curation.load.read_yaml``) on both
parsers it can run on: ``_CLoader`` (LibYAML's ``CParser`` scans and parses in C; composing and
constructing stay in Python, where aliases, duplicate keys, keys that are not plain values and
deep nesting are refused), the default when PyYAML has LibYAML, and ``_PythonLoader`` (PyYAML's
parser written in Python), the fallback. Checks the two give the same records and the same line
of every mapping and key, and prints the median CPU time of ``--runs`` loads of the whole folder,
then the time to refuse one text field of ``--long`` megabytes (whole ``load_valid``)::

    PYTHONPATH=src python3 benchmarks/yaml_loader.py [--runs 5] [--long 4]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import yaml

from practice_graph.core.paths import DEFAULT_DATA
from practice_graph.curation import load as curation_load
from practice_graph.pipeline import BuildFailed, load_valid


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
    return [curation_load.read_yaml(path, loader) for path in files]


def cpu_median(files: list[Path], loader, runs: int) -> tuple[float, float]:
    cpus, walls = [], []
    for _ in range(runs):
        cpu, wall = time.process_time(), time.perf_counter()
        load_all(files, loader)
        cpus.append(time.process_time() - cpu)
        walls.append(time.perf_counter() - wall)
    return statistics.median(cpus), statistics.median(walls)


def refuse_long_field(megabytes: float) -> tuple[float, str]:
    """CPU seconds for ``load_valid`` to refuse a data copy whose first English label is that long."""
    with tempfile.TemporaryDirectory() as work:
        data = Path(work) / "data"
        shutil.copytree(DEFAULT_DATA, data)
        regions = data / "regions.yaml"
        text = regions.read_text(encoding="utf-8")
        label = 'en: "Ngawa Tibetan and Qiang Autonomous Prefecture"'
        regions.write_text(text.replace(label, f'en: "{"x" * int(megabytes * 1_000_000)}"', 1), encoding="utf-8")
        cpu = time.process_time()
        try:
            load_valid(data)
        except BuildFailed as error:
            return time.process_time() - cpu, error.problems[0]
        return time.process_time() - cpu, "NOT REFUSED"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="The YAML loader on LibYAML's parser and on PyYAML's Python parser.")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--long", type=float, default=4.0, help="Megabytes of the over-long field to refuse.")
    args = parser.parse_args(argv)
    if not yaml.__with_libyaml__:
        print("PyYAML was built without LibYAML: no C parser to measure (the loader uses the Python parser)")
        return 1
    files = sorted(DEFAULT_DATA.glob("*.yaml"))
    python_loaded = load_all(files, curation_load._PythonLoader)
    c_loaded = load_all(files, curation_load._CLoader)
    same = python_loaded == c_loaded and lines_of(python_loaded, []) == lines_of(c_loaded, [])
    size = sum(path.stat().st_size for path in files)
    print(f"{len(files)} files, {size:,} bytes; load average {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    print(f"same records and lines: {'yes' if same else 'NO'}; default loader: {curation_load._Loader.__name__}")
    python_cpu, python_wall = cpu_median(files, curation_load._PythonLoader, args.runs)
    c_cpu, c_wall = cpu_median(files, curation_load._CLoader, args.runs)
    print(f"Python parser (fallback): cpu {python_cpu:.3f} s, wall {python_wall:.3f} s (median of {args.runs})")
    print(f"LibYAML parser (default): cpu {c_cpu:.3f} s, wall {c_wall:.3f} s")
    print(f"saved: {python_cpu - c_cpu:.3f} s of CPU ({python_cpu / c_cpu:.1f}x)")
    seconds, problem = refuse_long_field(args.long)
    print(f"a {args.long:g} MB field refused by load_valid in {seconds:.2f} s of CPU: {problem[-110:]}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
