"""Copy, paste and duplicate: inner wires come along, ids are fresh, names unique, one step;
whatever else is on the clipboard is refused with a message."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import QMimeData, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest

from cgeditor.gui import clipboard
from cgeditor.model import files
from cgeditor.model.graph import Graph


def names_of(window, ids) -> set[str]:
    return {window.graph.nodes[i].name for i in ids}


def test_copy_paste_brings_inner_wires_fresh_ids_and_names(window, canvas) -> None:
    before_ids = set(window.graph.nodes)
    window.scene.select_ids([canvas.id("c"), canvas.id("a"), canvas.id("w")])
    window.action("copy").trigger()
    mime = QGuiApplication.clipboard().mimeData()
    assert mime.hasFormat(clipboard.NODES_MIME)
    window.action("paste").trigger()
    new = set(window.graph.nodes) - before_ids
    assert names_of(window, new) == {"c1", "a1", "w1"}
    assert set(window.scene.selected_ids()) == new
    inner = [e for e in window.graph.edges if e.dst in new]
    assert {(window.graph.nodes[e.src].name, window.graph.nodes[e.dst].name, e.port)
            for e in inner} == {("w1", "c1", "a"), ("c1", "a1", "a")}
    assert window.graph.by_name("c1").x == window.graph.by_name("c").x + 40
    assert window.undo_stack.undoText() == "Paste 3 nodes"
    window.action("paste").trigger()  # a second paste lands further along
    assert window.graph.by_name("c2").x == window.graph.by_name("c").x + 80
    window.undo_stack.undo()
    window.undo_stack.undo()
    assert set(window.graph.nodes) == before_ids


def test_pasted_names_count_on_without_gaps(window) -> None:
    """Several copied nodes of one stem take the next free numbers in order, none skipped
    (the paste is named once, before it is placed)."""
    graph = Graph()
    for k in (1, 2, 3):
        graph.add_node("input", f"h{k}", x=0.0, y=110.0 * k, value=float(k))
    window.set_graph(graph)
    window.action("select_all").trigger()
    window.action("copy").trigger()
    window.action("paste").trigger()
    pasted = [graph.nodes[i] for i in window.scene.selected_ids()]
    assert sorted(n.name for n in pasted) == ["h4", "h5", "h6"]
    assert sorted(n.value for n in pasted) == [1.0, 2.0, 3.0]
    window.action("paste").trigger()  # the next paste counts on from there
    assert sorted(graph.nodes[i].name for i in window.scene.selected_ids()) == [
        "h7", "h8", "h9"]
    window.undo_stack.undo()
    window.undo_stack.redo()  # the redo adds the very same nodes
    assert sorted(n.name for n in graph.nodes.values()) == [f"h{k}" for k in range(1, 10)]


def test_ctrl_d_duplicates_and_ctrl_a_selects_all(window, canvas) -> None:
    window.view.setFocus()
    QTest.keyClick(window.view, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    assert len(window.scene.selected_ids()) == 10
    window.scene.select_ids([canvas.id("d"), canvas.id("sq")])
    QTest.keyClick(window.view, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    assert window.graph.has_name("d1") and window.graph.has_name("sq1")
    assert canvas.source("sq1", "x") == "d1"
    assert canvas.source("d1", "a") is None  # wires from outside the selection stay behind


def _added(window, before: set[str]) -> tuple[list[tuple], set[tuple]]:
    """What an edit added: each new node's op, value, place and trainable flag (in the
    graph's order), and the wires among them by the nodes' positions in that list."""
    graph = window.graph
    new = [i for i in graph.nodes if i not in before]
    at = {node_id: k for k, node_id in enumerate(new)}
    nodes = [(n.op, n.value, n.x, n.y, n.trainable) for n in map(graph.nodes.get, new)]
    return nodes, {(at[e.src], at[e.dst], e.port) for e in graph.edges if e.dst in at}


def test_ctrl_d_adds_what_copy_and_paste_add_and_leaves_the_clipboard(window, canvas) -> None:
    """Duplicate builds its payload without the snapshot text a copy publishes: the same
    nodes, values, places and inner wires as Ctrl+C, Ctrl+V, and the clipboard untouched."""
    QGuiApplication.clipboard().setText("kept")
    before = set(window.graph.nodes)
    chosen = [canvas.id("c"), canvas.id("a"), canvas.id("w")]
    window.scene.select_ids(chosen)
    window.view.setFocus()
    QTest.keyClick(window.view, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    duplicated = _added(window, before)
    assert QGuiApplication.clipboard().text() == "kept"
    assert len(duplicated[0]) == 3 and len(duplicated[1]) == 2
    window.undo_stack.undo()
    window.scene.select_ids(chosen)
    QTest.keyClick(window.view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClick(window.view, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert _added(window, before) == duplicated


def document(nodes: list[dict], edges: tuple[dict, ...] = ()) -> str:
    return json.dumps({"format": "cgeditor-graph", "version": 1, "nodes": nodes,
                       "edges": list(edges), "output": None, "meta": {}})


def leaf(name: str, key: str = "a") -> dict:
    return {"id": key, "op": "input", "name": name, "x": 0, "y": 0, "value": 1}


GARBAGE = {  # clipboard text -> what the refusal says (the file loader's own words)
    "not json": "not valid JSON",
    document([{"id": "a", "op": "rm_rf", "name": "p", "x": 0, "y": 0}]): "unknown op 'rm_rf'",
    document([leaf("ℌ")]): "Python reads it as 'H'",
    document([leaf("h" * 200)]): "'name' has 200 characters (it must have at most 128)",
    document([leaf("p"), leaf("q")]): "two nodes have the id 'a'",
    document([{"id": "a", "op": "neg", "name": "p", "x": 0, "y": 0},
              {"id": "b", "op": "neg", "name": "q", "x": 0, "y": 0}],
             ({"from": "a", "to": "b", "port": "x"}, {"from": "b", "to": "a", "port": "x"})):
        "cycle",
    '{"format": "cgeditor-graph", "format": "x"}': "appears twice",
    document([leaf("p") | {"value": float("nan")}]): "NaN is not a finite number",
}


@pytest.mark.parametrize("text", list(GARBAGE))
def test_pasting_what_a_file_may_not_hold_changes_nothing(window, text: str) -> None:
    window.editor.rename(window.graph.by_name("w").id, "weight")  # an edit to undo later
    before, steps = files.dumps(window.graph), window.undo_stack.count()
    mime = QMimeData()
    mime.setData(clipboard.NODES_MIME, text.encode("utf-8"))
    QGuiApplication.clipboard().setMimeData(mime)
    window.action("paste").trigger()
    last = window.messages.toPlainText().splitlines()[-1]
    assert last.startswith("Cannot paste: the clipboard: ") and GARBAGE[text] in last
    assert files.dumps(window.graph) == before
    assert window.undo_stack.count() == steps and window.undo_stack.index() == steps
    window.undo_stack.undo()  # the history is whole: the rename before comes undone
    assert window.graph.has_name("w") and not window.graph.has_name("weight")


def test_pasting_text_that_is_not_nodes_is_refused(window) -> None:
    before = files.dumps(window.graph)
    QGuiApplication.clipboard().setText("hello")
    window.action("paste").trigger()
    assert "holds no nodes" in window.messages.toPlainText()
    assert files.dumps(window.graph) == before


def test_copied_text_is_a_cgraph_file(window, canvas) -> None:
    window.scene.select_ids([canvas.id("c"), canvas.id("w")])
    window.action("copy").trigger()
    text = QGuiApplication.clipboard().mimeData().text()
    pasted = files.loads(text)
    assert sorted(n.name for n in pasted.nodes.values()) == ["c", "w"]
    assert [(pasted.nodes[e.src].name, e.port) for e in pasted.edges] == [("w", "a")]


def test_ctrl_c_says_how_many_nodes_in_words(window, canvas) -> None:
    """'Copied 1 node', 'Copied 10 nodes': the messages' wording, not 'node(s)'."""
    canvas.click(canvas.header("w"))
    QTest.keyClick(window.view.viewport(), Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert window.statusBar().currentMessage() == "Copied 1 node"
    window.view.setFocus()
    QTest.keyClick(window.view.viewport(), Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClick(window.view.viewport(), Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert window.statusBar().currentMessage() == "Copied 10 nodes"


def test_reconnecting_a_wire_to_its_own_port_keeps_it(window, canvas) -> None:
    c, w = canvas.id("c"), canvas.id("w")
    before, steps = files.dumps(window.graph), window.undo_stack.count()
    window.editor.reconnect(w, c, "a", c, "a")
    assert canvas.source("c", "a") == "w"
    assert files.dumps(window.graph) == before and window.undo_stack.count() == steps
    window.editor.reconnect(w, c, "b", c, "a")  # c.b is fed by x, not w: refused
    assert canvas.source("c", "b") == "x" and window.undo_stack.count() == steps


def test_editor_refuses_a_payload_it_could_only_half_paste(window) -> None:
    before, steps = files.dumps(window.graph), window.undo_stack.count()
    good = {"key": "1", "op": "input", "name": "fine", "x": 0.0, "y": 0.0, "attrs": {},
            "value": 1.0, "trainable": False}
    bad = good | {"key": "2", "name": "ℌ"}
    assert window.editor.paste_payload({"nodes": [good, bad], "edges": []}, "k") == []
    assert "Python reads it as 'H'" in window.messages.toPlainText()
    assert files.dumps(window.graph) == before and window.undo_stack.count() == steps


def test_editor_refuses_a_cyclic_payload(window) -> None:
    before, steps = files.dumps(window.graph), window.undo_stack.count()
    nodes = [{"key": k, "op": "neg", "name": f"n{k}", "x": 0.0, "y": 0.0, "attrs": {},
              "value": None, "trainable": False} for k in "12"]
    edges = [{"src": "1", "dst": "2", "port": "x"}, {"src": "2", "dst": "1", "port": "x"}]
    assert window.editor.paste_payload({"nodes": nodes, "edges": edges}, "k") == []
    assert "the pasted wires form a cycle" in window.messages.toPlainText()
    assert files.dumps(window.graph) == before and window.undo_stack.count() == steps


def test_copied_text_is_the_file_of_the_copied_nodes_alone(window, canvas) -> None:
    """Copy writes the chosen nodes and the wires among them as the file a graph of just
    those nodes saves to: in the graph's order, no output, no meta, every value kept."""
    graph = window.graph
    graph.set_output(canvas.id("J"))  # the whole graph's output is not the copy's
    graph.meta["title"] = "seed"
    chosen = [canvas.id(n) for n in ("sq", "d", "w", "half", "c", "J")]
    window.scene.select_ids(chosen)
    window.action("copy").trigger()
    text = bytes(QGuiApplication.clipboard().mimeData().data(clipboard.NODES_MIME)).decode()
    alone = Graph()
    chosen_set = set(window.scene.selected_ids())
    in_order = [node_id for node_id in graph.nodes if node_id in chosen_set]
    for node_id in in_order:
        n = graph.nodes[node_id]
        alone.add_node(n.op, n.name, n.x, n.y, n.attrs, n.value if n.is_leaf else None,
                       n.trainable, node_id)
    for src, dst, port in graph.edge_triples():
        if src in alone.nodes and dst in alone.nodes:
            alone.connect(src, dst, port)
    assert text == files.dumps(alone)
    data = json.loads(text)
    assert [n["name"] for n in data["nodes"]] == graph.names(in_order)
    assert data["output"] is None and data["meta"] == {}
    assert {(e["from"], e["to"]) for e in data["edges"]} == {
        (canvas.id("d"), canvas.id("sq")), (canvas.id("w"), canvas.id("c")),
        (canvas.id("half"), canvas.id("J")), (canvas.id("sq"), canvas.id("J"))}


def test_a_pasted_name_that_is_free_stays_on_its_node(window) -> None:
    """Pasting h (taken here) and h1 (free here): h1 keeps its name and h takes a number no
    pasted node has, rather than h taking h1 and the node called h1 moving on to h2."""
    graph = Graph()
    graph.add_node("input", "h", x=0.0, y=0.0, value=5.0)
    window.set_graph(graph)
    source = Graph()
    h = source.add_node("input", "h", x=0.0, y=0.0, value=1.0)
    h1 = source.add_node("input", "h1", x=0.0, y=110.0, value=2.0)
    QGuiApplication.clipboard().setMimeData(clipboard.to_mime(files.dumps(source, [h.id, h1.id])))
    window.action("paste").trigger()
    pasted = {graph.nodes[i].value: graph.nodes[i].name for i in window.scene.selected_ids()}
    assert pasted == {2.0: "h1", 1.0: "h2"}
    assert graph.by_name("h").value == 5.0


def test_pasted_names_number_the_copies_in_the_originals_order(window, qtbot) -> None:
    """Ctrl+A, Ctrl+C, Ctrl+V over h1…h8: h1's copy is h9, h2's h10, … — the copies keep
    their originals' order, whatever order the canvas hands its selection over in."""
    graph = Graph()
    for k in range(1, 9):
        graph.add_node("input", f"h{k}", x=0.0, y=110.0 * k, value=float(k))
    window.set_graph(graph)
    viewport = window.view.viewport()
    window.view.setFocus()
    for key in (Qt.Key.Key_A, Qt.Key.Key_C, Qt.Key.Key_V):
        qtbot.keyClick(viewport, key, Qt.KeyboardModifier.ControlModifier)
    pasted = {graph.nodes[i].name: graph.nodes[i].value for i in window.scene.selected_ids()}
    assert pasted == {f"h{k + 8}": float(k) for k in range(1, 9)}
    for node_id in window.scene.selected_ids():  # and the canvas says so
        item = window.scene.nodes[node_id]
        assert (item.title(), item.shown_rows()) == (
            graph.nodes[node_id].name, [f"= {graph.nodes[node_id].value:g}"])


def test_pasting_a_file_of_no_nodes_changes_nothing(window) -> None:
    """A valid .cgraph text with no nodes is no paste: no step, and the implicit output is
    not made the explicit one (a step adding nothing did that)."""
    before, steps = files.dumps(window.graph), window.undo_stack.count()
    mime = QMimeData()
    mime.setData(clipboard.NODES_MIME, document([]).encode("utf-8"))
    QGuiApplication.clipboard().setMimeData(mime)
    window.view.setFocus()
    QTest.keyClick(window.view, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert window.messages.toPlainText().splitlines()[-1] == \
        "Refused: cannot paste: the clipboard holds no nodes"
    assert files.dumps(window.graph) == before and window.graph.explicit_output is None
    assert window.undo_stack.count() == steps
    assert window.editor.paste_payload({"nodes": [], "edges": []}, "k") == []
    assert files.dumps(window.graph) == before and window.undo_stack.count() == steps


def test_ctrl_d_of_more_nodes_than_a_paste_takes_says_so(window, monkeypatch) -> None:
    """A duplicate past the paste limit is refused with a line in Messages and changes
    nothing (it raised the loader's ClipboardError out of the key press)."""
    monkeypatch.setattr(clipboard, "MAX_NODES", 4)  # the seed's 10 nodes are past it
    before, steps = files.dumps(window.graph), window.undo_stack.count()
    window.view.setFocus()
    QTest.keyClick(window.view, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClick(window.view, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    assert window.messages.toPlainText().splitlines()[-1] == \
        "Cannot duplicate: 10 nodes are selected; a duplicate takes at most 4"
    assert files.dumps(window.graph) == before and window.undo_stack.count() == steps
