"""Per-wire derivatives of a finished run: the gradient flowing back along each wire (one vjp
part) and the local derivative of a target w.r.t. one input, reusing the ops' vjp rules.

Used by the stepper, the display states and the chain-rule explainer; keyed by plan index.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from cgeditor.core.engine import Plan, fit_to
from cgeditor.core.ops import F64


def vjp_parts(plan: Plan, values: Sequence[Any], i: int, g: Any) -> tuple[Any, ...]:
    """The vjp of step ``i`` for upstream ``g``: one part per input, fitted to its shape.

    Callers run it under ``np.errstate(all="ignore")``: non-finite numbers are run state."""
    step, spec = plan.steps[i], plan.specs[i]
    xs = [values[j] for j in step.args]
    parts = spec.vjp(g, values[i], *xs, **step.attrs)
    # A scalar part for a scalar input is already the right shape (the common case, kept fast).
    return tuple(p if p.__class__ is F64 and x.__class__ is F64 else fit_to(p, x)
                 for p, x in zip(parts, xs))


def wire_parts(plan: Plan, values: Sequence[Any],
               grads: Sequence[Any]) -> dict[tuple[int, int], Any]:
    """(step index, input index) → the gradient that step sends back to that input.

    The engine sums these into each input's gradient; recording them separately is what
    makes a fan-out node's gradient visibly the sum of its wires."""
    parts: dict[tuple[int, int], Any] = {}
    with np.errstate(all="ignore"):
        for i, step in enumerate(plan.steps):
            if not step.args or grads[i] is None or values[i] is None:
                continue
            if any(values[j] is None for j in step.args):
                continue
            for k, part in enumerate(vjp_parts(plan, values, i, grads[i])):
                parts[(i, k)] = part
    return parts


def locals_of(plan: Plan, values: Sequence[Any], i: int) -> tuple[Any, ...] | None:
    """∂(step i)/∂(each input) when step i's output is a scalar (its vjp with g = 1); None
    for a tensor output, whose local derivative is a Jacobian, or a step that did not run."""
    out = values[i]
    if out is None or np.ndim(out) != 0 or any(values[j] is None for j in plan.steps[i].args):
        return None
    with np.errstate(all="ignore"):
        return vjp_parts(plan, values, i, F64(1.0))


def wire_locals(plan: Plan, values: Sequence[Any]) -> dict[tuple[int, int], Any]:
    """(step index, input index) → local derivative, for every scalar-output step."""
    result: dict[tuple[int, int], Any] = {}
    for i, step in enumerate(plan.steps):
        if step.args:
            parts = locals_of(plan, values, i)
            for k, part in enumerate(parts or ()):
                result[(i, k)] = part
    return result
