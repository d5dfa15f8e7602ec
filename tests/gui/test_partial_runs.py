"""A run stopped part way by an edit says so, and keeps saying so when undo makes it current
again: a gradient check 'stopped after k of n inputs' (its rows those of a whole check, to
the bit, and no canvas marks), a training 'stopped after k of n steps'. Real clicks and keys."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from test_back_to_run import enter, insert_formula, undo

from cgeditor.model.gradcheck import gradient_rows
from cgeditor.model.graph import Graph
from tests.gui.conftest import learning_on

Left = Qt.MouseButton.LeftButton
INPUTS = 30


def many_tensor_inputs() -> Graph:
    """J = Σ_k sum(tanh(x_k)), each x_k of 300 numbers: one input a tick, ~600 passes each."""
    graph = Graph()
    total = None
    for k in range(INPUTS):
        x = graph.add_node("input", f"x{k}", 0.0, 110.0 * k,
                           value=np.linspace(-1, 1, 300) * (k + 1) / INPUTS).id
        t = graph.add_node("tanh", f"t{k}", 230.0, 110.0 * k).id
        s = graph.add_node("sum", f"s{k}", 460.0, 110.0 * k).id
        graph.connect(x, t, "x")
        graph.connect(t, s, "x")
        if total is not None:
            a = graph.add_node("add", f"a{k}", 690.0 + 10 * k, 110.0 * k).id
            graph.connect(total, a, "a")
            graph.connect(s, a, "b")
            s = a
        total = s
    return graph


def test_a_check_stopped_by_an_edit_says_so_after_undo_brings_it_back(
        qtbot, window, canvas) -> None:
    window.set_graph(many_tensor_inputs())
    window.learning.show("gradcheck")
    panel = window.learning.gradcheck
    qtbot.mouseClick(panel.check_button, Left)
    qtbot.waitUntil(lambda: len(panel.rows) >= 2, timeout=30_000)
    canvas.click(canvas.header("x0"))
    enter(window, "value", "[1, 2]")  # an edit while it checks: it stops
    assert not panel.running
    done = len(panel.rows)
    assert 2 <= done < INPUTS and panel.table.rowCount() == done
    undo(window)  # exactly the graph checked: current again, but not whole
    assert not panel.stale_note.stale
    summary = panel.summary.text()
    assert summary.startswith(f"Stopped after {done} of {INPUTS} inputs")
    assert "none failed so far" in summary and "Check gradients" in summary
    assert not any(item.display.highlighted for item in window.scene.nodes.values())
    whole = gradient_rows(window.graph)
    assert [(r.name, r.backprop.tobytes(), r.numeric.tobytes()) for r in panel.rows] == \
        [(r.name, r.backprop.tobytes(), r.numeric.tobytes()) for r in whole[:done]]
    with qtbot.waitSignal(panel.finished, timeout=60_000):  # checked again: whole
        qtbot.mouseClick(panel.check_button, Left)
    assert panel.summary.text().startswith(f"All {INPUTS} passed")


def test_a_training_stopped_by_an_edit_says_how_far_it_got(qtbot, window, canvas) -> None:
    panel = learning_on(window, "seed", "train").train
    panel.steps.setValue(100_000)
    qtbot.mouseClick(panel.train_button, Left)
    qtbot.waitUntil(lambda: len(panel.history) >= 2, timeout=10_000)
    with qtbot.waitSignal(panel.stopped, timeout=10_000):
        insert_formula(window, canvas)
    steps = len(panel.history)
    undo(window)  # back to the trained graph: the curve is current, and partial
    assert not panel.stale_note.stale
    assert f"after {steps:,} of 100,000 steps" in panel.status.text()
    assert panel.progress.value() == steps and panel.progress.maximum() == 100_000
