"""Every wire of the canvas painted by one item: the WireLayer, and Wire, the plain object
that stands for one edge ``src -> dst.port``.

One QGraphicsItem per wire made 20k wires the bulk of opening a 10k-node file: each item
cost ~45 µs to create, Qt stroked every curve once just to learn its bounding rect, and
each virtual call crossed PySide's override lookup. Here a wire is a few floats; the layer
finds the wires in the exposed rect and draws them grouped by pen, as straight lines when
zoomed too far out for curves to show. The wire being dragged and the ghost of a refused
connection stay real items (WireItem): there is at most one of each.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import Any

from PySide6.QtCore import QLineF, QRectF, Qt
from PySide6.QtGui import QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from cgeditor.gui import theme as T
from cgeditor.gui.canvas.wire_item import curve_down, curve_xy, tangent_reach
from cgeditor.model import collector

# Beyond the control points: half the widest pen plus the round cap, so nothing is clipped.
_PAD = (T.WIRE_WIDTH + 1.5) / 2 + 1.0
# Painted in this order, so a lit or flashing wire is never under a normal one.
PAINT_ORDER = ("dim", "normal", "highlight", "flash")


class Wire:
    """One edge's wire: its ends, its state and its bounds, in plain floats. The bounds are
    found when first asked for (a zoomed-in paint, a repaint of its rect): zoomed out, a
    paste of 10k nodes or a drag of them moves 20k wires whose bounds nothing reads."""

    __slots__ = ("_layer", "_path", "bounds", "dst", "ends", "line_at", "port", "src", "state",
                 "visible")

    def __init__(self, layer: WireLayer, src: str, dst: str, port: str,
                 ends: tuple[float, float, float, float]) -> None:
        self.src, self.dst, self.port = src, dst, port
        self.state = "normal"
        self.visible = True
        self._layer = layer
        self._path: QPainterPath | None = None
        self.ends = ends
        self.bounds: tuple[float, float, float, float] | None = None
        self.line_at = -1  # its index in the layer's cached lines of its state

    @property
    def key(self) -> tuple[str, str]:
        return (self.dst, self.port)

    def path(self) -> QPainterPath:
        """The S-curve, built when first painted or asked for."""
        if self._path is None:
            self._path = (curve_down if self._layer.vertical else curve_xy)(*self.ends)
        return self._path

    def pen(self) -> QPen:
        return T.wire_pen(self.state)

    def box(self) -> tuple[float, float, float, float]:
        """(left, top, right, bottom): the curve's control-point box, padded for the pen."""
        bounds = self.bounds
        if bounds is None:
            bounds = self.bounds = _bounds(self.ends, self._layer.vertical)
        return bounds

    def rect(self) -> QRectF:
        left, top, right, bottom = self.box()
        return QRectF(left, top, right - left, bottom - top)

    def set_ends_xy(self, x1: float, y1: float, x2: float, y2: float,
                    repaint: bool = True) -> None:
        """Move the ends; ``repaint=False`` when the caller repaints many wires at once."""
        ends = (x1, y1, x2, y2)
        if ends != self.ends:
            old = self.rect() if repaint else None  # 20k wires per mouse move: no spare rects
            self.ends, self.bounds, self._path = ends, None, None
            self._layer.moved(self, old, repaint)

    def set_state(self, state: str) -> None:
        if state != self.state:
            self.state = state
            self._layer.changed(self.rect())

    def isVisible(self) -> bool:  # the QGraphicsItem spelling callers know
        return self.visible

    def setVisible(self, visible: bool) -> None:
        if visible != self.visible:
            self.visible = visible
            self._layer.changed(self.rect())

    def scene(self) -> Any:
        return self._layer.scene()

    def label(self) -> str:
        """The run label the scene paints on this wire ('' when none)."""
        labels = getattr(self.scene(), "labels", None)
        return labels.text(self.key) if labels is not None else ""


def _bounds(ends: tuple[float, float, float, float],
            vertical: bool = False) -> tuple[float, float, float, float]:
    """The curve's control-point box (it contains the curve), padded for the pen."""
    x1, y1, x2, y2 = ends
    if vertical:  # the same box turned a quarter: tangents run down, not across
        left, top, right, bottom = _bounds((y1, x1, y2, x2))
        return top, left, bottom, right
    dx = tangent_reach(x2 - x1)
    # Conditionals, not min/max: 20k wires are bounded when a big file opens.
    left, right = x2 - dx, x1 + dx
    return ((x1 if x1 < left else left) - _PAD, (y1 if y1 < y2 else y2) - _PAD,
            (x2 if x2 > right else right) + _PAD, (y1 if y1 > y2 else y2) + _PAD)


class WireLayer(QGraphicsItem):
    """Paints the scene's wires. Its bounds are the scene rect, which the scene keeps
    around every node (and so every wire); it takes no mouse buttons and no hover."""

    def __init__(self) -> None:
        super().__init__()
        self.wires: dict[tuple[str, str], Wire] = {}
        self.vertical = False  # wires leave a node downwards (a top-to-bottom picture)
        self._bounds = QRectF()
        self._lines: dict[str, list[QLineF]] | None = None  # zoomed out, per state
        self.setZValue(T.Z_WIRE)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        # exposedRect in paint(): a pan or a moved node repaints the wires of a strip only.
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption)

    def set_bounds(self, rect: QRectF) -> None:
        if rect != self._bounds:
            self.prepareGeometryChange()
            self._bounds = QRectF(rect)

    def boundingRect(self) -> QRectF:
        return self._bounds

    def add(self, src: str, dst: str, port: str,
            ends: tuple[float, float, float, float]) -> Wire:
        wire = Wire(self, src, dst, port, ends)
        self.wires[(dst, port)] = wire
        self.changed(wire.rect())
        return wire

    def add_all(self, wires: Iterable[tuple[str, str, str, tuple[float, float, float, float]]]
                ) -> None:
        """Add many (src, dst, port, ends) at once, with one repaint request for them all.
        The zoomed-out lines gain theirs: rebuilding 40k lines after a 10k paste cost the
        repaint a tenth of a second."""
        table = self.wires
        count = len(table)
        new = []
        for src, dst, port, ends in wires:
            wire = table[(dst, port)] = Wire(self, src, dst, port, ends)
            new.append(wire)
        if self._lines is not None and len(table) == count + len(new):  # none replaced
            same = self._lines.setdefault(new[0].state, []) if new else []
            for wire in new:  # each new wire is visible and in the same (first) state
                wire.line_at = len(same)
                same.append(QLineF(*wire.ends))
        else:
            self._lines = None
        self.update(self._bounds)

    def remove(self, key: tuple[str, str], repaint: bool = True) -> Wire | None:
        """Take the wire ``key`` away; ``repaint=False`` when the caller repaints many."""
        wire = self.wires.pop(key, None)
        if wire is not None:
            if repaint:
                self.changed(wire.rect())
            else:
                self._lines = None
        return wire

    def remove_many(self, keys: Iterable[tuple[str, str]]) -> None:
        """Take the wires ``keys`` away (those present), with one repaint of the layer."""
        table = self.wires
        for key in keys:
            table.pop(key, None)
        self.changed(self._bounds)

    def changed(self, rect: QRectF) -> None:
        """A wire in ``rect`` came, went, or changed state: repaint there."""
        self._lines = None
        self.update(rect)

    def moved(self, wire: Wire, old: QRectF | None, repaint: bool = True) -> None:
        """``wire`` moved away from ``old``: repaint both places (unless the caller repaints
        many at once). Its cached line is set anew in place: rebuilding 20k lines on every
        mouse move of a node drag cost ~80 ms."""
        if self._lines is not None and wire.visible:
            self._lines[wire.state][wire.line_at].setLine(*wire.ends)
        if repaint and old is not None:
            self.update(old)
            self.update(wire.rect())

    def set_states(self, changes: Iterable[tuple[Wire, str]]) -> None:
        """Give each wire of ``changes`` (wire, state) its state, with one repaint of the
        layer: a step dims or lights every wire of a big graph at once (20k repaints of a
        wire's rect each took ~4 µs)."""
        changed = False
        for wire, state in changes:
            if state != wire.state:
                wire.state, changed = state, True
        if changed:
            self.changed(self._bounds)

    def place_many(self, moves: Iterable[tuple[Wire, tuple[float, float, float, float]]]
                   ) -> None:
        """Put many wires' ends, (wire, ends) each, with one repaint of the layer: a drag
        of 10k nodes moves 20k wires per mouse move, where a call per wire shows."""
        lines = self._lines
        for wire, ends in moves:
            if ends != wire.ends:
                wire.ends, wire.bounds, wire._path = ends, None, None
                if lines is not None and wire.visible:
                    lines[wire.state][wire.line_at].setLine(*ends)
        self.update()

    def wires_in(self, rect: QRectF) -> Iterator[Wire]:
        """The visible wires whose bounds meet ``rect``."""
        left, top, right, bottom = rect.left(), rect.top(), rect.right(), rect.bottom()
        for wire in self.wires.values():
            b = wire.bounds or wire.box()
            if b[0] <= right and b[2] >= left and b[1] <= bottom and b[3] >= top \
                    and wire.visible:
                yield wire

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
        if painter.worldTransform().m11() < T.LOD_WIRES:
            self.paint_lines(painter)
            return
        by_state: dict[str, list[Wire]] = {}
        for wire in self.wires_in(option.exposedRect):
            by_state.setdefault(wire.state, []).append(wire)
        for state in sorted(by_state, key=_paint_rank):
            painter.setPen(T.wire_pen(state))
            for wire in by_state[state]:
                painter.drawPath(wire.path())

    def _line_lists(self) -> dict[str, list[QLineF]]:
        """Every visible wire as a straight line, listed by state; each wire learns its
        index in its list (moved wires replace their line in place)."""
        lines: dict[str, list[QLineF]] = {}
        for wire in self.wires.values():
            if wire.visible:
                same = lines.setdefault(wire.state, [])
                wire.line_at = len(same)
                same.append(QLineF(*wire.ends))
        return lines

    def paint_lines(self, painter: QPainter) -> None:
        """Zoomed out, where curves would be a few pixels long: every visible wire as a
        straight 1-pixel line, from lists kept until a wire changes (Qt clips them)."""
        if self._lines is None:
            with collector.paused():  # 2·10^4 lasting lines: no cycles among them
                self._lines = self._line_lists()
        palette = T.current().name
        for state in sorted(self._lines, key=_paint_rank):
            painter.setPen(_hairline(state, palette))
            painter.drawLines(self._lines[state])


def _paint_rank(state: str) -> int:
    return PAINT_ORDER.index(state) if state in PAINT_ORDER else len(PAINT_ORDER)


@lru_cache(maxsize=32)
def _hairline(state: str, palette: str) -> QPen:
    """The state's pen as a 1-pixel line (cached per state and palette)."""
    return T.pixel_pen(T.wire_pen(state), 1.0)
