"""The cache of built graphs: canonical N-Triples kept by the package, keyed by their build stamp.

The folder is ``$PRACTICE_GRAPH_CACHE`` when set, else the user cache folder of the platform
(``~/.cache/practice-graph/graphs`` on Linux). Each entry is a folder named by the stamp's key
holding ``practice-graph.nt`` and ``build-stamp.json`` (written last, so an entry with a stamp is
complete). The most recently used entries are kept, the older ones removed.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
from pathlib import Path

import platformdirs

from practice_graph.core.files import write_atomically
from practice_graph.core.paths import NTRIPLES, STAMP
from practice_graph.core.stamp import BuildStamp

CACHE_ENV = "PRACTICE_GRAPH_CACHE"
KEEP = 8


def cache_dir() -> Path:
    """Where built graphs are kept: ``$PRACTICE_GRAPH_CACHE``, else the user cache folder."""
    configured = os.environ.get(CACHE_ENV)
    if configured:
        return Path(configured).expanduser().resolve()
    return Path(platformdirs.user_cache_dir("practice-graph", appauthor=False)) / "graphs"


def _entry(key: str, root: Path) -> Path:
    return root / key[:32]


def _read_stamp(folder: Path) -> BuildStamp | None:
    try:
        return BuildStamp.from_json((folder / STAMP).read_bytes())
    except OSError:
        return None


def cached_ntriples(stamp: BuildStamp, root: Path | None = None) -> bytes | None:
    """The N-Triples built from the inputs of ``stamp``, or None when there is no intact entry."""
    folder = _entry(stamp.key, root or cache_dir())
    found = _read_stamp(folder)
    if found is None or found.key != stamp.key:
        return None
    try:
        ntriples = (folder / NTRIPLES).read_bytes()
    except OSError:
        return None
    if hashlib.sha256(ntriples).hexdigest() != found.ntriples:
        return None
    with contextlib.suppress(OSError):
        os.utime(folder / STAMP)  # most recently used: kept longest
    return ntriples


def latest_stamp(root: Path | None = None) -> BuildStamp | None:
    """The stamp of the most recently used entry, to say what changed since."""
    stamps = sorted(_stamp_files(root or cache_dir()), key=_mtime, reverse=True)
    for path in stamps:
        found = _read_stamp(path.parent)
        if found is not None:
            return found
    return None


def store_ntriples(stamp: BuildStamp, ntriples: bytes, root: Path | None = None) -> Path:
    """Keep ``ntriples`` (built from the inputs of ``stamp``) in the cache; returns the entry's folder.

    Raises OSError when the cache folder cannot be written.
    """
    root = root or cache_dir()
    folder = _entry(stamp.key, root)
    write_atomically(folder / NTRIPLES, ntriples)
    write_atomically(folder / STAMP, stamp.with_ntriples(ntriples).to_json())
    _prune(root)
    return folder


def _stamp_files(root: Path) -> list[Path]:
    try:
        return [entry / STAMP for entry in root.iterdir() if (entry / STAMP).is_file()]
    except OSError:
        return []


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def _prune(root: Path) -> None:
    """Remove all but the ``KEEP`` most recently used entries."""
    for stale in sorted(_stamp_files(root), key=_mtime, reverse=True)[KEEP:]:
        shutil.rmtree(stale.parent, ignore_errors=True)
