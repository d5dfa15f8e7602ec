"""The collector pause: what a big bulk edit made is not walked again and again afterwards,
and garbage cycles are still collected."""

from __future__ import annotations

import gc
import weakref

from cgeditor.model import collector


def test_a_big_pause_hands_what_it_made_to_the_oldest_generation():
    """After a pause that made 10k+ lasting containers, nothing waits in the young
    generation to be walked, nothing is left frozen, and a cycle made in the pause is still
    collected once it is garbage."""

    class Ring:
        def __init__(self) -> None:
            self.me = self  # a reference cycle: only the collector frees it

    gc.collect()
    with collector.paused():
        kept = [[k] for k in range(3 * collector.LASTING)]
        ring = Ring()
    assert gc.isenabled() and gc.get_freeze_count() == 0
    assert gc.get_count()[0] < collector.LASTING // 10
    assert any(o is kept[-1] for o in gc.get_objects(generation=2))
    gone = weakref.ref(ring)
    del ring
    assert gone() is not None  # the cycle keeps it until a collection
    gc.collect()
    assert gone() is None
