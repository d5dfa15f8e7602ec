"""The Learn docks in a 1280×800 window, sharing the right column with the inspector: after
Count and time and Scale it, the cost dock's numbers, notes and plot never lie on each
other, nor are they squeezed below the height of their lines."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import QApplication, QWidget

from cgeditor.gui.docks import cost as cost_dock
from tests.gui.conftest import learning_on


def _rect(widget: QWidget, panel: QWidget) -> QRect:
    return QRect(widget.mapTo(panel, QPoint(0, 0)), widget.size())


def clashes(panel: QWidget, widgets: list[QWidget]) -> list[tuple[str, str]]:
    shown = [w for w in widgets if w.isVisible() and w.height() > 0]
    rects = [_rect(w, panel) for w in shown]
    return [(shown[i].objectName() or shown[i].text(), shown[j].objectName())
            for i, a in enumerate(rects) for j, b in enumerate(rects[i + 1:], i + 1)
            if a.intersected(b).height() > 1 and a.intersected(b).width() > 1]


def test_the_cost_dock_after_scale_it_has_nothing_on_top_of_anything(qtbot, window,
                                                                       monkeypatch) -> None:
    monkeypatch.setattr(cost_dock, "SCALE_PS", (10, 20, 40))
    monkeypatch.setattr(cost_dock, "SCALE_BUDGET", 0.05)
    window.resize(1280, 800)
    learn = learning_on(window, "xor", "cost")
    panel = learn.cost
    QApplication.processEvents()
    with qtbot.waitSignal(panel.measured, timeout=30_000):
        qtbot.mouseClick(panel.count_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(panel.scaled, timeout=30_000):
        qtbot.mouseClick(panel.scale_button, Qt.MouseButton.LeftButton)
    qtbot.wait(200)  # the layout requests the new lines post, one widget up at a time
    assert panel.note.text().count("p = ") == 3  # one line per graph of the scaling run
    widgets = [panel.count_button, panel.sizes, *panel.cells.values(), panel.note, panel.plot]
    assert clashes(panel, widgets) == []
    for label in (panel.sizes, panel.note):  # every wrapped line gets its height
        assert label.height() >= label.heightForWidth(label.width()), label.objectName()
    squeezed = [name for name, cell in panel.cells.items()
                if cell.height() < cell.minimumSizeHint().height()]
    assert squeezed == []
    assert cut_labels(panel.plot) == []  # the plot, squeezed under the notes, keeps its labels


def cut_labels(*plots) -> list[str]:
    """Axis labels of ``plots`` that do not fit their axis or the plot's view."""
    cut = []
    for plot in plots:
        view = plot.viewport().rect()
        for side in ("left", "bottom"):
            axis = plot.getAxis(side)
            label = axis.label
            if not axis.isVisible() or not label.isVisible():
                continue
            along = axis.geometry().height() if side == "left" else axis.geometry().width()
            pad = round(label.document().documentMargin())  # blank around the text
            shown = plot.mapFromScene(label.sceneBoundingRect()).boundingRect()
            shown = shown.adjusted(pad, pad, -pad, -pad)
            if label.boundingRect().width() - 2 * pad > along or not view.contains(shown):
                cut.append(f"{plot.objectName()} {side}: {label.toPlainText()!r}")
    return cut


def test_every_plot_shows_its_axis_labels_whole(qtbot, window) -> None:
    import pyqtgraph as pg
    window.resize(1280, 800)
    panels = {"cost": window.learning.cost, "train": window.learning.train}
    assert {p.objectName() for p in window.findChildren(pg.PlotWidget)} \
        == {panel.plot.objectName() for panel in panels.values()}  # every plot of the app
    for dock, panel in panels.items():
        learning_on(window, "xor", dock)
        qtbot.wait(100)
        assert cut_labels(panel.plot) == [], dock
        # Not squeezed beside the controls: 130 px printed the step ticks over each other.
        assert panel.plot.width() >= 0.8 * panel.width(), dock
