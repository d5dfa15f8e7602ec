"""The Learn docks' numbers (gradient check and its canvas marks, nudge, cost, training) are
marked stale by an edit and current again when edits and undos bring the graph back to
exactly what they were computed from; another state stays stale. Real clicks and keys."""

from __future__ import annotations

from PySide6.QtCore import Qt
from test_back_to_run import insert_formula, rename, undo

from tests.gui.conftest import learning_on

Left = Qt.MouseButton.LeftButton


def test_gradient_check_rows_marks_and_nudge(qtbot, window, canvas) -> None:
    window.learning.show("gradcheck")
    panel = window.learning.gradcheck
    with qtbot.waitSignal(panel.finished, timeout=10_000):
        qtbot.mouseClick(panel.check_button, Left)
    canvas.click(canvas.header("w"))
    qtbot.mouseClick(panel.nudge_button, Left)
    assert panel.nudge_result.text().startswith("w → 2.001")
    w = canvas.item("w")
    assert w.display.highlighted  # passed: outlined on the canvas
    insert_formula(window, canvas)
    assert panel.stale_note.stale and panel.nudge_stale.stale
    assert not canvas.item("w").display.highlighted  # the marks go with the edit
    undo(window)
    assert not panel.stale_note.stale and not panel.nudge_stale.stale
    assert canvas.item("w").display.highlighted and canvas.item("y").display.highlighted
    rename(window, canvas)
    assert panel.stale_note.stale and panel.nudge_stale.stale
    assert not canvas.item("weight").display.highlighted


def test_cost_counts(qtbot, window, canvas) -> None:
    window.learning.show("cost")
    panel = window.learning.cost
    with qtbot.waitSignal(panel.measured, timeout=20_000):
        qtbot.mouseClick(panel.count_button, Left)
    insert_formula(window, canvas)
    assert panel.stale_note.stale
    undo(window)
    assert not panel.stale_note.stale
    rename(window, canvas)
    assert panel.stale_note.stale


def test_training_curve(qtbot, window, canvas) -> None:
    panel = learning_on(window, "seed", "train").train
    panel.steps.setValue(20)
    with qtbot.waitSignal(panel.stopped, timeout=30_000):
        qtbot.mouseClick(panel.train_button, Left)
    assert len(panel.history) == 20 and not panel.stale_note.stale
    insert_formula(window, canvas)
    assert panel.stale_note.stale
    undo(window)  # the formula: back to the trained graph
    assert not panel.stale_note.stale
    undo(window)  # the training's own values: not what the curve ended at
    assert panel.stale_note.stale


def test_an_edit_while_training_stops_it_and_its_undo_finds_the_trained_run(
        qtbot, window, canvas) -> None:
    """Training paints its parameters over the last run; an edit stops it first, applying
    its steps and running the trained graph, so the edit's undo brings back exactly that
    run: current again, what a fresh run gives."""
    panel = learning_on(window, "seed", "train").train
    window.action("backward").trigger()
    assert window.run.result is not None and not window.run.stale
    panel.steps.setValue(1_000_000)
    qtbot.mouseClick(panel.train_button, Left)
    assert panel.running and window.run.stale
    with qtbot.waitSignal(panel.stopped, timeout=10_000):
        insert_formula(window, canvas)
    assert window.run.stale
    undo(window)
    assert not panel.running and not window.run.stale
    fresh = window.graph.run()
    assert window.run.result.output_value == fresh.output_value
    assert window.run.result.grads == fresh.grads
