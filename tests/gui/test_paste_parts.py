"""Paste and the undo of a delete add their nodes and wires with one Graph.add_parts: the canvas
must show exactly what adding them one by one shows, undo and redo must round-trip the file
and the canvas, and a payload the graph refuses must change nothing."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QKeySequence

from cgeditor.gui.canvas.scene import GraphScene
from cgeditor.model import files
from cgeditor.model.graph import Graph
from tests.graphs import seed_graph
from tests.gui.conftest import Canvas
from tests.gui.test_bulk_display import fresh, graph_with_tags_and_shapes, key, shown


def parts(graph: Graph) -> tuple[list[dict[str, Any]], list[tuple[str, str, str]]]:
    """A copy of the seed below it (renamed apart) plus a wire from the old w into the
    copy's free port: new-to-new and old-to-new wires, a vector value, a trainable input."""
    ids = {n.id: f"p{n.id}" for n in graph.nodes.values()}
    nodes = [dict(op=n.op, name=f"{n.name}_2", x=n.x + 40, y=n.y + 500, attrs=dict(n.attrs),
                  value=[1.0, 2.0] if n.name == "x" else n.value, trainable=n.name == "w",
                  node_id=ids[n.id]) for n in graph.nodes.values()]
    edges = [(ids[s], ids[d], p) for s, d, p in graph.edge_triples() if p != "b"
             or graph.nodes[d].name != "c"]
    edges.append((graph.by_name("w").id, ids[graph.by_name("c").id], "b"))
    return nodes, edges


@pytest.mark.parametrize("batched", [True, False])
def test_add_parts_shows_what_adding_one_by_one_shows(qtbot, batched: bool) -> None:
    bulk, single = seed_graph(), seed_graph()
    scenes = GraphScene(bulk), GraphScene(single)
    try:
        nodes, edges = parts(bulk)
        with bulk.batch() if batched else _nothing():
            bulk.add_parts(nodes, edges)
        with single.batch() if batched else _nothing():
            for record in nodes:
                single.add_node(**record)
            for src, dst, port in edges:
                single.connect(src, dst, port)
        scenes[0].take_changes(), scenes[1].take_changes()  # both apply a pending reserve
        assert files.dumps(bulk) == files.dumps(single)
        assert shown(scenes[0]) == shown(scenes[1]) == fresh(bulk)
        assert len(scenes[0].wires) == len(edges) + 9
        assert scenes[0].sceneRect() == scenes[1].sceneRect()
    finally:
        for scene in scenes:
            scene.detach()


class _nothing:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *_exc: object) -> None:
        return None


def test_paste_undo_and_redo_round_trip_file_canvas_and_messages(window) -> None:
    graph = graph_with_tags_and_shapes()
    window.set_graph(graph)
    window.view.setFocus()
    key(window, QKeySequence.StandardKey.SelectAll)
    key(window, QKeySequence.StandardKey.Copy)
    before_file, before_shown, old = files.dumps(graph), shown(window.scene), set(graph.nodes)
    out = graph.nodes[graph.output].name
    key(window, QKeySequence.StandardKey.Paste)
    new = [n for n in graph.nodes if n not in old]
    assert len(new) == 12 and set(window.scene.selected_ids()) == set(new)
    assert window.undo_stack.undoText() == "Paste 12 nodes"
    assert window.messages.toPlainText().splitlines()[-1] \
        == f"Pasted 12 nodes, 10 wires; {out} stays the output"
    after_file, after_shown = files.dumps(graph), shown(window.scene)
    assert after_shown == fresh(graph)
    key(window, QKeySequence.StandardKey.Undo)
    assert files.dumps(graph) == before_file and shown(window.scene) == before_shown
    assert window.messages.toPlainText().splitlines()[-1] == "Undid Paste 12 nodes"
    key(window, QKeySequence.StandardKey.Redo)
    assert files.dumps(graph) == after_file and shown(window.scene) == after_shown
    assert window.messages.toPlainText().splitlines()[-1] == "Redid Paste 12 nodes"


def test_undo_of_a_partial_delete_puts_wires_to_survivors_back(window) -> None:
    graph = graph_with_tags_and_shapes()
    window.set_graph(graph)
    before_file, before_shown = files.dumps(graph), shown(window.scene)
    middle = [graph.by_name(n).id for n in ("c", "a", "sq")]  # wired to nodes that stay
    window.scene.select_ids(middle)
    window.view.setFocus()
    key(window, "Del")
    assert not set(middle) & graph.nodes.keys()
    key(window, QKeySequence.StandardKey.Undo)
    assert files.dumps(graph) == before_file and shown(window.scene) == before_shown
    key(window, QKeySequence.StandardKey.Redo)
    key(window, QKeySequence.StandardKey.Undo)
    assert files.dumps(graph) == before_file and shown(window.scene) == before_shown


def leaf(key_: str, name: str) -> dict[str, Any]:
    return {"key": key_, "op": "input", "name": name, "x": 0.0, "y": 0.0, "attrs": {},
            "value": 1.0, "trainable": False}


def neg(key_: str, name: str) -> dict[str, Any]:
    return {**leaf(key_, name), "op": "neg", "value": None}


BAD_PAYLOADS = {  # what the file loader would refuse, handed to the editor directly
    "no input port 'a'": ([leaf("1", "p"), neg("2", "q")],
                          [{"src": "1", "dst": "2", "port": "a"}]),
    "already fed twice": ([leaf("1", "p"), leaf("3", "r"), neg("2", "q")],
                          [{"src": "1", "dst": "2", "port": "x"},
                           {"src": "3", "dst": "2", "port": "x"}]),
    "cannot feed its own input": ([neg("2", "q")], [{"src": "2", "dst": "2", "port": "x"}]),
}


@pytest.mark.parametrize("words", list(BAD_PAYLOADS))
def test_a_payload_the_graph_refuses_changes_nothing(window, words: str) -> None:
    nodes, edges = BAD_PAYLOADS[words]
    graph = window.graph
    before_file, before_shown = files.dumps(graph), shown(window.scene)
    steps, ids = window.undo_stack.count(), graph._id_counter
    assert window.editor.paste_payload({"nodes": nodes, "edges": edges}, "k") == []
    last = window.messages.toPlainText().splitlines()[-1]
    assert last.startswith("Refused: cannot paste: ") and words in last
    assert files.dumps(graph) == before_file and shown(window.scene) == before_shown
    assert window.undo_stack.count() == steps
    assert not graph.has_name("p") and not graph.has_name("q")
    assert graph._id_counter >= ids  # ids drawn for the refused nodes are never reused


def test_outlines_are_each_items_outline_where_it_stands(window) -> None:
    """What make-room reads: the same floats as outline() translated to the item's place,
    for nodes of every size and at places that are not whole units; mid-drag, where the
    dragged items stand (ahead of the model, which hears of the move on release)."""
    from cgeditor.gui.canvas.node_geometry import outline

    scene, graph = window.scene, window.graph
    first = next(iter(scene.nodes.values()))
    graph.move_node(first.node_id, 12.3, -45.6)
    assert first.pos() == QPointF(12.3, -45.6)

    def at_items() -> None:
        outlines = scene.outlines()
        assert outlines.keys() == scene.nodes.keys()
        for node_id, item in scene.nodes.items():
            rect = outline(item.width(), item.rect_height()).translated(item.pos())
            assert outlines[node_id] == (rect.x(), rect.y(), rect.width(), rect.height())

    at_items()
    scene.clearSelection()
    canvas = Canvas(window)
    start = canvas.grab(first)
    canvas.move(start + QPointF(30, 50))
    assert (graph.nodes[first.node_id].x, graph.nodes[first.node_id].y) == (12.3, -45.6)
    assert first.pos() != QPointF(12.3, -45.6)  # the item leads the model
    at_items()
    canvas.release(start + QPointF(30, 50), Qt.MouseButton.LeftButton)
    assert graph.nodes[first.node_id].x == first.pos().x()
    at_items()
