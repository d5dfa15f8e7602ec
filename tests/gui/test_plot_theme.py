"""The Learn docks' plots follow View > Theme: axis lines, grid, tick and axis labels, legend
text and curves take the palette's plot colours on a switch and give them back on the next;
the loss axis labels 1, 2 and 5 of each decade instead of every crowded minor tick."""

from __future__ import annotations

import math

import pytest
from PySide6.QtGui import QColor, QTextCursor
from PySide6.QtWidgets import QApplication, QGraphicsTextItem

from cgeditor.gui import theme as T
from cgeditor.gui.docks import cost as cost_dock
from cgeditor.model.examples import load_example


@pytest.fixture
def learn(window):
    """The Learn docks of the seed window; afterwards the theme follows the system again."""
    yield window.learning
    window.action("theme_system").trigger()


@pytest.fixture
def scaled(qtbot, learn, monkeypatch):
    """The cost panel after a (small) Scale it run, both curves drawn."""
    monkeypatch.setattr(cost_dock, "SCALE_PS", (10, 20, 40))
    monkeypatch.setattr(cost_dock, "SCALE_BUDGET", 0.05)
    learn.show("cost")
    with qtbot.waitSignal(learn.cost.scaled, timeout=30_000):
        learn.cost.start_scale()
    return learn.cost


@pytest.fixture
def trained(qtbot, learn, window):
    """The training panel after 20 steps of XOR: a loss curve with points on it."""
    window.set_graph(load_example("xor"))
    learn.show("train")
    learn.train.steps.setValue(20)
    with qtbot.waitSignal(learn.train.stopped, timeout=30_000):
        learn.train.start()
    return learn.train


def text_color(item: QGraphicsTextItem) -> QColor:
    """The colour the text item's first character is drawn in."""
    cursor = QTextCursor(item.document())
    cursor.movePosition(QTextCursor.MoveOperation.NextCharacter)
    return cursor.charFormat().foreground().color()


def assert_axes_in(plot, pal: T.Palette) -> None:
    for name in ("left", "bottom"):
        axis = plot.getAxis(name)
        assert axis.pen().color() == pal.plot["axis"], name
        assert axis.tickPen().color() == pal.plot["grid"], name  # the grid lines
        assert axis.textPen().color() == pal.plot["text"], name
        assert text_color(axis.label).name() == pal.plot["text"].name(), name


def assert_curve_in(curve, color: QColor) -> None:
    assert curve.opts["pen"].color() == color
    assert curve.opts["symbolPen"].color() == color
    assert curve.opts["symbolBrush"].color() == color


def background_lightness(plot) -> int:
    """Lightness of the plot's top-left corner, outside the axes: the dock shows through."""
    QApplication.processEvents()  # widgets take the new palette from a posted event
    return plot.grab().toImage().pixelColor(3, 3).lightness()


def test_palettes_give_every_plot_role_a_colour_per_theme() -> None:
    roles = {"axis", "text", "grid", "backprop", "finite_diff", "loss"}
    assert set(T.LIGHT.plot) == set(T.DARK.plot) == roles
    for role in ("text", "backprop", "finite_diff", "loss"):  # dark ones read on dark
        assert T.DARK.plot[role].lightness() > T.LIGHT.plot[role].lightness(), role


def test_scale_plot_switches_to_dark_and_back(qtbot, scaled, window) -> None:
    plot, curves = scaled.plot, scaled.plot.getPlotItem().listDataItems()
    legend_labels = [label for _sample, label in plot.getPlotItem().legend.items]
    assert len(curves) == 2 and len(legend_labels) == 2
    for pal, choice in ((T.DARK, "theme_dark"), (T.LIGHT, "theme_light")):
        window.action(choice).trigger()
        assert_axes_in(plot, pal)
        assert_curve_in(curves[0], pal.plot["backprop"])
        assert_curve_in(curves[1], pal.plot["finite_diff"])
        for label in legend_labels:
            assert text_color(label.item).name() == pal.plot["text"].name()
        assert (background_lightness(plot) < 128) is (pal is T.DARK)  # no stale cache


def test_a_run_in_dark_draws_its_curves_in_the_dark_colours(qtbot, learn, window,
                                                           monkeypatch) -> None:
    monkeypatch.setattr(cost_dock, "SCALE_PS", (10, 20))
    monkeypatch.setattr(cost_dock, "SCALE_BUDGET", 0.05)
    window.action("theme_dark").trigger()
    panel = learn.cost
    with qtbot.waitSignal(panel.scaled, timeout=30_000):
        panel.start_scale()
    backprop, finite_diff = panel.plot.getPlotItem().listDataItems()
    assert_curve_in(backprop, T.DARK.plot["backprop"])
    assert_curve_in(finite_diff, T.DARK.plot["finite_diff"])
    assert_axes_in(panel.plot, T.DARK)


def test_loss_plot_switches_to_dark_and_back(trained, window) -> None:
    plot = trained.plot
    _x, y = trained.curve.getOriginalDataset()
    assert len(y) == 20
    for pal, choice in ((T.DARK, "theme_dark"), (T.LIGHT, "theme_light")):
        window.action(choice).trigger()
        assert_axes_in(plot, pal)
        assert trained.curve.opts["pen"].color() == pal.plot["loss"]
        assert (background_lightness(plot) < 128) is (pal is T.DARK)


def test_a_floating_dock_still_follows_the_theme(learn, window) -> None:
    dock = learn.docks["train"]
    learn.show("train")
    dock.setFloating(True)
    window.action("theme_dark").trigger()
    assert learn.train.plot.getAxis("left").textPen().color() == T.DARK.plot["text"]


def test_log_loss_axis_labels_one_two_five_of_each_decade(learn) -> None:
    plot = learn.train.plot
    plot.setLogMode(False, True)
    plot.setYRange(math.log10(0.006), math.log10(0.3), padding=0)
    axis = plot.getAxis("left")
    shown = set()
    for spacing, values in axis.tickValues(*axis.range, 200):
        shown |= {s for s in axis.tickStrings(values, 1.0, spacing) if s}
    assert shown == {"0.01", "0.02", "0.05", "0.1", "0.2"}
    plot.setYRange(math.log10(0.2), math.log10(0.9), padding=0)  # under a decade: room
    shown = set()
    for spacing, values in axis.tickValues(*axis.range, 200):
        shown |= {s for s in axis.tickStrings(values, 1.0, spacing) if s}
    assert {"0.3", "0.4", "0.7"} <= shown
