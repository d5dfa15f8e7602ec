"""Every colour, size, z-value and font the canvas uses, in a light and a dark palette.

The palette follows the system (a dark window colour picks the dark theme); ``set_dark`` lets a
later toggle override it. Items read ``current()`` at paint time, so a switch is one repaint.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QGuiApplication, QPen

# --- geometry (scene units) -------------------------------------------------------------
NODE_WIDTH = 156.0
HEADER_HEIGHT = 30.0
ROW_HEIGHT = 22.0
BODY_PAD = 6.0
CORNER = 7.0
PORT_RADIUS = 5.0
PORT_HIT = 11.0  # half-size of the square that counts as "on a port": generous on purpose
WIRE_WIDTH = 2.0
GRID_STEP = 24.0
LOD_TEXT = 0.45  # below this zoom, nodes drop text and ports
LOD_WIRES = 0.2  # below this, wires draw as straight hairlines

# --- stacking order ---------------------------------------------------------------------
Z_WIRE = -1.0
Z_NODE = 0.0
Z_NODE_SELECTED = 1.0
Z_DRAG_WIRE = 5.0

FLASH_MS = 1600  # how long a refused cycle stays lit


@dataclass(frozen=True)
class Palette:
    """One complete colour scheme."""

    name: str
    canvas: QColor
    grid: QColor
    node_body: QColor
    node_border: QColor
    node_text: QColor
    node_muted: QColor
    selection: QColor
    wire: QColor
    wire_selected: QColor
    port: QColor
    port_ok: QColor
    value_text: QColor
    grad_text: QColor
    error: QColor
    flash: QColor
    shadow: QColor
    categories: dict[str, QColor] = field(default_factory=dict)


def _c(text: str, alpha: int = 255) -> QColor:
    color = QColor(text)
    color.setAlpha(alpha)
    return color


_CATEGORY_HUES = {  # one hue per palette group; light and dark share them, tuned in value
    "Leaves": ("#2f7dd1", "#5aa2ee"),
    "Arithmetic": ("#7a5bd6", "#9d85ee"),
    "Functions": ("#13977d", "#37c2a4"),
    "Activations": ("#d7772a", "#f0a052"),
    "Tensors": ("#b8458f", "#de6fb5"),
    "Losses": ("#c8463e", "#ec6d63"),
}

LIGHT = Palette(
    "light", canvas=_c("#f4f5f8"), grid=_c("#c5c9d3"), node_body=_c("#ffffff"),
    node_border=_c("#d3d7df"), node_text=_c("#1d2330"), node_muted=_c("#677085"),
    selection=_c("#ff9f1c"), wire=_c("#8a93a6"), wire_selected=_c("#ff9f1c"),
    port=_c("#9aa3b5"), port_ok=_c("#20b26b"), value_text=_c("#1f5fa8"),
    grad_text=_c("#b4441d"), error=_c("#d93025"), flash=_c("#e53935"),
    shadow=_c("#000000", 28),
    categories={k: _c(v[0]) for k, v in _CATEGORY_HUES.items()},
)

DARK = Palette(
    "dark", canvas=_c("#1c1f26"), grid=_c("#3a3f4b"), node_body=_c("#2a2e37"),
    node_border=_c("#3d4350"), node_text=_c("#e8eaf0"), node_muted=_c("#9aa2b3"),
    selection=_c("#ffb347"), wire=_c("#7d8596"), wire_selected=_c("#ffb347"),
    port=_c("#7d8596"), port_ok=_c("#3ddc84"), value_text=_c("#7cb8ff"),
    grad_text=_c("#ff9e6b"), error=_c("#ff5c50"), flash=_c("#ff5252"),
    shadow=_c("#000000", 70),
    categories={k: _c(v[1]) for k, v in _CATEGORY_HUES.items()},
)

_override: bool | None = None
_current: Palette | None = None  # cached: items read it in every paint()


def system_is_dark() -> bool:
    app = QGuiApplication.instance()
    if app is None:
        return False
    return QGuiApplication.palette().window().color().lightness() < 128


def set_dark(dark: bool | None) -> None:
    """Force the dark (True) or light (False) palette; None follows the system again."""
    global _override
    _override = dark
    refresh()


def refresh() -> None:
    """Forget the cached palette (after a system palette change or a toggle)."""
    global _current
    _current = None
    wire_pen.cache_clear()


def current() -> Palette:
    global _current
    if _current is None:
        dark = system_is_dark() if _override is None else _override
        _current = DARK if dark else LIGHT
    return _current


@cache
def wire_pen(state: str) -> QPen:
    """The pen of a wire in ``state``, shared by every wire (10k pens cost real time)."""
    pal = current()
    color, width, style = {
        "normal": (pal.wire, WIRE_WIDTH, Qt.PenStyle.SolidLine),
        "highlight": (pal.wire_selected, WIRE_WIDTH + 1, Qt.PenStyle.SolidLine),
        "dim": (pal.grid, WIRE_WIDTH, Qt.PenStyle.SolidLine),
        "flash": (pal.flash, WIRE_WIDTH + 1.5, Qt.PenStyle.SolidLine),
        "ghost": (pal.flash, WIRE_WIDTH + 1, Qt.PenStyle.DashLine),
        "drag": (pal.port_ok, WIRE_WIDTH + 0.5, Qt.PenStyle.SolidLine),
    }[state]
    pen = QPen(color, width, style)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    return pen


def category_color(category: str) -> QColor:
    return current().categories.get(category, current().node_muted)


# --- fonts: built once, after the QApplication exists -----------------------------------
@cache
def font(role: str) -> QFont:
    """Fonts by role: title (node name), symbol (op glyph), port, value, badge, palette."""
    size, weight = {
        "title": (9.5, QFont.Weight.DemiBold), "symbol": (11.0, QFont.Weight.Bold),
        "port": (8.5, QFont.Weight.Normal), "value": (8.5, QFont.Weight.Medium),
        "badge": (7.5, QFont.Weight.Bold),
    }[role]
    f = QFont()
    f.setPointSizeF(size)
    f.setWeight(weight)
    if role == "value":
        f.setStyleHint(QFont.StyleHint.Monospace)
        f.setFamilies(["DejaVu Sans Mono", "Menlo", "Consolas", "monospace"])
    return f


@cache
def metrics(role: str) -> QFontMetricsF:
    return QFontMetricsF(font(role))
