"""The run rows of a node: its value and gradient lines, a small tensor's number grids and
a larger one's heatmaps, painted into the rows the node's NodeBox reserves."""

from __future__ import annotations

import re
from functools import lru_cache

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QPainter, QStaticText

from cgeditor.gui import theme as T
from cgeditor.gui.canvas.node_geometry import NodeBox
from cgeditor.gui.canvas.node_thumbnail import grid_rule, paint_grid, paint_thumbs
from cgeditor.model.display import NodeDisplay

_MIDDLE = Qt.TextElideMode.ElideMiddle
# An error is a sentence: its start says what broke ('⚠ origin: log at…'); cut in its
# middle it read '⚠ orig…m down'. The tooltip has it whole.
_RIGHT = Qt.TextElideMode.ElideRight
# a tensor's shape and range at the end of a row: '(200, 200) [−4.494, 4.732]', or the
# one number all its elements hold: '(200, 200) all 0.0003104'
_RANGE = re.compile(r"(\(\d[\d, ]*\)) (?:\[[^\]]*\]|all \S+)$")


@lru_cache(maxsize=4096)
def _line(text: str) -> QStaticText:
    static = QStaticText(text)
    static.setTextFormat(Qt.TextFormat.PlainText)
    static.prepare(font=T.font("value"))
    return static


def elided(text: str, width: float) -> str:
    """``text`` fitted to ``width`` in the value font. A row 'label = number' keeps its
    number whole and gives up the middle of its label ('∂J/∂wei…ayer = −4'); other text
    loses its middle. A tensor's range too wide for the row is left out whole
    ('= (200, 200) […]'): cut in its middle it ran into the shape, '(200, 2…4, 4.732]'.
    The tooltip and the inspector show the rest, the Trace the range."""
    metrics = T.metrics("value")
    if metrics.horizontalAdvance(text) <= width:
        return text
    text = _RANGE.sub(r"\1 […]", text)
    if metrics.horizontalAdvance(text) <= width:
        return text
    label, sep, number = text.partition(" = ")
    if sep:
        rest = sep + number
        room = width - metrics.horizontalAdvance(rest)
        if room >= metrics.horizontalAdvance("∂J/…x"):
            return metrics.elidedText(label, _MIDDLE, room) + rest
    return metrics.elidedText(text, _MIDDLE, width)


def fitted_rows(box: NodeBox, rows: list[tuple[str, str]], stale: bool = False) -> list[str]:
    """The texts of ``rows`` (kind, text) as the node paints them: fitted to its width,
    the value row beside the 'stale' tag when the numbers are stale."""
    room = box.width - 2 * T.TEXT_SIDE
    tag = T.metrics("badge").horizontalAdvance("stale") + 6 if stale else 0.0
    return [T.metrics("value").elidedText(text, _RIGHT, room) if kind == "error"
            else elided(text, room - (tag if kind == "value" else 0.0)) for kind, text in rows]


def paint_info(painter: QPainter, display: NodeDisplay, box: NodeBox,
               rows: list[tuple[str, str]]) -> None:
    """The rows ``rows`` (kind, text) from NodeItem.info_rows, then grids or heatmaps."""
    pal = T.current()
    colors = {"value": pal.value_text, "error": pal.error,
              "grad": pal.tangent_text if display.tangent_of else pal.grad_text}
    stale = display.stale
    painter.setFont(T.font("value"))
    text_h = T.metrics("value").height()
    for (kind, _), text in zip(rows, fitted_rows(box, rows, stale)):
        top = box.value_top if kind == "value" else box.grad_top
        painter.setPen(pal.node_muted if stale and kind != "error" else colors[kind])
        painter.drawStaticText(QPointF(T.TEXT_SIDE, top + (T.ROW_HEIGHT - text_h) / 2),
                               _line(text))
    for grid, top, kind in ((display.grid, box.value_grid_top(), "value"),
                            (display.grad_grid, box.grad_grid_top(), "grad")):
        if grid is not None and box.grid is not None:
            grid_rule(painter, box, top, grid.rows)
            paint_grid(painter, grid, box, top,
                       pal.node_muted if stale else colors[kind])
    if display.heatmap is not None or display.grad_heatmap is not None:
        paint_thumbs(painter, display, box)
    if stale:
        painter.setFont(T.font("badge"))
        painter.setPen(pal.node_muted)
        painter.drawText(QRectF(0, box.value_top, box.width - 6, T.ROW_HEIGHT),
                         Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, "stale")
