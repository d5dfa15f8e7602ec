"""A message repeating the one before it is counted on its line in Messages ('… (×2)'),
whichever part of the editor sent it; any other line in between starts afresh."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

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
