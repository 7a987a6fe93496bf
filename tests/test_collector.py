"""The collector settings around heavy phases (``core.collector``): set inside, restored after.

The suite freezes what survives each test (``conftest.pytest_runtest_logfinish``); the tests that
start from nothing frozen unfreeze first (the hook freezes again after them)."""

from __future__ import annotations

import gc
import weakref

from practice_graph.core.collector import PHASE_THRESHOLD, fewer_collections


class Node:
    """An object that can sit in a reference cycle."""

    def __init__(self) -> None:
        self.other: Node | None = None


def test_objects_before_the_block_are_frozen_and_thresholds_raised_then_restored() -> None:
    gc.unfreeze()
    before_threshold = gc.get_threshold()
    with fewer_collections():
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold()[0] == max(before_threshold[0], PHASE_THRESHOLD)
        assert gc.get_threshold()[1:] == before_threshold[1:]
        with fewer_collections():  # an inner block changes nothing
            assert gc.get_threshold()[0] == max(before_threshold[0], PHASE_THRESHOLD)
        assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == before_threshold
    assert gc.get_freeze_count() == 0


def test_cycles_made_inside_are_still_collected() -> None:
    with fewer_collections():
        first, second = Node(), Node()
        first.other, second.other = second, first
        alive = weakref.ref(first)
        del first, second
        gc.collect()
        assert alive() is None


def test_restored_when_the_block_raises() -> None:
    gc.unfreeze()
    before_threshold = gc.get_threshold()
    try:
        with fewer_collections():
            raise KeyError("inside")
    except KeyError:
        pass
    assert gc.get_threshold() == before_threshold
    assert gc.get_freeze_count() == 0


def collected(thing: object) -> bool:
    """Whether the collector walks ``thing`` (it is in a generation, not frozen)."""
    return any(candidate is thing for candidate in gc.get_objects())


def test_objects_frozen_by_the_caller_stay_frozen() -> None:
    marker = Node()
    gc.freeze()  # (the count of frozen objects may fall meanwhile: frozen objects that die leave it)
    assert not collected(marker)
    with fewer_collections():
        assert not collected(marker)
    assert not collected(marker)
