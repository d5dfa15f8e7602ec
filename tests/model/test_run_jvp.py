"""Graph.run(jvp=...): forward mode through the model, its tangents by name beside values and
gradients, its refusals (typed, before anything is announced), and renames."""

from __future__ import annotations

import numpy as np
import pytest

from cgeditor.model.errors import GraphError, NotALeafError, UnknownNodeError
from cgeditor.model.graph import Graph
from tests.graphs import seed_graph


def test_seeding_w_gives_each_nodes_derivative_in_w_beside_the_gradients() -> None:
    graph = seed_graph()
    result = graph.run(jvp="w")
    assert {n: result.tangents[n] for n in ("c", "a", "d", "J")} == {
        "c": -2.0, "a": -2.0, "d": -2.0, "J": -4.0}
    assert result.tangents["J"] == result.grads["w"]  # one number, two ways
    assert result.tangents["x"] == 0.0 and result.jvp_seeds == {"w": 1.0}
    assert result.tangent_issues == {} and result.ok


def test_every_inputs_tangent_of_J_is_its_gradient() -> None:
    graph = seed_graph()
    grads = graph.run().grads
    for name in ("w", "x", "b", "y", "half"):
        assert graph.run(jvp=name).tangents["J"] == grads[name], name


def test_a_direction_over_several_inputs() -> None:
    result = seed_graph().run(jvp={"w": 1.0, "b": 3.0})
    assert result.tangents["J"] == -4.0 + 3 * 2.0
    assert result.jvp_seeds == {"w": 1.0, "b": 3.0}


def test_a_run_without_jvp_has_no_tangents() -> None:
    result = seed_graph().run()
    assert result.tangents == {} and result.jvp_seeds == {} and result.tangent_issues == {}


@pytest.mark.parametrize(("seeds", "error", "message"), [
    ("nope", UnknownNodeError, "no node named 'nope'"),
    ("c", NotALeafError, "cannot seed c: it is computed by mul"),
    ({"w": "two"}, GraphError, "a forward-mode seed: 'two' is not a number"),
    ({"w": [1.0, 2.0]}, GraphError, r"seed of w has shape \(2,\), but w is a scalar"),
    ({"w": float("inf")}, GraphError, "not a finite number"),
])
def test_a_bad_seed_is_refused_and_changes_nothing(seeds, error, message: str) -> None:
    graph = seed_graph()
    before = graph.run()
    heard = []
    graph.evaluated.connect(heard.append)
    with pytest.raises(error, match=message):
        graph.run(jvp=seeds)
    assert graph.last_result is before and heard == []


def test_tensor_tangents_have_their_nodes_shapes() -> None:
    graph = Graph()
    w = graph.add_node("input", "W", value=[[1.0, 2.0], [3.0, 4.0]])
    x = graph.add_node("input", "x", value=[1.0, -1.0])
    h = graph.add_node("matmul", "h", x=100)
    s = graph.add_node("sum", "L", x=200)
    graph.connect(w.id, h.id, "a")
    graph.connect(x.id, h.id, "b")
    graph.connect(h.id, s.id, "x")
    result = graph.run(jvp={"W": [[1.0, 0.0], [0.0, 0.0]]})
    np.testing.assert_array_equal(result.tangents["h"], [1.0, 0.0])
    assert result.tangents["x"].shape == (2,) and not result.tangents["x"].any()
    assert result.tangents["L"] == result.grads["W"][0, 0]


def test_non_finite_tangents_are_reported_by_name() -> None:
    graph = Graph()
    x = graph.add_node("input", "x", value=0.0)
    r = graph.add_node("sqrt", "r", x=100)
    graph.connect(x.id, r.id, "x")
    result = graph.run(jvp="x")
    assert np.isinf(result.tangents["r"])
    issue = result.tangent_issues["r"]
    assert issue.kind == "nonfinite_tangent" and issue.origin
    assert "r" not in result.issues  # the value sqrt(0) = 0 is fine


def test_a_renamed_run_keeps_its_tangents_under_the_new_names() -> None:
    graph = seed_graph()
    result = graph.run(jvp="w")
    names = {node.id: node.name for node in graph.nodes.values()}
    names[graph.by_name("w").id] = "weight"
    names[graph.by_name("c").id] = "prod"
    renamed = result.renamed(names)
    assert renamed.tangents["prod"] == -2.0 and "c" not in renamed.tangents
    assert renamed.jvp_seeds == {"weight": 1.0}
