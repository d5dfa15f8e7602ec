"""Tensor thumbnails on a node (issue 4): the value's heatmap, and beside it the gradient's,
as coloured cells in theme colours with non-finite cells in the error colour. NodeItem
paints them under its text rows when zoomed in enough to read text; the shape and min/max
are on the value row above.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QPainter, QPen

from cgeditor.gui import theme as T
from cgeditor.model.display import Heatmap, NodeDisplay

CELL = 9.0  # largest cell side: a small tensor still reads; 8 columns fit in 61 units
PAD = 4.0  # above and below the thumbnails
SIDE = 12.0  # left and right margins inside the node
GAP = 10.0  # between the value and the gradient thumbnails


def _maps(display: NodeDisplay) -> list[tuple[str, Heatmap]]:
    return [(kind, hm) for kind, hm in (("value", display.heatmap),
                                        ("grad", display.grad_heatmap)) if hm is not None]


def _cell(hm: Heatmap) -> float:
    room = (T.NODE_WIDTH - 2 * SIDE - GAP) / 2
    return min(CELL, room / max(hm.cols, 1))


def thumb_height(display: NodeDisplay) -> float:
    """Extra node height the thumbnails need (0 without a tensor)."""
    maps = _maps(display)
    if not maps:
        return 0.0
    return max(hm.rows * _cell(hm) for _, hm in maps) + 2 * PAD


def _mix(base: QColor, accent: QColor, t: float) -> QColor:
    t = 0.12 + 0.88 * t  # the lowest cell still reads as a cell, not as the node body
    return QColor.fromRgbF(base.redF() + (accent.redF() - base.redF()) * t,
                           base.greenF() + (accent.greenF() - base.greenF()) * t,
                           base.blueF() + (accent.blueF() - base.blueF()) * t)


def thumb_cells(display: NodeDisplay, top: float) -> list[tuple[str, QRectF, QColor]]:
    """(kind, cell rect in item coordinates, colour) for every cell painted, value first."""
    pal = T.current()
    out = []
    x0 = SIDE
    for kind, hm in _maps(display):
        accent = pal.value_text if kind == "value" else pal.grad_text
        side = _cell(hm)
        for index, (level, bad) in enumerate(zip(hm.cells, hm.nonfinite)):
            r, c = divmod(index, hm.cols)
            rect = QRectF(x0 + c * side, top + PAD + r * side, side, side)
            out.append((kind, rect, pal.error if bad else _mix(pal.node_body, accent, level)))
        x0 += hm.cols * side + GAP
    return out


def paint_thumbs(painter: QPainter, display: NodeDisplay, top: float) -> None:
    cells = thumb_cells(display, top)
    if not cells:
        return
    pal = T.current()
    painter.setPen(QPen(pal.node_body, 0.6))  # a hairline grid keeps equal cells apart
    for _kind, rect, color in cells:
        painter.setBrush(color)
        painter.drawRect(rect)
