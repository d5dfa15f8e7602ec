"""Every colour, size, z-value and font the canvas uses, in a light and a dark palette.

The palette follows the system (a dark window colour picks the dark theme); ``set_dark`` lets a
later toggle override it. Items read ``current()`` at paint time, so a switch is one repaint.
theme_switch.apply_theme switches everything at once: canvas, items, widget palette, icons.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QGuiApplication,
    QPalette,
    QPen,
)

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

    import pyqtgraph as pg

# --- geometry (scene units) -------------------------------------------------------------
NODE_WIDTH = 120.0  # the narrowest node; a node widens for its name and its numbers
NODE_MAX_WIDTH = 240.0
HEADER_HEIGHT = 24.0
ROW_HEIGHT = 18.0
LINE_HEIGHT = 15.0  # one line of a tensor's number grid
TEXT_SIDE = 8.0  # text margin inside the node's left and right edges
BODY_PAD = 5.0
CORNER = 6.0
PORT_RADIUS = 4.5
# What sticks out of the body: ports and their lit ring at the sides, the order badge at the
# top left, the shadow and the outline below. Counted as part of the node everywhere.
OUTSET_X = 8.0
OUTSET_TOP = 9.0
OUTSET_BOTTOM = 7.0
PORT_HIT = 11.0  # half-size of the square that counts as "on a port": generous on purpose
WIRE_WIDTH = 2.0
GRID_STEP = 24.0
LOD_TEXT = 0.45  # below this zoom, nodes drop text and ports
LOD_WIRES = 0.2  # below this, wires draw as straight hairlines
# Below this zoom a block is a few pixels high and its 2-pixel outline leaves a sliver of its
# colour: an outlined block is filled in the outline's colour instead. It reads as selected
# all the same, and stroking 10k selected blocks was a third of each zoomed-out repaint.
LOD_SOLID_OUTLINE = 4.0 / (HEADER_HEIGHT + ROW_HEIGHT)

# --- stacking order ---------------------------------------------------------------------
Z_WIRE = -1.0
Z_NODE = 0.0
Z_NODE_SELECTED = 1.0
Z_DRAG_WIRE = 5.0

FLASH_MS = 1600  # how long a refused cycle stays lit
# The first-run hint: a note-yellow banner, readable on the light and the dark canvas alike.
HINT_STYLE = ("#first_run_hint { background: #fff6d6; border: 1px solid #e0b84a;"
              " border-radius: 6px; } QLabel { color: #4a3b00; }")


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
    tangent_text: QColor  # forward mode's ∂v/∂w: apart from both values and gradients
    error: QColor
    flash: QColor
    shadow: QColor
    categories: dict[str, QColor] = field(default_factory=dict)
    plot: dict[str, QColor] = field(default_factory=dict)  # role -> colour, see _PLOT


def _c(text: str, alpha: int = 255) -> QColor:
    color = QColor(text)
    color.setAlpha(alpha)
    return color


_CATEGORY_HUES = {  # one hue per palette group; the dark variant is a touch brighter but
    # still dark enough for the white header text (contrast >= 3.5 on both)
    "Leaves": ("#2f7dd1", "#3a80d2"),
    "Arithmetic": ("#7a5bd6", "#7c60d8"),
    "Functions": ("#13977d", "#138f77"),
    "Activations": ("#d7772a", "#c46a22"),
    "Tensors": ("#b8458f", "#b44a93"),
    "Losses": ("#c8463e", "#cc4d44"),
}

_PLOT = {  # the pyqtgraph plots by role; curves are brighter on dark, where the deep
    # light-theme hues sink into the background
    "axis": ("#677085", "#9aa2b3"),  # axis lines
    "text": ("#1d2330", "#e8eaf0"),  # tick labels, axis labels, legend
    "grid": ("#677085", "#b4bbc9"),  # pyqtgraph draws the grid at a quarter of this
    "backprop": ("#2b8a3e", "#51cf66"),
    "finite_diff": ("#c92a2a", "#ff6b6b"),
    "loss": ("#d9480f", "#ff922b"),
}

LIGHT = Palette(
    "light", canvas=_c("#f4f5f8"), grid=_c("#c5c9d3"), node_body=_c("#ffffff"),
    node_border=_c("#d3d7df"), node_text=_c("#1d2330"), node_muted=_c("#677085"),
    selection=_c("#ff9f1c"), wire=_c("#8a93a6"), wire_selected=_c("#ff9f1c"),
    port=_c("#9aa3b5"), port_ok=_c("#20b26b"), value_text=_c("#1f5fa8"),
    grad_text=_c("#b4441d"), tangent_text=_c("#1b7f3b"), error=_c("#d93025"),
    flash=_c("#e53935"),
    shadow=_c("#000000", 28),
    categories={k: _c(v[0]) for k, v in _CATEGORY_HUES.items()},
    plot={k: _c(v[0]) for k, v in _PLOT.items()},
)

DARK = Palette(
    "dark", canvas=_c("#1c1f26"), grid=_c("#3a3f4b"), node_body=_c("#2a2e37"),
    node_border=_c("#3d4350"), node_text=_c("#e8eaf0"), node_muted=_c("#9aa2b3"),
    selection=_c("#ffb347"), wire=_c("#7d8596"), wire_selected=_c("#ffb347"),
    port=_c("#7d8596"), port_ok=_c("#3ddc84"), value_text=_c("#7cb8ff"),
    grad_text=_c("#ff9e6b"), tangent_text=_c("#6fdc8c"), error=_c("#ff5c50"),
    flash=_c("#ff5252"),
    shadow=_c("#000000", 70),
    categories={k: _c(v[1]) for k, v in _CATEGORY_HUES.items()},
    plot={k: _c(v[1]) for k, v in _PLOT.items()},
)

_override: bool | None = None
_current: Palette | None = None  # cached: items read it in every paint()
_system_saved: QPalette | None = None  # the platform's palette while ours is on the widgets


def system_is_dark() -> bool:
    """Whether the desktop asks for dark: Qt 6.5+'s colour scheme when the platform knows it,
    else the lightness of the system window colour."""
    if QGuiApplication.instance() is None:
        return False
    scheme = QGuiApplication.styleHints().colorScheme()
    if scheme != Qt.ColorScheme.Unknown:
        return scheme == Qt.ColorScheme.Dark
    system = _system_saved if _system_saved is not None else QGuiApplication.palette()
    return system.window().color().lightness() < 128


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


@contextmanager
def palette_as(name: str | None) -> Iterator[Palette]:
    """Paint with the "light" or "dark" palette inside the block (None: the current one),
    whatever the application wears: an exported picture chooses its own theme."""
    global _current
    saved = _current
    if name is not None:
        _current = DARK if name == "dark" else LIGHT
        wire_pen.cache_clear()
    try:
        yield current()
    finally:
        if name is not None:
            _current = saved
            wire_pen.cache_clear()


def current() -> Palette:
    global _current
    if _current is None:
        dark = system_is_dark() if _override is None else _override
        _current = DARK if dark else LIGHT
    return _current


@cache
def wire_pen(state: str) -> QPen:
    """The pen of a wire in ``state``: asked once per state per paint, never per wire."""
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


def pixel_pen(pen: QPen, width: float) -> QPen:
    """A copy of ``pen`` drawn ``width`` pixels wide at any zoom: zoomed far out, a width in
    scene units thins to nothing."""
    pen = QPen(pen)
    pen.setCosmetic(True)
    pen.setWidthF(width)
    return pen


def category_color(category: str) -> QColor:
    return current().categories.get(category, current().node_muted)


# --- fonts: built once, after the QApplication exists -----------------------------------
# Sized in pixels (scene units), not points: node geometry then does not depend on the
# screen's dpi, and text on screen is exactly size × zoom pixels tall.
FONT_PX = {"title": 12, "symbol": 13, "port": 11, "value": 12, "badge": 10}
READABLE_PX = 9.0  # the smallest value text a fit aims for on screen
READABLE_ZOOM = READABLE_PX / FONT_PX["value"]


@cache
def font(role: str) -> QFont:
    """Fonts by role: title (node name), symbol (op glyph), port, value, badge, palette."""
    weight = {"title": QFont.Weight.DemiBold, "symbol": QFont.Weight.Bold,
              "port": QFont.Weight.Normal, "value": QFont.Weight.Medium,
              "badge": QFont.Weight.Bold}[role]
    f = QFont()
    f.setPixelSize(FONT_PX[role])
    f.setWeight(weight)
    if role == "value":
        f.setStyleHint(QFont.StyleHint.Monospace)
        f.setFamilies(["DejaVu Sans Mono", "Menlo", "Consolas", "monospace"])
    return f


@cache
def metrics(role: str) -> QFontMetricsF:
    return QFontMetricsF(font(role))


# --- widget colours: docks, menus and dialogs match the canvas -------------------------

def widget_palette(pal: Palette) -> QPalette:
    """A QPalette for docks, menus and dialogs that matches the canvas palette ``pal``."""
    Role, Group = QPalette.ColorRole, QPalette.ColorGroup
    window, base = pal.node_body, pal.canvas.darker(112)
    qp = QPalette(window)  # derives Light/Mid/Dark/Shadow from the window colour
    for role, color in ((Role.Window, window), (Role.WindowText, pal.node_text),
                        (Role.Base, base), (Role.AlternateBase, pal.canvas),
                        (Role.Text, pal.node_text), (Role.Button, pal.node_border),
                        (Role.ButtonText, pal.node_text), (Role.ToolTipBase, pal.node_border),
                        (Role.ToolTipText, pal.node_text), (Role.PlaceholderText, pal.node_muted),
                        (Role.BrightText, pal.error), (Role.Link, pal.value_text),
                        (Role.Highlight, pal.categories["Leaves"]),
                        (Role.HighlightedText, QColor("white"))):
        qp.setColor(role, color)
    for role in (Role.WindowText, Role.Text, Role.ButtonText):
        qp.setColor(Group.Disabled, role, pal.node_muted.darker(130))
    return qp


def apply_widget_palette(dark: bool) -> None:
    """Dress the widgets to match; the system's own palette whenever it already matches."""
    global _system_saved
    from PySide6.QtWidgets import QApplication
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        return
    if dark == system_is_dark():
        if _system_saved is not None:  # hand the widgets back to the platform
            _system_saved = None
            QApplication.setPalette(QPalette())
        return
    if _system_saved is None:
        _system_saved = QPalette(QGuiApplication.palette())
    if QApplication.style().name().lower() == "windowsvista":
        QApplication.setStyle("fusion")  # the native Windows style ignores palettes
    QApplication.setPalette(widget_palette(DARK) if dark
                            else QApplication.style().standardPalette())


def style_plot(plot: pg.PlotWidget, curves: Mapping[str, pg.PlotDataItem]) -> None:
    """Dress ``plot`` in the current palette: axis lines, grid, tick and axis labels, legend
    text, and each curve of ``curves`` (role -> item) in its role's colour. pyqtgraph copies
    colours into its items, so this runs again on every switch."""
    colors = current().plot
    item = plot.getPlotItem()
    for name in ("left", "bottom"):  # top and right stay hidden
        axis = item.getAxis(name)
        axis.setPen(colors["axis"])  # also recolours the axis label, so that comes after
        axis.setTickPen(colors["grid"])  # with the grid on, the ticks are the grid lines
        axis.setTextPen(colors["text"])
        if axis.labelText:
            axis.setLabel(axis.labelText, axis.labelUnits or None, color=colors["text"].name())
    legend = item.legend
    if legend is not None:
        legend.setLabelTextColor(colors["text"])
        for _sample, label in legend.items:
            label.setText(label.text)  # the new colour shows only from the next setText
    for role, curve in curves.items():
        curve.setPen(pixel_pen(QPen(colors[role]), 2.0))  # 2 pixels whatever the (log) scale
        curve.setSymbolPen(colors[role])
        curve.setSymbolBrush(colors[role])
    plot.resetCachedContent()  # the background is cached in the old palette's colours
