"""A file whose saved node places overlap opens with those nodes moved apart: only the nodes
lying on others move, the document is not modified (the file stays as it was), and the
Messages line of the open says which nodes moved."""

from __future__ import annotations

from itertools import combinations

from cgeditor.model import files
from cgeditor.model.graph import Graph
from cgeditor.model.room import _overlap


def stacked_file(path) -> dict[str, tuple[float, float]]:
    """w, x and c saved at one spot (c on top of both), b far away; the saved places."""
    graph = Graph()
    w = graph.add_node("input", "w", value=2.0, x=100, y=100)
    x = graph.add_node("input", "x", value=-2.0, x=100, y=100)
    c = graph.add_node("mul", "c", x=130, y=110)
    b = graph.add_node("input", "b", value=8.0, x=100, y=600)
    a = graph.add_node("add", "a", x=500, y=300)
    graph.connect(w.id, c.id, "a")
    graph.connect(x.id, c.id, "b")
    graph.connect(c.id, a.id, "a")
    graph.connect(b.id, a.id, "b")
    files.save(graph, str(path))
    return {n.name: (n.x, n.y) for n in graph.nodes.values()}


def test_overlapping_saved_places_are_parted_on_open(window, tmp_path) -> None:
    path = tmp_path / "stacked.cgraph"
    saved = stacked_file(path)
    on_disk = path.read_bytes()
    assert window.document.open_path(str(path), ask=False)
    outlines = window.scene.outlines()
    assert not [pair for pair in combinations(outlines, 2)
                if _overlap(outlines[pair[0]], outlines[pair[1]])]
    now = {n.name: (n.x, n.y) for n in window.graph.nodes.values()}
    assert now["w"] == saved["w"]  # the first of the stack keeps its place
    assert now["b"] == saved["b"] and now["a"] == saved["a"]  # overlapping nothing: kept
    assert now["x"] != saved["x"] and now["c"] != saved["c"]
    items = {window.graph.nodes[i].name: item.pos() for i, item in window.scene.nodes.items()}
    assert (items["x"].x(), items["x"].y()) == now["x"]  # the canvas shows where they went
    assert not window.document.is_modified() and window.undo_stack.count() == 0
    assert path.read_bytes() == on_disk
    last = window.messages.toPlainText().splitlines()[-1]
    assert last.startswith(f"Opened {path}: 5 nodes, 4 wires; moved c, x off the nodes")


def test_a_file_without_overlaps_opens_as_saved(window, tmp_path) -> None:
    path = tmp_path / "apart.cgraph"
    graph = Graph()
    graph.add_node("input", "w", value=2.0, x=0, y=0)
    graph.add_node("input", "x", value=1.0, x=0, y=300)
    files.save(graph, str(path))
    assert window.document.open_path(str(path), ask=False)
    assert {n.name: (n.x, n.y) for n in window.graph.nodes.values()} == \
        {"w": (0.0, 0.0), "x": (0.0, 300.0)}
    assert window.messages.toPlainText().splitlines()[-1] == \
        f"Opened {path}: 2 nodes, 0 wires"


def test_a_graph_from_python_is_parted_with_no_word_of_a_file(window, tmp_path) -> None:
    """cgeditor.show's graph has no file to blame or to save the new places into."""
    stacked_file(tmp_path / "stacked.cgraph")
    window.document.start_with(files.load(str(tmp_path / "stacked.cgraph")))
    assert window.messages.toPlainText().splitlines()[-1] == \
        "Opened a graph from Python: 5 nodes, 4 wires; moved c, x off the nodes they overlapped"


def test_many_moved_nodes_are_named_up_to_five() -> None:
    from cgeditor.gui.overlaps import parted_note
    assert parted_note([]) == ""
    note = parted_note([f"n{k}" for k in range(8)])
    assert note.startswith("; moved n0, n1, n2, n3, n4 and 3 more off the nodes")


def test_parted_nodes_open_with_their_wires_at_their_new_places(window, tmp_path) -> None:
    """The nodes are parted before their items and wires enter the scene: every wire runs
    from its source's port to its input's where the items stand, and a later edit of a
    parted node is followed by the scene as any other."""
    path = tmp_path / "stacked.cgraph"
    saved = stacked_file(path)
    assert window.document.open_path(str(path), ask=False)
    scene, graph = window.scene, window.graph
    ids = {node.name: node.id for node in graph.nodes.values()}
    assert (graph.nodes[ids["c"]].x, graph.nodes[ids["c"]].y) != saved["c"]
    for (dst, port), wire in scene.wires.items():
        assert wire.ends == (*scene.nodes[wire.src].out_port_xy(),
                             *scene.nodes[dst].in_port_xy(port))
    window.editor.move({ids["c"]: ((graph.nodes[ids["c"]].x, graph.nodes[ids["c"]].y),
                                   (900.0, 40.0))})
    item = scene.nodes[ids["c"]]
    assert (item.x(), item.y()) == (900.0, 40.0)
    assert scene.wires[(ids["a"], "a")].ends[:2] == item.out_port_xy()
