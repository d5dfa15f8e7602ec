"""One minus in the whole window: after Forward, Backward, forward mode (F7), a gradient
check, a short training and a failure (log of 0, division by 0), no text the window shows
(docks, tables, tooltips, the status line, the messages, the canvas's rows) writes a number's
sign or exponent with an ASCII hyphen: every one is the canvas's true minus '−'."""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from cgeditor.model.examples import load_example
from cgeditor.model.graph import Graph
from tests.gui.conftest import Canvas
from tests.gui.visible_text import window_texts

# A hyphen before a digit, a decimal point or inf, not inside a word or name (x-1 is a
# formula's subtraction only where a name precedes it; those are left to the check below).
ASCII_SIGN = re.compile(r"(?<![\w)\]])-(?=\.?\d|inf\b)|(?<=\de)-(?=\d)")


def ascii_minus(window) -> str:
    """Each text that writes a number with an ASCII minus, with the offending part, a line
    each ('' when none does)."""
    QApplication.processEvents()
    found = {}
    for where, text in window_texts(window).items():
        hit = ASCII_SIGN.search(text)
        if hit:
            found[where] = text[max(0, hit.start() - 40): hit.end() + 40]
    return "\n".join(f"{where}: {part!r}" for where, part in found.items())


def failing_graph() -> Graph:
    """J = log(x) + 1/z at x = 0, z = 0: log gives −inf, the division inf."""
    graph = Graph()
    x = graph.add_node("input", "x", value=0.0, trainable=True)
    z = graph.add_node("input", "z", value=0.0, y=150, trainable=True)
    one = graph.add_node("input", "one", value=-1.0, y=300)
    lg = graph.add_node("log", "lg", x=250)
    dv = graph.add_node("div", "dv", x=250, y=200)
    j = graph.add_node("add", "J", x=500)
    graph.connect(x.id, lg.id, "x")
    graph.connect(one.id, dv.id, "a")
    graph.connect(z.id, dv.id, "b")
    graph.connect(lg.id, j.id, "a")
    graph.connect(dv.id, j.id, "b")
    return graph


def run_key(window, key: Qt.Key) -> None:
    QTest.keyClick(window.view.viewport(), key)
    QApplication.processEvents()


@pytest.mark.parametrize("key", [Qt.Key.Key_F5, Qt.Key.Key_F6])
def test_forward_and_backward_on_the_seed(window, key) -> None:
    run_key(window, key)
    assert "−" in window.statusBar().currentMessage() + "".join(
        window_texts(window).values())  # the seed has negative numbers to show
    assert not ascii_minus(window), ascii_minus(window)


def test_forward_mode(window) -> None:
    canvas = Canvas(window)
    canvas.click(canvas.header("w"))
    run_key(window, Qt.Key.Key_F7)
    assert "Forward mode from w" in window.statusBar().currentMessage()
    assert not ascii_minus(window), ascii_minus(window)


def test_gradient_check_and_training(window, qtbot) -> None:
    window.learning.show("gradcheck")
    panel = window.learning.gradcheck
    with qtbot.waitSignal(panel.finished, timeout=10_000):
        qtbot.mouseClick(panel.check_button, Qt.MouseButton.LeftButton)
    assert not ascii_minus(window), ascii_minus(window)
    window.set_graph(load_example("seed_fit"))
    window.learning.show("train")
    train = window.learning.train
    train.steps.setValue(5)
    with qtbot.waitSignal(train.stopped, timeout=30_000):
        qtbot.mouseClick(train.train_button, Qt.MouseButton.LeftButton)
    assert not ascii_minus(window), ascii_minus(window)


@pytest.mark.parametrize("key", [Qt.Key.Key_F5, Qt.Key.Key_F6])
def test_a_failure_log_of_0_and_division_by_0(window, key) -> None:
    window.set_graph(failing_graph())
    run_key(window, key)
    texts = "\n".join(window_texts(window).values())
    assert "inf" in texts and "−inf" in texts
    assert not ascii_minus(window), ascii_minus(window)


def test_failure_in_the_docks(window, qtbot) -> None:
    window.set_graph(failing_graph())
    run_key(window, Qt.Key.Key_F6)
    window.scene.select_ids([window.graph.by_name("lg").id])
    window.learning.show("gradcheck")
    panel = window.learning.gradcheck
    qtbot.mouseClick(panel.check_button, Qt.MouseButton.LeftButton)  # refused: says why
    assert panel.summary.text().startswith("Not checked")
    window.learning.show("train")
    train = window.learning.train
    with qtbot.waitSignal(train.stopped, timeout=30_000):  # at step 1: the loss is −inf
        qtbot.mouseClick(train.train_button, Qt.MouseButton.LeftButton)
    assert "gives −inf" in train.status.text()
    assert not ascii_minus(window), ascii_minus(window)


def test_a_typed_ascii_minus_is_taken_and_shown_as_the_true_minus(window, qtbot) -> None:
    """The inspector's field keeps what was typed ('-3'); the undo step, the messages and
    the canvas say −3."""
    canvas = Canvas(window)
    canvas.click(canvas.header("w"))
    field = window.inspector.fields["value"].edit
    field.selectAll()
    qtbot.keyClicks(field, "-3")
    qtbot.keyClick(field, Qt.Key.Key_Return)
    assert window.graph.by_name("w").value == -3.0
    assert field.text() == "-3"
    assert window.undo_stack.undoText() == "Set w = −3"
    run_key(window, Qt.Key.Key_F6)
    assert canvas.item("w").display.value_text == "−3"
    assert not ascii_minus(window), ascii_minus(window)
