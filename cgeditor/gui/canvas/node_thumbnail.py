"""What a node paints for a tensor: every number of a small one in a grid (value above,
gradient below), and for a larger one the value's heatmap with the gradient's beside it,
as coloured cells in theme colours with non-finite cells in the error colour. NodeItem
paints these inside the rows its NodeBox reserves, when zoomed in enough to read text.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen

from cgeditor.gui import theme as T
from cgeditor.gui.canvas.node_geometry import CELL_GAP, THUMB_GAP, THUMB_PAD, NodeBox
from cgeditor.model.display import NodeDisplay
from cgeditor.model.number_text import MINUS, Heatmap, NumberGrid


def _maps(display: NodeDisplay) -> list[tuple[str, Heatmap]]:
    return [(kind, hm) for kind, hm in (("value", display.heatmap),
                                        ("grad", display.grad_heatmap)) if hm is not None]


def _mix(base: QColor, accent: QColor, t: float) -> QColor:
    t = 0.12 + 0.88 * t  # the lowest cell still reads as a cell, not as the node body
    return QColor.fromRgbF(base.redF() + (accent.redF() - base.redF()) * t,
                           base.greenF() + (accent.greenF() - base.greenF()) * t,
                           base.blueF() + (accent.blueF() - base.blueF()) * t)


def thumb_cells(display: NodeDisplay, box: NodeBox) -> list[tuple[str, QRectF, QColor]]:
    """(kind, cell rect in item coordinates, colour) for every heatmap cell, value first."""
    pal = T.current()
    out = []
    x0 = T.TEXT_SIDE
    side = box.thumb_cell()
    top = box.thumbs_top + THUMB_PAD
    for kind, hm in _maps(display):
        accent = (pal.value_text if kind == "value" else
                  pal.tangent_text if display.tangent_of else pal.grad_text)
        # A map whose shape differs from the reserved one (mid-edit) still fits the width.
        cell = min(side, (box.width - 2 * T.TEXT_SIDE - THUMB_GAP) / 2 / max(hm.cols, 1))
        for index, (level, bad) in enumerate(zip(hm.cells, hm.nonfinite)):
            r, c = divmod(index, hm.cols)
            rect = QRectF(x0 + c * cell, top + r * cell, cell, cell)
            out.append((kind, rect, pal.error if bad else _mix(pal.node_body, accent, level)))
        x0 += hm.cols * cell + THUMB_GAP
    return out


def paint_thumbs(painter: QPainter, display: NodeDisplay, box: NodeBox) -> None:
    cells = thumb_cells(display, box)
    if not cells:
        return
    pal = T.current()
    painter.setPen(QPen(pal.node_body, 0.6))  # a hairline grid keeps equal cells apart
    for _kind, rect, color in cells:
        painter.setBrush(color)
        painter.drawRect(rect)


def grid_cells(grid: NumberGrid, box: NodeBox, top: float) -> list[tuple[QRectF, str]]:
    """(cell rect, text) for every number of ``grid`` laid out from ``top``."""
    width = box.cell_width
    return [(QRectF(T.TEXT_SIDE + c * (width + CELL_GAP), top + r * T.LINE_HEIGHT, width,
                    T.LINE_HEIGHT), grid.cells[r * grid.cols + c])
            for r in range(grid.rows) for c in range(grid.cols)]


def paint_grid(painter: QPainter, grid: NumberGrid, box: NodeBox, top: float,
               color: QColor) -> None:
    """Numbers right-aligned in their columns, so signs and decimal places line up; a
    non-finite entry in the error colour."""
    pal = T.current()
    painter.setFont(T.font("value"))
    align = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
    for rect, text in grid_cells(grid, box, top):
        bad = text.lstrip(MINUS) in ("nan", "inf")
        painter.setPen(pal.error if bad else color)
        painter.drawText(rect, align, text)


def grid_rule(painter: QPainter, box: NodeBox, top: float, rows: int) -> None:
    """A faint bracket left of a grid: it reads as one tensor, not loose numbers."""
    pal = T.current()
    painter.setPen(QPen(pal.node_border, 1.2))
    x = T.TEXT_SIDE - 4
    painter.drawLine(QPointF(x, top + 2), QPointF(x, top + rows * T.LINE_HEIGHT - 2))
