"""Wires: light path items drawing a cubic curve from an output port to an input port.

Wires keep Qt's C++ paint (no Python per frame); state changes swap the pen. A label (the
gradient flowing back, issue 4) is an optional child text item made only when needed.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF
from PySide6.QtGui import QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsPathItem, QGraphicsSimpleTextItem

from cgeditor.gui import theme as T


def curve(p1: QPointF, p2: QPointF) -> QPainterPath:
    """The S-curve between two ports: horizontal tangents at both ends."""
    dx = max(40.0, abs(p2.x() - p1.x()) * 0.5)
    path = QPainterPath(p1)
    path.cubicTo(QPointF(p1.x() + dx, p1.y()), QPointF(p2.x() - dx, p2.y()), p2)
    return path


class WireItem(QGraphicsPathItem):
    """The edge ``src -> dst.port``; ``state`` is one of normal, highlight, dim, flash, ghost."""

    def __init__(self, src: str, dst: str, port: str) -> None:
        super().__init__()
        self.src, self.dst, self.port = src, dst, port
        self.state = "normal"
        self._label: QGraphicsSimpleTextItem | None = None
        self.setZValue(T.Z_WIRE)
        self.setPen(self._pen())

    @property
    def key(self) -> tuple[str, str]:
        return (self.dst, self.port)

    def set_ends(self, p1: QPointF, p2: QPointF) -> None:
        path = curve(p1, p2)
        self.setPath(path)
        if self._label is not None:
            self._place_label()

    def set_state(self, state: str) -> None:
        if state != self.state:
            self.state = state
            self.setPen(self._pen())

    def _pen(self) -> QPen:
        return T.wire_pen(self.state)

    def set_label(self, text: str) -> None:
        """Text drawn at the wire's middle (empty removes it)."""
        if not text:
            if self._label is not None:
                self._label.setParentItem(None)
                if self.scene() is not None:
                    self.scene().removeItem(self._label)
                self._label = None
            return
        if self._label is None:
            self._label = QGraphicsSimpleTextItem(self)
            self._label.setFont(T.font("value"))
            self._label.setBrush(T.current().grad_text)
        self._label.setText(text)
        self._place_label()

    def label(self) -> str:
        return self._label.text() if self._label is not None else ""

    def _place_label(self) -> None:
        assert self._label is not None
        mid = self.path().pointAtPercent(0.5)
        rect = self._label.boundingRect()
        self._label.setPos(mid.x() - rect.width() / 2, mid.y() - rect.height() - 2)
