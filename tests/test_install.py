"""Installing as a new user would (slow: each test makes a virtual environment and pip-installs into
it, from pip's cache when warm; deselect with ``-m "not slow"``).

- The README's quick start, word for word, from a fresh clone with ``PATH=/usr/bin:/bin``: Debian's
  own Python, which refuses ``pip install`` (PEP 668).
- A wheel built from this checkout, installed into a fresh virtual environment, run from an empty
  folder with no clone: the data, ontology, source text and queries come from the wheel.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent
README = PROJECT / "README.md"
DEBIAN_PYTHON = Path("/usr/bin/python3")
STOCK_PATH = "/usr/bin:/bin"

pytestmark = pytest.mark.slow


def clean_env(path: str, **extra: str) -> dict[str, str]:
    """The environment a new user has: no PYTHONPATH, no active virtual environment, PATH as given.

    Give ``PRACTICE_GRAPH_CACHE`` in ``extra`` to keep built graphs out of the user's cache folder.
    """
    env = {key: value for key, value in os.environ.items()
           if key not in {"PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME", "PYTHONSTARTUP", "PRACTICE_GRAPH_CACHE"}}
    return {**env, "PATH": path, **extra}


def run(command: list[str] | str, cwd: Path, env: dict[str, str], timeout: float = 900) -> str:
    """Run a command; fail the test with its output when it fails. Returns stdout and stderr."""
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout,
                          shell=isinstance(command, str), executable="/bin/bash" if isinstance(command, str) else None,
                          check=False)
    output = done.stdout + done.stderr
    assert done.returncode == 0, f"{command} exited {done.returncode}:\n{output[-6000:]}"
    return output


def quick_start() -> list[str]:
    """The two commands of the README's quick start, comments removed."""
    section = README.read_text(encoding="utf-8").split("## Quick start", 1)[1]
    block = section.split("```bash", 1)[1].split("```", 1)[0]
    commands = [line.split("  #", 1)[0].strip() for line in block.strip().splitlines()]
    assert len(commands) == 2, commands
    return commands


def externally_managed(python: Path) -> bool:
    if not python.is_file():
        return False
    stdlib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('stdlib'))"],
                            capture_output=True, text=True, check=False).stdout.strip()
    return bool(stdlib) and (Path(stdlib) / "EXTERNALLY-MANAGED").is_file()


# ------------------------------------------------------------------------------ quick start
@pytest.mark.skipif(not externally_managed(DEBIAN_PYTHON), reason="no externally managed /usr/bin/python3 here")
def test_quick_start_word_for_word_on_debian_python(tmp_path: Path) -> None:
    env = clean_env(STOCK_PATH, PRACTICE_GRAPH_CACHE=str(tmp_path / "cache"))
    # What a new user meets: the system Python refuses pip.
    refused = subprocess.run([str(DEBIAN_PYTHON), "-m", "pip", "install", "--dry-run", "click"], env=env,
                             capture_output=True, text=True, check=False)
    assert refused.returncode != 0 and "externally-managed-environment" in refused.stdout + refused.stderr

    clone = tmp_path / "practice-graph"
    run(["git", "clone", "--quiet", str(PROJECT), str(clone)], tmp_path, env)
    install_and_build, test_command = quick_start()
    assert install_and_build.startswith("bash scripts/install.sh && ")
    started = time.monotonic()
    output = run(install_and_build, clone, env, timeout=1800)
    print(f"quick start, first command: {time.monotonic() - started:.0f} s")  # shown with -s
    # The install step says what it does, step by step, and uses a virtual environment.
    for step in ("[1/4]", "[2/4]", "[3/4]", "[4/4]"):
        assert step in output
    assert "venv" in output
    assert (clone / "dist" / "practice-graph.nt").is_file() and (clone / "dist" / "analysis" / "report.html").is_file()
    assert (clone / ".venv" / "bin" / "practice-graph").is_file()
    assert not (clone / "build").exists() and not list((clone / "src").glob("*.egg-info"))
    # The second command runs the tests with the environment's Python (one quick file here, not the suite).
    assert test_command.split() == [".venv/bin/python", "-m", "pytest", "-n", "auto"]
    output = run([*test_command.split(), "-q", "-p", "no:cacheprovider", "tests/test_source.py"], clone, env)
    assert re.search(r"\d+ passed", output)


# ------------------------------------------------------------------------------ the wheel
@pytest.fixture(scope="module")
def installed_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment with the wheel built from this checkout; returns its bin/."""
    root = tmp_path_factory.mktemp("wheel")
    had_build = (PROJECT / "build").exists()
    started = time.monotonic()
    run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(root / "wheel"),
         str(PROJECT)], root, clean_env(os.environ["PATH"]))
    assert (PROJECT / "build").exists() == had_build, "building the wheel left build/ in the tree"
    built = time.monotonic()
    base_python = getattr(sys, "_base_executable", sys.executable)
    run([base_python, "-m", "venv", str(root / "venv")], root, clean_env(STOCK_PATH))
    wheel = next((root / "wheel").glob("practice_graph-*.whl"))
    run([str(root / "venv" / "bin" / "python"), "-m", "pip", "install", "--quiet", str(wheel)], root,
        clean_env(STOCK_PATH))
    print(f"wheel built in {built - started:.0f} s, installed in {time.monotonic() - built:.0f} s")
    return root / "venv" / "bin"


@pytest.fixture
def empty_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "anywhere"
    folder.mkdir()
    return folder


def wheel_env(bin_dir: Path) -> dict[str, str]:
    """The installed wheel's bin/ first on PATH; built graphs cached beside its environment."""
    return clean_env(f"{bin_dir}:{STOCK_PATH}", PRACTICE_GRAPH_CACHE=str(bin_dir.parent.parent / "cache"))


def cli(bin_dir: Path, folder: Path, *args: str) -> str:
    return run([str(bin_dir / "practice-graph"), *args], folder, wheel_env(bin_dir))


def test_wheel_carries_data_ontology_source_and_queries(installed_wheel: Path, empty_folder: Path) -> None:
    probe = ("from importlib.resources import files\n"
             "from practice_graph.core import paths\n"
             "root = files('practice_graph')\n"
             "print(paths.IN_CHECKOUT, paths.DEFAULT_DATA == paths.RESOURCES_DIR / 'data')\n"
             "for name in ('resources/data/skeleton.yaml', 'resources/data/source/source.yaml',\n"
             "             'resources/ontology/shapes.ttl', 'sparql/queries/cq01.rq',\n"
             "             'sparql/static/yasqe/yasqe.min.js', 'sparql/static/yasqe/LICENSE'):\n"
             "    print(name, root.joinpath(name).is_file())\n")
    output = run([str(installed_wheel / "python"), "-c", probe], empty_folder, wheel_env(installed_wheel))
    lines = output.splitlines()
    assert lines[0] == "False True"
    assert len(lines) == 7 and all(line.endswith(" True") for line in lines[1:]), output
    source = run([str(installed_wheel / "python"), "-c",
                  "from importlib.resources import files; import sys; d = files('practice_graph') / "
                  "'resources/data/source'; sys.stdout.write(sorted(p.name for p in d.iterdir())[0])"],
                 empty_folder, clean_env(STOCK_PATH))
    assert source == "000_434fdb7575b37628.txt"


def test_wheel_commands_work_from_an_empty_folder(installed_wheel: Path, empty_folder: Path) -> None:
    # The list counts five work tasks (一 to 五), sixteen measures and forty-seven numbered practices.
    first = cli(installed_wheel, empty_folder, "query", "cq01", "--format", "csv")
    assert "5,16,47" in first.splitlines()
    assert "building the graph" in first  # built once from the wheel's data, with a notice ...
    again = cli(installed_wheel, empty_folder, "query", "cq01", "--format", "csv")
    assert again.splitlines()[1:] == ["5,16,47"] and "building" not in again  # ... then read from the cache
    stats = cli(installed_wheel, empty_folder, "stats")
    assert "pg:Practice\t47" in stats and "pg:WorkTask\t5" in stats
    cli(installed_wheel, empty_folder, "analyze", "--out", "analysis")
    assert (empty_folder / "analysis" / "report.html").is_file()
    assert (empty_folder / "analysis" / "combinations.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    cli(installed_wheel, empty_folder, "viz", "--out", "viewer.html")
    assert "<!DOCTYPE html>" in (empty_folder / "viewer.html").read_text(encoding="utf-8")[:200]
    assert sorted(path.name for path in empty_folder.iterdir()) == ["analysis", "viewer.html"]


def test_wheel_build_writes_into_dist_of_the_current_folder(installed_wheel: Path, empty_folder: Path) -> None:
    old_umask = os.umask(0o022)
    try:
        cli(installed_wheel, empty_folder, "build")
    finally:
        os.umask(old_umask)
    dist = empty_folder / "dist"
    assert (dist / "practice-graph.nt").is_file() and (dist / "analysis" / "report.md").is_file()
    assert oct((dist / "practice-graph.ttl").stat().st_mode & 0o777) == oct(0o644)


def test_wheel_serve_answers_a_query(installed_wheel: Path, empty_folder: Path) -> None:
    process = subprocess.Popen([str(installed_wheel / "practice-graph"), "serve", "--port", "0", "--workers", "1"],
                               cwd=empty_folder, env=wheel_env(installed_wheel),
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                               start_new_session=True)
    try:
        url = None
        deadline = time.monotonic() + 300
        assert process.stderr is not None
        while url is None and time.monotonic() < deadline:
            line = process.stderr.readline()
            if not line and process.poll() is not None:
                break
            found = re.search(r"(http://[\d.]+:\d+/sparql)", line)
            url = found.group(1) if found else None
        assert url, "the endpoint did not start"
        query = "SELECT (COUNT(?p) AS ?n) WHERE { ?p a <https://w3id.org/practice-graph/ontology#Practice> }"
        request = urllib.request.Request(f"{url}?{urllib.parse.urlencode({'query': query})}",
                                         headers={"Accept": "text/csv"})
        with urllib.request.urlopen(request, timeout=60) as response:
            assert response.read().decode("utf-8").split() == ["n", "47"]
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def test_pip_building_from_the_checkout_leaves_no_build_folder(tmp_path: Path) -> None:
    # pip install . and pip wheel . build the project in place through the same backend, which must
    # not leave build/ or *.egg-info behind.
    clone = tmp_path / "clone"
    shutil.copytree(PROJECT, clone, ignore=shutil.ignore_patterns(".venv", "dist", ".git", "__pycache__",
                                                                  ".pytest_cache", ".ruff_cache", "drafts"))
    run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(tmp_path / "w"), "."],
        clone, clean_env(os.environ["PATH"]))
    assert not (clone / "build").exists() and not list(clone.rglob("*.egg-info"))
