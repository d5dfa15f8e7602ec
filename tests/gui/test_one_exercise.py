"""Practice and the ordering exercise both mark the canvas (practice's '?' rows, the ordering
card's lit node and wires), so one starting ends the other, with the reason in its dock;
started by its key on the canvas or by the Start button of its dock."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from cgeditor.gui.docks.ordering import OTHER_STARTED as ORDERING_ENDED
from cgeditor.gui.docks.practice import OTHER_STARTED as PRACTICE_ENDED

Key, Mod = Qt.Key, Qt.KeyboardModifier


def press(window, qtbot, key: Qt.Key, mods: Qt.KeyboardModifier) -> None:
    window.view.setFocus()
    qtbot.keyClick(window.view, key, mods)
    QApplication.processEvents()


def question_marks(window) -> list[str]:
    return [name for name, item in ((n.name, window.scene.nodes[n.id])
                                    for n in window.graph.nodes.values())
            if any("?" in row for row in item.shown_rows())]


def lit(window) -> list[str]:
    return [n.name for n in window.graph.nodes.values()
            if window.scene.nodes[n.id].display.highlighted]


def test_ordering_started_by_its_key_ends_practice_and_its_question_marks(window, qtbot):
    press(window, qtbot, Key.Key_P, Mod.ControlModifier)
    practice, ordering = window.learning.practice, window.learning.ordering
    assert practice.active and question_marks(window)
    press(window, qtbot, Key.Key_O, Mod.ControlModifier | Mod.ShiftModifier)
    assert ordering.active and not practice.active
    assert practice.prompt.text() == PRACTICE_ENDED
    assert not question_marks(window)
    assert not window.action("practice").isChecked()
    assert window.focusWidget() is ordering.cards  # the student moves cards at once
    ordering.cards.setCurrentRow(0)
    assert lit(window)  # the card's node is marked, nothing of practice's is


def test_practice_started_by_its_button_ends_the_ordering_exercise(window, qtbot):
    press(window, qtbot, Key.Key_O, Mod.ControlModifier | Mod.ShiftModifier)
    practice, ordering = window.learning.practice, window.learning.ordering
    ordering.cards.setCurrentRow(0)
    assert ordering.active and lit(window)
    window.learning.show("practice")
    qtbot.mouseClick(practice.start_button, Qt.MouseButton.LeftButton)
    QApplication.processEvents()
    assert practice.active and not ordering.active
    assert ordering.prompt.text() == ORDERING_ENDED
    assert not lit(window) and question_marks(window)
    assert ordering.cards.count() == 0
    assert window.focusWidget() is practice.answer_field
