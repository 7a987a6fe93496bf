"""Python's cyclic garbage collector around heavy phases.

A phase that makes hundreds of thousands of objects (matplotlib's artists, networkx's graphs, the
report's strings) starts the collector hundreds of times, and each full collection walks every object
the process holds (the loaded libraries, the store's rows), although none of them is garbage. Measured
in ``benchmarks/README.md`` (the analysis drawn from scratch, sixth round).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

# Objects allocated (less freed) between young collections while a phase runs: Python's default is
# 700 (2,000 from 3.13); the older generations keep their defaults.
PHASE_THRESHOLD = 50_000


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Run the block with the objects made before it left out of every collection (``gc.freeze``) and
    young collections started less often; both restored afterwards. Objects frozen before (by an outer
    block or anyone else) stay frozen, and an inner block restores the thresholds the outer one set.
    Garbage made in the block is still collected, only in fewer, larger passes."""
    thresholds = gc.get_threshold()
    frozen_here = not gc.get_freeze_count()
    if frozen_here:
        gc.freeze()
    gc.set_threshold(max(thresholds[0], PHASE_THRESHOLD), *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        if frozen_here:
            gc.unfreeze()
