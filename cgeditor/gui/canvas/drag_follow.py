"""Wires following a mouse drag of many nodes, move by move.

The wires touching the dragged nodes are found once, with their ends at the press; each mouse
move then shifts every dragged end by the drag's offset from the press. Asking the graph for each
node's wires and each item for its ports on every move made a drag of 10k nodes take seconds.
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
        keys = {key for node_id in moving for key in graph.wire_keys(node_id)}
        wires = layer.wires
        self.rows: list[tuple[Wire, tuple[float, float, float, float], bool, bool]] = [
            (w, w.ends, w.src in moving, w.dst in moving)
            for w in (wires[key] for key in keys if key in wires)]

    def follow(self) -> None:
        """Put every followed wire's ends where its nodes' items stand now."""
        if self.anchor_item is None:
            return
        pos = self.anchor_item.pos()
        dx, dy = pos.x() - self.start.x(), pos.y() - self.start.y()
        one_by_one = len(self.rows) <= BULK_WIRES
        for wire, (x1, y1, x2, y2), src_moves, dst_moves in self.rows:
            if src_moves:
                x1, y1 = x1 + dx, y1 + dy
            if dst_moves:
                x2, y2 = x2 + dx, y2 + dy
            wire.set_ends_xy(x1, y1, x2, y2, one_by_one)
        if not one_by_one:  # each moved wire already updated its own cached line
            self.layer.update()
