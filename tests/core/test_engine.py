"""The engine without a Graph: Plan, forward and backward on the seed example and the cases
that must never crash (non-finite numbers, shape mismatches, a broken vjp)."""

from __future__ import annotations

import dataclasses
import tracemalloc

import numpy as np
import pytest

from cgeditor.core import ops
from cgeditor.core.engine import (
    Step,
    as_value,
    backward,
    compile_plan,
    describe,
    fit_to,
    forward,
    is_finite,
)
from cgeditor.core.gradcheck import check_gradients, numeric_gradient
from cgeditor.core.values import sum_to_shape

F64 = np.float64


def seed_plan(w: float = 2.0):
    """J = ½(w·x + b − y)² with w=2, x=−2, b=8, y=2, one op per node."""
    steps = [
        Step("w", "input", value=F64(w)), Step("x", "input", value=F64(-2.0)),
        Step("b", "input", value=F64(8.0)), Step("y", "input", value=F64(2.0)),
        Step("half", "const", value=F64(0.5)),
        Step("c", "mul", (0, 1)), Step("a", "add", (5, 2)), Step("d", "sub", (6, 3)),
        Step("sq", "powc", (7,), {"exponent": 2.0}), Step("J", "mul", (4, 8)),
    ]
    return compile_plan(steps)


def by_name(plan, data) -> dict:
    return dict(zip(plan.names, data))


def test_seed_example_forward_and_backward() -> None:
    plan = seed_plan()
    fwd = forward(plan)
    values = by_name(plan, fwd.values)
    assert (values["c"], values["a"], values["d"], values["J"]) == (-4.0, 4.0, 2.0, 2.0)
    grads = by_name(plan, backward(plan, fwd.values).grads)
    expected = {"J": 1.0, "d": 2.0, "a": 2.0, "c": 2.0, "b": 2.0, "y": -2.0, "w": -4.0,
                "x": 4.0}
    assert {k: grads[k] for k in expected} == expected
    assert not fwd.issues


def test_nudging_w_moves_J_as_the_gradient_predicts() -> None:
    plan = seed_plan(w=2.001)
    assert forward(plan).values[plan.output] == pytest.approx(1.996, abs=1e-5)
    # and a feed overrides the leaf's own value for one run
    assert forward(seed_plan(), {"w": 2.001}).values[-1] == pytest.approx(1.996002, abs=1e-9)


def test_scalars_stay_numpy_float64_scalars() -> None:
    plan = seed_plan()
    fwd = forward(plan, {"x": -2})  # an int feed becomes float64 too
    grads = backward(plan, fwd.values).grads
    for v in fwd.values + grads:
        assert type(v) is np.float64


def test_fresh_gradients_every_run() -> None:
    plan = seed_plan()
    values = forward(plan).values
    first = backward(plan, values).grads
    second = backward(plan, values).grads
    assert first == second
    assert first is not second


def _fanout(expr: str):
    steps = [Step("x", "input", value=F64(3.0)), Step("xx", "mul", (0, 0))]
    if expr == "x*x + x":
        steps.append(Step("out", "add", (1, 0)))
    return compile_plan(steps)


@pytest.mark.parametrize(("expr", "expected"), [("x*x", 6.0), ("x*x + x", 7.0)])
def test_fan_out_accumulates(expr: str, expected: float) -> None:
    plan = _fanout(expr)
    grads = backward(plan, forward(plan).values).grads
    assert grads[0] == expected


def test_tensor_gradient_is_summed_back_over_broadcast_axes() -> None:
    steps = [Step("m", "input", value=np.ones((2, 3))), Step("v", "input", value=np.arange(3.0)),
             Step("s", "input", value=F64(2.0)), Step("mv", "mul", (0, 1)),
             Step("out", "mul", (3, 2))]
    plan = compile_plan(steps)
    fwd = forward(plan)
    g = backward(plan, fwd.values).grads
    np.testing.assert_array_equal(g[1], [4.0, 4.0, 4.0])  # 2 rows × s
    assert type(g[2]) is np.float64 and g[2] == 2 * np.arange(3.0).sum()
    np.testing.assert_array_equal(g[0], np.broadcast_to(2 * np.arange(3.0), (2, 3)))



@pytest.mark.parametrize(("logits", "target"), [
    ([0.1, 0.5, -0.3], [[0.2, 0.3, 0.5]]),  # (3,) against (1, 3): was summed to one number
    ([0.1, 0.5, -0.3], [[[0.2, 0.3, 0.5]], [[0.1, 0.1, 0.8]]]),  # (3,) against (2, 1, 3)
    (0.7, [[0.2, 0.3, 0.5]]),  # a scalar against (1, 3): was an IndexError
    ([[0.7], [-0.2]], [[0.2, 0.3, 0.5], [0.1, 0.1, 0.8]]),  # one class against three: 0
    ([[0.1, 0.5, -0.3]], [[0.2], [0.3], [0.5]]),  # (1, 3) against (3, 1): each class weighs
    ([0.1, 0.5, -0.3], 0.25),  # a scalar target weighs every class
    ([[[0.1, 0.5, -0.3]], [[1.0, 0.0, 2.0]]], [[0.2], [0.8]]),  # (2, 1, 3) against (2, 1)
])
def test_cross_entropy_gradients_under_broadcasting_match_torch(logits, target) -> None:
    """Gradients with fewer axes than their input (the target's, from lower-rank logits) are
    spread over the leading axes, as numpy aligns trailing ones; and a class axis broadcast
    on either side is summed over as the chain rule does. Torch's autograd is the judge."""
    torch = pytest.importorskip("torch")
    plan = compile_plan([Step("l", "input", value=as_value(logits)),
                         Step("t", "input", value=as_value(target)),
                         Step("J", "cross_entropy", (0, 1))])
    for compiled in (False, True):
        grads = backward(plan, forward(plan).values, compiled=compiled).grads
        tl, tt = (torch.tensor(x, dtype=torch.float64, requires_grad=True)
                  for x in (logits, target))
        batch = tl[..., 0].numel() if tl.dim() > 1 else 1
        (-torch.sum(tt * torch.log_softmax(tl, dim=-1)) / batch).backward()
        np.testing.assert_allclose(grads[1], tt.grad.numpy(), rtol=1e-12)
        np.testing.assert_allclose(grads[0], tl.grad.numpy(), rtol=1e-12)
        assert np.shape(grads[1]) == np.shape(target)


def test_sum_to_shape_aligns_trailing_axes() -> None:
    np.testing.assert_array_equal(sum_to_shape(np.arange(3.0), (1, 3)), [[0.0, 1.0, 2.0]])
    np.testing.assert_array_equal(sum_to_shape(F64(2.0), (2, 1)), [[2.0], [2.0]])
    np.testing.assert_array_equal(sum_to_shape(np.ones((2, 3)), (1, 3)), [[2.0, 2.0, 2.0]])

# --- non-finite numbers: per-node issues, never exceptions --------------------------------

def _chain(op: str, *leaves: float):
    steps = [Step(f"x{k}", "input", value=F64(v)) for k, v in enumerate(leaves)]
    steps.append(Step("f", op, tuple(range(len(leaves)))))
    n = len(steps)
    steps += [Step("two", "const", value=F64(2.0)), Step("g", "mul", (n - 1, n)),
              Step("h", "exp", (n + 1,))]
    return compile_plan(steps)


@pytest.mark.parametrize(("op", "leaves", "value", "message"), [
    ("log", (0.0,), -np.inf, "log at x = 0 gives -inf: log needs x > 0; add a small ε "
                             "(log(x + 1e-9)) or clamp x above 0"),
    ("log", (-1.0,), np.nan, "log at x = -1 gives nan: log needs x > 0; add a small ε "
                             "(log(x + 1e-9)) or clamp x above 0"),
    ("div", (1.0, 0.0), np.inf, "div at a = 1, b = 0 gives inf: division by zero (b = 0); add "
                                "a small ε to the denominator (a / (b + 1e-9)) or keep b away "
                                "from 0"),
    ("exp", (1000.0,), np.inf, "exp at x = 1000 gives inf: overflow: exp(1000) is larger than "
                               "the largest float (1.8e308); scale the inputs down (normalise "
                               "them) or clamp them"),
])
def test_first_non_finite_value_is_the_origin(op, leaves, value, message) -> None:
    plan = _chain(op, *leaves)
    fwd = forward(plan)  # must not raise, nor warn (warnings are silenced inside)
    f = plan.index["f"]
    np.testing.assert_equal(fwd.values[f], value)
    assert fwd.issues[f].kind == "nonfinite"
    assert fwd.issues[f].origin
    assert fwd.issues[f].message == message
    g = plan.index["g"]
    assert fwd.issues[g].kind == "nonfinite" and not fwd.issues[g].origin
    h = plan.index["h"]  # exp(-inf) = 0 is finite again: marked only when it is not
    assert (h in fwd.issues) == (not is_finite(fwd.values[h]))
    assert h not in fwd.issues or not fwd.issues[h].origin
    assert plan.index["x0"] not in fwd.issues
    backward(plan, fwd.values)  # and backward over non-finite values does not raise either


def test_zero_over_zero_is_nan_not_an_exception() -> None:
    plan = _chain("div", 0.0, 0.0)
    fwd = forward(plan)
    assert np.isnan(fwd.values[plan.index["f"]])
    assert fwd.issues[plan.index["f"]].origin


def test_non_finite_gradient_is_reported_with_the_rule_that_made_it() -> None:
    steps = [Step("x", "input", value=F64(0.0)), Step("r", "sqrt", (0,))]
    plan = compile_plan(steps)
    fwd = forward(plan)
    assert not fwd.issues
    bwd = backward(plan, fwd.values)
    assert bwd.grads[0] == np.inf
    issue = bwd.issues[0]
    assert issue.kind == "nonfinite_grad" and issue.origin
    assert "sqrt at x = 0" in issue.message


class _CountedSteps(tuple):
    """A plan's steps that count how often they are read."""

    reads = 0

    def __getitem__(self, k):  # type: ignore[override]
        type(self).reads += 1
        return super().__getitem__(k)


@pytest.mark.parametrize("compiled", [False, True])
def test_reporting_every_non_finite_gradient_reads_each_node_a_few_times(compiled) -> None:
    """A chain whose gradients are all non-finite: each message names the rule it came from
    by looking at that node's own consumers, not by walking back to the output (which read
    the plan n²/2 times: minutes at 100k nodes)."""
    n = 2000
    steps = [Step("x", "input", value=F64(0.5))]
    steps += [Step(f"t{k}", "tanh", (k,)) for k in range(n)]
    steps += [Step("zero", "sub", (n, n)), Step("J", "sqrt", (n + 1,))]
    plan = compile_plan(steps)
    values = forward(plan).values
    counted = dataclasses.replace(plan, steps=_CountedSteps(plan.steps))
    _CountedSteps.reads = 0
    bwd = backward(counted, values, compiled=compiled)
    assert sum(i.kind == "nonfinite_grad" for i in bwd.issues.values()) == n + 2
    origin = bwd.issues[n + 1]  # zero, whose consumer sqrt still has a finite gradient
    assert origin.origin and "from the rule of sqrt at x = 0" in origin.message
    assert _CountedSteps.reads < 10 * len(steps)


@pytest.mark.parametrize("compiled", [False, True])
def test_the_rule_a_non_finite_gradient_is_blamed_on_does_not_depend_on_ties(compiled) -> None:
    """x feeds sqrt and mul, whose order in execution is a tie the canvas breaks: the message
    names the same consumer either way: sqrt, whose own term is inf (mul's is 3)."""
    messages = set()
    for y, z in ((2, 3), (3, 2)):
        steps = [Step("x", "input", value=F64(0.0)), Step("c", "const", value=F64(3.0))]
        steps += sorted([Step("y", "sqrt", (0,)), Step("z", "mul", (0, 1))],
                        key=lambda s: {"y": y, "z": z}[s.name])
        steps.append(Step("J", "add", (steps.index(next(s for s in steps if s.name == "y")),
                                       steps.index(next(s for s in steps if s.name == "z")))))
        plan = compile_plan(steps)
        messages.add(backward(plan, forward(plan).values, compiled=compiled).issues[0].message)
    assert len(messages) == 1 and "gradient of x is inf, from the rule of sqrt at x = 0" \
        in messages.pop()


def test_infinite_value_in_a_tensor_is_described_by_its_first_index() -> None:
    plan = compile_plan([Step("x", "input", value=np.array([1.0, 0.0, 2.0])),
                         Step("l", "log", (0,))])
    fwd = forward(plan)
    assert fwd.issues[1].origin
    assert describe(fwd.values[1]) == "-inf at index [1] (1 of 3 elements non-finite)"


# --- shape mismatches and failures --------------------------------------------------------

def test_shape_mismatch_is_reported_per_node_and_other_branches_run() -> None:
    steps = [Step("u", "input", value=np.ones(2)), Step("v", "input", value=np.ones(3)),
             Step("bad", "add", (0, 1)), Step("after", "exp", (2,)),
             Step("ok", "mul", (1, 1)), Step("alsobad", "mul", (3, 4))]
    plan = compile_plan(steps)
    fwd = forward(plan)
    assert fwd.issues[2].kind == "error"
    assert fwd.issues[2].message.startswith(
        "add needs shapes that broadcast: u has shape (2,) and v has shape (3,)")
    assert fwd.issues[3].kind == "skipped" and "bad" in fwd.issues[3].message
    assert fwd.issues[5].kind == "skipped"
    np.testing.assert_array_equal(fwd.values[4], np.ones(3))
    assert 4 not in fwd.issues
    bwd = backward(plan, fwd.values)  # output has no value: nothing to differentiate
    assert bwd.grads == [None] * 6


@pytest.mark.parametrize("compiled", [False, True])
def test_vjp_returning_the_wrong_number_of_gradients_is_a_clear_error(monkeypatch,
                                                                     compiled: bool) -> None:
    broken = dataclasses.replace(ops.REGISTRY["mul"], vjp=lambda g, out, a, b: (g * b,),
                                 vjp_template=("{g} * {b}",))
    monkeypatch.setitem(ops.REGISTRY, "mul", broken)
    plan = seed_plan()
    values = forward(plan).values
    with pytest.raises(TypeError, match="vjp of mul returned 1 gradients for 2 inputs"):
        backward(plan, values, compiled=compiled)


# --- gradient checking --------------------------------------------------------------------

def test_gradcheck_passes_on_the_seed_example() -> None:
    rows = check_gradients(seed_plan())
    assert [r.name for r in rows] == ["w", "x", "b", "y"]
    assert all(r.passed for r in rows)
    assert numeric_gradient(seed_plan(), {}, "w", 1e-6) == pytest.approx(-4.0, abs=1e-7)


def test_gradcheck_detects_a_wrong_vjp(monkeypatch) -> None:
    spec = ops.REGISTRY["add"]
    wrong = dataclasses.replace(spec, vjp=lambda g, out, a, b: (g, 1.1 * g),
                                vjp_template=("{g}", "1.1 * {g}"))
    monkeypatch.setitem(ops.REGISTRY, "add", wrong)
    rows = {r.name: r for r in check_gradients(seed_plan())}
    assert not rows["b"].passed
    assert rows["b"].backprop == pytest.approx(2.2) and rows["b"].numeric == pytest.approx(2.0)
    assert rows["y"].passed  # sub's rule is still right
    monkeypatch.undo()
    assert all(r.passed for r in check_gradients(seed_plan()))


def test_gradcheck_uses_a_random_direction_for_big_leaves() -> None:
    plan = compile_plan([Step("v", "input", value=np.linspace(-1, 1, 100)),
                         Step("t", "tanh", (0,)), Step("s", "sum", (1,))])
    (row,) = check_gradients(plan, max_elements=64)
    assert row.method == "random direction" and row.passed


# --- helpers ------------------------------------------------------------------------------

def test_as_value_and_fit_to_keep_scalars_scalar() -> None:
    assert type(as_value(3)) is np.float64
    assert type(as_value([[1, 2]])) is np.ndarray and as_value([[1, 2]]).dtype == np.float64
    assert type(fit_to(np.ones(3), F64(0.0))) is np.float64
    assert fit_to(np.ones(3), F64(0.0)) == 3.0
    np.testing.assert_array_equal(fit_to(np.ones((4, 2, 3)), np.zeros((2, 1))),
                                  np.full((2, 1), 12.0))


@pytest.mark.parametrize(("a_shape", "b_shape"), [
    ((200, 200), (50, 200, 1)),  # one matrix against a stack: its gradient sums the stack
    ((50, 1, 200), (200, 200)),  # a stack of rows against one weight matrix
    ((1, 200, 200), (50, 200, 1)),  # a batch axis of length 1 broadcast to 50
    ((200,), (50, 200, 1)),  # a vector against a stack
    ((5, 1, 40, 200), (1, 10, 200, 40)),  # each operand broadcast along a different axis
])
def test_matmul_gradient_never_forms_the_broadcast_product(a_shape, b_shape) -> None:
    """The gradient of a broadcast operand is a sum over the stack; forming every term of it
    first (50 copies of a 200×200 matrix here, 72 GB for a 3000×3000 one against 250) would
    let a small graph exhaust the machine. Gradients as torch's, memory as the operands'."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(7)
    a, b = rng.normal(size=a_shape), rng.normal(size=b_shape)
    plan = compile_plan([Step("a", "input", value=a), Step("b", "input", value=b),
                         Step("p", "matmul", (0, 1)), Step("J", "sum", (2,))])
    values = forward(plan, compiled=False).values
    biggest = max(a.size, b.size, values[2].size) * 8
    tracemalloc.start()
    try:
        grads = backward(plan, values, compiled=False).grads
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 6 * biggest, f"backward held {peak:,} bytes for operands of {biggest:,}"
    ta, tb = (torch.tensor(x, requires_grad=True) for x in (a, b))
    torch.sum(ta @ tb).backward()
    np.testing.assert_allclose(grads[0], ta.grad.numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(grads[1], tb.grad.numpy(), rtol=1e-12, atol=1e-12)
