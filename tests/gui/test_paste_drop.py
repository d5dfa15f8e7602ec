"""Where a big pasted block lands: paste_drop drops it as one rectangle in numpy passes, by
exactly what make_room's big-block branch gives for the same outlines (the path a block of
any size took before), and a small block still steps past what it covers."""

from __future__ import annotations

import pytest

from cgeditor.gui import placement
from cgeditor.gui.bulk_commands import named
from cgeditor.gui.canvas.node_geometry import box_of
from cgeditor.gui.clipboard import duplicate_payload
from cgeditor.gui.editor import ROOM_GAPS
from cgeditor.model.graph import Graph
from cgeditor.model.room import BIG_BLOCK


def grid(count: int) -> tuple[Graph, dict[str, tuple[float, float, float, float]]]:
    """``count`` nodes in columns of ten, every add fed by the node above it; and their
    outlines as the scene would give them (boxes as predicted, a long name in the middle)."""
    graph = Graph()
    for k in range(count):
        name = "a_rather_long_name" if k == count // 2 else f"v{k}"
        op = "input" if k % 10 == 0 else "neg"
        node = graph.add_node(op, name, x=(k // 10) * 230.0, y=(k % 10) * 110.0 + 0.1,
                              value=[1.0, 2.0] if op == "input" and k % 20 else None)
        if op == "neg":
            graph.connect(f"n{k}", node.id, "x")
    out = graph.nodes[graph.output].name
    outlines = {}
    for node in graph.nodes.values():
        box = box_of(node.op, node.name, False, None if node.value is None else
                     getattr(node.value, "shape", ()), out)
        outlines[node.id] = placement.outline_at(node.x, node.y, box.width, box.height)
    return graph, outlines


@pytest.mark.parametrize(("count", "offset"), [(BIG_BLOCK + 1, 30.0), (300, 30.0),
                                               (300, 5000.0), (300, -0.1), (20, 30.0)])
def test_a_pasted_block_drops_as_make_room_drops_it(qapp, count: int, offset: float) -> None:
    graph, outlines = grid(count)
    nodes = duplicate_payload(graph, list(graph.nodes))["nodes"]
    names = named(graph, nodes)
    out = graph.nodes[graph.output].name
    boxes = [box_of(s["op"], name, s["trainable"], None if s["value"] is None else
                    getattr(s["value"], "shape", ()), out) for s, name in zip(nodes, names)]
    drop = placement.paste_drop(graph, outlines, nodes, names, offset, ROOM_GAPS)
    # make_room on the outlines and the block's keys: what every paste used to ask
    assert drop == placement._small_drop(outlines, nodes, boxes, offset, ROOM_GAPS)
    if offset < 1000:  # on top of its originals: it drops below all of them
        assert drop > 0
    else:
        assert drop == 0.0
