"""A message repeating the one before it is counted on its line in Messages ('… (×2)'),
whichever part of the editor sent it; any other line in between starts afresh."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from cgeditor.model.graph import Graph
from tests.gui.conftest import learning_on


def lines(window) -> list[str]:
    text = window.messages.toPlainText()
    return text.splitlines() if text else []


def check(qtbot, panel) -> None:
    with qtbot.waitSignal(panel.finished, timeout=10_000):
        qtbot.mouseClick(panel.check_button, Qt.MouseButton.LeftButton)


def test_checking_gradients_twice_counts_the_line(qtbot, window) -> None:
    panel = learning_on(window, "seed", "gradcheck").gradcheck
    window.messages.clear()
    check(qtbot, panel)
    first = lines(window)
    assert len(first) == 1 and first[0].startswith("Gradient check: All ")
    check(qtbot, panel)
    assert lines(window) == [f"{first[0]} (×2)"]
    assert window.statusBar().currentMessage() == f"{first[0]} (×2)"
    check(qtbot, panel)
    assert lines(window) == [f"{first[0]} (×3)"]


def test_auto_layout_repeats_count_and_another_line_starts_afresh(window) -> None:
    window.view.setFocus()
    press = lambda: QTest.keyClick(window.view.viewport(), Qt.Key.Key_L,  # noqa: E731
                                   Qt.KeyboardModifier.ControlModifier)
    press()
    window.messages.clear()
    press()
    press()
    done = "Auto layout: every node was already in place"
    assert lines(window) == [f"{done} (×2)"]
    window.action("undo").trigger()  # moves the nodes back: 'Undid Auto layout'
    assert lines(window)[-1] != done
    press()
    press()
    assert lines(window)[-2].startswith("Auto layout: moved ")
    assert lines(window)[-1] == done  # a new run of repeats: counted from one


def test_a_multi_line_message_counts_on_its_last_line(window) -> None:
    window.messages.clear()
    window.log("first\nsecond")
    window.log("first\nsecond")
    assert lines(window) == ["first", "second (×2)"]
    window.messages.clear()
    window.log("first\nsecond")
    assert lines(window) == ["first", "second"]


def test_many_lines_at_once_read_as_one_at_a_time(window) -> None:
    """A run's lines logged in one append (log_lines) read as logging each in turn does:
    repeats counted, a repeat of the line already shown counted on it, a cleared log
    started afresh; the status bar shows the last line as it reads."""
    batches = [["a", "b", "b", "c"], ["c", "c", "d\ne", "d\ne"], [], ["x"]]
    window.messages.clear()
    for batch in batches:
        for text in batch:
            window.log(text)
    one_by_one = lines(window)
    window.messages.clear()
    for batch in batches:
        window.log_lines(batch)
    assert lines(window) == one_by_one == ["a", "b (×2)", "c (×3)", "d", "e (×2)", "x"]
    assert window.statusBar().currentMessage() == "x"
    window.messages.clear()
    window.log_lines(["x", "x"])  # the same message as last, but the log was cleared
    assert lines(window) == ["x (×2)"]


def test_a_run_that_skips_many_nodes_logs_a_line_for_each(window) -> None:
    """Forward (F5) on a chain whose input has no wire: every node after it is named in
    Messages once, in order, and a second Forward adds nothing."""
    graph = Graph()
    prev = graph.add_node("tanh", "h0", x=0.0, y=0.0).id  # its port x is open
    for k in range(1, 40):
        node = graph.add_node("tanh", f"h{k}", x=200.0 * k, y=0.0)
        graph.connect(prev, node.id, "x")
        prev = node.id
    window.set_graph(graph)
    window.messages.clear()
    window.view.setFocus()
    QTest.keyClick(window.view.viewport(), Qt.Key.Key_F5)
    shown = lines(window)
    assert shown[0] == "not run: input port x of h0 not connected"
    assert shown[1:] == [f"h{k}: skipped: not evaluated: input h{k - 1} has no value"
                         for k in range(1, 40)]
    QTest.keyClick(window.view.viewport(), Qt.Key.Key_F5)
    assert lines(window) == shown
