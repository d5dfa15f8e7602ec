"""Wire shapes and labels: the S-curve between two ports, WireItem (the one wire being
dragged and the ghost of a refused connection; every other wire is painted by the scene's
WireLayer), and WireLabels, which paints the run's per-wire labels above every node.

Labels are not items: 1,500 text items per Live re-run cost more than the run. The scene
paints them in its foreground, only for the wires in the exposed region and only when zoomed
in enough to read them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import lru_cache
from math import floor
from typing import Any

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen, QStaticText
from PySide6.QtWidgets import QGraphicsPathItem

from cgeditor.gui import theme as T
from cgeditor.model.display import WireDisplay
from cgeditor.model.number_text import shape_head

LABEL_PAD = 3.0  # around the text, inside its backing pill
FOLD_REACH = 50.0


def curve(p1: QPointF, p2: QPointF) -> QPainterPath:
    """The S-curve between two ports: horizontal tangents at both ends."""
    return curve_xy(p1.x(), p1.y(), p2.x(), p2.y())


def curve_xy(x1: float, y1: float, x2: float, y2: float) -> QPainterPath:
    """``curve`` on plain floats. Wires between nodes laid out on a grid repeat a few shapes,
    so each shape is built once and moved into place (one call instead of four)."""
    return _shape(x2 - x1, y2 - y1).translated(x1, y1)


def curve_down(x1: float, y1: float, x2: float, y2: float) -> QPainterPath:
    """The S-curve between an output port at a node's bottom and an input port at a top:
    vertical tangents at both ends."""
    # A wire back up to the next band of a folded picture leaves and enters steeply but
    # briefly: a reach of half its length would bulge far past both bands.
    dy = tangent_reach(y2 - y1) if y2 >= y1 else FOLD_REACH
    path = QPainterPath()
    path.moveTo(x1, y1)
    path.cubicTo(x1, y1 + dy, x2, y2 - dy, x2, y2)
    return path


def tangent_reach(w: float) -> float:
    """How far each end's control point sits from its port, for a wire ``w`` wide. A wire
    fed backwards (to the next band of a folded layout, or to a node dragged left of its
    source) leaves and enters briefly: half its width would bulge far past both ends, off
    the fitted view."""
    if w < 0:
        return FOLD_REACH
    half = w * 0.5
    return half if half > 40.0 else 40.0


@lru_cache(maxsize=4096)
def _shape(w: float, h: float) -> QPainterPath:
    dx = tangent_reach(w)
    path = QPainterPath()
    path.moveTo(0.0, 0.0)
    path.cubicTo(dx, 0.0, w - dx, h, w, h)
    return path


class WireItem(QGraphicsPathItem):
    """A wire drawn on its own: the one being dragged (``drag``) or a refused one (``ghost``)."""

    def __init__(self, src: str, dst: str, port: str) -> None:
        super().__init__()
        self.src, self.dst, self.port = src, dst, port
        self.state = "normal"
        self.setZValue(T.Z_WIRE)
        self.setPen(T.wire_pen(self.state))

    def set_ends_xy(self, x1: float, y1: float, x2: float, y2: float) -> None:
        self.setPath(curve_xy(x1, y1, x2, y2))

    def set_ends(self, p1: QPointF, p2: QPointF) -> None:
        self.setPath(curve(p1, p2))

    def set_state(self, state: str) -> None:
        if state != self.state:
            self.state = state
            self.setPen(T.wire_pen(state))


def wire_label(wire: WireDisplay) -> str:
    """Two short lines: '← −4' (the gradient flowing back), then '∂c/∂w = −2'. Short because
    wires between neighbouring nodes are short; the full wording is in WireDisplay.grad_text.
    A Jacobian has no number to show, so a tensor wire keeps only its first line."""
    return "\n".join(_lines(wire))


def _lines(wire: WireDisplay, compact: bool = False) -> list[str]:
    """The label's lines; ``compact``: only the gradient flowing back, and for a tensor only
    its shape (its range is on the node)."""
    value = shape_head(wire.grad_value) if compact and wire.jacobian else wire.grad_value
    back = f"← {value}" if value else ""
    local = "" if wire.jacobian or compact else wire.local_text
    return [t for t in (back, local) if t]


class WireLabels:
    """The labels of one run display, formatted and laid out on first paint and kept until
    the display changes: a Live re-run formats only the labels in view."""

    # A label reaches this far past its wire's bounding rect (half its width, its height):
    # the scene widens the exposed rect by it when looking for wires to label.
    REACH = 110.0

    def __init__(self) -> None:
        self.wires: Any = {}  # Mapping[(dst id, port), WireDisplay]
        self.stale = False  # the run is stale: its numbers dimmed, as on the nodes
        self._laid_out: dict[tuple[str, str, bool], list[QStaticText] | None] = {}

    def set_wires(self, wires: Any, stale: bool = False) -> bool:
        """Show ``wires`` (a RunDisplay's lazy mapping) of a run that is ``stale`` or not;
        True when the labels may differ."""
        if wires is self.wires and stale == self.stale:
            return False
        had = bool(self._laid_out) or bool(self.wires)
        self.stale = stale
        if wires is not self.wires:
            self.wires, self._laid_out = wires, {}
        return had or bool(wires)

    def text(self, key: tuple[str, str]) -> str:
        shown = self.wires.get(key)
        return wire_label(shown) if shown is not None else ""

    def _layout(self, key: tuple[str, str], compact: bool) -> list[QStaticText] | None:
        cached = (*key, compact)
        if cached not in self._laid_out:
            shown = self.wires.get(key)
            text = _lines(shown, compact) if shown is not None else []
            self._laid_out[cached] = [_static(t) for t in text] or None
        return self._laid_out[cached]

    def place(self, wires: Iterable[Any], blocked: Callable[[QRectF], bool]
              ) -> list[tuple[Any, list[QStaticText], QRectF]]:
        """(wire, lines, box) for each wire that has a label and a free spot for it.

        A label is compact ('← −4', the gradient flowing back) unless its wire is lit
        (read by the current step, or on an explained path): then it also shows the local
        derivative, or stays compact where that does not fit (the path being read keeps its
        numbers). It sits at the first spot along its wire, middle first, that covers no
        node (``blocked``) and no label placed before it; a label with no such spot is left
        out rather than hide a node (the node's tooltip and the chain-rule dock have it)."""
        out = []
        placed = BoxGrid()
        for wire in wires:
            for compact in (False, True) if wire.state == "highlight" else (True,):
                lines = self._layout(wire.key, compact)
                if lines is None:
                    break
                w = max(line.size().width() for line in lines) + 2 * LABEL_PAD
                h = sum(line.size().height() for line in lines) + 2 * LABEL_PAD
                box = _free_spot(wire.path(), w, h, placed, blocked)
                if box is not None:
                    placed.add(box)
                    out.append((wire, lines, box))
                    break
        return out

    def paint(self, painter: QPainter, wires: Iterable[Any],
              blocked: Callable[[QRectF], bool]) -> None:
        """Each placed label on a pill of the canvas colour, above every node and wire."""
        pal = T.current()
        fill = QColor(pal.canvas.lighter(103) if pal.name == "light" else pal.canvas.lighter(130))
        painter.setFont(T.font("value"))
        placed = self.place(wires, blocked)
        # Placed labels never overlap: every pill, then every first line, then every second
        # draws the same picture with one pen change each (an SVG group per change).
        painter.setPen(QPen(pal.node_border, 1.0))
        painter.setBrush(fill)
        for _wire, _lines, box in placed:
            painter.drawRoundedRect(box, 4, 4)
        first = pal.node_muted if self.stale else pal.grad_text
        for row, color in enumerate((first, pal.node_muted)):
            painter.setPen(color)
            for _wire, lines, box in placed:
                if row < len(lines):
                    y = box.y() + LABEL_PAD + sum(line.size().height() for line in lines[:row])
                    painter.drawStaticText(QPointF(box.x() + LABEL_PAD, y), lines[row])


# Where along its wire a label may sit (fractions of the curve), and how it may sit there:
# above the curve, centred on it, below it.
_ALONG = (0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8)
_SIDES = (-1.0, -0.5, 0.0)


class BoxGrid:
    """Rectangles filed by the grid cells they cover, so whether a box meets one of them
    looks at its neighbours only. Placing every label of a whole-canvas picture scanned all
    nodes and labels for each candidate spot: wires × nodes, 6 s for 1k nodes with a run."""

    CELL = 256.0

    def __init__(self, boxes: Iterable[QRectF] = ()) -> None:
        self._cells: dict[tuple[int, int], list[QRectF]] = {}
        for box in boxes:
            self.add(box)

    def _cells_of(self, box: QRectF) -> list[tuple[int, int]]:
        size = self.CELL
        columns = range(floor(box.left() / size), floor(box.right() / size) + 1)
        rows = range(floor(box.top() / size), floor(box.bottom() / size) + 1)
        return [(i, j) for i in columns for j in rows]

    def add(self, box: QRectF) -> None:
        for cell in self._cells_of(box):
            self._cells.setdefault(cell, []).append(box)

    def meets(self, box: QRectF) -> bool:
        """Whether ``box`` intersects any filed rectangle (QRectF.intersects)."""
        cells = self._cells
        return any(box.intersects(other) for cell in self._cells_of(box)
                   for other in cells.get(cell, ()))


def _free_spot(path: QPainterPath, w: float, h: float, placed: BoxGrid,
               blocked: Callable[[QRectF], bool]) -> QRectF | None:
    """The first candidate box along ``path`` that meets no placed label and no node."""
    for t in _ALONG:
        mid = path.pointAtPercent(t)
        for side in _SIDES:
            top = mid.y() + side * h + (-3.0 if side == -1.0 else 3.0 if side == 0.0 else 0.0)
            box = QRectF(mid.x() - w / 2, top, w, h)
            if not blocked(box) and not placed.meets(box):
                return box
    return None


def _static(text: str) -> QStaticText:
    static = QStaticText(text)
    static.setTextFormat(Qt.TextFormat.PlainText)
    static.prepare(font=T.font("value"))
    return static
