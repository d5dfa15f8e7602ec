"""Deleting a selection of many nodes from the canvas: one Graph.remove_parts, and the canvas
left showing exactly the graph that remains — no item or wire of a deleted node, the ports
of the nodes that stay lit only where a wire still feeds them — with the selection
announced once, the message counting nodes and wires, and one undo step."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from tests.graphs import doubling_chain


def shows_the_graph(window) -> bool:
    """The canvas's items, wires and lit ports are those of the graph's nodes and edges."""
    graph, scene = window.graph, window.scene
    wired = {(d, p) for _s, d, p in graph.edge_triples()}
    return (set(scene.nodes) == set(graph.nodes) and set(scene.wires) == wired
            and all(scene.wires[(d, p)].src == s for s, d, p in graph.edge_triples())
            and all(item.connected == {p for d, p in wired if d == node_id}
                    for node_id, item in scene.nodes.items()))


def test_deleting_a_selection_leaves_the_canvas_showing_the_rest(window, canvas) -> None:
    graph = doubling_chain(12, 1.0, step=250)
    window.set_graph(graph)
    QApplication.processEvents()
    chosen = [f"x{k}" for k in range(3, 12, 2)]  # every other node: wires on both sides stay
    canvas.click(canvas.header(chosen[0]))
    for name in chosen[1:]:
        canvas.click(canvas.header(name), Qt.KeyboardModifier.ControlModifier)
    assert sorted(graph.names(window.scene.selected_ids())) == sorted(chosen)
    announced: list[list[str]] = []
    window.scene.selection.changed.connect(
        lambda: announced.append(window.scene.selected_ids()))
    steps = window.undo_stack.count()
    QTest.keyClick(window.view, Qt.Key.Key_Delete)
    assert not any(graph.has_name(name) for name in chosen) and len(graph.nodes) == 8
    assert shows_the_graph(window)
    assert announced == [[]]  # the selection emptied, told once
    assert window.undo_stack.count() == steps + 1
    assert window.undo_stack.undoText() == "Delete 5 nodes"
    assert "Deleted 5 nodes, 20 wires" in window.statusBar().currentMessage()
    window.undo_stack.undo()
    assert len(graph.nodes) == 13 and shows_the_graph(window)
    window.undo_stack.redo()
    assert len(graph.nodes) == 8 and shows_the_graph(window)
