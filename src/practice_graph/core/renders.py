"""The cache of renders: outputs drawn from a built graph, kept by the key of what they were made from.

The JSON-LD, the analysis (charts, tables, Gephi files, report) and the viewer page are functions
of the built N-Triples, the package's files, the libraries' versions and, for the charts, the font
and configuration matplotlib reads. Drawing them took most of a build's time. A render is kept
under a key naming all of those (the caller makes it, see ``pipeline.render_key``), and a later
build or ``analyze`` of the same graph with the same code and libraries reads the kept bytes back:
byte for byte what drawing them again gives.

Each entry is a folder below ``renders/`` in the cache folder of built graphs (``core.cache``)
holding the files and ``manifest.json``, written last: each file's SHA-256 and the files outside
the package the render read (the chart font, matplotlib's font list) with their size and time. An
entry whose files or whose inputs changed is not used. The most recently used entries are kept.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Iterable, Mapping
from importlib import metadata
from pathlib import Path

from practice_graph.core.cache import cache_dir

FORMAT = 1
MANIFEST = "manifest.json"
KEEP = 16
STAGING_AGE_S = 3600


def renders_dir(root: Path | None = None) -> Path:
    """Where renders are kept: ``renders/`` in the cache folder of built graphs."""
    return (root or cache_dir()) / "renders"


def file_state(path: str | Path) -> list[int] | None:
    """A file's size and modification time in nanoseconds, or None when it is missing."""
    try:
        status = os.stat(path)
    except OSError:
        return None
    return [status.st_size, status.st_mtime_ns]


# What matplotlib reads its settings from besides its own files (a render drawn with it depends on them).
MATPLOTLIB_ENVIRONMENT = ("MPLCONFIGDIR", "MATPLOTLIBRC", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "HOME")


def installed_version(name: str) -> str:
    """The installed version of distribution ``name``, ``-`` when it is not installed."""
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "-"


def libraries_state(names: Iterable[str]) -> list[str]:
    """One line per library: its name and installed version."""
    return [f"{name} {installed_version(name)}" for name in names]


def matplotlib_settings() -> list[str]:
    """The environment variables and configuration files (by state) that matplotlib's settings come from."""
    lines = [f"${name}={os.environ.get(name, '')}" for name in MATPLOTLIB_ENVIRONMENT]
    return lines + [f"{path} {state}" for path in _matplotlibrc_candidates() if (state := file_state(path))]


def _matplotlibrc_candidates() -> list[Path]:
    """The files matplotlib reads its settings from before its own (``matplotlib_fname``, POSIX order)."""
    candidates = [Path.cwd() / "matplotlibrc"]
    if os.environ.get("MATPLOTLIBRC"):
        candidates += [Path(os.environ["MATPLOTLIBRC"]), Path(os.environ["MATPLOTLIBRC"]) / "matplotlibrc"]
    config = os.environ.get("MPLCONFIGDIR") or Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config",
                                                    "matplotlib")
    return [*candidates, Path(config) / "matplotlibrc"]


def _entry(key: str, name: str, root: Path | None) -> Path:
    return renders_dir(root) / hashlib.sha256(f"{FORMAT}\n{key}\n{name}".encode()).hexdigest()[:32]


def part_key(environment: str, name: str, content: bytes) -> str:
    """The key of one part of a render (a chart) drawn from ``content`` alone in ``environment`` (what
    else it depends on: the package, the libraries' versions, configuration). One changed table then
    redraws one chart, while the other parts of the render are read back."""
    digest = hashlib.sha256(content).hexdigest()
    return hashlib.sha256(f"{FORMAT}\n{environment}\n{name}\n{digest}".encode()).hexdigest()


def cached_render(key: str, name: str, read: Iterable[str | Path] = (), root: Path | None = None,
                  ) -> dict[str, bytes] | None:
    """The files of render ``name`` kept under ``key``, or None when there is no intact, current entry.

    ``read``: files a render now would read, which the kept one must have read too.
    """
    folder = _entry(key, name, root)
    try:
        manifest = json.loads((folder / MANIFEST).read_bytes())
        if manifest.get("format") != FORMAT or manifest.get("key") != key or manifest.get("name") != name:
            return None
        if not {str(path) for path in read} <= set(manifest["inputs"]):
            return None
        if any(file_state(path) != state for path, state in manifest["inputs"].items()):
            return None
        files = {}
        for file_name, digest in manifest["files"].items():
            content = (folder / file_name).read_bytes()
            if hashlib.sha256(content).hexdigest() != digest:
                return None
            files[file_name] = content
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None
    with contextlib.suppress(OSError):
        os.utime(folder / MANIFEST)  # most recently used: kept longest
    return files


def keep_render(key: str, name: str, files: Mapping[str, bytes], inputs: Iterable[str | Path] = (),
                root: Path | None = None) -> bool:
    """Keep the files of render ``name`` under ``key``, with the state of the ``inputs`` it read.

    Returns False when the cache folder cannot be written (the render is simply not kept).
    """
    folder = _entry(key, name, root)
    manifest = {
        "format": FORMAT, "key": key, "name": name,
        "files": {file_name: hashlib.sha256(content).hexdigest() for file_name, content in sorted(files.items())},
        "inputs": {str(path): file_state(path) for path in sorted({str(path) for path in inputs})},
    }
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".render-", dir=folder.parent))
        try:
            for file_name, content in files.items():
                target = staging / file_name
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(content)
            (staging / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n", encoding="utf-8")
            shutil.rmtree(folder, ignore_errors=True)
            os.replace(staging, folder)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    except OSError:
        return False
    _prune(folder.parent)
    return True


def _prune(root: Path) -> None:
    """Remove all but the ``KEEP`` most recently used entries, and staging folders older than an hour."""
    def used(entry: Path) -> float:
        try:
            return (entry / MANIFEST).stat().st_mtime
        except OSError:
            return 0.0

    try:
        entries = [entry for entry in root.iterdir() if entry.is_dir()]
    except OSError:
        return
    kept = [entry for entry in entries if not entry.name.startswith(".")]
    for stale in sorted(kept, key=used, reverse=True)[KEEP:]:
        shutil.rmtree(stale, ignore_errors=True)
    for staging in set(entries) - set(kept):  # left by a process that died while writing
        with contextlib.suppress(OSError):
            if time.time() - staging.stat().st_mtime > STAGING_AGE_S:
                shutil.rmtree(staging, ignore_errors=True)
