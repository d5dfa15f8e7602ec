"""The gradient graph: run forward, its dJ_d… nodes hold the engine's backward gradients, for
every op of the registry on scalars, vectors, matrices and broadcast shapes and on random
graphs; a vjp no registry op spells (for the shapes given) is refused by name; and its own
backward pass (or its own gradient graph) gives second derivatives. The ops whose vjp branches
on the values are checked at their kinks in test_gradient_graph_kinks."""

from __future__ import annotations

import ast
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from cgeditor.core.ops import REGISTRY
from cgeditor.core.shapes import ShapeError
from cgeditor.model import files
from cgeditor.model.adjoint_rules import _helper_tree
from cgeditor.model.errors import GradientGraphError
from cgeditor.model.formula import from_formula
from cgeditor.model.gradient_graph import gradient_graph, gradient_graph_named
from cgeditor.model.graph import Graph
from cgeditor.model.layout import nominal_sizes
from cgeditor.paths import examples_dir
from tests.core.test_compiled_random import OPS, random_plan
from tests.graphs import chain, seed_graph
from tests.model.test_moves_keep_bits_random import built

SHAPES = ([()], [(3,)], [(2, 3)], [(2, 3), (1, 3)], [(2, 1), (2, 3)], [(), (2, 3)],
          [(3,), (2, 3)], [(2, 3), (3, 4)], [(3,), (3, 4)], [(2, 3), (3,)], [(3,), (3,)],
          [(1, 1), (2, 3)])
ATTRS: dict[str, list[dict[str, Any]]] = {
    "powc": [{"exponent": e} for e in (2.0, 3.0, 0.5, -1.0, 0.0)],
    "sum": [{"axis": a} for a in (None, 0, -1)], "mean": [{"axis": a} for a in (None, 0, 1)],
    "softmax": [{"axis": a} for a in (0, -1)], "log_softmax": [{"axis": a} for a in (0, 1)],
}


def _cases() -> list[tuple[str, tuple, dict]]:
    cases = []
    for name, spec in REGISTRY.items():
        for family in [] if spec.is_leaf else SHAPES:
            shapes = tuple((family * 2)[:len(spec.inputs)])
            for attrs in ATTRS.get(name, [{}]):
                try:
                    spec.shape(*shapes, **attrs)
                except (ShapeError, ValueError):
                    continue
                cases.append((name, shapes, attrs))
    return cases


def one_op(op: str, shapes: tuple, attrs: dict, seed: int = 0) -> Graph:
    """J = Σ(op(inputs) · weights) with inputs in (0.5, 2) (every op's domain), so the
    gradient reaching op is not all ones."""
    rng = np.random.default_rng(seed)
    g = Graph()
    ports = REGISTRY[op].inputs
    ins = [g.add_node("input", p, value=rng.uniform(0.5, 2.0, size=s)) for p, s in
           zip(ports, shapes, strict=True)]
    node = g.add_node(op, "f", attrs=attrs)
    for port, src in zip(ports, ins, strict=True):
        g.connect(src.id, node.id, port)
    weights = g.add_node("const", "wt", value=rng.uniform(-2, 2, np.shape(g.run().values["f"])))
    prod = g.add_node("mul", "p")
    g.connect(node.id, prod.id, "a")
    g.connect(weights.id, prod.id, "b")
    total = g.add_node("sum", "J")
    g.connect(prod.id, total.id, "x")
    return g


def assert_gradients_match(graph: Graph) -> Graph:
    """The gradient graph's dJ_dv equals the engine's ∂J/∂v (1e-12) for every input v the
    output reads; returns the gradient graph."""
    engine = graph.run()
    out = engine.output
    grad_graph = gradient_graph(graph)
    values = grad_graph.run().values
    checked = 0
    for node in graph.nodes.values():
        grad = engine.grads[node.name]
        if node.is_input and grad is not None:
            got = values[f"d{out}_d{node.name}"]
            assert np.shape(got) == np.shape(grad)
            np.testing.assert_allclose(got, grad, rtol=1e-12, atol=1e-300)
            checked += 1
    assert checked  # every graph here has an input the output reads
    return grad_graph


@pytest.mark.parametrize(("op", "shapes", "attrs"), _cases(),
                         ids=lambda v: str(v).replace(" ", ""))
def test_every_op_gives_the_engines_gradients(op: str, shapes: tuple, attrs: dict) -> None:
    assert_gradients_match(one_op(op, shapes, attrs))


def test_a_vjp_no_registry_op_spells_is_refused_by_name_and_changes_nothing() -> None:
    """A vector times a 4-d stack of matrices: its vjp needs an axis put inside the stack."""
    graph = from_formula("J = sum(x @ A)", x=[1.0, 2.0, 3.0], A=np.ones((2, 1, 3, 2)))
    before = files.dumps(graph)
    with pytest.raises(GradientGraphError, match=r"no gradient graph: matmul1 is a matmul "
                                                 r"node, and its vjp for a spreads a gradient "
                                                 r"along inner axes \[2\] of a 4-d value"):
        gradient_graph(graph)
    assert files.dumps(graph) == before


def test_the_seed_example_gives_the_lessons_gradients() -> None:
    grad_graph = gradient_graph(seed_graph())
    values = grad_graph.run().values
    assert (values["dJ_dw"], values["dJ_dx"], values["dJ_db"], values["dJ_dy"]) == (
        -4.0, 4.0, 2.0, -2.0)
    assert (values["dJ_dd"], values["dJ_da"], values["dJ_dc"]) == (2.0, 2.0, 2.0)
    assert values["J"] == 2.0 and grad_graph.nodes[grad_graph.output].name == "J"
    # the forward part is the same graph; every adjoint node sits below it
    forward = seed_graph()
    bottom = max(n.y for n in forward.nodes.values())
    for node in grad_graph.nodes.values():
        if node.id in forward.nodes:
            assert (node.name, node.x, node.y) == (forward.nodes[node.id].name,
                                                   forward.nodes[node.id].x,
                                                   forward.nodes[node.id].y)
        else:
            assert node.y > bottom


def test_fan_out_is_summed_with_add_nodes() -> None:
    graph, _ = chain(("exp", "e"), start=0.3)
    x = graph.by_name("x")
    m = graph.add_node("mul", "m")
    graph.connect(x.id, m.id, "a")
    graph.connect(graph.by_name("e").id, m.id, "b")
    grad_graph = assert_gradients_match(graph)
    total = grad_graph.by_name("dm_dx")
    assert total.op == "add"  # x reaches m directly and through e


def test_the_gradient_graph_saves_and_opens_with_the_same_values() -> None:
    grad_graph = gradient_graph(seed_graph())
    opened = files.loads(files.dumps(grad_graph))
    assert opened.run().values == grad_graph.run().values
    assert files.dumps(opened) == files.dumps(grad_graph)


def test_an_output_that_is_not_one_number_is_refused() -> None:
    graph, _ = chain(("exp", "e"))
    graph.set_value(graph.by_name("x").id, [1.0, 2.0])
    with pytest.raises(GradientGraphError, match="no gradient graph"):
        gradient_graph(graph)


@settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))
@given(seed=st.integers(0, 2**32 - 1))
def test_random_graphs_give_the_engines_gradients(seed: int) -> None:
    plan = random_plan(seed, 8, False, OPS)
    graph, _ = built(plan, np.random.default_rng(seed))
    result = graph.run()
    assume(result.ok and any(result.grads[n.name] is not None
                             for n in graph.nodes.values() if n.is_input))
    assert_gradients_match(graph)


def second_derivative(graph: Graph, wrt: str, h: float = 1e-5) -> float:
    """Central differences of the engine's ∂J/∂wrt."""
    node = graph.by_name(wrt)
    x0 = float(node.value)
    grads = []
    for x in (x0 + h, x0 - h):
        graph.set_value(node.id, x)
        grads.append(graph.run().grads[wrt])
    graph.set_value(node.id, x0)
    return (grads[0] - grads[1]) / (2 * h)


@pytest.mark.parametrize("x0", [0.3, -1.2])
def test_backward_through_the_gradient_graph_gives_second_derivatives(x0: float) -> None:
    graph, _ = chain(("tanh", "t1"), ("sin", "s"), ("tanh", "t2"), start=x0)
    grad_graph = gradient_graph(graph)
    grad_graph.set_output(grad_graph.by_name("dt2_dx").id)
    second = grad_graph.run().grads["x"]
    assert second == pytest.approx(second_derivative(graph, "x"), rel=1e-6)
    # the gradient graph of the gradient graph names it ddt2_dx_dx, with the same value
    again = gradient_graph(grad_graph).run().values["ddt2_dx_dx"]
    assert again == pytest.approx(second, rel=1e-12)


def test_x_cubed_has_second_derivative_6x() -> None:
    graph, _ = chain(("powc", "J"), start=1.7)
    graph.set_attrs(graph.by_name("J").id, {"exponent": 3.0})
    grad_graph = gradient_graph(graph)
    assert grad_graph.run().values["dJ_dx"] == pytest.approx(3 * 1.7 ** 2, rel=1e-15)
    second = gradient_graph(grad_graph, "dJ_dx").run().values["ddJ_dx_dx"]
    assert second == pytest.approx(6 * 1.7, rel=1e-15)
    third = gradient_graph(gradient_graph(grad_graph, "dJ_dx"), "ddJ_dx_dx")
    assert third.run().values["dddJ_dx_dx_dx"] == pytest.approx(6.0, rel=1e-15)


def test_the_seeds_mixed_second_derivatives() -> None:
    """J = ½(wx + b − y)²: ∂²J/∂w² = x², ∂²J/∂w∂x = wx + d (d = wx + b − y)."""
    grad_graph = gradient_graph(seed_graph())
    grads = gradient_graph(grad_graph, "dJ_dw").run().values
    assert grads["ddJ_dw_dw"] == 4.0  # x² at x = −2
    assert grads["ddJ_dw_dx"] == 2.0 * -2.0 + 2.0


@pytest.mark.parametrize("path", sorted(examples_dir().glob("*.cgraph")), ids=lambda p: p.stem)
def test_every_bundled_example_gives_the_engines_gradients(path) -> None:
    assert_gradients_match(files.load(path))


# a column mirrored to the right of a wider one (dJ_dmatrix_transpose1 beside dJ_dJ and k1)
WIDE_ADJOINT = "h = relu(step(x) + sign(x)); J = sum(matrix_transpose(h))"


@pytest.mark.parametrize("name", ["seed", "xor", "logistic_regression", "neuron", "wide"])
def test_the_backward_part_sits_below_the_forward_part_with_no_overlaps(name: str) -> None:
    graph = (from_formula(WIDE_ADJOINT, x=[[1, -2], [0, 3]]) if name == "wide"
             else files.load(examples_dir() / f"{name}.cgraph"))
    grad_graph = gradient_graph(graph)
    sizes = nominal_sizes(grad_graph)
    boxes = {n: (node.x, node.y, node.x + sizes[n][0], node.y + sizes[n][1])
             for n, node in grad_graph.nodes.items()}
    forward_bottom = max(boxes[n][3] for n in graph.nodes)
    added = [n for n in grad_graph.nodes if n not in graph.nodes]
    assert min(boxes[n][1] for n in added) > forward_bottom
    assert min(boxes[n][0] for n in added) == min(boxes[n][0] for n in graph.nodes)
    for k, a in enumerate(added):
        for b in added[k + 1:]:
            (ax0, ay0, ax1, ay1), (bx0, by0, bx1, by1) = boxes[a], boxes[b]
            assert ax1 <= bx0 or bx1 <= ax0 or ay1 <= by0 or by1 <= ay0, (a, b)
    inputs = [n for n in graph.nodes if graph.nodes[n].is_input]
    x_of = {grad_graph.nodes[n].name: grad_graph.nodes[n].x for n in added}
    out = graph.nodes[graph.output].name
    assert max(x_of[f"d{out}_d{graph.nodes[n].name}"] for n in inputs) < x_of[f"d{out}_d{out}"]


def test_a_hessian_vector_product_on_tensors_matches_central_differences() -> None:
    """J = Σ tanh(W @ x): backward through the gradient graph from Σ(dJ_dW · V) gives
    H·V, the change of ∂J/∂W along V."""
    rng = np.random.default_rng(7)
    graph = from_formula("J = sum(tanh(W @ x))", W=rng.normal(size=(2, 3)),
                         x=rng.normal(size=3))
    grad_graph = gradient_graph(graph)
    direction = rng.normal(size=(2, 3))
    v = grad_graph.add_node("const", "V", value=direction)
    dot = grad_graph.add_node("mul", "gv")
    grad_graph.connect(grad_graph.by_name("dJ_dW").id, dot.id, "a")
    grad_graph.connect(v.id, dot.id, "b")
    total = grad_graph.add_node("sum", "gV")
    grad_graph.connect(dot.id, total.id, "x")
    grad_graph.set_output(total.id)
    hv = grad_graph.run().grads["W"]
    w0, h = graph.by_name("W").value, 1e-6
    moved = []
    for sign in (1, -1):
        graph.set_value(graph.by_name("W").id, w0 + sign * h * direction)
        moved.append(graph.run().grads["W"])
    np.testing.assert_allclose(hv, (moved[0] - moved[1]) / (2 * h), rtol=1e-6, atol=1e-8)


def test_gradient_names_taken_by_the_graph_are_numbered() -> None:
    graph, _ = chain(("exp", "dJ_dx"), ("log", "J"), start=0.5)
    grad_graph, names = gradient_graph_named(graph)
    assert names == {"x": "dJ_dx1"}
    assert grad_graph.run().values["dJ_dx1"] == pytest.approx(1.0, rel=1e-15)


def test_an_output_no_input_feeds_gives_zero_gradients_and_no_stray_nodes() -> None:
    graph = Graph()
    graph.add_node("input", "w", value=[1.0, 2.0])
    graph.set_output(graph.add_node("const", "J", value=3.0).id)
    grad_graph, names = gradient_graph_named(graph)
    assert names == {"w": "dJ_dw"} and len(grad_graph) == 3  # w, J and dJ_dw only
    assert grad_graph.run().values["dJ_dw"].tolist() == [0.0, 0.0]


def test_an_empty_graph_is_refused() -> None:
    with pytest.raises(GradientGraphError, match="the graph is empty"):
        gradient_graph(Graph())


def test_a_helper_rewriting_names_only_its_operands_as_placeholders() -> None:
    """Only _0, _1, … are operands: names with an underscore of their own keep it."""
    text = ast.unparse(_helper_tree("np.log_softmax(_0, axis=_1, keepdims=True) * _10"))
    assert text == "np.log_softmax(_P_0, axis=_P_1, keepdims=True) * _P_10"
