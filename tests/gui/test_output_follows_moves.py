"""A graph without an explicit output runs its last sink in execution order, and ties in that
order are broken left to right: dragging a node can hand the output to another sink. The
numbers of the run shown then belong to the old output, so they are marked stale (or, in
Live mode, run again), never left standing as current."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from cgeditor.gui.run_controller import STALE_STATUS
from cgeditor.model.graph import Graph


def two_sinks() -> Graph:
    """x = 0.5 feeding t = tanh(x) (left) and e = exp(x) (right): e is the output."""
    graph = Graph()
    x = graph.add_node("input", "x", 0.0, 0.0, value=0.5)
    t = graph.add_node("tanh", "t", 250.0, 0.0)
    e = graph.add_node("exp", "e", 500.0, 0.0)
    graph.connect(x.id, t.id, "x")
    graph.connect(x.id, e.id, "x")
    return graph


def backward(window) -> None:
    window.view.setFocus()
    QTest.keyClick(window.view.viewport(), Qt.Key.Key_F6)
    QApplication.processEvents()


def drag_left_of(window, canvas, name: str, other: str) -> None:
    """Drag ``name`` by its header to the far left of ``other``, below it."""
    start = canvas.header(name)
    target = canvas.item(other).pos() + QPointF(-300, 250)
    canvas.drag(start, target + (start - canvas.item(name).pos()))
    QApplication.processEvents()
    assert window.graph.by_name(name).x < window.graph.by_name(other).x


def test_a_drag_that_hands_the_output_to_another_sink_marks_the_run_stale(window,
                                                                          canvas) -> None:
    window.set_graph(two_sinks())
    QApplication.processEvents()
    backward(window)
    x = canvas.item("x").display
    assert x.grad_label == "∂e/∂x" and not x.stale
    drag_left_of(window, canvas, "e", "t")
    assert window.graph.nodes[window.graph.output].name == "t"  # the order changed hands
    x = canvas.item("x").display
    assert x.stale and window.run.stale  # ∂e/∂x is not what Backward gives now
    assert window.statusBar().currentMessage() == STALE_STATUS
    backward(window)
    assert_shows_dt_dx(canvas)


def assert_shows_dt_dx(canvas) -> None:
    """x shows the current ∂t/∂x = 1 − tanh²(0.5), not stale."""
    x = canvas.item("x").display
    assert x.grad_label == "∂t/∂x" and not x.stale
    assert np.isclose(x.grad, 1 - np.tanh(0.5) ** 2)


def test_in_live_mode_the_new_output_is_run(window, canvas) -> None:
    window.set_graph(two_sinks())
    QApplication.processEvents()
    window.run.set_live(True)
    QApplication.processEvents()
    assert canvas.item("x").display.grad_label == "∂e/∂x"
    drag_left_of(window, canvas, "e", "t")
    QApplication.processEvents()
    assert_shows_dt_dx(canvas)


def test_a_drag_that_keeps_the_output_leaves_the_run_current(window, canvas) -> None:
    window.set_graph(two_sinks())
    QApplication.processEvents()
    backward(window)
    canvas.drag(canvas.header("t"), canvas.header("t") + QPointF(0, 200))
    QApplication.processEvents()
    assert window.graph.by_name("t").y > 0  # moved
    x = canvas.item("x").display
    assert x.grad_label == "∂e/∂x" and not x.stale and not window.run.stale
