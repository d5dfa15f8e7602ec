"""Every op in the registry: its vjp against central differences, its declaration, its kinks.

The gradient test is generated from REGISTRY and a sample table keyed by op name; an op with
no samples fails, so a new op cannot slip in untested.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from cgeditor.core.engine import Step, backward, compile_plan, forward
from cgeditor.core.gradcheck import check_gradients
from cgeditor.core.ops import CATEGORIES, F64, REGISTRY

RNG = np.random.default_rng(1234)


def _pos(*shape: int) -> np.ndarray:
    """Positive values, well away from 0 (log, sqrt, pow bases, divisors)."""
    return RNG.uniform(0.5, 2.0, shape)


def _mixed(*shape: int) -> np.ndarray:
    """Both signs but at least 0.2 away from 0 (relu and abs kinks)."""
    return RNG.choice([-1.0, 1.0], shape) * RNG.uniform(0.2, 1.5, shape)


def _probs(*shape: int) -> np.ndarray:
    p = _pos(*shape)
    return p / p.sum(axis=-1, keepdims=True)


def _untied(a_shape: tuple, b_shape: tuple) -> tuple[Any, Any]:
    """Inputs for max/min that differ by at least 0.3 everywhere (``a_shape`` is the larger)."""
    b = _mixed(*b_shape) if b_shape else F64(0.4)
    gap = RNG.choice([-1.0, 1.0], a_shape) * RNG.uniform(0.3, 1.0, a_shape)
    a = b + gap
    return (a if a_shape else F64(a)), b


S = F64  # a scalar sample
# Broadcasting pairs every elementwise binary op is checked on: same scalars, (3,) with (),
# (2,3) with (3,) and () with (2,3).
_BINARY_SHAPES = [((), ()), ((3,), ()), ((2, 3), (3,)), ((), (2, 3))]


def _pairs(make_a, make_b) -> list:
    return [((make_a(*a), make_b(*b)), {}) for a, b in _BINARY_SHAPES]


def _unary(make) -> list:
    return [((make(),), {}), ((make(4),), {}), ((make(2, 3),), {})]


SAMPLES: dict[str, list[tuple[tuple[Any, ...], dict[str, Any]]]] = {
    "input": [((S(1.5),), {}), ((_mixed(2, 3),), {})],
    "const": [((S(-0.5),), {}), ((_mixed(3),), {})],
    "add": _pairs(_mixed, _mixed),
    "sub": _pairs(_mixed, _mixed),
    "mul": _pairs(_mixed, _mixed),
    "div": _pairs(_mixed, _pos),
    "pow": _pairs(_pos, _mixed),
    "neg": _unary(_mixed),
    "powc": [((S(1.3),), {"exponent": 2.0}), ((_pos(3),), {"exponent": 3.0}),
             ((_pos(2, 3),), {"exponent": 0.5}), ((_pos(4),), {"exponent": -1.5})],
    "square": _unary(_mixed),
    "maximum": [(_untied((), ()), {}), (_untied((3,), ()), {}), (_untied((2, 3), (3,)), {})],
    "minimum": [(_untied((), ()), {}), (_untied((3,), ()), {}), (_untied((2, 3), (3,)), {})],
    "abs": _unary(_mixed),
    "sign": _unary(_mixed),
    "exp": _unary(_mixed),
    "log": _unary(_pos),
    "sqrt": _unary(_pos),
    "sin": _unary(_mixed),
    "cos": _unary(_mixed),
    "tanh": _unary(_mixed),
    "sigmoid": [*_unary(_mixed), ((np.array([-30.0, 0.3, 30.0]),), {})],
    "relu": _unary(_mixed),
    "step": _unary(_mixed),
    "softmax": [((_mixed(4),), {}), ((_mixed(2, 3),), {}), ((_mixed(2, 3),), {"axis": 0})],
    "log_softmax": [((_mixed(4),), {}), ((_mixed(2, 3),), {}), ((_mixed(2, 3),), {"axis": 0})],
    "matmul": [((_mixed(2, 3), _mixed(3, 4)), {}), ((_mixed(3), _mixed(3, 4)), {}),
               ((_mixed(3), _mixed(3)), {}), ((_mixed(2, 3), _mixed(3)), {}),
               ((_mixed(3, 2, 2), _mixed(2)), {}), ((_mixed(3), _mixed(2, 3, 2)), {}),
               ((_mixed(2, 1, 2, 3), _mixed(4, 3, 2)), {})],
    "transpose": [((_mixed(2, 3),), {}), ((_mixed(2, 3, 4),), {}), ((S(0.7),), {})],
    "matrix_transpose": [((_mixed(2, 3),), {}), ((_mixed(2, 3, 4),), {})],
    "sum": [((_mixed(4),), {}), ((_mixed(2, 3),), {}), ((_mixed(2, 3),), {"axis": 0}),
            ((_mixed(2, 3),), {"axis": 1}), ((_mixed(2, 3, 2),), {"axis": -1})],
    "mean": [((_mixed(4),), {}), ((_mixed(2, 3),), {}), ((_mixed(2, 3),), {"axis": 0}),
             ((_mixed(2, 3),), {"axis": -1})],
    "mse": [((S(0.3), S(-0.4)), {}), ((_mixed(4), _mixed(4)), {}),
            ((_mixed(2, 3), _mixed(3)), {})],
    "cross_entropy": [((_mixed(4), _probs(4)), {}), ((_mixed(2, 3), _probs(2, 3)), {})],
}


def _cases() -> list:
    cases = []
    for name in sorted(REGISTRY):
        samples = SAMPLES.get(name)
        if not samples:
            cases.append(pytest.param(name, None, id=f"{name}-NO-SAMPLES"))
        cases += [pytest.param(name, k, id=f"{name}-{k}") for k in range(len(samples or []))]
    return cases


def _plan(name: str, inputs: tuple, attrs: dict, fanout: bool = False):
    """inputs → op → Σ(op · W) with a fixed random weight W, so every output element counts
    with its own weight (a plain sum would hide softmax's gradient, which sums to zero)."""
    spec = REGISTRY[name]
    if spec.is_leaf:
        steps, checked = [Step("x0", name, (), {}, inputs[0])], ["x0"]
    else:
        leaves = inputs[:1] if fanout else inputs
        steps = [Step(f"x{k}", "input", (), {}, v) for k, v in enumerate(leaves)]
        args = (0,) * len(inputs) if fanout else tuple(range(len(inputs)))
        steps.append(Step("op", name, args, attrs))
        checked = [s.name for s in steps[:-1]]
    out = forward(compile_plan(steps), {}).values[len(steps) - 1]
    assert out is not None, f"{name} failed on its own sample"
    weight = RNG.choice([-1.0, 1.0], np.shape(out)) * RNG.uniform(0.5, 1.5, np.shape(out))
    n = len(steps)
    steps += [Step("W", "const", (), {}, weight), Step("weighted", "mul", (n - 1, n)),
              Step("J", "sum", (n + 1,))]
    return compile_plan(steps), checked


def _assert_rows_pass(plan, names: list[str]) -> None:
    rows = check_gradients(plan, names=names, eps=1e-6)
    assert rows, "nothing was checked"
    for row in rows:
        assert row.passed, (f"{row.name}: backprop {row.backprop} vs numeric {row.numeric} "
                            f"(abs error {row.abs_error:.3g})")


@pytest.mark.parametrize(("name", "k"), _cases())
def test_vjp_matches_central_differences(name: str, k: int | None) -> None:
    assert k is not None, f"op {name!r} has no gradient samples: add it to SAMPLES"
    inputs, attrs = SAMPLES[name][k]
    assert len(inputs) == max(1, len(REGISTRY[name].inputs))
    _assert_rows_pass(*_plan(name, inputs, attrs))


BINARY = [n for n in sorted(REGISTRY) if len(REGISTRY[n].inputs) == 2]
FANOUT_INPUT = {"matmul": _mixed(3, 3), "pow": _pos(2, 3), "div": _pos(2, 3),
                "cross_entropy": _probs(2, 3)}


@pytest.mark.parametrize("name", BINARY)
def test_vjp_with_one_input_feeding_both_ports(name: str) -> None:
    # x op x: the engine must add the two contributions (fan-out).
    x = FANOUT_INPUT.get(name, _mixed(2, 3))
    _assert_rows_pass(*_plan(name, (x, x), {}, fanout=True))


def test_checked_gradient_is_summed_back_to_the_input_shape() -> None:
    plan, _ = _plan("mul", (_mixed(2, 3), _mixed(3)), {})
    fwd = forward(plan)
    grads = backward(plan, fwd.values).grads
    assert np.shape(grads[0]) == (2, 3)
    assert np.shape(grads[1]) == (3,)


# --- registry hygiene ---------------------------------------------------------------------

_KIND_OK = {
    "int": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "int?": lambda v: v is None or (isinstance(v, int) and not isinstance(v, bool)),
    "float": lambda v: isinstance(v, float),
}


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_op_declaration_is_complete(name: str) -> None:
    spec = REGISTRY[name]
    assert spec.name == name
    assert isinstance(spec.symbol, str) and spec.symbol.strip()
    assert spec.category in CATEGORIES
    assert spec.doc.strip() and "\n" not in spec.doc
    assert spec.template.strip()
    assert len(set(spec.inputs)) == len(spec.inputs), "input names must be unique"
    assert all(p.isidentifier() for p in spec.inputs)
    for port in spec.inputs:
        assert "{" + port + "}" in spec.template, f"template does not use input {port}"
    attr_names = [a.name for a in spec.attrs]
    assert len(set(attr_names)) == len(attr_names)
    assert not set(attr_names) & set(spec.inputs)
    for attr in spec.attrs:
        assert attr.kind in _KIND_OK, f"{name}.{attr.name} has unknown kind {attr.kind}"
        assert _KIND_OK[attr.kind](attr.default), f"{name}.{attr.name} default is invalid"
        assert "{" + attr.name + "}" in spec.template
    assert spec.default_attrs() == {a.name: a.default for a in spec.attrs}


def test_categories_are_listed_once_in_declaration_order() -> None:
    assert len(set(CATEGORIES)) == len(CATEGORIES)
    assert set(CATEGORIES) == {s.category for s in REGISTRY.values()}


def test_issue_minimum_op_set_is_present() -> None:
    required = {"add", "sub", "mul", "div", "neg", "pow", "square", "sqrt", "exp", "log", "sin",
                "cos", "tanh", "sigmoid", "relu", "abs", "maximum", "minimum", "matmul",
                "transpose", "sum", "mean", "const", "input"}
    assert required <= set(REGISTRY)


# --- subgradient convention at kinks ------------------------------------------------------

def _grads_at(name: str, *inputs: Any) -> list:
    steps = [Step(f"x{k}", "input", (), {}, v) for k, v in enumerate(inputs)]
    steps.append(Step("op", name, tuple(range(len(inputs)))))
    plan = compile_plan(steps)
    return backward(plan, forward(plan).values).grads[:-1]


@pytest.mark.parametrize("name", ["relu", "abs", "step", "sign"])
def test_relu_abs_and_their_derivatives_have_gradient_zero_at_zero(name: str) -> None:
    (g,) = _grads_at(name, F64(0.0))
    assert g == 0.0 and type(g) is np.float64
    (g,) = _grads_at(name, np.array([-1.0, 0.0, 2.0]))
    expected = {"relu": [0.0, 0.0, 1.0], "abs": [-1.0, 0.0, 1.0]}.get(name, [0.0, 0.0, 0.0])
    np.testing.assert_array_equal(g, expected)


def test_step_and_sign_are_the_derivatives_of_relu_and_abs_with_their_convention_at_0() -> None:
    x = np.array([-2.0, -0.0, 0.0, 1e-300, 3.0])
    for op, of in (("step", "relu"), ("sign", "abs")):
        plan = compile_plan([Step("x", "input", (), {}, x), Step("f", of, (0,))])
        (grad, _) = backward(plan, forward(plan).values, np.ones(5)).grads
        np.testing.assert_array_equal(REGISTRY[op].forward(x), grad)
    assert type(REGISTRY["step"].forward(F64(0.5))) is np.float64


@pytest.mark.parametrize("name", ["maximum", "minimum"])
def test_max_and_min_split_a_tie_half_and_half(name: str) -> None:
    ga, gb = _grads_at(name, F64(1.0), F64(1.0))
    assert (ga, gb) == (0.5, 0.5)
    ga, gb = _grads_at(name, np.array([1.0, 2.0, 3.0]), np.array([1.0, 5.0, 0.0]))
    winner_a = [0.5, 0.0, 1.0] if name == "maximum" else [0.5, 1.0, 0.0]
    np.testing.assert_array_equal(ga, winner_a)
    np.testing.assert_array_equal(gb, 1.0 - np.array(winner_a))


SCALAR_CASES = [pytest.param(n, k, id=f"{n}-{k}") for n in sorted(SAMPLES)
                for k, (xs, _) in enumerate(SAMPLES[n])
                if not REGISTRY[n].is_leaf and all(type(x) is np.float64 for x in xs)]


@pytest.mark.parametrize(("name", "k"), SCALAR_CASES)
def test_scalar_inputs_give_float64_scalars_forward_and_backward(name: str, k: int) -> None:
    inputs, attrs = SAMPLES[name][k]
    steps = [Step(f"x{j}", "input", (), {}, v) for j, v in enumerate(inputs)]
    steps.append(Step("op", name, tuple(range(len(inputs))), attrs))
    plan = compile_plan(steps)
    fwd = forward(plan)
    grads = backward(plan, fwd.values).grads
    assert all(type(v) is np.float64 for v in fwd.values + grads), (fwd.values, grads)
