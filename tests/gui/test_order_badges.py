"""The execution-order badges on the nodes, and the trace's step column, number the graph's
order as it is now: a move that reorders ties renumbers them at once, run current or stale."""

from __future__ import annotations

from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest


def press(window, key: Qt.Key) -> None:
    window.view.setFocus()
    QTest.keyClick(window.view.viewport(), key)


def badges(window) -> dict[str, str]:
    return {window.graph.nodes[i].name: item.display.order_badge
            for i, item in window.scene.nodes.items()}


def expected(window) -> dict[str, str]:
    """Each node's 1-based place in the graph's execution order today."""
    return {window.graph.nodes[i].name: str(k + 1) for k, i in enumerate(window.graph.order())}


def trace_steps(window) -> list[tuple[str, str]]:
    return [(row[0], row[1]) for row in window.run.trace.model.rows]


def drag_left_of(canvas, name: str, other: str) -> None:
    """Drag ``name`` by its header to 200 units left of ``other``."""
    start = canvas.header(name)
    end = QPointF(canvas.item(other).pos().x() - 200 + 80, start.y())
    canvas.drag(start, end)


def test_a_move_that_reorders_ties_renumbers_badges_and_trace(window, canvas) -> None:
    press(window, Qt.Key.Key_F6)
    assert badges(window) == expected(window)
    assert badges(window)["y"] != "1"
    drag_left_of(canvas, "y", "w")  # y, a source, is now the leftmost: it runs first
    assert window.graph.order()[0] == canvas.id("y")
    assert badges(window) == expected(window) and badges(window)["y"] == "1"
    assert not window.run.stale  # the numbers are those of the same graph
    order = [window.graph.nodes[i].name for i in window.graph.order()]
    assert trace_steps(window) == [(str(k + 1), name) for k, name in enumerate(order)]
    assert canvas.item("y").display.grad_text == "∂J/∂y = \u22122"


def test_a_stale_run_renumbers_too(window, canvas) -> None:
    press(window, Qt.Key.Key_F6)
    window.editor.rename(canvas.id("c"), "wx")
    field = window.inspector  # a structural edit: the attr of sq
    canvas.click(canvas.header("sq"))
    exponent = field.fields["attr_exponent"]
    exponent.edit.selectAll()
    QTest.keyClicks(exponent.edit, "3")
    QTest.keyClick(exponent.edit, Qt.Key.Key_Return)
    assert window.run.stale
    drag_left_of(canvas, "y", "w")
    assert badges(window) == expected(window) and badges(window)["y"] == "1"
    assert canvas.item("y").display.stale
    window.undo_stack.undo()  # the move back: the old numbering again
    assert badges(window) == expected(window) and badges(window)["y"] != "1"


def test_a_walk_in_progress_ends_stale_and_the_next_step_walks_the_new_order(window,
                                                                              canvas) -> None:
    for _ in range(3):
        press(window, Qt.Key.Key_F10)
    walk = window.run.stepper
    assert walk is not None and not walk.done and not window.run.stale
    drag_left_of(canvas, "y", "w")
    assert window.run.stale and badges(window)["y"] == "1"
    press(window, Qt.Key.Key_F10)  # a fresh walk, in today's order: y comes first
    assert not window.run.stale and window.run.stepper is not walk
    assert window.run.stepper.current_id == canvas.id("y")
    assert canvas.item("y").display.current and badges(window) == expected(window)


def test_nodes_added_after_a_run_leave_the_badges_numbering_the_runs_steps(window,
                                                                            canvas) -> None:
    press(window, Qt.Key.Key_F6)
    ran = [window.graph.nodes[i].name for i in window.graph.order()]
    canvas.click(canvas.header("w"))
    canvas.click(canvas.header("x"), Qt.KeyboardModifier.ControlModifier)
    QTest.keyClick(window.view.viewport(), Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    added = set(badges(window)) - set(ran)
    assert len(added) == 2 and window.run.stale
    now = [window.graph.nodes[i].name for i in window.graph.order()]
    assert now.index(max(added, key=now.index)) < now.index("J")  # they come before J
    shown = badges(window)
    assert {name: shown[name] for name in added} == dict.fromkeys(added, "")  # never ran
    steps = [name for name in now if name not in added]  # the run's nodes, in today's order
    assert {name: shown[name] for name in steps} == {n: str(k + 1) for k, n in enumerate(steps)}
