"""The Failure-mode lab dock in a window, driven as a student would: Ctrl+Shift+F, a click
on a case and on Open case, the trigger typed into the Inspector (or the Training dock),
F5/F6, the diagnosis read off the dock, Apply remedy clicked, Ctrl+Z."""

from __future__ import annotations

import math
import re

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from cgeditor.gui.docks.failure_lab import HEALTHY, IDLE, STALE
from cgeditor.model import files
from cgeditor.model.failure_cases import BY_KEY, CASES, case_path
from tests.gui.test_insert_wires import behind
from tests.gui.test_legible import (
    assert_legible,
    overlaps,
    run_and_fit,
    small_window,  # noqa: F401 (fixture)
)

# Per case: what to type into which node's value, the run key, words the diagnosis must
# show (numbers from the run), and what the remedy leaves in the graph.
TRIGGERS = {
    "log_zero": ({"p": "0"}, Qt.Key.Key_F5,
                 ["log of 0 or of a negative number</b> at log1", "J = inf",
                  "log at x = 0 gives −inf"], "Use log(p + ε)"),
    "div_zero": ({"b": "0"}, Qt.Key.Key_F5,
                 ["division by zero</b> at q", "div at a = 1, b = 0 gives inf"],
                 "Use a / (b + ε)"),
    "softmax_overflow": ({"z": "[1000, 2, 3]"}, Qt.Key.Key_F5,
                         ["exp overflow</b> at e", "exp(1000)", "z reaches 1000"],
                         "Use log_softmax"),
    "vanishing": ({}, Qt.Key.Key_F6,
                  ["a vanishing gradient</b> at w", "∂J/∂w = 3.58474e−11",
                   "×0.197 at h1", "16 sigmoids → at most 0.25^16 = 2.32831e−10"],
                  "Swap 16 sigmoid nodes for relu"),
    "exploding": ({"a": "3"}, Qt.Key.Key_F6,
                  ["an exploding gradient</b> at x", "∂J/∂x = 6561", "×3 at h1–J (8 steps)"],
                  "Set a = 1"),
    "dead_relu": ({"b": "-3"}, Qt.Key.Key_F6,
                  ["a dead ReLU</b> at h", "z = −1 ≤ 0", "∂J/∂w = ∂J/∂x = ∂J/∂b = 0 exactly",
                   "∂J/∂h = −6 arrives"],
                  "Set b = −1"),
    "sqrt_zero": ({"y": "3"}, Qt.Key.Key_F6,
                  ["sqrt at 0: an infinite derivative</b> at J", "J = 0",
                   "gradient of s is inf, from the rule of sqrt at x = 0"],
                  "Use sqrt(s + ε)"),
}


def open_lab(window, qtbot):
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.ShiftModifier)
    QApplication.processEvents()
    lab = window.learning.lab
    assert window.learning.docks["failure_lab"].isVisible()
    return lab


def open_case(window, qtbot, key: str):
    lab = open_lab(window, qtbot)
    row = [c.key for c in CASES].index(key)
    rect = lab.cases.visualItemRect(lab.cases.item(row))
    qtbot.mouseClick(lab.cases.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert lab.case.key == key
    assert lab.trigger.text() == f"<b>Try:</b> {BY_KEY[key].trigger}"
    qtbot.mouseClick(lab.open_button, Qt.MouseButton.LeftButton)
    QApplication.processEvents()
    assert window.graph.meta["title"] == f"Failure lab: {BY_KEY[key].title}"
    assert not window.undo_stack.count()  # opened as a document, not edited into one
    return lab


def click_node(canvas, name: str) -> None:
    canvas.view.centerOn(canvas.header(name))  # on screen, however the case is laid out
    QApplication.processEvents()
    canvas.click(canvas.header(name))
    assert canvas.window.scene.selected_ids() == [canvas.id(name)]


def set_in_inspector(window, canvas, name: str, text: str) -> None:
    """Click the node on the canvas, then type into the Inspector's value field + Enter."""
    click_node(canvas, name)
    field = window.inspector.fields["value"]
    field.edit.selectAll()
    QTest.keyClick(field.edit, Qt.Key.Key_Backspace)
    QTest.keyClicks(field.edit, text)
    QTest.keyClick(field.edit, Qt.Key.Key_Return)


def backward_wires(window) -> set[tuple[str, str, str]]:
    """The wires whose in port is not right of their out port: drawn looping back."""
    items, graph = window.scene.nodes, window.graph
    return {(graph.nodes[e.src].name, graph.nodes[e.dst].name, e.port) for e in graph.edges
            if items[e.src].out_port_pos().x() >= items[e.dst].in_port_pos(e.port).x()}


def names(window) -> set[str]:
    return {node.name for node in window.graph.nodes.values()}


def press(window, qtbot, key: Qt.Key) -> None:
    window.view.setFocus()
    qtbot.keyClick(window.view, key)
    QApplication.processEvents()


@pytest.mark.parametrize("key", sorted(TRIGGERS))
def test_a_case_triggered_is_named_remedied_and_undone(window, qtbot, canvas, key) -> None:
    lab = open_case(window, qtbot, key)
    assert lab.diagnosis.text() == IDLE
    values, run_key, words, title = TRIGGERS[key]
    for name, text in values.items():
        set_in_inspector(window, canvas, name, text)
    press(window, qtbot, run_key)
    shown = lab.diagnosis.text()
    for word in words:
        assert word in shown, (word, shown)
    assert lab.apply_button.isEnabled() and lab.remedy.title == title
    qtbot.waitUntil(lambda: not lab.apply_button.visibleRegion().isEmpty())  # scrolled to
    before, steps = files.dumps(window.graph), window.undo_stack.count()
    places = {n.id: (n.x, n.y) for n in window.graph.nodes.values()}
    looping = backward_wires(window)  # a chain laid out in rows has its row ends
    hidden = set(behind(window, list(names(window))))
    old_names, broken = names(window), lab.shown[0].node
    qtbot.mouseClick(lab.apply_button, Qt.MouseButton.LeftButton)
    QApplication.processEvents()
    assert window.undo_stack.count() == steps + 1  # one undo step
    assert window.undo_stack.undoText().startswith(title)
    # run again at once: nothing breaks now
    assert lab.diagnosis.text() == f"Applied “{title}” (Ctrl+Z takes it back). {HEALTHY}"
    kept = {i: (n.x, n.y) for i, n in window.graph.nodes.items() if i in places}
    if key in ("vanishing", "exploding", "dead_relu"):  # a swap in place, or a value
        assert kept == {i: places[i] for i in kept}  # nothing was moved to make room
    boxes = [item.sceneBoundingRect() for item in window.scene.nodes.values()]
    assert not overlaps(boxes)
    # what the remedy added, the node it fixed and the output are in view: the guarded node
    # and what follows moved right to make room, past the canvas's edge (div's q and J)
    seen = window.view.mapToScene(window.view.viewport().rect()).boundingRect()
    output = window.graph.nodes[window.graph.output].name
    assert {name for name in names(window) - old_names | ({broken, output} & names(window))
            if not seen.contains(canvas.item(name).sceneBoundingRect())} == set()
    # a guard goes on the wire, before the node it feeds, with ε left of it: no new wire
    # loops back (the guarded node and what follows it moved right to make room)
    assert backward_wires(window) - looping == set()
    assert set(behind(window, list(names(window)))) - hidden == set()  # nor passes behind
    result = window.run.state.result
    assert all(math.isfinite(v) for g in result.grads.values() for v in [float(abs(g).max())])
    # Ctrl+Z pressed right after the click, wherever that left the focus (the disabled
    # button's next widget along, the toolbar's interval field, took it for itself)
    assert QApplication.focusWidget() is window.view
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Z,
                   Qt.KeyboardModifier.ControlModifier)
    QApplication.processEvents()
    assert files.dumps(window.graph) == before  # Ctrl+Z takes the remedy back whole
    # and the lab's run after it: the break is shown again, not the fix's numbers, stale
    qtbot.waitUntil(lambda: lab.diagnosis.text() == shown)
    assert not window.run.stale
    # the remedy's run, stale now, names the nodes as the graph does: a swapped-back op
    # is the same node, not 'J (deleted)'
    shown_rows = [text for item in window.scene.nodes.values()
                  for _kind, text in item.info_rows()]
    assert not [text for text in shown_rows if "deleted" in text]
    qtbot.keyClick(window.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.ShiftModifier)  # Redo: the fix, run again
    qtbot.waitUntil(lambda: lab.diagnosis.text() == HEALTHY)
    assert not window.run.stale and window.undo_stack.undoText().startswith(title)


def test_after_another_edit_the_lab_no_longer_offers_ctrl_z_for_the_remedy(
        window, qtbot, canvas) -> None:
    lab = open_case(window, qtbot, "dead_relu")
    set_in_inspector(window, canvas, "b", "-3")
    press(window, qtbot, Qt.Key.Key_F6)
    qtbot.waitUntil(lambda: not lab.apply_button.visibleRegion().isEmpty())
    qtbot.mouseClick(lab.apply_button, Qt.MouseButton.LeftButton)
    QApplication.processEvents()
    assert lab.diagnosis.text().startswith("Applied “Set b = −1” (Ctrl+Z takes it back)")
    set_in_inspector(window, canvas, "x", "3")  # Ctrl+Z would take this back now
    press(window, qtbot, Qt.Key.Key_F6)
    assert lab.diagnosis.text() == HEALTHY


def test_a_learning_rate_too_large_is_named_and_the_remedy_sets_the_rate(window, qtbot):
    lab = open_case(window, qtbot, "learning_rate")
    train = window.learning.train
    # the step is taken in the Training dock: it opens with the case, nothing trained,
    # its rate selected for typing (Learn > Train would train at once, at a rate that
    # converges, and from there 0.35 hardly diverges in 100 steps)
    assert window.learning.docks["train"].isVisible() and not train.history
    assert train.lr.value() == 0.05  # the case's suggestion converges
    # w and b are already trainable: it says to press Train, not to mark inputs
    assert train.status.text() == "Press Train: gradient descent on J changes w, b."
    assert QApplication.focusWidget() is train.lr
    QTest.keyClicks(QApplication.focusWidget(), "0.35")
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    assert train.lr.value() == 0.35
    qtbot.mouseClick(train.train_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not train.running, timeout=20000)
    window.learning.show("failure_lab")
    shown = lab.diagnosis.text()
    assert "a learning rate too large</b> at J" in shown
    assert "J grew from 65.182 to " in shown and "(×1.93 a step)" in shown
    # the loss it names as reached is the one the Training dock and the canvas show
    reached = float(re.search(r"J grew from 65\.182 to (\S+) after 100 steps", shown)[1])
    said = train.status.text().split("→ ")[1].replace("\u2212", "-")
    assert reached == pytest.approx(float(said), rel=1e-3)
    assert reached == pytest.approx(float(window.run.state.result.values["J"]), rel=1e-6)
    assert "λ ≈ 6.83, a step larger than 2/λ ≈ 0.293" in shown
    assert lab.remedy.lr == 0.1
    saved = files.dumps(window.graph)
    qtbot.mouseClick(lab.apply_button, Qt.MouseButton.LeftButton)
    assert train.lr.value() == 0.1 and files.dumps(window.graph) == saved
    assert not lab.apply_button.isEnabled()
    assert lab.diagnosis.text().startswith("Applied: Set the Training dock's learning rate to "
                                           "0.1 (a training setting, not an edit of the graph)")
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.mouseClick(train.train_button, Qt.MouseButton.LeftButton)  # from the start, at 0.1
    qtbot.waitUntil(lambda: not train.running, timeout=20000)
    assert train.history[-1] < train.history[0] and lab.trained is None


def test_a_momentum_run_that_diverges_gets_no_rate_from_sgd_curvature(window, qtbot):
    """The Training dock's optimizer reaches the lab: momentum at lr 1 diverges, and the lab
    says its steps are not lr · gradient instead of offering 1/λ."""
    lab = open_case(window, qtbot, "learning_rate")
    train = window.learning.train
    QTest.keyClicks(QApplication.focusWidget(), "1")
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    train.optimizer.setCurrentIndex(train.optimizer.findText("momentum"))
    qtbot.mouseClick(train.train_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not train.running, timeout=20000)
    window.learning.show("failure_lab")
    shown = lab.diagnosis.text()
    assert "a learning rate too large</b> at J" in shown
    assert "With momentum a step is not lr · gradient" in shown and "λ" not in shown
    assert lab.remedy.lr == 0.1


def test_where_the_user_scrolled_the_lab_stays_through_a_resize(window, qtbot, canvas):
    """A diagnosis scrolls the lab to its remedy; once the user scrolls elsewhere, a later
    change of the scroll range (the window resized) leaves the lab where they put it."""
    lab = open_case(window, qtbot, "log_zero")
    set_in_inspector(window, canvas, "p", "0")
    press(window, qtbot, Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: not lab.apply_button.visibleRegion().isEmpty())
    bar = window.learning.docks["failure_lab"].widget().verticalScrollBar()
    assert bar.value() > 0  # scrolled down to the remedy
    bar.triggerAction(bar.SliderAction.SliderToMinimum)  # as the wheel or a drag does
    assert bar.value() == 0
    window.resize(window.width(), window.height() - 10)
    QApplication.processEvents()
    assert bar.value() == 0


def test_the_vanishing_case_is_named_as_it_opens_and_after_an_edit_goes_stale(
        window, qtbot, canvas) -> None:
    lab = open_case(window, qtbot, "vanishing")
    press(window, qtbot, Qt.Key.Key_F6)
    assert "a vanishing gradient" in lab.diagnosis.text()
    set_in_inspector(window, canvas, "w", "2")  # a value edit: the run follows at once
    assert "∂J/∂w = " in lab.diagnosis.text() and "3.58474e−11" not in lab.diagnosis.text()
    click_node(canvas, "h3")
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_Delete)  # a structural edit: the run is stale
    QApplication.processEvents()
    assert lab.diagnosis.text() == STALE and not lab.apply_button.isEnabled()


def test_opening_a_case_over_unsaved_work_asks_and_cancel_keeps_it(window, qtbot, canvas,
                                                                  monkeypatch) -> None:
    from PySide6.QtWidgets import QMessageBox

    from cgeditor.gui import document
    set_in_inspector(window, canvas, "w", "3")  # unsaved work
    asked = []
    monkeypatch.setattr(document, "ask_save_changes", lambda *a: asked.append(a) or
                        QMessageBox.StandardButton.Cancel)
    saved, graph = files.dumps(window.graph), window.graph
    lab = open_lab(window, qtbot)
    qtbot.mouseClick(lab.open_button, Qt.MouseButton.LeftButton)
    assert len(asked) == 1 and window.graph is graph and files.dumps(graph) == saved
    assert window.undo_stack.count() == 1  # the user's own edit, still undoable


@pytest.mark.parametrize("key", [c.key for c in CASES])
def test_every_case_opens_legible_beside_the_lab_and_stays_so_after_a_run(
        small_window, qtbot, key) -> None:  # noqa: F811
    window = small_window
    window.learning.show_failure_lab()
    lab = window.learning.lab
    lab.cases.setCurrentRow([c.key for c in CASES].index(key))
    assert lab.open_current()
    qtbot.wait(20)  # the fit after the column widened
    assert_legible(window, key)
    run_and_fit(window, qtbot)
    assert_legible(window, f"{key} after a run")


def test_a_run_while_the_lab_is_hidden_is_diagnosed_as_it_shows(window, qtbot, canvas) -> None:
    lab = open_case(window, qtbot, "log_zero")
    window.learning.show("train")  # a tab raised over the lab's: the lab is covered
    qtbot.waitUntil(lambda: lab.visibleRegion().isEmpty())
    set_in_inspector(window, canvas, "p", "0")
    press(window, qtbot, Qt.Key.Key_F5)
    assert lab.diagnosis.text() == IDLE  # nothing spent on a lab nobody sees
    window.learning.show("failure_lab")
    qtbot.waitUntil(lambda: "log of 0 or of a negative number</b> at log1"
                    in lab.diagnosis.text())


def test_a_training_stopped_by_another_document_says_nothing_of_the_new_one(window, qtbot):
    lab = open_case(window, qtbot, "learning_rate")
    train = window.learning.train
    train.lr.setValue(0.35)
    train.steps.setValue(100_000)  # still running when the next case opens
    qtbot.mouseClick(train.train_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(train.history) > 30)  # diverging by now
    window.learning.show("failure_lab")
    open_case(window, qtbot, "div_zero")
    assert not train.running and lab.trained is None and lab.diagnosis.text() == IDLE


def test_a_case_opened_from_its_file_is_the_case_the_lab_shows(window, qtbot, canvas) -> None:
    """File > Open of a bundled case (or Open Recent) with the lab open on another case:
    its step and story follow the graph, not the row selected before."""
    lab = open_lab(window, qtbot)
    assert lab.case.key == "log_zero"
    window.set_graph(files.load(case_path("sqrt_zero")))
    QApplication.processEvents()
    assert lab.case.key == "sqrt_zero"
    assert lab.trigger.text() == f"<b>Try:</b> {BY_KEY['sqrt_zero'].trigger}"
    set_in_inspector(window, canvas, "y", "3")
    press(window, qtbot, Qt.Key.Key_F6)
    assert "sqrt at 0: an infinite derivative</b> at J" in lab.diagnosis.text()
    assert "sqrt" in lab.case_text.text() and "log" not in lab.case_text.text()


def test_a_guard_goes_just_below_the_port_rows_the_canvas_draws(window) -> None:
    """The model places a guard by the canvas's header and row heights: the same numbers."""
    from cgeditor.gui import theme as T
    from cgeditor.model.failure_remedy import on_wire_into
    from cgeditor.model.layout import NOMINAL_HEADER, NOMINAL_ROW

    assert (NOMINAL_HEADER, NOMINAL_ROW) == (T.HEADER_HEIGHT, T.ROW_HEIGHT)
    graph = window.graph
    d = graph.by_name("d")  # the seed's sub: ports a and b
    item = window.scene.nodes[d.id]
    lowest_port = max(item.in_port_pos(port).y() for port in d.ports)
    x, y = on_wire_into(d.id, graph)
    assert (x, y) == (d.x, d.y + 24 + 2 * 18)
    assert lowest_port < item.pos().y() + (y - d.y)  # the wires into d pass above the guard
