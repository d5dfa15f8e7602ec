"""Wires following a mouse drag of many nodes, move by move.

The wires touching the dragged nodes are found once, with their ends at the press; each mouse
move then shifts every end by its node's offset from the press. Asking the graph for each
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
    """The wires of the nodes in ``pressed`` ({id: position at the press})."""

    def __init__(self, graph: Graph, items: dict[str, NodeItem], layer: WireLayer,
                 pressed: dict[str, QPointF]) -> None:
        self.items, self.layer = items, layer
        self.pressed = {i: (p.x(), p.y()) for i, p in pressed.items()
                        if i in items and i in graph.nodes}
        keys = {key for node_id in self.pressed for key in graph.wire_keys(node_id)}
        wires = layer.wires
        self.rows: list[tuple[Wire, tuple[float, float, float, float]]] = [
            (wires[key], wires[key].ends) for key in keys if key in wires]

    def follow(self) -> None:
        """Put every followed wire's ends where its nodes' items stand now."""
        offsets: dict[str, tuple[float, float]] = {}
        for node_id, (x0, y0) in self.pressed.items():
            pos = self.items[node_id].pos()
            offsets[node_id] = (pos.x() - x0, pos.y() - y0)
        one_by_one = len(self.rows) <= BULK_WIRES
        still = (0.0, 0.0)
        for wire, (x1, y1, x2, y2) in self.rows:
            sx, sy = offsets.get(wire.src, still)
            dx, dy = offsets.get(wire.dst, still)
            wire.set_ends_xy(x1 + sx, y1 + sy, x2 + dx, y2 + dy, one_by_one)
        if not one_by_one:  # each moved wire already updated its own cached line
            self.layer.update()
