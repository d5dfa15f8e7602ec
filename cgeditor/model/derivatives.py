"""Per-wire derivatives of a finished run: the gradient flowing back along each wire (one vjp
part) and the local derivative of a target w.r.t. one input, reusing the ops' vjp rules.

Used by the stepper, the display states and the chain-rule explainer; keyed by
(step index, input index). Both maps are lazy: a vjp per wire costs more than the whole run
at 1,000 nodes, and the canvas only ever shows the wires in view.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from cgeditor.core.engine import Plan, fit_to, quiet_ieee
from cgeditor.core.ops import F64

Key = tuple[int, int]


def vjp_parts(plan: Plan, values: Sequence[Any], i: int, g: Any) -> tuple[Any, ...]:
    """The vjp of step ``i`` for upstream ``g``: one part per input, fitted to its shape.

    Callers run it under ``quiet_ieee()``: non-finite numbers are run state."""
    step, spec = plan.steps[i], plan.specs[i]
    xs = [values[j] for j in step.args]
    parts = spec.vjp(g, values[i], *xs, **step.attrs)
    # A scalar part for a scalar input is already the right shape (the common case, kept fast).
    return tuple(p if p.__class__ is F64 and x.__class__ is F64 else fit_to(p, x)
                 for p, x in zip(parts, xs))


class WireMap(Mapping[Key, Any]):
    """(step, input index) → a number per wire, computed one step at a time on first use.

    ``has(i)`` says cheaply whether step ``i`` has numbers, so membership and iteration never
    compute one; ``compute(i)`` returns them for all of step ``i``'s inputs at once."""

    def __init__(self, plan: Plan, has: Callable[[int], bool],
                 compute: Callable[[int], tuple[Any, ...]]) -> None:
        self._plan, self._has, self._compute = plan, has, compute
        self._done: dict[int, tuple[Any, ...]] = {}

    def has(self, i: int) -> bool:
        return 0 <= i < len(self._plan.steps) and bool(self._plan.steps[i].args) \
            and self._has(i)

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, tuple) or len(key) != 2:
            return False
        i, k = key
        return self.has(i) and 0 <= k < len(self._plan.steps[i].args)

    def __getitem__(self, key: Key) -> Any:
        if key not in self:
            raise KeyError(key)
        i, k = key
        parts = self._done.get(i)
        if parts is None:
            with quiet_ieee():
                parts = self._done[i] = self._compute(i)
        return parts[k]

    def __iter__(self) -> Iterator[Key]:
        for i, step in enumerate(self._plan.steps):
            if step.args and self._has(i):
                yield from ((i, k) for k in range(len(step.args)))

    def __len__(self) -> int:
        return sum(1 for _ in self)


def _ran(plan: Plan, values: Sequence[Any], i: int) -> bool:
    return values[i] is not None and all(values[j] is not None for j in plan.steps[i].args)


def wire_parts(plan: Plan, values: Sequence[Any], grads: Sequence[Any]) -> WireMap:
    """(step index, input index) → the gradient that step sends back to that input.

    The engine sums these into each input's gradient; recording them separately is what
    makes a fan-out node's gradient visibly the sum of its wires."""
    return WireMap(plan, lambda i: grads[i] is not None and _ran(plan, values, i),
                   lambda i: vjp_parts(plan, values, i, grads[i]))


def locals_of(plan: Plan, values: Sequence[Any], i: int) -> tuple[Any, ...] | None:
    """∂(step i)/∂(each input) when step i's output is a scalar (its vjp with g = 1); None
    for a tensor output, whose local derivative is a Jacobian, or a step that did not run."""
    if not _ran(plan, values, i) or np.ndim(values[i]) != 0:
        return None
    with quiet_ieee():
        return vjp_parts(plan, values, i, F64(1.0))


def wire_locals(plan: Plan, values: Sequence[Any]) -> WireMap:
    """(step index, input index) → local derivative, for every scalar-output step."""
    return WireMap(plan, lambda i: _ran(plan, values, i) and np.ndim(values[i]) == 0,
                   lambda i: vjp_parts(plan, values, i, F64(1.0)))
