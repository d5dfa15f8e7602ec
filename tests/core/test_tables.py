"""Tensor passes run from tables (core/tables.py): from a plan's first run, without compiling
anything per plan, and with the careful numbers and issues. Randomised graphs run both ways in
test_compiled_random.py (the ``uniform`` fixture)."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pytest

from cgeditor.core import chunks, tables
from cgeditor.core.engine import Step, backward, compile_plan, forward
from cgeditor.core.ops import REGISTRY
from tests.core.test_compiled import assert_paths_agree, assert_same, chain_plan
from tests.core.test_compiled_edit import inserted, irregular_steps

pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")


def _refuse(*_args: Any) -> None:
    raise AssertionError("compile() called")


def test_the_first_run_of_arrays_of_one_shape_compiles_nothing(monkeypatch) -> None:
    """A structural edit's first run takes the tables: nothing goes to CPython's compiler, and
    the values and gradients are the careful loop's."""
    monkeypatch.setattr(chunks, "compile", _refuse, raising=False)
    plan = compile_plan(irregular_steps(300, np.linspace(0.5, 1.5, 5), seed=3))
    fast = forward(plan)
    grads = backward(plan, fast.values).grads
    assert plan.cache["tables"] is not None
    assert not any(isinstance(key, tuple) for key in plan.cache)  # no compiled pass
    careful = forward(plan, compiled=False)
    assert fast.issues == careful.issues == {}
    for a, b in zip(careful.values, fast.values):
        assert_same(b, a, "value")
    for a, b in zip(backward(plan, careful.values, compiled=False).grads, grads):
        assert_same(b, a, "gradient")


def test_template_functions_are_made_once_per_process_not_per_plan() -> None:
    """An edited plan (every later slot moved) builds its tables from functions already made
    for the ops it uses."""
    steps = irregular_steps(200, np.ones(3), seed=5)
    tables.tables(compile_plan(steps))
    made = tables._function.cache_info().misses
    edited = compile_plan(inserted(steps, 100))
    assert tables.tables(edited) is not None
    assert tables._function.cache_info().misses == made
    assert_paths_agree(edited)


def test_non_finite_values_and_gradients_are_reported_as_the_careful_loop_does() -> None:
    """A tanh chain whose leaves overflow: tables give up, the careful loop reports the first
    non-finite value at its origin, and the run's issues are the careful ones."""
    plan = chain_plan(6, np.array([1.0, 1e308]))
    assert tables.tables(plan) is not None
    run = forward(plan)
    assert run.issues == forward(plan, compiled=False).issues
    assert [i for i, issue in run.issues.items() if issue.origin] == [3]  # m0 = h0 * w
    assert_paths_agree(plan)


def test_an_op_whose_templates_tables_cannot_run_leaves_the_plan_to_compiled_code(
        monkeypatch) -> None:
    """tanh without templates: the plan has no tables, runs carefully until compiled, and
    gives the careful numbers either way."""
    monkeypatch.setitem(REGISTRY, "tanh", dataclasses.replace(REGISTRY["tanh"], template="",
                                                              vjp_template=()))
    plan = chain_plan(8, np.linspace(0.5, 1.5, 4))
    assert tables.tables(plan) is None
    forward(plan)
    assert not any(isinstance(key, tuple) for key in plan.cache)  # first run: careful
    assert_paths_agree(plan)


@pytest.mark.parametrize("op", ["sigmoid", "relu", "tanh"])
def test_a_non_finite_leaf_is_reported_even_when_what_it_feeds_is_finite(op: str) -> None:
    """sigmoid(inf) = 1, relu(-inf) = 0, tanh(inf) = 1: the results are finite but the leaf is
    not, and the tables must hand the run to the careful loop, which reports the leaf."""
    x = np.array([0.5, np.inf, -np.inf])
    plan = compile_plan([Step("x", "input", value=x), Step("y", op, (0,))])
    run = forward(plan)
    assert run.issues == forward(plan, compiled=False).issues
    assert run.issues[0].kind == "nonfinite" and run.issues[0].origin
    assert_paths_agree(plan)
