"""The gradient graph of the ops whose vjp branches on the values (relu, abs, maximum, minimum,
pow, cross_entropy, and step and sign, which those rules are written with): at every special
point of tests/data/torch_refs.json (zeros of both signs, kinks, ties, negative and zero bases,
±large values; scalars, vectors, matrices and broadcast pairs) its F5 values are the engine's
backward gradients and torch's float64 ones, with the engine's convention at each kink; and its
own gradient graph gives torch's second derivatives (double backward) on tensors."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from cgeditor.core.ops import REGISTRY
from cgeditor.model.formula import from_formula
from cgeditor.model.gradient_graph import gradient_graph
from cgeditor.model.graph import Graph
from tests.model.test_gradient_graph import second_derivative
from tests.torch_refs import RefCase, assert_matches, load

torch = pytest.importorskip("torch", reason="torch is an optional extra: pip install torch")

VALUE_BRANCHING = {"relu", "abs", "maximum", "minimum", "pow", "cross_entropy", "step", "sign"}


def _finite(*values: Any) -> bool:
    return all(np.all(np.isfinite(v)) for v in values)


# Cases with a finite value, weight and gradient: a non-finite forward value stops the gradient
# graph (it needs a run without problems), and an infinite upstream gradient is the one place
# where it differs from the engine (g · 0 is nan where the engine's mask gives 0).
CASES = [c for c in load("sweep") if c.op in VALUE_BRANCHING
         and _finite(c.value, c.weight, *c.inputs, *c.expected)]


def case_graph(op: str, inputs: tuple, attrs: dict, weight: Any, squared: bool = False
               ) -> Graph:
    """inputs x0, x1 → f = op(inputs) → J = Σ(f · W), as the torch references are computed
    (``squared``: Σ(f · f · W))."""
    g = Graph()
    node = g.add_node(op, "f", attrs=attrs)
    for k, (port, value) in enumerate(zip(REGISTRY[op].inputs, inputs, strict=True)):
        g.connect(g.add_node("input", f"x{k}", value=value).id, node.id, port)
    if squared:
        square = g.add_node("mul", "ff")
        g.connect(node.id, square.id, "a")
        g.connect(node.id, square.id, "b")
        node = square
    prod = g.add_node("mul", "p")
    g.connect(node.id, prod.id, "a")
    g.connect(g.add_node("const", "W", value=weight).id, prod.id, "b")
    total = g.add_node("sum", "J")
    g.connect(prod.id, total.id, "x")
    return g


def test_every_value_branching_op_has_finite_special_points_to_check() -> None:
    checked = {c.op for c in CASES}
    assert checked == VALUE_BRANCHING
    kinks = [c for c in CASES if c.op in ("relu", "abs", "step", "sign")
             and np.any(np.asarray(c.inputs[0]) == 0)]
    ties = [c for c in CASES if c.op in ("maximum", "minimum")
            and np.any(np.asarray(c.inputs[0]) == np.asarray(c.inputs[1]))]
    bases = [c for c in CASES if c.op == "pow" and np.any(np.asarray(c.inputs[0]) <= 0)]
    assert len(kinks) >= 8 and len(ties) >= 8 and len(bases) >= 20


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_special_points_give_the_engines_and_torchs_gradients(case: RefCase) -> None:
    graph = case_graph(case.op, case.inputs, case.attrs, case.weight)
    engine = graph.run()
    values = gradient_graph(graph).run().values
    for k, want in enumerate(case.expected):
        got = values[f"dJ_dx{k}"]
        np.testing.assert_allclose(got, engine.grads[f"x{k}"], rtol=1e-12, atol=0,
                                   err_msg=f"{case.id}: engine, x{k}")
        assert_matches(got, want, f"{case.id}: torch, x{k}")


@pytest.mark.parametrize(("op", "inputs", "want"), [
    ("relu", ([-1.0, 0.0, -0.0, 2.0],), [[0.0, 0.0, 0.0, 1.0]]),
    ("abs", ([-1.0, 0.0, -0.0, 2.0],), [[-1.0, 0.0, 0.0, 1.0]]),
    ("maximum", ([1.0, 2.0, 3.0], [1.0, 5.0, 0.0]), [[0.5, 0.0, 1.0], [0.5, 1.0, 0.0]]),
    ("minimum", ([1.0, 2.0, 3.0], [1.0, 5.0, 0.0]), [[0.5, 1.0, 0.0], [0.5, 0.0, 1.0]]),
    ("step", ([-1.0, 0.0, 2.0],), [[0.0, 0.0, 0.0]]),
    ("sign", ([-1.0, 0.0, 2.0],), [[0.0, 0.0, 0.0]]),
])
def test_the_kink_conventions_are_the_engines(op: str, inputs: tuple, want: list) -> None:
    graph = case_graph(op, tuple(np.array(x) for x in inputs), {}, 1.0)
    values = gradient_graph(graph).run().values
    for k, expected in enumerate(want):
        assert values[f"dJ_dx{k}"].tolist() == expected
        assert graph.run().grads[f"x{k}"].tolist() == expected


def test_pows_domain_conventions_are_the_engines() -> None:
    """∂/∂a is 0 at b = 0 (even at a = 0); ∂/∂b is 0 where a < 0 and at a = 0, b ≥ 0."""
    a = np.array([0.0, 0.0, 0.0, -2.0, -2.0, -1.5, 2.0])
    b = np.array([0.0, 1.0, 2.0, 2.0, 3.0, 0.0, 0.5])
    graph = case_graph("pow", (a, b), {}, 1.0)
    values = gradient_graph(graph).run().values
    engine = graph.run().grads
    assert values["dJ_dx0"].tolist() == engine["x0"].tolist()
    assert values["dJ_dx0"][:6].tolist() == [0.0, 1.0, 0.0, -4.0, 12.0, 0.0]
    np.testing.assert_array_equal(values["dJ_dx1"], engine["x1"])
    assert values["dJ_dx1"][:6].tolist() == [0.0] * 6


def _torch_fn(op: str):
    if op == "pow":  # cgeditor's convention (torch gives nan in b where a < 0)
        return lambda a, b: a ** torch.where(a < 0, b.detach(), b)
    if op == "cross_entropy":
        return lambda x, t: -torch.sum(t * torch.log_softmax(x, dim=-1)) / (
            np.prod(x.shape[:-1]) if x.dim() > 1 else 1)
    return {"relu": torch.relu, "abs": torch.abs, "maximum": torch.maximum,
            "minimum": torch.minimum, "step": lambda x: torch.relu(torch.sign(x)),
            "sign": torch.sign}[op]


def torch_hvp(op: str, inputs: tuple, weight: Any, direction: tuple) -> list:
    """torch's H·V of J = Σ(f · f · W), f = op(inputs), by double backward."""
    leaves = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in inputs]
    f = _torch_fn(op)(*leaves)
    total = (f * f * torch.tensor(weight, dtype=torch.float64)).sum()
    grads = torch.autograd.grad(total, leaves, create_graph=True)
    dot = sum((gr * torch.tensor(v, dtype=torch.float64)).sum() for gr, v in
              zip(grads, direction, strict=True))
    if not dot.requires_grad:  # step, sign: the first derivative is already a constant 0
        return [np.zeros(np.shape(x)) for x in inputs]
    return [h.numpy() for h in torch.autograd.grad(dot, leaves, allow_unused=True)]


def hvp_graph(op: str, inputs: tuple, weight: Any, direction: tuple) -> Graph:
    """J = Σ(f · f · W), its gradient graph, and there hv = Σ_k Σ(dJ_dxk · Vk) as output."""
    grads = gradient_graph(case_graph(op, inputs, {}, weight, squared=True))
    terms = []
    for k, v in enumerate(direction):
        prod = grads.add_node("mul", f"gv{k}")
        grads.connect(grads.by_name(f"dJ_dx{k}").id, prod.id, "a")
        grads.connect(grads.add_node("const", f"V{k}", value=v).id, prod.id, "b")
        terms.append(grads.add_node("sum", f"s{k}"))
        grads.connect(prod.id, terms[-1].id, "x")
    out = terms[0]
    if len(terms) == 2:
        out = grads.add_node("add", "hv")
        grads.connect(terms[0].id, out.id, "a")
        grads.connect(terms[1].id, out.id, "b")
    grads.set_output(out.id)
    return grads


RNG = np.random.default_rng(5)


def _mixed(*shape: int) -> np.ndarray:
    """Both signs, away from 0 (kinks) by at least 0.2."""
    return RNG.choice([-1.0, 1.0], shape) * RNG.uniform(0.2, 1.5, shape)


def _probs(*shape: int) -> np.ndarray:
    p = RNG.uniform(0.5, 2.0, shape)
    return p / p.sum(axis=-1, keepdims=True)


SECOND = [
    ("relu", (_mixed(2, 3),)), ("abs", (_mixed(4),)), ("relu", (np.float64(0.7),)),
    ("maximum", (_mixed(2, 3), _mixed(3))), ("minimum", (_mixed(3, 1), _mixed(1, 2))),
    ("pow", (RNG.uniform(0.5, 2.0, (2, 3)), _mixed(3))),
    ("cross_entropy", (_mixed(2, 3), _probs(2, 3))), ("cross_entropy", (_mixed(4), _probs(4))),
    ("step", (_mixed(3),)), ("sign", (_mixed(2, 2),)),
]


@pytest.mark.parametrize(("op", "inputs"), SECOND, ids=[f"{o}-{k}" for k, (o, _) in
                                                          enumerate(SECOND)])
def test_the_gradient_graphs_own_gradient_graph_gives_torchs_second_derivatives(
        op: str, inputs: tuple) -> None:
    """Backward through the gradient graph, and its own gradient graph, give H·V."""
    out_shape = np.shape(REGISTRY[op].forward(*inputs))
    weight = _mixed(*out_shape) if out_shape else np.float64(1.3)
    direction = tuple(_mixed(*np.shape(x)) if np.ndim(x) else np.float64(0.6) for x in inputs)
    grads = hvp_graph(op, inputs, weight, direction)
    out = grads.nodes[grads.output].name
    again = gradient_graph(grads).run().values
    backward = grads.run().grads
    want = torch_hvp(op, inputs, weight, direction)
    for k, expected in enumerate(want):
        expected = np.zeros(np.shape(inputs[k])) if expected is None else expected
        got = again[f"d{out}_dx{k}"]
        np.testing.assert_allclose(got, backward[f"x{k}"], rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-12)


def test_pow_of_a_negative_base_has_its_second_derivative_in_the_base() -> None:
    """a < 0 has a real power only at whole b: ∂²(a^b)/∂a² = b(b − 1)a^(b−2) there, and
    the gradient graph of ∂J/∂b (0 by the convention) is 0."""
    graph = from_formula("J = a ** b", a=-2.0, b=3.0)
    grads = gradient_graph(graph)
    assert gradient_graph(grads, "dJ_da").run().values["ddJ_da_da"] == 3 * 2 * -2.0
    again = gradient_graph(grads, "dJ_db").run().values
    assert (again["ddJ_db_da"], again["ddJ_db_db"]) == (0.0, 0.0)


def test_a_relu_neurons_second_derivative_matches_central_differences() -> None:
    """J = (relu(w·x + b) − y)²: ∂²J/∂w² = 2x² where the relu is active, and 0 where it is not."""
    for b, want in ((0.5, 2 * 1.5 ** 2), (-5.0, 0.0)):
        graph = from_formula("J = (relu(w*x + b) - y) ** 2", w=0.8, x=1.5, b=b, y=0.3)
        second = gradient_graph(gradient_graph(graph), "dJ_dw").run().values["ddJ_dw_dw"]
        assert second == pytest.approx(want, rel=1e-12, abs=1e-15)
        assert second == pytest.approx(second_derivative(graph, "w"), rel=1e-6, abs=1e-9)
