"""Wires following a mouse drag of many nodes, move by move.

The wires touching the dragged nodes are found once, with their ends at the press; each mouse
move then shifts every dragged end by the drag's offset from the press. Asking the graph for each
node's wires and each item for its ports on every move made a drag of 10k nodes take seconds.
When every wire has both ends on dragged nodes (Select All, then drag) the whole wire layer rides
along instead: one translation per move, the wires' own ends shifted once on release.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF

if TYPE_CHECKING:
    from cgeditor.gui.canvas.node_item import NodeItem
    from cgeditor.gui.canvas.wire_layer import Wire, WireLayer
    from cgeditor.model.graph import Graph

BULK_WIRES = 64  # past this many moved wires, one repaint region beats one per wire


class DragFollow:
    """The wires of the nodes in ``pressed`` ({id: position at the press}). Qt moves every
    dragged item by the same offset, so one item's offset moves every dragged wire end."""

    def __init__(self, graph: Graph, items: dict[str, NodeItem], layer: WireLayer,
                 pressed: dict[str, QPointF]) -> None:
        self.layer = layer
        moving = {i for i in pressed if i in items and i in graph.nodes}
        self.anchor = next(iter(moving), None)
        self.anchor_item = items[self.anchor] if self.anchor is not None else None
        self.start = QPointF(pressed[self.anchor]) if self.anchor is not None else QPointF()
        # (wire, its ends at the press, 1 where the source end moves, 1 where the target's)
        self.rows: list[tuple[Wire, tuple[float, float, float, float], int, int]] = [
            (w, w.ends, w.src in moving, w.dst in moving)
            for w in wires_of(moving, graph, layer.wires)]
        # Placing 20k wire ends cost ~0.2 s a mouse move; one translation of the layer moves
        # them all, when no wire outside the drag would be carried along with them.
        self.rides = len(self.rows) > BULK_WIRES and len(self.rows) == len(layer.wires) \
            and all(s and d for _w, _e, s, d in self.rows)

    def follow(self) -> None:
        """Put every followed wire's ends where its nodes' items stand now."""
        if self.anchor_item is None:
            return
        pos = self.anchor_item.pos()
        dx, dy = pos.x() - self.start.x(), pos.y() - self.start.y()
        if self.rides:
            self.layer.setPos(dx, dy)
            return
        place_wires(self.layer, [(wire, (x1 + dx * s, y1 + dy * s, x2 + dx * d, y2 + dy * d))
                                 for wire, (x1, y1, x2, y2), s, d in self.rows])

    def settle(self, place: bool = True) -> None:
        """End the drag's riding: the layer back in place and (``place``) each wire's ends
        where its nodes' items stand. ``place=False`` when the caller re-routes them."""
        if self.rides:
            self.rides = False
            self.layer.setPos(0.0, 0.0)
            if place:
                self.follow()


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
