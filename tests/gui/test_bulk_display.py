"""What a bulk edit leaves on the canvas is what opening the same graph shows. A batch (delete
and its undo, redo, paste) makes its node items and wires in one pass at its end; every item
must still get the box, name, tags, connected ports, value and place a freshly built scene
gives it, and every wire must run between the ports it joins."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest

from cgeditor.gui.canvas.scene import GraphScene
from cgeditor.model import files
from cgeditor.model.graph import Graph
from tests.graphs import seed_graph


def shown(scene: GraphScene) -> tuple[dict[str, Any], dict[tuple[str, str], Any]]:
    """Everything an item or wire shows, by node id and wire key."""
    items = {node_id: (item.pos().x(), item.pos().y(), item.box, item.name, item.is_output,
                       item.trainable, frozenset(item.connected), item.idle.value_text)
             for node_id, item in scene.nodes.items()}
    wires = {key: (wire.src, wire.ends) for key, wire in scene.wires.items()}
    return items, wires


def fresh(graph: Graph) -> tuple[dict[str, Any], dict[tuple[str, str], Any]]:
    """What a scene built from scratch on ``graph`` shows."""
    scene = GraphScene(graph)
    try:
        return shown(scene)
    finally:
        scene.detach()


def graph_with_tags_and_shapes() -> Graph:
    """The seed, a trainable w, and a vector input summed into a second sink (a reserved
    shape). The output is implicit until a paste marks it."""
    graph = seed_graph()
    graph.set_trainable(graph.by_name("w").id, True)
    v = graph.add_node("input", "v", x=0, y=400, value=[1.0, 2.0, 3.0])
    s = graph.add_node("sum", "s", x=220, y=400)
    graph.connect(v.id, s.id, "x")
    return graph


def key(window, standard: QKeySequence.StandardKey | str) -> None:
    """Press the shortcut ``standard`` (a standard key or text such as "Del") on the view."""
    sequence = QKeySequence(standard) if isinstance(standard, str) else \
        QKeySequence.keyBindings(standard)[0]
    combo = sequence[0]
    QTest.keyClick(window.view, combo.key(), combo.keyboardModifiers())


def test_undo_and_redo_of_deleting_everything_show_the_graph_as_opened(window) -> None:
    graph = graph_with_tags_and_shapes()
    window.set_graph(graph)
    window.view.setFocus()
    before_file, before_shown = files.dumps(graph), fresh(graph)
    assert shown(window.scene) == before_shown
    key(window, QKeySequence.StandardKey.SelectAll)
    key(window, "Del")
    assert not graph.nodes and not window.scene.nodes and not window.scene.wires
    key(window, QKeySequence.StandardKey.Undo)
    assert files.dumps(graph) == before_file  # values, positions, wires, order
    assert shown(window.scene) == before_shown
    key(window, QKeySequence.StandardKey.Redo)
    assert not window.scene.nodes and not window.scene.wires
    key(window, QKeySequence.StandardKey.Undo)
    assert shown(window.scene) == before_shown


def test_paste_shows_old_and_new_nodes_as_opened(window) -> None:
    graph = graph_with_tags_and_shapes()
    window.set_graph(graph)
    window.view.setFocus()
    old_output = graph.output
    key(window, QKeySequence.StandardKey.SelectAll)
    key(window, QKeySequence.StandardKey.Copy)
    key(window, QKeySequence.StandardKey.Paste)
    # The pasted sinks lie further right, but a paste keeps the output: it is marked now.
    assert len(graph.nodes) == 24 and graph.output == graph.explicit_output == old_output
    assert shown(window.scene) == fresh(graph)
    for (dst, port), wire in window.scene.wires.items():
        assert wire.path().pointAtPercent(0) == window.scene.nodes[wire.src].out_port_pos()
        assert wire.path().pointAtPercent(1) == window.scene.nodes[dst].in_port_pos(port)
    key(window, QKeySequence.StandardKey.Undo)
    assert shown(window.scene) == fresh(graph)
