"""Graph.add_parts, the bulk insert behind paste and the undo of a bulk delete: it builds the
graph add_node and connect build one by one (nodes, names, values, positions, edges, the
networkx adjacency and every order), announces itself once, and a refused set changes
nothing."""

from __future__ import annotations

from typing import Any

import pytest

from cgeditor.model import files
from cgeditor.model.errors import (
    AttrError,
    CycleError,
    GraphError,
    InvalidNameError,
    NameTakenError,
    PortTakenError,
    SelfLoopError,
    UnknownNodeError,
    UnknownOpError,
    UnknownPortError,
    ValueParseError,
)
from cgeditor.model.graph import Graph
from cgeditor.model.graph_adding import StaleParts
from tests.graphs import seed_graph


def new_parts(graph: Graph) -> tuple[list[dict[str, Any]], list[tuple[str, str, str]]]:
    """Nodes as add_node's keywords and edges: among the new ones, from old nodes into new
    ones, from new nodes into an old one's open port, and a node feeding both ports of a
    mul (one networkx edge carrying two ports)."""
    w, j = graph.by_name("w").id, graph.by_name("J").id
    graph.disconnect(j, "a")  # an open port on an old node for a new node to feed
    nodes = [dict(op="input", name="p", x=10.0, y=-50.0, value=[[1.0, 2.0]], trainable=True,
                  node_id="q1"),
             dict(op="mul", name="sq2", x=200.0, y=-40.0, node_id="q2"),
             dict(op="sum", name="s", x=400.0, y=-30.0, attrs={"axis": 1}, node_id="q3"),
             dict(op="const", name="k", x=0.0, y=-90.0, value=3.0, node_id="q4"),
             dict(op="add", name="tot", x=600.0, y=-20.0, node_id="q5")]
    edges = [("q1", "q2", "a"), ("q1", "q2", "b"), ("q2", "q3", "x"), (w, "q5", "a"),
             ("q4", "q5", "b"), ("q5", j, "a")]
    return nodes, edges


def one_by_one(graph: Graph, nodes: list[dict[str, Any]],
               edges: list[tuple[str, str, str]]) -> None:
    for record in nodes:
        graph.add_node(**record)
    for src, dst, port in edges:
        graph.connect(src, dst, port)


def state(graph: Graph) -> tuple:
    """Everything a bulk insert must build as the one-by-one path does, orders included."""
    nxg = graph.nx_graph
    return ([(n.id, n.op, n.name, n.x, n.y, n.attrs, repr(n.value), n.trainable)
             for n in graph.nodes.values()],
            list(graph.edge_triples()), list(nxg.nodes),
            [(s, d, dict(data)) for s, d, data in nxg.edges(data=True)],
            {n: list(nxg.predecessors(n)) for n in nxg}, graph.order(), graph.output,
            [graph.by_name(n.name).id for n in graph.nodes.values()], files.dumps(graph))


def test_add_parts_builds_what_add_node_and_connect_build() -> None:
    bulk, single = seed_graph(), seed_graph()
    nodes, edges = new_parts(bulk)
    new_parts(single)
    added = bulk.add_parts(nodes, edges)
    one_by_one(single, nodes, edges)
    assert state(bulk) == state(single)
    assert [n.id for n in added] == ["q1", "q2", "q3", "q4", "q5"]
    assert bulk.nx_graph["q1"]["q2"]["ports"] == 2
    assert bulk.run().values["J"] == single.run().values["J"]


def test_add_parts_names_unnamed_nodes_apart_and_gives_fresh_ids() -> None:
    graph = Graph()
    graph.add_node("mul")
    added = graph.add_parts([dict(op="mul"), dict(op="mul"), dict(op="tanh")])
    assert [n.name for n in added] == ["mul2", "mul3", "tanh1"]
    assert len({n.id for n in graph.nodes.values()}) == 4


def test_add_parts_is_announced_once() -> None:
    graph = seed_graph()
    nodes, edges = new_parts(graph)
    heard: list[tuple] = []
    for name in ("node_added", "edge_added", "parts_added", "changed"):
        getattr(graph, name).connect(lambda *args, _n=name: heard.append((_n, *args)))
    version = graph.structure_version
    added = graph.add_parts(nodes, edges)
    assert [h[0] for h in heard] == ["parts_added", "changed"]
    assert heard[0][1] == added and heard[0][2] == edges
    assert graph.structure_version == version + 1


def refusals(graph: Graph) -> list[tuple[type[GraphError], str, list, list]]:
    """Sets of parts add_parts refuses: (error, words of its message, nodes, edges). Each is
    fine but for one thing, often the last part, so a half-done insert would show."""
    nodes, edges = new_parts(graph)
    j, half = graph.by_name("J").id, graph.by_name("half").id

    def node(k: int, **change: Any) -> list[dict[str, Any]]:
        return [*nodes[:k], {**nodes[k], **change}, *nodes[k + 1:]]

    return [
        (UnknownOpError, "unknown op 'rm_rf'", node(4, op="rm_rf"), []),
        (InvalidNameError, "not a valid name", node(4, name="2x"), []),
        (InvalidNameError, "Python reads it as 'H'", node(4, name="ℌ"), []),
        (NameTakenError, "already named 'w'", node(4, name="w"), edges),
        (NameTakenError, "two new nodes are named 'p'", node(4, name="p"), []),
        (InvalidNameError, "is already used", node(4, node_id=half), []),
        (InvalidNameError, "two new nodes have the id 'q1'", node(4, node_id="q1"), []),
        (ValueParseError, "", node(3, value="one"), []),
        (AttrError, "", node(2, attrs={"axis": "sideways"}), []),
        (UnknownNodeError, "'nowhere'", nodes, [*edges, ("nowhere", "q5", "a")]),
        (UnknownPortError, "no input port 'z'", nodes, [*edges[:-1], ("q5", j, "z")]),
        (SelfLoopError, "its own input", nodes, [("q3", "q3", "x")]),
        (PortTakenError, "fed by sq", nodes, [*edges[:-1], ("q5", j, "b")]),
        (PortTakenError, "fed twice", nodes, [*edges, ("q4", "q2", "a")]),
        (CycleError, "cycle", nodes, [("q2", "q3", "x"), ("q3", "q5", "a"),
                                      ("q5", "q2", "a")]),
        # through an old node: J feeds a new node that would feed J
        (CycleError, "J → s → J", nodes, [(j, "q3", "x"), ("q3", j, "a")]),
    ]


@pytest.mark.parametrize("case", range(16))
def test_a_refused_set_changes_nothing(case: int) -> None:
    graph = seed_graph()
    error, words, nodes, edges = refusals(graph)[case]
    before, version, counter = files.dumps(graph), graph.structure_version, graph._id_counter
    heard: list[str] = []
    for name in ("node_added", "edge_added", "parts_added", "changed"):
        getattr(graph, name).connect(lambda *_a, _n=name: heard.append(_n))
    with pytest.raises(error, match=words or None):
        graph.check_parts(nodes, edges)
    with pytest.raises(error, match=words or None):
        graph.add_parts(nodes, edges)
    assert files.dumps(graph) == before and graph.structure_version == version
    assert graph._id_counter == counter and heard == []
    assert not graph.nodes.keys() & {"q1", "q2", "q3", "q4", "q5"}
    assert not any(graph.has_name(n) for n in ("p", "sq2", "s", "k", "tot"))


def test_a_cycle_is_named_along_its_wires() -> None:
    graph = Graph()
    nodes = [dict(op="neg", name=name, node_id=name) for name in ("u", "v", "t")]
    with pytest.raises(CycleError) as info:
        graph.add_parts(nodes, [("u", "v", "x"), ("v", "t", "x"), ("t", "u", "x")])
    assert str(info.value) == "the new wires would close the cycle u → v → t → u"
    assert info.value.path == ["u", "v", "t"] and not graph.nodes


def test_known_acyclic_skips_only_the_cycle_search() -> None:
    graph = Graph()
    nodes = [dict(op="neg", name=name, node_id=name) for name in ("u", "v")]
    with pytest.raises(UnknownPortError):
        graph.add_parts(nodes, [("u", "v", "a")], known_acyclic=True)
    graph.add_parts(nodes, [("u", "v", "x")], known_acyclic=True)
    assert list(graph.edge_triples()) == [("u", "v", "x")]


def test_checked_parts_are_added_once_and_only_to_the_graph_as_checked() -> None:
    checked_graph, plain = seed_graph(), seed_graph()
    nodes, edges = new_parts(checked_graph)
    new_parts(plain)
    checked = checked_graph.check_parts(nodes, edges)
    assert len(checked_graph) == 10  # checking added nothing
    checked_graph.add_checked(checked)
    plain.add_parts(nodes, edges)
    assert state(checked_graph) == state(plain)
    with pytest.raises(StaleParts):  # a second time
        checked_graph.add_checked(checked)
    other = seed_graph()
    nodes, edges = new_parts(other)
    later = other.check_parts(nodes, edges)
    other.move_node(other.by_name("w").id, 5.0, 5.0)
    with pytest.raises(StaleParts):  # the graph changed since the check
        other.add_checked(later)
    with pytest.raises(StaleParts):  # another graph
        seed_graph().add_checked(other.check_parts(nodes, edges))
    assert len(other) == 10
