"""Every dock follows the document: after File > New, Open or Examples it shows nothing of
the previous graph, and after an edit of a value it marks what it shows stale (or, in Live
mode, shows the re-run). One test per dock, each driving the real window's actions."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from cgeditor.gui.docks import gradcheck as gc
from cgeditor.gui.docks import training
from cgeditor.gui.docks.chain_rule import HINT
from cgeditor.model.number_text import MINUS
from cgeditor.paths import examples_dir, seed_example
from tests.gui.conftest import learning_on

REPLACEMENTS = ("new", "open", "example")


def replace_document(window, how: str) -> None:
    """File > New, Open (the seed file) or Examples (xor), as the user does them."""
    if how == "new":
        window.action("new").trigger()
    elif how == "open":
        assert window.document.open_path(str(seed_example()))
    else:
        assert window.dialogs.open_example(str(examples_dir() / "xor.cgraph"))


def edit_w(window) -> None:
    """Type a new value for w in the inspector's field, as the user does."""
    window.scene.select_ids([window.graph.by_name("w").id])
    field = window.inspector.fields["value"]
    field.edit.setText("5")
    field.commit()


def cube_sq(window) -> None:
    """A structural edit: sq's exponent 2 → 3, typed in the inspector."""
    window.scene.select_ids([window.graph.by_name("sq").id])
    field = window.inspector.fields["attr_exponent"]
    field.edit.setText("3")
    field.commit()


@pytest.mark.parametrize("how", REPLACEMENTS)
def test_trace(window, how) -> None:
    window.action("backward").trigger()
    trace = window.run.trace

    def grad_of(name: str) -> str:
        return dict((r[1], r[5]) for r in trace.model.rows)[name]
    assert grad_of("w") == f"{MINUS}4"
    edit_w(window)  # a value: the run follows it
    assert grad_of("w") == "8" and not trace.stale_note.stale  # d·x = (−4)(−2)
    cube_sq(window)
    assert trace.stale_note.stale and grad_of("w") == "8"  # old numbers, marked
    replace_document(window, how)
    assert trace.model.rows == [] and not trace.stale_note.stale


@pytest.mark.parametrize("how", REPLACEMENTS)
def test_chain_rule(window, how) -> None:
    window.scene.select_ids([window.graph.by_name("w").id])
    window.action("backward").trigger()
    text = window.run.explainer.plain_text
    assert "∂J/∂w" in text() and "stale" not in text()
    cube_sq(window)
    window.scene.select_ids([window.graph.by_name("w").id])
    assert text().startswith("stale:") and "∂J/∂w" in text()
    replace_document(window, how)
    assert text() == HINT


@pytest.mark.parametrize("how", REPLACEMENTS)
def test_gradient_check_table_and_nudge(qtbot, window, how) -> None:
    panel = learning_on(window, "seed", "gradcheck").gradcheck
    with qtbot.waitSignal(panel.finished, timeout=10_000):
        qtbot.mouseClick(panel.check_button, Qt.MouseButton.LeftButton)
    window.scene.select_ids([window.graph.by_name("w").id])
    assert panel.nudge_selected() is not None
    assert panel.table.rowCount() == 4 and not panel.stale_note.stale
    edit_w(window)
    assert panel.stale_note.stale and panel.nudge_stale.stale
    assert panel.table.rowCount() == 4 and panel.nudge_result.text().startswith("w → 2.001")
    replace_document(window, how)
    assert panel.table.rowCount() == 0 and panel.rows == []
    assert panel.summary.text() == gc.RULE_TEXT and panel.nudge_result.text() == gc.NUDGE_HINT
    assert not panel.stale_note.stale and not panel.nudge_stale.stale


@pytest.mark.parametrize("how", REPLACEMENTS)
def test_cost_panel(qtbot, window, how) -> None:
    panel = learning_on(window, "seed", "cost").cost
    with qtbot.waitSignal(panel.measured, timeout=20_000):
        qtbot.mouseClick(panel.count_button, Qt.MouseButton.LeftButton)
    assert panel.cells["evals_bp"].text() == "10"
    edit_w(window)
    assert panel.stale_note.stale and panel.cells["evals_bp"].text() == "10"
    qtbot.mouseClick(panel.count_button, Qt.MouseButton.LeftButton)  # timing on the worker
    replace_document(window, how)  # before the worker is done
    qtbot.waitUntil(lambda: not panel.busy, timeout=20_000)
    assert all(cell.text() == "—" for cell in panel.cells.values())
    assert panel.cost is None and panel.sizes.text() == "" and not panel.stale_note.stale


@pytest.mark.parametrize("how", REPLACEMENTS)
def test_training(qtbot, window, how) -> None:
    panel = learning_on(window, "seed", "train").train
    panel.steps.setValue(20)
    w = window.graph.by_name("w")
    window.editor.set_trainable(w.id, True)
    with qtbot.waitSignal(panel.stopped, timeout=30_000):
        panel.start()
    assert len(panel.history) == 20 and not panel.stale_note.stale  # its own edit is current
    edit_w(window)
    assert panel.stale_note.stale and panel.history
    replace_document(window, how)
    xs, _ys = panel.curve.getData()
    assert panel.history == [] and (xs is None or len(xs) == 0)
    # what to do with the new graph: the seed and XOR have their parameters marked
    assert panel.status.text() == {
        "new": training.HINT,
        "open": "Press Train: gradient descent on J changes w, b.",
        "example": "Press Train: gradient descent on J changes W1, b1, W2, b2."}[how]
    assert not panel.stale_note.stale


def test_inspector_and_live_mode_show_the_graph_as_it_is(qtbot, window) -> None:
    """The inspector edits the document itself, so it never goes stale; Live re-runs."""
    window.run.set_live(True)
    edit_w(window)
    assert window.inspector.fields["value"].edit.text() == "5"

    def c_shown() -> str:
        return {r[1]: r for r in window.run.trace.model.rows}["c"][4]
    qtbot.waitUntil(lambda: c_shown() == f"{MINUS}10")  # w·x = 5·(−2), re-run by Live
    assert not window.run.trace.stale_note.stale
    window.action("new").trigger()
    assert window.inspector.summary.text().startswith("Select a node")
    assert window.run.trace.model.rows == []
