"""One wiring gesture on the canvas: a wire dragged out of a port, and what its release
means — connect, reconnect a picked-up wire elsewhere, or detach it.

The scene starts a WireDrag on a press on a port, feeds it mouse moves and asks it, on
release, which intent to emit. While it lasts the scene's ``wiring_mode`` and
``wiring_blocked`` tell node items which ports to light as drop targets.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import networkx as nx
from PySide6.QtCore import QPointF

from cgeditor.gui import theme as T
from cgeditor.gui.canvas.wire_item import WireItem

if TYPE_CHECKING:
    from cgeditor.gui.canvas.node_item import NodeItem
    from cgeditor.gui.canvas.scene import GraphScene

DRAG_THRESHOLD = 4.0  # scene units of travel before a press on a port counts as a drag


class WireDrag:
    """A wire following the mouse from ``item``'s port ``hit`` (("out", "") or ("in", p))."""

    def __init__(self, scene: GraphScene, item: NodeItem, hit: tuple[str, str],
                 pos: QPointF) -> None:
        self.scene = scene
        self.dst, self.port = item.node_id, hit[1]
        self.picked: tuple[str, str] | None = None
        self.src: str | None
        if hit[0] == "out":
            self.src, self.anchor = item.node_id, item.out_port_pos()
        else:
            self.src = scene.graph.source_of(item.node_id, self.port)
            if self.src is None:  # an empty input: drag back towards an output
                self.anchor = item.in_port_pos(self.port)
            else:  # pick up the wire that feeds this port
                self.anchor = scene.nodes[self.src].out_port_pos()
                self.picked = (item.node_id, self.port)
                scene.wires[self.picked].setVisible(False)
        self.press, self.moved = pos, False
        self.wire = WireItem(self.src or "", item.node_id, self.port)
        self.wire.set_state("drag")
        self.wire.setZValue(T.Z_DRAG_WIRE)
        scene.addItem(self.wire)
        self._light_targets()
        self.move_to(pos)

    def _light_targets(self) -> None:
        """Light the ports a drop may land on: inputs of nodes that would not close a
        cycle, or (dragging from an empty input) outputs of nodes upstream-safe."""
        scene, g = self.scene, self.scene.graph.nx_graph
        if self.src is not None:
            scene.wiring_mode, scene.wiring_blocked = "in", nx.ancestors(g, self.src) | {
                self.src}
        else:
            scene.wiring_mode = "out"
            scene.wiring_blocked = nx.descendants(g, self.dst) | {self.dst}
        scene.relight_ports()

    def move_to(self, pos: QPointF) -> None:
        if (pos - self.press).manhattanLength() > DRAG_THRESHOLD:
            self.moved = True
        if self.src is not None:
            self.wire.set_ends(self.anchor, pos)
        else:
            self.wire.set_ends(pos, self.anchor)

    def finish(self, pos: QPointF) -> None:
        """End the gesture at ``pos`` and emit what it meant on the scene's signals."""
        scene = self.scene
        scene.removeItem(self.wire)
        scene.wiring_mode, scene.wiring_blocked = None, set()
        scene.relight_ports()
        if self.picked is not None and self.picked in scene.wires:
            scene.wires[self.picked].setVisible(True)
        if self.moved:
            self._emit_intent(pos)

    def _emit_intent(self, pos: QPointF) -> None:
        scene, picked = self.scene, self.picked
        target = scene.node_at(pos)
        if self.src is None:  # dragged from an empty input to some node's output
            if target is not None and target.node_id != self.dst:
                scene.connect_requested.emit(target.node_id, self.dst, self.port)
            return
        port = target.input_row_at(target.mapFromScene(pos)) if target else None
        if target is None or port is None:
            if picked is not None:
                scene.detach_requested.emit(*picked)
            return
        if picked is None:
            scene.connect_requested.emit(self.src, target.node_id, port)
        elif picked != (target.node_id, port):
            scene.reconnect_requested.emit(self.src, picked[0], picked[1], target.node_id,
                                           port)
