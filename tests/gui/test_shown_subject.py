"""The docks explain what is selected now, never a node of an earlier document or one undone
away: after Open, Examples, New and Undo the chain rule, trace and inspector follow the new
selection, driven by real clicks and keys on the canvas."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtTest import QTest

from cgeditor.gui.docks.chain_rule import HINT, run_hint
from cgeditor.paths import examples_dir, seed_example


def press(window, key: Qt.Key, mods=Qt.KeyboardModifier.NoModifier) -> None:
    """A key on the canvas, as the user presses it (the window's shortcuts answer)."""
    window.view.setFocus()
    QTest.keyClick(window.view.viewport(), key, mods)


def highlighted(window) -> set[str]:
    return {window.graph.nodes[i].name for i, item in window.scene.nodes.items()
            if item.display.highlighted}


def reopen(window, how: str) -> None:
    if how == "open":  # the same file again: its ids (n1 = w …) are the old ones
        assert window.document.open_path(str(seed_example()))
    elif how == "example":
        assert window.dialogs.open_example(str(examples_dir() / "xor.cgraph"))
    else:
        window.action("new").trigger()


@pytest.mark.parametrize("how", ["open", "example", "new"])
def test_a_new_document_explains_nothing_until_a_node_is_clicked(window, canvas, how) -> None:
    canvas.click(canvas.header("w"))
    press(window, Qt.Key.Key_F6)
    text = window.run.explainer.plain_text
    assert "∂J/∂w" in text() and window.run.trace.selected_id() == canvas.id("w")
    assert "w" in highlighted(window)
    reopen(window, how)
    press(window, Qt.Key.Key_F6)
    assert window.scene.selected_ids() == [] and window.run.state.selected is None
    assert text() == HINT and window.run.trace.selected_id() is None
    assert highlighted(window) == set()
    assert window.inspector.summary.text() == "Select a node to edit it."
    if how == "new":
        return
    first = "w" if how == "open" else "W1"
    canvas.click(canvas.header(first))
    assert f"∂J/∂{first}" in text() and window.run.trace.selected_id() == canvas.id(first)


def test_a_selected_node_before_any_run_says_how_to_explain_it(window, canvas) -> None:
    canvas.click(canvas.header("c"))
    text = window.run.explainer.plain_text
    assert text() == run_hint() and "Backward (F6)" in text()
    window.inspector.fields["name"].edit.setText("wx")  # a rename leaves the hint true
    window.inspector.fields["name"].commit()
    assert text() == run_hint()
    press(window, Qt.Key.Key_F6)
    assert text().startswith("wx\n∂J/∂wx = ")
    corner = window.view.viewport().rect().bottomLeft() + QPoint(20, -20)
    empty = window.view.mapToScene(corner)  # bare canvas, on screen
    assert not any(item.sceneBoundingRect().contains(empty)
                   for item in window.scene.nodes.values())
    canvas.click(empty)
    assert text() == HINT


def test_undoing_the_explained_node_away_leaves_no_explanation(window, canvas) -> None:
    node_id = window.editor.add_op("exp", canvas.header("J") + QPointF(0, 200))  # selected
    window.editor.connect(canvas.id("J"), node_id, "x")
    press(window, Qt.Key.Key_F6)
    text = window.run.explainer.plain_text
    assert text().startswith("exp1\n")
    press(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # the wire
    press(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # the node
    assert node_id not in window.graph.nodes and window.run.state.selected is None
    press(window, Qt.Key.Key_F6)
    assert text() == HINT and window.run.trace.selected_id() is None
