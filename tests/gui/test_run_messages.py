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
