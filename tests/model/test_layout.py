"""Auto-layout: columns by generation, fewer crossings than the unsorted layering, apply moves."""

from __future__ import annotations

from cgeditor.model.graph import Graph
from cgeditor.model.layout import apply_layout, assign_layers, count_crossings, layered_layout


def crossed_graph() -> Graph:
    """Four inputs whose consumers were added in reverse: unsorted, every wire pair crosses."""
    graph = Graph()
    xs = [graph.add_node("input", f"x{i}").id for i in range(4)]
    fs = []
    for i in range(4):
        f = graph.add_node("tanh", f"f{i}")
        graph.connect(xs[3 - i], f.id, "x")
        fs.append(f.id)
    total = graph.add_node("add", "s1")
    graph.connect(fs[0], total.id, "a")
    graph.connect(fs[3], total.id, "b")
    return graph


def test_barycenter_sweeps_reduce_crossings():
    graph = crossed_graph()
    unsorted = layered_layout(graph, sweeps=0)
    assert count_crossings(graph, unsorted) == 6
    assert count_crossings(graph, layered_layout(graph)) == 0


def test_columns_follow_generations_and_spacing():
    graph = crossed_graph()
    positions = layered_layout(graph, spacing_x=150.0, spacing_y=80.0)
    by_name = {graph.nodes[i].name: p for i, p in positions.items()}
    assert {by_name[f"x{i}"][0] for i in range(4)} == {0.0}
    assert {by_name[f"f{i}"][0] for i in range(4)} == {150.0}
    assert by_name["s1"] == (300.0, 0.0)
    ys = sorted(by_name[f"x{i}"][1] for i in range(4))
    assert ys == [-120.0, -40.0, 40.0, 120.0]  # centred on 0, spaced 80 apart


def test_a_leaf_sits_one_column_before_its_first_consumer():
    graph = Graph()
    x = graph.add_node("input", "x").id
    t = graph.add_node("tanh").id
    u = graph.add_node("tanh").id
    b = graph.add_node("input", "b").id
    s = graph.add_node("add").id
    graph.connect(x, t, "x")
    graph.connect(t, u, "x")
    graph.connect(u, s, "a")
    graph.connect(b, s, "b")
    layers = assign_layers(graph)
    assert [layers[n] for n in (x, t, u, b, s)] == [0, 1, 2, 2, 3]


def test_isolated_nodes_and_empty_graph():
    assert layered_layout(Graph()) == {}
    graph = Graph()
    lone = graph.add_node("const").id
    assert layered_layout(graph) == {lone: (0.0, 0.0)}


def test_apply_layout_moves_nodes_and_announces_it():
    graph = crossed_graph()
    moved = []
    graph.node_moved.connect(moved.append)
    positions = layered_layout(graph)
    apply_layout(graph, {**positions, "gone": (1.0, 1.0)})
    assert len(moved) == len(graph)
    assert all((graph.nodes[i].x, graph.nodes[i].y) == p for i, p in positions.items())
