"""Legibility of the docks in a 1280×800 window: with the Trace raised in the bottom strip,
every right-column dock shows its rows apart and at their full height (a short column
scrolls instead of squeezing), and a plot's legend never lies on its data."""

from __future__ import annotations

import re

import pyqtgraph as pg
import pytest
from PySide6.QtCore import QPoint, QPointF, QRect, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QDockWidget,
    QLabel,
    QLineEdit,
    QProgressBar,
    QScrollArea,
    QWidget,
)

from cgeditor.gui.docks import cost as cost_dock
from tests.gui.test_dock_layout import click_tab, dock, laptop  # noqa: F401 (fixture)

LEAVES = (QLabel, QAbstractButton, QAbstractItemView, QLineEdit, QComboBox, QAbstractSpinBox,
          QProgressBar, pg.PlotWidget)


def leaves(panel: QWidget) -> list[QWidget]:
    """The panel's shown controls, labels, tables and plots (not their own insides)."""
    found = [w for w in panel.findChildren(QWidget) if isinstance(w, LEAVES) and w.isVisible()]
    return [w for w in found if not any(o is not w and o.isAncestorOf(w) for o in found)]


def overlaps_and_squeezes(panel: QWidget) -> list[str]:
    """Pairs of the panel's leaves drawn over each other, and leaves shorter than they need
    (a wrapped label's lines, a widget's minimum size hint)."""
    shown = leaves(panel)
    rects = [QRect(w.mapTo(panel, QPoint(0, 0)), w.size()) for w in shown]
    faults = [f"{shown[i].objectName() or type(shown[i]).__name__} over "
              f"{shown[j].objectName() or type(shown[j]).__name__}"
              for i, a in enumerate(rects) for j, b in enumerate(rects[i + 1:], i + 1)
              if a.intersected(b).height() > 1 and a.intersected(b).width() > 1]
    for w in shown:
        need = w.heightForWidth(w.width()) if isinstance(w, QLabel) and w.wordWrap() \
            else w.minimumSizeHint().height()
        if w.height() < need:
            faults.append(f"{w.objectName() or type(w).__name__} squeezed to {w.height()} < {need}")
    return faults


def raise_trace(window, qtbot) -> None:
    window.action("backward").trigger()
    click_tab(window, qtbot, "Trace")
    assert window.findChild(QDockWidget, "trace").height() > 100  # it opened tall


@pytest.mark.parametrize("name", ["gradcheck", "cost", "train", "practice", "failure_lab"])
def test_right_column_docks_keep_their_rows_apart_with_the_trace_raised(laptop, qtbot,  # noqa: F811
                                                                         monkeypatch, name):
    monkeypatch.setattr(cost_dock, "SCALE_PS", (10, 20, 40))
    monkeypatch.setattr(cost_dock, "SCALE_BUDGET", 0.05)
    raise_trace(laptop, qtbot)
    learning = laptop.learning
    if name == "cost":
        with qtbot.waitSignal(learning.cost.measured, timeout=30_000):
            laptop.action("cost").trigger()  # Learn > Cost of Gradients
        with qtbot.waitSignal(learning.cost.scaled, timeout=30_000):
            qtbot.mouseClick(learning.cost.scale_button, Qt.MouseButton.LeftButton)
    elif name == "gradcheck":
        laptop.action("gradcheck").trigger()
        qtbot.waitUntil(lambda: learning.gradcheck.table.rowCount() > 0, timeout=30_000)
    else:
        learning.show(name)
    qtbot.wait(200)  # wrapped lines ask for their height one layout pass at a time
    column = [d for d in laptop.findChildren(QDockWidget) if d.isVisible()
              and laptop.dockWidgetArea(d) == Qt.DockWidgetArea.RightDockWidgetArea]
    assert {d.objectName() for d in column} >= {"inspector", name}
    for each in column:
        inner = each.widget()
        panel = inner.widget() if isinstance(inner, QScrollArea) else inner
        assert overlaps_and_squeezes(panel) == [], each.objectName()
    learn = dock(laptop, name)
    assert isinstance(learn.widget(), QScrollArea)  # what does not fit scrolls
    # The Trace gave back the room it grew by, so the Learn dock is not a sliver.
    assert learn.height() >= 300, learn.height()


def test_the_cost_legend_stays_off_the_data_after_scale_it(laptop, qtbot,  # noqa: F811
                                                            monkeypatch):
    monkeypatch.setattr(cost_dock, "SCALE_PS", (10, 20, 40))
    monkeypatch.setattr(cost_dock, "SCALE_BUDGET", 0.05)
    raise_trace(laptop, qtbot)
    panel = laptop.learning.cost
    with qtbot.waitSignal(panel.measured, timeout=30_000):
        laptop.action("cost").trigger()
    with qtbot.waitSignal(panel.scaled, timeout=30_000):
        qtbot.mouseClick(panel.scale_button, Qt.MouseButton.LeftButton)
    qtbot.wait(200)
    QApplication.processEvents()
    item = panel.plot.getPlotItem()
    legend = item.legend.sceneBoundingRect()
    data = item.vb.sceneBoundingRect()
    assert [label.text for _sample, label in item.legend.items] \
        == ["backprop: n + n", "finite differences: 2·p·n"]
    assert legend.height() > 10 and not legend.intersects(data)
    points = [item.vb.mapViewToScene(QPointF(x, y)) for curve in panel.curves.values()
              for x, y in zip(*curve.getData(), strict=True)]  # displayed (log10) units
    assert len(points) == 6  # both curves, at p = 10, 20, 40
    assert all(data.contains(pt) and not legend.contains(pt) for pt in points)
    assert panel.plot.height() >= cost_dock.PLOT_MIN_HEIGHT


def test_the_gradient_check_table_fits_the_dock_with_every_column_whole(laptop, qtbot):  # noqa: F811
    from cgeditor.model.examples import load_example
    laptop.set_graph(load_example("xor"))  # tensor inputs: long backprop and numeric cells
    laptop.action("gradcheck").trigger()  # Learn > Gradient Check, at the dock's own width
    table = laptop.learning.gradcheck.table
    qtbot.waitUntil(lambda: table.rowCount() == 6, timeout=30_000)
    QApplication.processEvents()
    header = table.horizontalHeader()
    assert header.length() <= table.viewport().width()
    assert not table.horizontalScrollBar().isVisible()
    metrics = table.fontMetrics()
    for col in (0, 3, 4, 5):  # input, the errors, result, method: shown whole
        texts = [line for r in range(table.rowCount()) for line in table.item(r, col).text()
                 .splitlines()] + table.horizontalHeaderItem(col).text().splitlines()
        assert header.sectionSize(col) >= max(map(metrics.horizontalAdvance, texts)), col
    assert table.item(0, 5).text() == "elementwise"
    for col in (1, 2):  # the long values are elided, and their tooltips carry them whole
        assert header.sectionSize(col) >= metrics.horizontalAdvance("−0.028…")
        assert table.item(0, col).text() in table.item(0, col).toolTip()


SHAPE_TEXT = re.compile(r"\(\d+(?:,[ \u00a0]\d+)+\)")  # '(2, 2)' as laid out
SIGNED_TEXT = re.compile(r"[−-]\d")


def broken_runs(doc) -> list[str]:
    """Shapes and signed numbers of ``doc`` that its layout splits across two lines."""
    broken = []
    doc.size()  # lays the document out at its text width
    block = doc.begin()
    while block.isValid():
        layout, text = block.layout(), block.text()
        assert layout.lineCount() > 0 or not text  # laid out: the check is not vacuous
        lines = [(layout.lineAt(i).textStart(), layout.lineAt(i).textStart()
                  + layout.lineAt(i).textLength()) for i in range(layout.lineCount())]
        for pattern in (SHAPE_TEXT, SIGNED_TEXT):
            for m in pattern.finditer(text):
                if not any(a <= m.start() and m.end() <= b for a, b in lines):
                    broken.append(m.group(0))
        block = block.next()
    return broken


def test_the_chain_rule_never_breaks_a_shape_or_a_signed_number(qtbot, window):
    from cgeditor.model.examples import load_example
    from cgeditor.model.explain import explain
    graph = load_example("xor")
    widget = window.run.explainer
    widget.show_explanation(explain(graph.run(), graph.by_name("W1").id), "W1")
    assert "(2, 2) [−0.008935, 0.03704]" in widget.plain_text()
    doc = widget.browser.document()
    for width in range(40, 420, 3):  # the shape and the numbers meet many line ends
        doc.setTextWidth(width)
        assert broken_runs(doc) == [], width


def test_wrapped_labels_keep_shapes_whole(qtbot, window):
    from PySide6.QtGui import QTextDocument, QTextOption

    from cgeditor.gui.keep_together import WrapLabel
    labels = window.findChildren(WrapLabel)
    assert {"nudge_result", "inspector_summary"} <= {label.objectName() for label in labels}
    message = "cannot broadcast (2, 3) with (4, 2, 1): J = −4 at w = −0.5"
    for label in labels:
        label.setText(message)
        assert label.text().replace("\u00a0", " ") == message  # it reads the same
        doc = QTextDocument()
        doc.setDefaultFont(label.font())
        option = doc.defaultTextOption()
        option.setWrapMode(QTextOption.WrapMode.WordWrap)  # a QLabel's word wrap
        doc.setDefaultTextOption(option)
        doc.setPlainText(label.text())
        for width in range(60, 400, 3):
            doc.setTextWidth(width)
            assert broken_runs(doc) == [], (label.objectName(), width)


def test_every_tab_of_the_right_column_reads_whole(laptop, qtbot) -> None:  # noqa: F811
    """Every Learn dock open beside the Chain rule: five tabs in the 400-pixel column, none
    elided ('Gradient che…')."""
    from PySide6.QtWidgets import QTabBar
    for name in ("gradcheck", "cost", "train", "practice"):
        laptop.learning.show(name)
    QApplication.processEvents()
    titles = {dock(laptop, n).windowTitle() for n in ("explainer", "gradcheck", "cost", "train",
                                                       "practice")}
    bar = next(b for b in laptop.findChildren(QTabBar) if b.isVisible()
               and {b.tabText(i) for i in range(b.count())} == titles)
    for i in range(bar.count()):
        assert bar.tabRect(i).width() >= bar.tabSizeHint(i).width(), bar.tabText(i)
        assert bar.tabRect(i).right() <= bar.width(), bar.tabText(i)


def test_a_narrowed_gradient_check_number_is_rounded_not_cut(laptop, qtbot) -> None:  # noqa: F811
    """Logistic regression checked in the 400-pixel column: its tensors' cells are elided
    (the tooltip has them), and b's scalar gradient −0.009338 reads rounded ('−0.0093'), not
    cut to '−0.009…' with its digits gone."""
    from PySide6.QtWidgets import QStyleOptionViewItem

    from cgeditor.model.examples import load_example
    from cgeditor.model.number_text import MINUS
    laptop.set_graph(load_example("logistic_regression"))
    laptop.action("gradcheck").trigger()  # Learn > Gradient Check
    panel = laptop.learning.gradcheck
    qtbot.waitUntil(lambda: panel.table.rowCount() == 4 and panel.summary.text().startswith(
        "All"), timeout=30_000)
    QApplication.processEvents()
    table = panel.table
    row = next(r for r in range(table.rowCount()) if table.item(r, 0).text() == "b")
    for col in (1, 2):
        index = table.model().index(row, col)
        option = QStyleOptionViewItem()
        option.rect = table.visualRect(index)
        option.fontMetrics = table.fontMetrics()
        table.itemDelegateForColumn(col).initStyleOption(option, index)
        shown = option.text  # what the cell paints
        assert "…" not in shown and shown.startswith(f"{MINUS}0.009"), shown
        assert option.fontMetrics.horizontalAdvance(shown) <= option.rect.width() - 8
        assert abs(float(shown.replace(MINUS, "-")) - float(table.item(row, col).text().replace(
            MINUS, "-"))) < 5e-4
