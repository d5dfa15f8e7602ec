"""Wires following a mouse drag of many nodes, move by move, and landing with them.

The wires touching the dragged nodes are found once, with their ends at the press, as one
array; each mouse move then shifts every dragged end by the drag's offset from the press, and
the release by each node's own offset (positions are rounded to whole units there), in one
numpy pass. Asking the graph for each node's wires and each item for its ports made a drag of
10k nodes take seconds. When every wire has both ends on dragged nodes (Select All, then
drag) the whole wire layer rides along instead: one translation per move.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QPointF

if TYPE_CHECKING:
    from cgeditor.gui.canvas.node_item import NodeItem
    from cgeditor.gui.canvas.wire_layer import Wire, WireLayer
    from cgeditor.model.graph import Graph

BULK_WIRES = 64  # past this many moved wires, one repaint region beats one per wire
Point = tuple[float, float]


class DragFollow:
    """The wires of the nodes in ``pressed`` ({id: position at the press}). Qt moves every
    dragged item by the same offset, so one item's offset moves every dragged wire end."""

    def __init__(self, graph: Graph, items: dict[str, NodeItem], layer: WireLayer,
                 pressed: dict[str, QPointF]) -> None:
        self.layer = layer
        # Row k of an offset table is dragged node k's; the last row, zero, is every node
        # the drag leaves where it is.
        self.index = {i: k for k, i in enumerate(i for i in pressed
                                                 if i in items and i in graph.nodes)}
        anchor = next(iter(self.index), None)
        self.anchor_item = items[anchor] if anchor is not None else None
        self.start = QPointF(pressed[anchor]) if anchor is not None else QPointF()
        self.wires = wires_of(set(self.index), graph, layer.wires)
        still = len(self.index)
        self.ends = np.array([w.ends for w in self.wires], dtype=float).reshape(-1, 4)
        self.rows = np.array([(self.index.get(w.src, still), self.index.get(w.dst, still))
                              for w in self.wires], dtype=np.intp).reshape(-1, 2)
        # Placing 20k wire ends cost ~0.2 s a mouse move; one translation of the layer moves
        # them all, when no wire outside the drag would be carried along with them.
        self.rides = len(self.wires) > BULK_WIRES and len(self.wires) == len(layer.wires) \
            and bool((self.rows < still).all())

    def follow(self) -> None:
        """Put every followed wire's ends where its nodes' items stand now."""
        if self.anchor_item is None:
            return
        dx, dy = self._offset()
        if self.rides:
            self.layer.setPos(dx, dy)
            return
        offsets = np.full((len(self.index) + 1, 2), (dx, dy))
        offsets[-1] = 0.0
        self._place(offsets)

    def settle(self) -> None:
        """End the drag's riding: the layer back in place and each wire's ends where its
        nodes' items stand (a drag broken off before its release)."""
        if self._stop_riding():
            self.follow()

    def _stop_riding(self) -> bool:
        """The layer back in place if the drag carried it; whether it did."""
        if not self.rides:
            return False
        self.rides = False
        self.layer.setPos(0.0, 0.0)
        return True

    def _offset(self) -> tuple[float, float]:
        """How far the dragged items have moved since the press (all move alike)."""
        assert self.anchor_item is not None, "a drag of no node has no offset"
        pos = self.anchor_item.pos()
        return pos.x() - self.start.x(), pos.y() - self.start.y()

    def retake(self, placed: list[tuple[Wire, tuple[float, float, float, float]]]) -> None:
        """Wires just ``placed`` where their ports now stand while the drag goes on (a run
        widened a node under it): their ends at the press are taken back from there, so
        the moves to come and the landing do not put them back on the old ports."""
        if self.anchor_item is None:
            return
        row_of = {id(wire): k for k, wire in enumerate(self.wires)}
        still = len(self.index)
        dx, dy = self._offset()
        for wire, (x1, y1, x2, y2) in placed:
            k = row_of.get(id(wire))
            if k is not None:
                s, d = (self.rows[k] < still).tolist()
                self.ends[k] = (x1 - dx * s, y1 - dy * s, x2 - dx * d, y2 - dy * d)

    def land(self, moved: Mapping[str, tuple[Point, Point]]) -> None:
        """End the drag with each node ``moved`` ({id: (old, new)}) at its new place (its
        item already there): every followed wire's ends shifted by its nodes' own moves."""
        self._stop_riding()
        offsets = np.zeros((len(self.index) + 1, 2))
        index = self.index
        for node_id, ((x0, y0), (x1, y1)) in moved.items():
            row = index.get(node_id)
            if row is not None:
                offsets[row] = (x1 - x0, y1 - y0)
        self._place(offsets)

    def _place(self, offsets: np.ndarray) -> None:
        """Every followed wire at its ends at the press plus its two nodes' ``offsets``."""
        ends = self.ends + np.hstack((offsets[self.rows[:, 0]], offsets[self.rows[:, 1]]))
        place_wires(self.layer, list(zip(self.wires, map(tuple, ends.tolist()), strict=True)))


def wires_of(ids: set[str], graph: Graph, wires: dict[tuple[str, str], Wire]) -> list[Wire]:
    """The wires into or out of the nodes ``ids``, each once."""
    if len(ids) * 4 > len(graph.nodes):  # most nodes: one pass over the wires is cheaper
        return [w for w in wires.values() if w.src in ids or w.dst in ids]
    return [wires[k] for k in {k for i in ids for k in graph.wire_keys(i)} if k in wires]


def place_wires(layer: WireLayer, moves: list[tuple[Wire, tuple[float, float, float, float]]]
                ) -> None:
    """Put each wire's ends, (wire, ends); many at once repaint the layer once."""
    if len(moves) > BULK_WIRES:
        layer.place_many(moves)
    else:
        for wire, ends in moves:
            wire.set_ends_xy(*ends)
