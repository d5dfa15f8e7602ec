"""The run's wire labels on the canvas scene: painted in the foreground where they cover no
node, and the picture rectangle that holds every node, wire and label. A mixin of
GraphScene, which provides ``nodes``, ``wires``, ``wire_layer`` and ``labels``."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QRectF
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QGraphicsScene

from cgeditor.gui import theme as T
from cgeditor.gui.canvas.wire_item import BoxGrid, WireLabels


class RunLabels:
    """Wire labels and picture bounds for GraphScene."""

    nodes: dict[str, Any]
    wires: dict[tuple[str, str], Any]
    wire_layer: Any
    labels: WireLabels

    def picture_rect(self) -> QRectF:
        """Every node and every wire: what an exported picture shows. (itemsBoundingRect
        would be the scene rect, the wire layer's bounds.)"""
        rect = self.graph_rect()
        for wire in self.wires.values():  # the curve's own box: a wire fed backwards bulges
            rect = rect.united(wire.path().boundingRect())
        if self.labels.wires:  # a label beside a wire at the edge reaches past it
            for box in self.label_boxes().values():
                rect = rect.united(box)
        return rect

    # --- run labels ---------------------------------------------------------------------
    def show_wire_labels(self, wires: Any, stale: bool = False) -> None:
        """Label wires from ``wires`` (a RunDisplay's per-wire mapping) from the next paint,
        dimmed as the nodes' numbers are when the run is ``stale``."""
        if self.labels.set_wires(wires, stale):
            self.invalidate(QRectF(), QGraphicsScene.SceneLayer.ForegroundLayer)

    def drawForeground(self, painter: QPainter, rect: QRectF) -> None:
        # Above every item, so a short wire's label is never hidden by the nodes it joins;
        # only wires near the exposed rect, and none when too small to read.
        if not self.labels.wires or painter.worldTransform().m11() < T.LOD_TEXT:
            return
        reach = WireLabels.REACH
        near = rect.adjusted(-reach, -reach / 2, reach, reach)
        boxes = BoxGrid(self.node_outlines(near.adjusted(-reach, -reach, reach, reach)))
        # A drag of everything carries the wire layer (wire ends in its coordinates): the
        # labels ride with it.
        shift = self.wire_layer.pos()
        painter.save()
        painter.translate(shift)
        self.labels.paint(painter, self.wire_layer.wires_in(near.translated(-shift)),
                          lambda box: boxes.meets(box.translated(shift)))
        painter.restore()

    def node_outlines(self, rect: QRectF) -> list[QRectF]:
        """The outlines (ports and badge included) of the nodes that meet ``rect``. A plain
        loop, not items(): asking the scene's index while it paints can rebuild the index
        under the paint's feet."""
        left, top, right, bottom = rect.left(), rect.top(), rect.right(), rect.bottom()
        out = []
        for item in self.nodes.values():
            pos = item.pos()
            x, y = pos.x() - T.OUTSET_X, pos.y() - T.OUTSET_TOP
            w = item.width() + 2 * T.OUTSET_X
            h = item.rect_height() + T.OUTSET_TOP + T.OUTSET_BOTTOM
            if x <= right and x + w >= left and y <= bottom and y + h >= top:
                out.append(QRectF(x, y, w, h))
        return out

    def covers_node(self, rect: QRectF) -> bool:
        """Whether ``rect`` meets any node's outline (ports and badge included)."""
        return any(rect.intersects(node) for node in self.node_outlines(rect))

    def label_boxes(self) -> dict[tuple[str, str], QRectF]:
        """Where each wire label is drawn now (wire key → box), over the whole canvas."""
        boxes = BoxGrid(self.node_outlines(self.sceneRect()))
        placed = self.labels.place(self.wire_layer.wires_in(self.sceneRect()), boxes.meets)
        return {wire.key: box for wire, _lines, box in placed}

