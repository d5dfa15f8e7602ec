"""Toolbar, menu and palette icons from resources/icons/*.svg, in a light and a dark variant.

Every SVG draws its neutral strokes in BASE_COLOR; on a dark palette that colour is swapped for
a light grey before rendering, so one file serves both themes. Accent colours read on both.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from PySide6.QtCore import QByteArray, QRectF, Qt
from PySide6.QtGui import QAction, QColor, QFont, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QWidget

from cgeditor.gui import theme
from cgeditor.paths import resource

BASE_COLOR = "#5a6478"
DARK_BASE_COLOR = "#c3cad6"
# Physical pixel sizes rendered into each QIcon: 16–48 logical at 1× and 2× device pixel ratio.
PIXEL_SIZES = (16, 20, 24, 32, 40, 48, 64, 96)

try:  # QtSvg ships in PySide6-Essentials; the fallbacks keep icons working without it
    from PySide6.QtSvg import QSvgRenderer
except ImportError:  # pragma: no cover - depends on the wheel
    QSvgRenderer = None


def icon_dir() -> Path:
    return resource("icons")


def icon_path(name: str) -> Path:
    return icon_dir() / f"{name}.svg"


def names() -> list[str]:
    """Every icon that ships, by name (an action objectName or ``category_<lowercase>``)."""
    return sorted(p.stem for p in icon_dir().glob("*.svg"))


def category_icon_name(category: str) -> str:
    return f"category_{category.lower()}"


def is_dark() -> bool:
    """True when the editor's theme is dark."""
    return theme.current().name == "dark"


def svg_bytes(name: str, dark: bool) -> bytes:
    data = icon_path(name).read_bytes()
    if dark:
        data = data.replace(BASE_COLOR.encode(), DARK_BASE_COLOR.encode())
    return data


def _render(data: bytes, size: int) -> QPixmap | None:
    if QSvgRenderer is None:
        return None
    renderer = QSvgRenderer(QByteArray(data))
    if not renderer.isValid():
        return None
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    return pixmap


def _letter_pixmap(name: str, size: int, dark: bool) -> QPixmap:
    """Last resort when no SVG renderer exists: the name's first letter in a rounded box."""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    color = QColor(DARK_BASE_COLOR if dark else BASE_COLOR)
    painter.setPen(color)
    inset = size * 0.1
    painter.drawRoundedRect(QRectF(inset, inset, size - 2 * inset, size - 2 * inset),
                            size * 0.18, size * 0.18)
    font = QFont()
    font.setPixelSize(max(6, int(size * 0.55)))
    painter.setFont(font)
    painter.drawText(QRectF(0, 0, size, size), Qt.AlignmentFlag.AlignCenter, name[:1].upper())
    painter.end()
    return pixmap


@cache
def _icon(name: str, dark: bool) -> QIcon:
    if not icon_path(name).is_file():
        return QIcon()
    data = svg_bytes(name, dark)
    result = QIcon()
    for size in PIXEL_SIZES:
        pixmap = _render(data, size)
        if pixmap is None:
            # Qt's own SVG icon engine scales at any DPR; only the light variant is possible.
            return QIcon(str(icon_path(name))) if not dark else _fallback(name, dark)
        _add(result, pixmap)
    return result


def _fallback(name: str, dark: bool) -> QIcon:
    result = QIcon()
    for size in PIXEL_SIZES:
        _add(result, _letter_pixmap(name, size, dark))
    return result


DISABLED_OPACITY = 0.3


def _add(icon: QIcon, pixmap: QPixmap) -> None:
    """``pixmap`` as the icon's normal look, and faded as its disabled look. Qt's own
    disabled look greys the pixmap, which on a dark palette is what the light strokes
    already are: a disabled button looked enabled."""
    icon.addPixmap(pixmap, QIcon.Mode.Normal)
    faded = QPixmap(pixmap.size())
    faded.fill(Qt.GlobalColor.transparent)
    painter = QPainter(faded)
    painter.setOpacity(DISABLED_OPACITY)
    painter.drawPixmap(0, 0, pixmap)
    painter.end()
    icon.addPixmap(faded, QIcon.Mode.Disabled)


def icon(name: str, dark: bool | None = None) -> QIcon:
    """The icon ``name`` for the current palette (or the one asked for); null if none ships."""
    return _icon(name, is_dark() if dark is None else dark)


def category_icon(category: str, dark: bool | None = None) -> QIcon:
    """The icon of an op category from the registry's CATEGORIES."""
    return icon(category_icon_name(category), dark)


def apply_icons(window: QWidget, dark: bool | None = None) -> int:
    """Set the icon of every action under ``window`` whose objectName has one; call again
    after a theme switch. Returns how many actions got an icon."""
    available = set(names())
    count = 0
    for action in window.findChildren(QAction):
        name = action.objectName()
        if name in available:
            action.setIcon(icon(name, dark))
            count += 1
    return count
