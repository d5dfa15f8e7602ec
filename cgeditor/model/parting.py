"""Parting the nodes of an opened file whose saved places overlap: pure geometry over node
outlines (no Qt), in the terms of room.py (outlines, gaps, the drop of one node).

Left to right, top to bottom, a node that overlaps one already kept in place drops past
whatever it covers, step by step as room.py drops a block of one; nothing is pushed.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Iterable, Iterator, Mapping

import numpy as np

from cgeditor.model import collector
from cgeditor.model.room import CELL, DROP_STEPS, Gaps, Point, Rect, _cells, _overlaps

# (top or bottom, a number unique among all filed entries, left, right, bottom, and how
# many nodes not yet reached have this outline, in a list shared by its entries; [1] when
# it is kept). Plain numbers: a drop reads ~100 entries, and a dict look-up by outline or
# a sum per entry was a third of its time.
Entry = tuple[float, int, float, float, float, list[int]]
KEPT = [1]
Buckets = tuple[object, ...]  # where outlines across one span of x are filed
GAPS = Gaps()  # room.py's default gaps
NARROW = 2 * CELL  # a run of outlines overlapping across no wider than this shares one list
PAIRS = 8  # the overlap check pairs at most this many outlines per outline, else walks


def separate(rects: Mapping[str, Rect], gaps: Gaps = GAPS) -> dict[str, Point]:
    """New top-left corners that part outlines lying on each other (a file's saved places):
    left to right, top to bottom, a node that overlaps one already kept in place moves
    down past whatever it covers. Nodes that overlap nothing do not move, and nothing is
    pushed; returns only the nodes that move.

    Most files overlap nowhere: one numpy pass says so and nothing is walked. Otherwise
    the nodes not yet reached are filed once per distinct outline, and every outline by
    the span of x it lies in, tops sorted: a drop sweeps down its lists once instead of
    searching again at each of its steps (10k nodes saved at one spot, each dropping past
    DROP_STEPS others, took seconds to open; comparing each with every other, minutes)."""
    if not _may_overlap(rects):
        return {}
    with collector.paused():
        waiting: dict[Rect, list[int]] = {}  # outline -> [nodes not yet reached with it]
        for rect in rects.values():
            waiting.setdefault(rect, [0])[0] += 1
        numbers, spans = itertools.count(), _spans(waiting)
        kept, pending = _Filed(numbers, spans), None
        moved: dict[str, Point] = {}
        for key in sorted(rects, key=lambda k: (rects[k][0], rects[k][1], k)):
            rect = rects[key]
            waiting[rect][0] -= 1  # reached: no longer in its own way
            if kept.meets(rect):
                if pending is None:  # the first drop: files with few overlaps rarely get here
                    pending = _Filed(numbers, spans)
                    pending.add_all((outline, count) for outline, count in waiting.items()
                                    if count[0])
                dy = _drop_one(rect, kept, pending, gaps)
                if dy:
                    rect = (rect[0], rect[1] + dy, rect[2], rect[3])
                    moved[key] = rect[:2]
            kept.add(rect)
    return moved


def _may_overlap(rects: Mapping[str, Rect]) -> bool:
    """Whether two of ``rects`` may overlap: False only when none does (each pair sharing
    a grid cell compared in one numpy pass, in _overlap's float sums); True too when the
    cells are so crowded that pairing them would cost more than walking."""
    if len(rects) < 2:
        return False
    box = np.array(list(rects.values()), dtype=np.float64).reshape(-1, 4)
    cell, row = _cells(box)
    order = np.argsort(cell, kind="stable")
    cell, row = cell[order], row[order]
    starts = np.flatnonzero(np.concatenate(([True], cell[1:] != cell[:-1])))
    ends = np.append(starts[1:], len(cell))
    after = np.repeat(ends, ends - starts) - np.arange(len(cell)) - 1  # later in its cell
    total = int(after.sum())
    if total > PAIRS * len(box):
        return True
    first = np.repeat(np.arange(len(cell)), after)
    second = first + 1 + np.arange(total) - np.repeat(np.cumsum(after) - after, after)
    return bool(_overlaps(box[row[first]], box[row[second]]).any())


def _columns(left: float, right: float) -> range:
    """The grid columns (CELL wide) that [left, right] spans."""
    return range(int(left // CELL), int(right // CELL) + 1)


def _spans(outlines: Iterable[Rect]) -> dict[tuple[float, float], Buckets]:
    """Where each (left, width) of ``outlines`` is filed: outlines that overlap across
    chain into runs (a layer of a layered graph, a pile at one spot); a run no wider than
    NARROW is one list of its own, a wider one is filed by the grid columns each outline
    spans. Two outlines that overlap across always share a list, and a run's list holds
    nothing of its neighbours' (a grid column may hold two layers)."""
    spans = sorted({(r[0], r[2]) for r in outlines})
    out: dict[tuple[float, float], Buckets] = {}
    run: list[tuple[float, float]] = []
    right = 0.0
    for span in (*spans, None):
        if span is not None and run and span[0] < right:
            run.append(span)
            right = max(right, span[0] + span[1])
            continue
        if run:
            if right - run[0][0] <= NARROW:
                out.update(dict.fromkeys(run, (f"run{len(out)}",)))
            else:
                out.update((s, tuple(_columns(s[0], s[0] + s[1]))) for s in run)
        if span is not None:
            run, right = [span], span[0] + span[1]
    return out


class _Filed:
    """Outlines filed by their span's lists (``spans``), in two sorted lists each: by top,
    for a drop's sweep down a list, and by bottom, for the lowest bottom beside one."""

    def __init__(self, numbers: Iterator[int], spans: Mapping[tuple[float, float], Buckets]
                 ) -> None:
        self.numbers, self.spans = numbers, spans
        self.tops: dict[object, list[Entry]] = {}
        self.bottoms: dict[object, list[Entry]] | None = None  # from the first lowest_beside
        self.tallest = 0.0

    def lists(self, rect: Rect) -> Buckets:
        """The lists ``rect`` is filed in, and that hold every outline overlapping it
        across (its left and width are an outline's: a drop keeps them)."""
        return self.spans[rect[0], rect[2]]

    def _entry(self, rect: Rect, count: list[int]) -> Entry:
        self.tallest = max(self.tallest, rect[3])
        return (rect[1], next(self.numbers), rect[0], rect[0] + rect[2], rect[1] + rect[3],
                count)

    def add(self, rect: Rect) -> None:
        """File ``rect`` as kept."""
        entry = self._entry(rect, KEPT)
        by_bottom = (entry[4], *entry[1:])
        for i in self.lists(rect):
            bisect.insort(self.tops.setdefault(i, []), entry)
            if self.bottoms is not None:
                bisect.insort(self.bottoms.setdefault(i, []), by_bottom)

    def add_all(self, rects: Iterable[tuple[Rect, list[int]]]) -> None:
        """File each of ``rects`` with its count of nodes not yet reached (it counts while
        that is not 0), each list sorted once at the end."""
        for rect, count in rects:
            entry = self._entry(rect, count)
            for i in self.lists(rect):
                self.tops.setdefault(i, []).append(entry)
        for column in self.tops.values():
            column.sort()
        self.bottoms = None  # built again, whole, when first asked for

    def below(self, rect: Rect, y: float) -> list[tuple[list[Entry], int]]:
        """Per list ``rect`` is filed in, its entries (tops ascending) and the index of
        the first whose outline may reach below ``y`` (its top within the tallest outline
        above)."""
        start = (y - self.tallest - 1.0,)  # a margin: an extra entry changes no result
        found = []
        for i in self.lists(rect):
            column = self.tops.get(i)
            if column:
                found.append((column, bisect.bisect_left(column, start)))
        return found

    def meets(self, rect: Rect) -> bool:
        """Whether an outline that still counts overlaps ``rect`` (room._overlap)."""
        x, y, w, h = rect
        right, end = x + w, y + h
        for column, i in self.below(rect, y):
            while i < len(column) and column[i][0] < end:
                _top, _n, left, far, bottom, count = column[i]
                i += 1
                if left < right and x < far and y < bottom and count[0]:
                    return True
        return False

    def lowest_beside(self, rect: Rect) -> float | None:
        """The greatest bottom of an outline that still counts and overlaps ``rect``
        across, or None."""
        if self.bottoms is None:
            self.bottoms = {i: sorted((e[4], *e[1:]) for e in column)
                            for i, column in self.tops.items()}
        x, right = rect[0], rect[0] + rect[2]
        best = None
        for i in self.lists(rect):
            for bottom, _n, left, far, _b, count in reversed(self.bottoms.get(i, ())):
                if best is not None and bottom <= best:
                    break
                if left < right and x < far and count[0]:
                    best = bottom
                    break
        return best


def _drop_one(rect: Rect, kept: _Filed, pending: _Filed, gaps: Gaps) -> float:
    """How far one node at ``rect`` drops, as room._drop_block drops a block of one whose
    other outlines are ``kept`` and ``pending``: at each step, past the lowest bottom of
    what it covers, at most DROP_STEPS times, else below everything in its columns.

    One sweep down each of its lists, tops ascending: at a step, the outlines it covers are
    among those whose top is above its bottom, and the greatest bottom among those is
    below its top exactly when it covers none of them (its bottom only moves down, so
    the sweep never goes back)."""
    x, y, w, h = rect
    right = x + w
    sweeps = [[column, i, len(column)] for column, i in (*kept.below(rect, y),
                                                         *pending.below(rect, y))]
    low: float | None = None  # the greatest bottom of the outlines swept past that count
    dy = 0.0
    for _ in range(DROP_STEPS):
        top = y + dy
        end = top + h
        for sweep in sweeps:
            column, i, stop = sweep
            while i < stop and column[i][0] < end:
                _top, _n, left, far, bottom, count = column[i]
                i += 1
                if left < right and x < far and count[0] and (low is None or bottom > low):
                    low = bottom
            sweep[1] = i
        if low is None or low <= top:  # it covers nothing here
            return dy
        need = low + gaps.down - y - dy
        if need <= 0:
            return dy
        dy += need
    # It meets a kept outline where it stands (that is why it drops): below its columns.
    lows = [b for b in (kept.lowest_beside(rect), pending.lowest_beside(rect)) if b is not None]
    return max(dy, max(lows) + gaps.down - y)
