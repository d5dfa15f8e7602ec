"""The node on the canvas: one item that paints its header, ports and values in one paint().

The item never touches the Graph. What it shows beyond name and ports comes from the model's
NodeDisplay (value, gradient, stale, error, order badge, current/highlighted/dimmed) that the
scene and the run view fill in; ``set_display`` repaints (and resizes when rows come or go).
"""

from __future__ import annotations

from dataclasses import fields, replace
from functools import cache
from typing import Any

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QPainter, QPen, QStaticText
from PySide6.QtWidgets import QGraphicsItem, QGraphicsRectItem, QStyleOptionGraphicsItem, QWidget

from cgeditor.core.ops import REGISTRY
from cgeditor.gui import theme as T
from cgeditor.gui.canvas.node_chrome import NodeChrome, static_text
from cgeditor.gui.canvas.node_fit import NodeFit, geometry, value_shape_of
from cgeditor.gui.canvas.node_geometry import TAG_WIDTH
from cgeditor.gui.canvas.node_paint import fitted_rows, paint_info
from cgeditor.model.display import BLANK_NODE, NodeDisplay
from cgeditor.model.graph import Node

DISPLAY_FIELDS = frozenset(f.name for f in fields(NodeDisplay))
# Made once: PySide6 enum access and `|` cost Python calls per node otherwise, and a pen
# style passed for a QPen converts to a new QPen each time.
_NO_PEN = QPen(Qt.PenStyle.NoPen)
_FLAGS = (QGraphicsItem.GraphicsItemFlag.ItemIsMovable
          | QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
OUT_PORT_Y = T.HEADER_HEIGHT + 0.5 * T.ROW_HEIGHT


@cache
def _op_look(op: str) -> tuple[str, tuple[str, ...], QStaticText, float, dict[str, float]]:
    """What every node of one op shares: category, ports, laid-out symbol and its width,
    and each input port's y (built once per op, not once per node)."""
    spec = REGISTRY[op]
    port_y = {p: T.HEADER_HEIGHT + (i + 0.5) * T.ROW_HEIGHT for i, p in enumerate(spec.inputs)}
    return (spec.category, spec.inputs, static_text(spec.symbol, "symbol"),
            T.metrics("symbol").horizontalAdvance(spec.symbol), port_y)


def _elide(text: str, role: str, width: float) -> str:
    return T.metrics(role).elidedText(text, Qt.TextElideMode.ElideMiddle, width)


class NodeItem(NodeChrome, NodeFit, QGraphicsRectItem):
    """One Graph node. Ports: inputs down the left edge, the output on the right.

    A QGraphicsRectItem holding the bounding rect (no pen, so nothing is added to it), not a
    QGraphicsItem with a Python boundingRect(): Qt asks each moved item for its bounds
    several times (index, repaint), and a drag of 10k nodes paid PySide's override dispatch
    ~100k times. The item paints itself; the rect item's own painting is never used."""

    PORT_ROWS = True  # a body row per input port (see node_vertical)
    # Every new item starts so; class defaults, not five attribute writes per item (10k).
    is_output = False
    flashing = False  # lit for a moment when a connection would close a cycle
    _title: QStaticText | None = None  # laid out at first detailed paint
    # The overview's block: [(x, y, width, height), its QRectF], set when one differs.
    block: list[Any] | None = None
    _hover: str | None = None
    idle: NodeDisplay = BLANK_NODE  # what it shows with no run (an input's own value)
    display: NodeDisplay = BLANK_NODE
    value_shape: tuple[int, ...] | None = None  # the value's shape, inferred before a run

    def __init__(self, node: Node, display: NodeDisplay | None = None,
                 shape: tuple[int, ...] | None = None, out_name: str = "J") -> None:
        self.node_id = node.id
        self.op = node.op
        look = _op_look(node.op)
        self.category, self.ports, self._symbol, self._symbol_w, self._port_y = look
        self.connected: set[str] = set()
        self.trainable = node.trainable
        if display is not None:  # the run view falls back to ``idle``
            self.idle = self.display = display
        self.name = node.name
        if shape is not None:
            self.value_shape = shape
        self.out_name = out_name  # the output's name, for the gradient row '∂J/∂w'
        self.box = self._compute_box()  # plain Python: the Qt item is made with its bounds
        self._rect, bounds = geometry(self.box.width, self.box.height)
        super().__init__(bounds)
        self.setPen(_NO_PEN)
        self.setPos(node.x, node.y)
        if T.Z_NODE:  # 0 is Qt's default: one C++ call fewer per node when building 10k
            self.setZValue(T.Z_NODE)
        # No ItemSendsGeometryChanges/itemChange: a Python itemChange runs for every item
        # on every change (10k nodes); the scene re-routes wires of the nodes it moves.
        self.setFlags(_FLAGS)
        self.setAcceptHoverEvents(True)

    # --- data ---------------------------------------------------------------------------
    def set_name(self, name: str) -> bool:
        """Show ``name``; True when the node's width changed (its output port moved)."""
        self.name = name
        self._title = None
        self.update()
        return self._refit()

    def _tagged(self) -> bool:
        return self.is_output or self.trainable

    def width(self) -> float:
        return self.box.width

    def title(self) -> str:
        """The name as the header shows it (elided in the middle past the widest box)."""
        return self._title_text().text()

    def _title_text(self) -> QStaticText:
        if self._title is None:
            room = self.box.width - self._symbol_w - 40 - (TAG_WIDTH if self._tagged() else 0)
            self._title = QStaticText(_elide(self.name, "title", room))
            self._title.prepare(font=T.font("title"))
        return self._title

    def set_display(self, display: NodeDisplay | None = None, **changes: Any) -> bool:
        """Show ``display`` (or the current one with some fields changed); True when the
        node's width changed (a value of another shape than reserved: its port moved)."""
        new = display if display is not None else self.display
        if changes:
            unknown = set(changes) - DISPLAY_FIELDS
            if unknown:
                raise KeyError(f"unknown display fields: {sorted(unknown)}")
            new = replace(new, **changes)
        if new.stale:
            new = self._fit_stale(new)
        old = self.display
        if new is old or new == old:
            return False
        old_chars = self.number_chars()
        self.display = new
        moved = False
        # The reserved rows cover any run of the inferred shape with numbers of usual length
        # and the graph's own gradient label.
        if (self.number_chars() != old_chars
                or value_shape_of(new.value) != value_shape_of(old.value)
                or self._label_over(new) or self._label_over(old)):
            moved = self._refit()
        elif self.box_args[-1] != len(new.grad_label):
            # The box is the same (neither label is longer than the graph's own), but what it
            # measured must say the label it shows now: a new output name is measured from it.
            self.box_args = (*self.box_args[:-1], len(new.grad_label))
        self.update()
        return moved

    def toolTip(self) -> str:
        """Every text the node may elide, whole: its name, full-precision value and gradient
        ('∂J/∂name = …'), its error; or its name and op before a run. Formatted on demand
        (the scene's helpEvent shows it): never per run for 10k nodes."""
        shown = replace(self.display, name=self.name, output=self.out_name)
        return shown.tooltip or f"{self.name}  ({self.op})"

    def set_marks(self, is_output: bool, trainable: bool) -> bool:
        """The OUT / TRAIN tags in the header; True when the node's width changed."""
        if (is_output, trainable) != (self.is_output, self.trainable):
            self.is_output, self.trainable = is_output, trainable
            self._title = None
            self.update()
            return self._refit()
        return False

    def set_flashing(self, on: bool) -> None:
        if on != self.flashing:
            self.flashing = on
            self.update()

    def info_rows(self) -> list[tuple[str, str]]:
        """(kind, text) for the value row and the gradient row under the ports; a tensor
        with a number grid names only its shape and the gradient, the grids hold the
        numbers. An error takes the gradient row (the tooltip has the whole story)."""
        d = self.display
        rows = []
        if d.value_text:
            rows.append(("value", f"= {self._value_shown()}"))
        if d.error_text:
            rows.append(("error", ("⚠ origin: " if d.origin else "⚠ ") + d.error_text))
        elif d.grad_grid is not None:
            rows.append(("grad", d.grad_label))
        elif d.grad_text:
            rows.append(("grad", d.grad_text))
        return rows

    def shown_rows(self) -> list[str]:
        """The value and gradient rows as painted (long ones elided in the middle)."""
        return fitted_rows(self.box, self.info_rows(), self.display.stale)

    # --- geometry -----------------------------------------------------------------------
    def rect(self) -> QRectF:
        return QRectF(self._rect)

    def rect_height(self) -> float:
        return self.box.height

    def port_y(self, port: str) -> float:
        """An input port's y below the node's top edge."""
        return self._port_y[port]

    def in_port_local(self, port: str) -> QPointF:
        return QPointF(0.0, self._port_y[port])

    def out_port_local(self) -> QPointF:
        return QPointF(self.box.width, OUT_PORT_Y)

    def in_port_pos(self, port: str) -> QPointF:
        return self.pos() + self.in_port_local(port)

    def out_port_pos(self) -> QPointF:
        return self.pos() + self.out_port_local()

    def in_port_xy(self, port: str) -> tuple[float, float]:
        """Scene coordinates of an input port, as plain floats (routing 20k wires)."""
        return self.in_port_at(self.x(), self.y(), port)

    def out_port_xy(self) -> tuple[float, float]:
        return self.out_port_at(self.x(), self.y())

    def in_port_at(self, x: float, y: float, port: str) -> tuple[float, float]:
        """Where an input port is when the item stands at (x, y): read from its node's
        floats, items just made (a 10k paste's 20k wires) need no Qt call per port."""
        return x, y + self._port_y[port]

    def out_port_at(self, x: float, y: float) -> tuple[float, float]:
        return x + self.box.width, y + OUT_PORT_Y

    def port_at(self, local: QPointF) -> tuple[str, str] | None:
        """("in", port) or ("out", "") when ``local`` is on a port, else None."""
        out = self.out_port_local()
        if abs(local.x() - out.x()) <= T.PORT_HIT and abs(local.y() - out.y()) <= T.PORT_HIT:
            return ("out", "")
        if abs(local.x()) <= T.PORT_HIT:
            for port in self.ports:
                if abs(local.y() - self.in_port_local(port).y()) <= T.ROW_HEIGHT / 2:
                    return ("in", port)
        return None

    def input_row_at(self, local: QPointF) -> str | None:
        """The input port whose row ``local`` is in: a generous drop target for wires."""
        for port in self.ports:
            if abs(local.y() - self.in_port_local(port).y()) <= T.ROW_HEIGHT / 2:
                return port
        if len(self.ports) == 1 and self.rect().contains(local):
            return self.ports[0]
        return None

    # --- events -------------------------------------------------------------------------
    def hoverMoveEvent(self, event: Any) -> None:
        hit = self.port_at(event.pos())
        key = None if hit is None else hit[0] + hit[1]
        if key != self._hover:
            self._hover = key
            self.update()

    def hoverLeaveEvent(self, event: Any) -> None:
        if self._hover is not None:
            self._hover = None
            self.update()

    # --- painting -----------------------------------------------------------------------
    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
        pal = T.current()
        lod = painter.worldTransform().m11()  # the canvas only scales: this is the LOD
        if self.display.dimmed:
            painter.setOpacity(0.35)
        if lod < T.LOD_TEXT:
            self.paint_block(painter, pal)
            return
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        self._paint_frame(painter, pal)
        self._paint_header(painter, pal)
        self._paint_ports(painter, pal)
        paint_info(painter, self.display, self.box, self.info_rows())
        if self.display.order_badge:
            self._paint_badge(painter, pal)
