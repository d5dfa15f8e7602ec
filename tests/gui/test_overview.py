"""The zoomed-out canvas the view paints in one pass (overview.py): blocks in category
colours, wires as lines, selection outlines, the rubber band, nodes mid-drag and the wire
being dragged — checked on what the viewport really shows (grab() runs its paintEvent)."""

from __future__ import annotations

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from cgeditor.gui import theme as T
from tests.gui.pixels import distance, render_at, shown, wire_pixels

ZOOM = T.LOD_WIRES * 0.75


def zoomed_out(window, center: QPointF | None = None) -> None:
    view = window.view
    view.resetTransform()
    view.scale(ZOOM, ZOOM)
    view.centerOn(center if center is not None else window.scene.graph_rect().center())
    QApplication.processEvents()


def pixel(window, image: QImage, scene_pos: QPointF) -> QColor:
    return image.pixelColor(window.view.mapFromScene(scene_pos))


def near_line(window, image: QImage, a: QPointF, b: QPointF, color: QColor) -> bool:
    """Whether a pixel by the middle of a-b is nearer ``color`` than the canvas."""
    return wire_pixels(image, color, QPointF(window.view.mapFromScene((a + b) / 2)), 1) > 0


def test_zoomed_out_canvas_shows_blocks_and_straight_wires(window, canvas) -> None:
    zoomed_out(window)
    image = shown(window)
    for name, category in (("c", "Arithmetic"), ("w", "Leaves")):
        center = canvas.item(name).sceneBoundingRect().center()
        assert pixel(window, image, center) == T.category_color(category), name
    assert near_line(window, image, canvas.out_port("d"), canvas.in_port("sq", "x"),
                     T.current().wire)


def test_overview_matches_what_the_items_paint(window, canvas) -> None:
    zoomed_out(window)
    overview = shown(window)
    items = render_at(window, ZOOM, window.scene.graph_rect().center())  # Qt's item path
    for node_id in window.graph.nodes:
        center = window.scene.nodes[node_id].sceneBoundingRect().center()
        assert pixel(window, overview, center) == pixel(window, items, center)


def test_a_selected_block_is_outlined(window, canvas) -> None:
    zoomed_out(window)
    canvas.click(canvas.item("c").sceneBoundingRect().center())
    assert window.scene.selected_ids() == [canvas.id("c")]
    image = shown(window)
    top_left = canvas.item("c").pos()
    edge = window.view.mapFromScene(top_left + QPointF(60, 0))
    selection = T.current().selection
    assert any(distance(image.pixelColor(edge.x(), edge.y() + dy), selection) < 60
               for dy in (-1, 0, 1))


def test_rubber_band_is_drawn_and_selects(window, canvas) -> None:
    zoomed_out(window)
    rect = window.scene.graph_rect()
    start = rect.topLeft() - QPointF(150, 150)
    end = canvas.item("c").sceneBoundingRect().bottomRight() + QPointF(20, 20)
    before = pixel(window, shown(window), start + QPointF(60, 60))
    canvas.press(start)
    canvas.move((start + end) / 2)
    canvas.move(end)
    during = pixel(window, shown(window), start + QPointF(60, 60))
    assert distance(during, before) > 8  # the band's tint over empty canvas
    canvas.release(end)
    assert {"w", "c"} <= {window.graph.nodes[i].name for i in window.scene.selected_ids()}


def test_a_block_follows_the_mouse_while_dragged(window, canvas) -> None:
    zoomed_out(window)
    item = canvas.item("J")
    start = item.sceneBoundingRect().center()
    end = start + QPointF(0, 600)
    canvas.press(start)
    for k in range(1, 7):
        canvas.move(start + (end - start) * (k / 6))
    image = shown(window)  # mid-drag: the model still has J where it was
    assert window.graph.by_name("J").y == 220
    assert pixel(window, image, end) == T.category_color("Arithmetic")
    assert distance(pixel(window, image, start), T.current().canvas) < 8
    canvas.release(end)
    assert window.graph.by_name("J").y > 700


def test_the_wire_being_dragged_is_drawn(window, canvas) -> None:
    zoomed_out(window)
    start = canvas.out_port("J")
    end = start + QPointF(900, 0)
    canvas.press(start)
    canvas.move(start + QPointF(300, 0))
    canvas.move(end)
    image = shown(window)
    assert near_line(window, image, start + QPointF(400, 0), start + QPointF(600, 0),
                     T.wire_pen("drag").color())
    canvas.release(end)
    assert window.scene.loose_wires() == []


def test_selected_blocks_match_what_the_items_paint(window, canvas) -> None:
    zoomed_out(window)
    window.view.setFocus()
    QTest.keyClick(window.view, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    assert len(window.scene.selected_ids()) == len(window.graph.nodes)
    overview = shown(window)  # selected blocks drawn in one batch per category
    items = render_at(window, ZOOM, window.scene.graph_rect().center())  # each item's paint
    selection = T.current().selection
    for node_id in window.graph.nodes:
        item = window.scene.nodes[node_id]
        center, top = item.sceneBoundingRect().center(), item.pos() + QPointF(60, 0)
        assert pixel(window, overview, center) == pixel(window, items, center)
        edge = window.view.mapFromScene(top)
        assert any(distance(overview.pixelColor(edge.x(), edge.y() + dy), selection) < 60
                   for dy in (-1, 0, 1)), item.name


def test_far_out_a_selected_block_is_filled_in_the_selection_colour(window, canvas) -> None:
    """A block a few pixels high would keep a sliver of its colour inside a 2-pixel outline:
    it is filled in the selection colour, the same on the overview and the items' path."""
    far = T.LOD_SOLID_OUTLINE * 0.9
    view = window.view
    view.resetTransform()
    view.scale(far, far)
    view.centerOn(window.scene.graph_rect().center())
    QApplication.processEvents()
    canvas.click(canvas.item("c").sceneBoundingRect().center())
    assert window.scene.selected_ids() == [canvas.id("c")]
    overview = shown(window)
    items = render_at(window, far, window.scene.graph_rect().center())
    for name, colour in (("c", T.current().selection), ("w", T.category_color("Leaves"))):
        center = canvas.item(name).sceneBoundingRect().center()
        assert pixel(window, overview, center) == colour, name
        assert pixel(window, items, center) == colour, name
