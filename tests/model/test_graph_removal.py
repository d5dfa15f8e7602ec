"""Many nodes out of a Graph, or moved, as one edit: remove_parts leaves exactly what
remove_node one by one leaves (nodes, names, edges, networkx, output, order) and move_nodes
exactly what move_node one by one does, each announced once; a refused id changes nothing."""

from __future__ import annotations

import pytest

from cgeditor.model import files
from cgeditor.model.errors import UnknownNodeError
from cgeditor.model.graph import Edge, Graph
from tests.graphs import doubling_chain


def state(graph: Graph) -> tuple:
    """Everything remove_parts and move_nodes may change, comparable across graphs."""
    return (files.dumps(graph), sorted(graph.nx_graph.edges(data=True)),
            sorted(graph.nx_graph.nodes), graph.order(), graph.output,
            sorted(graph.edge_triples()))


def diamond() -> Graph:
    """x feeds a and b, both feed s (the output), and y feeds b: removing a and s leaves x,
    y, b and the wires x -> b, y -> b."""
    graph = Graph()
    x = graph.add_node("input", "x", 0, 0, value=1.0)
    y = graph.add_node("input", "y", 0, 200, value=2.0)
    a = graph.add_node("neg", "a", 250, 0)
    b = graph.add_node("mul", "b", 250, 200)
    s = graph.add_node("add", "s", 500, 100)
    graph.connect(x.id, a.id, "x")
    graph.connect(x.id, b.id, "a")
    graph.connect(y.id, b.id, "b")
    graph.connect(a.id, s.id, "a")
    graph.connect(b.id, s.id, "b")
    graph.set_output(s.id)
    return graph


@pytest.mark.parametrize("names", [["a", "s"], ["x", "y", "a", "b", "s"], ["b"]])
def test_remove_parts_leaves_what_removing_one_by_one_leaves(names: list[str]) -> None:
    one_by_one, bulk = diamond(), diamond()
    for name in names:
        one_by_one.remove_node(one_by_one.by_name(name).id)
    events: list[tuple] = []
    for signal in ("node_removed", "edge_removed"):
        getattr(bulk, signal).connect(lambda *a, s=signal: events.append((s, *a)))
    bulk.parts_removed.connect(lambda nodes, edges: events.append(("parts", nodes, edges)))
    ids = [bulk.by_name(name).id for name in names]
    expected_edges = {e for e in bulk.edges if e.src in ids or e.dst in ids}
    nodes, edges = bulk.remove_parts(ids)
    assert state(bulk) == state(one_by_one)
    assert [n.name for n in nodes] == names
    assert set(edges) == expected_edges and len(edges) == len(expected_edges)
    assert events == [("parts", nodes, edges)]  # once, with what went
    assert all(not bulk.has_name(name) for name in names)


def test_remove_parts_of_most_of_a_big_graph_finds_each_wire_once() -> None:
    graph = doubling_chain(40, 1.0)  # two wires between each pair: a pass over the edges
    ids = list(graph.nodes)[1:]
    _nodes, edges = graph.remove_parts(ids)
    assert len(edges) == 80 and len(set(edges)) == 80
    assert list(graph.nodes) != [] and graph.edges == [] and len(graph.nx_graph) == 1


def test_remove_parts_refuses_an_unknown_id_and_changes_nothing() -> None:
    graph = diamond()
    before = state(graph)
    with pytest.raises(UnknownNodeError):
        graph.remove_parts([graph.by_name("a").id, "nope"])
    assert state(graph) == before


def test_move_nodes_moves_as_move_node_does_and_announces_once() -> None:
    one_by_one, bulk = diamond(), diamond()
    places = {"a": (900.0, 10.0), "b": (-50.0, 20.5), "x": (3.0, 4.0)}
    for name, (x, y) in places.items():
        one_by_one.move_node(one_by_one.by_name(name).id, x, y)
    events: list = []
    bulk.node_moved.connect(events.append)
    bulk.nodes_moved.connect(events.append)
    bulk.changed.connect(lambda: events.append("changed"))
    bulk.move_nodes({bulk.by_name(name).id: place for name, place in places.items()})
    assert state(bulk) == state(one_by_one)  # the order's ties follow the new x too
    assert events == [[bulk.by_name(name) for name in places], "changed"]


def test_move_nodes_refuses_an_unknown_id_and_changes_nothing() -> None:
    graph = diamond()
    before = state(graph)
    with pytest.raises(UnknownNodeError):
        graph.move_nodes({graph.by_name("a").id: (1.0, 1.0), "nope": (2.0, 2.0)})
    assert state(graph) == before


def test_edges_touching_are_the_edges_into_or_out_of_the_nodes() -> None:
    graph = diamond()
    b = graph.by_name("b").id
    assert set(graph.edges_touching([b])) == {
        Edge(graph.by_name("x").id, b, "a"), Edge(graph.by_name("y").id, b, "b"),
        Edge(b, graph.by_name("s").id, "b")}
