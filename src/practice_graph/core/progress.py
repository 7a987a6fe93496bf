"""Progress of long work on standard error: shown on a terminal, quiet in pipes, files and CI.

Any step that can take more than a couple of seconds (loading a store, build phases, analysis,
ingest, push) can use it::

    with progress("loading", total=size, unit="B") as bar:
        for chunk in chunks:
            bar.update(len(chunk))
"""

from __future__ import annotations

import os
import sys
from typing import TextIO

from tqdm import tqdm


def progress_wanted(stream: TextIO | None = None) -> bool:
    """Whether to show progress: the stream (stderr) is a terminal and no CI variable is set."""
    stream = stream if stream is not None else sys.stderr
    if os.environ.get("CI", "").lower() not in ("", "0", "false"):
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a closed or replaced stream
        return False


def progress(description: str, total: float | None = None, unit: str = "it", *,
             enabled: bool | None = None) -> tqdm:
    """A progress bar (a context manager with ``update(n)``): count, rate per second and, with a
    total, the time left. A disabled bar accepts the same calls and prints nothing."""
    show = progress_wanted() if enabled is None else enabled
    return tqdm(total=total, desc=description, unit=unit, unit_scale=True, file=sys.stderr, disable=not show,
                dynamic_ncols=True, mininterval=0.25, leave=True)
