"""The cost-of-gradients dock: exact counts for the seed (10 against 40), times measured off
the GUI thread, and the scaling plot with both curves against p."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QApplication

from cgeditor.gui.docks import cost as cost_dock
from tests.gui.conftest import learning_on


@pytest.fixture
def learn(window):
    return learning_on(window, "seed", "cost")


def test_seed_counts_and_times(qtbot, learn) -> None:
    panel = learn.cost
    with qtbot.waitSignal(panel.measured, timeout=20_000) as blocker:
        qtbot.mouseClick(panel.count_button, Qt.MouseButton.LeftButton)
        # the counts are there at once; only the timing waits for the worker
        assert panel.cells["evals_bp"].text() == "10"
        assert panel.cells["evals_fd"].text() == "40"
        assert panel.cells["evals_ratio"].text() == "4.0×"
        assert not panel.count_button.isEnabled()
    cost = blocker.args[0]
    assert (cost.ops, cost.params, cost.backprop, cost.finite_diff) == (5, 4, 10, 40)
    assert cost.backprop_seconds > 0 and cost.finite_diff_seconds > 0
    assert panel.cells["time_bp"].text() != "—" and panel.cells["time_ratio"].text() != "—"
    assert "n = 5 ops, p = 4" in panel.sizes.text()
    assert panel.count_button.isEnabled() and not panel.busy


def test_measuring_works_on_a_copy_of_the_graph(qtbot, learn, window) -> None:
    panel = learn.cost
    with qtbot.waitSignal(panel.measured, timeout=20_000):
        panel.start_measure()
        window.graph.set_value(window.graph.by_name("w").id, 5.0)  # edits meanwhile are safe
    assert window.graph.by_name("w").value == 5.0


def test_a_graph_that_cannot_run_is_not_counted(learn, window) -> None:
    graph = window.graph
    graph.disconnect(graph.by_name("J").id, "b")
    assert learn.cost.start_measure() is False
    assert learn.cost.note.text().startswith("Not counted: cannot count yet")
    assert not learn.cost.busy


def test_scale_it_plots_both_costs_against_p(qtbot, learn, monkeypatch) -> None:
    monkeypatch.setattr(cost_dock, "SCALE_PS", (10, 20, 40))
    monkeypatch.setattr(cost_dock, "SCALE_BUDGET", 0.05)
    panel = learn.cost
    with qtbot.waitSignal(panel.scaled, timeout=30_000) as blocker:
        qtbot.mouseClick(panel.scale_button, Qt.MouseButton.LeftButton)
    table = blocker.args[0]
    assert [c.params for c in table] == [10, 20, 40]
    assert [c.finite_diff for c in table] == [2 * p * (2 * p - 1) for p in (10, 20, 40)]
    curves = panel.plot.getPlotItem().listDataItems()
    assert [c.name() for c in curves] == ["backprop: n + n", "finite differences: 2·p·n"]
    for curve, key in zip(curves, ("backprop", "finite_diff")):
        x, _y = curve.getOriginalDataset()
        assert list(x) == [10, 20, 40]
        _x, y = curve.getOriginalDataset()
        assert list(y) == [getattr(c, key) for c in table]
    assert panel.plot.getPlotItem().ctrl.logXCheck.isChecked()
    assert panel.note.text().count("p = ") == 3 and panel.scale_button.isEnabled()


def test_no_garbage_collection_runs_in_the_worker_while_it_times(qtbot, learn,
                                                                 monkeypatch) -> None:
    # A collection in the worker thread would destroy dead Qt widgets off the GUI thread
    # (it deadlocked in shiboken once): collection pauses while a job runs, then resumes.
    import gc

    monkeypatch.setattr(cost_dock, "SCALE_PS", (10, 20))
    monkeypatch.setattr(cost_dock, "SCALE_BUDGET", 0.05)
    panel = learn.cost
    assert gc.isenabled()
    with qtbot.waitSignal(panel.scaled, timeout=30_000):
        panel.start_scale()
        assert not gc.isenabled()
    assert gc.isenabled()


def drawn_labels(axis) -> list[tuple[QRectF, str]]:
    """The tick labels ``axis`` paints where it stands, with their rectangles."""
    image = QImage(1, 1, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    try:
        specs = axis.generateDrawSpecs(painter)
    finally:
        painter.end()
    return [] if specs is None else [(QRectF(rect), text) for rect, _flags, text in specs[2]]


@pytest.mark.parametrize("name", ["left", "bottom"])
def test_the_empty_plot_labels_its_axes_without_overlap(learn, name: str) -> None:
    """Before anything is scaled the log-log frame labels whole decades, legibly: a default
    one-decade range labelled 2…9 crowded 8 and 9 into one smudge."""
    QApplication.processEvents()
    labels = drawn_labels(learn.cost.plot.getAxis(name))
    assert len(labels) >= 2, labels
    for k, (rect, text) in enumerate(labels):
        for other, other_text in labels[k + 1:]:
            assert not rect.intersects(other), (text, other_text)


def test_the_empty_plot_names_every_p_scale_it_measures(learn) -> None:
    """p = 10, 100 and 1,000 are all labelled on the empty frame: a range ending exactly at
    1,000 left no room for its label, which pyqtgraph then drops."""
    QApplication.processEvents()
    shown = [text for _rect, text in drawn_labels(learn.cost.plot.getAxis("bottom"))]
    assert shown == [f"{p:,}" for p in cost_dock.SCALE_PS]
