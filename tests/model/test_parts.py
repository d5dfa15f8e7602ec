"""Separate graphs on one canvas are laid out each on its own and packed apart: a copy's
layout is the one it gets alone, moved; no copy's outlines overlap another's."""

from __future__ import annotations

from itertools import combinations

from cgeditor.model.graph import Graph
from cgeditor.model.layout import LAPTOP_ROOM, fit_layout, layered_layout
from cgeditor.model.parts import PART_GAP, bounds, components

SEED_NODES = {"w": "input", "x": "input", "b": "input", "y": "input", "c": "mul",
              "a": "add", "d": "sub", "J": "square"}
SEED_WIRES = [("w", "c", "a"), ("x", "c", "b"), ("c", "a", "a"), ("b", "a", "b"),
              ("a", "d", "a"), ("y", "d", "b"), ("d", "J", "x")]


def add_seed(graph: Graph, tag: str) -> None:
    """One copy of J = (w·x + b − y)², its node names ending in ``tag``."""
    ids = {name: graph.add_node(op, f"{name}{tag}").id for name, op in SEED_NODES.items()}
    for src, dst, port in SEED_WIRES:
        graph.connect(ids[src], ids[dst], port)


def copies(count: int) -> Graph:
    graph = Graph()
    for k in range(count):
        add_seed(graph, f"_{k}")
    return graph


def sizes_of(graph: Graph) -> dict[str, tuple[float, float]]:
    """Outlines by op, the same in every copy (nominal sizes read the output's name)."""
    return {n: (140.0 + 3.0 * len(node.op), 81.0 + 18.0 * len(node.ports))
            for n, node in graph.nodes.items()}


def by_name(graph: Graph, corners: dict[str, tuple[float, float]], tag: str
            ) -> dict[str, tuple[float, float]]:
    """The corners of one copy's nodes by name without the tag, moved so its first
    node (its w) sits at the origin."""
    mine = {graph.nodes[n].name.removesuffix(tag): p for n, p in corners.items()
            if graph.nodes[n].name.endswith(tag)}
    x0, y0 = mine["w"]
    return {name: (x - x0, y - y0) for name, (x, y) in mine.items()}


def test_sixty_three_copies_are_each_laid_out_alone_and_packed_apart() -> None:
    graph = copies(63)
    sizes = sizes_of(graph)
    corners = fit_layout(graph, sizes, LAPTOP_ROOM)
    assert set(corners) == set(graph.nodes)
    alone = copies(1)
    own = by_name(alone, fit_layout(alone, sizes_of(alone), LAPTOP_ROOM), "_0")
    parts = components(graph)
    assert len(parts) == 63
    boxes = []
    for k, part in enumerate(parts):
        assert by_name(graph, corners, f"_{k}") == own  # the same picture, only moved
        boxes.append(bounds({n: corners[n] for n in part.members}, sizes))
    for (l1, t1, w1, h1), (l2, t2, w2, h2) in combinations(boxes, 2):
        apart_x = l1 + w1 + PART_GAP[0] <= l2 or l2 + w2 + PART_GAP[0] <= l1
        apart_y = t1 + h1 + PART_GAP[1] <= t2 or t2 + h2 + PART_GAP[1] <= t1
        assert apart_x or apart_y
    # Packed in rows, not one tall column: about as wide for its height as the room.
    _left, _top, width, height = bounds(corners, sizes)
    assert 0.5 < (width / height) / (LAPTOP_ROOM[0] / LAPTOP_ROOM[1]) < 2.0
    # Reading order: the first copy starts the first row, the second sits to its right.
    assert 0.0 <= boxes[0][0] < 1.0 and 0.0 <= boxes[0][1] < 1.0
    assert boxes[1][1] == 0.0 and boxes[1][0] >= boxes[0][2] + PART_GAP[0]


def test_components_follow_the_graph_order_and_stay_topological() -> None:
    graph = copies(3)
    lone = graph.add_node("const", "lone").id
    parts = components(graph)
    assert [graph.nodes[p.members[0]].name for p in parts] == ["w_0", "w_1", "w_2", "lone"]
    assert parts[3].members == parts[3].order == [lone]
    for part in parts:
        assert sorted(part.members) == sorted(part.order)
        seen: set[str] = set()
        for node_id in part.order:
            assert set(graph.predecessors(node_id)) <= seen
            seen.add(node_id)
    assert sum(len(p.members) for p in parts) == len(graph)


def test_one_component_lays_out_as_the_whole_graph() -> None:
    graph = copies(1)
    sizes = sizes_of(graph)
    [part] = components(graph)
    assert layered_layout(graph, 76.0, 18.0, sizes=sizes, part=part) == \
        layered_layout(graph, 76.0, 18.0, sizes=sizes)
    assert fit_layout(graph, sizes, LAPTOP_ROOM) == \
        layered_layout(graph, 76.0, 18.0, sizes=sizes)  # fits unfolded: one roomy band


def test_the_work_grows_with_the_nodes_not_their_square(monkeypatch) -> None:
    """Each copy is laid out from its own nodes only: the neighbour look-ups double, not
    quadruple, when the copies do (thousands of copies stay linear)."""
    calls = {"n": 0}
    real = Graph.predecessors

    def counted(self: Graph, node_id: str) -> list[str]:
        calls["n"] += 1
        return real(self, node_id)

    monkeypatch.setattr(Graph, "predecessors", counted)
    looked = []
    for count in (500, 1000):
        graph = copies(count)
        calls["n"] = 0
        corners = fit_layout(graph, sizes_of(graph), LAPTOP_ROOM)
        assert len(corners) == 8 * count
        looked.append(calls["n"])
    assert looked[1] == 2 * looked[0]
