"""The gradient check moves scalar inputs in columns side by side (one batched forward pass
for many inputs) when every op is elementwise: its estimates must be the central differences
the one-input-at-a-time path computes, and graphs it cannot batch keep that path."""

from __future__ import annotations

import numpy as np
import pytest

from cgeditor.core import gradcheck
from cgeditor.core.engine import Step, compile_plan
from cgeditor.core.gradcheck import (
    GradientCheck,
    check_gradients,
    columns_apply,
    leaf_values,
    numeric_gradient,
)

UNARY = ("tanh", "sigmoid", "sin", "cos", "neg")  # bounded: no overflow in 40 steps
BINARY = ("add", "sub", "mul")


def random_plan(seed: int, leaves: int = 5, ops: int = 40, exact: bool = False):
    """Scalar inputs, then ops each reading one or two earlier slots (only IEEE-exact
    arithmetic when ``exact``); the last slot is the output."""
    rng = np.random.default_rng(seed)
    steps = [Step(f"x{k}", "input", value=np.float64(rng.uniform(0.5, 1.5)))
             for k in range(leaves)]
    for k in range(ops):
        n = len(steps)
        if exact or rng.random() < 0.5:
            op = ("add", "sub", "mul", "div")[k % 4] if exact else rng.choice(BINARY)
            a, b = int(rng.integers(n)), int(rng.integers(max(0, n - 4), n))
            if op == "div":  # a denominator kept away from 0: an input
                b = int(rng.integers(leaves))
            steps.append(Step(f"n{k}", str(op), (a, b)))
        else:
            steps.append(Step(f"n{k}", str(rng.choice(UNARY)), (n - 1,)))
    steps.append(Step("J", "add", (len(steps) - 1, len(steps) - 2)))
    return compile_plan(steps)


def one_at_a_time(plan, eps: float = 1e-6) -> dict[str, float]:
    names = [s.name for s, spec in zip(plan.steps, plan.specs) if spec.is_input]
    return {name: float(numeric_gradient(plan, {}, name, eps)) for name in names}


@pytest.mark.parametrize("seed", range(6))
def test_columns_give_the_central_differences_of_one_input_at_a_time(seed) -> None:
    plan = random_plan(seed)
    assert columns_apply(plan, leaf_values(plan))
    rows = check_gradients(plan)
    alone = one_at_a_time(plan)
    assert [r.name for r in rows] == list(alone)
    for row in rows:
        # numpy's and math's transcendental functions may differ in the last bit, which the
        # difference quotient magnifies by 1/ε: far below the check's own tolerance
        assert float(row.numeric) == pytest.approx(alone[row.name], rel=1e-8, abs=1e-8)
        assert row.passed, row
        assert row.method == "elementwise"


@pytest.mark.parametrize("seed", range(3))
def test_exact_arithmetic_gives_the_very_same_numbers(seed) -> None:
    plan = random_plan(seed, exact=True)
    rows = check_gradients(plan)
    assert {r.name: float(r.numeric) for r in rows} == one_at_a_time(plan)


def test_passes_split_by_size_give_the_same_rows(monkeypatch) -> None:
    """(Backprop is left out: the engine's compiled passes, taken after a few runs of a
    plan, may round its last bit otherwise.)"""
    plan = random_plan(7, leaves=9)
    whole = [(r.name, float(r.numeric), r.passed) for r in check_gradients(plan)]
    monkeypatch.setattr(gradcheck, "BATCH_VALUES", 2 * len(plan.steps) * 2)  # 2 per pass
    assert [(r.name, float(r.numeric), r.passed) for r in check_gradients(plan)] == whole
    check = GradientCheck(plan)  # the dock asks a few per tick
    names = [name for name, _, _ in whole]
    split = check.rows(names[:4]) + check.rows(names[4:])
    assert [(r.name, float(r.numeric), r.passed) for r in split] == whole


def test_a_sum_of_a_number_is_not_batched_and_still_right() -> None:
    """sum(x · y) of numbers would sum the columns if fed side by side."""
    plan = compile_plan([Step("x", "input", value=np.float64(3.0)),
                         Step("y", "input", value=np.float64(-2.0)),
                         Step("p", "mul", (0, 1)), Step("s", "sum", (2,))])
    assert not columns_apply(plan, leaf_values(plan))
    rows = {r.name: r for r in check_gradients(plan)}
    assert float(rows["x"].numeric) == pytest.approx(-2.0, abs=1e-7) and rows["x"].passed
    assert float(rows["y"].numeric) == pytest.approx(3.0, abs=1e-7) and rows["y"].passed


def test_a_tensor_leaf_keeps_the_one_at_a_time_path() -> None:
    plan = compile_plan([Step("v", "input", value=np.array([0.5, -1.0])),
                         Step("t", "tanh", (0,)), Step("s", "sum", (1,))])
    assert not columns_apply(plan, leaf_values(plan))
    (row,) = check_gradients(plan)
    assert row.passed and np.allclose(row.numeric, 1 - np.tanh([0.5, -1.0]) ** 2, atol=1e-7)


def test_a_column_that_leaves_the_domain_gives_what_moving_alone_gives() -> None:
    """log(x) at x = ε/2: x − ε is negative, its column nan: the same estimate (nan) and
    verdict as moving x alone, and the other input's column unharmed."""
    plan = compile_plan([Step("x", "input", value=np.float64(5e-7)),
                         Step("y", "input", value=np.float64(2.0)),
                         Step("l", "log", (0,)), Step("J", "mul", (2, 1))])
    rows = {r.name: r for r in check_gradients(plan)}
    alone = one_at_a_time(plan)
    assert np.isnan(float(rows["x"].numeric)) and np.isnan(alone["x"])
    assert rows["x"].verdict == "FAIL"
    assert float(rows["y"].numeric) == alone["y"] and rows["y"].passed
