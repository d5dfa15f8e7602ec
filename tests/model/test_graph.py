"""Graph: mutators, typed refusals that change nothing, signals, the live networkx graph and
the deterministic execution order."""

from __future__ import annotations

import networkx as nx
import pytest

from cgeditor.model import files
from cgeditor.model.errors import (
    AttrError,
    CycleError,
    GraphError,
    InvalidNameError,
    NameTakenError,
    NotALeafError,
    NotTrainableError,
    PortTakenError,
    SelfLoopError,
    UnknownNodeError,
    UnknownOpError,
    UnknownPortError,
)
from cgeditor.model.graph import Edge, Graph


def chain() -> tuple[Graph, dict[str, str]]:
    """x → a=exp(x) → b=tanh(a) → c=neg(b); ids by name."""
    g = Graph()
    ids = {"x": g.add_node("input", "x", value=1.0).id}
    for k, (name, op) in enumerate([("a", "exp"), ("b", "tanh"), ("c", "neg")]):
        ids[name] = g.add_node(op, name, x=100.0 * (k + 1)).id
    g.connect(ids["x"], ids["a"], "x")
    g.connect(ids["a"], ids["b"], "x")
    g.connect(ids["b"], ids["c"], "x")
    return g, ids


def record(g: Graph) -> list[tuple]:
    events: list[tuple] = []
    for name in ("node_added", "node_removed", "node_moved", "node_renamed", "value_changed",
                 "attrs_changed", "edge_added", "edge_removed", "output_changed",
                 "evaluated", "invalidated"):
        getattr(g, name).connect(lambda *args, _n=name: events.append((_n, *args)))
    return events


def test_add_node_fills_defaults_and_generates_unique_names() -> None:
    g = Graph()
    first, second = g.add_node("mul"), g.add_node("mul")
    assert (first.name, second.name) == ("mul1", "mul2")
    assert first.id != second.id and first.ports == ("a", "b")
    s = g.add_node("sum")
    assert s.attrs == {"axis": None}
    x = g.add_node("input", "x")
    assert x.value == 0.0
    assert g.by_name("x") is x and g.node(x.id) is x and len(g) == 4


@pytest.mark.parametrize(("kwargs", "error"), [
    ({"op": "frobnicate"}, UnknownOpError),
    ({"op": "add", "name": "1x"}, InvalidNameError),
    ({"op": "add", "name": "for"}, InvalidNameError),
    ({"op": "add", "name": "np"}, InvalidNameError),
    ({"op": "add", "name": "taken"}, NameTakenError),
    ({"op": "sum", "attrs": {"axes": 1}}, AttrError),
    ({"op": "add", "value": 3.0}, NotALeafError),
])
def test_add_node_refusals_are_typed_and_change_nothing(kwargs, error) -> None:
    g = Graph()
    g.add_node("input", "taken")
    events = record(g)
    with pytest.raises(error) as info:
        g.add_node(**kwargs)
    assert isinstance(info.value, GraphError)
    assert len(g) == 1 and events == []


def test_unknown_op_error_names_the_op() -> None:
    with pytest.raises(UnknownOpError, match="frobnicate"):
        Graph().add_node("frobnicate")


def test_cycle_is_refused_naming_the_cycle() -> None:
    g = Graph()
    x = g.add_node("input", "x")
    s, t, u = g.add_node("add", "s"), g.add_node("exp", "t"), g.add_node("neg", "u")
    g.connect(x.id, s.id, "a")
    g.connect(s.id, t.id, "x")
    g.connect(t.id, u.id, "x")
    refusal = g.can_connect(u.id, s.id, "b")
    assert isinstance(refusal, CycleError)
    assert refusal.path == [u.id, s.id, t.id, u.id]
    reason = str(refusal)
    assert reason == "connecting u → s.b would close the cycle u → s → t → u"
    events = record(g)
    with pytest.raises(CycleError) as info:
        g.connect(u.id, s.id, "b")
    assert info.value.path == [u.id, s.id, t.id, u.id]
    assert str(info.value) == reason
    assert events == [] and g.source_of(s.id, "b") is None
    assert not g.nx_graph.has_edge(u.id, s.id)


def test_self_loop_unknown_port_and_taken_port() -> None:
    g, ids = chain()
    m = g.add_node("mul", "m")
    with pytest.raises(SelfLoopError):
        g.connect(m.id, m.id, "a")
    with pytest.raises(UnknownPortError, match="its ports: a, b"):
        g.connect(ids["x"], m.id, "z")
    g.connect(ids["x"], m.id, "a")
    with pytest.raises(PortTakenError, match="already fed by x"):
        g.connect(ids["a"], m.id, "a")
    with pytest.raises(UnknownNodeError):
        g.connect("nope", m.id, "b")
    assert g.source_of(m.id, "a") == ids["x"]
    assert g.can_connect(ids["a"], m.id, "b") is None
    unknown_port = g.can_connect(ids["a"], m.id, "q")
    assert isinstance(unknown_port, UnknownPortError) and "no input port" in str(unknown_port)
    self_loop = g.can_connect(m.id, m.id, "b")
    assert isinstance(self_loop, SelfLoopError) and "own input" in str(self_loop)


def test_remove_node_removes_its_edges_first_and_announces_each() -> None:
    g, ids = chain()
    events = record(g)
    removed = g.remove_node(ids["b"])
    kinds = [e[0] for e in events]
    assert kinds == ["edge_removed", "edge_removed", "node_removed"]
    assert events[0][1] == Edge(ids["a"], ids["b"], "x")
    assert events[1][1] == Edge(ids["b"], ids["c"], "x")
    assert events[2][1] is removed
    assert not g.has_name("b") and ids["b"] not in g.nx_graph
    assert g.edges == [Edge(ids["x"], ids["a"], "x")]


def test_signals_carry_the_changed_object() -> None:
    g = Graph()
    events = record(g)
    x = g.add_node("input", "x")
    n = g.add_node("neg", "n")
    e = g.connect(x.id, n.id, "x")
    g.move_node(n.id, 5, 6)
    g.rename_node(n.id, "minus")
    g.set_value(x.id, [1, 2])
    g.set_attrs(g.add_node("sum", "s").id, {"axis": 0})
    g.disconnect(n.id, "x")
    g.set_output(n.id)
    assert [ev[0] for ev in events] == [
        "node_added", "node_added", "edge_added", "node_moved", "node_renamed",
        "value_changed", "node_added", "attrs_changed", "edge_removed", "output_changed"]
    assert events[0][1] is x and events[2][1] == e and events[3][1] is n
    assert (n.x, n.y, n.name) == (5.0, 6.0, "minus")
    assert events[7][1].attrs == {"axis": 0}
    assert events[-1][1] == n.id


def test_one_live_networkx_graph_kept_in_step() -> None:
    g, ids = chain()
    live = g.nx_graph
    m = g.add_node("mul", "m")
    g.connect(ids["x"], m.id, "a")
    g.connect(ids["x"], m.id, "b")  # two ports from one source: one nx edge, counted twice
    assert g.nx_graph is live
    assert live[ids["x"]][m.id]["ports"] == 2
    g.disconnect(m.id, "a")
    assert live.has_edge(ids["x"], m.id)
    g.disconnect(m.id, "b")
    assert not live.has_edge(ids["x"], m.id)
    g.remove_node(ids["a"])
    assert g.nx_graph is live
    assert set(live.nodes) == set(g.nodes)
    assert {(e.src, e.dst) for e in g.edges} == set(live.edges)
    assert nx.is_directed_acyclic_graph(live)


def test_order_is_topological_then_left_to_right_then_by_name() -> None:
    g = Graph()
    right = g.add_node("input", "zeta", x=300)
    left = g.add_node("input", "omega", x=-50)
    g.add_node("input", "b", x=100)
    g.add_node("input", "a", x=100)
    total = g.add_node("add", "total", x=-500)  # left of everything, but needs its inputs
    g.connect(right.id, total.id, "a")
    g.connect(left.id, total.id, "b")
    assert g.names(g.order()) == ["omega", "a", "b", "zeta", "total"]
    g.move_node(right.id, -100, 0)
    # total is ready once zeta and omega are done, and it lies leftmost of what is ready
    assert g.names(g.order()) == ["zeta", "omega", "total", "a", "b"]
    assert g.order() == g.order()


def test_default_output_is_the_last_sink_unless_set() -> None:
    g, ids = chain()
    assert g.output == ids["c"]
    g.set_output(ids["a"])
    assert g.output == ids["a"] and g.explicit_output == ids["a"]
    g.remove_node(ids["a"])
    assert g.explicit_output is None and g.output == ids["c"]
    assert Graph().output is None


def test_rename_and_value_refusals() -> None:
    g, ids = chain()
    with pytest.raises(NameTakenError):
        g.rename_node(ids["a"], "b")
    g.rename_node(ids["a"], "a")  # its own name is fine
    with pytest.raises(NotALeafError, match="its value is computed"):
        g.set_value(ids["a"], 1.0)
    with pytest.raises(NotTrainableError, match="only input nodes can be trainable"):
        g.set_trainable(ids["a"], True)
    with pytest.raises(UnknownPortError, match="not connected"):
        g.disconnect(ids["x"], "x")


def test_run_by_names_with_feeds_and_output() -> None:
    g = Graph()
    w = g.add_node("input", "w", value=2.0)
    x = g.add_node("input", "x", value=3.0)
    y = g.add_node("mul", "y")
    g.connect(w.id, y.id, "a")
    g.connect(x.id, y.id, "b")
    result = g.run({"x": -1})
    assert result.output == "y" and result.values["y"] == -2.0
    assert result.grads == {"w": -1.0, "x": 2.0, "y": 1.0}
    assert g.by_name("x").value == 3.0  # feeds are for one run only
    assert g.run(output="w").grads["x"] == 0.0  # cannot reach the output: zero, not missing
    with pytest.raises(NotALeafError, match="only inputs can be set"):
        g.run({"y": 1.0})
    with pytest.raises(UnknownNodeError):
        g.run(output="nope")


def test_edits_invalidate_the_last_result_but_moves_do_not() -> None:
    g, ids = chain()
    events = record(g)
    g.run()
    assert g.last_result is not None and events[-1][0] == "evaluated"
    g.move_node(ids["a"], 10, 10)
    assert g.last_result is not None
    g.set_value(ids["x"], 2.0)
    assert g.last_result is None
    assert [e[0] for e in events[-2:]] == ["value_changed", "invalidated"]
    for edit in (lambda: g.set_attrs(g.add_node("sum").id, {"axis": 0}),
                 lambda: g.disconnect(ids["c"], "x"), lambda: g.rename_node(ids["c"], "cc")):
        g.run()
        edit()
        assert g.last_result is None


# --- the bulk path: Graph.from_parts ------------------------------------------------------
def varied_graph() -> Graph:
    """Built one by one: leaves with scalar and tensor values, attrs, a pair feeding two ports
    of one node, an open port, an output; positions that make ties in the order."""
    g = Graph()
    w = g.add_node("input", "w", 0, 0, value=[[1.0, 2.0]], trainable=True)
    k = g.add_node("const", "k", 0, 100, value=0.5)
    sq = g.add_node("mul", "sq", 200, 0)
    p = g.add_node("powc", "p", 200, 100, attrs={"exponent": 3})
    s = g.add_node("sum", "s", 400, 0, attrs={"axis": 1})
    g.add_node("add", "open", 400, 100)
    for src, dst, port in [(w, sq, "b"), (w, sq, "a"), (k, p, "x"), (sq, s, "x")]:
        g.connect(src.id, dst.id, port)
    g.set_output(s.id)
    return g


def parts_of(g: Graph) -> tuple[list[dict], list[dict]]:
    data = files.graph_to_data(g)
    return data["nodes"], data["edges"]


def test_from_parts_builds_the_graph_the_one_by_one_path_builds() -> None:
    one_by_one = varied_graph()
    nodes, edges = parts_of(one_by_one)
    bulk = Graph.from_parts(nodes, edges)
    bulk.set_output(one_by_one.output)
    assert files.dumps(bulk) == files.dumps(one_by_one)
    assert bulk.order() == one_by_one.order()
    assert sorted(bulk.nx_graph.edges(data="ports")) == \
        sorted(one_by_one.nx_graph.edges(data="ports"))  # w feeds both ports of sq: ports=2
    assert bulk.nx_graph.nodes == one_by_one.nx_graph.nodes
    assert {n: dict(p) for n, p in bulk.nx_graph.pred.items()} == \
        {n: dict(p) for n, p in one_by_one.nx_graph.pred.items()}  # both ends of each edge
    same = Graph.from_parts(nodes, one_by_one.edges)  # Edge objects work as well as mappings
    assert sorted(same.edges, key=str) == sorted(one_by_one.edges, key=str)


def test_a_bulk_built_graph_edits_like_any_other() -> None:
    g = Graph.from_parts(*parts_of(varied_graph()))
    events = record(g)
    fresh = g.add_node("neg")  # ids and names continue past the loaded ones
    assert fresh.id not in {"n1", "n2", "n3", "n4", "n5", "n6"} and fresh.name == "neg1"
    with pytest.raises(CycleError):  # the live networkx graph knows the loaded edges
        g.connect(g.by_name("s").id, g.by_name("sq").id, "a")
    g.connect(g.by_name("s").id, fresh.id, "x")
    assert [e[0] for e in events] == ["node_added", "edge_added"]
    assert g.run().values["s"].tolist() == [5.0]  # 1² + 2² along axis 1


def test_from_parts_refuses_a_cycle_naming_it_from_its_first_listed_node() -> None:
    nodes = [{"id": i, "op": "neg", "name": name} for i, name in
             [("a", "first"), ("b", "second"), ("c", "third"), ("d", "outside")]]
    edges = [{"from": "c", "to": "a", "port": "x"}, {"from": "b", "to": "c", "port": "x"},
             {"from": "a", "to": "b", "port": "x"}, {"from": "c", "to": "d", "port": "x"}]
    with pytest.raises(CycleError) as info:
        Graph.from_parts(nodes, edges)
    assert str(info.value) == "the edges form a cycle: first → second → third → first"
    assert info.value.path == ["a", "b", "c"]
    assert info.value.where == "/edges/0"  # c → a closes it


@pytest.mark.parametrize(("node_part", "edge", "error", "words", "where"), [
    ({}, {"from": "x", "to": "m", "port": "a"}, PortTakenError,
     "two edges go into input port 'a' of m (edges 0 and 1)", "/edges/1"),
    ({}, {"from": "m", "to": "m", "port": "b"}, SelfLoopError, "own input", "/edges/1"),
    ({}, {"from": "x", "to": "m", "port": "z"}, UnknownPortError, "no input port 'z'",
     "/edges/1"),
    ({}, {"from": "x", "to": "gone", "port": "b"}, UnknownNodeError, "edge to 'gone'",
     "/edges/1/to"),
    ({"id": "x", "op": "neg"}, None, InvalidNameError, "two nodes have the id 'x'",
     "/nodes/2/id"),
    ({"id": "q", "op": "mull"}, None, UnknownOpError, "did you mean 'mul'?", "/nodes/2/op"),
    ({"id": "q", "op": "neg", "name": "m"}, None, NameTakenError, "already named 'm'",
     "/nodes/2/name"),
    ({"id": "q", "op": "neg", "trainable": True}, None, NotTrainableError,
     "only input nodes can be trainable", "/nodes/2/trainable"),
    ({"id": "q", "op": "sum", "attrs": {"axes": 1}}, None, AttrError, "no attribute",
     "/nodes/2/attrs"),
    ({"id": "q", "op": "const", "value": [[1], [2, 3]]}, None, GraphError, "same length",
     "/nodes/2/value"),
])
def test_from_parts_refusals_are_typed_and_say_which_part(node_part, edge, error, words,
                                                         where) -> None:
    nodes = [{"id": "x", "op": "input", "name": "x"}, {"id": "m", "op": "mul", "name": "m"}]
    edges = [{"from": "x", "to": "m", "port": "a"}]
    with pytest.raises(error, match=words.replace("(", r"\(").replace(")", r"\)")) as info:
        Graph.from_parts(nodes + ([node_part] if node_part else []),
                         edges + ([edge] if edge else []))
    assert info.value.where == where


@pytest.mark.parametrize("name", ["seed", "xor", "matrix", "softmax"])
def test_copy_is_what_saving_and_opening_gives_and_shares_nothing(name: str) -> None:
    from cgeditor.model.examples import load_example

    graph = load_example(name)
    graph.set_output(graph.order()[-2])  # an output set by hand comes along too
    graph.meta["notes"] = {"kept": [1, 2]}
    copy = graph.copy()
    assert files.dumps(copy) == files.dumps(graph) == files.dumps(files.loads(files.dumps(graph)))
    leaf = next(n for n in copy.nodes.values() if n.is_input)
    before = files.dumps(graph)
    copy.set_value(leaf.id, leaf.value * 0 + 7.0)
    copy.meta["notes"]["kept"].append(3)
    copy.remove_node(copy.order()[-1])
    assert files.dumps(graph) == before
