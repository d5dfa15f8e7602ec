"""When showing what an edit added makes the view zoom out, the part of the graph that was
in view keeps the margin it had: the inputs' order badges and ports at the left edge stay
on screen (a remedy that moved the lab's output right clipped them)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit

from cgeditor.gui import theme as T
from cgeditor.gui.canvas.view import FIT_MARGIN
from cgeditor.model.formula import from_formula


def test_zooming_out_for_an_insert_keeps_the_fitted_margin(window, qtbot) -> None:
    view = window.view
    window.set_graph(from_formula("q = a / b; J = q * q", a=1.0, b=2.0))  # the lab's div case
    window.action("fit").trigger()
    QApplication.processEvents()
    graph_left = window.scene.graph_rect().left()
    seen = view.mapToScene(view.viewport().rect()).boundingRect()
    assert seen.left() <= graph_left - FIT_MARGIN + 1  # the premise: Fit shows the margin
    zoom = view.zoom()
    field = window.toolbar.findChild(QLineEdit, "formula_field")
    qtbot.keyClicks(field, "z = tanh(J)")
    qtbot.keyClick(field, Qt.Key.Key_Return)
    QApplication.processEvents()
    seen = view.mapToScene(view.viewport().rect()).boundingRect()
    assert view.zoom() < zoom and view.zoom() >= T.READABLE_ZOOM  # zoomed out to show z
    assert seen.left() <= graph_left - FIT_MARGIN + 1
