"""A run whose numbers widen a node past its reserve pushes what it covers in a step of its
own ("Make room for the run's values"). Undoing that step puts the neighbour back under the
still-wide node; the next run must clear it again, not leave the two overlapping."""

from __future__ import annotations

from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from cgeditor.model.graph import Graph
from tests.gui.test_make_room import clashes


def tight_graph(window) -> None:
    """m = x · k with k = −1.2345678e−9 (a run writes '−1.235e−09', wider than reserved),
    the output, and an input z standing 2 units right of m's outline."""
    graph = Graph()
    x = graph.add_node("input", "x", 0.0, 0.0, value=1.0)
    k = graph.add_node("const", "k", 0.0, 120.0, value=-1.2345678e-9)
    m = graph.add_node("mul", "m", 250.0, 0.0)
    graph.connect(x.id, m.id, "a")
    graph.connect(k.id, m.id, "b")
    graph.set_output(m.id)
    window.set_graph(graph)
    QApplication.processEvents()
    z = window.graph.add_node("input", "z", 0.0, 300.0, value=3.0)
    QApplication.processEvents()
    m_item, z_item = window.scene.nodes[m.id], window.scene.nodes[z.id]
    left_of_z = z_item.pos().x() - z_item.sceneBoundingRect().left()
    window.graph.move_node(z.id, m_item.sceneBoundingRect().right() + left_of_z + 2, 0.0)
    QApplication.processEvents()
    assert clashes(window) == []


def press(window, key: Qt.Key, mods=Qt.KeyboardModifier.NoModifier) -> None:
    window.view.setFocus()
    QTest.keyClick(window.view.viewport(), key, mods)
    QApplication.processEvents()


def test_a_run_after_undoing_its_room_clears_the_overlap_again(window) -> None:
    tight_graph(window)
    press(window, Qt.Key.Key_F5)  # Forward
    stack = window.undo_stack
    assert stack.undoText() == "Make room for the run's values"
    assert clashes(window) == []
    press(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert stack.index() == 0
    press(window, Qt.Key.Key_F5)
    assert clashes(window) == []
    assert stack.undoText() == "Make room for the run's values"


def test_a_live_value_edit_is_one_undo_step_with_its_room(window, canvas) -> None:
    """Live re-runs a value edit inside the edit's own step, as a run that follows a value
    edit outside Live does: one Ctrl+Z puts every node back with nothing overlapping."""
    from tests.gui.test_make_room import enter, places, select

    start = places(window)
    window.action("live").trigger()
    assert window.run.live
    stack = window.undo_stack
    before = stack.index()
    select(canvas, "y")
    enter(window.inspector.fields["value"], "[[1, 2], [3, 4]]")
    QApplication.processEvents()
    assert stack.index() == before + 1, [stack.text(i) for i in range(stack.count())]
    assert canvas.item("J").display.grid is not None  # the re-run's 2×2 numbers
    assert clashes(window) == []
    press(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert places(window) == start and clashes(window) == []
    assert canvas.item("J").display.value_text == "2"  # re-run at y = 2 again


def test_a_node_dragged_under_a_wide_one_is_cleared_at_the_next_publish(window,
                                                                        canvas) -> None:
    """Selecting a node publishes the run again: with nothing moved since the room was made,
    no step is pushed; after z is dragged onto the widened m, the next publish clears it."""
    from tests.gui.test_make_room import select

    tight_graph(window)
    press(window, Qt.Key.Key_F5)
    stack = window.undo_stack
    steps = stack.count()
    select(canvas, "x")
    assert stack.count() == steps and clashes(window) == []
    m_rect, z_rect = (canvas.item(n).sceneBoundingRect() for n in ("m", "z"))
    start = canvas.header("z")
    canvas.drag(start, start + QPointF(m_rect.right() - 10 - z_rect.left(), 0))
    QApplication.processEvents()
    assert stack.undoText().startswith("Move") and clashes(window) == [("m", "z")]
    select(canvas, "x")
    assert stack.undoText() == "Make room for the run's values" and clashes(window) == []
