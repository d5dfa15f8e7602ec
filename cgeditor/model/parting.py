"""Parting the nodes of an opened file whose saved places overlap: pure geometry over node
outlines (no Qt), in the terms of room.py (outlines, gaps, the drop of one node).

Left to right, top to bottom, a node that overlaps one already kept in place drops past
whatever it covers, step by step as room.py drops a block of one; nothing is pushed.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Iterable, Iterator, Mapping

from cgeditor.model import collector
from cgeditor.model.room import CELL, DROP_STEPS, Gaps, Point, Rect

# (top or bottom, a number unique among all filed entries, the outline, the counts of
# outlines not yet reached when it is one of them, None when it is kept)
Entry = tuple[float, int, Rect, "Mapping[Rect, int] | None"]
GAPS = Gaps()  # room.py's default gaps


def separate(rects: Mapping[str, Rect], gaps: Gaps = GAPS) -> dict[str, Point]:
    """New top-left corners that part outlines lying on each other (a file's saved places):
    left to right, top to bottom, a node that overlaps one already kept in place moves
    down past whatever it covers. Nodes that overlap nothing do not move, and nothing is
    pushed; returns only the nodes that move.

    The nodes not yet reached are filed once per distinct outline, and every outline by
    the grid columns it spans, tops sorted: a drop sweeps down its columns once instead of
    searching again at each of its steps (10k nodes saved at one spot, each dropping past
    DROP_STEPS others, took seconds to open; comparing each with every other, minutes)."""
    with collector.paused():
        waiting: dict[Rect, int] = {}  # outline -> how many nodes not yet reached have it
        for rect in rects.values():
            waiting[rect] = waiting.get(rect, 0) + 1
        numbers = itertools.count()
        kept, pending = _Filed(numbers), None
        moved: dict[str, Point] = {}
        for key in sorted(rects, key=lambda k: (rects[k][0], rects[k][1], k)):
            rect = rects[key]
            waiting[rect] -= 1  # reached: no longer in its own way
            if kept.meets(rect):
                if pending is None:  # the first drop: most files never get here
                    pending = _Filed(numbers, waiting)
                    pending.add_all(outline for outline, count in waiting.items() if count)
                dy = _drop_one(rect, kept, pending, gaps)
                if dy:
                    rect = (rect[0], rect[1] + dy, rect[2], rect[3])
                    moved[key] = rect[:2]
            kept.add(rect)
    return moved


def _columns(left: float, right: float) -> range:
    """The grid columns (CELL wide) that [left, right] spans."""
    return range(int(left // CELL), int(right // CELL) + 1)


class _Filed:
    """Outlines filed by the grid columns (CELL wide) they span, in two sorted lists each:
    by top, for a drop's sweep down a column, and by bottom, for the lowest bottom beside
    one. ``waiting`` (outline -> count), if given, says which outlines still count."""

    def __init__(self, numbers: Iterator[int], waiting: Mapping[Rect, int] | None = None
                 ) -> None:
        self.numbers, self.waiting = numbers, waiting
        self.tops: dict[int, list[Entry]] = {}
        self.bottoms: dict[int, list[Entry]] | None = None  # from the first lowest_beside
        self.tallest = 0.0

    def add(self, rect: Rect) -> None:
        number = next(self.numbers)
        self.tallest = max(self.tallest, rect[3])
        by_top = (rect[1], number, rect, self.waiting)
        by_bottom = (rect[1] + rect[3], number, rect, self.waiting)
        for i in _columns(rect[0], rect[0] + rect[2]):
            bisect.insort(self.tops.setdefault(i, []), by_top)
            if self.bottoms is not None:
                bisect.insort(self.bottoms.setdefault(i, []), by_bottom)

    def add_all(self, rects: Iterable[Rect]) -> None:
        """``add`` each of ``rects``, each column sorted once at the end."""
        for rect in rects:
            number = next(self.numbers)
            self.tallest = max(self.tallest, rect[3])
            for i in _columns(rect[0], rect[0] + rect[2]):
                self.tops.setdefault(i, []).append((rect[1], number, rect, self.waiting))
        for column in self.tops.values():
            column.sort()
        self.bottoms = None  # built again, whole, when first asked for

    def below(self, left: float, right: float, y: float) -> list[tuple[list[Entry], int]]:
        """Per grid column over [left, right], its entries (tops ascending) and the index of
        the first whose outline may reach below ``y`` (its top within the tallest outline
        above)."""
        start = (y - self.tallest - 1.0,)  # a margin: an extra entry changes no result
        found = []
        for i in _columns(left, right):
            column = self.tops.get(i)
            if column:
                found.append((column, bisect.bisect_left(column, start)))
        return found

    def meets(self, rect: Rect) -> bool:
        """Whether an outline that still counts overlaps ``rect`` (room._overlap)."""
        x, y, w, h = rect
        right, end = x + w, y + h
        for column, i in self.below(x, right, y):
            while i < len(column) and column[i][0] < end:
                _top, _n, r, counts = column[i]
                i += 1
                if r[0] < right and x < r[0] + r[2] and y < r[1] + r[3] \
                        and (counts is None or counts[r]):
                    return True
        return False

    def lowest_beside(self, left: float, right: float) -> float | None:
        """The greatest bottom of an outline that still counts and overlaps [left, right)
        across, or None."""
        if self.bottoms is None:
            self.bottoms = {i: sorted((e[2][1] + e[2][3], *e[1:]) for e in column)
                            for i, column in self.tops.items()}
        best = None
        for i in _columns(left, right):
            for bottom, _n, r, counts in reversed(self.bottoms.get(i, ())):
                if best is not None and bottom <= best:
                    break
                if r[0] < right and left < r[0] + r[2] and (counts is None or counts[r]):
                    best = bottom
                    break
        return best


def _drop_one(rect: Rect, kept: _Filed, pending: _Filed, gaps: Gaps) -> float:
    """How far one node at ``rect`` drops, as room._drop_block drops a block of one whose
    other outlines are ``kept`` and ``pending``: at each step, past the lowest bottom of
    what it covers, at most DROP_STEPS times, else below everything in its columns.

    One sweep down each of its columns, tops ascending: at a step, the outlines it covers are
    among those whose top is above its bottom, and the greatest bottom among those is
    below its top exactly when it covers none of them (its bottom only moves down, so
    the sweep never goes back)."""
    x, y, w, h = rect
    right = x + w
    sweeps = [[column, i, len(column)] for column, i in (*kept.below(x, right, y),
                                                         *pending.below(x, right, y))]
    low: float | None = None  # the greatest bottom of the outlines swept past that count
    dy = 0.0
    for _ in range(DROP_STEPS):
        top = y + dy
        end = top + h
        for sweep in sweeps:
            column, i, stop = sweep
            while i < stop and column[i][0] < end:
                _top, _n, r, counts = column[i]
                i += 1
                if r[0] < right and x < r[0] + r[2] and (counts is None or counts[r]):
                    bottom = r[1] + r[3]
                    if low is None or bottom > low:
                        low = bottom
            sweep[1] = i
        if low is None or low <= top:  # it covers nothing here
            return dy
        need = low + gaps.down - y - dy
        if need <= 0:
            return dy
        dy += need
    # It meets a kept outline where it stands (that is why it drops): below its columns.
    lows = [b for b in (kept.lowest_beside(x, right), pending.lowest_beside(x, right))
            if b is not None]
    return max(dy, max(lows) + gaps.down - y)
