"""The column checks of Graph.add_parts (graph_adding.py) accept only what the part-by-part
walk accepts and build exactly what it builds: the same Nodes (ids, names, places, attrs,
values), the same refusals with the same messages, the same ids drawn. Each case runs twice,
on twin graphs: as it is, and with the column checks switched off (the walk alone)."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any
from unittest import mock

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from cgeditor.model import graph_adding
from cgeditor.model.graph import Graph
from tests.graphs import seed_graph
from tests.model.test_graph_parts import new_parts, refusals, state


@contextmanager
def walk_only():
    """add_parts with the column checks switched off: every part checked one by one."""
    with mock.patch.multiple(graph_adding, quick_nodes=lambda *_a: None,
                             edges_pass=lambda *_a: False, acyclic_by_order=lambda *_a: False):
        yield


def outcome(graph: Graph, nodes: list[Any], edges: list[Any]) -> tuple:
    """What add_parts does with the parts: the graph's whole state after it, or the refusal
    (its type, message, and the cycle's path); and the ids drawn either way."""
    try:
        graph.add_parts(nodes, edges)
    except Exception as exc:  # the kind matters, not only GraphErrors: both must agree
        result: tuple = (type(exc), str(exc), getattr(exc, "path", None))
    else:
        result = state(graph)
    return result, graph._id_counter


def both(nodes: list[Any], edges: list[Any], graph: Any = seed_graph) -> tuple[tuple, tuple]:
    fast = outcome(graph(), nodes, edges)
    with walk_only():
        slow = outcome(graph(), nodes, edges)
    return fast, slow


def duplicate_like(count: int) -> tuple[list[dict[str, Any]], list[tuple[str, str, str]]]:
    """A chain of ``count`` new nodes fed by the seed's w, every field given, listed in the
    wires' order: the column checks' case."""
    nodes = [dict(op="input", name="p0", x=0.0, y=5.0, attrs={}, value=2.5, trainable=True,
                  node_id="q0")]
    nodes += [dict(op="sum" if k % 3 == 0 else "neg", name=f"p{k}", x=10.0 * k, y=-0.0,
                   attrs={"axis": 0} if k % 3 == 0 else {}, value=None, trainable=False,
                   node_id=f"q{k}") for k in range(1, count)]
    edges = [(f"q{k - 1}", f"q{k}", "x") for k in range(1, count)]
    return nodes, [("n1", "q1", "x"), *edges[1:]]


def test_the_column_checks_take_a_well_ordered_set_and_build_what_the_walk_builds() -> None:
    nodes, edges = duplicate_like(30)
    graph = seed_graph()
    quick = graph_adding.quick_nodes(graph, nodes)
    assert quick is not None and len(quick) == 30  # the fast path ran: nothing fell back
    by_id = {node.id: node for node in quick}
    assert graph_adding.edges_pass(graph, by_id, edges)
    assert graph_adding.acyclic_by_order(by_id, edges)
    fast, slow = both(nodes, edges)
    assert fast == slow and isinstance(fast[0][0], list)


def test_wires_running_back_in_the_list_fall_back_to_the_search_and_agree() -> None:
    nodes, edges = duplicate_like(12)
    backwards = list(reversed(nodes))  # every wire now runs from a later to an earlier part
    by_id = {node.id: node for node in graph_adding.quick_nodes(seed_graph(), backwards)}
    assert not graph_adding.acyclic_by_order(by_id, edges)
    fast, slow = both(backwards, edges)
    assert fast == slow and isinstance(fast[0][0], list)  # acyclic: added


def test_a_cycle_is_refused_alike_wherever_it_runs() -> None:
    nodes, edges = duplicate_like(6)
    closing = [*edges[:2], ("q5", "q3", "x"), *edges[3:]]  # q3 → q4 → q5 → q3
    fast, slow = both(nodes, closing)
    assert fast == slow
    assert fast[0][0].__name__ == "CycleError" and "q" not in fast[0][1]  # named by names
    assert "p3 → p4 → p5 → p3" in fast[0][1]


def test_every_refusal_of_the_walk_is_the_column_checks_refusal() -> None:
    for case in range(len(refusals(seed_graph()))):
        graph = seed_graph()
        _error, _words, nodes, edges = refusals(graph)[case]
        twin = seed_graph()
        refusals(twin)  # the same disconnected port as graph's
        fast = outcome(graph, nodes, edges)
        with walk_only():
            slow = outcome(twin, nodes, edges)
        assert fast == slow and isinstance(fast[0][0], type), case


def test_the_seed_parts_with_defaults_left_out_agree() -> None:
    graph, twin = seed_graph(), seed_graph()
    nodes, edges = new_parts(graph)
    new_parts(twin)
    fast = outcome(graph, nodes, edges)
    with walk_only():
        slow = outcome(twin, nodes, edges)
    assert fast == slow and isinstance(fast[0][0], list)


# Parts with every kind of flaw the walk refuses, and some it takes that the columns doubt.
NAMES = st.sampled_from(["a", "b", "w", "p1", "2x", "lambda", "np", "naïve", "ℌ", "é", "",
                         None, 5, "a" * 129, "match"])
RECORD = st.fixed_dictionaries(
    {"op": st.sampled_from(["input", "const", "neg", "add", "sum", "rm_rf"])},
    optional={"name": NAMES,
              "node_id": st.sampled_from(["q1", "q2", "q3", "q4", "n3", "", None, 7]),
              "value": st.sampled_from([None, 1.0, -0.0, [[1.0, 2.0]], "one", float("inf"),
                                        True]),
              "attrs": st.sampled_from([None, {}, {"axis": 1}, {"axis": "sideways"},
                                        {"bogus": 1}]),
              "x": st.sampled_from([0.0, 2.5, "3", None, float("nan")]),
              "trainable": st.booleans()})
ENDS = st.sampled_from(["q1", "q2", "q3", "q4", "n1", "n10", "nowhere"])
EDGE = st.tuples(ENDS, ENDS, st.sampled_from(["a", "b", "x", "z"]))
NEW = ["q1", "q2", "q3", "q4", "q5"]
# among five new adds and muls, from w (n1), into J (n10: taken) and with a bad port (x)
WIRE = st.tuples(st.sampled_from([*NEW, "n1"]), st.sampled_from([*NEW, "n10"]),
                 st.sampled_from(["a", "b", "a", "b", "x"]))
# each port of the new nodes fed once at most: what is left to refuse is a self-loop or cycle
WIRING = st.lists(st.tuples(st.sampled_from([*NEW, "n1"]), st.sampled_from(NEW),
                            st.sampled_from(["a", "b"])), max_size=8,
                  unique_by=lambda edge: edge[1:])


# what no caller should hand over, refused (or crashed on) alike all the same
ODD_RECORD = st.sampled_from([None, ["op", "add"], "add", {"op": ["add"]}])
ODD_EDGE = st.sampled_from([("q1", "q2"), ("q1", "q2", ["x"]), (["q1"], "q2", "x"), None])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(RECORD, RECORD, RECORD, ODD_RECORD), max_size=5),
       st.lists(st.one_of(EDGE, EDGE, EDGE, ODD_EDGE), max_size=6))
def test_any_parts_are_added_or_refused_alike(nodes: list[dict[str, Any]],
                                              edges: list[tuple[str, str, str]]) -> None:
    fast, slow = both(nodes, edges)
    assert fast == slow


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["add", "mul"]), min_size=5, max_size=5),
       st.one_of(WIRING, st.lists(WIRE, max_size=6)))
def test_any_wiring_of_good_nodes_is_added_or_refused_alike(
        ops: list[str], edges: list[tuple[str, str, str]]) -> None:
    nodes = [dict(op=op, name=f"p{k}", node_id=f"q{k}") for k, op in enumerate(ops, 1)]
    fast, slow = both(nodes, edges)
    assert fast == slow


def test_values_are_parsed_alike() -> None:
    arr = np.arange(6.0).reshape(2, 3)
    nodes = [dict(op="input", name=f"v{k}", value=value, node_id=f"q{k}")
             for k, value in enumerate([arr, np.float64(3.0), 4, [1, 2], None])]
    fast, slow = both(nodes, [], Graph)
    assert fast == slow and isinstance(fast[0][0], list)


def test_new_ids_are_those_new_id_gives_one_by_one() -> None:
    bulk, single = Graph(), Graph()
    for graph in (bulk, single):  # ids a file gave, in the way of the numbering
        graph.add_parts([dict(op="neg", name=f"t{k}", node_id=f"n{k}") for k in (2, 3, 6)])
    assert bulk.new_ids(5) == [single.new_id() for _ in range(5)] == \
        ["n1", "n4", "n5", "n7", "n8"]
    assert bulk.new_id() == single.new_id() == "n9"
