"""Dragging a big selection: every wire of every moved node follows, re-routed once per
mouse move and repainted as one region (scene.reroute_wires past BULK_WIRES wires)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtWidgets import QApplication

from cgeditor.gui import theme as T
from cgeditor.gui.canvas.drag_follow import BULK_WIRES
from tests.graphs import doubling_chain
from tests.gui.conftest import Canvas
from tests.gui.pixels import shown, wire_pixels


def wires_at_their_ports(window) -> bool:
    """Every wire painted from its source's output port to its target's input port (in
    scene coordinates: a drag of everything carries the whole wire layer)."""
    scene = window.scene
    for (dst, port), wire in scene.wires.items():
        path = scene.wire_layer.mapToScene(wire.path())
        if path.pointAtPercent(0) != scene.nodes[wire.src].out_port_pos() \
                or path.pointAtPercent(1) != scene.nodes[dst].in_port_pos(port):
            return False
    return True


@pytest.mark.parametrize("zoom", [1.0, T.LOD_WIRES * 0.75])  # curves; overview lines
def test_dragging_a_big_selection_takes_every_wire_along(window, zoom: float) -> None:
    graph = doubling_chain(40, 1.0, step=250)  # two wires between each pair of layers
    window.set_graph(graph)
    assert len(window.scene.wires) > BULK_WIRES
    view = window.view
    view.resetTransform()
    view.scale(zoom, zoom)
    first = window.scene.nodes[graph.by_name("x0").id]
    view.centerOn(first.sceneBoundingRect().center())
    QApplication.processEvents()
    canvas = Canvas(window)
    window.action("select_all").trigger()
    start = first.sceneBoundingRect().center() + QPointF(0, 10)
    end = start + QPointF(60, 140) / zoom
    canvas.press(start)
    pressed_at = first.pos()
    for k in range(1, 5):
        canvas.move(start + (end - start) * (k / 4))
    assert first.pos() != QPointF(graph.nodes[first.node_id].x, graph.nodes[first.node_id].y)
    assert wires_at_their_ports(window)  # mid-drag, before the model hears of it
    # every wire has both ends dragged: the layer rides along, no wire end is re-placed
    assert window.scene.wire_layer.pos() == first.pos() - pressed_at
    wire = next(w for w in window.scene.wires.values() if w.src == first.node_id)
    x1, y1, x2, y2 = wire.ends  # zoomed out a wire is the straight line between its ends
    middle = wire.path().pointAtPercent(0.5) if zoom >= T.LOD_WIRES \
        else QPointF((x1 + x2) / 2, (y1 + y2) / 2)
    middle = window.scene.wire_layer.mapToScene(middle)
    QApplication.processEvents()  # the overview repaints on the scene's changed signal
    image = shown(window)
    assert wire_pixels(image, T.current().wire, QPointF(view.mapFromScene(middle)), 1) > 0
    canvas.release(end, Qt.MouseButton.LeftButton)
    assert graph.nodes[first.node_id].x == round(first.pos().x())
    assert window.scene.wire_layer.pos() == QPointF()  # each wire's own ends hold the move
    assert wires_at_their_ports(window)
    window.undo_stack.undo()  # one step puts every node, and so every wire, back
    assert first.pos() == QPointF(graph.nodes[first.node_id].x, graph.nodes[first.node_id].y)
    assert wires_at_their_ports(window)


def _drag_started(window, leave_out: str | None = None) -> tuple[Canvas, QPointF]:
    """A doubling chain, everything but ``leave_out`` selected and dragged by two moves."""
    graph = doubling_chain(40, 1.0, step=250)
    window.set_graph(graph)
    window.action("select_all").trigger()
    if leave_out is not None:
        window.scene.nodes[graph.by_name(leave_out).id].setSelected(False)
    canvas = Canvas(window)
    start = canvas.grab(window.scene.nodes[graph.by_name("x0").id])
    canvas.move(start + QPointF(20, 30))
    canvas.move(start + QPointF(40, 70))
    return canvas, start + QPointF(40, 70)


def test_a_drag_that_leaves_a_node_behind_moves_each_wire_not_the_layer(window) -> None:
    canvas, end = _drag_started(window, leave_out="x0")  # x0's wires have one end dragged
    assert window.scene.wire_layer.pos() == QPointF()
    assert wires_at_their_ports(window)
    canvas.release(end, Qt.MouseButton.LeftButton)
    assert wires_at_their_ports(window)


def test_a_drag_broken_off_by_another_press_leaves_every_wire_in_place(window) -> None:
    canvas, end = _drag_started(window)
    assert window.scene.wire_layer.pos() != QPointF()  # riding
    canvas.press(end, Qt.MouseButton.RightButton)  # the drag's release never comes
    assert window.scene.wire_layer.pos() == QPointF()
    assert wires_at_their_ports(window)
    # QTest keeps the buttons it pressed down for the next test: let both go
    canvas.release(end, Qt.MouseButton.RightButton)
    canvas.release(end, Qt.MouseButton.LeftButton)
