"""Writing files atomically: a temporary file in the same folder, renamed over the target.

Written files get the permissions of a normally created file (``0666`` less the umask), not the
``0600`` of :func:`tempfile.mkstemp`, so colleagues and web servers can read the outputs.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from pathlib import Path


def _umask() -> int:
    """The process umask: from ``/proc`` on Linux (no change, no race between threads), else set and restored."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_atomically(path: Path, content: bytes) -> None:
    """Write ``content`` to ``path`` through a temporary file renamed over it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            os.fchmod(stream.fileno(), 0o666 & ~_umask())
            stream.write(content)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_outputs(out_dir: Path, files: Mapping[str, bytes]) -> list[Path]:
    """Write every prepared output atomically; returns the paths written."""
    written = []
    for name in sorted(files):
        target = out_dir / name
        write_atomically(target, files[name])
        written.append(target)
    return written
