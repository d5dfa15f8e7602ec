"""A node that grows after layout (a value edited to a matrix, a longer name, a rewired or
re-configured op, a run past what was reserved) or new nodes pasted beside old ones never
leave two node outlines (ports and order badges included) overlapping; the neighbours move
in the same undo step, and one Ctrl+Z puts every node back."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from tests.graphs import seed_graph

Key = Qt.Key
Ctrl = Qt.KeyboardModifier.ControlModifier


def enter(field, text: str) -> None:
    """Type ``text`` into an inspector field with real keys and commit it with Return."""
    field.edit.setFocus()
    field.edit.selectAll()
    QTest.keyClick(field.edit, Key.Key_Backspace)
    QTest.keyClicks(field.edit, text)
    QTest.keyClick(field.edit, Key.Key_Return)
    QApplication.processEvents()


def clashes(window) -> list[tuple[str, str]]:
    """Pairs of nodes whose whole outlines (ports, badge, reserved rows) intersect."""
    items = list(window.scene.nodes.values())
    rects = [item.sceneBoundingRect() for item in items]
    return [(items[i].name, items[j].name) for i in range(len(items))
            for j in range(i + 1, len(items)) if rects[i].intersects(rects[j])]


def places(window) -> dict[str, tuple[float, float]]:
    """Each node's position as the model has it, and its item agrees."""
    out = {}
    for node_id, node in window.graph.nodes.items():
        item = window.scene.nodes[node_id]
        assert (item.pos().x(), item.pos().y()) == (node.x, node.y)
        out[node.name] = (node.x, node.y)
    return out


def undo_with_keys(window) -> None:
    window.view.setFocus()
    QTest.keyClick(window.view, Key.Key_Z, Ctrl)
    QApplication.processEvents()


def select(canvas, name: str) -> None:
    canvas.click(canvas.header(name))
    QApplication.processEvents()


def test_a_value_edited_to_a_matrix_pushes_its_column_down_in_one_undo_step(window,
                                                                             canvas) -> None:
    start = places(window)
    w, x = canvas.item("w"), canvas.item("x")
    assert not clashes(window)
    select(canvas, "w")
    enter(window.inspector.fields["value"], "[[1, 2, 3], [4, 5, 6]]")
    assert np.shape(window.graph.by_name("w").value) == (2, 3)
    assert w.box.grid == (2, 3)  # the number grid's rows are there: w got taller
    assert clashes(window) == []
    assert x.sceneBoundingRect().top() > w.sceneBoundingRect().bottom()  # pushed below w
    moved = places(window)
    assert moved["w"] == start["w"] and moved["x"][1] > start["x"][1]
    assert window.undo_stack.undoText() == "Set w = [[1, 2, 3], [4, 5, 6]]"
    undo_with_keys(window)
    assert places(window) == start and window.graph.by_name("w").value == 2.0
    window.undo_stack.redo()
    QApplication.processEvents()
    assert places(window) == moved and clashes(window) == []


def test_a_longer_name_widens_the_node_and_pushes_the_next_column_right(window,
                                                                        canvas) -> None:
    start = places(window)
    long = "weight_of_the_first_hidden_layer"
    select(canvas, "w")
    enter(window.inspector.fields["name"], long)
    item = canvas.item(long)
    assert item.title() == long  # shown whole, not cut
    assert clashes(window) == []
    moved = places(window)
    assert moved["c"][0] > start["c"][0]  # the next column moved right, not under w
    undo_with_keys(window)
    assert places(window) == start and window.graph.has_name("w")


def test_rewiring_a_matrix_into_an_op_makes_room_for_its_grids(window, canvas) -> None:
    graph = window.graph
    graph.add_node("input", "M", 0.0, 420.0, value=np.arange(6.0).reshape(2, 3))
    QApplication.processEvents()
    start = places(window)
    canvas.drag(canvas.out_port("M"), canvas.in_port("c", "b"))
    QApplication.processEvents()
    assert canvas.source("c", "b") == "M"
    assert canvas.item("c").box.grid == (2, 3)  # c = w · M is now a 2×3 matrix
    assert clashes(window) == []
    undo_with_keys(window)
    assert places(window) == start and canvas.source("c", "b") == "x"


def test_an_attribute_that_changes_the_output_shape_makes_room(window, canvas) -> None:
    graph = window.graph
    m = graph.add_node("input", "M", 0.0, 420.0, value=np.arange(12.0).reshape(3, 4))
    s = graph.add_node("sum", "s", 300.0, 420.0)
    graph.connect(m.id, s.id, "x")
    graph.add_node("input", "below", 300.0, 530.0, value=1.0)
    QApplication.processEvents()
    start = places(window)
    assert clashes(window) == []
    select(canvas, "s")
    enter(window.inspector.fields["attr_axis"], "0")  # sum over rows: 4 numbers, not one
    assert canvas.item("s").box.grid == (1, 4)
    assert clashes(window) == []
    assert places(window)["below"][1] > start["below"][1]
    undo_with_keys(window)
    assert places(window) == start and graph.by_name("s").attrs["axis"] is None


def test_a_run_past_the_reserved_rows_makes_room_as_its_own_undo_step(window, canvas,
                                                                     monkeypatch) -> None:
    from cgeditor.gui.canvas import scene_sync
    # A graph too big for shape inference reserves a scalar's rows for every node.
    monkeypatch.setattr(scene_sync, "RESERVE_LIMIT", 0)
    window.set_graph(seed_graph())
    canvas = type(canvas)(window)
    select(canvas, "w")
    enter(window.inspector.fields["value"], "[[1, 2, 3], [4, 5, 6]]")
    before_run = places(window)
    window.action("forward").trigger()
    QApplication.processEvents()
    assert canvas.item("c").display.grid is not None  # c shows its 2×3 numbers
    assert clashes(window) == []
    assert window.undo_stack.undoText() == "Make room for the run's values"
    undo_with_keys(window)
    assert places(window) == before_run


def test_paste_beside_the_copied_nodes_lands_where_it_covers_none(window, canvas) -> None:
    start = places(window)
    window.scene.select_ids([canvas.id("w"), canvas.id("x"), canvas.id("c")])
    window.view.setFocus()
    QTest.keyClick(window.view, Key.Key_C, Ctrl)
    QTest.keyClick(window.view, Key.Key_V, Ctrl)
    QApplication.processEvents()
    assert len(window.graph.nodes) == len(start) + 3
    assert clashes(window) == []
    after = places(window)
    assert {k: after[k] for k in start} == start  # the old nodes stay where they were
    new = sorted(set(after) - set(start))
    # The pasted nodes keep their arrangement: w2 above x2, both left of c2.
    by_old = {name.rstrip("0123456789"): after[name] for name in new}
    assert by_old["w"][0] == by_old["x"][0] < by_old["c"][0]
    assert by_old["x"][1] - by_old["w"][1] == start["x"][1] - start["w"][1]
    undo_with_keys(window)
    assert places(window) == start


def test_a_hand_placed_node_away_from_the_growth_stays_put(window, canvas) -> None:
    graph = window.graph
    graph.add_node("input", "far", 0.0, 900.0, value=1.0)
    QApplication.processEvents()
    select(canvas, "w")
    enter(window.inspector.fields["value"], "[[1, 2], [3, 4]]")
    assert clashes(window) == []
    assert (graph.by_name("far").x, graph.by_name("far").y) == (0.0, 900.0)


@pytest.mark.parametrize("theme", ["dark", "light"])
def test_a_theme_switch_changes_no_node_size(window, theme: str) -> None:
    sizes = {i: (item.width(), item.rect_height()) for i, item in window.scene.nodes.items()}
    start = places(window)
    window.action(f"theme_{theme}").trigger()
    QApplication.processEvents()
    assert {i: (item.width(), item.rect_height())
            for i, item in window.scene.nodes.items()} == sizes
    assert places(window) == start and clashes(window) == []


def test_the_order_badge_counts_as_part_of_the_node(window, canvas) -> None:
    select(canvas, "w")
    enter(window.inspector.fields["value"], "[[1, 2, 3], [4, 5, 6]]")
    window.action("forward").trigger()
    QApplication.processEvents()
    assert canvas.item("x").display.order_badge  # badges are painted...
    for item in window.scene.nodes.values():  # ...inside each item's bounding rect
        assert item.boundingRect().contains(QPointF(-7.5, -8.5))
    assert clashes(window) == []


def grow_w_and_run(window, canvas) -> tuple[dict, dict]:
    """w typed as a 2×3 matrix, then Forward; the places and heights from before."""
    start = places(window)
    heights = {i: item.rect_height() for i, item in window.scene.nodes.items()}
    select(canvas, "w")
    enter(window.inspector.fields["value"], "[[1, 2, 3], [4, 5, 6]]")
    window.action("forward").trigger()
    QApplication.processEvents()
    return start, heights


def test_undo_after_a_run_shows_the_rerun_in_the_boxes_it_restores(window, canvas) -> None:
    start, heights = grow_w_and_run(window, canvas)
    assert canvas.item("c").display.grid is not None
    undo_with_keys(window)  # back to scalars: a value edit, so the run follows it
    assert places(window) == start
    c = canvas.item("c")
    assert not c.display.stale and c.display.grid is None
    assert c.shown_rows()[0] == "= −4"  # w·x at w = 2 again
    assert {i: item.rect_height() for i, item in window.scene.nodes.items()} == heights
    assert clashes(window) == []


def test_undo_under_a_stale_run_shows_its_numbers_in_the_boxes_it_restores(window,
                                                                           canvas) -> None:
    start = places(window)
    heights = {i: item.rect_height() for i, item in window.scene.nodes.items()}
    select(canvas, "w")
    enter(window.inspector.fields["value"], "[[1, 2, 3], [4, 5, 6]]")
    select(canvas, "sq")
    enter(window.inspector.fields["attr_exponent"], "3")
    window.action("forward").trigger()  # a run of what the two undos below take back
    QApplication.processEvents()
    undo_with_keys(window)  # the exponent, structural: the run goes stale
    undo_with_keys(window)  # the value: back to scalars under the stale 2×3 run
    assert places(window) == start
    c = canvas.item("c")
    assert c.display.stale and c.display.grid is None
    assert c.shown_rows()[0] == "= (2, 3)"  # the stale shape: its range would widen c over a
    assert {i: item.rect_height() for i, item in window.scene.nodes.items()} == heights
    assert clashes(window) == []


def test_an_edit_after_a_run_makes_room_for_the_stale_and_the_new_rows(window,
                                                                       canvas) -> None:
    window.action("forward").trigger()
    QApplication.processEvents()
    start = places(window)
    select(canvas, "w")
    enter(window.inspector.fields["value"], "[[1, 2, 3], [4, 5, 6]]")  # the run goes stale
    assert canvas.item("w").box.grid == (2, 3)
    assert clashes(window) == []
    assert places(window)["x"][1] > start["x"][1]
    undo_with_keys(window)
    assert places(window) == start and clashes(window) == []


def test_renaming_the_output_widens_every_gradient_row_and_nothing_overlaps(window,
                                                                            canvas) -> None:
    window.action("forward").trigger()
    window.action("backward").trigger()
    QApplication.processEvents()
    start = places(window)
    widths = {name: canvas.item(name).width() for name in start}
    select(canvas, "J")
    enter(window.inspector.fields["name"], "loss_of_the_whole_network")
    assert canvas.item("w").box.width > widths["w"]  # '∂loss_of_the_whole_network/∂w'
    assert clashes(window) == []
    undo_with_keys(window)
    assert places(window) == start and clashes(window) == []
