"""No number where none was computed, on the real MainWindow: after a failed forward pass or
with a tensor output the canvas, tooltips, trace, chain-rule dock and status bar say "n/a",
"not run" and the root cause; one click makes a tensor output a scalar in one undo step; a
gradient check at a kink says "not differentiable"; the formula dialog refuses a full-width
name."""

from __future__ import annotations

import numpy as np
import pytest
from crash_child import make_window, prompts  # noqa: F401 - fixtures (isolated settings, dialogs)
from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLabel, QTableView, QTextBrowser, QToolButton

from cgeditor.model.formula import from_formula
from tests.graphs import open_port

MATMUL_CAUSE = ("C could not run: matmul needs A's columns (3) to equal B's rows (2): A has shape "
                "(2, 3) and B has shape (2, 3); transpose B or reshape it (so no gradients)")


@pytest.fixture
def window(make_window):  # noqa: F811 - the imported fixture
    win = make_window()
    win.show()
    return win


def press(window, key: Qt.Key) -> None:
    """A real key press on the canvas (F5 forward, F6 backward)."""
    window.view.setFocus()
    QTest.keyClick(window.view.viewport(), key)


def item(window, name):
    return window.scene.nodes[window.graph.by_name(name).id]


def trace(window) -> dict[str, tuple[str, ...]]:
    return {row[1]: row for row in window.run.trace.model.rows}


def test_failed_forward_shows_na_not_zero_everywhere(qtbot, window) -> None:
    window.set_graph(from_formula("C = A @ B; J = sum(C)", A=np.ones((2, 3)), B=np.ones((2, 3))))
    press(window, Qt.Key.Key_F6)
    for name in "ABCJ":
        assert item(window, name).display.grad_text == f"∂J/∂{name} = n/a"
    for name in "AB":  # on C and J the error takes the gradient's row
        assert ("grad", f"∂J/∂{name} = n/a") in item(window, name).info_rows()
    tip = item(window, "A").toolTip()
    assert "∂J/∂A = n/a: gradients not computed: the output J has no value because C could " \
           "not run" in tip and "[[0" not in tip
    rows = trace(window)
    assert rows["C"][2:] == ("matmul", "a=A, b=B", "not run", "n/a")
    assert rows["J"][4:] == ("not run", "n/a")
    assert rows["A"][5] == "n/a"
    assert window.statusBar().currentMessage() == MATMUL_CAUSE
    messages = window.messages.toPlainText()
    assert messages.count("gradients not computed: the output J has no value") == 1
    assert "gufunc" not in messages
    window.scene.select_ids([window.graph.by_name("A").id])  # the inspector's numbers
    note = window.findChild(QLabel, "grad_not_computed")
    assert note.isVisible() and note.text() == (
        "∂J/∂A = n/a: gradients not computed: the output J has no value because C could not "
        "run")
    assert not window.findChild(QTableView, "grad_table").isVisible()


def test_open_port_trace_shows_the_real_op_and_not_run(qtbot, window) -> None:
    graph, _m = open_port(step=200)
    window.set_graph(graph)
    press(window, Qt.Key.Key_F6)
    rows = trace(window)
    assert rows["m"][2:] == ("mul", "a=x, b=(open)", "not run", "n/a")
    assert rows["x"][4:] == ("1", "n/a")
    assert item(window, "x").display.grad_text == "∂m/∂x = n/a"
    assert window.statusBar().currentMessage() == (
        "m could not run: input port b of m not connected (so no gradients)")


def test_chain_rule_dock_says_na_with_the_reason(qtbot, window) -> None:
    window.set_graph(from_formula("h = tanh(w*x)", w=np.array([1.0, 2.0]),
                                  x=np.array([3.0, 4.0])))
    press(window, Qt.Key.Key_F6)
    window.scene.select_ids([window.graph.by_name("w").id])
    text = window.findChild(QTextBrowser, "explainer_text").toPlainText()
    assert text.startswith("w\n∂h/∂w = n/a: gradients not computed: the output h has shape (2,)")


def test_tensor_output_keeps_values_and_one_click_inserts_sum(qtbot, window) -> None:
    window.set_graph(from_formula("h = tanh(w*x)", w=np.array([1.0, 2.0]),
                                  x=np.array([3.0, 4.0])))
    press(window, Qt.Key.Key_F6)
    assert item(window, "h").display.value_text == "(2,) [0.9951, 1]"
    assert item(window, "w").display.grad_text == "∂h/∂w = n/a"
    assert window.statusBar().currentMessage() == (
        "gradients not computed: the output h has shape (2,), but gradients need a scalar "
        "output (a single number); add J = sum(h) (or J = mean(h)) and make it the output")
    button = window.findChild(QToolButton, "make_scalar_sum_button")
    assert button.isVisible() and button.text() == "Insert sum(h) as the output"
    depth = window.undo_stack.count()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert window.undo_stack.count() == depth + 1
    assert window.undo_stack.undoText() == "Make the output a scalar: J = sum(h)"
    j = window.graph.by_name("J")
    assert j.op == "sum" and window.graph.output == j.id
    assert window.graph.source_of(j.id, "x") == window.graph.by_name("h").id
    expected_w = (1 - np.tanh([3.0, 8.0]) ** 2) * [3.0, 4.0]
    shown = window.run.result.grads["w"]
    np.testing.assert_allclose(shown, expected_w)
    assert item(window, "w").display.grad_text.startswith("∂J/∂w = ")
    assert not button.isVisible()
    window.undo_stack.undo()
    assert not window.graph.has_name("J")
    assert window.graph.output == window.graph.by_name("h").id


def test_inserted_sum_of_a_mid_graph_output_covers_no_node(qtbot, window) -> None:
    # XOR's hidden layer h has matmul2 right after it, where a fixed offset put the sum.
    from cgeditor.model.examples import load_example

    window.set_graph(load_example("xor"))
    window.graph.set_output(window.graph.by_name("h").id)
    press(window, Qt.Key.Key_F6)
    qtbot.mouseClick(window.findChild(QToolButton, "make_scalar_sum_button"),
                     Qt.MouseButton.LeftButton)
    new = item(window, "J1")
    assert window.graph.output == new.node_id and new.op == "sum"
    placed = new.sceneBoundingRect()
    for other in window.scene.nodes.values():
        if other is not new:
            assert not placed.intersects(other.sceneBoundingRect()), other.name
    assert placed.left() > item(window, "h").sceneBoundingRect().right()


def test_mean_is_offered_too(qtbot, window) -> None:
    window.set_graph(from_formula("h = w*x", w=np.array([1.0, 2.0]), x=3.0))
    press(window, Qt.Key.Key_F6)
    qtbot.mouseClick(window.findChild(QToolButton, "make_scalar_mean_button"),
                     Qt.MouseButton.LeftButton)
    assert window.graph.nodes[window.graph.output].op == "mean"
    assert window.run.result.grads["x"] == pytest.approx(1.5)


def test_gradcheck_dock_at_a_kink_says_not_differentiable(qtbot, window) -> None:
    from tests.gui.conftest import learning_on

    learn = learning_on(window, "seed", "gradcheck")
    window.set_graph(from_formula("r = relu(w - 2); J = 3*r", w=2.0))
    panel = learn.gradcheck
    with qtbot.waitSignal(panel.finished, timeout=10_000) as blocker:
        qtbot.mouseClick(panel.check_button, Qt.MouseButton.LeftButton)
    assert blocker.args[0] is True  # no failure: the mismatch is explained by the kink
    t = panel.table
    assert t.item(0, 4).text() == "not\ndifferentiable"
    assert "cgeditor uses the subgradient 0" in t.item(0, 4).toolTip()
    assert panel.summary.text() == (
        "No failure (ε = 1e\u22126). w: not differentiable here (at r): relu is not "
        "differentiable at x = 0; cgeditor uses the subgradient 0 there (as torch).")


TENSOR_REFUSAL = ("the output h has shape (2,), but gradients need a scalar output (a single "
                  "number); add J = sum(h) (or J = mean(h)) and make it the output")


def tensor_output_graph():
    graph = from_formula("h = tanh(w*x)", w=np.array([1.0, 2.0]), x=np.array([3.0, 4.0]))
    graph.nodes[graph.by_name("w").id].trainable = True
    return graph


def test_nudge_and_train_refuse_a_tensor_output(qtbot, window) -> None:
    from tests.gui.conftest import learning_on

    learn = learning_on(window, "seed", "gradcheck")
    window.set_graph(tensor_output_graph())
    depth = window.undo_stack.count()
    window.scene.select_ids([window.graph.by_name("w").id])
    qtbot.mouseClick(learn.gradcheck.nudge_button, Qt.MouseButton.LeftButton)
    assert learn.gradcheck.nudge_result.text() == f"Not nudged: {TENSOR_REFUSAL}"
    learn.show("train")
    assert learn.train.start() is False
    assert learn.train.status.text() == f"Cannot train: {TENSOR_REFUSAL}"
    assert window.undo_stack.count() == depth


def test_the_inserted_output_is_brought_into_view(qtbot, window) -> None:
    """With the tensor output at the canvas's right edge, the sum goes right of it, past the
    edge: the click that inserts it also scrolls to it, as a paste or a formula does."""
    window.set_graph(from_formula("h = tanh(w*x)", w=np.array([1.0, 2.0]),
                                  x=np.array([3.0, 4.0])))
    press(window, Qt.Key.Key_F6)
    view = window.view
    seen = lambda: view.mapToScene(view.viewport().rect()).boundingRect()  # noqa: E731
    h = item(window, "h").sceneBoundingRect()
    view.centerOn(h.right() - seen().width() / 2 + 10, h.center().y())  # h at the right edge
    assert seen().contains(h.center()) and not seen().contains(h.topRight() + QPointF(150, 0))
    qtbot.mouseClick(window.findChild(QToolButton, "make_scalar_sum_button"),
                     Qt.MouseButton.LeftButton)
    placed = item(window, "J").sceneBoundingRect()
    assert placed.left() > h.right()
    assert seen().contains(placed), (seen(), placed)
