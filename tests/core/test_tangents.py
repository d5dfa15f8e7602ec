"""Forward mode over a Plan (core/tangents.py): the seed example's tangents, directions over
several inputs, non-finite tangents as per-node issues, refused seeds, and random graphs whose
output tangent must equal backward's gradient dotted with the direction."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cgeditor.core.engine import Step, backward, compile_plan, forward
from cgeditor.core.ops import F64
from cgeditor.core.tangents import jvp
from tests.core.test_compiled_random import OPS, random_plan
from tests.core.test_engine import seed_plan


def _by_name(plan, tangents: list) -> dict:
    return dict(zip(plan.names, tangents))


def test_seeding_w_gives_every_nodes_derivative_in_w() -> None:
    plan = seed_plan()
    result = jvp(plan, forward(plan).values, "w")
    got = _by_name(plan, result.tangents)
    # ∂v/∂w: c = w·x, a = c + b, d = a − y, sq = d², J = ½ sq
    assert {n: got[n] for n in ("w", "c", "a", "d", "sq", "J")} == {
        "w": 1.0, "c": -2.0, "a": -2.0, "d": -2.0, "sq": -8.0, "J": -4.0}
    assert {n: got[n] for n in ("x", "b", "y", "half")} == dict.fromkeys(("x", "b", "y", "half"),
                                                                        0.0)
    assert all(type(t) is np.float64 for t in result.tangents)
    assert result.issues == {} and result.seeds == {plan.index["w"]: 1.0}


def test_each_inputs_tangent_of_J_is_backwards_gradient() -> None:
    plan = seed_plan()
    values = forward(plan).values
    grads = backward(plan, values).grads
    for name in ("w", "x", "b", "y", "half"):
        tangent = jvp(plan, values, name).tangents[plan.output]
        assert tangent == grads[plan.index[name]], name


def test_compiled_values_give_the_same_tangents() -> None:
    plan = seed_plan()
    careful = jvp(plan, forward(plan, compiled=False).values, "w").tangents
    fast = forward(plan, compiled=True).values
    assert type(fast).__name__ == "FloatList"
    assert jvp(plan, fast, "w").tangents == careful


def test_a_direction_over_several_inputs_adds_their_tangents() -> None:
    plan = seed_plan()
    values = forward(plan).values
    # ∂J/∂w = −4, ∂J/∂b = 2: the direction (w, b) = (1, 3) gives −4 + 6
    assert jvp(plan, values, {"w": 1.0, "b": 3.0}).tangents[plan.output] == 2.0


def _tensor_plan() -> object:
    steps = [Step("W", "input", value=np.array([[1.0, 2.0], [3.0, 4.0]])),
             Step("x", "input", value=np.array([0.5, -1.0])),
             Step("h", "matmul", (0, 1)), Step("r", "relu", (2,)), Step("L", "sum", (3,))]
    return compile_plan(steps)


def test_a_number_seeds_every_element_and_an_array_one_direction() -> None:
    plan = _tensor_plan()
    values = forward(plan).values  # h = [-1.5, -2.5]: relu kills both
    ones = jvp(plan, values, "x")
    np.testing.assert_array_equal(ones.tangents[plan.index["h"]], [3.0, 7.0])
    np.testing.assert_array_equal(ones.tangents[plan.index["r"]], [0.0, 0.0])
    one = jvp(plan, values, {"W": np.array([[1.0, 0.0], [0.0, 0.0]])})
    np.testing.assert_array_equal(one.tangents[plan.index["h"]], [0.5, 0.0])
    assert one.tangents[plan.index["x"]].shape == (2,)  # a zero of x's shape


@pytest.mark.parametrize(("seeds", "message"), [
    ("q", "no node of that name"),
    ("h", "computed by matmul"),
    ({"x": np.ones(3)}, r"seed of x has shape \(3,\), but x has shape \(2,\): seed a number"),
])
def test_a_bad_seed_is_refused_by_name(seeds, message: str) -> None:
    plan = _tensor_plan()
    with pytest.raises(ValueError, match=message):
        jvp(plan, forward(plan).values, seeds)


def test_a_non_finite_tangent_is_an_issue_at_its_origin_not_an_exception() -> None:
    steps = [Step("x", "input", value=F64(0.0)), Step("r", "sqrt", (0,)),
             Step("s", "mul", (1, 1)), Step("k", "input", value=F64(1.0)),
             Step("m", "add", (3, 3))]
    plan = compile_plan(steps)
    values = forward(plan).values
    result = jvp(plan, values, {"x": 1.0, "k": 1.0})
    assert np.isinf(result.tangents[1]) and np.isnan(result.tangents[2])  # inf · 0
    assert sorted(result.issues) == [1, 2]
    origin, carried = result.issues[1], result.issues[2]
    assert origin.kind == carried.kind == "nonfinite_tangent"
    assert origin.origin and not carried.origin
    assert origin.message.startswith("tangent of r is inf, from the jvp of sqrt at x = 0")
    assert "carried from a non-finite tangent" in carried.message
    assert result.tangents[4] == 2.0  # the other branch is unharmed


def test_a_non_finite_seed_is_reported_as_seeded() -> None:
    plan = seed_plan()
    result = jvp(plan, forward(plan).values, {"w": np.inf})
    assert result.issues[plan.index["w"]].message == "tangent of w is inf, as seeded"
    assert result.issues[plan.index["w"]].origin


def test_a_rule_that_raises_is_an_issue_and_its_node_has_no_tangent() -> None:
    plan = seed_plan()
    values = forward(plan).values
    jvp(plan, values, "w")  # builds the plan's rules, kept in its cache

    def broken(*_args):
        raise ArithmeticError("broken rule")
    rules = list(plan.cache["jvp"])
    rules[plan.index["c"]] = broken
    plan.cache["jvp"] = tuple(rules)
    result = jvp(plan, values, "w")
    issue = result.issues[plan.index["c"]]
    assert issue.kind == "error" and issue.message == "the jvp of mul failed at c: broken rule"
    assert result.tangents[plan.index["c"]] is None
    # Everything c reaches has no tangent either, each saying why: a zero would be wrong
    # (∂J/∂w is −4), and w's other uses are none here, so every node below c is unknown.
    for name in ("a", "d", "sq", "J"):
        below = result.issues[plan.index[name]]
        assert below.kind == "error" and result.tangents[plan.index[name]] is None
        assert below.message.startswith(f"no tangent at {name}: the tangent of its input ")
    assert result.issues[plan.index["a"]].message.endswith("input c failed")
    assert result.tangents[plan.index["w"]] == 1.0 and result.tangents[plan.index["b"]] == 0.0


def test_nodes_without_a_value_have_no_tangent() -> None:
    steps = [Step("u", "input", value=np.ones(2)), Step("v", "input", value=np.ones(3)),
             Step("s", "add", (0, 1)), Step("t", "exp", (0,))]
    plan = compile_plan(steps)
    fwd = forward(plan)
    assert fwd.values[2] is None  # (2,) + (3,) does not broadcast
    result = jvp(plan, fwd.values, "u")
    assert result.tangents[2] is None and 2 not in result.issues
    np.testing.assert_array_equal(result.tangents[3], np.e * np.ones(2))


def _largest(numbers: list) -> float:
    return max((float(np.sum(np.abs(t))) for t in numbers if t is not None), default=0.0)


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(seed=st.integers(0, 2**32 - 1))
def test_random_graphs_forward_mode_agrees_with_backward(seed: int) -> None:
    # ⟨1, ∂out/∂k · v⟩ from one forward-mode pass = ⟨∂Σout/∂k, v⟩ from one backward pass, to
    # 1e-12 of the largest magnitude either pass summed (where they cancel to about 0, the
    # rounding of those terms is all that is left)
    plan = random_plan(seed, 10, False, OPS)
    fwd = forward(plan, compiled=False)
    if fwd.issues:
        return
    out = fwd.values[plan.output]
    bwd = backward(plan, fwd.values, np.ones_like(out)[()], compiled=False)
    if bwd.issues:
        return
    rng = np.random.default_rng(seed)
    for k, step in enumerate(plan.steps):
        if step.args or bwd.grads[k] is None:
            continue
        v = rng.normal(size=np.shape(fwd.values[k]))
        result = jvp(plan, fwd.values, {step.name: v})
        if result.issues:
            continue
        forward_mode = np.sum(result.tangents[plan.output])
        products = bwd.grads[k] * v
        scale = max(_largest([products]), _largest(result.tangents), 1e-300)
        assert abs(forward_mode - np.sum(products)) <= 1e-12 * scale, (
            seed, step.name, forward_mode, np.sum(products))
