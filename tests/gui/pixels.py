"""Reading the canvas as pixels: render the view at a zoom, grab what the viewport shows, and
compare colours with a tolerance (antialiasing blends a thin line into its neighbours, so
exact matches only hold for flat fills)."""

from __future__ import annotations

from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor, QImage, QPainter

from cgeditor.gui import theme as T


def render_at(window, zoom: float, center: QPointF) -> QImage:
    """The view rendered at ``zoom`` around scene point ``center``, through Qt's item path."""
    view = window.view
    view.resetTransform()
    view.scale(zoom, zoom)
    view.centerOn(center)
    image = QImage(view.viewport().size(), QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    view.render(painter)
    painter.end()
    return image


def shown(window) -> QImage:
    """What the viewport paints now, through its own paintEvent."""
    return window.view.viewport().grab().toImage()


def distance(a: QColor, b: QColor) -> int:
    """Manhattan distance in RGB: 0 for the same colour, up to 765."""
    return abs(a.red() - b.red()) + abs(a.green() - b.green()) + abs(a.blue() - b.blue())


def near(color: QColor, target: QColor, tolerance: int = 70) -> bool:
    return distance(color, target) < tolerance


def wire_pixels(image: QImage, color: QColor, around: QPointF, reach: int = 3) -> int:
    """How many pixels within ``reach`` of ``around`` are nearer ``color`` than the canvas
    (antialiasing blends a thin line into its neighbours)."""
    x0, y0 = round(around.x()), round(around.y())
    canvas = T.current().canvas
    return sum(1 for x in range(x0 - reach, x0 + reach + 1)
               for y in range(y0 - reach, y0 + reach + 1)
               if distance(image.pixelColor(x, y), color)
               < distance(image.pixelColor(x, y), canvas))
