"""The Ordering dock in a window: Ctrl+Shift+O deals the cards, real mouse drags and
Alt+Up / Alt+Down put them in order, Check marks the misplaced ones with their reason and
counts the attempts, a selected card lights its node, and edits, runs, new documents and
closing the dock end the exercise; the document is never touched."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from cgeditor.gui import theme as T
from cgeditor.gui.docks.ordering import CLOSED, EDITED, RAN, REPLACED, WRONG
from cgeditor.model import files
from cgeditor.model.examples import load_example
from cgeditor.model.formula import from_formula
from cgeditor.model.stepping import BACKWARD, FORWARD

Button, Mod, Key = Qt.MouseButton, Qt.KeyboardModifier, Qt.Key


def start(window, qtbot, level: str = FORWARD):
    """The level chosen, then Ctrl+Shift+O on the canvas, as a student starts; the panel."""
    panel = window.learning.ordering
    panel.level.setCurrentIndex(panel.level.findData(level))
    window.view.setFocus()
    qtbot.keyClick(window.view, Key.Key_O, Mod.ControlModifier | Mod.ShiftModifier)
    QApplication.processEvents()
    return panel


def labels(panel) -> list[str]:
    """The cards' labels in the order the list shows them."""
    return [panel.ordering.by_key[key].label for key in panel.order()]


def row_point(panel, row: int) -> QPoint:
    rect = panel.cards.visualItemRect(panel.cards.item(row))
    return rect.center()


def drag(panel, source: int, target: int) -> None:
    """Press on card ``source``, move in small steps to card ``target``'s place, release:
    the events a mouse sends (the moves carry the held button)."""
    vp = panel.cards.viewport()
    panel.cards.scrollToItem(panel.cards.item(source))
    start = row_point(panel, source)
    QTest.mousePress(vp, Button.LeftButton, Mod.NoModifier, start)
    panel.cards.scrollToItem(panel.cards.item(target))
    end = row_point(panel, target)
    for k in range(1, 9):
        at = QPointF(start + (end - start) * (k / 8))
        event = QMouseEvent(QEvent.Type.MouseMove, at, QPointF(vp.mapToGlobal(at)),
                            Button.NoButton, Button.LeftButton, Mod.NoModifier)
        QApplication.sendEvent(vp, event)
    QTest.mouseRelease(vp, Button.LeftButton, Mod.NoModifier, end)


def drag_into(panel, wanted: list[str]) -> None:
    """Drag cards one by one until the list reads ``wanted``, checking each drag's result."""
    for target, label in enumerate(wanted):
        now = labels(panel)
        source = now.index(label)
        if source != target:
            drag(panel, source, target)
            moved = now[:source] + now[source + 1:]
            moved.insert(target, label)
            assert labels(panel) == moved


def click_check(panel, qtbot) -> None:
    qtbot.mouseClick(panel.check_button, Button.LeftButton)


def shown_texts(panel) -> list[str]:
    return [panel.cards.item(row).text() for row in range(panel.cards.count())]


def untouched(window, saved: str) -> None:
    """Nothing of the exercise is in the document: no undo step, not modified, same text."""
    assert window.undo_stack.count() == 0 and window.undo_stack.isClean()
    assert not window.isWindowModified()
    assert files.dumps(window.graph) == saved


def test_dragging_cards_with_the_mouse_orders_them_and_check_marks_the_rest(window, qtbot):
    saved = files.dumps(window.graph)
    panel = start(window, qtbot)
    assert window.learning.docks["ordering"].isVisible()
    assert QApplication.focusWidget() is panel.cards
    assert panel.order() == panel.ordering.start and len(panel.order()) == 5
    # a wrong order first: c last, so a = c + b cannot run where it is
    drag_into(panel, ["a", "d", "sq", "J", "c"])
    click_check(panel, qtbot)
    texts = shown_texts(panel)
    assert texts[0] == f"1. a = c + b\n{WRONG} needs c, which comes later"
    assert panel.cards.item(0).toolTip() == "a = c + b needs c, which comes later"
    assert texts[1:4] == ["2. d = a − y", "3. sq = d^2", "4. J = half · sq"]
    assert texts[4] == "5. c = w · x"
    assert panel.cards.item(0).foreground().color() == T.current().error
    assert panel.cards.item(1).data(Qt.ItemDataRole.ForegroundRole) is None  # the theme's
    assert panel.score.text() == "1 attempt so far"
    assert ("4 of 5 cards can run where they are; the one marked "
            f"{WRONG} needs something that comes later.") in panel.verdict.text()
    # c dragged to the top: its own mark and a's are read again at the next check
    drag(panel, 4, 0)
    assert labels(panel) == ["c", "a", "d", "sq", "J"]
    click_check(panel, qtbot)
    assert not any(WRONG in text for text in shown_texts(panel))
    assert panel.score.text() == "Right after 2 attempts"
    assert "Right: every step runs after what it needs" in panel.verdict.text()
    assert "Ordering exercise (forward pass): right after 2 attempts" \
        in window.messages.toPlainText()
    untouched(window, saved)


def test_alt_up_and_alt_down_move_the_selected_card(window, qtbot):
    saved = files.dumps(window.graph)
    panel = start(window, qtbot, BACKWARD)
    cards = panel.cards
    wanted = [card.label for card in panel.ordering.cards]  # the backward pass's own order
    for target, label in enumerate(wanted):  # each card up into its place, by keys
        row = labels(panel).index(label)
        cards.setCurrentRow(row)
        while row > target:
            before = labels(panel)
            qtbot.keyClick(cards, Key.Key_Up, Mod.AltModifier)
            row -= 1
            assert labels(panel)[row] == label and cards.currentRow() == row
            assert labels(panel)[row + 1] == before[row]
    assert labels(panel) == wanted
    qtbot.keyClick(cards, Key.Key_Down, Mod.AltModifier)  # the last card: nowhere to go
    assert labels(panel) == wanted
    cards.setCurrentRow(0)
    qtbot.keyClick(cards, Key.Key_Down, Mod.AltModifier)
    assert labels(panel)[:2] == [wanted[1], wanted[0]] and cards.currentRow() == 1
    click_check(panel, qtbot)
    first = shown_texts(panel)[0]
    assert first == f"1. {wanted[1]} = ∂J/∂sq · ∂sq/∂d\n{WRONG} needs ∂J/∂sq, which comes later"
    qtbot.keyClick(cards, Key.Key_Up, Mod.AltModifier)
    click_check(panel, qtbot)
    assert panel.score.text() == "Right after 2 attempts"
    untouched(window, saved)


def test_the_move_keys_act_only_on_the_cards(window, qtbot):
    panel = start(window, qtbot)
    before = panel.order()
    panel.cards.setCurrentRow(2)
    window.view.setFocus()
    qtbot.keyClick(window.view, Key.Key_Up, Mod.AltModifier)
    assert panel.order() == before
    window.action("ordering_up").trigger()  # the Learn menu's item acts on the selected card
    assert panel.order()[1] == before[2]


def test_a_selected_card_lights_its_node_and_wires(window, qtbot):
    panel = start(window, qtbot, BACKWARD)
    scene, ids = window.scene, {n.name: n.id for n in window.graph.nodes.values()}
    panel.cards.setCurrentRow(labels(panel).index("∂J/∂c"))
    assert scene.nodes[ids["c"]].display.highlighted
    assert scene.wires[(ids["a"], "a")].state == "highlight"  # where ∂J/∂a comes back from
    panel.cards.setCurrentRow(labels(panel).index("∂J/∂w"))
    assert not scene.nodes[ids["c"]].display.highlighted
    assert scene.wires[(ids["a"], "a")].state == "normal"
    assert scene.nodes[ids["w"]].display.highlighted
    assert scene.wires[(ids["c"], "a")].state == "highlight"
    assert [text for text in shown_texts(panel) if "∂J/∂w =" in text] \
        == [f"{labels(panel).index('∂J/∂w') + 1}. ∂J/∂w = ∂J/∂c · ∂c/∂w"]


def test_a_run_clears_and_ends_the_exercise(window, qtbot):
    window.action("backward").trigger()
    assert window.run.trace.model.ids  # the order on screen before
    panel = start(window, qtbot)
    assert window.run.result is None and not window.run.trace.model.ids
    window.action("forward").trigger()
    assert not panel.active and panel.prompt.text() == RAN
    assert panel.cards.count() == 0 and not window.action("ordering_up").isEnabled()


def test_an_edit_a_new_document_or_closing_the_dock_ends_it(window, qtbot):
    panel = start(window, qtbot, BACKWARD)
    assert window.action("ordering_down").isEnabled()
    c = window.graph.by_name("c").id
    panel.cards.setCurrentRow(labels(panel).index("∂J/∂c"))
    window.editor.set_value(window.graph.by_name("w").id, "3")
    assert not panel.active and panel.prompt.text() == EDITED
    assert not window.scene.nodes[c].display.highlighted
    assert not window.action("ordering_down").isEnabled()
    window.undo_stack.undo()
    panel = start(window, qtbot)
    window.set_graph(load_example("fanout"))
    assert not panel.active and panel.prompt.text() == REPLACED
    panel = start(window, qtbot)
    assert panel.active and "x · y" in " ".join(shown_texts(panel))
    window.learning.docks["ordering"].close()
    assert not panel.active and panel.prompt.text() == CLOSED


def test_a_graph_too_big_for_a_level_is_refused_with_the_way_on(window, qtbot):
    window.set_graph(load_example("logistic_regression"))
    panel = start(window, qtbot, "whole")
    assert not panel.active and panel.cards.count() == 0
    assert panel.prompt.text().startswith("The whole flow of this graph has 27 steps")
    assert "seed example" in window.statusBar().currentMessage()
    panel.level.setCurrentIndex(panel.level.findData(FORWARD))
    qtbot.mouseClick(panel.start_button, Button.LeftButton)
    assert panel.active and panel.cards.count() == 12
    assert any(text.endswith("→ (4,)") for text in shown_texts(panel))


def test_choosing_another_level_deals_its_cards_and_start_again_reshuffles(window, qtbot):
    panel = start(window, qtbot)
    panel.cards.setCurrentRow(1)  # a card of the forward level selected
    panel.level.setFocus()
    qtbot.keyClick(panel.level, Key.Key_Down)  # Backward pass
    assert panel.active and panel.ordering.level == BACKWARD
    assert sorted(labels(panel)) == sorted(card.label for card in panel.ordering.cards)
    assert all(label.startswith("∂J/∂") for label in labels(panel))
    assert panel.cards.currentRow() == 0
    assert window.scene.nodes[panel.selected_card().node_id].display.highlighted
    click_check(panel, qtbot)
    assert panel.score.text() == "1 attempt so far"
    dealt = {tuple(panel.order())}
    for _ in range(3):
        qtbot.mouseClick(panel.start_button, Button.LeftButton)
        assert panel.score.text() == "No attempt yet" and not panel.marks
        assert not panel.ordering.check(panel.order()).right  # never dealt in order
        dealt.add(tuple(panel.order()))
    assert len(dealt) > 1


def test_the_action_again_while_ordering_keeps_the_cards_and_focuses_them(window, qtbot):
    panel = start(window, qtbot)
    panel.cards.setCurrentRow(0)
    qtbot.keyClick(panel.cards, Key.Key_Down, Mod.AltModifier)
    dealt = panel.order()
    window.view.setFocus()
    qtbot.keyClick(window.view, Key.Key_O, Mod.ControlModifier | Mod.ShiftModifier)
    assert panel.active and panel.order() == dealt
    assert QApplication.focusWidget() is panel.cards


def test_the_cards_name_step_and_matrix_transpose_as_the_palette_does(window, qtbot):
    window.set_graph(from_formula("z = w * x; s = step(z); J = sum(matrix_transpose(s))",
                                  w=[[1, -2], [3, 0]], x=1))
    panel = start(window, qtbot)
    cards = sorted(text.partition(". ")[2] for text in shown_texts(panel))  # '1. z = …'
    assert cards == ["J = sum(matrix_transpose1)   → scalar",
                     "matrix_transpose1 = matrix_transpose(s)   → (2, 2)",
                     "s = step(z)   → (2, 2)", "z = w · x   → (2, 2)"]
