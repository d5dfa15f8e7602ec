"""The wire layer: one item paints every wire, curves at reading zoom and straight lines
zoomed out; hidden (picked-up) wires are not painted, moved nodes take their wires along,
lit wires paint in their state's pen, and exported pictures include every wire."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF

from cgeditor.gui import theme as T
from cgeditor.gui.canvas import image_export
from cgeditor.gui.canvas.wire_layer import WireLayer
from cgeditor.model.graph import Graph
from tests.gui.pixels import render_at, wire_pixels


def far_apart(window) -> tuple[str, str]:
    """x far left of n, wired: a long wire whose middle is empty canvas."""
    graph = Graph()
    x = graph.add_node("input", "x", x=0, y=0, value=1.0)
    n = graph.add_node("neg", "n", x=900, y=300)
    graph.connect(x.id, n.id, "x")
    window.set_graph(graph)
    return x.id, n.id


def test_every_scene_wire_is_painted_by_one_layer_item(window) -> None:
    scene = window.scene
    layers = [i for i in scene.items() if isinstance(i, WireLayer)]
    assert layers == [scene.wire_layer]
    assert len(scene.items()) == len(scene.nodes) + 1  # no item per wire
    assert set(scene.wires) == {(e.dst, e.port) for e in window.graph.edges}


def test_a_wire_paints_as_a_curve_at_1_to_1_and_a_line_zoomed_out(window) -> None:
    _, n = far_apart(window)
    wire = window.scene.wires[(n, "x")]
    middle = wire.path().pointAtPercent(0.5)
    image = render_at(window, 1.0, middle)
    at = window.view.mapFromScene(middle)
    assert wire_pixels(image, T.current().wire, QPointF(at)) > 0
    # Zoomed out the wire is the straight line between its ports: its midpoint is painted.
    x1, y1, x2, y2 = wire.ends
    straight_mid = QPointF((x1 + x2) / 2, (y1 + y2) / 2)
    image = render_at(window, T.LOD_WIRES / 2, straight_mid)
    at = window.view.mapFromScene(straight_mid)
    assert wire_pixels(image, T.current().wire, QPointF(at), reach=1) > 0


def test_a_hidden_wire_is_not_painted_and_shows_again(window) -> None:
    _, n = far_apart(window)
    wire = window.scene.wires[(n, "x")]
    middle = wire.path().pointAtPercent(0.5)
    wire.setVisible(False)
    image = render_at(window, 1.0, middle)
    assert wire_pixels(image, T.current().wire, QPointF(window.view.mapFromScene(middle))) == 0
    wire.setVisible(True)
    image = render_at(window, 1.0, middle)
    assert wire_pixels(image, T.current().wire, QPointF(window.view.mapFromScene(middle))) > 0


def test_a_lit_wire_paints_in_its_state_pen(window) -> None:
    _, n = far_apart(window)
    wire = window.scene.wires[(n, "x")]
    wire.set_state("flash")
    assert wire.pen().color() == T.current().flash
    middle = wire.path().pointAtPercent(0.5)
    image = render_at(window, 1.0, middle)
    assert wire_pixels(image, T.current().flash, QPointF(window.view.mapFromScene(middle))) > 0


def test_moving_a_node_moves_its_wire_and_the_region_it_is_found_in(window) -> None:
    _, n = far_apart(window)
    wire = window.scene.wires[(n, "x")]
    layer = window.scene.wire_layer
    below = QRectF(400, 1500, 50, 50)  # empty canvas, on the wire's way once n moves down
    assert wire not in list(layer.wires_in(below))
    window.graph.move_node(n, 900, 3000)
    assert wire.path().pointAtPercent(1) == window.scene.nodes[n].in_port_pos("x")
    assert wire in list(layer.wires_in(below))
    middle = wire.path().pointAtPercent(0.5)
    image = render_at(window, 1.0, middle)
    assert wire_pixels(image, T.current().wire, QPointF(window.view.mapFromScene(middle))) > 0


def test_exported_picture_holds_every_wire_not_the_scene_margin(window, tmp_path) -> None:
    graph = Graph()
    a = graph.add_node("input", "a", x=600, y=0, value=1.0)
    b = graph.add_node("neg", "b", x=0, y=0)  # fed from its right: the wire bulges out
    graph.connect(a.id, b.id, "x")
    window.set_graph(graph)
    wire = window.scene.wires[(b.id, "x")]
    rect = window.scene.picture_rect()
    curve = wire.path().boundingRect()
    assert rect.left() <= curve.left() and rect.right() >= curve.right()
    assert rect.width() < 1000  # not the 3000-unit margin of the canvas around the graph
    size = image_export.export_png(window.scene, str(tmp_path / "p.png"), scale=1.0).size
    assert size.width() == round(rect.width() + 2 * image_export.MARGIN)
