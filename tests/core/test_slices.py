"""Compiling spread over runs: after a structural edit the careful loop answers at once, and
each later run builds one slice of the compiled code until it is done, never all of it at
once. Every run gives the careful numbers and issues whichever code answered."""

from __future__ import annotations

import builtins
import gc
import weakref
from typing import Any

import numpy as np
import pytest

from cgeditor.core import chunks, engine
from cgeditor.core import compiled as straight_line
from cgeditor.core.engine import backward, compile_plan, forward
from cgeditor.core.ops import F64
from tests.core.test_compiled import assert_same
from tests.core.test_compiled_edit import irregular_steps

pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")


def _no_kept_code(monkeypatch) -> list[str]:
    """No code kept from earlier plans; returns the list each compiled text is added to."""
    seen: list[str] = []

    def counted(source: str, *args: Any) -> Any:
        seen.append(source)
        return builtins.compile(source, *args)
    monkeypatch.setattr(chunks, "compile", counted, raising=False)
    for cache in ("_CODE", "_CHUNKS", "_DRIVERS"):
        monkeypatch.setattr(chunks, cache, {})
    return seen


@pytest.mark.parametrize("leaf", [F64(1.0), np.linspace(0.5, 1.5, 3)])
def test_a_build_goes_on_one_step_a_run_with_the_careful_numbers(monkeypatch, leaf) -> None:
    """With a slice too short for more than one step, each run compiles at most one text a
    pass; the first run compiles none. Scalars reach compiled code after many runs; arrays
    of one shape run from tables throughout (a mixed-shape plan would compile like scalars)."""
    monkeypatch.setattr(engine, "SLICE", 1e-9)
    seen = _no_kept_code(monkeypatch)
    plan = compile_plan(irregular_steps(400, leaf, seed=7))
    careful = forward(plan, compiled=False)
    expected = backward(plan, careful.values, compiled=False)
    runs = 0
    built = [("forward", straight_line.FLOAT), ("backward", straight_line.FLOAT)]
    while not all(key in plan.cache for key in built) and runs < 60:
        before = len(seen)
        run = forward(plan)
        grads = backward(plan, run.values)
        assert len(seen) - before <= (0 if runs == 0 else 2)  # one step a pass
        for a, b, what in [*zip(careful.values, run.values, ["value"] * len(plan)),
                           *zip(expected.grads, grads.grads, ["gradient"] * len(plan))]:
            assert_same(b, a, what)
        assert run.issues == careful.issues and grads.issues == expected.issues
        runs += 1
    if isinstance(leaf, F64):
        assert 5 < runs < 60  # spread over runs, and done
        assert straight_line.forward_values(plan, list(careful.values), 0.0) is not None
        assert straight_line.backward_grads(plan, careful.values, F64(1.0), 0.0) is not None
    else:
        assert runs == 60 and seen == []  # tables: never compiled


def test_an_unfinished_build_is_not_started_again_by_a_run_without_budget(monkeypatch) -> None:
    """compiled=False runs carefully and leaves a build half done; compiled=True finishes it
    at once."""
    monkeypatch.setattr(engine, "SLICE", 1e-9)
    seen = _no_kept_code(monkeypatch)
    plan = compile_plan(irregular_steps(400, F64(1.0), seed=8))
    for _ in range(5):  # the first careful, then spelling, cutting, and a chunk or two
        forward(plan)
    started = len(seen)
    assert ("forward", straight_line.FLOAT) not in plan.cache and started > 0
    forward(plan, compiled=False)
    assert len(seen) == started
    fast = forward(plan, compiled=True)
    assert ("forward", straight_line.FLOAT) in plan.cache
    for a, b in zip(forward(plan, compiled=False).values, fast.values):
        assert_same(b, a, "value")


def test_a_plan_dropped_mid_build_is_freed_at_once(monkeypatch) -> None:
    """A structural edit drops the old plan with its build half done: nothing must keep it
    alive until the cyclic garbage collector runs."""
    monkeypatch.setattr(engine, "SLICE", 1e-9)
    plan = compile_plan(irregular_steps(400, F64(1.0), seed=9))
    for _ in range(3):
        backward(plan, forward(plan).values)
    assert plan.cache["building"]  # paused
    gone = weakref.ref(plan)
    gc.disable()
    try:
        del plan
        assert gone() is None
    finally:
        gc.enable()
