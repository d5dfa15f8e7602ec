"""Every edit of many nodes at once leaves one line in the Messages dock, in one wording
("Pasted 2 nodes, 1 wire"): formula insert (field and dialog), paste, duplicate, delete,
auto layout, the scalar fix, opening an example and training. The counts are checked
against what the graph gained or lost. Keys and clicks as the user gives them."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLineEdit, QToolButton

from cgeditor.gui.commands import plural
from cgeditor.model.formula import from_formula
from cgeditor.paths import examples_dir
from tests.gui.conftest import learning_on

Ctrl = Qt.KeyboardModifier.ControlModifier


def press(window, key: Qt.Key, mods=Qt.KeyboardModifier.NoModifier) -> None:
    window.view.setFocus()
    QTest.keyClick(window.view.viewport(), key, mods)


def last(window) -> str:
    return window.messages.toPlainText().splitlines()[-1]


def size(graph) -> tuple[int, int]:
    return len(graph.nodes), len(graph.edges)


def parts(nodes: int, wires: int) -> str:
    return f"{plural(nodes, 'node')}, {plural(wires, 'wire')}"


def test_formula_from_the_toolbar_field_says_what_it_added(qtbot, window) -> None:
    n0, e0 = size(window.graph)
    field = window.toolbar.findChild(QLineEdit, "formula_field")
    qtbot.keyClicks(field, "z = tanh(w*x + q)")
    qtbot.keyClick(field, Qt.Key.Key_Return)
    n1, e1 = size(window.graph)
    assert window.graph.has_name("z") and n1 > n0
    assert last(window) == (f"Inserted z = tanh(w * x + q): {parts(n1 - n0, e1 - e0)}; "
                            "wired to the graph's w, x")


def test_formula_from_the_dialog_says_what_it_added(qtbot, window) -> None:
    n0, e0 = size(window.graph)
    window.action("formula").trigger()
    dialog = window.dialogs.dialogs["formula"]
    dialog.editor.setPlainText("e = u*v")
    dialog.refresh()
    qtbot.mouseClick(dialog.insert_button, Qt.MouseButton.LeftButton)
    n1, e1 = size(window.graph)
    assert (n1 - n0, e1 - e0) == (3, 2)  # u, v and e, nothing of the graph's reused
    assert last(window) == f"Inserted e = u * v: {parts(3, 2)}"


def test_a_formula_of_several_statements_is_reported_on_one_line(qtbot, window) -> None:
    window.action("formula").trigger()
    dialog = window.dialogs.dialogs["formula"]
    dialog.editor.setPlainText("e = u*v; f = tanh(e + u)")
    dialog.refresh()
    qtbot.mouseClick(dialog.insert_button, Qt.MouseButton.LeftButton)
    assert window.graph.has_name("f")
    line = f"Inserted e = u * v; f = tanh(e + u): {parts(5, 5)}"
    assert last(window) == line  # the statements joined by "; ", not on lines of their own
    assert window.statusBar().currentMessage() == line


def test_copy_paste_duplicate_delete_each_say_so(window, canvas) -> None:
    canvas.click(canvas.header("w"))
    canvas.click(canvas.header("c"), Ctrl)  # w and the wire w → c
    assert set(window.scene.selected_ids()) == {canvas.id("w"), canvas.id("c")}
    press(window, Qt.Key.Key_C, Ctrl)
    n0, e0 = size(window.graph)
    press(window, Qt.Key.Key_V, Ctrl)
    assert size(window.graph) == (n0 + 2, e0 + 1)
    assert last(window) == f"Pasted {parts(2, 1)}; J stays the output"  # J is marked now
    press(window, Qt.Key.Key_D, Ctrl)  # the pasted pair is selected: duplicate it
    assert size(window.graph) == (n0 + 4, e0 + 2)
    assert last(window) == f"Duplicated {parts(2, 1)}"
    press(window, Qt.Key.Key_Delete)
    assert size(window.graph) == (n0 + 2, e0 + 1)
    assert last(window) == f"Deleted {parts(2, 1)}"
    count = len(window.messages.toPlainText().splitlines())
    canvas.click(canvas.header("J"))
    press(window, Qt.Key.Key_Delete)  # one node: an ordinary edit, no line
    assert len(window.messages.toPlainText().splitlines()) == count


def test_auto_layout_says_how_many_nodes_moved(window) -> None:
    before = {i: (n.x, n.y) for i, n in window.graph.nodes.items()}
    press(window, Qt.Key.Key_L, Ctrl)
    moved = sum(before[i] != (n.x, n.y) for i, n in window.graph.nodes.items())
    assert moved > 0
    assert last(window) == f"Auto layout: moved {moved} of {plural(len(before), 'node')}"
    press(window, Qt.Key.Key_L, Ctrl)
    assert last(window) == "Auto layout: every node was already in place"


def test_opening_an_example_says_what_it_holds(window) -> None:
    assert window.dialogs.open_example(str(examples_dir() / "xor.cgraph"))
    assert last(window) == f"Opened the example xor.cgraph: {parts(*size(window.graph))}"


def test_the_scalar_fix_says_what_became_the_output(qtbot, window) -> None:
    window.set_graph(from_formula("h = tanh(w*x)", w=np.array([1.0, 2.0]),
                                  x=np.array([3.0, 4.0])))
    press(window, Qt.Key.Key_F6)
    qtbot.mouseClick(window.findChild(QToolButton, "make_scalar_mean_button"),
                     Qt.MouseButton.LeftButton)
    lines = window.messages.toPlainText().splitlines()
    assert "Made the output a scalar: J = mean(h)" in lines
    assert lines.count("Made the output a scalar: J = mean(h)") == 1


def test_training_says_which_parameters_how_long_and_the_loss(qtbot, window) -> None:
    panel = learning_on(window, "seed", "train").train
    panel.steps.setValue(4)
    with qtbot.waitSignal(panel.stopped, timeout=30_000):
        qtbot.mouseClick(panel.train_button, Qt.MouseButton.LeftButton)
    lines = window.messages.toPlainText().splitlines()
    trained = [line for line in lines if line.startswith("Trained ")]
    assert trained == [panel.status.text()]
    assert trained[0].startswith("Trained w, b for 4 steps: loss 2 → ")
    shown = window.scene.nodes[window.graph.by_name("J").id].display.value_text
    assert trained[0].endswith(f" → {shown}")  # the loss at the trained values, as run


def test_undo_and_redo_of_a_bulk_edit_say_so_and_of_a_small_one_do_not(window, canvas) -> None:
    canvas.click(canvas.header("w"))
    canvas.click(canvas.header("c"), Ctrl)
    press(window, Qt.Key.Key_C, Ctrl)
    press(window, Qt.Key.Key_V, Ctrl)
    n, e = size(window.graph)
    press(window, Qt.Key.Key_Z, Ctrl)
    assert size(window.graph) == (n - 2, e - 1)
    assert last(window) == "Undid Paste 2 nodes"
    window.action("redo").trigger()
    assert size(window.graph) == (n, e) and last(window) == "Redid Paste 2 nodes"
    count = len(window.messages.toPlainText().splitlines())
    window.editor.rename(canvas.id("J"), "loss")
    press(window, Qt.Key.Key_Z, Ctrl)  # one rename: an ordinary edit, no line
    assert window.graph.has_name("J")
    assert len(window.messages.toPlainText().splitlines()) == count


def test_undoing_training_says_so(qtbot, window) -> None:
    panel = learning_on(window, "seed", "train").train
    panel.steps.setValue(3)
    with qtbot.waitSignal(panel.stopped, timeout=30_000):
        qtbot.mouseClick(panel.train_button, Qt.MouseButton.LeftButton)
    press(window, Qt.Key.Key_Z, Ctrl)
    assert window.graph.by_name("w").value == 2.0
    assert last(window) == "Undid Train 3 steps"
