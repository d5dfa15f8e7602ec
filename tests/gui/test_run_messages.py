"""The Messages dock says each thing once and truly: Forward then Backward, Step to the end
and on, Run to end, Live and a re-run after a value edit repeat no line the previous run
logged; a structural edit makes the next run's lines news again. Keys on the canvas."""

from __future__ import annotations

from collections import Counter

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from tests.graphs import seed_graph


def press(window, key: Qt.Key, mods=Qt.KeyboardModifier.NoModifier) -> None:
    window.view.setFocus()
    QTest.keyClick(window.view.viewport(), key, mods)


def lines(window) -> list[str]:
    text = window.messages.toPlainText()
    return text.splitlines() if text else []


def broken_seed(window) -> None:
    """The seed with d's port b (y) unplugged: d cannot run, sq and J are skipped."""
    graph = seed_graph()
    graph.disconnect(graph.by_name("d").id, "b")
    window.set_graph(graph)
    window.messages.clear()


PROBLEMS = ["not run: input port b of d not connected",
            "sq: skipped: not evaluated: input d has no value",
            "J: skipped: not evaluated: input sq has no value"]
NO_GRADIENTS = "gradients not computed: the output J has no value because d could not run"


def test_forward_then_backward_log_each_problem_once(window) -> None:
    broken_seed(window)
    press(window, Qt.Key.Key_F5)
    assert lines(window) == PROBLEMS
    press(window, Qt.Key.Key_F6)  # the same problems, and now why there are no gradients
    assert lines(window) == [*PROBLEMS, NO_GRADIENTS]
    assert window.statusBar().currentMessage() == (
        "d could not run: input port b of d not connected (so no gradients)")


def test_step_run_to_end_and_live_repeat_nothing(window) -> None:
    broken_seed(window)
    for _ in range(2 * len(window.graph.nodes) + 3):  # through the end and into a new walk
        press(window, Qt.Key.Key_F10)
    press(window, Qt.Key.Key_F5, Qt.KeyboardModifier.ShiftModifier)  # Run to end
    window.action("live").trigger()
    window.editor.set_value(window.graph.by_name("w").id, "3")
    QTest.qWait(50)  # Live re-runs on a zero timer
    assert Counter(lines(window)) == Counter([*PROBLEMS, NO_GRADIENTS])


def test_a_value_edit_reruns_quietly_a_structural_edit_makes_lines_news(window) -> None:
    broken_seed(window)
    press(window, Qt.Key.Key_F6)
    window.editor.set_value(window.graph.by_name("w").id, "3")  # re-run: nothing new
    assert lines(window) == [*PROBLEMS, NO_GRADIENTS]
    window.editor.rename(window.graph.by_name("c").id, "wx")  # stale until run again
    press(window, Qt.Key.Key_F6)  # the problems still hold after that edit: said again
    assert lines(window) == [*PROBLEMS, NO_GRADIENTS] * 2


def test_a_clean_run_logs_nothing_and_says_the_numbers_in_the_status_bar(window) -> None:
    window.messages.clear()
    press(window, Qt.Key.Key_F5)
    press(window, Qt.Key.Key_F6)
    assert lines(window) == []
    assert window.statusBar().currentMessage().startswith("J = 2 · ∂J/∂")


def test_stepping_keeps_the_numbers_out_of_the_status_line_until_they_are_shown(window) -> None:
    """Predict before you reveal: the first Step runs the whole graph, but the status line
    names the gradients only once the last step has shown them on the canvas."""
    window.statusBar().clearMessage()
    press(window, Qt.Key.Key_F10)
    stepper = window.run.stepper
    assert not stepper.done and "∂J/∂" not in window.statusBar().currentMessage()
    while not stepper.done:
        assert "∂J/∂w" not in window.statusBar().currentMessage()
        press(window, Qt.Key.Key_F10)
    assert window.statusBar().currentMessage().startswith("J = 2 · ∂J/∂")
    assert window.scene.nodes[window.graph.by_name("w").id].display.grad_text == "∂J/∂w = −4"


def test_a_value_edit_while_stepping_reveals_no_numbers_in_the_status_line(window) -> None:
    press(window, Qt.Key.Key_F10)
    window.statusBar().clearMessage()
    window.editor.set_value(window.graph.by_name("w").id, "3")
    assert window.graph.by_name("w").value == 3.0 and not window.run.stale
    assert "∂J/∂" not in window.statusBar().currentMessage()
