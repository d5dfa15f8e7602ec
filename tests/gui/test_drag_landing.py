"""Where a mouse drag of many nodes lands: every dragged item at whole units, the model at
the same place, every wire at its ports (shifted from its ends at the press by its own nodes'
moves), one undo step, and the zoomed-out overview showing what a freshly built canvas of
the moved graph shows."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtWidgets import QApplication

from cgeditor.gui import theme as T
from cgeditor.model.graph import Graph
from tests.graphs import doubling_chain
from tests.gui.conftest import Canvas
from tests.gui.pixels import shown

ZOOM = T.LOD_WIRES * 0.75  # the overview: the view paints blocks and lines in one pass


def off_grid_chain(layers: int = 30) -> Graph:
    """A doubling chain whose nodes stand off whole units (as a layout may put them)."""
    graph = doubling_chain(layers, 1.0, step=250)
    for k, node in enumerate(graph.nodes.values()):
        graph.move_node(node.id, node.x + 0.3, 40.0 * (k % 3) + 0.7)
    return graph


def wire_gaps(window) -> float:
    """The largest distance between a wire's end and its node's port, in scene units."""
    scene = window.scene
    worst = 0.0
    for (dst, port), wire in scene.wires.items():
        x1, y1, x2, y2 = wire.ends
        src_at, dst_at = scene.nodes[wire.src].out_port_pos(), scene.nodes[dst].in_port_pos(port)
        worst = max(worst, abs(x1 - src_at.x()), abs(y1 - src_at.y()),
                    abs(x2 - dst_at.x()), abs(y2 - dst_at.y()))
    return worst


def positions(window) -> dict[str, tuple[float, float]]:
    return {i: (n.x, n.y) for i, n in window.graph.nodes.items()}


def item_positions(window) -> dict[str, tuple[float, float]]:
    return {i: (item.pos().x(), item.pos().y()) for i, item in window.scene.nodes.items()}


def drag_selected(window, by: QPointF, leave_out: str | None = None,
                  release: bool = True) -> tuple[Canvas, QPointF]:
    """Select every node (but ``leave_out``) and drag them by ``by`` (scene units) with
    real mouse events on the viewport, zoomed out to the overview."""
    if leave_out is not None:
        window.scene.nodes[window.graph.by_name(leave_out).id].setSelected(False)
    first = window.scene.nodes[window.graph.by_name("x1").id]
    view = window.view
    view.resetTransform()
    view.scale(ZOOM, ZOOM)
    view.centerOn(first.sceneBoundingRect().center())
    QApplication.processEvents()
    canvas = Canvas(window)
    start = first.sceneBoundingRect().center()
    canvas.press(start)
    for k in range(1, 4):
        canvas.move(start + by * (k / 3))
    if release:
        canvas.release(start + by, Qt.MouseButton.LeftButton)
    return canvas, start + by


@pytest.mark.parametrize("leave_out", [None, "x0"])  # the layer rides; each wire is placed
def test_a_drag_lands_every_node_at_whole_units_with_its_wires(window, leave_out) -> None:
    window.set_graph(off_grid_chain())
    before = positions(window)
    window.action("select_all").trigger()
    steps = window.undo_stack.count()
    canvas, end = drag_selected(window, QPointF(173.0, 91.0), leave_out, release=False)
    held = item_positions(window)  # where Qt's drag has the items, off whole units
    dragged = {i for i in before if held[i] != before[i]}
    assert len(dragged) == len(before) - (leave_out is not None)
    canvas.release(end, Qt.MouseButton.LeftButton)
    after = positions(window)
    for node_id, (x, y) in held.items():
        expected = (float(round(x)), float(round(y))) if node_id in dragged else before[node_id]
        assert after[node_id] == expected, node_id
    assert item_positions(window) == after  # the items stand where the model has them
    assert window.scene.wire_layer.pos() == QPointF()
    assert wire_gaps(window) < 1e-9
    assert window.undo_stack.count() == steps + 1  # one step for the whole drag
    assert window.undo_stack.undoText() == f"Move {len(dragged)} nodes"
    window.undo_stack.undo()
    assert positions(window) == before and item_positions(window) == before
    assert wire_gaps(window) < 1e-9
    window.undo_stack.redo()
    assert positions(window) == after and item_positions(window) == after
    assert wire_gaps(window) < 1e-9


def test_after_a_drag_the_overview_shows_what_a_fresh_canvas_of_the_graph_shows(window
                                                                                ) -> None:
    window.set_graph(off_grid_chain())
    window.action("select_all").trigger()
    drag_selected(window, QPointF(-97.0, 131.0))
    moved = window.graph
    view = window.view
    center, corner = view.mapToScene(view.viewport().rect().center()), view.mapToScene(0, 0)
    dragged = shown(window)  # selected blocks outlined, wires as lines, after the drag
    window.set_graph(Graph.from_parts(
        [dict(id=n.id, op=n.op, name=n.name, x=n.x, y=n.y, value=n.value)
         for n in moved.nodes.values()], moved.edges))
    window.action("select_all").trigger()
    view.resetTransform()
    view.scale(ZOOM, ZOOM)
    view.centerOn(center)
    off = view.mapFromScene(corner)  # centerOn may land a pixel off: scroll to the corner
    view.horizontalScrollBar().setValue(view.horizontalScrollBar().value() + off.x())
    view.verticalScrollBar().setValue(view.verticalScrollBar().value() + off.y())
    QApplication.processEvents()
    assert view.mapFromScene(corner) == QPoint(0, 0)
    assert shown(window) == dragged


@pytest.mark.parametrize(("leave_out", "layers"), [(None, 30), ("x0", 30), (None, 40)])
def test_nodes_that_grow_mid_drag_land_with_their_wires_at_their_ports(window, leave_out,
                                                                        layers) -> None:
    """A run painted while the mouse still holds the nodes (Backward pressed, a Live run
    arriving) widens them, moving their output ports; the wires re-routed then must keep
    following from there, not from their ends at the press, up to and after the release
    (40 layers: more wires than BULK_WIRES, so the whole wire layer rides the drag)."""
    graph = off_grid_chain(layers)
    graph.set_value(graph.by_name("x0").id, 1.0123456789)  # long values: wider boxes
    window.set_graph(graph)
    before = positions(window)
    window.action("select_all").trigger()
    canvas, end = drag_selected(window, QPointF(173.0, 91.0), leave_out, release=False)
    widths = {i: item.width() for i, item in window.scene.nodes.items()}
    assert window.scene._follow.rides == (layers > 30)
    window.action("backward").trigger()
    QApplication.processEvents()
    assert any(item.width() != widths[i] for i, item in window.scene.nodes.items())
    assert wire_gaps(window) < 1e-9
    canvas.move(end + QPointF(7.0, 3.0))  # a further move after the growth
    assert wire_gaps(window) < 1e-9
    canvas.release(end + QPointF(7.0, 3.0), Qt.MouseButton.LeftButton)
    assert item_positions(window) == positions(window) != before
    assert wire_gaps(window) < 1e-9
    window.undo_stack.undo()
    assert positions(window) == before and wire_gaps(window) < 1e-9
