"""Which inputs are trainable decides what a training trains and what a 'trainable inputs'
gradient check checks, though no run's numbers: toggling it makes those docks' numbers
stale, and toggling it back makes them current again. Real clicks."""

from __future__ import annotations

from PySide6.QtCore import Qt
from test_back_to_run import enter, undo

from tests.gui.conftest import learning_on

Left = Qt.MouseButton.LeftButton


def toggle_trainable(qtbot, window, canvas, name: str) -> None:
    canvas.click(canvas.header(name))
    before = window.graph.by_name(name).trainable
    qtbot.mouseClick(window.inspector.trainable, Left)
    assert window.graph.by_name(name).trainable is not before


def fixed_input(window) -> str:
    return next(n.name for n in window.graph.nodes.values() if n.is_input and not n.trainable)


def test_training_curve_is_stale_once_another_input_is_trainable(qtbot, window, canvas) -> None:
    panel = learning_on(window, "seed", "train").train
    panel.steps.setValue(5)
    with qtbot.waitSignal(panel.stopped, timeout=30_000):
        qtbot.mouseClick(panel.train_button, Left)
    assert not panel.stale_note.stale
    toggle_trainable(qtbot, window, canvas, fixed_input(window))
    assert panel.stale_note.stale  # a training now would move one more parameter
    undo(window)
    assert not panel.stale_note.stale


def test_trainable_only_check_is_stale_once_another_input_is_trainable(qtbot, window,
                                                                      canvas) -> None:
    learning = learning_on(window, "seed", "gradcheck")
    panel = learning.gradcheck
    panel.which.setCurrentIndex(1)  # trainable inputs only
    with qtbot.waitSignal(panel.finished, timeout=10_000):
        qtbot.mouseClick(panel.check_button, Left)
    checked = [row.name for row in panel.rows]
    name = fixed_input(window)
    assert name not in checked
    toggle_trainable(qtbot, window, canvas, name)
    assert panel.stale_note.stale  # a check now would have a row for it
    undo(window)
    assert not panel.stale_note.stale


def test_a_curve_is_stale_once_an_edit_stopped_its_training(qtbot, window, canvas) -> None:
    """An edit while training (new data in an input it does not train) stops it first: the
    curve is of the trained graph before the edit, so stale after it."""
    panel = learning_on(window, "seed", "train").train
    panel.steps.setValue(panel.steps.maximum())
    qtbot.mouseClick(panel.train_button, Left)
    qtbot.waitUntil(lambda: len(panel.history) > 0, timeout=10_000)
    data = fixed_input(window)
    with qtbot.waitSignal(panel.stopped, timeout=10_000):
        canvas.click(canvas.header(data))
        enter(window, "value", "5")
    assert float(window.graph.by_name(data).value) == 5.0
    assert panel.stale_note.stale
    undo(window)
    assert not panel.stale_note.stale


def test_a_curve_of_an_untouched_training_is_current(qtbot, window, canvas) -> None:
    panel = learning_on(window, "seed", "train").train
    panel.steps.setValue(panel.steps.maximum())
    qtbot.mouseClick(panel.train_button, Left)
    qtbot.waitUntil(lambda: len(panel.history) > 0, timeout=10_000)
    with qtbot.waitSignal(panel.stopped, timeout=10_000):
        qtbot.mouseClick(panel.stop_button, Left)
    assert not panel.stale_note.stale
