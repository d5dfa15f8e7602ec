"""The canvas driven by real mouse events: wiring, refusing cycles, detaching, moving,
rubber-band select and delete, drops from the palette; each undone and redone."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from cgeditor.gui import theme as T
from cgeditor.gui.docks.palette import op_mime
from cgeditor.model import files
from tests.gui.pixels import near, shown

EMPTY = QPointF(600, 600)  # a canvas point no node covers in the seed layout


def test_scene_mirrors_graph(window, canvas) -> None:
    assert len(window.scene.nodes) == 10
    assert len(window.scene.wires) == 9
    assert canvas.item("w").display.value_text == "2"
    assert canvas.item("c").ports == ("a", "b")
    assert canvas.item("c").connected == {"a", "b"}


def test_detach_by_dragging_a_wire_off_then_wire_it_back(window, canvas) -> None:
    stack = window.undo_stack
    canvas.drag(canvas.in_port("c", "a"), EMPTY)
    assert canvas.source("c", "a") is None
    assert (canvas.id("c"), "a") not in window.scene.wires
    assert stack.undoText() == "Disconnect w → c.a"
    canvas.drag(canvas.out_port("w"), canvas.in_port("c", "a"))
    assert canvas.source("c", "a") == "w"
    assert stack.undoText() == "Connect w → c.a"
    wire = window.scene.wires[(canvas.id("c"), "a")]
    assert wire.path().pointAtPercent(0) == canvas.out_port("w")
    assert wire.path().pointAtPercent(1) == canvas.in_port("c", "a")
    stack.undo()
    assert canvas.source("c", "a") is None
    stack.undo()
    assert canvas.source("c", "a") == "w"
    stack.redo()
    assert canvas.source("c", "a") is None


def test_a_click_on_a_connected_port_changes_nothing(window, canvas) -> None:
    before = files.dumps(window.graph)
    canvas.click(canvas.in_port("c", "a"))
    assert files.dumps(window.graph) == before
    assert window.scene.wires[(canvas.id("c"), "a")].isVisible()


def test_dropping_on_a_taken_port_replaces_its_wire_in_one_step(window, canvas) -> None:
    count = window.undo_stack.count()
    canvas.drag(canvas.out_port("b"), canvas.in_port("c", "a"))
    assert canvas.source("c", "a") == "b"
    assert canvas.source("a", "b") == "b"  # b still feeds a as well
    assert window.undo_stack.count() == count + 1
    window.undo_stack.undo()
    assert canvas.source("c", "a") == "w"


def test_picking_up_a_wire_and_dropping_it_on_another_port_moves_it(window, canvas) -> None:
    canvas.drag(canvas.in_port("d", "b"), canvas.in_port("sq", "x"))
    assert canvas.source("d", "b") is None
    assert canvas.source("sq", "x") == "y"
    assert window.undo_stack.undoText() == "Reconnect y → sq.x"
    window.undo_stack.undo()
    assert canvas.source("d", "b") == "y"
    assert canvas.source("sq", "x") == "d"


def test_a_cycle_is_refused_named_and_flashed(window, canvas) -> None:
    before = files.dumps(window.graph)
    count = window.undo_stack.count()
    canvas.drag(canvas.out_port("J"), canvas.in_port("c", "a"))
    assert files.dumps(window.graph) == before
    assert window.undo_stack.count() == count
    status = window.statusBar().currentMessage()
    assert "cycle J → c → a → d → sq → J" in status
    assert "cycle J → c → a → d → sq → J" in window.messages.toPlainText()
    assert window.scene.flashing() == {canvas.id(n) for n in ("J", "c", "a", "d", "sq")}
    flashed = [w for w in window.scene.wires.values() if w.state == "flash"]
    assert len(flashed) == 4  # c→a, a→d, d→sq, sq→J
    window.scene.clear_flash()
    assert not window.scene.flashing()
    assert all(w.state == "normal" for w in window.scene.wires.values())


def test_compatible_ports_light_up_while_wiring(window, canvas) -> None:
    canvas.press(canvas.out_port("c"))
    canvas.move(EMPTY)
    scene = window.scene
    assert scene.wiring_mode == "in"
    assert canvas.id("c") in scene.wiring_blocked and canvas.id("w") in scene.wiring_blocked
    assert canvas.id("J") not in scene.wiring_blocked
    canvas.release(EMPTY)
    assert scene.wiring_mode is None


def test_lit_ports_show_even_when_nodes_paint_from_their_pixmap_cache(window, canvas) -> None:
    window.scene.set_item_cache(True)
    window.view.centerOn(canvas.in_port("J", "a"))  # a readable fit may leave J off screen
    port = window.view.mapFromScene(canvas.in_port("J", "a"))
    lit = T.current().port_ok

    def pixel_is_lit() -> bool:
        return near(shown(window).pixelColor(port), lit, 60)

    assert not pixel_is_lit()  # painted once: the cache now holds the unlit node
    canvas.press(canvas.out_port("c"))
    canvas.move(EMPTY)
    assert pixel_is_lit()
    canvas.release(EMPTY)
    assert not pixel_is_lit()


def test_dragging_nodes_moves_them_in_one_step_and_wires_follow(window, canvas) -> None:
    start = canvas.item("w").pos()
    canvas.drag(canvas.header("w"), canvas.header("w") + QPointF(100, 50))
    node = window.graph.by_name("w")
    assert (node.x, node.y) == pytest.approx((start.x() + 100, start.y() + 50), abs=2)
    assert canvas.item("w").pos() == QPointF(node.x, node.y)
    assert window.undo_stack.undoText() == "Move w"
    wire = window.scene.wires[(canvas.id("c"), "a")]
    assert wire.path().pointAtPercent(0) == canvas.out_port("w")
    window.undo_stack.undo()
    assert canvas.item("w").pos() == start
    assert wire.path().pointAtPercent(0) == canvas.out_port("w")


def test_ctrl_click_then_drag_moves_several_nodes_as_one_step(window, canvas) -> None:
    canvas.click(canvas.header("w"))
    canvas.click(canvas.header("x"), Qt.KeyboardModifier.ControlModifier)
    assert set(window.scene.selected_ids()) == {canvas.id("w"), canvas.id("x")}
    count = window.undo_stack.count()
    canvas.drag(canvas.header("x"), canvas.header("x") + QPointF(-60, 0))
    assert window.undo_stack.count() == count + 1
    assert window.undo_stack.undoText() == "Move 2 nodes"
    assert window.graph.by_name("w").x == pytest.approx(-60, abs=2)
    assert window.graph.by_name("x").x == window.graph.by_name("w").x


def test_rubber_band_select_then_delete_and_undo(window, canvas) -> None:
    before = files.dumps(window.graph)
    ids = {canvas.id("w"), canvas.id("x")}
    canvas.drag(QPointF(-40, -40), QPointF(120, 120))
    assert set(window.scene.selected_ids()) == ids
    window.view.setFocus()
    QTest.keyClick(window.view, Qt.Key.Key_Delete)
    assert not ids & set(window.graph.nodes)
    assert window.graph.source_of(canvas.id("c"), "a") is None
    assert window.undo_stack.undoText() == "Delete 2 nodes"
    assert not ids & set(window.scene.nodes)
    window.undo_stack.undo()
    assert files.dumps(window.graph) == before
    assert ids <= set(window.scene.nodes)
    assert (canvas.id("c"), "a") in window.scene.wires
    window.undo_stack.redo()
    assert not ids & set(window.graph.nodes)


def send_drop(view, mime: QMimeData, at: QPoint) -> None:
    """What QDrag.exec delivers to the viewport (it cannot run a drag offscreen)."""
    vp = view.viewport()
    copy = Qt.DropAction.CopyAction
    for kind in (QDragEnterEvent, QDragMoveEvent):
        event = kind(at, copy, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
        QApplication.sendEvent(vp, event)
    drop = QDropEvent(QPointF(at), copy, mime, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(vp, drop)


def test_dropping_an_op_from_the_palette_adds_it_where_dropped(window, canvas) -> None:
    send_drop(window.view, op_mime("tanh"), canvas.at(EMPTY))
    node = window.graph.by_name("tanh1")
    item = window.scene.nodes[node.id]
    assert item.sceneBoundingRect().contains(EMPTY)
    assert abs(node.x + T.NODE_WIDTH / 2 - EMPTY.x()) <= 1
    assert window.undo_stack.undoText() == "Add tanh"
    assert window.scene.selected_ids() == [node.id]
    window.undo_stack.undo()
    assert not window.graph.has_name("tanh1") and node.id not in window.scene.nodes


def test_dropping_unknown_op_text_is_refused(window) -> None:
    mime = QMimeData()
    mime.setData("application/x-cgeditor-op", b"launch_rockets")
    before = len(window.graph)
    send_drop(window.view, mime, QPoint(50, 50))
    assert len(window.graph) == before
    assert "unknown op 'launch_rockets'" in window.messages.toPlainText()


def test_wiring_a_dropped_node_into_the_graph(window, canvas) -> None:
    send_drop(window.view, op_mime("tanh"), canvas.at(EMPTY))
    canvas.drag(canvas.out_port("J"), canvas.in_port("tanh1", "x"))
    assert canvas.source("tanh1", "x") == "J"
    canvas.drag(canvas.in_port("tanh1", "x"), QPointF(900, 700))
    assert canvas.source("tanh1", "x") is None
