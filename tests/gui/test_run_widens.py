"""Run to end (Shift+F5), Reset and Run to end again on a graph whose numbers are longer
than the rows a box reserves: every node shows exactly the engine's value and gradient,
whole (no row elided), in a box that fits them; Reset takes every box back to its reserve."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from cgeditor.gui import theme as T
from cgeditor.model.graph import Graph
from cgeditor.model.number_text import value_text
from tests.gui.test_make_room import clashes


def wide_graph(window, rows: int = 6, layers: int = 6) -> None:
    """Layers of sums, each node adding two of the layer before (inputs −1.2345678e−9):
    every value reads like '−1.975e−8', longer than a box reserves."""
    graph = Graph()
    layer = [graph.add_node("input", f"x{r}", 0.0, 130.0 * r, value=-1.2345678e-9).id
             for r in range(rows)]
    for k in range(1, layers):
        made = []
        for r in range(rows):
            node = graph.add_node("add", f"n{k}_{r}", 260.0 * k, 130.0 * r)
            graph.connect(layer[r], node.id, "a")
            graph.connect(layer[(r + 1) % rows], node.id, "b")
            made.append(node.id)
        layer = made
    total = graph.add_node("add", "J", 260.0 * layers, 0.0)
    graph.connect(layer[0], total.id, "a")
    graph.connect(layer[1], total.id, "b")
    window.set_graph(graph)
    QApplication.processEvents()


def key(window, k: Qt.Key, mods=Qt.KeyboardModifier.NoModifier) -> None:
    window.view.setFocus()
    QTest.keyClick(window.view.viewport(), k, mods)
    QApplication.processEvents()


def assert_shows_the_run(window) -> None:
    result = window.run.result
    room = T.metrics("value")
    for node_id, item in window.scene.nodes.items():
        name = window.graph.nodes[node_id].name
        d = item.display
        assert d.value == result.values[name] and d.grad == result.grads[name]  # exactly
        assert d.value_text == value_text(result.values[name])
        assert d.grad_value == value_text(result.grads[name])
        rows = [text for _kind, text in item.info_rows()]
        assert rows == [f"= {d.value_text}", f"∂J/∂{name} = {d.grad_value}"]
        assert item.shown_rows() == rows, name  # nothing elided
        for text in rows:  # measured with the real font, not the box's width model
            assert room.horizontalAdvance(text) <= item.box.width - 2 * T.TEXT_SIDE, text
        assert item.sceneBoundingRect().width() >= item.box.width


def test_run_to_end_widens_every_box_to_its_numbers_and_reset_takes_them_back(window):
    wide_graph(window)
    reserved = {i: item.box.width for i, item in window.scene.nodes.items()}
    key(window, Qt.Key.Key_F5, Qt.KeyboardModifier.ShiftModifier)  # Run to end
    assert window.run.result is not None
    assert_shows_the_run(window)
    widened = [i for i, item in window.scene.nodes.items() if item.box.width > reserved[i]]
    assert len(widened) > len(reserved) // 2  # the numbers really are longer than reserved
    assert clashes(window) == []
    for wire in window.scene.wires.values():  # wires leave from the widened boxes' ports
        assert wire.ends[:2] == window.scene.nodes[wire.src].out_port_xy()
    window.action("reset").trigger()
    QApplication.processEvents()
    assert {i: item.box.width for i, item in window.scene.nodes.items()} == reserved
    key(window, Qt.Key.Key_F5, Qt.KeyboardModifier.ShiftModifier)
    assert_shows_the_run(window)


def test_stepping_dims_the_wires_ahead_and_run_to_end_lights_them_all_again(window) -> None:
    """Step (F10) on a graph of 65 nodes and 128 wires: every wire into a node not reached
    yet is dimmed, the others drawn normal or lit; Run to end (Shift+F5) draws every wire
    normal or lit again (so many change that the layer repaints once)."""
    wide_graph(window, rows=8, layers=8)
    key(window, Qt.Key.Key_F10)
    display = window.run.state.display
    assert display.dimmed  # the backward pass has most nodes ahead of it
    for (dst, port), wire in window.scene.wires.items():
        want = "highlight" if (dst, port) in display.lit_wires else \
            "dim" if dst in display.dimmed else "normal"
        assert wire.state == want, (dst, port)
    assert sum(w.state == "dim" for w in window.scene.wires.values()) > 64
    key(window, Qt.Key.Key_F5, Qt.KeyboardModifier.ShiftModifier)
    lit = window.run.state.display.lit_wires
    assert {w.state for k, w in window.scene.wires.items() if k not in lit} == {"normal"}
