"""The canvas background: its colour and, zoomed in far enough to read, a grid of dots."""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QPainter, QPen

from cgeditor.gui import theme as T

MAX_GRID_DOTS = 6000  # past this the grid coarsens rather than slow a zoomed-out repaint


def paint_background(painter: QPainter, rect: QRectF, zoom: float) -> None:
    """Fill ``rect`` (scene units) with the canvas colour and the dot grid, for a view at
    ``zoom``; also sets the painter's antialiasing for the items painted next."""
    # The items are painted next with this same painter: zoomed far out, antialiasing
    # thousands of wires costs most of the frame and shows nothing at that size.
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, zoom >= T.LOD_TEXT)
    pal = T.current()
    painter.fillRect(rect, pal.canvas)
    if zoom < T.LOD_TEXT:
        return  # a grid under a zoomed-out graph is noise
    step = T.GRID_STEP
    while (rect.width() / step) * (rect.height() / step) > MAX_GRID_DOTS:
        step *= 2
    if step * zoom < 8:
        return
    pen = QPen(pal.grid)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setCosmetic(True)
    pen.setWidthF(1.6 if zoom >= 0.6 else 1.2)
    painter.setPen(pen)
    x0 = math.floor(rect.left() / step) * step
    y0 = math.floor(rect.top() / step) * step
    xs = [x0 + i * step for i in range(int((rect.right() - x0) / step) + 1)]
    points = [QPointF(x, y0 + j * step) for j in range(int((rect.bottom() - y0) / step) + 1)
              for x in xs]
    painter.drawPoints(points)
