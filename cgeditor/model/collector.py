"""Pausing Python's cyclic garbage collector around work that makes many lasting objects.

Loading a file, building a canvas or a bulk edit allocates 10^5 containers (nodes, dicts,
items) that all outlive the work, so each collection finds nothing, yet their count keeps
triggering full collections that walk the whole heap: a large share of the time, and growing
with the graph. Such work makes no reference cycles worth collecting meanwhile.

Re-enabling the collector alone only moves the cost: what the work made waits in the youngest
generation, and the next allocations walk it there, again in the middle one, and then a full
collection walks the whole heap because so much reached the oldest (~0.25 s after a 10k-node
paste or undo). So a pause that made many objects hands them straight to the oldest
generation, unwalked; later full collections still see them (and any cycle among them).
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

# Net new containers past which a pause promotes what it made (a 100-node paste: no).
LASTING = 10_000


@contextlib.contextmanager
def paused() -> Iterator[None]:
    """The collector off inside (nesting is fine), back as it was after; if the work made
    more than LASTING containers, they join the oldest generation without a walk."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            if gc.get_count()[0] > LASTING:
                _promote()
            gc.enable()


def _promote() -> None:
    """Move every tracked object into the oldest generation without examining any: freeze
    puts them all in the permanent generation, unfreeze puts that whole list back as the
    oldest. Nothing stays frozen (the editor freezes nothing else), so full collections
    still find cycles among them; they only stop counting as newly promoted objects."""
    gc.freeze()
    gc.unfreeze()
