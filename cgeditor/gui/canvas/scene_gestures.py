"""The canvas scene's gestures: wiring from a port, dragging nodes (recorded as one move on
release) and flashing the cycle a refused wire would close. A mixin of GraphScene, which
provides ``graph``, ``nodes``, ``wires``, ``wire_layer`` and the intent signals."""

from __future__ import annotations

from itertools import pairwise
from typing import Any

from PySide6.QtCore import QPointF, Qt, QTimer
from PySide6.QtWidgets import QGraphicsSceneMouseEvent

from cgeditor.gui import theme as T
from cgeditor.gui.canvas.drag_follow import DragFollow
from cgeditor.gui.canvas.node_item import NodeItem
from cgeditor.gui.canvas.scene_parts import SceneParts
from cgeditor.gui.canvas.wire_item import WireItem
from cgeditor.gui.canvas.wiring import WireDrag
from cgeditor.model import collector


class SceneGestures(SceneParts):
    """Mouse gestures and cycle flashes for GraphScene."""

    nodes_moved: Any
    _wiring: WireDrag | None
    _press_positions: dict[str, QPointF]
    _follow: DragFollow | None
    _flashed: list[Any]
    _flash_timer: QTimer
    reroute_wires: Any  # ModelSync's: the wires of the given nodes, each once

    # --- flashing a refused cycle -------------------------------------------------------
    def flash(self, path: list[str], ghost: tuple[str, str, str] | None = None) -> None:
        """Light the nodes of ``path`` and the wires between consecutive ones; ``ghost`` is
        the refused connection (src, dst, port), drawn dashed for a moment."""
        self.clear_flash()
        for node_id in dict.fromkeys(path):
            item = self.nodes.get(node_id)
            if item is not None:
                item.set_flashing(True)
                self._flashed.append(item)
        pairs = set(pairwise(path))
        for wire in self.wires.values():
            if (wire.src, wire.dst) in pairs:
                wire.set_state("flash")
                self._flashed.append(wire)
        if ghost is not None and ghost[0] in self.nodes and ghost[1] in self.nodes:
            wire = WireItem(*ghost)
            wire.set_state("ghost")
            wire.set_ends_xy(*self._ends(*ghost))
            self.addItem(wire)
            self._flashed.append(("ghost", wire))
        self._flash_timer.start(T.FLASH_MS)

    def clear_flash(self) -> None:
        for thing in self._flashed:
            if isinstance(thing, tuple):
                self.removeItem(thing[1])
            elif isinstance(thing, NodeItem):
                thing.set_flashing(False)
            else:
                thing.set_state("normal")
        self._flashed = []

    def flashing(self) -> set[str]:
        """Ids of the nodes lit right now (tests read this)."""
        return {t.node_id for t in self._flashed if isinstance(t, NodeItem)}

    # --- mouse: wiring and moving -------------------------------------------------------
    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            item = self.node_at(event.scenePos())
            hit = item.port_at(item.mapFromScene(event.scenePos())) if item else None
            if item is not None and hit is not None:
                self._wiring = WireDrag(self, item, hit, event.scenePos())
                event.accept()
                return
        super().mousePressEvent(event)
        self._settle_drag()  # a drag that never saw its release leaves no wire behind
        # The grabber too: a Ctrl+press drags a node before Ctrl selects it on release.
        self._press_positions = {i.node_id: i.pos()
                                 for i in [*self.selectedItems(), self.mouseGrabberItem()]
                                 if isinstance(i, NodeItem)}

    def mouseDoubleClickEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        # A double-click's second press can start a drag (or a wire) like any press, but Qt
        # would not call mousePressEvent for it and the drag's move would go unrecorded.
        self.mousePressEvent(event)

    def mouseMoveEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if self._wiring is not None:
            self._wiring.move_to(event.scenePos())
            event.accept()
            return
        super().mouseMoveEvent(event)
        if self._press_positions:  # nodes Qt is dragging: their wires follow
            if self._follow is None:
                self._follow = DragFollow(self.graph, self.nodes, self.wire_layer,
                                          self._press_positions)
            self._follow.follow()

    def mouseReleaseEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if self._wiring is not None:
            wiring, self._wiring = self._wiring, None
            wiring.finish(event.scenePos())
            event.accept()
            return
        super().mouseReleaseEvent(event)
        # 10^4 lasting tuples and 2·10^4 wire ends: the cyclic collector would walk the heap.
        with collector.paused():
            moved = self._land_items()
            follow, self._follow = self._follow, None
            if follow is not None:
                follow.land(moved)  # each wire once, from its ends at the press
            else:
                self.reroute_wires(moved)
            self._press_positions = {}
            if moved:
                self.nodes_moved.emit(moved)

    def _land_items(self) -> dict[str, tuple[tuple[float, float], tuple[float, float]]]:
        """Every dragged item at whole scene units (tidy files, small diffs), where the
        model will put it, so its move re-routes nothing: {id: (old, new)} of those moved."""
        moved = {}
        items, nodes = self.nodes, self.graph.nodes
        for node_id, old in self._press_positions.items():
            item, node = items.get(node_id), nodes.get(node_id)
            if item is None or node is None:
                continue
            pos = item.pos()
            if pos != old:
                new = (float(round(pos.x())), float(round(pos.y())))
                # From the model's place, not the item's at the press: undo must put back
                # what the document held, even where an item stood elsewhere.
                moved[node_id] = ((node.x, node.y), new)
                item.setPos(*new)
        return moved

    def _settle_drag(self) -> None:
        """Forget the drag's wire following, its wires settled where their nodes stand."""
        follow, self._follow = self._follow, None
        if follow is not None:
            follow.settle()

    def relight_ports(self) -> None:
        """Repaint every node's ports for a wiring gesture starting or ending. item.update(),
        not scene.update(): cached node pixmaps must be repainted to show the lit ports."""
        for node_item in self.nodes.values():
            node_item.update()
