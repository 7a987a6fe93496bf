"""How long a new user waits: build the wheel, install it into a fresh virtual environment (pip's
cache as it is: warm after a first run), then the first commands from an empty folder.

    python3 benchmarks/install_timing.py [--keep DIR]

Prints one line per phase with its wall time. Nothing here is asserted; tests/test_install.py
checks that the same steps work.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent


def timed(label: str, command: list[str], cwd: Path, env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=cwd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    seconds = time.perf_counter() - started
    print(f"{label:<48} {seconds:8.1f} s", flush=True)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it (default: a temporary one)")
    args = parser.parse_args()
    root = args.keep or Path(tempfile.mkdtemp(prefix="pg-install-"))
    root.mkdir(parents=True, exist_ok=True)
    env = {key: value for key, value in os.environ.items()
           if key not in {"PYTHONPATH", "VIRTUAL_ENV", "PRACTICE_GRAPH_CACHE"}}
    base_python = getattr(sys, "_base_executable", sys.executable)
    print(f"project {PROJECT}, work folder {root}, {os.cpu_count()} cores")
    timed("pip wheel --no-deps .", [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w",
                                    str(root / "wheel"), str(PROJECT)], root, env)
    timed("python3 -m venv", [base_python, "-m", "venv", str(root / "venv")], root, env)
    wheel = next((root / "wheel").glob("practice_graph-*.whl"))
    timed("pip install the wheel (with its dependencies)",
          [str(root / "venv" / "bin" / "python"), "-m", "pip", "install", "-q", str(wheel)], root, env)
    empty = root / "empty"
    empty.mkdir(exist_ok=True)
    # A cache of built graphs of its own: the first command that reads the graph builds it, as for a new user.
    bin_env = {**env, "PATH": f"{root / 'venv' / 'bin'}:/usr/bin:/bin", "PRACTICE_GRAPH_CACHE": str(root / "cache")}
    for args_ in (["--version"], ["query", "cq01"], ["query", "cq01"], ["stats"]):
        timed("practice-graph " + " ".join(args_) + " (empty folder)", ["practice-graph", *args_], empty, bin_env)
    timed("practice-graph build (writes ./dist)", ["practice-graph", "build"], empty, bin_env)
    timed("practice-graph query cq01 (with ./dist)", ["practice-graph", "query", "cq01"], empty, bin_env)


if __name__ == "__main__":
    main()
