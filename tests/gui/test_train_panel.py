"""The training dock: XOR trains in timer slices and the loss falls, Stop mid-run keeps the
values at the stop as one undo step that restores the originals exactly; bad cases say why."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt

from cgeditor.model.examples import load_example
from cgeditor.model.train import Trainer
from tests.gui.conftest import learning_on

PARAMS = ("W1", "b1", "W2", "b2")


@pytest.fixture
def learn(window):
    return learning_on(window, "xor", "train")


def values(window) -> dict[str, np.ndarray]:
    return {name: np.array(window.graph.by_name(name).value) for name in PARAMS}


def test_settings_come_from_the_file(learn, window) -> None:
    panel = learn.train
    assert (panel.lr.value(), panel.steps.value(), panel.optimizer.currentText()) == (
        1.0, 2000, "sgd")
    window.set_graph(load_example("seed_fit"))
    assert (panel.lr.value(), panel.steps.value()) == (0.05, 300)


def test_the_learning_rate_reads_as_written_and_takes_typed_text(learn, qtbot) -> None:
    """'1' and '0.05', not '1.000000'; a typed rate of the smallest kind is taken whole."""
    field = learn.train.lr
    assert field.lineEdit().text() == "1"
    field.setValue(0.05)
    assert field.lineEdit().text() == "0.05"
    field.lineEdit().selectAll()
    qtbot.keyClicks(field.lineEdit(), "0.000001")
    qtbot.keyClick(field.lineEdit(), Qt.Key.Key_Return)
    assert field.value() == pytest.approx(1e-6)
    assert field.lineEdit().text() == "0.000001"


def test_absurd_suggestions_from_a_file_fall_back_to_defaults(learn, window) -> None:
    panel = learn.train
    graph = load_example("seed_fit")
    graph.meta["train"] = {"lr": 10 ** 400, "steps": 10 ** 18, "optimizer": "adam"}
    window.set_graph(graph)  # 10**400 is past float range: int-to-float would overflow
    assert (panel.lr.value(), panel.steps.value(), panel.optimizer.currentText()) == (
        0.1, 200, "adam")


def test_xor_trains_and_the_loss_falls(qtbot, learn, window) -> None:
    panel = learn.train
    panel.steps.setValue(400)
    before = values(window)
    with qtbot.waitSignal(panel.stopped, timeout=60_000) as blocker:
        qtbot.mouseClick(panel.train_button, Qt.MouseButton.LeftButton)
        assert panel.running and not panel.train_button.isEnabled()
    assert blocker.args == ["done"]
    assert len(panel.history) == 400 and panel.progress.value() == 400
    assert panel.history[-1] < 0.5 * panel.history[0]
    _x, y = panel.curve.getOriginalDataset()
    assert len(y) == 400
    assert window.undo_stack.undoText() == "Train 400 steps"
    expected = Trainer(load_example("xor"), 1.0)
    expected.step(400)
    for node_id, value in expected.final_values().items():
        np.testing.assert_array_equal(window.graph.nodes[node_id].value, value)
    assert window.graph.run().output_value < panel.history[0]
    window.undo_stack.undo()
    for name, value in before.items():
        np.testing.assert_array_equal(window.graph.by_name(name).value, value)


def test_stop_mid_run_keeps_the_values_at_the_stop(qtbot, learn, window) -> None:
    panel = learn.train
    panel.steps.setValue(1_000_000)
    before = values(window)
    depth = window.undo_stack.count()
    qtbot.mouseClick(panel.train_button, Qt.MouseButton.LeftButton)
    # the event loop keeps turning while training: the curve and the canvas move
    qtbot.waitUntil(lambda: len(panel.history) > 50, timeout=30_000)
    b2 = window.scene.nodes[window.graph.by_name("b2").id]
    assert b2.display.value_text != "0"  # the canvas shows the moving parameter
    assert window.graph.by_name("b2").value == 0  # the graph itself is not touched yet
    assert window.action("stop_training").isEnabled()
    with qtbot.waitSignal(panel.stopped, timeout=5_000) as blocker:
        qtbot.mouseClick(panel.stop_button, Qt.MouseButton.LeftButton)
    assert blocker.args == ["stopped"] and not panel.running
    steps = len(panel.history)
    assert 50 < steps < 1_000_000
    qtbot.wait(50)
    assert len(panel.history) == steps  # nothing runs after Stop
    assert window.undo_stack.count() == depth + 1
    assert window.undo_stack.undoText() == f"Train {steps} steps"
    replay = Trainer(load_example("xor"), 1.0)
    replay.step(steps)
    for node_id, value in replay.final_values().items():
        np.testing.assert_array_equal(window.graph.nodes[node_id].value, value)
    window.undo_stack.undo()
    for name, value in before.items():
        np.testing.assert_array_equal(window.graph.by_name(name).value, value)
    assert b2.display.value_text == "0"


def test_nothing_trainable_says_so(learn, window) -> None:
    window.set_graph(load_example("fanout"))
    depth = window.undo_stack.count()
    assert learn.train.start() is False
    assert "no trainable inputs" in learn.train.status.text()
    assert window.undo_stack.count() == depth


def test_divergence_stops_with_the_message_and_changes_nothing(qtbot, learn, window) -> None:
    window.set_graph(load_example("seed_fit"))
    panel = learn.train
    panel.lr.setValue(1000.0)
    panel.steps.setValue(500)
    with qtbot.waitSignal(panel.stopped, timeout=30_000) as blocker:
        panel.start()
    assert blocker.args == ["diverged"]
    assert window.undo_stack.count() == 0
    assert window.graph.by_name("w").value == 2.0
    assert "try a smaller learning rate" in window.messages.toPlainText()
    assert window.scene.nodes[window.graph.by_name("w").id].display.value_text == "2"


def test_opening_another_document_stops_without_applying(qtbot, learn, window) -> None:
    panel = learn.train
    panel.steps.setValue(1_000_000)
    with qtbot.waitSignal(panel.stopped, timeout=10_000) as blocker:
        panel.start()
        window.set_graph(load_example("seed"))
    assert blocker.args == ["document changed"]
    assert window.undo_stack.count() == 0


def test_train_action_uses_ctrl_t_and_starts(qtbot, learn, window) -> None:
    learn.train.steps.setValue(20)
    learn.docks["train"].hide()
    with qtbot.waitSignal(learn.train.stopped, timeout=30_000):
        window.action("train").trigger()
        assert learn.docks["train"].isVisible()
    assert window.undo_stack.undoText() == "Train 20 steps"
