"""Progress of long work on standard error: shown on a terminal, quiet in pipes, files and CI.

Any step that can take more than a couple of seconds (loading a store, build phases, analysis,
ingest, push) can use it::

    with progress("loading", total=size, unit="B") as bar:
        for chunk in chunks:
            bar.update(len(chunk))

    with Phases("build", ("load", "RDF", "SHACL")) as phases:
        phases.start("load")
        ...
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from types import TracebackType
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
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
    return _bar(description, total, unit, show, unit_scale=True)


def _bar(description: str, total: float | None, unit: str, show: bool, **options: object) -> tqdm:
    from tqdm import tqdm  # start-up time: tqdm loads only where a long step runs

    sized = show and _columns() > 0  # a terminal that reports no size (0 columns) gets 80 by 24: tqdm would hide
    fixed = {} if sized or not show else {"ncols": 80, "nrows": 24}
    return tqdm(total=total, desc=description, unit=unit, file=sys.stderr, disable=not show, dynamic_ncols=sized,
                mininterval=0.25, leave=True, **fixed, **options)  # type: ignore[call-overload]


def _columns() -> int:
    try:
        return os.get_terminal_size(sys.stderr.fileno()).columns
    except (AttributeError, ValueError, OSError):
        return 0


PHASES_FORMAT = "{desc}: {n}/{total} {bar} [{elapsed}{postfix}]"


class Phases:
    """The named phases of one long command on one bar: ``start(name)`` shows the phase now running
    and how many of ``names`` came before it (a phase skipped, e.g. read from a cache, is passed over).

    Quiet, and without a bar at all, where :func:`progress_wanted` says no (or ``enabled`` is False).
    """

    def __init__(self, description: str, names: Sequence[str], *, enabled: bool | None = None) -> None:
        self.names = list(names)
        show = progress_wanted() if enabled is None else enabled
        self.bar = _bar(description, len(self.names), "phase", True, bar_format=PHASES_FORMAT) if show else None

    def start(self, name: str) -> None:
        """Phase ``name`` (one of ``names``) begins: the phases before it are done."""
        if self.bar is None:
            return
        self.bar.n = self.names.index(name)
        self.bar.set_postfix_str(name, refresh=False)
        self.bar.refresh()

    def close(self) -> None:
        """Every phase is done (the bar is left full on its line), or the work stopped (left as it is)."""
        if self.bar is not None:
            self.bar.close()
            self.bar = None

    def done(self) -> None:
        """Every phase is done: the bar shows them all, then closes."""
        if self.bar is not None:
            self.bar.n = len(self.names)
            self.bar.set_postfix_str("done", refresh=False)
            self.bar.refresh()
        self.close()

    def __enter__(self) -> Phases:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        if kind is None:
            self.done()
        else:
            self.close()


def start(phases: Phases | None, name: str) -> None:
    """``phases.start(name)``, when there are phases to show."""
    if phases is not None:
        phases.start(name)
