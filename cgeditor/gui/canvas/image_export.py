"""Export the canvas as a PNG picture or an SVG drawing; usable headless (offscreen Qt).

Both are encoded in memory and written by the atomic writer that saves graphs
(model/atomic.py), so a failed export never leaves half an image behind.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
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
# A PNG's pixel budget. Past 16,384 px a side many viewers and graphics cards' textures give
# up; 60 MP (240 MB decoded) stays under the 256 MB that Qt's image reader allocates by
# default, so the picture opens in Qt programs, this one included. A 10k-node graph at 2×
# would otherwise be ~46,000 × 22,000 px: 4 GB of memory before a byte is written.
# Qt maps a PNG's quality to zlib's level, (100 − q)·9/91: 80 is level 1. Encoding was most
# of a big PNG's time (60 MP: ~3.7 s at zlib's default level), for a file ~1/4 smaller.
PNG_QUALITY = 80
MAX_SIDE = 16_384
MAX_PIXELS = 60_000_000
MIN_SCALE = 0.25  # below this, node text is ~3 px high: not a picture worth writing


class ImageExportError(Exception):
    """An export that could not be written; the message says why."""


@dataclass(frozen=True)
class Exported:
    """What an export wrote: its ``size`` (pixels for a PNG, canvas units for an SVG), the
    ``scale`` used and, when that is less than asked, a ``note`` saying why (else "")."""

    size: QSize
    scale: float
    note: str = ""


def _pixels(source: QRectF, scale: float) -> QSize:
    return QSize(max(1, round(source.width() * scale)), max(1, round(source.height() * scale)))


def png_scale(source: QRectF, asked: float) -> tuple[float, str]:
    """The scale to draw ``source`` (canvas units) at for a PNG: ``asked``, or the largest
    hundredth below it that fits MAX_SIDE and MAX_PIXELS, with a note naming both.
    Raises ImageExportError when even MIN_SCALE does not fit."""
    full = _pixels(source, asked)
    if full.width() <= MAX_SIDE and full.height() <= MAX_SIDE \
            and full.width() * full.height() <= MAX_PIXELS:
        return asked, ""
    area = max(source.width() * source.height(), 1.0)
    fit = min(asked, MAX_SIDE / source.width(), MAX_SIDE / source.height(),
              math.sqrt(MAX_PIXELS / area))
    scale = math.floor(fit * 100) / 100  # a figure the message can name
    while scale >= MIN_SCALE and _too_big(_pixels(source, scale)):
        scale = round(scale - 0.01, 2)  # rounding up to whole pixels can overshoot
    limit = f"{MAX_SIDE:,} px a side and {MAX_PIXELS:,} pixels in all"
    wanted = f"{full.width():,}×{full.height():,} px at {asked:g}×"
    if scale < MIN_SCALE:
        raise ImageExportError(
            f"the graph is too large for a PNG: it would be {wanted}, and a PNG is kept "
            f"within {limit}, which would need a scale below {MIN_SCALE:g}× (text too small "
            "to read); export an SVG instead, which has no pixel size. Nothing was written")
    return scale, (f"drawn at {scale:g}× instead of {asked:g}×: {wanted} is past the PNG "
                   f"limit of {limit}")


def _too_big(size: QSize) -> bool:
    return max(size.width(), size.height()) > MAX_SIDE or \
        size.width() * size.height() > MAX_PIXELS


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
               background: QColor | None = None, margin: float = MARGIN) -> Exported:
    """Render the scene's items (with ``margin`` around them) to a PNG ``scale`` pixels per
    scene unit (lowered to fit MAX_SIDE and MAX_PIXELS, as the result's note says), on
    ``background`` (None: the scene's). Raises ImageExportError, writing nothing, when the
    picture cannot be made or written."""
    source = _source_rect(scene, margin)
    used, note = png_scale(source, scale)
    size = _pixels(source, used)
    # On an opaque background every pixel is: no alpha channel to write (a quarter less
    # data for the encoder, the same colours).
    opaque = (_background(scene) if background is None else background).alpha() == 255
    image = QImage(size, QImage.Format.Format_RGB32 if opaque
                   else QImage.Format.Format_ARGB32_Premultiplied)
    if image.isNull():  # Qt returns a null image when the memory cannot be had
        raise ImageExportError(f"not enough memory for a {size.width():,}×{size.height():,} "
                               "px image; try a smaller scale or an SVG. Nothing was written")
    image.setDevicePixelRatio(1.0)
    _paint(scene, image, QRectF(0, 0, size.width(), size.height()), source, background)
    _write(path, lambda out: image.save(out, "PNG", PNG_QUALITY))
    return Exported(size, used, note)


def export_svg(scene: QGraphicsScene, path: str, background: QColor | None = None,
               margin: float = MARGIN) -> Exported:
    """Render the scene's items (with ``margin`` around them) to an SVG drawing on
    ``background`` (None: the scene's); its size in canvas units, at scale 1."""
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
    return Exported(size, 1.0)


def export_file(scene: QGraphicsScene, path: str, scale: float = PNG_SCALE,
                background: QColor | None = None, margin: float = MARGIN) -> Exported:
    """PNG or SVG, chosen by the file's suffix (an SVG has no pixel scale)."""
    suffix = os.path.splitext(path)[1].lower()
    if suffix == ".png":
        return export_png(scene, path, scale, background, margin)
    if suffix == ".svg":
        return export_svg(scene, path, background, margin)
    raise ImageExportError(f"{os.path.basename(path)}: choose a name ending in .png or .svg")
