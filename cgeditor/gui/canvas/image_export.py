"""Export the canvas as a PNG picture or an SVG drawing; usable headless (offscreen Qt).

Both write through QSaveFile, so a failed export never leaves half an image behind.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from PySide6.QtCore import QIODevice, QRectF, QSaveFile, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPaintDevice, QPainter
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QFileDialog, QGraphicsScene, QMessageBox

if TYPE_CHECKING:
    from collections.abc import Callable

    from cgeditor.gui.window import MainWindow

MARGIN = 24.0
PNG_SCALE = 2.0  # crisp on high-DPI screens and in slides
IMAGE_FILTER = "PNG image (*.png);;SVG drawing (*.svg)"


class ExportError(Exception):
    """An export that could not be written; the message says why."""


def _source_rect(scene: QGraphicsScene) -> QRectF:
    picture_rect = getattr(scene, "picture_rect", None)
    rect = picture_rect() if picture_rect is not None else scene.itemsBoundingRect()
    if rect.isEmpty():
        raise ExportError("the canvas is empty: there is nothing to export")
    return rect.adjusted(-MARGIN, -MARGIN, MARGIN, MARGIN)


def _background(scene: QGraphicsScene) -> QColor:
    brush = scene.backgroundBrush()
    if brush.style() == Qt.BrushStyle.NoBrush:
        return QColor(Qt.GlobalColor.white)
    return brush.color()


def _paint(scene: QGraphicsScene, device: QPaintDevice, target: QRectF, source: QRectF) -> None:
    # Selection outlines are editing state, not part of the picture.
    selected = scene.selectedItems()
    for item in selected:
        item.setSelected(False)
    painter = QPainter(device)
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        painter.fillRect(target, _background(scene))
        scene.render(painter, target, source)
    finally:
        painter.end()
        for item in selected:
            item.setSelected(True)


def _write(path: str, produce: Callable[[QSaveFile], bool]) -> None:
    out = QSaveFile(path)
    if not out.open(QIODevice.OpenModeFlag.WriteOnly):
        raise ExportError(f"cannot write {path}: {out.errorString()}")
    if not produce(out) or not out.commit():
        reason = out.errorString()
        out.cancelWriting()
        raise ExportError(f"cannot write {path}: {reason or 'the image could not be encoded'}")


def export_png(scene: QGraphicsScene, path: str, scale: float = PNG_SCALE) -> QSize:
    """Render the scene's items (with a margin) to a PNG; returns the image size."""
    source = _source_rect(scene)
    size = QSize(max(1, round(source.width() * scale)), max(1, round(source.height() * scale)))
    image = QImage(size, QImage.Format.Format_ARGB32_Premultiplied)
    image.setDevicePixelRatio(1.0)
    _paint(scene, image, QRectF(0, 0, size.width(), size.height()), source)
    _write(path, lambda out: image.save(out, "PNG"))
    return size


def export_svg(scene: QGraphicsScene, path: str) -> QSize:
    """Render the scene's items (with a margin) to an SVG drawing; returns its size."""
    source = _source_rect(scene)
    size = QSize(round(source.width()), round(source.height()))

    def produce(out: QSaveFile) -> bool:
        generator = QSvgGenerator()
        generator.setOutputDevice(out)
        generator.setSize(size)
        # Fonts are sized in points; at the default 72 dpi text came out a quarter smaller
        # than on screen and in the PNG, which both use 96.
        generator.setResolution(96)
        generator.setViewBox(QRectF(0, 0, size.width(), size.height()))
        generator.setTitle(os.path.splitext(os.path.basename(path))[0])
        generator.setDescription("Computation graph drawn by cgeditor")
        _paint(scene, generator, QRectF(0, 0, size.width(), size.height()), source)
        return True

    _write(path, produce)
    return size


def export_file(scene: QGraphicsScene, path: str) -> QSize:
    """PNG or SVG, chosen by the file's suffix."""
    suffix = os.path.splitext(path)[1].lower()
    if suffix == ".png":
        return export_png(scene, path)
    if suffix == ".svg":
        return export_svg(scene, path)
    raise ExportError(f"{os.path.basename(path)}: choose a name ending in .png or .svg")


def export_dialog(window: MainWindow, directory: str, name: str) -> bool:
    """Ask where to export the window's canvas, then write it; errors shown in a dialog."""
    stem = os.path.splitext(name.split(" (")[0])[0] or "graph"
    path, chosen = QFileDialog.getSaveFileName(window, "Export canvas",
                                               os.path.join(directory, f"{stem}.png"),
                                               IMAGE_FILTER)
    if not path:
        return False
    if not os.path.splitext(path)[1]:
        path += ".svg" if "svg" in chosen.lower() else ".png"
    try:
        export_file(window.scene, path)
    except ExportError as exc:
        QMessageBox.warning(window, "Could not export", str(exc))
        window.log(f"Export failed: {exc}")
        return False
    window.log(f"Exported the canvas to {path}")
    return True
