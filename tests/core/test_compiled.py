"""Compiled straight-line code against the careful loop, op by op from the registry.

Every op runs on the gradient samples of test_ops (scalars, vectors, broadcasting, matrices)
and on special points (zeros, negatives, overflow, ties); the two paths must give the same
values and gradients to 1e-12, of the same types, and report the same issues.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import re
from typing import Any

import numpy as np
import pytest

from benchmarks.engine_graphs import H0, B, W, tanh_chain
from cgeditor.core import compiled as straight_line
from cgeditor.core import engine
from cgeditor.core.engine import Step, backward, compile_plan, forward
from cgeditor.core.ops import F64, REGISTRY
from tests.core.test_ops import SAMPLES

# Compiled code runs numpy too (rule functions, tensors): none of its warnings may escape.
pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")

OPS = sorted(name for name, spec in REGISTRY.items() if not spec.is_leaf)
# zeros of both signs, negative, overflow of exp, and plain numbers
SPECIAL = (0.0, -0.0, -1.0, 0.5, 2.0, 1000.0)
POWC_EXPONENTS = (2.0, -1.0, 0.5, 0.0, 3.0)


def _plan(name: str, inputs: tuple, attrs: dict) -> engine.Plan:
    steps = [Step(f"x{k}", "input", (), {}, v) for k, v in enumerate(inputs)]
    steps.append(Step("op", name, tuple(range(len(inputs))), attrs))
    return compile_plan(steps)


def _special(name: str) -> list[tuple[tuple, dict]]:
    """Scalar grids over SPECIAL (ties included), a vector of them, and a broadcast pair."""
    arity = len(REGISTRY[name].inputs)
    grid = [tuple(map(F64, xs)) for xs in itertools.product(SPECIAL, repeat=arity)]
    vector = np.array(SPECIAL)
    cases = [(xs, {}) for xs in grid] + [((vector,) * arity, {})]
    if arity == 2:
        cases += [((vector, F64(0.5)), {}), ((np.outer(vector, vector), vector), {})]
    if name == "powc":
        cases += [((F64(x),), {"exponent": e}) for x in SPECIAL for e in POWC_EXPONENTS]
    return cases


def _cases() -> list:
    return [pytest.param(name, inputs, attrs, id=f"{name}-{k}")
            for name in OPS
            for k, (inputs, attrs) in enumerate([*SAMPLES[name], *_special(name)])]


def assert_same(a: Any, b: Any, what: str) -> None:
    """Same type and shape, equal to 1e-12 (nan where nan), zeros of the same sign (1 / -0.0
    is -inf further on), or both None."""
    assert type(a) is type(b), f"{what}: {type(a).__name__} vs {type(b).__name__}"
    if a is None:
        return
    assert np.shape(a) == np.shape(b), what
    zero = np.asarray(a) == 0
    assert (np.signbit(a)[zero] == np.signbit(b)[zero]).all(), f"{what}: signed zeros differ"
    np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12, equal_nan=True, err_msg=what)


def assert_paths_agree(plan: engine.Plan) -> None:
    """forward and backward, compiled and careful: same numbers, same issues, same errors."""
    careful, fast = forward(plan, compiled=False), forward(plan, compiled=True)
    for k, (a, b) in enumerate(zip(careful.values, fast.values)):
        assert_same(a, b, f"value of {plan.steps[k].name}")
    assert fast.issues == careful.issues
    if careful.values[plan.output] is None:
        return
    outcomes = []
    for values, flag in ((careful.values, False), (fast.values, True)):
        try:
            outcomes.append(backward(plan, values, compiled=flag))
        except Exception as exc:  # the same error must come out of both
            outcomes.append(f"{type(exc).__name__}: {exc}")
    if isinstance(outcomes[0], str):
        assert outcomes[1] == outcomes[0]
        return
    for k, (a, b) in enumerate(zip(outcomes[0].grads, outcomes[1].grads)):
        assert_same(a, b, f"gradient of {plan.steps[k].name}")
    assert outcomes[1].issues == outcomes[0].issues


@pytest.mark.parametrize(("name", "inputs", "attrs"), _cases())
@pytest.mark.usefixtures("uniform")
def test_compiled_agrees_with_careful_on_every_op(name: str, inputs: tuple, attrs: dict) -> None:
    assert_paths_agree(_plan(name, inputs, attrs))


@pytest.mark.parametrize("name", OPS)
@pytest.mark.usefixtures("uniform")
def test_finite_samples_run_compiled_without_falling_back(name: str) -> None:
    """Where the careful loop finds nothing wrong the compiled code must not give up, or the
    comparison above would only ever compare the careful loop with itself."""
    for inputs, attrs in SAMPLES[name]:
        plan = _plan(name, inputs, attrs)
        careful = forward(plan, compiled=False)
        assert not careful.issues
        assert straight_line.forward_values(plan, list(careful.values)) is not None
        assert straight_line.backward_grads(plan, careful.values,
                                            np.ones_like(careful.values[-1])[()]) is not None


@pytest.mark.parametrize("name", ["add", "sub", "mul", "div", "pow", "powc", "exp", "log",
                                  "tanh", "sigmoid", "relu", "sqrt", "maximum", "mse"])
def test_scalar_rules_compile_to_python_floats(name: str) -> None:
    plan = _plan(name, tuple(F64(0.5) for _ in REGISTRY[name].inputs), {})
    for which in ("forward", "backward"):
        code = straight_line.compiled(plan, which, straight_line.FLOAT)
        assert code is not None, f"{name} {which} did not compile to floats"


def chain_plan(layers: int, leaf: Any) -> engine.Plan:
    """The benchmark's chain h_k = tanh(h_{k-1}·w + b), J = h_N, with leaves scaled by
    ``leaf`` (a scalar or an array); w and b fan out to every layer."""
    return compile_plan(tanh_chain(layers, leaf * H0, leaf * W, leaf * B))


@pytest.mark.parametrize("leaf", [F64(1.0), np.linspace(0.5, 1.5, 7)])
def test_chain_with_fan_out_agrees(leaf: Any) -> None:
    assert_paths_agree(chain_plan(40, leaf))


def test_broadcast_gradients_are_summed_back_in_compiled_code() -> None:
    steps = [Step("m", "input", value=np.ones((2, 3))), Step("v", "input", value=np.arange(3.0)),
             Step("s", "input", value=F64(2.0)), Step("mv", "mul", (0, 1)),
             Step("out", "mul", (3, 2)), Step("j", "sum", (4,))]
    plan = compile_plan(steps)
    grads = backward(plan, forward(plan, compiled=True).values, compiled=True).grads
    np.testing.assert_array_equal(grads[1], [4.0, 4.0, 4.0])
    assert type(grads[2]) is F64 and grads[2] == 6.0


def test_non_finite_run_reports_the_careful_origin() -> None:
    steps = [Step("x", "input", value=F64(0.0)), Step("l", "log", (0,)),
             Step("e", "exp", (1,)), Step("r", "sqrt", (0,))]
    plan = compile_plan(steps)
    fast = forward(plan, compiled=True)
    assert fast.issues[1].origin and fast.issues[1].message.startswith(
        "log at x = 0 gives -inf: log needs x > 0")
    assert_paths_agree(plan)


@pytest.mark.parametrize("length", [1, 80])  # 80: long enough to be compiled in chunks
def test_no_name_or_value_from_the_graph_enters_the_source(length: int) -> None:
    hostile = "__import__('os').system('echo pwned')"
    steps = [Step(hostile, "input", value=F64(1.5))]
    for k in range(length):
        steps.append(Step(f"'; x = {k} #", "powc", (k,), {"exponent": 3.0 if k == 0 else 1.0}))
    plan = compile_plan(steps)
    for which, kind in itertools.product(("forward", "backward"), (straight_line.FLOAT,
                                                                   straight_line.NUMPY)):
        source = straight_line.compiled(plan, which, kind).source
        assert "__import__" not in source and "pwned" not in source and "3.0" not in source
        words = set(re.findall(r"[A-Za-z_]\w*", source))
        # slots, buffer rows, chunk names, canonical names, the tuples chunks return and the
        # getters of their arguments
        slots = {w for w in words if re.fullmatch(r"[vgkpsnctu]\d+(_\d+)?", w)}
        assert words - slots <= {"def", "run", "chunk", "leaves", "values", "return", "np",
                                 "fit", "_", "powc_grad", "pick", "R"}
    assert forward(plan, compiled=True).values[-1] == 1.5 ** 3


def _compiled_from_run(plan: engine.Plan) -> int:
    """The first of eight runs (forward then backward) that built the float code, or -1."""
    for run in range(8):
        backward(plan, forward(plan).values)
        if ("forward", straight_line.FLOAT) in plan.cache:
            return run
    return -1


def test_plans_switch_to_compiled_code_once_hot(monkeypatch) -> None:
    """Small plans compile after QUICK_RUNS runs, bigger ones after HOT_RUNS, the biggest
    never unless asked."""
    monkeypatch.setattr(engine, "QUICK_RUNS", 1)
    monkeypatch.setattr(engine, "HOT_RUNS", 4)
    monkeypatch.setattr(engine, "SLICE", math.inf)  # each build in one run (see test_slices)
    small = chain_plan(3, F64(1.0))
    monkeypatch.setattr(engine, "QUICK_NODES", len(small.steps))
    assert _compiled_from_run(small) == 1
    assert _compiled_from_run(chain_plan(4, F64(1.0))) == 4
    monkeypatch.setattr(engine, "HOT_NODES", len(small.steps) + 2)
    big = chain_plan(4, F64(1.0))
    assert _compiled_from_run(big) == -1
    assert not any(isinstance(key, tuple) for key in big.cache)  # too big: never compiled


def test_a_rule_that_changes_a_gradients_shape_gets_the_shape_chores(monkeypatch,
                                                                      uniform: str) -> None:
    """All values one shape lets compiled code skip summing gradients back, unless a rule's
    result has another shape after all: then the general code runs, as the careful loop."""
    spec = dataclasses.replace(REGISTRY["neg"],
                               vjp=lambda g, out, x: (np.sum(g, keepdims=True),),
                               vjp_template=("np.sum({g}, keepdims=True)",))
    monkeypatch.setitem(REGISTRY, "neg", spec)
    plan = _plan("neg", (np.arange(4.0),), {})
    grads = backward(plan, forward(plan).values, compiled=True).grads
    np.testing.assert_array_equal(grads[0], [4.0, 4.0, 4.0, 4.0])
    ran = "tables" if uniform == "tables" else ("backward", straight_line.UNIFORM)
    assert plan.cache.get(ran) is not None
    assert ("backward", straight_line.NUMPY) in plan.cache
    assert_paths_agree(plan)


def test_backward_reads_values_changed_after_the_forward_pass() -> None:
    """Compiled backward reuses the floats of the forward pass it follows, only while the
    values are those very objects."""
    plan = chain_plan(3, F64(1.0))
    values = forward(plan, compiled=True).values
    values[1] = F64(-0.5)  # w, as a caller might set it before differentiating
    fast = backward(plan, values, compiled=True).grads
    careful = backward(plan, values, compiled=False).grads
    for a, b in zip(fast, careful):
        assert_same(a, b, "gradient")
    assert fast[0] != backward(plan, forward(plan).values, compiled=True).grads[0]


def test_compiled_scalar_results_read_as_the_careful_lists() -> None:
    """Compiled scalar passes box their floats on access: every way of reading them (an
    index, a negative one, a slice, iteration, comparing, concatenating) sees what the
    careful lists hold, np.float64 scalars and None where a node cannot reach the output."""
    steps = [Step("x", "input", value=F64(0.5)), Step("y", "input", value=F64(2.0)),
             Step("unused", "exp", (1,)), Step("j", "mul", (0, 1))]
    plan = compile_plan(steps, output=3)
    passes = []
    for flag in (False, True):
        fwd = forward(plan, compiled=flag)
        passes.append((fwd.values, backward(plan, fwd.values, compiled=flag).grads))
    (values, grads), (fast_values, fast_grads) = passes
    assert isinstance(fast_values, engine.FloatList)
    assert isinstance(fast_grads, engine.FloatList)
    for careful, fast in ((values, fast_values), (grads, fast_grads)):
        for k in (0, 2, -1):
            assert_same(fast[k], careful[k], f"entry {k}")
        assert fast[1:3] == careful[1:3] and fast == careful and careful == list(fast)
        assert [type(v) for v in fast + careful] == [type(v) for v in careful + careful]
        assert [type(v) for v in careful + fast] == [type(v) for v in careful + careful]
    assert fast_grads[2] is None and fast_grads[0] == 2.0 and fast_grads[1] == 0.5


@pytest.mark.parametrize("steps", [
    # sigmoid's rule returns a numpy scalar; Python's (-1.0) ** 0.5 is a complex number
    [Step("x", "input", value=F64(-1.0)), Step("s", "sigmoid", (0,)),
     Step("p", "powc", (0,), {"exponent": 0.5}), Step("j", "add", (1, 2))],
    # pow's vjp: Python's (-8.0) ** -0.5 is complex, and pow_grad_exponent gives a numpy 0
    [Step("b", "input", value=F64(0.5)), Step("a", "input", value=F64(-8.0)),
     Step("p", "pow", (1, 0))],
])
def test_python_complex_powers_never_leave_compiled_code(steps: list) -> None:
    """A fractional power of a negative float is complex in Python (nan in numpy): the
    compiled pass must hand over to the careful one, even when a numpy scalar in the sum
    would quietly drop the imaginary part."""
    plan = compile_plan(steps)
    fast = forward(plan, compiled=True)
    assert all(type(v) is F64 for v in fast.values)
    grads = backward(plan, fast.values, compiled=True).grads
    assert all(type(g) is F64 for g in grads)
    assert_paths_agree(plan)


def test_backward_through_a_nan_value_is_the_careful_one() -> None:
    """Python's stand-ins are trusted only on finite numbers (sign(nan) would be 0.0, numpy
    says nan): backward over a forward pass that went non-finite gives the careful gradients
    and issues, here the nan of log(-8) reaching x through abs."""
    steps = [Step("x", "input", value=F64(-8.0)), Step("l", "log", (0,)),
             Step("k", "abs", (1,)), Step("j", "powc", (2,), {"exponent": 0.0})]
    plan = compile_plan(steps)
    values = forward(plan, compiled=True).values
    careful = backward(plan, values, compiled=False)
    fast = backward(plan, values, compiled=True)
    assert np.isnan(careful.grads[0]) and fast.issues == careful.issues
    assert_paths_agree(plan)


@pytest.mark.parametrize(("op", "big", "vanished"), [
    ("tanh", 1e308, 1.0),  # tanh(inf) = 1
    ("exp", -1e308, 0.0),  # exp(-inf) = 0
    ("div", 1e308, 0.0),  # 1 / inf = 0
])
def test_non_finite_value_that_vanishes_downstream_is_reported_at_its_origin(
        op: str, big: float, vanished: float) -> None:
    """Tensor code checks all values at once, not the output alone: an inf made by one node
    (2 · ±1e308) and squashed to a finite number by the next is reported where it appeared."""
    steps = [Step("x", "input", value=np.array([0.5, 2.0, 3.0])),
             Step("big", "input", value=np.array([1.0, big, 4.0])),
             Step("one", "input", value=np.ones(3)), Step("m", "mul", (0, 1))]
    steps.append(Step("y", "div", (2, 3)) if op == "div" else Step("y", op, (3,)))
    plan = compile_plan(steps)
    fast = forward(plan, compiled=True)
    assert fast.values[-1][1] == vanished and np.isfinite(fast.values[-1]).all()
    assert list(fast.issues) == [3] and fast.issues[3].origin
    assert fast.issues[3].kind == "nonfinite" and "inf" in fast.issues[3].message
    assert_paths_agree(plan)


def test_huge_finite_values_stay_compiled_without_issues() -> None:
    """Values whose sum overflows are finite one by one: no issue is reported, and the run is
    not sent to the careful loop for it."""
    steps = [Step("x", "input", value=np.full(4, 1e308)), Step("y", "input", value=np.ones(4)),
             Step("m", "mul", (0, 1)), Step("n", "mul", (2, 1))]
    plan = compile_plan(steps)
    values = [s.value for s in plan.steps]
    done = straight_line.forward_values(plan, values)
    assert done is not None and done[3][0] == 1e308
    assert not forward(plan, compiled=True).issues


def test_a_gradient_that_goes_non_finite_and_vanishes_is_reported() -> None:
    """An infinite gradient in the middle of a tensor backward pass, multiplied by zero further
    back, is found by the buffered code's one check and reported as the careful loop does."""
    steps = [Step("x", "input", value=np.array([0.0, 1.0])), Step("z", "input", value=np.zeros(2)),
             Step("p", "mul", (0, 1)), Step("s", "sqrt", (2,))]  # sqrt'(0) = inf, then · z = 0
    plan = compile_plan(steps)
    fast = backward(plan, forward(plan, compiled=True).values, compiled=True)
    assert fast.issues and all(i.kind == "nonfinite_grad" for i in fast.issues.values())
    assert_paths_agree(plan)
