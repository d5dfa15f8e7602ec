"""Plots for the Learn docks that stay legible in a short right column: a plot that asks for
no more than its minimum height (pyqtgraph asks for 480 px, which made a scrolled dock push
its plot out of sight), and a legend that sits above the data area, in the plot's own
layout, so it never covers a curve or a point (pyqtgraph's own legend floats over the view
box at a fixed offset); and a log axis whose tick labels do not print over each other."""

from __future__ import annotations

import math

import pyqtgraph as pg
from PySide6.QtCore import QSize

TITLE_ROW = 0  # PlotItem's layout: title (row 0), top axis (1), view box (2), bottom axis (3)


class ShortPlot(pg.PlotWidget):
    """A PlotWidget whose preferred height is its minimum height: it grows into the room a
    dock has, but never makes the dock's content taller than the dock."""

    def sizeHint(self) -> QSize:
        return QSize(super().sizeHint().width(), self.minimumHeight())


class _LaidOutLegend(pg.LegendItem):
    """A LegendItem sized by the layout it sits in rather than placing itself at (0, 0)."""

    def updateSize(self) -> None:
        self.updateGeometry()


def legend_above(plot: pg.PlotWidget, columns: int = 2) -> pg.LegendItem:
    """Give ``plot`` a legend in its title row, above the view box, entries side by side in
    ``columns``; curves added later with a name join it (it is the PlotItem's legend)."""
    item = plot.getPlotItem()
    legend = _LaidOutLegend(offset=None, colCount=columns)
    item.layout.removeItem(item.titleLabel)  # unused: the dock titles the plot
    item.titleLabel.hide()
    item.layout.addItem(legend, TITLE_ROW, 1)
    item.legend = legend
    return legend


class LossAxis(pg.AxisItem):
    """The loss axis. On a log scale pyqtgraph labels every tick from 2 to 9 in a decade, and
    0.07, 0.08, 0.09 and 0.1 print over each other; this one keeps 1, 2 and 5 of each decade
    (the decades themselves come in this level too when the range spans only a few)."""

    def logTickStrings(self, values: list[float], scale: float,
                       spacing: float | None) -> list[str]:
        strings = super().logTickStrings(values, scale, spacing)
        low, high = sorted(self.range)
        if spacing is not None or high - low < 1:  # decades; or under one: room for all
            return strings
        return [text if round(10 ** (v - math.floor(v))) in (1, 2, 5) else ""
                for text, v in zip(strings, values)]
