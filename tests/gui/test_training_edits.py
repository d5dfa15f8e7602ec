"""An edit while training runs never loses anything: training stops first, its steps so far
become an undo step of their own, and the edit lands on top of it (the typed value wins).
Undo during training takes the steps back (Redo puts them back); closing or quitting keeps
them with the document. Values are compared to the bit with a replay of the same steps.
Real clicks and keys."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, Qt
from PySide6.QtWidgets import QApplication, QMessageBox
from test_back_to_run import enter, key, redo, undo

from cgeditor.gui import document
from cgeditor.model import files
from cgeditor.model.examples import load_example
from cgeditor.model.train import Trainer
from tests.gui.conftest import learning_on

Left = Qt.MouseButton.LeftButton


def training(qtbot, window, steps: int = 3, canvas=None):
    """The seed example training for ever, ``steps`` steps done at least; with ``canvas``,
    a node was moved first (an undo step, no number changed)."""
    panel = learning_on(window, "seed", "train").train
    if canvas is not None:
        start = canvas.header("half")
        canvas.drag(start, start + QPointF(30, 40))
    panel.steps.setValue(panel.steps.maximum())
    qtbot.mouseClick(panel.train_button, Left)
    qtbot.waitUntil(lambda: len(panel.history) >= steps, timeout=10_000)
    assert panel.running
    return panel


def replay(panel, steps: int) -> dict[str, float]:
    """The parameters after ``steps`` steps of the same training, by name."""
    trainer = Trainer(load_example("seed"), panel.lr.value(), panel.optimizer.currentText())
    trainer.step(steps)
    return {trainer.names[i]: value for i, value in trainer.final_values().items()}


def value(window, name: str) -> float:
    return float(window.graph.by_name(name).value)


def test_a_value_typed_while_training_wins_and_the_steps_are_kept_under_it(
        qtbot, window, canvas) -> None:
    panel = training(qtbot, window)
    with qtbot.waitSignal(panel.stopped, timeout=5_000) as stopped:
        canvas.click(canvas.header("w"))
        enter(window, "value", "5")
    assert stopped.args == ["interrupted"] and not panel.running
    steps = len(panel.history)
    trained = replay(panel, steps)
    assert value(window, "w") == 5.0  # the typed value, not the training's
    assert value(window, "b") == trained["b"]  # the steps done so far, to the bit
    status = panel.status.text()
    assert f"after {steps} of {panel.total:,} steps, before your edit" in status
    assert "one undo step, under your edit" in status
    assert status in window.messages.toPlainText()
    qtbot.wait(50)
    assert len(panel.history) == steps and value(window, "w") == 5.0  # nothing runs on
    stack = window.undo_stack
    assert stack.command(stack.index() - 2).text() == f"Train {steps} steps"
    undo(window)  # the edit: w as the training left it
    assert (value(window, "w"), value(window, "b")) == (trained["w"], trained["b"])
    assert not panel.stale_note.stale  # the graph the curve ended at
    undo(window)  # the training
    assert (value(window, "w"), value(window, "b")) == (2.0, 8.0)


def test_undo_while_training_takes_its_steps_back_and_redo_returns_them(
        qtbot, window, canvas) -> None:
    panel = training(qtbot, window, canvas=canvas)
    depth = window.undo_stack.count()
    assert window.undo_stack.undoText().startswith("Move")
    with qtbot.waitSignal(panel.stopped, timeout=5_000) as stopped:
        undo(window)
    assert stopped.args == ["interrupted"]
    steps = len(panel.history)
    assert (value(window, "w"), value(window, "b")) == (2.0, 8.0)
    assert "before Undo" in panel.status.text()
    assert "Undo takes those steps back (Redo puts them back)" in panel.status.text()
    redo(window)
    trained = replay(panel, steps)
    assert (value(window, "w"), value(window, "b")) == (trained["w"], trained["b"])
    assert window.undo_stack.count() == depth + 1
    undo(window)
    undo(window)  # the move before the training: still there
    assert window.undo_stack.index() == 0


def test_deleting_a_parameter_while_training_keeps_its_trained_value_for_undo(
        qtbot, window, canvas) -> None:
    panel = training(qtbot, window)
    with qtbot.waitSignal(panel.stopped, timeout=5_000):
        canvas.click(canvas.header("b"))
        key(window, Qt.Key.Key_Delete)
    assert "b" not in {n.name for n in window.graph.nodes.values()}
    trained = replay(panel, len(panel.history))
    assert value(window, "w") == trained["w"]
    undo(window)  # the delete: b comes back as the training left it
    assert value(window, "b") == trained["b"]


def test_an_edit_past_the_editor_while_training_still_wins(qtbot, window) -> None:
    """A script's edit of the graph (no settle first): training stops at once and applies
    its steps only to the parameters the edit left alone."""
    panel = training(qtbot, window)
    graph = window.graph
    with qtbot.waitSignal(panel.stopped, timeout=5_000) as stopped:
        graph.set_value(graph.by_name("w").id, np.float64(7.0))
    assert stopped.args == ["interrupted"]
    trained = replay(panel, len(panel.history))
    assert (value(window, "w"), value(window, "b")) == (7.0, trained["b"])
    assert "as the graph was edited outside the editor" in panel.status.text()


def test_closing_while_training_asks_about_its_steps(qtbot, window, monkeypatch) -> None:
    """An unmodified document, training: closing now has the steps to save, so it asks."""
    asked: list[str] = []

    def ask(_parent, _name, doing):
        asked.append(doing)
        return QMessageBox.StandardButton.Cancel
    monkeypatch.setattr(document, "ask_save_changes", ask)
    panel = training(qtbot, window)
    window.undo_stack.setClean()
    assert not window.close()  # cancelled: the window stays, with the trained values
    assert asked == ["closing"]
    trained = replay(panel, len(panel.history))
    assert (value(window, "w"), value(window, "b")) == (trained["w"], trained["b"])


def test_quitting_on_a_signal_while_training_keeps_its_steps_for_recovery(
        qtbot, window, tmp_path) -> None:
    panel = training(qtbot, window)
    window.undo_stack.setClean()
    window.close_unasked()
    QApplication.processEvents()
    written = list((tmp_path / "recovery").glob("*.cgraph"))  # this window's own
    assert len(written) == 1
    kept = files.load(written[0])
    trained = replay(panel, len(panel.history))
    assert float(kept.by_name("w").value) == trained["w"]
    assert float(kept.by_name("b").value) == trained["b"]


def test_a_move_while_training_lets_it_run_on(qtbot, window, canvas) -> None:
    """A move changes no number: the training goes on, and ends as one step on top."""
    panel = training(qtbot, window)
    start = canvas.header("half")
    canvas.drag(start, start + QPointF(30, 40))
    QApplication.processEvents()
    assert panel.running and window.undo_stack.undoText().startswith("Move")
    with qtbot.waitSignal(panel.stopped, timeout=5_000):
        qtbot.mouseClick(panel.stop_button, Left)
    assert window.undo_stack.undoText() == f"Train {len(panel.history)} steps"


def test_undo_while_training_takes_back_the_room_its_run_made_too(qtbot, window) -> None:
    """The training's end runs the trained graph, whose numbers can widen a node past its
    reserve ('Make room for the run's values', a step after the training's): one Undo
    takes back both, as its message says."""
    from tests.gui.test_run_room_undo import tight_graph

    tight_graph(window)
    x = window.graph.by_name("x").id
    window.editor.set_trainable(x, True)  # an undo step of the user's own
    stack = window.undo_stack
    before = stack.index()
    panel = window.learning.train
    window.learning.show("train")
    panel.steps.setValue(panel.steps.maximum())
    qtbot.mouseClick(panel.train_button, Left)
    qtbot.waitUntil(lambda: len(panel.history) >= 3, timeout=10_000)
    pushed: list[str] = []
    stack.indexChanged.connect(lambda i: pushed.append(stack.text(i - 1)) if i > before
                               else None)
    with qtbot.waitSignal(panel.stopped, timeout=5_000):
        undo(window)
    assert "Make room for the run's values" in pushed  # the end pushed more than its values
    assert stack.index() == before and value(window, "x") == 1.0
    assert window.graph.by_name("x").trainable  # the user's own step stays


def test_redo_while_training_brings_back_the_users_edit_and_drops_the_steps(
        qtbot, window, canvas) -> None:
    """Pushed first, the training's steps would be a new undo step that wipes the redo
    history: Redo would bring back nothing and the user's undone edit would be lost."""
    panel = learning_on(window, "seed", "train").train
    canvas.click(canvas.header("y"))
    enter(window, "value", "7")
    undo(window)
    assert value(window, "y") == 2.0 and window.undo_stack.canRedo()
    panel.steps.setValue(panel.steps.maximum())
    qtbot.mouseClick(panel.train_button, Left)
    qtbot.waitUntil(lambda: len(panel.history) >= 3, timeout=10_000)
    with qtbot.waitSignal(panel.stopped, timeout=5_000) as stopped:
        redo(window)
    assert stopped.args == ["interrupted"] and not panel.running
    assert value(window, "y") == 7.0  # the user's edit, redone
    assert (value(window, "w"), value(window, "b")) == (2.0, 8.0)  # no step applied
    assert window.undo_stack.count() == 1 and not window.undo_stack.canRedo()
    status = panel.status.text()
    assert "before Redo" in status and "nothing applied, so Redo keeps its history" in status


def test_redo_with_nothing_to_redo_lets_training_run_on(qtbot, window) -> None:
    panel = training(qtbot, window)
    assert not window.undo_stack.canRedo()
    redo(window)
    assert panel.running
    assert window.undo_stack.count() == 0
