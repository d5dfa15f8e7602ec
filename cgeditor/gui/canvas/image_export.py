"""Export the canvas as a PNG picture or an SVG drawing; usable headless (offscreen Qt).

Both are encoded in memory and written by the atomic writer that saves graphs
(model/atomic.py), so a failed export never leaves half an image behind.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPaintDevice, QPainter
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QGraphicsScene

from cgeditor.model.atomic import write_atomically

if TYPE_CHECKING:
    from collections.abc import Callable

MARGIN = 24.0
PNG_SCALE = 2.0  # crisp on high-DPI screens and in slides
WHITE = QColor(Qt.GlobalColor.white)
CLEAR = QColor(Qt.GlobalColor.transparent)
IMAGE_FILTER = "PNG image (*.png);;SVG drawing (*.svg)"


class ImageExportError(Exception):
    """An export that could not be written; the message says why."""


def _source_rect(scene: QGraphicsScene, margin: float = MARGIN) -> QRectF:
    picture_rect = getattr(scene, "picture_rect", None)
    rect = picture_rect() if picture_rect is not None else scene.itemsBoundingRect()
    if rect.isEmpty():
        raise ImageExportError("the canvas is empty: there is nothing to export")
    return rect.adjusted(-margin, -margin, margin, margin)


def _background(scene: QGraphicsScene) -> QColor:
    brush = scene.backgroundBrush()
    if brush.style() == Qt.BrushStyle.NoBrush:
        return QColor(Qt.GlobalColor.white)
    return brush.color()


def _paint(scene: QGraphicsScene, device: QPaintDevice, target: QRectF, source: QRectF,
           background: QColor | None = None) -> None:
    """Draw ``source`` of ``scene`` into ``target`` on ``background`` (None: the scene's)."""
    # Selection outlines are editing state, not part of the picture.
    selected = scene.selectedItems()
    for item in selected:
        item.setSelected(False)
    brush = scene.backgroundBrush()
    fill = _background(scene) if background is None else background
    scene.setBackgroundBrush(Qt.BrushStyle.NoBrush)  # the picture's own background only
    painter = QPainter(device)
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_Source)
        painter.fillRect(target, fill)
        painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceOver)
        scene.render(painter, target, source)
    finally:
        painter.end()
        scene.setBackgroundBrush(brush)
        for item in selected:
            item.setSelected(True)


def _write(path: str, produce: Callable[[QBuffer], bool]) -> None:
    """Encode in memory, then write through the same atomic writer as saving a graph."""
    data = QByteArray()
    out = QBuffer(data)
    out.open(QIODevice.OpenModeFlag.WriteOnly)
    if not produce(out):
        raise ImageExportError(f"cannot write {path}: the image could not be encoded")
    out.close()
    try:
        write_atomically(path, bytes(data.data()))
    except OSError as exc:
        raise ImageExportError(f"cannot write {path}: {exc.strerror or exc}") from None


def export_png(scene: QGraphicsScene, path: str, scale: float = PNG_SCALE,
               background: QColor | None = None, margin: float = MARGIN) -> QSize:
    """Render the scene's items (with ``margin`` around them) to a PNG ``scale`` pixels per
    scene unit, on ``background`` (None: the scene's); returns the image size."""
    source = _source_rect(scene, margin)
    size = QSize(max(1, round(source.width() * scale)), max(1, round(source.height() * scale)))
    image = QImage(size, QImage.Format.Format_ARGB32_Premultiplied)
    image.setDevicePixelRatio(1.0)
    _paint(scene, image, QRectF(0, 0, size.width(), size.height()), source, background)
    _write(path, lambda out: image.save(out, "PNG"))
    return size


def export_svg(scene: QGraphicsScene, path: str, background: QColor | None = None,
               margin: float = MARGIN) -> QSize:
    """Render the scene's items (with ``margin`` around them) to an SVG drawing on
    ``background`` (None: the scene's); returns its size."""
    source = _source_rect(scene, margin)
    size = QSize(round(source.width()), round(source.height()))

    def produce(out: QBuffer) -> bool:
        generator = QSvgGenerator()
        generator.setOutputDevice(out)
        generator.setSize(size)
        # Fonts are sized in points; at the default 72 dpi text came out a quarter smaller
        # than on screen and in the PNG, which both use 96.
        generator.setResolution(96)
        generator.setViewBox(QRectF(0, 0, size.width(), size.height()))
        generator.setTitle(os.path.splitext(os.path.basename(path))[0])
        generator.setDescription("Computation graph drawn by cgeditor")
        _paint(scene, generator, QRectF(0, 0, size.width(), size.height()), source, background)
        return True

    _write(path, produce)
    return size


def export_file(scene: QGraphicsScene, path: str, scale: float = PNG_SCALE,
                background: QColor | None = None, margin: float = MARGIN) -> QSize:
    """PNG or SVG, chosen by the file's suffix (an SVG has no pixel scale)."""
    suffix = os.path.splitext(path)[1].lower()
    if suffix == ".png":
        return export_png(scene, path, scale, background, margin)
    if suffix == ".svg":
        return export_svg(scene, path, background, margin)
    raise ImageExportError(f"{os.path.basename(path)}: choose a name ending in .png or .svg")
