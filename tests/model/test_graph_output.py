"""The implicit output (the last node of the execution order) found without sorting the
graph: it must be the node the full topological sort lists last, whatever the wiring and
places, and stay so through edits that change the order's ties."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from cgeditor.model.graph import Graph
from cgeditor.model.graph_algorithms import adjacency, last_in_order, place_key


@st.composite
def dags(draw: st.DrawFn) -> Graph:
    """A random acyclic graph: inputs then add nodes fed by earlier nodes, on few columns (so
    ties in x are common) and short names (so ties break by name, then by id)."""
    count = draw(st.integers(1, 14))
    graph = Graph()
    ids: list[str] = []
    for k in range(count):
        x = float(draw(st.integers(-2, 2)) * 100)
        if k < 2 or draw(st.booleans()):
            node = graph.add_node("input", f"v{k}", x=x)
        else:
            node = graph.add_node("add", f"{draw(st.sampled_from('abc'))}{k}", x=x)
            graph.connect(draw(st.sampled_from(ids)), node.id, "a")
            graph.connect(draw(st.sampled_from(ids)), node.id, "b")
        ids.append(node.id)
    return graph


@given(dags())
def test_the_output_is_the_last_node_of_the_sorted_order(graph: Graph) -> None:
    found = graph.output  # asked first: found without the order
    order = graph.order()
    assert found == order[-1]
    assert not graph.nx_graph.out_degree(found)  # a sink
    assert last_in_order(adjacency(graph.nx_graph)[0], place_key(graph.nodes)) == order[-1]


@given(dags(), st.data())
def test_the_output_follows_moves_and_renames(graph: Graph, data: st.DataObject) -> None:
    ids = list(graph.nodes)
    assert graph.output is not None  # found, and kept until an edit
    node_id = data.draw(st.sampled_from(ids))
    graph.move_node(node_id, float(data.draw(st.integers(-3, 3)) * 100), 0.0)
    assert graph.output == graph.order()[-1]
    other = data.draw(st.sampled_from(ids))
    graph.rename_node(other, "zz")
    assert graph.output == graph.order()[-1]


def test_a_chain_drawn_right_to_left_still_names_its_end() -> None:
    """Each node's largest descendant is the next one: the search gives up past its budget
    and the output comes from the sort, the same node."""
    graph = Graph()
    prev = graph.add_node("input", "x", x=10_000.0)
    for k in range(300):
        node = graph.add_node("neg", f"n{k}", x=10_000.0 - 10 * (k + 1))
        graph.connect(prev.id, node.id, "x")
        prev = node
    assert last_in_order(adjacency(graph.nx_graph)[0], place_key(graph.nodes)) is None
    assert graph.output == prev.id == graph.order()[-1]


def test_parts_added_beside_the_graph_make_their_last_node_the_output() -> None:
    graph = Graph()
    a = graph.add_node("input", "a", x=0.0)
    b = graph.add_node("neg", "b", x=200.0)
    graph.connect(a.id, b.id, "x")
    assert graph.output == b.id
    new = graph.add_parts([dict(op="input", name="a2", x=40.0, y=300.0),
                           dict(op="neg", name="b2", x=240.0, y=300.0)])
    assert graph.output == new[1].id == graph.order()[-1]
    graph.remove_parts([new[1].id])  # a2 is now ready before b, which lies right of it
    assert graph.output == b.id == graph.order()[-1]
