"""Bulk edits on a big selection announce the selection once, whatever its size: select all,
delete, undo, redo and paste each fire ``selection.changed`` one time (so the inspector and
the run controller re-read it once), and undoing a bulk delete restores the file order."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPointF
from PySide6.QtWidgets import QApplication

from cgeditor.gui import bulk_commands as B
from cgeditor.model import files
from tests.graphs import doubling_chain
from tests.gui.conftest import Canvas

LAYERS = 120  # 121 nodes, 240 wires: big enough that per-node signals would show


class Counter:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, *_args: object) -> None:
        self.calls += 1


@pytest.fixture
def big(window):
    graph = doubling_chain(LAYERS, 1.0, step=250)
    window.set_graph(graph)
    QApplication.processEvents()
    counter = Counter()
    window.scene.selection.changed.connect(counter)
    return window, graph, counter


def test_select_all_and_delete_announce_the_selection_once(big) -> None:
    window, graph, changes = big
    window.action("select_all").trigger()
    assert changes.calls == 1
    assert window.scene.selection.count() == LAYERS + 1
    assert window.inspector.summary.text() == f"{LAYERS + 1} nodes selected"
    before = files.dumps(graph)
    window.action("delete").trigger()
    assert changes.calls == 2
    assert not graph.nodes and not window.scene.nodes and not window.scene.wires
    assert window.inspector.summary.text() == "Select a node to edit it."
    window.undo_stack.undo()
    assert files.dumps(graph) == before  # same nodes, wires and file order
    assert len(window.scene.wires) == 2 * LAYERS
    window.undo_stack.redo()
    assert not graph.nodes and changes.calls == 2  # nothing was selected to change


def test_paste_selects_every_new_node_in_one_announcement(big) -> None:
    window, graph, changes = big
    window.action("select_all").trigger()
    window.action("copy").trigger()
    old = set(graph.nodes)
    window.scene.clearSelection()
    changes.calls = 0
    window.action("paste").trigger()
    new = set(graph.nodes) - old
    assert len(new) == LAYERS + 1
    assert changes.calls == 1
    assert set(window.scene.selected_ids()) == new
    names = [n.name for n in graph.nodes.values()]
    assert len(set(names)) == len(names)
    assert window.undo_stack.undoText() == f"Paste {LAYERS + 1} nodes"
    window.undo_stack.undo()  # the pasted nodes were selected: they go in one announcement
    assert set(graph.nodes) == old and changes.calls == 2


def test_run_controller_hears_a_bulk_selection_once(big) -> None:
    window, _graph, _changes = big
    heard = Counter()
    window.run.published.connect(heard)  # select_node publishes once per change it hears
    first = next(iter(window.scene.nodes))
    window.scene.select_ids([first])
    assert window.run.selected == first and heard.calls == 1
    window.action("select_all").trigger()
    assert window.run.selected is None and heard.calls == 2


def test_dragging_everything_is_one_move_and_wires_end_at_ports(big) -> None:
    window, graph, _changes = big
    window.action("select_all").trigger()
    scene = window.scene
    first = next(iter(scene.nodes.values()))
    window.view.centerOn(first.sceneBoundingRect().center())
    QApplication.processEvents()
    start = first.pos() + QPointF(60, 12)
    Canvas(window).drag(start, start + QPointF(30, 50), steps=3)
    assert window.undo_stack.undoText() == f"Move {LAYERS + 1} nodes"
    node = graph.nodes[first.node_id]
    assert (node.x, node.y) == (first.pos().x(), first.pos().y())
    for (dst, port), wire in scene.wires.items():
        assert wire.path().pointAtPercent(0) == scene.nodes[wire.src].out_port_pos()
        assert wire.path().pointAtPercent(1) == scene.nodes[dst].in_port_pos(port)


def test_a_bulk_delete_is_one_batch_for_observers(window) -> None:
    graph = doubling_chain(5, 1.0)
    window.set_graph(graph)
    events: list[str] = []
    graph.batch_started.connect(lambda: events.append("start"))
    graph.batch_finished.connect(lambda: events.append("end"))
    graph.node_removed.connect(lambda _n: events.append("node"))
    graph.edge_removed.connect(lambda _e: events.append("edge"))
    graph.parts_removed.connect(lambda n, e: events.append(f"{len(n)} nodes, {len(e)} wires"))
    window.undo_stack.push(B.delete_nodes(graph, list(graph.nodes)))
    assert events == ["start", "6 nodes, 10 wires", "end"]  # announced once, not 16 times


def test_pasted_names_stay_valid_when_numbered(window) -> None:
    long = "q" * 128  # the longest name a file may hold
    graph = window.graph
    graph.add_node("input", long, value=1.0)
    window.scene.select_ids([graph.by_name(long).id])
    window.action("copy").trigger()
    window.action("paste").trigger()
    window.action("paste").trigger()
    names = sorted(n.name for n in graph.nodes.values() if n.name.startswith("qq"))
    assert len(names) == 3 and all(len(n) <= 128 for n in names)
    assert long in names and len(set(names)) == 3

