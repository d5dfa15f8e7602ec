"""How compiled code is built, against the careful loop: passes cut into chunks whose code is
shared by repeated layers and by plans of one structure, the one buffer of UNIFORM code and its
in-place fan-in sums, leaves returned in their slots, rules without templates, and code too big
for CPython's compiler. Each case must still give the careful numbers and issues.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

import numpy as np
import pytest

from cgeditor.core import chunks, engine, tables
from cgeditor.core import compiled as straight_line
from cgeditor.core.engine import Step, backward, compile_plan, forward
from cgeditor.core.ops import F64, REGISTRY
from tests.core.test_compiled import assert_paths_agree, assert_same, chain_plan

# Compiled code runs numpy too (rule functions, tensors): none of its warnings may escape.
pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")


@pytest.mark.parametrize("layers", [3, 30])  # 30 layers: compiled in chunks
def test_code_too_big_for_the_compiler_runs_carefully(monkeypatch, layers: int) -> None:
    def refuse(*_args: Any) -> None:
        raise RecursionError("maximum recursion depth exceeded during compilation")
    monkeypatch.setattr(chunks, "compile", refuse, raising=False)
    for cache in ("_CODE", "_CHUNKS", "_DRIVERS"):  # no code kept from earlier plans
        monkeypatch.setattr(chunks, cache, {})
    plan = chain_plan(layers, np.linspace(0.5, 1.5, 4))
    assert straight_line.compiled(plan, "forward", straight_line.NUMPY) is None
    assert_paths_agree(plan)


def test_plans_of_one_structure_share_code_but_not_constants() -> None:
    """Undo and re-opening rebuild a plan of a structure seen before: its code object is
    reused, while each plan keeps its own attribute constants and leaf values."""
    def plan(exponent: float, x: float, op: str = "powc") -> engine.Plan:
        steps = [Step("x", "input", value=F64(x)), Step("p", op, (0,), {"exponent": exponent}),
                 Step("t", "tanh", (1,))]
        return compile_plan(steps)

    first, second = plan(3.0, 0.5), plan(2.0, 1.5)
    for which in ("forward", "backward"):
        codes = [straight_line.compiled(p, which, straight_line.FLOAT).run.__code__
                 for p in (first, second)]
        assert codes[0] is codes[1]
    for p, (exponent, x) in ((first, (3.0, 0.5)), (second, (2.0, 1.5))):
        values = forward(p, compiled=True).values
        assert values[2] == pytest.approx(np.tanh(x ** exponent), abs=1e-15)
        assert_paths_agree(p)
    other = compile_plan([Step("x", "input", value=F64(0.5)), Step("t", "tanh", (0,))])
    assert (straight_line.compiled(other, "forward", straight_line.FLOAT).run.__code__
            is not straight_line.compiled(first, "forward", straight_line.FLOAT).run.__code__)


def test_arrays_of_one_shape_run_through_the_buffered_code(uniform: str) -> None:
    """Every value one shape: both passes run the UNIFORM tables or code, whose ufunc results
    share one buffer, and give the careful numbers."""
    plan = chain_plan(5, np.linspace(0.5, 1.5, 6))
    fast = forward(plan, compiled=True)
    grads = backward(plan, fast.values, compiled=True).grads
    for k, which in enumerate(("forward", "backward")):
        ran = plan.cache["tables"][k] if uniform == "tables" else \
            plan.cache[(which, straight_line.UNIFORM)]
        assert ran.rows > 0
    assert fast.values[-1].base is not None  # a row of the buffer
    careful = forward(plan, compiled=False)
    for a, b in zip(careful.values, fast.values):
        assert_same(b, a, "value")
    for a, b in zip(backward(plan, careful.values, compiled=False).grads, grads):
        assert_same(b, a, "gradient")


def test_buffered_fan_in_sums_in_place_without_touching_other_gradients(uniform: str) -> None:
    """x feeds four consumers; the first term of its gradient is the seed itself, which the
    output's add hands on unchanged (and which is the gradient of every add on the way). The
    later terms add in place into the first partial sum's own row: the seed, and every other
    gradient, must stay the careful numbers."""
    x = np.linspace(0.5, 1.5, 4)
    steps = [Step("x", "input", value=x), Step("y", "input", value=x[::-1].copy()),
             Step("m", "mul", (0, 1)), Step("t", "tanh", (0,)), Step("q", "mul", (0, 0)),
             Step("u", "add", (2, 3)), Step("v", "add", (5, 4)), Step("j", "add", (6, 0))]
    plan = compile_plan(steps)
    backward(plan, forward(plan, compiled=True).values, compiled=True)
    if uniform == "tables":  # x's five terms (q = x·x gives two): set, added into a fresh
        acts = [entry[0] for entry in plan.cache["tables"][1].entries if entry[1] == 0]
        assert acts == [tables.SET, tables.ADD_NEW, *[tables.ADD_IN] * 3]  # row, in place
    else:
        source = plan.cache[("backward", straight_line.UNIFORM)].source
        assert re.search(r"(g0_\d+) = add\((g0_\d+), .*out=\2\)", source), source
    assert_paths_agree(plan)


@pytest.mark.parametrize("layers", [200, 1000])
@pytest.mark.parametrize("leaf", [F64(1.0), np.linspace(0.5, 1.5, 5)])
def test_repeated_layers_share_the_code_of_their_chunks(leaf: Any, layers: int) -> None:
    """A long chain is compiled in chunks (cut where its content says, which repeats with
    its layers), and its repeated layers share a few chunk functions (compiled once) while
    giving the careful numbers."""
    plan = chain_plan(layers, leaf)
    assert_paths_agree(plan)
    kind = straight_line.FLOAT if isinstance(leaf, F64) else straight_line.UNIFORM
    for which in ("forward", "backward"):
        source = straight_line.compiled(plan, which, kind).source
        calls = re.findall(r"^    t\d+ = (c\d+)\(", source, re.MULTILINE)
        assert len(calls) >= 3 * layers // chunks._CUT_MAX  # no chunk longer than that
        assert source.count("def chunk(") == len(set(calls)) <= 4


def test_leaves_between_operations_come_back_in_their_slots() -> None:
    """Chunked code returns its values chunk by chunk: leaves set between the operations
    must still come back in their own slots, in both passes."""
    steps, previous = [Step("x", "input", value=F64(0.3))], 0
    for k in range(100):
        steps.append(Step(f"c{k}", "const", value=F64(0.01 * k)))
        steps.append(Step(f"a{k}", "mul" if k % 2 else "add", (previous, len(steps) - 1)))
        previous = len(steps) - 1
    steps.append(Step("j", "tanh", (previous,)))
    plan = compile_plan(steps)
    assert "pick(" in straight_line.compiled(plan, "forward", straight_line.FLOAT).source
    assert_paths_agree(plan)
    assert forward(plan, compiled=True).values[3] == 0.01


@pytest.mark.parametrize("leaf", [F64(0.5), np.linspace(0.5, 1.5, 5)])
@pytest.mark.parametrize("count", [1, 2])
def test_rules_without_templates_run_their_callables_in_chunks(monkeypatch, leaf: Any,
                                                               count: int) -> None:
    """An op without templates runs its registry callables inside chunked code; a vjp that
    returns the wrong number of gradients raises the careful loop's error either way."""
    spec = REGISTRY["tanh"]
    vjp = spec.vjp if count == 1 else (lambda g, out, x: (g, g))
    monkeypatch.setitem(REGISTRY, "tanh", dataclasses.replace(spec, template="",
                                                              vjp_template=(), vjp=vjp))
    plan = chain_plan(30, leaf)
    assert_paths_agree(plan)
    values = forward(plan, compiled=False).values
    done = straight_line.backward_grads(plan, values, np.ones_like(values[-1])[()])
    assert (done is not None) == (count == 1)  # the compiled code ran, or handed over
