"""Random graphs in two execution orders (what a move does: ties go left to right): backward's
order is the wiring's, so every value, gradient and issue is the same to the bit on each path
(careful loop, compiled code, tables), nodes the output does not read included."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cgeditor.core.engine import Plan, Step, backward, compile_plan, forward
from tests.core.test_compiled_random import OPS, TOTAL, random_plan

pytestmark = pytest.mark.usefixtures("uniform")


def reordered(plan: Plan, rng: np.random.Generator) -> Plan:
    """The same graph in another topological order (Kahn's, ready nodes taken at random)."""
    steps = plan.steps
    left = [len(set(s.args)) for s in steps]
    users: list[list[int]] = [[] for _ in steps]
    for k, s in enumerate(steps):
        for j in dict.fromkeys(s.args):
            users[j].append(k)
    ready = [k for k, n in enumerate(left) if n == 0]
    order: list[int] = []
    while ready:
        k = ready.pop(int(rng.integers(len(ready))))
        order.append(k)
        for u in users[k]:
            left[u] -= 1
            if left[u] == 0:
                ready.append(u)
    slot = {old: new for new, old in enumerate(order)}
    moved = [Step(steps[k].name, steps[k].op, tuple(slot[j] for j in steps[k].args),
                  steps[k].attrs, steps[k].value) for k in order]
    return compile_plan(moved, slot[plan.output])


def by_name(plan: Plan, data: Any) -> dict[str, bytes]:
    return {s.name: (None if v is None else (type(v).__name__, np.shape(v),
                                              np.asarray(v).tobytes()))
            for s, v in zip(plan.steps, data)}


def issues_by_name(plan: Plan, issues: dict) -> dict[str, tuple]:
    return {plan.steps[i].name: (x.kind, x.message, x.origin) for i, x in issues.items()}


def outcome(plan: Plan, compiled: bool) -> tuple:
    fwd = forward(plan, compiled=compiled)
    if fwd.values[plan.output] is None:
        return by_name(plan, fwd.values), issues_by_name(plan, fwd.issues)
    bwd = backward(plan, fwd.values, compiled=compiled)
    return (by_name(plan, fwd.values), issues_by_name(plan, fwd.issues),
            by_name(plan, bwd.grads), issues_by_name(plan, bwd.issues))


@settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))
@given(seed=st.integers(0, 2**32 - 1), special=st.booleans(), compiled=st.booleans(),
       total=st.booleans())
def test_another_execution_order_changes_no_bit(seed: int, special: bool, compiled: bool,
                                                total: bool) -> None:
    plan = random_plan(seed, 12, special, TOTAL if total else OPS)
    other = reordered(plan, np.random.default_rng(seed + 1))
    assert outcome(other, compiled) == outcome(plan, compiled)
