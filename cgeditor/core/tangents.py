"""Forward mode over a compiled Plan: from a tangent seeded on the inputs, the tangent of every
node, in execution order (one jvp per node, core/ops/jvp.py).

Seeding input w with 1 gives every node's ∂v/∂w in one pass: n steps for one input, where
backward gives ∂J/∂(every input) in one pass from one output. Non-finite tangents become
per-node issues, as non-finite values do; nothing here raises but a bad seed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from heapq import heappop, heappush
from typing import Any

import numpy as np

from cgeditor.core.diagnose import has_shape, rule_inputs_text, shape_text
from cgeditor.core.engine import Issue, Plan
from cgeditor.core.ops import F64
from cgeditor.core.ops.jvp import jvp_rule
from cgeditor.core.values import FloatList, as_value, describe, finite, quiet_ieee

Seeds = str | Mapping[str, Any]


@dataclass
class TangentResult:
    """Per node its tangent (float64 scalar or ndarray of the node's shape; exact zeros where
    the node does not depend on the seeded leaves, None where it has no value), the seeds
    by slot, and issues by slot (kind "nonfinite_tangent", or "error" for a rule that
    raised)."""

    tangents: list[Any]
    seeds: dict[int, Any]
    issues: dict[int, Issue]


def jvp(plan: Plan, values: Sequence[Any], seeds: Seeds) -> TangentResult:
    """Forward-mode tangents of every node of ``plan``, given its forward ``values``.

    ``seeds``: a leaf's name (that leaf's tangent is 1 in every element: ∂v/∂w for a scalar
    w) or {leaf name: tangent}, each tangent a number (broadcast over the leaf) or an array of
    the leaf's shape: a direction over several inputs. Raises ValueError when a seed names no
    node, names a computed node, or has a shape that does not broadcast to its leaf's.
    """
    if values.__class__ is FloatList:
        values = values.boxed()
    tangents: list[Any] = [None] * len(plan.steps)
    seeded = _seed_slots(plan, values, seeds)
    for i, t in seeded.items():
        tangents[i] = t
    issues: dict[int, Issue] = {}
    with quiet_ieee():
        reached = _propagate(plan, values, tangents, issues, seeded)
        _mark_nonfinite(plan, values, tangents, issues, sorted(reached))
    zero = F64(0.0)  # immutable: one object serves every scalar node
    for i, v in enumerate(values):
        if tangents[i] is None and v is not None and i not in issues:
            tangents[i] = zero if v.__class__ is F64 else np.zeros(np.shape(v))
    return TangentResult(tangents, seeded, issues)


def _propagate(plan: Plan, values: Sequence[Any], tangents: list, issues: dict[int, Issue],
               seeded: Mapping[int, Any]) -> set[int]:
    """Apply each jvp in execution order, visiting only the nodes downstream of the seeds
    (a heap of slots fed by each reached node's consumers: one input's pass through a wide
    graph touches its own branch, not every node). The slots that got a tangent."""
    rules, consumers, steps = _rules(plan), plan.consumers, plan.steps
    heap = sorted({k for i in seeded for k in consumers[i]})
    queued, reached = set(heap), set(seeded)
    failed: set[int] = set()  # no tangent known: what reads them has none either
    while heap:
        i = heappop(heap)
        if values[i] is None:  # did not run: nothing to carry on
            continue
        args = steps[i].args
        lost = next((j for j in args if j in failed), None)
        if lost is not None:  # a zero here would be a wrong number, not an unknown one
            issues[i] = Issue(i, "error", f"no tangent at {steps[i].name}: the tangent of "
                                          f"its input {steps[lost].name} failed")
        else:
            try:
                tangent = rules[i](tuple([tangents[j] for j in args]), values[i],
                                   *[values[j] for j in args])
                tangents[i] = _fit(tangent, values[i])
            except Exception as exc:  # the engine reports, never raises, once seeded
                issues[i] = Issue(i, "error", f"the jvp of {plan.specs[i].name} failed at "
                                              f"{steps[i].name}: {exc}")
        if i in issues:
            failed.add(i)
        else:
            reached.add(i)
        for k in consumers[i]:
            if k not in queued:
                queued.add(k)
                heappush(heap, k)
    return reached


def _seed_slots(plan: Plan, values: Sequence[Any], seeds: Seeds) -> dict[int, Any]:
    """The seeds by slot, each fitted to its leaf's shape; ValueError naming a bad one."""
    if isinstance(seeds, str):
        seeds = {seeds: 1.0}
    slots: dict[int, Any] = {}
    for name, raw in seeds.items():
        i = plan.index.get(name)
        if i is None:
            raise ValueError(f"cannot seed {name!r}: the graph has no node of that name")
        spec = plan.specs[i]
        if not spec.is_leaf:
            raise ValueError(f"cannot seed {name!r}: it is computed by {spec.name}; seed an "
                             "input or a const (forward mode starts from the leaves)")
        if values[i] is None:
            continue
        seed, shape = as_value(raw), np.shape(values[i])
        try:
            slots[i] = _fit(seed, values[i])
        except ValueError:
            raise ValueError(f"the seed of {name} has shape {shape_text(np.shape(seed))}, but "
                             f"{has_shape(name, shape)}: seed a number (every element) or "
                             "an array of that shape") from None
    return slots


def _rules(plan: Plan) -> tuple:
    """Per slot the jvp rule with the node's attrs bound (None for leaves), once per plan."""
    rules = plan.cache.get("jvp")
    if rules is None:
        rules = plan.cache["jvp"] = tuple(
            None if spec.is_leaf else partial(jvp_rule(spec), **step.attrs) if step.attrs
            else jvp_rule(spec) for step, spec in zip(plan.steps, plan.specs))
    return rules


def _fit(tangent: Any, like: Any) -> Any:
    """``tangent`` as float64 in the shape of ``like`` (broadcast up: a rule may leave out the
    axes along which the tangent is constant); ValueError when it does not broadcast."""
    if tangent.__class__ is F64 and like.__class__ is F64:  # scalars: the common case
        return tangent
    shape = np.shape(like)
    arr = np.asarray(tangent, dtype=np.float64)
    if arr.shape != shape:
        arr = np.array(np.broadcast_to(arr, shape))
    return F64(arr) if arr.ndim == 0 else arr


def _mark_nonfinite(plan: Plan, values: Sequence[Any], tangents: Sequence[Any],
                    issues: dict[int, Issue], slots: Sequence[int]) -> None:
    """Record each non-finite tangent among ``slots``; an origin is one whose input tangents
    are all finite (the rule there made it), as the engine marks values."""
    bad = {i for i in slots if not finite(tangents[i])}
    for i in sorted(bad):
        step, spec = plan.steps[i], plan.specs[i]
        text = f"tangent of {step.name} is {describe(tangents[i])}"
        origin = bad.isdisjoint(step.args)
        if spec.is_leaf:
            text += ", as seeded"
        elif origin:
            where = rule_inputs_text(spec.inputs, [values[j] for j in step.args], tangents[i])
            text += f", from the jvp of {spec.name} {where}"
        else:
            text += ", carried from a non-finite tangent of its input"
        issues[i] = Issue(i, "nonfinite_tangent", text, origin)
