"""No number on screen predates the graph it describes: after training, a value typed in the
inspector, its undo, a gradient check or a nudge, the canvas, status line and inspector show
a run at the current values; a structural edit marks every shown number stale instead.

Expected numbers come from the seed's closed form J = ½(w·x + b − y)², ∂J/∂w = d·x,
∂J/∂b = d with d = w·x + b − y, evaluated on the graph's current values."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest

from cgeditor.gui.run_controller import STALE_STATUS
from cgeditor.model.number_text import MINUS
from tests.gui.conftest import learning_on


def press(window, key: Qt.Key, mods=Qt.KeyboardModifier.NoModifier) -> None:
    window.view.setFocus()
    QTest.keyClick(window.view.viewport(), key, mods)


def num(x: float) -> str:
    """A number as the canvas writes it: up to 4 significant digits, a true minus."""
    text = f"{x + 0.0:.4g}"  # + 0.0: −0 is written 0
    return text.replace("-", MINUS)


def closed_form(window) -> dict[str, float]:
    v = {name: float(window.graph.by_name(name).value) for name in "wxby"}
    d = v["w"] * v["x"] + v["b"] - v["y"]
    return {"J": 0.5 * d * d, "dw": d * v["x"], "db": d, "c": v["w"] * v["x"], "w": v["w"]}


def shown(window, name: str):
    return window.scene.nodes[window.graph.by_name(name).id].display


def assert_current(window, status: bool = True) -> None:
    """Canvas, status line (unless a later message took it) and the inspector's tables show
    the run at today's values."""
    want = closed_form(window)
    assert not window.run.stale and not any(
        item.display.stale for item in window.scene.nodes.values())
    assert shown(window, "J").value_text == num(want["J"])
    assert shown(window, "c").value_text == num(want["c"])
    assert shown(window, "w").grad_text == f"∂J/∂w = {num(want['dw'])}"
    assert shown(window, "b").grad_text == f"∂J/∂b = {num(want['db'])}"
    if status:
        assert window.statusBar().currentMessage().startswith(f"J = {num(want['J'])} · ")
    numbers = window.inspector.numbers
    if window.inspector.node_id == window.graph.by_name("w").id:
        assert float(numbers.value_table.value) == want["w"]
        assert float(numbers.grad_table.value) == pytest.approx(want["dw"], abs=1e-12)
        assert not numbers.stale_note.stale


def type_value(qtbot, window, canvas, name: str, text: str) -> None:
    """Click the node, then type its value in the inspector and press Return."""
    canvas.click(canvas.header(name))
    edit = window.inspector.fields["value"].edit
    edit.selectAll()
    qtbot.keyClicks(edit, text)
    qtbot.keyClick(edit, Qt.Key.Key_Return)


def test_training_ends_with_a_run_at_the_trained_parameters(qtbot, window, canvas) -> None:
    panel = learning_on(window, "seed", "train").train
    canvas.click(canvas.header("w"))
    press(window, Qt.Key.Key_F6)
    assert shown(window, "J").value_text == "2"
    panel.steps.setValue(7)
    with qtbot.waitSignal(panel.stopped, timeout=30_000):
        qtbot.mouseClick(panel.train_button, Qt.MouseButton.LeftButton)
        assert window.run.stale  # the old run under changing parameters says so
    assert float(window.graph.by_name("w").value) != 2.0  # trained
    assert_current(window)
    press(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # undo the training
    assert float(window.graph.by_name("w").value) == 2.0
    assert_current(window)


def test_training_before_any_run_shows_the_trained_run(qtbot, window) -> None:
    panel = learning_on(window, "seed", "train").train
    panel.steps.setValue(3)
    with qtbot.waitSignal(panel.stopped, timeout=30_000):
        qtbot.mouseClick(panel.train_button, Qt.MouseButton.LeftButton)
    assert_current(window)


def test_typed_values_and_their_undo_rerun(qtbot, window, canvas) -> None:
    press(window, Qt.Key.Key_F6)
    type_value(qtbot, window, canvas, "w", "5")
    assert window.graph.by_name("w").value == 5.0 and shown(window, "c").value_text == \
        f"{MINUS}10"
    assert_current(window)
    press(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert shown(window, "c").value_text == f"{MINUS}4"
    assert_current(window)
    window.action("redo").trigger()
    assert shown(window, "c").value_text == f"{MINUS}10"
    assert_current(window)


def test_a_value_typed_after_dragging_a_node_still_reruns(qtbot, window, canvas) -> None:
    """A drag changes no number (though it may change the execution order's ties): the
    value edit after it is still an edit of values only."""
    press(window, Qt.Key.Key_F6)
    start = canvas.header("y")
    canvas.drag(start, start + QPointF(0, 60))
    assert window.graph.by_name("y").y != 0 and not window.run.stale
    type_value(qtbot, window, canvas, "y", "1")
    assert shown(window, "d").value_text == "3"  # w·x + b − y = −4 + 8 − 1
    assert_current(window)


def test_a_value_edit_while_stepping_keeps_the_place(qtbot, window, canvas) -> None:
    for _ in range(3):
        press(window, Qt.Key.Key_F10)  # w, x, b revealed (ties break left to right)
    current = [i for i, it in window.scene.nodes.items() if it.display.current]
    type_value(qtbot, window, canvas, "x", "3")
    assert [i for i, it in window.scene.nodes.items() if it.display.current] == current
    assert shown(window, "x").value_text == "3" and not shown(window, "x").stale
    assert shown(window, "c").value_text == ""  # not reached yet
    while not window.run.stepper.done:
        press(window, Qt.Key.Key_F10)
    assert_current(window)


def test_gradient_check_and_nudge_leave_the_run_current(qtbot, window, canvas) -> None:
    panel = learning_on(window, "seed", "gradcheck").gradcheck
    press(window, Qt.Key.Key_F6)
    with qtbot.waitSignal(panel.finished, timeout=10_000):
        qtbot.mouseClick(panel.check_button, Qt.MouseButton.LeftButton)
    canvas.click(canvas.header("w"))
    qtbot.mouseClick(panel.nudge_button, Qt.MouseButton.LeftButton)
    assert panel.nudge_result.text().startswith("w → 2.001")
    assert_current(window, status=False)  # the nudge changed nothing: no run, no edit
    type_value(qtbot, window, canvas, "w", "2.5")
    assert_current(window)  # the canvas follows the value …
    assert panel.stale_note.stale and panel.nudge_stale.stale  # … the check says it is old


def test_a_structural_edit_marks_canvas_status_and_inspector_stale(qtbot, window,
                                                                    canvas) -> None:
    canvas.click(canvas.header("sq"))
    press(window, Qt.Key.Key_F6)
    assert window.statusBar().currentMessage().startswith("J = 2 · ")
    field = window.inspector.fields["attr_exponent"]
    field.edit.selectAll()
    qtbot.keyClicks(field.edit, "3")
    qtbot.keyClick(field.edit, Qt.Key.Key_Return)
    assert window.graph.by_name("sq").attrs["exponent"] == 3.0
    assert window.statusBar().currentMessage() == STALE_STATUS  # no old "J = 2" there
    canvas.click(canvas.header("w"))
    numbers = window.inspector.numbers
    assert float(numbers.grad_table.value) == -4.0  # the old run's, and marked so:
    assert window.run.stale and shown(window, "J").stale
    assert numbers.stale_note.stale and "stale" in numbers.stale_note.text()
    press(window, Qt.Key.Key_F6)
    assert not numbers.stale_note.stale and float(numbers.grad_table.value) == -12.0  # 3d²x/2
