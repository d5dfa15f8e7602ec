"""A node for top-to-bottom pictures: inputs along the top edge, in port order left to
right, and the output at the bottom, so wires run down from layer to layer instead of
looping round the sides. Its body has no port rows (the wires show what feeds it)."""

from __future__ import annotations

from PySide6.QtCore import QPointF
from PySide6.QtGui import QPainter

from cgeditor.gui import theme as T
from cgeditor.gui.canvas.node_item import NodeItem


class VerticalNodeItem(NodeItem):
    """NodeItem with its ports on the top and bottom edges."""

    PORT_ROWS = False  # no port rows in the body: the ports sit on its edges

    def in_port_local(self, port: str) -> QPointF:
        i = self.ports.index(port)
        return QPointF(self.width() * (i + 1) / (len(self.ports) + 1), 0.0)

    def out_port_local(self) -> QPointF:
        return QPointF(self.width() / 2, self.rect_height())

    def in_port_at(self, x: float, y: float, port: str) -> tuple[float, float]:
        return x + self.in_port_local(port).x(), y

    def out_port_at(self, x: float, y: float) -> tuple[float, float]:
        return x + self.width() / 2, y + self.rect_height()

    def _paint_ports(self, painter: QPainter, pal: T.Palette) -> None:
        for port in self.ports:
            self._paint_port(painter, pal, self.in_port_local(port), "in", port,
                             port in self.connected)
        self._paint_port(painter, pal, self.out_port_local(), "out", "", True)
