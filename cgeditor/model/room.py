"""Making room after nodes change size or arrive: pure geometry over node outlines (no Qt).

A node that grows (taller rows for a tensor, wider for a longer name) pushes what it now
covers: a neighbour in its own column moves down, one in the next column moves right, and
whatever those moves cover moves on in turn. New nodes (a paste, an inserted formula) that
land on old ones move down together, keeping their own arrangement. Nothing else moves,
so nodes placed by hand stay where they are unless something would cover them; two nodes
that already overlapped before the change are left to the user, except when a document
opens: parting.separate then parts the nodes whose saved places overlap.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from itertools import chain

import numpy as np

from cgeditor.model import collector

Rect = tuple[float, float, float, float]  # left, top, width, height
Point = tuple[float, float]

CELL = 256.0  # side of a bucket of the spatial index
DROP_STEPS = 20  # a dropped block steps past what it covers at most this often
BIG_BLOCK = 64  # a bigger block drops below its columns at once (a 10k paste: one pass)
SCANS = 64  # searches answered by a numpy pass over all outlines before the grid is built


@dataclass(frozen=True)
class Gaps:
    """Room left between outlines after a push: below a node, and right of it."""

    down: float = 22.0
    right: float = 68.0


def _overlap(a: Rect, b: Rect) -> bool:
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] \
        and b[1] < a[1] + a[3]


class _Index:
    """Rectangles bucketed on a grid, so a push looks at its neighbours, not at 10k nodes.
    The first SCANS searches compare every rectangle in one numpy pass instead, and the
    buckets are filled only if more follow: a formula of a few nodes searches a few dozen
    times, a big pasted block that only drops below its columns never, and filing 20k
    outlines was most of their cost."""

    def __init__(self, rects: Mapping[str, Rect]) -> None:
        self.rects = dict(rects)
        self._cells: dict[tuple[int, int], set[str]] | None = None
        self._scans = 0  # searches answered by a numpy pass so far
        self._table: _Table | None = None  # the outlines as one array, for the scans

    @property
    def cells(self) -> dict[tuple[int, int], set[str]]:
        if self._cells is None:
            cells: dict[tuple[int, int], set[str]] = {}
            span = self._span
            for key, rect in self.rects.items():
                for cell in span(rect):
                    cells.setdefault(cell, set()).add(key)
            self._cells = cells
        return self._cells

    @staticmethod
    def _span(rect: Rect) -> Iterable[tuple[int, int]]:
        x0, y0 = int(rect[0] // CELL), int(rect[1] // CELL)
        x1, y1 = int((rect[0] + rect[2]) // CELL), int((rect[1] + rect[3]) // CELL)
        return ((i, j) for i in range(x0, x1 + 1) for j in range(y0, y1 + 1))

    def _file(self, key: str, rect: Rect, add: bool) -> None:
        cells = self.cells
        for cell in self._span(rect):
            if add:
                cells.setdefault(cell, set()).add(key)
            else:
                cells[cell].discard(key)

    def move(self, key: str, x: float, y: float) -> None:
        old = self.rects[key]
        self.rects[key] = (x, y, old[2], old[3])
        if self._cells is not None:
            self._file(key, old, add=False)
            self._file(key, self.rects[key], add=True)
        if self._table is not None:
            self._table.move(key, x, y)

    def hits(self, rect: Rect, skip: Iterable[str] = ()) -> list[str]:
        """Keys whose rectangles overlap ``rect``, in a stable order."""
        if self._cells is None and self._scans < SCANS:
            self._scans += 1
            return self._scan(rect, skip)
        cells, rects = self.cells, self.rects  # looked up once, not per cell
        near = {k for cell in self._span(rect) for k in cells.get(cell, ())}
        near.difference_update(skip)
        return sorted(k for k in near if _overlap(rects[k], rect))

    def _scan(self, rect: Rect, skip: Iterable[str]) -> list[str]:
        """``hits`` by comparing every rectangle at once (_overlap's float sums)."""
        if self._table is None:
            self._table = _Table(self.rects)
        keys, box = self._table.keys, self._table.box
        meets = _overlaps(box, np.array([rect], dtype=float))
        found = {keys[i] for i in np.flatnonzero(meets).tolist()}
        found.difference_update(skip)
        return sorted(found)


def make_room(rects: Mapping[str, Rect], grown: Mapping[str, Rect] | None = None,
              added: Iterable[str] = (), gaps: Gaps = Gaps()) -> dict[str, Point]:
    """New top-left corners for the outlines ``rects`` that must move so none overlaps
    another, for the nodes in ``grown`` (id -> its outline before it grew) and the new
    nodes ``added``. Returns only the nodes that move; all moves go right or down."""
    # 10^4 lasting tuples and sets: the cyclic collector would walk the heap for nothing.
    with collector.paused():
        moved: dict[str, Point] = {}
        index: _Index | None = None
        table: _Table | None = None
        fresh = [k for k in added if k in rects]
        placed = set(fresh)
        if len(fresh) > BIG_BLOCK:  # below its columns at once: one numpy pass, no index
            dy = block_drop(rect_array([rects[k] for k in fresh]),
                            rect_array([r for k, r in rects.items() if k not in placed]), gaps)
            if dy:
                moved = {k: (rects[k][0], rects[k][1] + dy) for k in fresh}
        elif fresh:
            index = _Index(rects)
            _drop_block(index, fresh, gaps, moved)
        # The new nodes push nothing: dropped, they cover no old node, and among themselves
        # they keep the arrangement they came with.
        before = {k: v for k, v in (grown or {}).items() if k in rects and k not in placed}
        loud = None
        if len(before) > BIG_BLOCK:
            if table is None:
                table = _Table(rects)
                if moved:  # a dropped block: 10^4 rows at once
                    table.box[table.rows_of(moved), :2] = list(moved.values())
            loud = _loud(table, before)
        if before and loud != set():  # else nothing grown meets anything new: no index
            if index is None:
                index = _Index(rects)
                index.rects.update((k, (x, y, *rects[k][2:])) for k, (x, y) in moved.items())
            _push(index, before, gaps, moved, loud)
    return moved


class _Table:
    """The outlines ``rects`` as one array, a row per key in their order: what the numpy
    passes over 10^4 outlines read (made from the floats in one pass)."""

    def __init__(self, rects: Mapping[str, Rect]) -> None:
        self.keys = list(rects)
        self.row = {k: i for i, k in enumerate(self.keys)}
        self.box = rect_array(rects.values())

    def rows_of(self, keys: Iterable[str]) -> np.ndarray:
        row = self.row
        return np.fromiter((row[k] for k in keys), np.intp)

    def move(self, key: str, x: float, y: float) -> None:
        self.box[self.row[key], :2] = x, y


def rect_array(rects: Collection[Rect]) -> np.ndarray:
    """The outlines ``rects`` as an array of shape (n, 4), a row (x, y, w, h) each, made
    from the floats in one pass."""
    return np.fromiter(chain.from_iterable(rects), np.float64, 4 * len(rects)).reshape(-1, 4)


def _drop_block(index: _Index, block: list[str], gaps: Gaps, moved: dict[str, Point]
                ) -> None:
    """Move the new nodes ``block`` (a few) down together until none of them covers an old
    node: step by step past what they cover (a paste lands just below its originals), and
    past every old node in their span if that takes too many steps (a crowded column)."""
    inside = set(block)
    dy = 0.0
    for _ in range(DROP_STEPS):
        need = max((_below(index, other, gaps) - index.rects[key][1] - dy
                    for key in block for other in index.hits(_shifted(index, key, dy), inside)),
                   default=0.0)
        if need <= 0:
            break
        dy += need
    else:
        table = _Table(index.rects)
        dy = max(dy, block_drop(*_split(table.box, table.rows_of(block)), gaps))
    if dy:
        for key in block:
            x, y, _w, _h = index.rects[key]
            index.move(key, x, y + dy)
            moved[key] = (x, y + dy)


def _split(box: np.ndarray, block: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The rows ``block`` of ``box``, and the other rows."""
    mine = np.zeros(len(box), dtype=bool)
    mine[block] = True
    return box[mine], box[~mine]


def block_drop(rects: np.ndarray, others: np.ndarray, gaps: Gaps = Gaps()) -> float:
    """How far the new outlines ``rects`` (rows x, y, w, h) drop together so they cover none
    of the outlines ``others``: below every one of them in their columns, or 0 when none
    meets the rectangle around them (a big block is checked as that rectangle). make_room
    drops a block of more than BIG_BLOCK new nodes so; a paste, before its nodes exist."""
    left, top = rects[:, 0].min(), rects[:, 1].min()
    right = (rects[:, 0] + rects[:, 2]).max()
    bottom = (rects[:, 1] + rects[:, 3]).max()
    span = others[(others[:, 0] < right) & (left < others[:, 0] + others[:, 2])]
    if not ((span[:, 1] < bottom) & (top < span[:, 1] + span[:, 3])).any():
        return 0.0
    return float((span[:, 1] + span[:, 3]).max() + gaps.down - top)


def _below(index: _Index, key: str, gaps: Gaps) -> float:
    """The first top below ``key``'s outline, a gap away."""
    _x, y, _w, h = index.rects[key]
    return y + h + gaps.down


def _shifted(index: _Index, key: str, dy: float) -> Rect:
    x, y, w, h = index.rects[key]
    return x, y + dy, w, h


def _push(index: _Index, before: dict[str, Rect], gaps: Gaps, moved: dict[str, Point],
          loud: set[str] | None) -> None:
    """Each node in ``before`` (its outline before the change) pushes what it covers: down
    when it is in the same column as the pusher was, right when the pusher widened into
    it. The pushed nodes push in turn, left to right, top to bottom. Nodes that overlapped
    the pusher before (placed so by hand, or by a file) are left as they were. Unless
    ``loud`` is None, only its keys (see _loud) search until something moves."""
    queue = deque(sorted(before, key=lambda k: (index.rects[k][0], index.rects[k][1])))
    budget = 50 * (len(index.rects) + 1)  # every move goes right or down: this never binds
    while queue and budget > 0:
        key = queue.popleft()
        if loud is not None and key not in loud:  # nothing moved yet: it would find nothing
            continue
        x, y, w, h = index.rects[key]
        old = before.get(key, index.rects[key])
        for other in index.hits((x, y, w, h), (key,)):
            budget -= 1
            if _overlap(old, index.rects[other]):  # they met before this change: not its doing
                continue
            ox, oy, ow, _oh = index.rects[other]
            if ox < old[0] + old[2] and old[0] < ox + ow:  # under the pusher: its column
                to = (ox, max(oy, y + h + gaps.down))
            else:
                to = (max(ox, x + w + gaps.right), oy)
            before.setdefault(other, index.rects[other])
            loud = None  # something moves: from now on every pusher searches
            index.move(other, *to)
            moved[other] = to
            queue.append(other)


def _loud(table: _Table, before: Mapping[str, Rect]) -> set[str]:
    """The keys of ``before`` whose outline meets an outline now that it did not meet as it
    was before: in one numpy pass over the grid cells, as index.hits would bucket them. Until
    something moves, _push searches only for these (after a paste widens 10k nodes by a
    longer output name, 10k searches that find nothing were most of making room)."""
    box = table.box
    who = table.rows_of(before).astype(np.int64)
    old = np.fromiter(chain.from_iterable(before.values()), np.float64,
                      4 * len(before)).reshape(-1, 4)
    cell_of, owner = _cells(box)
    order = np.argsort(cell_of, kind="stable")
    cell_of, owner = cell_of[order], owner[order]
    asked, asker = _cells(box[who])
    lo, hi = np.searchsorted(cell_of, asked, "left"), np.searchsorted(cell_of, asked, "right")
    count = hi - lo
    pair_asker = np.repeat(asker, count)  # one row per (grown node, candidate in its cells)
    start = np.repeat(lo - np.cumsum(count) + count, count)
    pair_other = owner[start + np.arange(count.sum())]
    # Edges as contiguous columns, in _overlap's float sums: the 10^5 candidate pairs
    # are compared column by column, and only those that meet now are checked as before.
    left, top = box[:, 0].copy(), box[:, 1].copy()
    right, bottom = left + box[:, 2], top + box[:, 3]
    me = who[pair_asker]
    now = (left[me] < right[pair_other]) & (left[pair_other] < right[me]) \
        & (top[me] < bottom[pair_other]) & (top[pair_other] < bottom[me]) & (pair_other != me)
    pair_asker, pair_other = pair_asker[now], pair_other[now]
    meets = ~_overlaps(old[pair_asker], box[pair_other])
    keys = list(before)
    return {keys[i] for i in np.unique(pair_asker[meets]).tolist()}


def _cells(box: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every (cell key, row) pair of the grid cells each (x, y, w, h) row spans, as _span."""
    x0, y0 = np.floor_divide(box[:, 0], CELL), np.floor_divide(box[:, 1], CELL)
    x1 = np.floor_divide(box[:, 0] + box[:, 2], CELL)
    y1 = np.floor_divide(box[:, 1] + box[:, 3], CELL)
    wide, tall = (x1 - x0 + 1).astype(np.int64), (y1 - y0 + 1).astype(np.int64)
    count = wide * tall
    row = np.repeat(np.arange(len(box)), count)
    k = np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
    cx = x0[row].astype(np.int64) + k // tall[row]
    cy = y0[row].astype(np.int64) + k % tall[row]
    return (cx << 32) + (cy + (1 << 31)), row  # one int64 per cell


def _overlaps(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """_overlap row by row, in the same float sums."""
    return (a[:, 0] < b[:, 0] + b[:, 2]) & (b[:, 0] < a[:, 0] + a[:, 2]) \
        & (a[:, 1] < b[:, 1] + b[:, 3]) & (b[:, 1] < a[:, 1] + a[:, 3])
