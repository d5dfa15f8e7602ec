"""Forward and backward passes over a compiled Plan: plain functions over lists, no Graph.

A Plan is a frozen, execution-ordered list of steps (op, input slots, attrs, leaf value).
``forward`` fills a list of values, ``backward`` a fresh list of gradients (never accumulated
across runs). Failures and non-finite numbers become per-node issues, never exceptions.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from cgeditor.core.ops import F64, OpSpec, get_op

# Arity codes let the hot loops call each rule without building argument lists.
LEAF, UNARY, BINARY, GENERAL = 0, 1, 2, 3


@dataclass(frozen=True)
class Step:
    """One node as the engine sees it."""

    name: str
    op: str
    args: tuple[int, ...] = ()
    attrs: Mapping[str, Any] = field(default_factory=dict)
    value: Any = None  # leaves only


@dataclass(frozen=True)
class Plan:
    """Nodes in execution order, ready to evaluate."""

    steps: tuple[Step, ...]
    output: int
    specs: tuple[OpSpec, ...]
    arity: tuple[int, ...]
    index: Mapping[str, int]

    @property
    def names(self) -> list[str]:
        return [s.name for s in self.steps]

    def __len__(self) -> int:
        return len(self.steps)


def compile_plan(steps: Sequence[Step], output: int | None = None) -> Plan:
    """Freeze ``steps`` (already in execution order) into a Plan; output defaults to the last."""
    specs = tuple(get_op(s.op) for s in steps)
    arity = tuple(_arity(spec, step) for spec, step in zip(specs, steps))
    out = len(steps) - 1 if output is None else output
    index = {s.name: i for i, s in enumerate(steps)}
    return Plan(tuple(steps), out, specs, arity, index)


def _arity(spec: OpSpec, step: Step) -> int:
    if spec.is_leaf:
        return LEAF
    if step.attrs:
        return GENERAL
    return UNARY if len(spec.inputs) == 1 else BINARY if len(spec.inputs) == 2 else GENERAL


@dataclass
class Issue:
    """Something wrong at one node: an op that failed, or a non-finite value or gradient."""

    index: int
    kind: str  # "error", "skipped", "nonfinite", "nonfinite_grad"
    message: str
    origin: bool = False


@dataclass
class ForwardResult:
    values: list[Any]
    issues: dict[int, Issue]


@dataclass
class BackwardResult:
    grads: list[Any]
    issues: dict[int, Issue]


def as_value(raw: Any) -> Any:
    """A float64 numpy scalar or a float64 ndarray (never a shape-(1,)-for-a-scalar array)."""
    arr = np.asarray(raw, dtype=np.float64)
    return F64(arr) if arr.ndim == 0 else arr


def forward(plan: Plan, feeds: Mapping[str, Any] | None = None) -> ForwardResult:
    """Evaluate every step in order; leaves take ``feeds[name]`` when given."""
    values: list[Any] = [None] * len(plan.steps)
    issues: dict[int, Issue] = {}
    overrides = {plan.index[k]: as_value(v) for k, v in (feeds or {}).items() if k in plan.index}
    start = 0
    with np.errstate(all="ignore"):
        while start < len(values):
            try:
                _forward_from(plan, values, overrides, start)
                break
            except Exception as exc:  # an op failed: record it and carry on after it
                failed = _failed_index(values, start)
                issues[failed] = _failure(plan, values, failed, exc)
                start = failed + 1
    _mark_nonfinite(plan, values, issues, "nonfinite")
    return ForwardResult(values, issues)


def _forward_from(plan: Plan, values: list, overrides: dict, start: int) -> None:
    steps, specs, arity = plan.steps, plan.specs, plan.arity
    for i in range(start, len(steps)):
        kind = arity[i]
        step = steps[i]
        args = step.args
        if kind == BINARY:
            values[i] = specs[i].forward(values[args[0]], values[args[1]])
        elif kind == UNARY:
            values[i] = specs[i].forward(values[args[0]])
        elif kind == LEAF:
            values[i] = overrides.get(i, step.value)
        else:
            values[i] = specs[i].forward(*[values[j] for j in args], **step.attrs)
        if values[i] is None:
            raise ValueError("no value")


def _failed_index(values: list, start: int) -> int:
    # The loop fills values in order, so the first empty slot from start is the one that raised.
    for i in range(start, len(values)):
        if values[i] is None:
            return i
    return len(values) - 1


def _failure(plan: Plan, values: list, i: int, exc: Exception) -> Issue:
    step, spec = plan.steps[i], plan.specs[i]
    if spec.is_leaf:
        return Issue(i, "error", f"{step.name} has no value")
    missing = [plan.steps[j].name for j in step.args if values[j] is None]
    if missing:
        return Issue(i, "skipped", f"not evaluated: input {', '.join(missing)} has no value")
    shapes = " and ".join(str(np.shape(values[j])) for j in step.args)
    return Issue(i, "error", f"{spec.name} failed on shapes {shapes}: {exc}")


def backward(plan: Plan, values: Sequence[Any], seed: Any = None) -> BackwardResult:
    """Fresh gradients of the output w.r.t. every node (None where a node cannot reach it)."""
    grads: list[Any] = [None] * len(plan.steps)
    out = plan.output
    if values[out] is None:
        return BackwardResult(grads, {})
    grads[out] = np.ones_like(values[out])[()] if seed is None else as_value(seed)
    if grads[out].__class__ is np.ndarray and grads[out].ndim == 0:
        grads[out] = F64(grads[out])
    with np.errstate(all="ignore"):
        _backward_loop(plan, values, grads)
    issues: dict[int, Issue] = {}
    _mark_nonfinite(plan, grads, issues, "nonfinite_grad", values)
    return BackwardResult(grads, issues)


def _backward_loop(plan: Plan, values: Sequence[Any], grads: list) -> None:
    steps, specs, arity = plan.steps, plan.specs, plan.arity
    for i in range(plan.output, -1, -1):
        g = grads[i]
        kind = arity[i]
        if g is None or kind == LEAF or values[i] is None:
            continue
        step = steps[i]
        args = step.args
        if kind == BINARY:
            parts = specs[i].vjp(g, values[i], values[args[0]], values[args[1]])
        elif kind == UNARY:
            parts = specs[i].vjp(g, values[i], values[args[0]])
        else:
            parts = specs[i].vjp(g, values[i], *[values[j] for j in args], **step.attrs)
        if len(parts) != len(args):
            raise TypeError(f"vjp of {specs[i].name} returned {len(parts)} gradients "
                            f"for {len(args)} inputs")
        for j, part in zip(args, parts):
            if part.__class__ is not F64:
                part = fit_to(part, values[j])
            prev = grads[j]
            grads[j] = part if prev is None else prev + part


def fit_to(grad: Any, like: Any) -> Any:
    """Sum a broadcast gradient back to the shape of ``like`` (numpy broadcasting in reverse)."""
    shape = np.shape(like)
    grad = np.asarray(grad, dtype=np.float64)
    if grad.shape != shape:
        extra = grad.ndim - len(shape)
        if extra > 0:
            grad = grad.sum(axis=tuple(range(extra)))
        kept = tuple(k for k, n in enumerate(shape) if n == 1 and grad.shape[k] != 1)
        if kept:
            grad = grad.sum(axis=kept, keepdims=True)
        grad = np.broadcast_to(grad, shape)
    return F64(grad) if grad.ndim == 0 else grad


def is_finite(value: Any) -> bool:
    if value.__class__ is F64:
        return math.isfinite(value)
    return bool(np.isfinite(value).all())


def _mark_nonfinite(plan: Plan, data: Sequence[Any], issues: dict, kind: str,
                    values: Sequence[Any] | None = None) -> None:
    """Record every non-finite entry; the first one, in the pass's own direction, is the origin.

    ``data`` is what is checked (values or gradients); ``values`` are the forward values.
    """
    try:  # fast path: every entry a scalar, all finite
        if np.isfinite(np.fromiter(data, dtype=np.float64, count=len(data))).all():
            return
    except (TypeError, ValueError):
        pass
    bad = [i for i, v in enumerate(data) if v is not None and i not in issues
           and not is_finite(v)]
    if not bad:
        return
    values = data if values is None else values
    origin = bad[0] if kind == "nonfinite" else bad[-1]
    for i in bad:
        if kind == "nonfinite":
            message = _value_message(plan, values, i)
        else:
            message = _grad_message(plan, values, data, i)
        issues[i] = Issue(i, kind, message, i == origin)


def _value_message(plan: Plan, values: Sequence[Any], i: int) -> str:
    step, spec = plan.steps[i], plan.specs[i]
    if spec.is_leaf:
        return f"{step.name} is set to {describe(values[i])}"
    inputs = ", ".join(f"{port} = {describe(values[j])}"
                       for port, j in zip(spec.inputs, step.args))
    return f"{spec.name} at {inputs} gives {describe(values[i])}"


def _grad_message(plan: Plan, values: Sequence[Any], grads: Sequence[Any], i: int) -> str:
    text = f"gradient of {plan.steps[i].name} is {describe(grads[i])}"
    for k in range(plan.output, i, -1):  # the consumer whose rule produced it, nearest the output
        if i in plan.steps[k].args and grads[k] is not None and is_finite(grads[k]):
            return f"{text}, from the rule of {_value_message(plan, values, k)}"
    return text


def describe(value: Any) -> str:
    """Short human text for a value: '-inf', '2', or 'nan in 3 of 10 elements'."""
    if value is None:
        return "nothing"
    if np.ndim(value) == 0:
        return f"{float(value):.6g}"
    arr = np.asarray(value)
    bad = int(np.size(arr) - np.isfinite(arr).sum())
    if bad:
        return f"non-finite in {bad} of {arr.size} elements"
    return f"array of shape {arr.shape}"
