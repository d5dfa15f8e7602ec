"""A new output name (the output renamed, or another node made the output) re-measures every
box by its gradient row ('∂J/∂w'): a box that row makes widest grows with the output's name,
one kept wider by something else (a long name, elided at the widest box) stays as it was,
and every wire stays on its ports, which the model's places and the boxes say where they
are. A paste never changes the output: it keeps the one the graph had."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtGui import QKeySequence

from cgeditor.gui.canvas.node_geometry import TEXT_MAX_WIDTH, box_of
from cgeditor.gui.canvas.node_item import OUT_PORT_Y
from cgeditor.model.display import NodeDisplay
from cgeditor.model.graph import Graph
from tests.graphs import seed_graph
from tests.gui.test_big_paste import layered
from tests.gui.test_bulk_display import fresh, key, shown

LONG = "a_name_long_enough_to_be_elided_in_every_box_it_is_shown_in"


def small_graph() -> Graph:
    graph = Graph()
    w = graph.add_node("input", "w", x=0.0, y=0.0, value=2.0)
    far = graph.add_node("input", LONG, x=0.0, y=200.0, value=1.0)
    out = graph.add_node("add", "J", x=420.0, y=0.0)
    graph.connect(w.id, out.id, "a")
    graph.connect(far.id, out.id, "b")
    return graph


def wire_ends_from_the_model(window) -> dict[tuple[str, str], tuple[float, ...]]:
    """Where each wire must run: from the source's place plus its box's width, to the
    target's place plus its port's row."""
    nodes, items = window.graph.nodes, window.scene.nodes
    return {(dst, port): (nodes[src].x + items[src].box.width, nodes[src].y + OUT_PORT_Y,
                          nodes[dst].x, nodes[dst].y + items[dst].port_y(port))
            for (dst, port), src in window.graph.input_map().items()}


def numbers(scene) -> dict[str, NodeDisplay]:
    """What each node shows of the run (its step badge aside: pasted nodes renumber it)."""
    return {i: replace(item.display, order_badge="") for i, item in scene.nodes.items()}


def test_a_new_output_name_widens_the_boxes_its_gradient_row_fills(window) -> None:
    graph = small_graph()
    window.set_graph(graph)
    scene = window.scene
    w, far = graph.by_name("w").id, graph.by_name(LONG).id
    w_before, far_box = scene.nodes[w].box, scene.nodes[far].box
    assert far_box.width == TEXT_MAX_WIDTH  # its name is elided: the box is as wide as any
    window.editor.rename(graph.output, "J_total")  # the inspector's name field
    assert scene.nodes[w].box == box_of("input", "w", False, (), "J_total")
    assert scene.nodes[w].box.width > w_before.width  # '∂J_total/∂w' is longer
    assert scene.nodes[far].box is far_box  # untouched
    assert scene.nodes[far].boundingRect().width() > TEXT_MAX_WIDTH
    assert shown(scene) == fresh(graph)
    ends = wire_ends_from_the_model(window)
    assert {key_: wire.ends for key_, wire in scene.wires.items()} == ends
    assert (graph.nodes[w].x, graph.nodes[w].y) == (0.0, 0.0)  # nothing was in its way

    window.view.setFocus()
    key(window, QKeySequence.StandardKey.Undo)  # the output is J again: the boxes shrink back
    assert scene.nodes[w].box == w_before and scene.nodes[far].box is far_box
    assert shown(scene) == fresh(graph)
    assert {key_: wire.ends for key_, wire in scene.wires.items()} \
        == wire_ends_from_the_model(window)


def test_a_paste_keeps_the_output_its_numbers_and_every_box(window) -> None:
    """Pasted sinks land right of and below the graph, where the implicit output (the last
    sink in execution order) would move to one of them: the paste marks the output it had,
    so J, every gradient and every old box stay; Undo takes the mark back with the nodes."""
    graph = small_graph()
    window.set_graph(graph)
    window.view.setFocus()
    scene, out = window.scene, graph.output
    window.action("backward").trigger()
    status = window.statusBar().currentMessage()
    assert status.startswith("J = ")
    shows = numbers(scene)
    boxes = {i: item.box for i, item in scene.nodes.items()}
    key(window, QKeySequence.StandardKey.SelectAll)
    key(window, QKeySequence.StandardKey.Copy)
    key(window, QKeySequence.StandardKey.Paste)
    assert len(graph.nodes) == 6 and graph.output == graph.explicit_output == out
    assert window.messages.toPlainText().splitlines()[-1].endswith("; J stays the output")
    assert all(scene.nodes[i].box == box for i, box in boxes.items() if i != out)
    assert scene.nodes[out].is_output  # marked, as the inspector's 'Make output' marks it
    assert shown(scene) == fresh(graph)
    window.action("backward").trigger()
    # The same J and gradients (the pasted inputs, which J does not use, are listed after).
    assert window.statusBar().currentMessage().startswith(status)
    assert {i: d for i, d in numbers(scene).items() if i in shows} == shows
    key(window, QKeySequence.StandardKey.Undo)
    assert len(graph.nodes) == 3 and graph.explicit_output is None and graph.output == out
    assert not scene.nodes[out].is_output and shown(scene) == fresh(graph)


def test_a_big_rename_of_the_output_keeps_every_wire_on_its_ports(window) -> None:
    """The kind of a new output name at a size a test runs, after a paste: every old box
    widens (each gradient row is its widest text), so every wire re-routes, pasted ones
    too; the pasted wires started at their new ports."""
    graph = layered(12, 8)
    window.set_graph(graph)
    window.view.setFocus()
    key(window, QKeySequence.StandardKey.SelectAll)
    key(window, QKeySequence.StandardKey.Copy)
    key(window, QKeySequence.StandardKey.Paste)
    assert {key_: wire.ends for key_, wire in window.scene.wires.items()} \
        == wire_ends_from_the_model(window)
    widths = {i: item.box.width for i, item in window.scene.nodes.items()}
    assert len(widths) == 2 * 96
    window.editor.rename(graph.output, graph.nodes[graph.output].name + "_loss")
    assert all(window.scene.nodes[i].box.width > width for i, width in widths.items())
    assert {key_: wire.ends for key_, wire in window.scene.wires.items()} \
        == wire_ends_from_the_model(window)
    assert shown(window.scene) == fresh(graph)


def test_a_cleared_run_leaves_no_room_for_its_label_when_the_output_changes(window) -> None:
    """A run, then w renamed v: its box is re-measured while it shows the stale run's
    '∂Loss/∂v'; Reset clears that (an input's value row is the same, so nothing is
    re-measured); a new output of a shorter name must then shrink v's box to what a fresh
    scene of the graph gives. The cleared label's length was kept in what the box measured
    and held the box at the width of 'Loss'."""
    graph = seed_graph()
    window.set_graph(graph)
    w = graph.by_name("w").id
    window.editor.rename(graph.by_name("J").id, "Loss")
    window.action("backward").trigger()
    window.editor.rename(w, "v")
    assert window.scene.nodes[w].display.grad_label == "∂Loss/∂v"
    window.action("reset").trigger()
    assert window.scene.nodes[w].display.grad_label == ""
    assert shown(window.scene) == fresh(graph)
    window.editor.set_output(graph.by_name("c").id)  # the inspector's 'Make output'
    assert window.scene.nodes[w].box == box_of("input", "v", False, (), "c")
    assert shown(window.scene) == fresh(graph)
