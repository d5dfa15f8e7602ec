"""Edits and undos that bring the graph back to exactly what was run make the run current
again, with its own numbers; any other state keeps it stale. Every edit kind, real events."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit

Ctrl = Qt.KeyboardModifier.ControlModifier
MINUS_4 = "∂J/∂w = \u22124"


def key(window, k: Qt.Key, mods: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    window.view.setFocus()
    QTest.keyClick(window.view.viewport(), k, mods)
    QApplication.processEvents()


def undo(window) -> None:
    key(window, Qt.Key.Key_Z, Ctrl)


def redo(window) -> None:
    key(window, Qt.Key.Key_Z, Ctrl | Qt.KeyboardModifier.ShiftModifier)


def enter(window, field_name: str, text: str) -> None:
    """Type into an inspector field as a user would and press Enter."""
    edit = window.inspector.fields[field_name].edit
    edit.selectAll()
    QTest.keyClick(edit, Qt.Key.Key_Backspace)
    QTest.keyClicks(edit, text)
    QTest.keyClick(edit, Qt.Key.Key_Return)
    QApplication.processEvents()


def insert_formula(window, canvas) -> None:
    field = window.toolbar.findChild(QLineEdit, "formula_field")
    QTest.keyClicks(field, "z = exp(v)")
    QTest.keyClick(field, Qt.Key.Key_Return)
    QApplication.processEvents()
    assert window.graph.has_name("z")


def paste(window, canvas) -> None:
    canvas.click(canvas.header("J"))
    key(window, Qt.Key.Key_C, Ctrl)
    count = len(window.graph.nodes)
    key(window, Qt.Key.Key_V, Ctrl)
    assert len(window.graph.nodes) == count + 1


def delete(window, canvas) -> None:
    canvas.click(canvas.header("y"))
    key(window, Qt.Key.Key_Delete)
    assert not window.graph.has_name("y")


def rename(window, canvas) -> None:
    canvas.click(canvas.header("w"))
    enter(window, "name", "weight")
    assert window.graph.has_name("weight")


def rewire(window, canvas) -> None:
    canvas.drag(canvas.out_port("b"), canvas.in_port("c", "a"))
    assert canvas.source("c", "a") == "b"


def set_exponent(window, canvas) -> None:
    canvas.click(canvas.header("sq"))
    enter(window, "attr_exponent", "3")
    assert window.graph.by_name("sq").attrs["exponent"] == 3


EDITS: dict[str, Callable] = {
    "insert formula": insert_formula, "paste": paste, "delete": delete, "rename": rename,
    "wire": rewire, "attr": set_exponent}


def numbers(window) -> tuple[dict, dict]:
    result = window.run.result
    return dict(result.values), dict(result.grads)


def assert_current(window, canvas, before: tuple[dict, dict]) -> None:
    """The run shows as current, every dock too, with the numbers of the run."""
    run = window.run
    assert not run.stale and not run.display.stale
    w = canvas.item("w").display
    assert not w.stale and w.grad_text == MINUS_4
    assert canvas.item("J").display.value_text == "2"
    assert not run.trace.stale_note.stale
    values, grads = numbers(window)
    assert values.keys() == before[0].keys() and grads.keys() == before[1].keys()
    for name, value in before[0].items():
        assert np.array_equal(values[name], value)
    for name, grad in before[1].items():
        assert np.array_equal(grads[name], grad)
    assert "stale" not in window.statusBar().currentMessage()


def assert_stale(window) -> None:
    assert window.run.stale and window.run.display.stale
    assert window.run.trace.stale_note.stale


def run(window) -> tuple[dict, dict]:
    key(window, Qt.Key.Key_F6)
    assert window.run.result is not None and not window.run.stale
    return numbers(window)


@pytest.mark.parametrize("kind", EDITS)
def test_undo_of_an_edit_shows_the_run_current_again(window, canvas, kind: str) -> None:
    before = run(window)
    EDITS[kind](window, canvas)
    assert_stale(window)
    undo(window)
    assert_current(window, canvas, before)
    redo(window)  # the edit again: stale again
    assert_stale(window)
    undo(window)
    assert_current(window, canvas, before)


@pytest.mark.parametrize("kind", EDITS)
def test_undo_then_another_edit_is_stale(window, canvas, kind: str) -> None:
    run(window)
    EDITS[kind](window, canvas)
    undo(window)
    assert not window.run.stale
    other = rename if kind != "rename" else delete
    other(window, canvas)
    assert_stale(window)


def test_a_value_edit_on_a_stale_run_and_its_undo(window, canvas) -> None:
    """A value edit of a current run runs again at once; of a stale one, it stays stale until
    every edit since the run is undone."""
    before = run(window)
    insert_formula(window, canvas)
    canvas.click(canvas.header("w"))
    enter(window, "value", "3")
    assert_stale(window)
    undo(window)  # w = 2 again, but z is still there
    assert_stale(window)
    undo(window)
    assert_current(window, canvas, before)


def test_editing_back_by_hand_is_current_too(window, canvas) -> None:
    """Not only undo: renaming back, or typing the old value again, is the same graph."""
    before = run(window)
    rename(window, canvas)
    canvas.click(canvas.header("weight"))
    enter(window, "name", "w")
    assert_current(window, canvas, before)
    canvas.click(canvas.header("y"))
    enter(window, "value", "5")  # a current run runs again: ∂J/∂w = d·x = (−4 + 8 − 5)·(−2)
    assert not window.run.stale and canvas.item("w").display.grad_text == "∂J/∂w = 2"
    after = numbers(window)
    enter(window, "name", "why")
    assert_stale(window)
    enter(window, "value", "2")
    assert_stale(window)
    enter(window, "value", "5")  # y's value again, but named why: not what was run
    assert_stale(window)
    enter(window, "name", "y")
    assert not window.run.stale and canvas.item("w").display.grad_text == "∂J/∂w = 2"
    assert numbers(window)[1]["w"] == after[1]["w"] == 2.0


def test_a_move_alone_never_makes_the_run_stale(window, canvas) -> None:
    before = run(window)
    canvas.drag(canvas.header("w"), canvas.header("w") + QPointF(40, 30))
    assert window.graph.by_name("w").y == 30
    assert_current(window, canvas, before)
    insert_formula(window, canvas)
    undo(window)
    assert_current(window, canvas, before)  # the move stays: positions are not a state


def test_a_step_by_step_walk_goes_on_where_it_was(window, canvas) -> None:
    """Undo back to the walked graph: the walk is current again at its step, and the next
    Step reveals the next node, not a fresh walk from the start."""
    for _ in range(3):
        key(window, Qt.Key.Key_F10)
    stepper = window.run.stepper
    assert stepper is not None and not stepper.done
    at = stepper.position
    insert_formula(window, canvas)
    assert_stale(window)
    undo(window)
    assert not window.run.stale and window.run.stepper is stepper and stepper.position == at
    key(window, Qt.Key.Key_F10)
    assert window.run.stepper is stepper and stepper.position == at + 1


def test_a_walk_is_current_again_only_in_its_own_order(window, canvas) -> None:
    """A move that reorders ties ends a walk (the next Step walks the new order); moving
    back by undo resumes it, and with the order still changed an undone edit does not."""
    for _ in range(3):
        key(window, Qt.Key.Key_F10)
    stepper, order = window.run.stepper, window.graph.order()
    canvas.drag(canvas.header("y"), canvas.header("y") + QPointF(-60, 0))
    assert window.graph.order() != order and window.run.stale
    undo(window)
    assert window.graph.order() == order
    assert not window.run.stale and window.run.stepper is stepper
    canvas.drag(canvas.header("y"), canvas.header("y") + QPointF(-60, 0))
    insert_formula(window, canvas)
    undo(window)  # the graph is the walked one, but not its order
    assert window.run.stale


def test_a_walk_current_again_keeps_its_gradients_to_come_off_the_status_line(
        window, canvas) -> None:
    """Mid-walk the status line shows no gradient the steps have yet to reveal; an undo that
    makes the walk current again must not show them all ('∂J/∂w = −4' before Backward has
    reached w), only drop the stale line."""
    for _ in range(12):  # the forward pass and J, sq: w's gradient is still to come
        key(window, Qt.Key.Key_F10)
    status = window.statusBar()
    assert "∂J/∂" not in status.currentMessage()
    delete(window, canvas)
    assert_stale(window)
    undo(window)
    assert not window.run.stale and not window.run.stepper.done
    assert "∂J/∂" not in status.currentMessage() and "stale" not in status.currentMessage()
    for _ in range(3 * len(window.graph.nodes)):  # walked to the end: now all of them
        if window.run.stepper.done:
            break
        key(window, Qt.Key.Key_F10)
    assert window.run.stepper.done and MINUS_4 in status.currentMessage()
