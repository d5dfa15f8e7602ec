"""Graph: mutators, typed refusals that change nothing, signals, the live networkx graph and
the deterministic execution order."""

from __future__ import annotations

import networkx as nx
import pytest

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
    ({"op": "add", "value": 3.0}, UnknownPortError),
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
    reason = g.can_connect(u.id, s.id, "b")
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
    assert "no input port" in g.can_connect(ids["a"], m.id, "q")
    assert "own input" in g.can_connect(m.id, m.id, "b")


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
    with pytest.raises(UnknownPortError):
        g.set_value(ids["a"], 1.0)
    with pytest.raises(UnknownPortError):
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
    with pytest.raises(UnknownNodeError):
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
